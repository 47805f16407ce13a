"""Articles (fields, body cleaning, filters, search, sorting) and the timeline."""

import urllib.parse

import pytest

from conftest import GOLD, IDS, ORDER_ASC, ORDER_DESC
from helpers import (assert_problem, collapse, date_precision, fold, is_json_ct,
                     word_count)

SUMMARY_KEYS = {"id", "title", "date", "date_precision", "lang", "source_url", "excerpt",
                "quote_count", "speakers", "links"}
ARTICLE_KEYS = SUMMARY_KEYS | {"body", "word_count", "source_file", "quotes"}


def ids_of(items):
    return [a["id"] for a in items]


def list_ids(server, target):
    items, _ = server.walk(target)
    return ids_of(items)


def short(ids):
    return [i[:3] for i in ids]


# ------------------------------------------------------------------ one article

@pytest.mark.parametrize("aid", sorted(GOLD))
def test_article_fields_match_gold(server, aid):
    r = server.get(f"/v1/articles/{aid}")
    assert r.status == 200, r
    assert is_json_ct(r.headers.get("content-type")), r.headers
    body = r.json()
    assert set(body) >= {"data"}
    a = body["data"]
    assert set(a) >= ARTICLE_KEYS, set(a) ^ ARTICLE_KEYS
    gold = GOLD[aid]
    assert a["id"] == aid
    assert a["title"] == gold["title"]
    assert a["date"] == gold["date"]
    assert a["date_precision"] == date_precision(gold["date"])
    assert a["lang"] == gold["lang"] == "fr"
    assert a["source_url"] == gold["source_url"]
    assert a["source_file"].endswith(aid + ".txt")
    assert a["links"]["self"] == f"{server.base}/v1/articles/{aid}"
    assert a["quote_count"] == len(a["quotes"])
    assert isinstance(a["speakers"], list)


@pytest.mark.parametrize("aid", sorted(GOLD))
def test_article_body_is_clean(server, aid):
    a = server.get_json(f"/v1/articles/{aid}")["data"]
    body = a["body"]
    assert body and body == body.strip(), repr(body[:80])
    assert "Skip to main content" not in body
    assert "Lire et commenter" not in body
    assert "\r" not in body
    assert "\n\n" in body, "paragraphs are separated by a blank line"
    assert "\n\n\n" not in body
    for para in body.split("\n\n"):
        assert para.strip() and para == para.strip(), repr(para)
    date = GOLD[aid]["date"]
    if date:
        assert f" date {date}" not in body and not body.startswith(f"date {date}")
    assert " date 20" not in body and not body.startswith("date ")
    title = GOLD[aid]["title"]
    if title:
        assert title not in body, "the title is not repeated in the body"


def test_body_of_000_starts_after_date_marker(server):
    body = server.get_json(f"/v1/articles/{IDS['000']}")["data"]["body"]
    assert body.startswith("Amazon a décidé d’interdire à la police")
    assert body.endswith("pour avancer vers le bon côté de l’histoire »."), body[-80:]


def test_body_of_001_drops_chrome_dateline_and_title(server):
    body = server.get_json(f"/v1/articles/{IDS['001']}")["data"]["body"]
    assert "19 Juin, 2018" not in body
    assert body.startswith("Quelques jours après les premiers coups de feu"), body[:80]


def test_body_of_004_drops_trailing_site_chrome(server):
    body = server.get_json(f"/v1/articles/{IDS['004']}")["data"]["body"]
    for chrome in ("Lire et commenter", "Plus d'articles", "Sur le même sujet"):
        assert chrome not in body, chrome


def test_body_of_004_drops_leading_site_chrome(server):
    # "International" (the site's section) and "DirectLCI" (its live feed's
    # name) sit between the title and the standfirst: site chrome.
    a = server.get_json(f"/v1/articles/{IDS['004']}")["data"]
    assert "DirectLCI" not in a["body"]
    assert a["body"].startswith("INTELLIGENCE ARTIFICIELLE - Le géant de la tech"), a["body"][:60]
    assert a["excerpt"].startswith("INTELLIGENCE ARTIFICIELLE"), a["excerpt"][:60]


@pytest.mark.parametrize("aid", sorted(GOLD))
def test_word_count_counts_runs_of_letters_and_digits(server, aid):
    a = server.get_json(f"/v1/articles/{aid}")["data"]
    assert a["word_count"] == word_count(a["body"])


@pytest.mark.parametrize("aid", sorted(GOLD))
def test_excerpt_is_first_words_of_body(server, aid):
    a = server.get_json(f"/v1/articles/{aid}")["data"]
    excerpt, body = a["excerpt"], collapse(a["body"])
    assert isinstance(excerpt, str) and excerpt
    assert len(excerpt) <= 210, len(excerpt)
    cut = excerpt.endswith("…")
    stem = collapse(excerpt[:-1] if cut else excerpt)
    assert body.startswith(stem), (excerpt, body[:250])
    if len(body) > 220:
        assert cut, "a cut excerpt ends with …"
        assert len(stem) >= 120, "about 200 characters"
        rest = body[len(stem):]
        assert rest and not (stem[-1].isalnum() and rest[0].isalnum()), \
            f"cut inside a word: {stem[-20:]!r}|{rest[:20]!r}"
    else:
        assert not cut


def test_summary_matches_article(server):
    items, _ = server.walk("/v1/articles?limit=100")
    assert len(items) == 5
    for s in items:
        a = server.get_json(f"/v1/articles/{s['id']}")["data"]
        assert set(s) >= SUMMARY_KEYS
        assert "body" not in s and "quotes" not in s
        for k in SUMMARY_KEYS:
            assert s[k] == a[k], k
        assert sorted(s["speakers"]) == sorted({q["speaker"]["id"] for q in a["quotes"] if q["speaker"]})


def test_article_id_percent_encoded_in_path(server):
    aid = IDS["000"]
    encoded = aid.replace("_", "%5F")
    a = server.get_json(f"/v1/articles/{encoded}")["data"]
    assert a["id"] == aid


@pytest.mark.parametrize("path", ["/v1/articles/nope", "/v1/articles/000_82893d1c11ed07a5.txt",
                                  "/v1/articles/..%2F..%2Fetc%2Fpasswd"])
def test_unknown_article_is_404(server, path):
    assert_problem(server.get(path), 404, "not-found")


# ------------------------------------------------------------------ sorting

def test_default_sort_is_newest_first_undated_last(server):
    assert list_ids(server, "/v1/articles") == ORDER_DESC
    assert list_ids(server, "/v1/articles?sort=-date") == ORDER_DESC


def test_sort_date_ascending_undated_last(server):
    assert list_ids(server, "/v1/articles?sort=date") == ORDER_ASC


@pytest.mark.parametrize("value", ["title", "-title", "Date", "", "date,-date"])
def test_bad_sort_is_400(server, value):
    target = "/v1/articles?" + urllib.parse.urlencode({"sort": value})
    assert_problem(server.get(target), 400, "invalid-parameter", detail_has=["sort"])


# ------------------------------------------------------------------ date filters

@pytest.mark.parametrize("query,expected", [
    ("date=2020-06", ["003", "000"]),
    ("date=2018", ["001", "002"]),
    ("date=2020-06-11", ["003", "000"]),
    ("date=2020-06-10", ["000"]),
    ("date=2018-06", ["001"]),
    ("date=2018-05-31", ["002"]),
    ("date=2018-06-19", ["001"]),
    ("date=2018-06-20", []),
    ("date=2019", []),
    ("date=2020-02-29", []),
    ("to=2020-06-10", ["000", "001", "002"]),
    ("to=2018-05-01", ["002"]),
    ("to=2018-04", []),
    ("from=2020-06-12", ["000"]),
    ("from=2018-06-01", ["003", "000", "001"]),
    ("from=2018&to=2018", ["001", "002"]),
    ("from=2018-06&to=2018-06", ["001"]),
    ("from=2019&to=2019", []),
    ("from=2018-05-15&to=2020-06-05", ["000", "001", "002"]),
    ("date=2020-06&sort=date", ["000", "003"]),
    ("from=2000&sort=date", ["002", "001", "000", "003"]),
])
def test_date_filters_overlap(server, query, expected):
    assert short(list_ids(server, "/v1/articles?" + query)) == expected


def test_month_precision_match_is_flagged(server):
    items, _ = server.walk("/v1/articles?date=2020-06-11")
    by_id = {a["id"][:3]: a for a in items}
    assert by_id["000"]["date"] == "2020-06" and by_id["000"]["date_precision"] == "month"
    assert by_id["003"]["date"] == "2020-06-11" and by_id["003"]["date_precision"] == "day"


def test_undated_article_matches_no_date_filter(server):
    for q in ("date=2020", "from=1000", "to=9999", "from=1000&to=9999"):
        assert IDS["004"] not in list_ids(server, "/v1/articles?" + q), q


@pytest.mark.parametrize("param", ["date", "from", "to"])
@pytest.mark.parametrize("value", ["2020-13", "2021-02-30", "20-06", "2019-02-29", "2020-00",
                                   "2020-6", "2020-06-1", "abcd", "2020-06-11T00:00", "2020/06",
                                   "", "2020-04-31", "+2020"])
def test_malformed_dates_are_400(server, param, value):
    target = "/v1/articles?" + urllib.parse.urlencode({param: value})
    detail = [param, value] if value else [param]
    assert_problem(server.get(target), 400, "invalid-parameter", detail_has=detail)


def test_problem_for_bad_date_is_as_in_the_contract(server):
    body = assert_problem(server.get("/v1/articles?date=2020-13"), 400, "invalid-parameter",
                          detail_has=["date", "2020-13"], instance="/v1/articles?date=2020-13")
    assert body["title"] == "Invalid parameter"


@pytest.mark.parametrize("query", ["from=2020-06-12&to=2020-06-11", "from=2020&to=2019",
                                   "from=2018-07&to=2018-06-30"])
def test_from_after_to_is_400(server, query):
    assert_problem(server.get("/v1/articles?" + query), 400, "invalid-parameter")


# ------------------------------------------------------------------ other filters

def test_lang_filter(server):
    assert list_ids(server, "/v1/articles?lang=fr") == ORDER_DESC
    assert list_ids(server, "/v1/articles?lang=en") == []
    assert_problem(server.get("/v1/articles?lang=xx"), 400, "invalid-parameter", detail_has=["lang"])


@pytest.mark.parametrize("speaker", ["nicole-ozer", "ozer", "Nicole%20Ozer", "NICOLE+OZER", "%C3%96zer"])
def test_speaker_filter_on_articles(server, speaker):
    assert short(list_ids(server, "/v1/articles?speaker=" + speaker)) == ["000", "002"]


def test_speaker_filter_unknown_gives_empty_list(server):
    body = server.get_json("/v1/articles?speaker=personne-inconnue")
    assert body["data"] == [] and body["meta"]["total"] == 0


# ------------------------------------------------------------------ text search

@pytest.mark.parametrize("q,expected", [
    ("securite", ["003", "000", "002"]),
    ("SÉCURITÉ", ["003", "000", "002"]),
    ("securit", []),
    ("securit*", ["003", "000", "002"]),
    ("reconnai*", ["003", "000", "001", "002", "004"]),
    ("reconnai", []),
    ("bloomb*", ["004"]),
    ("micro*", ["003", "000"]),
    ('"reconnaissance faciale"', ["003", "000", "001", "002", "004"]),
    ('"faciale reconnaissance"', []),
    ("faciale reconnaissance", ["003", "000", "001", "002", "004"]),
    ('"surveillance du visage"', ["003"]),
    ("ozer moratoire", ["000"]),
    ("securite chine", ["002"]),
    ("Pentagone", ["004"]),
    ("immigres", ["001", "002", "004"]),
    ("zzzqqq", []),
    ("amazon OR zzzqqq", []),
    ("amazon NOT rekognition", []),
    ("NEAR(amazon police)", []),
    ("body:amazon", []),
    # the title is searched too: "recul" is in 003's title
    ('"prendre du recul"', ["003"]),
])
def test_full_text_search(server, q, expected):
    target = "/v1/articles?" + urllib.parse.urlencode({"q": q})
    assert short(list_ids(server, target)) == expected


def test_plus_in_query_is_a_space(server):
    assert short(list_ids(server, "/v1/articles?q=ozer+moratoire")) == ["000"]
    assert short(list_ids(server, "/v1/articles?q=%22surveillance+du+visage%22")) == ["003"]


@pytest.mark.parametrize("q", ["", " ", "   ", "*", '""', "--", "(", "+"])
def test_query_with_no_word_is_400(server, q):
    target = "/v1/articles?q=" + urllib.parse.quote(q, safe="")
    assert_problem(server.get(target), 400, "invalid-parameter", detail_has=["q"])


@pytest.mark.parametrize("q", ["AND OR NOT (", 'a"b', '"', "amazon)", "^amazon", "{amazon}",
                               "amazon* OR", "*amazon", "a'b", "\\", "amazon:", "-amazon",
                               "amazon AND", "NOT", "OR", "col:", "'", "a*b*", "\"\"\"amazon",
                               "amazon -police", "[x]", "x; DROP TABLE articles; --", "%", "_"])
def test_search_syntax_never_500(server, q):
    target = "/v1/articles?q=" + urllib.parse.quote(q, safe="")
    r = server.get(target)
    assert r.status in (200, 400), r
    if r.status == 200:
        assert is_json_ct(r.headers.get("content-type"))
        assert isinstance(r.json()["data"], list)
    else:
        assert_problem(r, 400)


def test_search_results_contain_every_word(server, corpus):
    for a in server.walk("/v1/articles?q=ibm+amazon+microsoft")[0]:
        text = fold((a["title"] or "") + " " + corpus["articles"][a["id"]]["body"])
        for w in ("ibm", "amazon", "microsoft"):
            assert w in text


# ------------------------------------------------------------------ timeline

def test_dates_by_month_default(server):
    r = server.get("/v1/dates")
    assert r.status == 200 and is_json_ct(r.headers.get("content-type"))
    body = r.json()
    assert body["data"] == [{"period": "2018-05", "count": 1}, {"period": "2018-06", "count": 1},
                            {"period": "2020-06", "count": 2}]
    assert body["meta"]["undated"] == 1
    assert body["meta"]["total"] == 5
    assert body["meta"].get("granularity", "month") == "month"
    assert server.get_json("/v1/dates?granularity=month") == body


def test_dates_by_year(server):
    body = server.get_json("/v1/dates?granularity=year")
    assert body["data"] == [{"period": "2018", "count": 2}, {"period": "2020", "count": 2}]
    assert body["meta"]["undated"] == 1 and body["meta"]["total"] == 5


def test_dates_by_day_keeps_coarser_periods(server):
    body = server.get_json("/v1/dates?granularity=day")
    assert body["data"] == [{"period": "2018-05", "count": 1}, {"period": "2018-06-19", "count": 1},
                            {"period": "2020-06", "count": 1}, {"period": "2020-06-11", "count": 1}]
    assert body["meta"]["undated"] == 1 and body["meta"]["total"] == 5


def test_dates_is_not_paginated(server):
    body = server.get_json("/v1/dates")
    assert "next" not in body.get("links", {}) or body["links"]["next"] is None
    assert_problem(server.get("/v1/dates?limit=1"), 400, "unknown-parameter", detail_has=["limit"])


@pytest.mark.parametrize("value", ["week", "", "Month", "years"])
def test_dates_bad_granularity_is_400(server, value):
    target = "/v1/dates?" + urllib.parse.urlencode({"granularity": value})
    assert_problem(server.get(target), 400, "invalid-parameter", detail_has=["granularity"])


@pytest.mark.parametrize("period,expected", [
    ("2018", ["001", "002"]),
    ("2018-06", ["001"]),
    ("2018-06-19", ["001"]),
    ("2020-06", ["003", "000"]),
    ("2020-06-11", ["003", "000"]),
    ("2020-06-10", ["000"]),
    ("2019", []),
    ("2020-02-29", []),
])
def test_dates_period_lists_articles(server, period, expected):
    items, pages = server.walk(f"/v1/dates/{period}")
    assert short(ids_of(items)) == expected
    assert pages[0]["meta"]["total"] == len(expected)
    assert items == server.walk(f"/v1/articles?date={period}")[0]


def test_dates_period_takes_the_other_parameters(server):
    assert short(list_ids(server, "/v1/dates/2018?sort=date")) == ["002", "001"]
    assert short(list_ids(server, "/v1/dates/2018?q=chine+securite")) == ["002"]
    assert short(list_ids(server, "/v1/dates/2018?speaker=ozer")) == ["002"]
    items, pages = server.walk("/v1/dates/2018?limit=1")
    assert short(ids_of(items)) == ["001", "002"] and len(pages) == 2


@pytest.mark.parametrize("period", ["2020-13", "2021-02-30", "20-06", "abc", "2018-6"])
def test_dates_malformed_period_is_400(server, period):
    assert_problem(server.get(f"/v1/dates/{period}"), 400, "invalid-parameter", detail_has=[period])
