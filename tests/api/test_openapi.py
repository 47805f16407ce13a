"""docs/openapi.json against the server: the document served is the file the
checks read, the metrics are all documented, and the checker itself finds
what differs (see openapi_check.py, which checks every response of the suite).
Also the HTTP choices that only the document describes (Host, frontend files,
absolute-form targets), so that their answers are checked too."""

import json

import pytest

import openapi_check
from conftest import REPO
from helpers import assert_problem, raw_request

DOC = openapi_check.DOC
BASE_HEADERS = {"access-control-allow-origin": "*", "access-control-expose-headers": "ETag, Link",
                "vary": "Origin, Accept-Encoding", "x-content-type-options": "nosniff"}


def test_served_document_is_the_file(server):
    # The binary embeds docs/openapi.json at build time: a stale build fails here.
    r = server.get("/v1/openapi.json")
    assert r.status == 200, r
    assert r.json() == json.loads((REPO / "docs" / "openapi.json").read_text(encoding="utf-8")), \
        "the server serves another docs/openapi.json: run make"


def test_every_metric_family_is_documented_and_exposed(server):
    r = server.get("/metrics")  # the check: every family exposed is documented
    assert r.status == 200, r
    documented = DOC["paths"]["/metrics"]["get"]["responses"]["200"]["content"]["text/plain; version=0.0.4"]
    names = {m["name"] for m in documented["x-metrics"]}
    exposed = {line.split()[2] for line in r.text.splitlines() if line.startswith("# TYPE ")}
    assert exposed == names, f"documented but not exposed: {names - exposed}; exposed, undocumented: {exposed - names}"
    for m in documented["x-metrics"]:
        assert m["name"] in DOC["paths"]["/metrics"]["get"]["description"], m["name"]


def test_every_problem_type_is_documented_once():
    types = [t["type"] for t in DOC["x-problem-types"]]
    assert len(types) == len(set(types))
    assert types == DOC["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]


# ------------------------------------------------------------------ HTTP choices

def raw(server, head, target="/healthz"):
    return raw_request(server.port, b"GET " + target.encode() + b" HTTP/1.1\r\n" + head
                       + b"Connection: close\r\n\r\n", timeout=8)


def test_http11_without_host_is_400(server):
    r = raw(server, b"")
    assert_problem(r, 400, "malformed-request", detail_has=["Host"])


def test_two_host_headers_are_400(server):
    r = raw(server, b"Host: a.example\r\nHost: b.example\r\n", "/v1/articles?limit=1")
    assert_problem(r, 400, "malformed-request", detail_has=["Host"])


def test_options_without_host_is_400(server):
    r = raw_request(server.port, b"OPTIONS /v1/articles HTTP/1.1\r\nConnection: close\r\n\r\n", timeout=8)
    assert r.status == 400, r


def test_absolute_form_target(server):
    r = raw(server, b"Host: 127.0.0.1\r\n", f"http://127.0.0.1:{server.port}/v1/articles?limit=1")
    assert r.status == 200, r
    assert len(json.loads(r.body)["data"]) == 1


@pytest.mark.parametrize("target", ["/?utm_source=x", "/index.html?v=2", "/app.js?v=1&v=2", "/style.css?%20"])
def test_frontend_files_take_any_query(server, target):
    r = server.get(target)
    assert r.status == 200, r
    for k, v in BASE_HEADERS.items():
        assert r.headers.get(k) == v, (k, r)
    if r.headers["content-type"].startswith("text/html"):
        assert "default-src 'self'" in r.headers.get("content-security-policy", ""), r
    else:
        assert "content-security-policy" not in r.headers, r


def test_frontend_head_and_missing_file(server):
    r = server.req("/favicon.svg", method="HEAD")
    assert r.status == 200 and r.body == b"" and r.headers["content-type"].startswith("image/svg+xml"), r
    assert_problem(server.get("/no-such-file.js?v=1"), 404, "not-found")
    assert_problem(server.get("/.hidden"), 404, "not-found")
    assert_problem(server.get("/?q=%zz"), 400, "malformed-request")


# ------------------------------------------------------------------ the checker itself

OK_HEADERS = dict(BASE_HEADERS, **{"content-type": "application/json; charset=utf-8", "cache-control": "no-store"})


def problems(method, target, status, headers, body):
    return openapi_check.check(method, target, status, headers, body)[0]


def test_checker_accepts_a_good_answer():
    assert problems("GET", "/healthz", 200, OK_HEADERS, b'{"status":"ok"}') == []


@pytest.mark.parametrize("method,target,status,headers,body,expected", [
    ("GET", "/healthz", 200, OK_HEADERS, b'{"status":"fine"}', "body status"),
    ("GET", "/healthz", 200, OK_HEADERS, b'{"status":"ok","x":1}', "Additional properties"),
    ("GET", "/healthz", 200, {k: v for k, v in OK_HEADERS.items() if k != "x-content-type-options"},
     b'{"status":"ok"}', "X-Content-Type-Options is missing"),
    ("GET", "/healthz", 200, dict(OK_HEADERS, **{"cache-control": "public"}), b'{"status":"ok"}', "Cache-Control"),
    ("GET", "/healthz", 200, dict(OK_HEADERS, **{"content-type": "text/plain"}), b"ok", "not documented"),
    ("GET", "/healthz", 418, OK_HEADERS, b"{}", "status 418 is not documented"),
    ("HEAD", "/healthz", 200, dict(OK_HEADERS, **{"content-length": "15"}), b'{"status":"ok"}', "has a body"),
    ("GET", "/v1/articles/x", 404, dict(OK_HEADERS, **{"content-type": "application/problem+json"}),
     b'{"type":"/problems/not-found","title":"Gone","status":404,"detail":"d","instance":"/v1/articles/x"}',
     "body title"),
    ("GET", "/v1/articles/x", 404, dict(OK_HEADERS, **{"content-type": "application/problem+json"}),
     b'{"type":"/problems/not-found","title":"Not found","status":400,"detail":"d","instance":"/x"}', "status"),
    ("GET", "/a/b/c", 200, OK_HEADERS, b"{}", "matches no documented path"),
    ("POST", "/v1/quotes", 200, OK_HEADERS, b"{}", "x-method-not-allowed"),
    ("GET", "/metrics", 200, dict(OK_HEADERS, **{"content-type": "text/plain; version=0.0.4; charset=utf-8"}),
     b"# TYPE verbatim_new_total counter\nverbatim_new_total 1\n", "verbatim_new_total (counter) is not documented"),
    ("GET", "/metrics", 200, dict(OK_HEADERS, **{"content-type": "text/plain; version=0.0.4; charset=utf-8"}),
     b"# TYPE verbatim_loads_total counter\nverbatim_loads_total{outcome=\"maybe\"} 1\n", "outcome='maybe'"),
])
def test_checker_finds_what_differs(method, target, status, headers, body, expected):
    found = problems(method, target, status, headers, body)
    assert any(expected in p for p in found), found


def test_checker_takes_libmicrohttpd_html_414():
    body = b"<html><head><title>Request too big</title></head><body>...</body></html>"
    assert problems("GET", "/v1/articles", 414, {"content-length": str(len(body))}, body) == []
