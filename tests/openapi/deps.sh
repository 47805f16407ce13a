#!/bin/sh
# tests/openapi/deps.sh - Node.js and npm for `make openapi-lint`, from
# Debian's packages with apt-get when they are missing; otherwise says, in one
# line, what to install. Like tools/deps.sh. The pinned @redocly/cli
# (tests/openapi/package-lock.json) needs Node.js 20.19 or later.
set -u
missing=""
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "verbatim openapi-lint: missing:$missing (not a Debian/Ubuntu system: install Node.js >= 20.19 and npm)" >&2
        exit 1
    fi
    sudo=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo -n"
    echo "verbatim openapi-lint: installing$missing" >&2
    if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing; } >/dev/null 2>&1; then
        echo "verbatim openapi-lint: could not install packages; run: sudo apt-get install$missing" >&2
        exit 1
    fi
fi
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
    echo "verbatim openapi-lint: Node.js $(node --version) is too old for @redocly/cli: install Node.js >= 20.19 (Debian 13's nodejs, or NodeSource's)" >&2
    exit 1
fi
exit 0
