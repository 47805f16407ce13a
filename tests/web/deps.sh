#!/bin/sh
# tests/web/deps.sh - installs what the browser tests need from Debian's
# packages (chromium; node and npm when missing), with apt-get when it can;
# otherwise says, in one line, what to install. Like tools/deps.sh.
set -u
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "verbatim web tests: missing:$missing (not a Debian/Ubuntu system: install their equivalents; the tests run /usr/bin/chromium)" >&2
    exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo -n"
echo "verbatim web tests: installing$missing" >&2
if { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing; } >/dev/null 2>&1; then
    exit 0
fi
echo "verbatim web tests: could not install packages; run: sudo apt-get install$missing" >&2
exit 1
