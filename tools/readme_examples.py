#!/usr/bin/python3
"""Prints the README's "curl examples" section from a live verbatimd.

usage: readme_examples.py BASE_URL   (e.g. http://127.0.0.1:8080)

Each example is a curl command and what it printed. tests/api/test_readme.py
runs the same commands against a fresh server and checks that the README
still shows exactly what they print.
"""
import subprocess
import sys

EXAMPLES = [
    ("The index: links and the corpus' counts", "/v1", None),
    ("Articles of June 2020 (the month and the day both overlap it)", "/v1/articles?date=2020-06&limit=1", None),
    ("One article (its body and quotes; cut here with head)", "/v1/articles/002_c7e1ffec61aa0579", 700),
    ("The timeline by year", "/v1/dates?granularity=year", None),
    ("Articles of one period", "/v1/dates/2018-05?limit=1", None),
    ("Speakers, most quoted first", "/v1/speakers?limit=2", None),
    ("One speaker, with the articles that quote them (cut)", "/v1/speakers/nicole-ozer", 600),
    ("A speaker's quotes", "/v1/speakers/nicole-ozer/quotes?limit=1", None),
    ("Quotes by a last name alone, with full-text search", "/v1/quotes?speaker=ozer&q=microsoft", None),
    ("One quote", "/v1/quotes/004_c91aedd2850b107a-1", None),
    ("Health and readiness", "/healthz", None),
    ("", "/readyz", None),
    ("A bad parameter is a problem+json 400", "/v1/articles?date=2020-13", None),
    ("Metrics (Prometheus text; the corpus gauges)", "/metrics", "grep '^verbatim_corpus'"),
    ("The OpenAPI document (first bytes)", "/v1/openapi.json", 120),
]


def command(path, cut):
    """cut: None, a byte count (head -c), or a filter command."""
    cmd = f"curl -s '{{base}}{path}'"
    if isinstance(cut, int):
        cmd += f" | head -c {cut}"
    elif cut:
        cmd += f" | {cut}"
    return cmd


def run(base, path, cut):
    out = subprocess.run(["sh", "-c", command(path, cut).format(base=base)], capture_output=True).stdout
    return out.decode("utf-8", errors="replace")


def render(base, shown_base):
    parts = []
    for title, path, cut in EXAMPLES:
        if title:
            parts.append(f"{title}:\n")
        cmd = command(path, cut).format(base=shown_base)
        out = run(base, path, cut)
        parts.append(f"```console\n$ {cmd}\n{out.rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(sys.argv[1], sys.argv[1]))
