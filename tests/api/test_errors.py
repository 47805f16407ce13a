"""Problem details: unknown and duplicate parameters, bad encodings, 404s,
request size limits."""

import pytest

from conftest import ServerFactory, skip_if_external
from helpers import PROBLEM_TYPES, assert_problem, raw_get, raw_request

ENDPOINTS = ["/v1", "/v1/articles", "/v1/articles/000_82893d1c11ed07a5", "/v1/dates",
             "/v1/dates/2018", "/v1/speakers", "/v1/speakers/nicole-ozer",
             "/v1/speakers/nicole-ozer/quotes", "/v1/quotes", "/v1/quotes/000_82893d1c11ed07a5-1",
             "/v1/openapi.json", "/healthz", "/readyz", "/metrics"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_unknown_parameter_is_400_naming_it(server, path):
    r = server.get(f"{path}?frobnicate=1")
    assert_problem(r, 400, "unknown-parameter", detail_has=["frobnicate"])


def test_healthz_takes_no_parameter(server):
    assert_problem(server.get("/healthz?x=1"), 400, "unknown-parameter", detail_has=["x"],
                   instance="/healthz?x=1")


def test_unknown_parameter_among_good_ones(server):
    assert_problem(server.get("/v1/articles?limit=2&sort=date&Limit=3"), 400, "unknown-parameter",
                   detail_has=["Limit"])
    # parameters of another endpoint are unknown here
    assert_problem(server.get("/v1/speakers?date=2018"), 400, "unknown-parameter", detail_has=["date"])
    assert_problem(server.get("/v1/quotes?sort=date"), 400, "unknown-parameter", detail_has=["sort"])
    assert_problem(server.get("/v1/articles?kind=person"), 400, "unknown-parameter", detail_has=["kind"])


@pytest.mark.parametrize("query,name", [("limit=1&limit=2", "limit"), ("limit=1&limit=1", "limit"),
                                        ("q=a&q=b", "q"), ("date=2018&date=2018", "date"),
                                        ("sort=date&limit=2&sort=-date", "sort")])
def test_duplicate_parameter_is_400(server, query, name):
    assert_problem(server.get(f"/v1/articles?{query}"), 400, "duplicate-parameter", detail_has=[name])


def test_duplicate_parameter_on_quotes(server):
    assert_problem(server.get("/v1/quotes?speaker=ozer&speaker=amazon"), 400, "duplicate-parameter",
                   detail_has=["speaker"])


def test_percent_encoded_parameter_name(server):
    body = server.get_json("/v1/articles?%6Cimit=1")
    assert body["meta"]["limit"] == 1


@pytest.mark.parametrize("target", [
    "/v1/articles?q=%zz", "/v1/articles?q=%", "/v1/articles?q=abc%4", "/v1/articles?q=%g0",
    "/v1/articles/%zz", "/v1/speakers/%", "/v1/articles?%zz=1", "/healthz?%zz",
])
def test_malformed_percent_escape_is_400(server, target):
    assert_problem(server.get(target), 400, "malformed-request")


@pytest.mark.parametrize("target", [
    "/v1/articles?q=%ff", "/v1/articles?q=%C3", "/v1/articles?q=%C3%28", "/v1/articles?q=%C0%AF",
    "/v1/articles?q=%ED%A0%80", "/v1/articles?q=%F8%88%80%80%80", "/v1/articles/%ff",
    "/v1/speakers/nicole%ff", "/v1/quotes?speaker=%ff", "/v1/articles?%ff=1", "/v1/dates/%ff",
])
def test_invalid_utf8_is_400(server, target):
    assert_problem(server.get(target), 400, "malformed-request")


@pytest.mark.parametrize("target", ["/v1/articles?q=%00", "/v1/articles?q=a%01b",
                                    "/v1/speakers?q=%0Aozer", "/v1/articles/%00"])
def test_control_characters_are_400(server, target):
    assert_problem(server.get(target), 400, "malformed-request")


def test_valid_utf8_is_fine(server):
    body = server.get_json("/v1/articles?q=s%C3%A9curit%C3%A9")
    assert body["meta"]["total"] == 3


@pytest.mark.parametrize("path", ["/v2/articles", "/v1/nope", "/v1/articles/000_82893d1c11ed07a5/extra",
                                  "/v1/speakers/nicole-ozer/articles", "/v1/quotes/x/y", "/healthz/x",
                                  "/nope.json"])
def test_unknown_route_is_404(server, path):
    assert_problem(server.get(path), 404, "not-found")


@pytest.mark.parametrize("path", ["/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                                  "/..%2f..%2f..%2fetc%2fpasswd", "/static/../../../../etc/passwd"])
def test_no_path_traversal(server, path):
    r = server.get(path)
    assert r.status in (400, 404), r
    assert b"root:" not in r.body


def test_problem_instance_is_the_request_target(server):
    body = assert_problem(server.get("/v1/articles?limit=0"), 400, "invalid-parameter",
                          detail_has=["limit", "0"])
    assert body["instance"] == "/v1/articles?limit=0"
    body = assert_problem(server.get("/v1/nope"), 404, "not-found")
    assert body["instance"] == "/v1/nope"


def test_problem_types_are_stable_and_distinct(server):
    seen = {}
    cases = {
        "invalid-parameter": "/v1/articles?limit=0",
        "unknown-parameter": "/v1/articles?x=1",
        "duplicate-parameter": "/v1/articles?limit=1&limit=1",
        "malformed-request": "/v1/articles?q=%zz",
        "invalid-cursor": "/v1/articles?cursor=garbage",
        "not-found": "/v1/nope",
    }
    for kind, target in cases.items():
        r = server.get(target)
        body = assert_problem(r, r.status, kind)
        seen[kind] = (body["type"], body["title"])
    assert len({t for t, _ in seen.values()}) == len(cases)
    assert len({t for _, t in seen.values()}) == len(cases), "one title per kind of problem"


# ------------------------------------------------------------------ sizes (raw sockets)
# docs/api-choices.md: the default --memory-limit (32 KiB) holds a request
# line or a header of some 31 KiB, or an 8 KiB request line with 8 KiB of
# headers in up to 200 lines (each header line also takes some 64 bytes of
# it). Beyond the limit libmicrohttpd answers 414 or 431 itself; within it,
# a line or headers over 64 KiB get our problem+json (only with the limit
# raised over 64 KiB).

def header_lines(n, total=8 * 1024):
    """n header lines of equal length, at least total bytes in all."""
    size = -(-total // n)
    lines = b"".join(b"X-H%04d: " % i + b"v" * (size - 11) + b"\r\n" for i in range(n))
    assert len(lines) >= total
    return lines


@pytest.fixture(scope="module")
def server_64k(tmp_path_factory):
    """A verbatimd with --memory-limit 65536, twice the default."""
    skip_if_external()
    factory = ServerFactory(tmp_path_factory.mktemp("memory-limit-64k"))
    yield factory(args=["--memory-limit", str(64 * 1024)])
    factory.stop_all()


def test_request_line_of_8k_is_accepted(server):
    target = "/v1/articles/" + "a" * 8200
    assert len(f"GET {target} HTTP/1.1") > 8 * 1024
    r = raw_get(server, target)
    assert r.status == 404, r
    target = "/v1/articles?q=" + "b" * 8200
    r = raw_get(server, target)
    assert r.status == 200, r


def test_request_line_of_24k_is_accepted(server):
    # docs/api-choices.md: a request line of some 31 KiB fits the default
    # memory limit (32 KiB)
    r = raw_get(server, "/v1/articles/" + "a" * (24 * 1024))
    assert r.status == 404, r
    r = raw_get(server, "/v1/articles?q=" + "b" * (24 * 1024))
    assert r.status == 200, r


def test_request_line_of_48k_is_accepted_with_a_64k_memory_limit(server_64k):
    r = raw_get(server_64k, "/v1/articles/" + "a" * (48 * 1024))
    assert r.status == 404, r


def test_request_line_over_the_default_memory_limit_is_414(server):
    # 40 KiB: over the default memory limit (32 KiB), under 64 KiB.
    # libmicrohttpd answers 414 itself: the status is the contract.
    r = raw_get(server, "/v1/articles/" + "a" * (40 * 1024))
    assert r.status == 414, r
    assert server.get_json("/healthz") == {"status": "ok"}


def test_request_line_over_64k_is_414(server, make_server):
    # Over the connection memory limit (32 KiB by default) libmicrohttpd
    # answers 414 itself (docs/api-choices.md): the status is the contract.
    r = raw_get(server, "/v1/articles/" + "a" * (70 * 1024))
    assert r.status == 414, r
    r = raw_get(server, "/v1/articles?q=" + "a" * (100 * 1024))
    assert r.status == 414, r
    # Within a larger memory limit, the server's own problem+json answers.
    big = make_server(args=["--memory-limit", str(256 * 1024)])
    r = raw_get(big, "/v1/articles/" + "a" * (70 * 1024))
    assert r.status == 414, r
    assert r.headers.get("content-type", "").startswith("application/problem+json")
    assert PROBLEM_TYPES["uri-too-long"].encode() in r.body


def test_headers_of_8k_are_accepted(server):
    r = raw_get(server, "/healthz", b"X-Padding: " + b"p" * 8000 + b"\r\n")
    assert r.status == 200, r
    many = b"".join(b"X-Pad-%d: %s\r\n" % (i, b"q" * 95) for i in range(90))
    assert len(many) > 8 * 1024
    r = raw_get(server, "/healthz", many)
    assert r.status == 200, r


def test_8k_request_line_and_8k_headers_in_200_lines_are_accepted(server):
    # docs/api-choices.md: what the default memory limit holds at least
    headers = header_lines(200)
    r = raw_get(server, "/healthz", headers)
    assert r.status == 200, r
    target = "/v1/articles?q=" + "b" * 8200
    r = raw_get(server, target, headers)
    assert r.status == 200, r


def test_headers_of_24k_are_accepted(server):
    r = raw_get(server, "/healthz", b"X-Padding: " + b"p" * (24 * 1024) + b"\r\n")
    assert r.status == 200, r


def test_headers_of_48k_are_accepted_with_a_64k_memory_limit(server_64k):
    r = raw_get(server_64k, "/healthz", b"X-Padding: " + b"p" * (48 * 1024) + b"\r\n")
    assert r.status == 200, r


def test_headers_over_the_default_memory_limit_are_431(server):
    # 40 KiB: over the default memory limit (32 KiB), under 64 KiB, in one
    # line or in 20. libmicrohttpd answers 431 itself.
    r = raw_get(server, "/healthz", b"X-Padding: " + b"p" * (40 * 1024) + b"\r\n")
    assert r.status == 431, r
    r = raw_get(server, "/healthz", header_lines(20, total=40 * 1024))
    assert r.status == 431, r
    assert server.get_json("/healthz") == {"status": "ok"}


def test_headers_over_64k_are_431(server, make_server):
    r = raw_get(server, "/healthz", b"X-Padding: " + b"p" * (70 * 1024) + b"\r\n")
    assert r.status == 431, r
    many = b"".join(b"X-Pad-%d: %s\r\n" % (i, b"q" * 1000) for i in range(80))
    r = raw_get(server, "/healthz", many)
    assert r.status == 431, r
    # Within a larger memory limit, the server's own problem+json answers.
    big = make_server(args=["--memory-limit", str(256 * 1024)])
    r = raw_get(big, "/healthz", b"X-Padding: " + b"p" * (70 * 1024) + b"\r\n")
    assert r.status == 431, r
    assert r.headers.get("content-type", "").startswith("application/problem+json")
    assert PROBLEM_TYPES["headers-too-large"].encode() in r.body


def test_server_still_serves_after_oversized_requests(server):
    raw_get(server, "/v1/articles/" + "a" * (70 * 1024))
    raw_get(server, "/healthz", b"X-Padding: " + b"p" * (70 * 1024) + b"\r\n")
    assert server.get_json("/healthz") == {"status": "ok"}


@pytest.mark.parametrize("data", [
    b"GARBAGE\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
    b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
])
def test_malformed_http_never_crashes(server, data):
    try:
        r = raw_request(server.port, data, timeout=5)
        assert r.status != 500, r
        if data.startswith(b"GARBAGE"):
            assert 400 <= r.status < 500, r
    except AssertionError as exc:
        if "connection dropped" not in str(exc):
            raise
    assert server.get_json("/healthz") == {"status": "ok"}


# Many small parameters or headers in a request of at most 8 KiB: the size the
# contract guarantees, whatever the count.

def test_many_query_parameters_in_8k_get_an_answer(server):
    r = raw_get(server, "/v1/articles?" + "&".join(["x"] * 1000))        # 2 KiB
    assert_problem(r, 400, "unknown-parameter", detail_has=["x"])
    r = raw_get(server, "/v1/articles?" + "&".join(["yy"] * 2700))       # 8 KiB
    assert_problem(r, 400, "unknown-parameter", detail_has=["yy"])


def test_many_duplicate_parameters_in_8k_get_an_answer(server):
    r = raw_get(server, "/v1/articles?" + "&".join(["limit=1"] * 1000))  # 8 KiB
    assert_problem(r, 400, "duplicate-parameter", detail_has=["limit"])


def test_many_empty_parameters_in_8k_get_an_answer(server):
    r = raw_get(server, "/v1/articles?" + "&" * 8000)
    assert r.status in (200, 400), r
    assert r.status == 200 or r.headers.get("content-type", "").startswith("application/problem+json")


def test_many_small_headers_in_8k_are_accepted_with_a_64k_memory_limit(server, server_64k):
    # docs/api-choices.md: each header line also takes some 64 bytes of the
    # memory limit, so 700 lines need more than the default 32 KiB: on the
    # default server they get libmicrohttpd's 431 (never a dropped connection)
    headers = b"".join(b"X-H%d: v\r\n" % i for i in range(700))             # 7.5 KiB
    assert len(headers) < 8 * 1024
    r = raw_get(server_64k, "/healthz", headers)
    assert r.status == 200, r
    r = raw_get(server, "/healthz", headers)
    assert r.status == 431, r


def test_headers_of_24k_in_many_lines_are_accepted(server):
    # docs/api-choices.md: headers of some 31 KiB fit the default memory limit
    headers = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 2000) for i in range(12))
    assert 24 * 1024 - 512 < len(headers) < 24 * 1024
    r = raw_get(server, "/healthz", headers)
    assert r.status == 200, r


def test_headers_of_60k_in_many_lines_are_accepted_with_a_64k_memory_limit(server_64k):
    headers = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 2000) for i in range(30))
    assert len(headers) < 62 * 1024
    r = raw_get(server_64k, "/healthz", headers)
    assert r.status == 200, r


def test_http10_request_without_host_gets_absolute_links(server):
    r = raw_request(server.port, b"GET /v1/articles?limit=1 HTTP/1.0\r\n\r\n", timeout=8)
    assert r.status == 200, r
    import json
    body = json.loads(r.body)
    assert body["links"]["next"].startswith("http://")
    assert body["links"]["next"].split("/")[2], "a host in the link"
