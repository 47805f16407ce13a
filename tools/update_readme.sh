#!/bin/sh
# update_readme.sh - regenerates the README's curl examples from a fresh
# server on the bundled corpus (what `make run` serves).
set -eu
cd "$(dirname "$0")/.."
db=$(mktemp -d)/verbatim.db
port=18080
build/verbatimd serve --db "$db" --listen 127.0.0.1:$port --public-url http://127.0.0.1:8080 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$(dirname "$db")"' EXIT
i=0
until curl -sf http://127.0.0.1:$port/readyz >/dev/null; do i=$((i + 1)); [ $i -gt 100 ] && exit 1; sleep 0.1; done
/usr/bin/python3 - "$port" <<'PY'
import re, subprocess, sys
port = sys.argv[1]
out = subprocess.run(["/usr/bin/python3", "tools/readme_examples.py", f"http://127.0.0.1:{port}"],
                     capture_output=True, check=True, text=True).stdout
out = out.replace(f"127.0.0.1:{port}", "127.0.0.1:8080")
readme = open("README.md", encoding="utf-8").read()
start = readme.index("`tools/update_readme.sh`).\n") + len("`tools/update_readme.sh`).\n")
end = readme.index("## Command line")
readme = readme[:start] + "\n" + out.strip() + "\n\n" + readme[end:]
open("README.md", "w", encoding="utf-8").write(readme)
PY
