"""Every curl example in the README prints what the README shows.

The server runs with --public-url http://127.0.0.1:8080 (the address of
`make run`), so its links are the README's; the commands are run against the
test server's real port. Only `loaded_at` (a time) is masked.
"""
import re
import subprocess

from conftest import REPO

BLOCK = re.compile(r"```console\n\$ (curl -s '(http://127\.0\.0\.1:8080)([^']*)'[^\n]*)\n(.*?)```", re.S)


def mask(text):
    return re.sub(r'"loaded_at":"[^"]*"', '"loaded_at":"…"', text)


def test_readme_examples_print_what_they_show(make_server):
    srv = make_server(args=["--public-url", "http://127.0.0.1:8080"])
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    examples = BLOCK.findall(readme)
    assert len(examples) >= 12, "the README shows a curl example for every endpoint"
    paths = {path.split("?")[0] for _, _, path, _ in examples}
    for endpoint in ("/v1", "/v1/articles", "/v1/dates", "/healthz", "/readyz", "/metrics", "/v1/openapi.json",
                     "/v1/speakers", "/v1/quotes"):
        assert endpoint in paths, f"README example for {endpoint}"
    for command, shown_base, path, shown in examples:
        real = command.replace(shown_base, srv.base, 1)
        out = subprocess.run(["sh", "-c", real], capture_output=True).stdout.decode("utf-8", "replace")
        assert mask(out.rstrip()) == mask(shown.rstrip()), f"README example differs: {command}"
