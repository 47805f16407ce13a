"""Quotes (offsets, gold texts, order, filters) and speakers."""

import urllib.parse

import pytest

from conftest import GOLD, IDS, ORDER_DESC
from helpers import assert_problem, fold

QUOTE_KEYS = {"id", "text", "speaker", "role", "cue", "article", "offsets", "links"}
SPEAKER_KEYS = {"id", "name", "kind", "aliases", "roles", "quote_count", "article_count",
                "first_date", "last_date", "links"}
KINDS = {"person", "organization", "group", "anonymous"}
OZER = {"id": "nicole-ozer", "name": "Nicole Ozer", "kind": "person"}


def gold_names(g):
    return {fold(n) for n in [g["speaker"], *g["aliases"]] if n}


# ------------------------------------------------------------------ quotes in articles

@pytest.mark.parametrize("aid", sorted(GOLD))
def test_quote_offsets_slice_the_body(corpus, aid):
    a = corpus["articles"][aid]
    body = a["body"]
    last = -1
    for q in a["quotes"]:
        start, end = q["offsets"]["start"], q["offsets"]["end"]
        assert 0 <= start < end <= len(body), q
        assert body[start:end] == q["text"], (q["id"], body[start:end], q["text"])
        assert start > last, "quotes are in their order within the article"
        last = start


@pytest.mark.parametrize("aid", sorted(GOLD))
def test_quote_shape_and_ids(corpus, server, aid):
    a = corpus["articles"][aid]
    for n, q in enumerate(a["quotes"], 1):
        assert set(q) >= QUOTE_KEYS, q
        assert q["id"] == f"{aid}-{n}"
        assert q["article"] == {"id": aid, "title": a["title"], "date": a["date"],
                                "date_precision": a["date_precision"]}
        assert q["links"]["self"] == f"{server.base}/v1/quotes/{q['id']}"
        if q["speaker"] is not None:
            assert set(q["speaker"]) == {"id", "name", "kind"}
            assert q["speaker"]["kind"] in KINDS
        assert q["role"] is None or isinstance(q["role"], str) and q["role"]
        assert q["cue"] is None or isinstance(q["cue"], str) and q["cue"]


@pytest.mark.parametrize("aid", sorted(GOLD))
def test_required_gold_quotes_are_found(corpus, aid):
    quotes = corpus["articles"][aid]["quotes"]
    by_text = {q["text"].strip(): q for q in quotes}
    gold = GOLD[aid]["quotes"]
    required = [g for g in gold if not g["optional"]]
    assert len(required) <= len(quotes), [q["text"][:40] for q in quotes]
    found_order = []
    for g in required:
        assert g["text"] in by_text, f"missing quote {g['text'][:70]!r}"
        q = by_text[g["text"]]
        found_order.append(quotes.index(q))
        assert q["speaker"] is not None, g["text"][:60]
        assert fold(q["speaker"]["name"]) in gold_names(g), (q["speaker"], g["speaker"])
        assert q["speaker"]["kind"] == g["kind"], (q["speaker"], g["kind"])
    assert found_order == sorted(found_order)


@pytest.mark.parametrize("aid", sorted(GOLD))
def test_no_quote_outside_gold(corpus, aid):
    gold_texts = {g["text"] for g in GOLD[aid]["quotes"]}
    for q in corpus["articles"][aid]["quotes"]:
        assert q["text"].strip() in gold_texts, f"not a quote of the gold file: {q['text'][:80]!r}"


@pytest.mark.parametrize("aid", sorted(GOLD))
def test_quote_roles_match_gold(corpus, aid):
    by_text = {q["text"].strip(): q for q in corpus["articles"][aid]["quotes"]}
    for g in GOLD[aid]["quotes"]:
        if g["role"] and g["text"] in by_text:
            assert by_text[g["text"]]["role"] == g["role"], (g["text"][:50], by_text[g["text"]]["role"])


def test_cue_of_ozer_quote(corpus):
    quotes = corpus["articles"][IDS["000"]]["quotes"]
    q = next(q for q in quotes if q["text"].startswith("Il aura fallu deux ans"))
    assert q["cue"] == "a réagi"
    for q in quotes:
        if q["cue"]:
            assert q["cue"] in corpus["articles"][IDS["000"]]["body"], q["cue"]


# ------------------------------------------------------------------ /v1/quotes

def test_quotes_list_order_newest_article_first(corpus):
    quotes = corpus["quotes"]
    expected = [q["id"] for aid in ORDER_DESC for q in corpus["articles"][aid]["quotes"]]
    assert [q["id"] for q in quotes] == expected


def test_quotes_list_items_equal_article_quotes(corpus):
    in_articles = {q["id"]: q for a in corpus["articles"].values() for q in a["quotes"]}
    assert len(corpus["quotes"]) == len(in_articles)
    for q in corpus["quotes"]:
        assert q == in_articles[q["id"]]


def test_one_quote(server, corpus):
    q = corpus["quotes"][0]
    r = server.get(f"/v1/quotes/{q['id']}")
    assert r.status == 200, r
    assert r.json()["data"] == q
    assert_problem(server.get("/v1/quotes/nope-1"), 404, "not-found")
    assert_problem(server.get(f"/v1/quotes/{IDS['000']}-999"), 404, "not-found")


OZER_SPELLINGS = ["ozer", "OZER", "nicole-ozer", "NICOLE%20OZER", "NICOLE+OZER", "Nicole%20Ozer",
                  "%C3%96zer", "nicole%20%C3%B6zer"]


@pytest.mark.parametrize("spelling", OZER_SPELLINGS)
def test_quotes_by_speaker_spellings(server, corpus, spelling):
    items, pages = server.walk(f"/v1/quotes?speaker={spelling}")
    assert len(items) == 4
    assert [q["article"]["id"][:3] for q in items] == ["000", "000", "000", "002"]
    assert all(q["speaker"] == OZER for q in items)
    assert pages[0]["meta"]["total"] == 4
    assert pages[0]["meta"]["speakers"] == [OZER]
    expected = [q["id"] for q in corpus["quotes"] if q["speaker"] and q["speaker"]["id"] == "nicole-ozer"]
    assert [q["id"] for q in items] == expected


def test_quotes_by_unknown_speaker_is_empty(server):
    body = server.get_json("/v1/quotes?speaker=personne-inconnue")
    assert body["data"] == [] and body["meta"]["total"] == 0 and body["meta"]["speakers"] == []


def test_quotes_by_organization_speaker(server, corpus):
    items, pages = server.walk("/v1/quotes?speaker=amazon")
    assert pages[0]["meta"]["speakers"] == [{"id": "amazon", "name": "Amazon", "kind": "organization"}]
    assert items and all(q["speaker"]["id"] == "amazon" for q in items)
    assert len(items) == sum(1 for q in corpus["quotes"] if q["speaker"] and q["speaker"]["id"] == "amazon")


def test_quotes_by_article(server, corpus):
    aid = IDS["002"]
    items, _ = server.walk(f"/v1/quotes?article={aid}")
    assert items == corpus["articles"][aid]["quotes"]
    assert server.get_json("/v1/quotes?article=nope")["data"] == []


def test_quotes_full_text(server):
    items, _ = server.walk("/v1/quotes?q=moratoire")
    assert [q["article"]["id"][:3] for q in items] == ["003", "000"]
    assert all("moratoire" in q["text"] for q in items)
    items, _ = server.walk("/v1/quotes?q=%22reconnaissance+faciale%22")
    assert items and all("reconnaissance faciale" in fold(q["text"]) for q in items)
    assert_problem(server.get("/v1/quotes?q="), 400, "invalid-parameter", detail_has=["q"])


def test_quotes_date_filters(server, corpus):
    items, _ = server.walk("/v1/quotes?date=2018")
    expected = [q["id"] for aid in (IDS["001"], IDS["002"]) for q in corpus["articles"][aid]["quotes"]]
    assert [q["id"] for q in items] == expected
    items, _ = server.walk("/v1/quotes?from=2020-06-11")
    assert {q["article"]["id"][:3] for q in items} == {"003", "000"}
    items, _ = server.walk("/v1/quotes?to=2018-05")
    assert {q["article"]["id"][:3] for q in items} == {"002"}
    items, _ = server.walk("/v1/quotes?speaker=ozer&date=2018")
    assert len(items) == 1 and items[0]["article"]["id"] == IDS["002"]
    assert_problem(server.get("/v1/quotes?date=2021-02-30"), 400, "invalid-parameter",
                   detail_has=["date", "2021-02-30"])
    assert_problem(server.get("/v1/quotes?from=2020&to=2019"), 400, "invalid-parameter")


def test_quotes_total_matches_articles(server, corpus):
    body = server.get_json("/v1/quotes?limit=1")
    assert body["meta"]["total"] == sum(a["quote_count"] for a in corpus["articles"].values())


# ------------------------------------------------------------------ speakers

def test_ozer_speaker(server):
    r = server.get("/v1/speakers/nicole-ozer")
    assert r.status == 200, r
    s = r.json()["data"]
    assert set(s) >= SPEAKER_KEYS | {"articles"}
    assert s["id"] == "nicole-ozer" and s["name"] == "Nicole Ozer" and s["kind"] == "person"
    assert s["quote_count"] == 4 and s["article_count"] == 2
    assert s["first_date"] == "2018-05" and s["last_date"] == "2020-06"
    assert "directrice des technologies et libertés pour une branche californienne de l’ACLU" in s["roles"]
    assert "de la branche californienne d'ACLU" in s["roles"]
    assert s["links"]["self"] == f"{server.base}/v1/speakers/nicole-ozer"
    assert s["links"]["quotes"] == f"{server.base}/v1/speakers/nicole-ozer/quotes"
    arts = {a["id"]: a for a in s["articles"]}
    assert set(arts) == {IDS["000"], IDS["002"]}
    assert arts[IDS["000"]]["quote_count"] == 3 and arts[IDS["002"]]["quote_count"] == 1
    for a in arts.values():
        assert {"id", "title", "date", "excerpt", "links"} <= set(a)
        assert "body" not in a


def test_amazon_speaker(server):
    s = server.get_json("/v1/speakers/amazon")["data"]
    assert s["name"] == "Amazon" and s["kind"] == "organization"
    assert s["article_count"] == 4
    assert {a["id"][:3] for a in s["articles"]} == {"000", "001", "003", "004"}
    assert 8 <= s["quote_count"] <= 10
    assert s["first_date"] == "2018-06-19" and s["last_date"] == "2020-06-11"
    assert s["roles"][0] == "porte-parole", "most frequent first"


def test_speaker_ids_are_slugs(corpus):
    import re
    ids = [s["id"] for s in corpus["speakers"]]
    assert len(ids) == len(set(ids))
    for s in corpus["speakers"]:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s["id"]), s["id"]
    assert {"nicole-ozer", "amazon", "ibm", "shankar-narayan", "athena"} <= set(ids)


def test_every_speaker_is_consistent(server, corpus):
    counted = {}
    for q in corpus["quotes"]:
        if q["speaker"]:
            counted.setdefault(q["speaker"]["id"], []).append(q)
    assert set(counted) == {s["id"] for s in corpus["speakers"]}
    for s in corpus["speakers"]:
        assert set(s) >= SPEAKER_KEYS, s
        assert s["kind"] in KINDS
        qs = counted[s["id"]]
        assert s["quote_count"] == len(qs), s["id"]
        assert s["article_count"] == len({q["article"]["id"] for q in qs}), s["id"]
        one = server.get_json(f"/v1/speakers/{s['id']}")["data"]
        assert {k: one[k] for k in SPEAKER_KEYS} == {k: s[k] for k in SPEAKER_KEYS}
        assert len(one["articles"]) == s["article_count"]
        assert sum(a["quote_count"] for a in one["articles"]) == s["quote_count"]
        items, _ = server.walk(s["links"]["quotes"])
        assert [q["id"] for q in items] == [q["id"] for q in qs]


def test_speakers_default_sort(corpus):
    keys = [(-s["quote_count"], s["id"]) for s in corpus["speakers"]]
    assert keys == sorted(keys)


def test_speakers_sort_by_name(server):
    items, _ = server.walk("/v1/speakers?sort=name&limit=100")
    keys = [(fold(s["name"]), s["id"]) for s in items]
    assert keys == sorted(keys)
    assert_problem(server.get("/v1/speakers?sort=date"), 400, "invalid-parameter", detail_has=["sort"])


def test_speakers_filter_kind(server, corpus):
    for kind in sorted(KINDS):
        items, _ = server.walk(f"/v1/speakers?kind={kind}")
        assert [s["id"] for s in items] == [s["id"] for s in corpus["speakers"] if s["kind"] == kind]
    persons = [s["id"] for s in server.walk("/v1/speakers?kind=person")[0]]
    assert {"nicole-ozer", "shankar-narayan"} <= set(persons)
    assert_problem(server.get("/v1/speakers?kind=robot"), 400, "invalid-parameter", detail_has=["kind"])


@pytest.mark.parametrize("q", ["ozer", "OZER", "zer", "%C3%B6zer", "Nicole+Oz"])
def test_speakers_filter_q(server, q):
    items, _ = server.walk(f"/v1/speakers?q={q}")
    assert [s["id"] for s in items] == ["nicole-ozer"]


def test_speakers_filter_q_matches_aliases(server, corpus):
    with_alias = [s for s in corpus["speakers"] if s["aliases"]]
    if not with_alias:
        pytest.skip("no speaker has aliases")
    for s in with_alias[:3]:
        alias = s["aliases"][0]
        items, _ = server.walk("/v1/speakers?" + urllib.parse.urlencode({"q": alias}))
        assert s["id"] in [x["id"] for x in items], alias


def test_speaker_quotes_endpoint(server, corpus):
    items, pages = server.walk("/v1/speakers/nicole-ozer/quotes")
    assert len(items) == 4 and pages[0]["meta"]["total"] == 4
    ozer = server.walk("/v1/quotes?speaker=nicole-ozer")[0]
    assert items == ozer
    items, _ = server.walk("/v1/speakers/nicole-ozer/quotes?date=2020")
    assert len(items) == 3 and all(q["article"]["id"] == IDS["000"] for q in items)
    items, _ = server.walk("/v1/speakers/nicole-ozer/quotes?q=couleur")
    assert {q["text"][:20] for q in items} == {"Il aura fallu deux a", "qui alimentent les i"}


def test_unknown_speaker_is_404(server):
    assert_problem(server.get("/v1/speakers/personne-inconnue"), 404, "not-found")
    assert_problem(server.get("/v1/speakers/personne-inconnue/quotes"), 404, "not-found")


def test_speaker_id_percent_encoded(server):
    assert server.get_json("/v1/speakers/nicole%2Dozer")["data"]["id"] == "nicole-ozer"


@pytest.mark.parametrize("q", ["%", "_", "%25", "*", "\\"])
def test_speakers_q_has_no_wildcards(server, q):
    items, _ = server.walk("/v1/speakers?" + urllib.parse.urlencode({"q": q}))
    assert items == [], [s["id"] for s in items]
