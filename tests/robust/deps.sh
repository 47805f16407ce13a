#!/bin/sh
# deps.sh - the tools tests/robust uses beyond `make test`'s: wrk (SIGHUP
# under load), the sqlite3 CLI (integrity checks), util-linux (prlimit,
# unshare, nsenter) and e2fsprogs (chattr). Installs them with apt-get when it
# can; otherwise says what is missing (the tests that need them skip).
set -u
need=""
command -v wrk >/dev/null 2>&1 || need="$need wrk"
command -v sqlite3 >/dev/null 2>&1 || need="$need sqlite3"
command -v prlimit >/dev/null 2>&1 || need="$need util-linux"
command -v chattr >/dev/null 2>&1 || need="$need e2fsprogs"
[ -z "$need" ] && exit 0
if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo -n"
    echo "robust: installing$need" >&2
    if { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $need; } >/dev/null 2>&1; then
        exit 0
    fi
fi
echo "robust: missing$need (the tests that need them will skip)" >&2
exit 0
