"""/v1 index, /healthz, /readyz, /metrics, /v1/openapi.json, and the CLI
(--help, --version, extract, configuration by environment, SIGTERM)."""

import json
import re
import signal
import time

import pytest

from conftest import ARTICLES, GOLD, IDS, STOP_TIMEOUT, run_cli
from helpers import PROBLEM_TYPES, is_json_ct

SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$')
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    samples = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            assert not line.startswith("#") or re.match(r"# (HELP|TYPE) \S+", line) or line.startswith("# "), line
            continue
        m = SAMPLE_RE.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        labels = dict(LABEL_RE.findall(m.group(2) or ""))
        samples.append((m.group(1), labels, float(m.group(3))))
    return samples


# ------------------------------------------------------------------ index, health

def test_index(server, corpus):
    r = server.get("/v1")
    assert r.status == 200 and is_json_ct(r.headers.get("content-type"))
    body = r.json()
    data = body["data"]
    assert data["name"] == "verbatim"
    assert isinstance(data["version"], str) and data["version"]
    c = data["corpus"]
    assert c["articles"] == 5
    assert c["quotes"] == len(corpus["quotes"])
    assert c["speakers"] == len(corpus["speakers"])
    assert isinstance(c["version"], int) and c["version"] >= 1
    assert c["loaded_at"]
    links = body["links"]
    assert set(links) >= {"articles", "dates", "speakers", "quotes", "openapi", "health", "ready", "metrics"}
    for name, link in links.items():
        assert link.startswith(server.base + "/"), (name, link)
        assert server.get(link).status == 200, (name, link)
    assert links["articles"] == server.base + "/v1/articles"
    assert links["openapi"] == server.base + "/v1/openapi.json"


def test_healthz(server):
    r = server.get("/healthz")
    assert r.status == 200 and is_json_ct(r.headers.get("content-type"))
    assert r.json() == {"status": "ok"}


def test_readyz(server, corpus):
    r = server.get("/readyz")
    assert r.status == 200 and is_json_ct(r.headers.get("content-type"))
    body = r.json()
    assert body["status"] == "ready"
    assert body["articles"] == 5
    assert body["corpus_version"] == server.get_json("/v1")["data"]["corpus"]["version"]


# ------------------------------------------------------------------ metrics

def test_metrics_format_and_corpus_counts(server, corpus):
    r = server.get("/metrics")
    assert r.status == 200
    assert r.headers.get("content-type", "").startswith("text/plain")
    samples = parse_metrics(r.text)
    assert samples
    plain = [(n, l, v) for n, l, v in samples if not n.endswith(("_bucket", "_sum", "_count"))]
    assert any("article" in n and v == 5 for n, l, v in plain), "a metric counts the 5 articles"
    nq = len(corpus["quotes"])
    assert any("quote" in n and v == nq for n, l, v in plain) or \
        any(l.get("kind") == "quotes" and v == nq for n, l, v in plain), f"a metric counts the {nq} quotes"
    ns = len(corpus["speakers"])
    assert any("speaker" in n and v == ns for n, l, v in plain) or \
        any(l.get("kind") == "speakers" and v == ns for n, l, v in plain), f"a metric counts the {ns} speakers"
    assert any(n.endswith("_bucket") and l.get("le") == "+Inf" for n, l, v in samples), "a latency histogram"
    load = {n for n, l, v in samples if "load" in n}
    assert any("duration" in n or "seconds" in n for n in load), load
    now = time.time()
    assert any(abs(v - now) < 86400 for n, l, v in samples if "load" in n), "the last load's time (unix)"


def test_metrics_count_requests_by_route_and_status(server):
    def request_samples():
        samples = parse_metrics(server.get("/metrics").text)
        return [(n, l, v) for n, l, v in samples if "request" in n and not n.endswith(("_bucket", "_sum"))]

    before = request_samples()
    for _ in range(3):
        server.get("/v1/dates")
    server.get("/v1/this-route-does-not-exist")
    after = request_samples()
    assert after, "request counters"
    assert sum(v for *_, v in after) >= sum(v for *_, v in before) + 4

    def labelled(samples, status):
        return sum(v for n, l, v in samples
                   if status in l.values() and any("dates" in x for x in l.values()))
    assert labelled(after, "200") >= labelled(before, "200") + 3, "counted by route and status"
    assert any("404" in l.values() for n, l, v in after)


# ------------------------------------------------------------------ openapi

def test_openapi_document(server):
    r = server.get("/v1/openapi.json")
    assert r.status == 200 and is_json_ct(r.headers.get("content-type"))
    doc = r.json()
    assert doc["openapi"].startswith("3.1")
    assert doc["info"]["title"] and doc["info"]["version"]
    paths = {re.sub(r"\{[^}]*\}", "{}", p) for p in doc["paths"]}
    for p in ["/v1", "/v1/articles", "/v1/articles/{}", "/v1/dates", "/v1/dates/{}", "/v1/speakers",
              "/v1/speakers/{}", "/v1/speakers/{}/quotes", "/v1/quotes", "/v1/quotes/{}",
              "/healthz", "/readyz", "/metrics", "/v1/openapi.json"]:
        assert p in paths, p
    text = json.dumps(doc)
    for t in PROBLEM_TYPES.values():
        assert t in text, f"problem type {t} documented"

    def resolve(obj):
        while isinstance(obj, dict) and "$ref" in obj:
            node = doc
            for part in obj["$ref"].lstrip("#/").split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            obj = node
        return obj

    def query_params(path):
        item = {re.sub(r"\{[^}]*\}", "{}", p): v for p, v in doc["paths"].items()}[path]
        params = list(item.get("parameters", [])) + list(item["get"].get("parameters", []))
        return {resolve(p)["name"] for p in params if resolve(p).get("in") == "query"}

    assert query_params("/v1/articles") >= {"limit", "cursor", "date", "from", "to", "q", "speaker",
                                            "lang", "sort"}
    assert query_params("/v1/quotes") >= {"limit", "cursor", "speaker", "q", "article", "date", "from", "to"}
    assert query_params("/v1/speakers") >= {"limit", "cursor", "q", "kind", "sort"}
    assert query_params("/v1/dates") == {"granularity"}
    assert query_params("/healthz") == set()


# ------------------------------------------------------------------ CLI

def test_help():
    r = run_cli("--help")
    assert r.returncode == 0, r
    out = (r.stdout + r.stderr).decode()
    for word in ("serve", "ingest", "extract", "--articles", "--db", "--listen"):
        assert word in out, word


def test_version(server):
    r = run_cli("--version")
    assert r.returncode == 0, r
    out = (r.stdout + r.stderr).decode().strip()
    assert re.search(r"\d+\.\d+", out), out
    assert server.get_json("/v1")["data"]["version"] in out


@pytest.mark.parametrize("args", [["frobnicate"], ["serve", "--no-such-flag"], ["serve", "--threads", "abc"],
                                  ["serve", "--listen", "not-an-address:xx"]])
def test_bad_command_lines_fail(args, tmp_path):
    r = run_cli(*args, "--db", tmp_path / "x.db", "--articles", ARTICLES, timeout=20)
    assert r.returncode != 0, r
    assert r.stderr.strip()


def test_extract_matches_the_api(server):
    files = [ARTICLES / f"{IDS['001']}.txt", ARTICLES / f"{IDS['003']}.txt"]
    r = run_cli("extract", *files)
    assert r.returncode == 0, r.stderr.decode()
    out = json.loads(r.stdout.decode())
    assert isinstance(out, list) and len(out) == 2
    for f, obj in zip(files, out):
        assert obj["file"] == str(f) or obj["file"].endswith(f.name), obj["file"]
        a = server.get_json(f"/v1/articles/{f.stem}")["data"]
        for k in ("id", "title", "date", "date_precision", "lang", "source_url", "excerpt", "body",
                  "word_count", "quote_count"):
            assert obj[k] == a[k], k
        assert [(q["text"], q["offsets"], q["role"], q["cue"]) for q in obj["quotes"]] == \
            [(q["text"], q["offsets"], q["role"], q["cue"]) for q in a["quotes"]]
        assert obj["quotes"] and obj["title"] == GOLD[f.stem]["title"]


def test_extract_missing_file_fails(tmp_path):
    r = run_cli("extract", tmp_path / "no-such-file.txt")
    assert r.returncode != 0
    assert b"no-such-file.txt" in r.stderr


def test_configuration_by_environment(make_server):
    srv = make_server(config_by_env=True, env={
        "VERBATIM_THREADS": "3", "VERBATIM_CORS_ORIGIN": "https://env.example",
        "VERBATIM_CACHE_MAX_AGE": "7", "VERBATIM_PUBLIC_URL": "https://env.example"})
    r = srv.get("/v1/articles?limit=1")
    assert r.status == 200, r
    assert r.headers.get("access-control-allow-origin") == "https://env.example"
    assert r.headers.get("cache-control") == "public, max-age=7"
    body = r.json()
    assert body["links"]["next"].startswith("https://env.example/v1/articles?")
    assert body["meta"]["total"] == 5


def test_sigterm_exits_zero(make_server):
    srv = make_server()
    assert srv.get("/healthz").status == 200
    srv.signal(signal.SIGTERM)
    assert srv.proc.wait(timeout=STOP_TIMEOUT) == 0, srv.stderr()
    srv.returncode = 0
    srv._close_files()


def test_sigterm_with_open_idle_connection_exits_zero(make_server):
    import socket
    srv = make_server()
    idle = socket.create_connection((srv.host, srv.port))
    try:
        assert srv.get("/healthz").status == 200
        srv.signal(signal.SIGTERM)
        assert srv.proc.wait(timeout=STOP_TIMEOUT) == 0, srv.stderr()
        srv.returncode = 0
        srv._close_files()
    finally:
        idle.close()
