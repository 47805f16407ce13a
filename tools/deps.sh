#!/bin/sh
# deps.sh build|test - installs the Debian/Ubuntu packages verbatim needs,
# with apt-get when it can; otherwise says, in one line, what to install.
set -u
pkgs="build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev zlib1g-dev"
[ "${1:-build}" = test ] && pkgs="$pkgs libcmocka-dev python3 python3-pytest python3-requests python3-jsonschema"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "verbatim: missing packages:$missing (not a Debian/Ubuntu system: install their equivalents)" >&2
    exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo -n"
echo "verbatim: installing$missing" >&2
if { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing; } >/dev/null 2>&1; then
    exit 0
fi
echo "verbatim: could not install packages; run: sudo apt-get install$missing" >&2
exit 1
