#!/bin/sh
# deploy_check.sh - lints deploy/ offline (make deploy-check):
#   deploy/verbatimd.service   systemd-analyze verify (against build/verbatimd and
#                              docs/verbatimd.1, as the unit would find them
#                              installed) and systemd-analyze security
#   deploy/kubernetes.yaml     yamllint, and every field against the Kubernetes
#                              API models of python3-kubernetes (tools/deploy_check.py)
# Installs systemd, yamllint and python3-kubernetes with apt-get when missing
# (sudo when not root), or says in one line what to install.
set -eu
cd "$(dirname "$0")/.."

missing=""
command -v systemd-analyze >/dev/null 2>&1 || missing="$missing systemd"
command -v yamllint >/dev/null 2>&1 || missing="$missing yamllint"
/usr/bin/python3 -c 'import kubernetes, yaml' 2>/dev/null || missing="$missing python3-kubernetes python3-yaml"
if [ -n "$missing" ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo -n"
    echo "deploy-check: installing$missing" >&2
    { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; } >/dev/null 2>&1 ||
        { echo "deploy-check: could not install packages; run: sudo apt-get install$missing" >&2; exit 1; }
fi

[ -x build/verbatimd ] || make --no-print-directory all
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/man/man1"
cp docs/verbatimd.1 "$tmp/man/man1/"
sed "s|/usr/local/bin/verbatimd|$PWD/build/verbatimd|" deploy/verbatimd.service > "$tmp/verbatimd.service"
MANPATH="$tmp/man" systemd-analyze verify "$tmp/verbatimd.service"
echo "deploy-check: ok deploy/verbatimd.service (systemd-analyze verify)"
systemd-analyze security --offline=true --threshold=20 "$tmp/verbatimd.service" | tail -n 1

yamllint -s -d '{extends: default, rules: {line-length: {max: 120}, document-start: disable}}' deploy/kubernetes.yaml
echo "deploy-check: ok deploy/kubernetes.yaml (yamllint)"
/usr/bin/python3 tools/deploy_check.py deploy/kubernetes.yaml
