#!/bin/sh
# deps.sh - installs what the benchmark needs (wrk, nginx, GNU time) with
# apt-get when it can; otherwise says, in one line, what to install.
set -u
missing=""
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
[ -x /usr/bin/time ] || missing="$missing time"
[ -x /usr/bin/python3 ] || missing="$missing python3"
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "bench: missing packages:$missing (not a Debian/Ubuntu system: install their equivalents)" >&2
    exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo -n"
echo "bench: installing$missing" >&2
if { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing; } >/dev/null 2>&1; then
    exit 0
fi
echo "bench: could not install packages; run: sudo apt-get install -y$missing" >&2
exit 1
