"""Envelopes, pagination, cursors and absolute links."""

import urllib.parse

import pytest

from conftest import IDS, ORDER_ASC, ORDER_DESC
from helpers import assert_problem, is_json_ct, parse_link_next, query_of, raw_get

LISTS = ["/v1/articles", "/v1/speakers", "/v1/quotes", "/v1/dates/2020",
         "/v1/speakers/amazon/quotes"]


@pytest.mark.parametrize("path", LISTS)
def test_list_envelope(server, path):
    r = server.get(path)
    assert r.status == 200, r
    assert is_json_ct(r.headers.get("content-type"))
    body = r.json()
    assert isinstance(body["data"], list) and body["data"]
    assert set(body["meta"]) >= {"total", "limit", "next"}
    assert set(body["links"]) >= {"self", "next"}
    assert body["meta"]["limit"] == 20
    assert isinstance(body["meta"]["total"], int) and body["meta"]["total"] >= len(body["data"])
    assert body["links"]["self"].startswith(server.base + path)
    if body["meta"]["total"] <= 20:
        assert body["meta"]["next"] is None and body["links"]["next"] is None
        assert parse_link_next(r.headers.get("link")) is None


@pytest.mark.parametrize("path", [f"/v1/articles/{IDS['001']}", "/v1/speakers/nicole-ozer",
                                  f"/v1/quotes/{IDS['002']}-1"])
def test_single_resource_envelope(server, path):
    body = server.get_json(path)
    assert isinstance(body["data"], dict)
    assert body["data"]["links"]["self"] == server.base + path


def check_page_links(server, pages, path, limit):
    for p in pages:
        assert p["meta"]["limit"] == limit
        assert p["links"]["self"].startswith(f"{server.base}{path}")
        nxt = p["links"]["next"]
        if nxt is not None:
            assert nxt.startswith(f"{server.base}{path}?"), nxt
            q = query_of(nxt)
            assert q["cursor"] == [p["meta"]["next"]]
            assert q["limit"] == [str(limit)]


@pytest.mark.parametrize("query,expected", [
    ("limit=1", ORDER_DESC),
    ("limit=1&sort=-date", ORDER_DESC),
    ("limit=1&sort=date", ORDER_ASC),
    ("limit=2", ORDER_DESC),
    ("limit=2&sort=date", ORDER_ASC),
    ("sort=date&limit=3", ORDER_ASC),
    ("limit=1&date=2018", [IDS["001"], IDS["002"]]),
    ("limit=1&q=securite", [IDS["003"], IDS["000"], IDS["002"]]),
    ("limit=1&speaker=ozer&sort=date", [IDS["002"], IDS["000"]]),
])
def test_walk_articles_visits_each_once_in_order(server, query, expected):
    items, pages = server.walk("/v1/articles?" + query)
    assert [a["id"] for a in items] == expected
    limit = int(query_of("?" + query)["limit"][0])
    assert len(pages) == max(1, -(-len(expected) // limit))
    assert all(p["meta"]["total"] == len(expected) for p in pages)
    check_page_links(server, pages, "/v1/articles", limit)
    if "q=" in query:
        assert all(query_of(p["links"]["next"])["q"] == ["securite"] for p in pages[:-1])


def test_link_header_format(server):
    r = server.get("/v1/articles?limit=2")
    body = r.json()
    link = r.headers.get("link")
    assert link == f'<{body["links"]["next"]}>; rel="next"', link
    assert body["links"]["next"].startswith(f"http://127.0.0.1:{server.port}/v1/articles?")


@pytest.mark.parametrize("limit", [1, 2, 5, 100])
def test_walk_quotes(server, corpus, limit):
    items, pages = server.walk(f"/v1/quotes?limit={limit}")
    assert [q["id"] for q in items] == [q["id"] for q in corpus["quotes"]]
    check_page_links(server, pages, "/v1/quotes", limit)


@pytest.mark.parametrize("query", ["limit=1", "limit=2&sort=name", "limit=3&kind=person"])
def test_walk_speakers(server, query):
    items, pages = server.walk("/v1/speakers?" + query)
    full = server.get_json("/v1/speakers?" + "&".join(
        ["limit=100"] + [p for p in query.split("&") if not p.startswith("limit=")]))
    assert [s["id"] for s in items] == [s["id"] for s in full["data"]]
    assert len({s["id"] for s in items}) == len(items) == full["meta"]["total"]
    check_page_links(server, pages, "/v1/speakers", int(query_of("?" + query)["limit"][0]))


def test_walk_speaker_quotes(server):
    items, pages = server.walk("/v1/speakers/nicole-ozer/quotes?limit=1")
    assert len(items) == 4 and len(pages) == 4
    check_page_links(server, pages, "/v1/speakers/nicole-ozer/quotes", 1)


def test_limit_bounds_accepted(server):
    assert server.get_json("/v1/articles?limit=100")["meta"]["limit"] == 100
    body = server.get_json("/v1/articles?limit=1")
    assert body["meta"]["limit"] == 1 and len(body["data"]) == 1


@pytest.mark.parametrize("path", ["/v1/articles", "/v1/quotes", "/v1/speakers"])
@pytest.mark.parametrize("value", ["0", "101", "abc", "-1", "1.5", "", "1e1", " 5", "99999999999999999999"])
def test_limit_out_of_range_is_400(server, path, value):
    target = path + "?" + urllib.parse.urlencode({"limit": value})
    detail = ["limit", value.strip()] if value.strip() else ["limit"]
    assert_problem(server.get(target), 400, "invalid-parameter", detail_has=detail)


@pytest.mark.parametrize("cursor", ["garbage", "AAAA", "!!!", "eyJ4IjoxfQ", "x" * 500, "%00", ""])
@pytest.mark.parametrize("path", ["/v1/articles", "/v1/quotes", "/v1/speakers"])
def test_garbage_cursor_is_400(server, path, cursor):
    r = server.get(f"{path}?cursor={cursor}")
    assert r.status == 400, r
    if cursor != "%00":
        assert_problem(r, 400, "invalid-cursor")
    else:
        assert_problem(r, 400)


def first_cursor(server, target):
    body = server.get_json(target)
    assert body["meta"]["next"]
    return body["meta"]["next"]


@pytest.mark.parametrize("other", ["limit=1&date=2020", "limit=1&sort=date", "limit=1&q=amazon",
                                   "limit=1&lang=fr", "limit=1&speaker=amazon", "limit=1&to=2030"])
def test_cursor_reused_with_other_filters_is_400(server, other):
    cursor = first_cursor(server, "/v1/articles?limit=1")
    r = server.get(f"/v1/articles?{other}&cursor={urllib.parse.quote(cursor)}")
    assert_problem(r, 400, "invalid-cursor")


def test_cursor_of_filtered_query_used_without_filter_is_400(server):
    cursor = first_cursor(server, "/v1/quotes?limit=1&speaker=ozer")
    assert_problem(server.get(f"/v1/quotes?limit=1&cursor={urllib.parse.quote(cursor)}"), 400,
                   "invalid-cursor")
    cursor = first_cursor(server, "/v1/speakers?limit=1&sort=name")
    assert_problem(server.get(f"/v1/speakers?limit=1&cursor={urllib.parse.quote(cursor)}"), 400,
                   "invalid-cursor")


def test_cursor_keeps_working_with_another_limit(server):
    cursor = first_cursor(server, "/v1/articles?limit=1")
    body = server.get_json(f"/v1/articles?limit=10&cursor={urllib.parse.quote(cursor)}")
    assert [a["id"] for a in body["data"]] == ORDER_DESC[1:]
    assert body["meta"]["next"] is None


def test_tampered_cursor_never_500(server):
    cursor = first_cursor(server, "/v1/articles?limit=1")
    variants = {cursor[:-1], cursor[:len(cursor) // 2], cursor + "A", cursor[::-1],
                cursor[:3] + ("B" if cursor[3] != "B" else "C") + cursor[4:]}
    for c in variants:
        r = server.get(f"/v1/articles?limit=1&cursor={urllib.parse.quote(c)}")
        assert r.status in (200, 400), r
        if r.status == 400:
            assert_problem(r, 400, "invalid-cursor")


# ------------------------------------------------------------------ absolute links

def follow_all(srv, target, prefix):
    """Walks a list whose links start with prefix (a public URL)."""
    ids, seen_links = [], []
    while True:
        r = srv.get(target)
        assert r.status == 200, r
        body = r.json()
        ids += [x["id"] for x in body["data"]]
        seen_links.append(body["links"]["self"])
        for x in body["data"]:
            seen_links.append(x["links"]["self"])
        nxt = body["links"]["next"]
        assert parse_link_next(r.headers.get("link")) == nxt
        if nxt is None:
            return ids, seen_links
        seen_links.append(nxt)
        assert nxt.startswith(prefix), nxt
        target = nxt[len(prefix):]


@pytest.mark.parametrize("public", ["https://example.org", "https://example.org/"])
def test_public_url_builds_links(make_server, public):
    srv = make_server(args=["--public-url", public])
    ids, links = follow_all(srv, "/v1/articles?limit=2", "https://example.org")
    assert ids == ORDER_DESC
    for link in links:
        assert link.startswith("https://example.org/v1/"), link
    index = srv.get_json("/v1")
    for name, link in index["links"].items():
        assert link.startswith("https://example.org/"), (name, link)
        assert not link.startswith("https://example.org//")
    q = srv.get_json("/v1/quotes?limit=1")["data"][0]
    assert q["links"]["self"] == f"https://example.org/v1/quotes/{q['id']}"
    s = srv.get_json("/v1/speakers/nicole-ozer")["data"]
    assert s["links"]["quotes"] == "https://example.org/v1/speakers/nicole-ozer/quotes"


def test_links_follow_host_header(server):
    host = "api.example.test:8080"
    r = server.get("/v1/articles?limit=2", headers={"Host": host})
    assert r.status == 200, r
    body = r.json()
    assert body["links"]["self"].startswith(f"http://{host}/v1/articles")
    assert body["links"]["next"].startswith(f"http://{host}/v1/articles?")
    assert parse_link_next(r.headers.get("link")) == body["links"]["next"]
    assert body["data"][0]["links"]["self"] == f"http://{host}/v1/articles/{IDS['003']}"


@pytest.mark.parametrize("source,target", [
    ("/v1/articles?limit=1", "/v1/speakers?limit=1"),
    ("/v1/articles?limit=1", "/v1/quotes?limit=1"),
    ("/v1/quotes?limit=1", "/v1/speakers/amazon/quotes?limit=1"),
    ("/v1/speakers?limit=1", "/v1/articles?limit=1"),
])
def test_cursor_of_another_list_is_400(server, source, target):
    cursor = first_cursor(server, source)
    assert_problem(server.get(f"{target}&cursor={urllib.parse.quote(cursor)}"), 400, "invalid-cursor")


# ------------------------------------------------------------------ long queries
# Links hold the whole query, however long the target. They were built in
# 2 KiB buffers once: links.next lost its cursor, so that a client following
# it got a first page again, for ever. "la" is in every article of the
# corpus, as "reconnaissance" is, so each long q still finds all five.

LONG_QUERIES = {
    # some 7 KiB, too long for the response cache's key (2 KiB)
    "encoded": "limit=1&q=reconnaissance" + "%20la" * 1400,
    # under 2 KiB, so cached, but each "+" is "%20" in the links: over 3 KiB
    "plus": "limit=1&q=reconnaissance" + "+la" * 600,
}


@pytest.mark.parametrize("name", sorted(LONG_QUERIES))
def test_long_query_links_are_whole(server, name):
    target = "/v1/articles?" + LONG_QUERIES[name]
    sent = query_of(target)
    r = server.get(target)
    assert r.status == 200, r
    body = r.json()
    assert body["meta"]["total"] == len(ORDER_DESC) > 1
    self_url, next_url = body["links"]["self"], body["links"]["next"]
    assert body["meta"]["next"] and next_url
    assert len(next_url) > 3 * 1024
    assert self_url.startswith(f"{server.base}/v1/articles?") and query_of(self_url) == sent
    assert next_url.startswith(f"{server.base}/v1/articles?")
    assert query_of(next_url) == dict(sent, cursor=[body["meta"]["next"]])
    assert r.headers.get("link") == f'<{next_url}>; rel="next"'

    page2 = server.get_json(next_url)
    assert page2["data"][0]["id"] != body["data"][0]["id"]
    assert page2["meta"]["total"] == body["meta"]["total"]
    assert page2["links"]["self"] == next_url

    items, pages = server.walk(target)
    assert [a["id"] for a in items] == ORDER_DESC
    check_page_links(server, pages, "/v1/articles", 1)

    # A 304 carries the same Link as the 200 (twice: the second may come
    # from the response cache).
    for _ in range(2):
        n = server.get(target, headers={"If-None-Match": r.headers["etag"]})
        assert n.status == 304 and n.body == b"", n
        assert n.headers.get("link") == r.headers["link"]


# A Link header is written into the connection's memory (--memory-limit, 32
# KiB by default) beside the request; libmicrohttpd closes the connection
# unanswered when it does not fit. Where it would not, the answer goes out
# without it, and links.next in the body is whole. Sizes around the edge:
# the link is about as long as the target with "%20", and three times the
# raw bytes that escaping triples ("!" is sent raw, linked as "%21").
@pytest.mark.parametrize("repeat", [2800, 3200, 3500, 4000, 6000])
def test_link_too_long_for_the_connection_is_left_out(server, repeat):
    target = "/v1/articles?limit=1&q=reconnaissance" + "%20la" * repeat
    for extra in (b"", b"".join(b"X-Pad-%d: p\r\n" % i for i in range(100))):
        r = raw_get(server, target, extra)  # fails on a dropped connection
        assert r.status in (200, 414, 431), r
        if r.status != 200:
            continue  # the request itself did not fit: libmicrohttpd's own answer
        body = r.json()
        next_url = body["links"]["next"]
        assert query_of(next_url) == dict(query_of(target), cursor=[body["meta"]["next"]])
        link = r.headers.get("link")
        assert link is None or link == f'<{next_url}>; rel="next"'
        if repeat <= 2800 and not extra:
            assert link, "a 14 KiB link fits beside its request in 32 KiB"
        if repeat >= 3500:
            assert link is None, "an 18 KiB link does not fit beside its request in 32 KiB"
