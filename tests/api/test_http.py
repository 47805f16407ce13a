"""HTTP semantics: methods, HEAD, OPTIONS/CORS, ETag/304, Cache-Control, Vary,
gzip, content types, concurrency."""

import concurrent.futures

import pytest

from helpers import assert_problem, gunzip, is_json_ct

JSON_GETS = ["/v1", "/v1/articles", "/v1/articles?limit=1", "/v1/articles/003_4cb64669dd0f76e2",
             "/v1/dates", "/v1/dates?granularity=year", "/v1/dates/2018", "/v1/speakers",
             "/v1/speakers/nicole-ozer", "/v1/speakers/nicole-ozer/quotes", "/v1/quotes",
             "/v1/quotes?speaker=ozer", "/v1/quotes/002_c7e1ffec61aa0579-1", "/v1/openapi.json"]
NO_STORE_GETS = ["/healthz", "/readyz", "/metrics"]
SAME_HEADERS = ["content-type", "content-length", "etag", "cache-control", "vary", "link",
                "access-control-allow-origin", "access-control-expose-headers", "content-encoding"]


def vary_items(r):
    return {v.lower() for v in r.header_items("vary")}


def check_common(r):
    assert r.headers.get("access-control-allow-origin") == "*", r
    assert {"origin", "accept-encoding"} <= vary_items(r), r.headers.get("vary")
    exposed = {v.lower() for v in r.header_items("access-control-expose-headers")}
    assert {"etag", "link"} <= exposed, r.headers.get("access-control-expose-headers")


# ------------------------------------------------------------------ content types, caching

@pytest.mark.parametrize("path", JSON_GETS)
def test_json_get_headers(server, path):
    r = server.get(path)
    assert r.status == 200, r
    assert is_json_ct(r.headers.get("content-type")), r.headers.get("content-type")
    assert r.headers.get("cache-control") == "public, max-age=60"
    etag = r.headers.get("etag")
    assert etag and etag.startswith('"') and etag.endswith('"'), etag
    assert int(r.headers["content-length"]) == len(r.body)
    r.json()
    check_common(r)


@pytest.mark.parametrize("path", NO_STORE_GETS)
def test_no_store_endpoints(server, path):
    r = server.get(path)
    assert r.status == 200, r
    assert r.headers.get("cache-control") == "no-store"
    assert "etag" not in r.headers
    check_common(r)


def test_errors_are_no_store_without_etag(server):
    for target in ("/v1/nope", "/v1/articles?limit=0", "/v1/articles/nope"):
        r = server.get(target)
        assert r.status in (400, 404)
        assert r.headers.get("cache-control") == "no-store"
        assert "etag" not in r.headers
        check_common(r)


def test_metrics_content_type(server):
    r = server.get("/metrics")
    assert r.headers.get("content-type", "").startswith("text/plain"), r.headers


def test_frontend_is_served(server):
    r = server.get("/")
    assert r.status == 200, r
    assert r.headers.get("content-type", "").startswith("text/html"), r.headers
    assert b"<" in r.body


def test_cache_max_age_is_configurable(make_server):
    srv = make_server(args=["--cache-max-age", "5"])
    r = srv.get("/v1/articles")
    assert r.headers.get("cache-control") == "public, max-age=5"
    assert srv.get("/healthz").headers.get("cache-control") == "no-store"
    assert srv.get("/v1/nope").headers.get("cache-control") == "no-store"


# ------------------------------------------------------------------ methods

@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["/v1/articles", "/v1/articles/000_82893d1c11ed07a5", "/healthz",
                                  "/v1/quotes"])
def test_other_methods_are_405_with_allow(server, method, path):
    r = server.req(path, method=method, body=b'{"x": 1}', headers={"Content-Type": "application/json"})
    assert_problem(r, 405, "method-not-allowed")
    allow = {m.upper() for m in r.header_items("allow")}
    assert allow == {"GET", "HEAD", "OPTIONS"}, r.headers.get("allow")
    check_common(r)


@pytest.mark.parametrize("path", JSON_GETS[:6] + NO_STORE_GETS + ["/v1/nope", "/v1/articles?limit=0"])
def test_head_same_headers_no_body(server, path):
    g = server.get(path)
    h = server.req(path, method="HEAD")
    assert h.status == g.status
    assert h.body == b""
    for name in SAME_HEADERS:
        if name == "content-length" and path == "/metrics":
            continue  # the counters move between the two requests
        assert h.headers.get(name) == g.headers.get(name), (name, h.headers, g.headers)
    assert "content-length" in h.headers


def test_head_with_gzip(server):
    g = server.get("/v1/articles", headers={"Accept-Encoding": "gzip"})
    h = server.req("/v1/articles", method="HEAD", headers={"Accept-Encoding": "gzip"})
    assert h.status == 200 and h.body == b""
    for name in SAME_HEADERS:
        assert h.headers.get(name) == g.headers.get(name), name


# ------------------------------------------------------------------ CORS

PREFLIGHT = {"Origin": "https://front.example", "Access-Control-Request-Method": "GET",
             "Access-Control-Request-Headers": "X-Requested-With, If-None-Match"}


@pytest.mark.parametrize("path", ["/v1/articles", "/v1/articles/000_82893d1c11ed07a5", "/healthz"])
def test_preflight(server, path):
    r = server.req(path, method="OPTIONS", headers=PREFLIGHT)
    assert r.status == 204, r
    assert r.body == b""
    methods = [m.strip() for m in r.headers.get("access-control-allow-methods", "").split(",")]
    assert methods == ["GET", "HEAD", "OPTIONS"], r.headers
    allowed = {h.lower() for h in r.header_items("access-control-allow-headers")}
    assert {"x-requested-with", "if-none-match"} <= allowed, r.headers
    assert r.headers.get("access-control-allow-origin") == "*"
    assert {"origin", "accept-encoding"} <= vary_items(r)


def test_plain_options_is_204(server):
    r = server.req("/v1/quotes", method="OPTIONS")
    assert r.status == 204, r
    assert r.body == b""
    assert r.headers.get("access-control-allow-methods", "").replace(" ", "") == "GET,HEAD,OPTIONS"


def test_cors_on_every_kind_of_response(server):
    responses = [server.get("/v1/articles", headers={"Origin": "https://front.example"}),
                 server.get("/v1/nope"), server.get("/v1/articles?limit=0"),
                 server.req("/v1/articles", method="DELETE"), server.get("/healthz")]
    etag = server.get("/v1/articles").headers["etag"]
    responses.append(server.get("/v1/articles", headers={"If-None-Match": etag}))
    assert responses[-1].status == 304
    for r in responses:
        check_common(r)


def test_cors_origin_is_configurable(make_server):
    srv = make_server(args=["--cors-origin", "https://app.example"])
    for headers in ({"Origin": "https://app.example"}, {}):
        r = srv.get("/v1/articles", headers=headers)
        assert r.headers.get("access-control-allow-origin") == "https://app.example", r.headers
    r = srv.get("/v1/nope", headers={"Origin": "https://app.example"})
    assert r.headers.get("access-control-allow-origin") == "https://app.example"
    r = srv.req("/v1/articles", method="OPTIONS", headers=dict(PREFLIGHT, Origin="https://app.example"))
    assert r.status == 204
    assert r.headers.get("access-control-allow-origin") == "https://app.example"


# ------------------------------------------------------------------ ETag / 304

@pytest.mark.parametrize("path", JSON_GETS)
def test_if_none_match_gives_304(server, path):
    r = server.get(path)
    etag = r.headers["etag"]
    assert server.get(path).headers["etag"] == etag, "the tag is stable"
    for inm in (etag, f'"nope", {etag}', "W/" + etag, "*"):
        n = server.get(path, headers={"If-None-Match": inm})
        assert n.status == 304, (inm, n)
        assert n.body == b""
        assert n.headers.get("etag") == etag
    n = server.get(path, headers={"If-None-Match": '"something-else"'})
    assert n.status == 200 and n.body == r.body


def test_etags_differ_between_representations(server):
    tags = {server.get(p).headers["etag"] for p in JSON_GETS}
    assert len(tags) == len(JSON_GETS)


def test_head_if_none_match(server):
    etag = server.get("/v1/dates").headers["etag"]
    r = server.req("/v1/dates", method="HEAD", headers={"If-None-Match": etag})
    assert r.status == 304 and r.body == b""


# ------------------------------------------------------------------ gzip

def test_gzip_for_large_bodies(server):
    plain = server.get("/v1/articles")
    assert len(plain.body) > 1024
    assert "content-encoding" not in plain.headers
    gz = server.get("/v1/articles", headers={"Accept-Encoding": "gzip"})
    assert gz.status == 200
    assert gz.headers.get("content-encoding") == "gzip"
    assert gz.body[:2] == b"\x1f\x8b"
    assert int(gz.headers["content-length"]) == len(gz.body)
    assert gunzip(gz.body) == plain.body
    assert gz.headers["etag"] != plain.headers["etag"]
    assert gz.headers["etag"].endswith('-gz"'), gz.headers["etag"]
    assert is_json_ct(gz.headers.get("content-type"))
    check_common(gz)


@pytest.mark.parametrize("ae", ["gzip", "GZIP", "br, gzip", "deflate, gzip;q=0.5", "gzip, deflate, br",
                                ])
def test_gzip_accept_encoding_forms(server, ae):
    r = server.get("/v1/openapi.json", headers={"Accept-Encoding": ae})
    assert r.headers.get("content-encoding") == "gzip", (ae, r.headers)
    assert gunzip(r.body) == server.get("/v1/openapi.json").body


@pytest.mark.parametrize("ae", ["identity", "gzip;q=0", "br", "deflate"])
def test_no_gzip_when_not_acceptable(server, ae):
    r = server.get("/v1/openapi.json", headers={"Accept-Encoding": ae})
    assert r.status == 200
    assert "content-encoding" not in r.headers, (ae, r.headers)
    r.json()


def test_gzip_etag_and_304(server):
    gz = server.get("/v1/quotes", headers={"Accept-Encoding": "gzip"})
    plain = server.get("/v1/quotes")
    n = server.get("/v1/quotes", headers={"Accept-Encoding": "gzip", "If-None-Match": gz.headers["etag"]})
    assert n.status == 304 and n.body == b""
    assert n.headers.get("etag") == gz.headers["etag"]
    # the gzip form's tag does not validate the identity form, and conversely
    n = server.get("/v1/quotes", headers={"If-None-Match": gz.headers["etag"]})
    assert n.status == 200 and n.body == plain.body
    n = server.get("/v1/quotes", headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["etag"]})
    assert n.status == 200 and gunzip(n.body) == plain.body


def test_gzip_for_large_errors(server):
    target = "/v1/articles?" + "x" * 1500 + "=1"
    plain = server.get(target)
    assert plain.status == 400 and len(plain.body) > 1024, plain
    gz = server.get(target, headers={"Accept-Encoding": "gzip"})
    assert gz.status == 400
    assert gz.headers.get("content-encoding") == "gzip"
    assert gz.headers.get("content-type", "").startswith("application/problem+json")
    assert gunzip(gz.body) == plain.body
    assert "etag" not in gz.headers


def test_gzip_for_metrics(server):
    plain = server.get("/metrics")
    gz = server.get("/metrics", headers={"Accept-Encoding": "gzip"})
    assert gz.status == 200
    if len(plain.body) > 1024:
        assert gz.headers.get("content-encoding") == "gzip"
        text = gunzip(gz.body).decode()
        assert "# TYPE" in text
    else:
        assert "content-encoding" not in gz.headers
    assert "etag" not in gz.headers


def test_small_bodies_are_valid_either_way(server):
    r = server.get("/healthz", headers={"Accept-Encoding": "gzip"})
    body = gunzip(r.body) if r.headers.get("content-encoding") == "gzip" else r.body
    assert body.replace(b" ", b"") == b'{"status":"ok"}'


# ------------------------------------------------------------------ concurrency, keep-alive

def test_concurrent_requests(server):
    paths = ["/v1/articles", "/v1/quotes?limit=100", "/v1/speakers", "/v1/dates", "/metrics"] * 8
    expected = {p: server.get(p).body for p in set(paths) if p != "/metrics"}
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(server.get, paths))
    for p, r in zip(paths, results):
        assert r.status == 200, r
        if p in expected:
            assert r.body == expected[p]


def test_keep_alive_connection(server):
    import http.client

    from openapi_check import check_exchange
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        for path in ("/healthz", "/v1/dates", "/v1/nope", "/v1/articles?limit=1"):
            conn.request("GET", path)
            r = conn.getresponse()
            body = r.read()
            check_exchange("GET", path, r.status, r.getheaders(), body)
            assert r.status in (200, 404) and body
        conn.request("HEAD", "/v1/dates")
        r = conn.getresponse()
        body = r.read()
        check_exchange("HEAD", "/v1/dates", r.status, r.getheaders(), body)
        assert r.status == 200 and body == b""
        conn.request("GET", "/healthz")
        r = conn.getresponse()
        body = r.read()
        check_exchange("GET", "/healthz", r.status, r.getheaders(), body)
        assert body.replace(b" ", b"") == b'{"status":"ok"}'
    finally:
        conn.close()
