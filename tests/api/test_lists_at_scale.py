"""The lists at scale: /v1/articles, /v1/quotes and /v1/speakers on a corpus
of 400 generated articles (bench/generate.py --n 400 --seed 7), walked with
the largest page (limit=100) and with a small one (limit=7), and checked
against orders and filters computed here in Python from what the server
says of each article (its date, language and quotes).

The five seed articles are too few to show ties in the sort keys, cursors
deep in a list, or the overlap rule of the date filters over many dates;
this module is about those (see ../shared/API.md, Pagination and Dates).
"""

import calendar
import collections
import datetime
import math
import subprocess
import sys

import pytest

from conftest import REPO, ServerFactory, skip_if_external
from helpers import collapse, fold

N_ARTICLES = 400
SEED = 7
MAX_LIMIT = 100   # API.md: limit is 1 to 100
SMALL = 7         # a page size that cuts through ties and runs of quotes
MAX_PAGES = 2000


# ------------------------------------------------------------------ dates

def period(date):
    """'2020' -> (2020-01-01, 2020-12-31); '2020-06' -> (2020-06-01, 2020-06-30);
    a day -> (day, day); None -> None."""
    if date is None:
        return None
    parts = [int(p) for p in date.split("-")]
    if len(parts) == 1:
        return datetime.date(parts[0], 1, 1), datetime.date(parts[0], 12, 31)
    if len(parts) == 2:
        y, m = parts
        return datetime.date(y, m, 1), datetime.date(y, m, calendar.monthrange(y, m)[1])
    d = datetime.date(*parts)
    return d, d


def overlaps(date, lo, hi):
    """The overlap rule of API.md: the article's period meets [lo, hi]
    (None: unbounded on that side); an undated article matches nothing."""
    p = period(date)
    if p is None:
        return False
    first, last = p
    return (hi is None or first <= hi) and (lo is None or last >= lo)


def filter_bounds(params):
    """The [lo, hi] a date / from / to filter stands for."""
    if "date" in params:
        return period(params["date"])
    lo = period(params["from"])[0] if "from" in params else None
    hi = period(params["to"])[1] if "to" in params else None
    return lo, hi


def query(params):
    return "&".join(f"{k}={v}" for k, v in params.items())


# ------------------------------------------------------------------ walking

def first_difference(expected, actual):
    for i, (e, a) in enumerate(zip(expected, actual)):
        if e != a:
            return f"first difference at index {i}: expected {e!r}, got {a!r}"
    if len(expected) != len(actual):
        i = min(len(expected), len(actual))
        more = (f"expected {expected[i]!r} there" if len(expected) > i else f"got extra {actual[i]!r}")
        return f"lengths differ ({len(expected)} expected, {len(actual)} got) from index {i}: {more}"
    return "no difference"


def walk_checked(srv, path, params, limit, expected):
    """Walks path?params&limit=L by links.next (server.walk checks that
    links.next, meta.next and the Link header agree on every page) and
    asserts: the items' ids are expected, in order, each once; every page
    says meta.total = len(expected) and meta.limit = L; every page but the
    last is full; the last has no next. Returns the items."""
    target = f"{path}?{query(dict(params, limit=limit))}"
    items, pages = srv.walk(target, max_pages=MAX_PAGES)
    ids = [x["id"] for x in items]
    dups = [i for i, c in collections.Counter(ids).items() if c > 1]
    assert not dups, f"GET {target}: {len(dups)} ids seen twice, e.g. {dups[:3]}"
    assert ids == expected, f"GET {target} (walked): {first_difference(expected, ids)}"
    for n, page in enumerate(pages):
        assert page["meta"]["total"] == len(expected), (
            f"GET {target}: page {n} says meta.total={page['meta']['total']}, the list has {len(expected)}")
        assert page["meta"]["limit"] == limit, (target, n, page["meta"])
        if n < len(pages) - 1:
            assert len(page["data"]) == limit, f"GET {target}: page {n} of {len(pages)} has {len(page['data'])} items"
    assert pages[-1]["meta"]["next"] is None and pages[-1]["links"]["next"] is None, (target, pages[-1]["meta"])
    assert len(pages) == max(1, math.ceil(len(expected) / limit)), (target, len(pages), len(expected))
    return items


# ------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A verbatimd of its own on the 400 generated articles."""
    skip_if_external()
    root = tmp_path_factory.mktemp("lists-at-scale")
    articles = root / "corpus"
    gen = subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--n", str(N_ARTICLES),
                          "--seed", str(SEED), "--out", str(articles), "--jobs", "1"],
                         capture_output=True, text=True, timeout=120)
    assert gen.returncode == 0, gen.stderr
    factory = ServerFactory(root)
    srv = factory(articles=articles)
    srv.corpus_dir = articles
    yield srv
    factory.stop_all()


@pytest.fixture(scope="module")
def ref(big):
    """What the tests compare with: each article as /v1/articles/{id} gives
    it (the set of ids taken from the files), and the orders of API.md
    computed here from those dates, ids and quote positions."""
    stems = sorted(p.stem for p in big.corpus_dir.glob("*.txt"))
    assert len(stems) == N_ARTICLES
    art = {aid: big.get_json(f"/v1/articles/{aid}")["data"] for aid in stems}

    def order(descending):
        dated = sorted((a for a in stems if art[a]["date"]), key=lambda a: a)  # ties: id ascending
        dated.sort(key=lambda a: period(art[a]["date"])[0], reverse=descending)  # stable
        return dated + sorted(a for a in stems if not art[a]["date"])

    desc, asc = order(True), order(False)
    quotes = []  # API.md: newest article first, then in their order within the article
    for aid in desc:
        qs = art[aid]["quotes"]
        assert [q["id"] for q in qs] == [f"{aid}-{n}" for n in range(1, len(qs) + 1)], aid
        assert all(q["article"]["id"] == aid for q in qs), aid
        assert art[aid]["quote_count"] == len(qs), aid
        quotes.extend(qs)
    counts = collections.Counter(q["speaker"]["id"] for q in quotes if q["speaker"])
    return {"articles": art, "desc": desc, "asc": asc, "quotes": quotes,
            "quote_ids": [q["id"] for q in quotes], "speaker_counts": counts}


@pytest.fixture(scope="module")
def speakers(big):
    items, _ = big.walk(f"/v1/speakers?limit={MAX_LIMIT}", max_pages=MAX_PAGES)
    return {s["id"]: s for s in items}


# ------------------------------------------------------------------ the corpus

def test_corpus_has_what_the_tests_need(ref):
    """The premises: all precisions, undated articles, both languages,
    ties of first day (including across precisions) that a page of 7 cuts."""
    art = ref["articles"]
    precisions = collections.Counter(a["date_precision"] for a in art.values())
    assert all(precisions[p] >= 10 for p in ("day", "month", "year", None)), precisions
    langs = collections.Counter(a["lang"] for a in art.values())
    assert langs["fr"] >= 50 and langs["en"] >= 50, langs
    days = collections.Counter(period(a["date"])[0] for a in art.values() if a["date"])
    ties = [d for d, c in days.items() if c > 1]
    assert len(ties) >= 10, ties
    mixed = [d for d in ties if len({art[a]["date_precision"] for a in ref["desc"]
                                     if art[a]["date"] and period(art[a]["date"])[0] == d}) > 1]
    assert mixed, "no first day shared by two precisions"
    for order in (ref["desc"], ref["asc"]):
        cut = [k for k in range(SMALL, len(order), SMALL)
               if art[order[k - 1]]["date"] and art[order[k]]["date"]
               and period(art[order[k - 1]]["date"])[0] == period(art[order[k]]["date"])[0]]
        assert cut, "no page boundary of limit=7 inside a tie"
    assert len(ref["quotes"]) > 1000 and len(ref["speaker_counts"]) > 300


# ------------------------------------------------------------------ whole lists

ARTICLE_SORTS = [({}, "desc"), ({"sort": "-date"}, "desc"), ({"sort": "date"}, "asc")]


@pytest.mark.parametrize("params,order", ARTICLE_SORTS, ids=["default", "sort=-date", "sort=date"])
def test_articles_whole_list(big, ref, params, order):
    """limit=100 and limit=7 both give exactly the order API.md defines:
    by first day (newest or oldest first), ties by id, undated last."""
    expected = ref[order]
    full = walk_checked(big, "/v1/articles", params, MAX_LIMIT, expected)
    walk_checked(big, "/v1/articles", params, SMALL, [a["id"] for a in full])
    # the summaries in the list are the articles' own
    art = ref["articles"]
    for a in full:
        assert (a["date"], a["date_precision"], a["lang"], a["quote_count"]) == (
            art[a["id"]]["date"], art[a["id"]]["date_precision"], art[a["id"]]["lang"],
            art[a["id"]]["quote_count"]), a["id"]


def test_articles_order_rule(big, ref):
    """The order itself, pair by pair, on what the list says."""
    for params, descending in (({}, True), ({"sort": "date"}, False)):
        items, _ = big.walk(f"/v1/articles?{query(dict(params, limit=MAX_LIMIT))}", max_pages=MAX_PAGES)
        for x, y in zip(items, items[1:]):
            where = f"/v1/articles?{query(params)}: {x['id']} ({x['date']}) before {y['id']} ({y['date']})"
            if x["date"] is None:
                assert y["date"] is None and x["id"] < y["id"], where
            elif y["date"] is not None:
                dx, dy = period(x["date"])[0], period(y["date"])[0]
                assert (dx > dy if descending else dx < dy) or (dx == dy and x["id"] < y["id"]), where


def test_quotes_whole_list(big, ref):
    """Newest article first (same rule as articles), then by position in
    the article: the articles' own quotes, in order, each once."""
    full = walk_checked(big, "/v1/quotes", {}, MAX_LIMIT, ref["quote_ids"])
    walk_checked(big, "/v1/quotes", {}, SMALL, [q["id"] for q in full])
    for q, mine in zip(full, ref["quotes"]):
        assert (q["text"], q["offsets"], q["speaker"]) == (mine["text"], mine["offsets"], mine["speaker"]), q["id"]


@pytest.mark.parametrize("params", [{}, {"sort": "-quote_count"}, {"sort": "name"}],
                         ids=["default", "sort=-quote_count", "sort=name"])
def test_speakers_whole_list(big, ref, speakers, params):
    """Every speaker quoted, once; -quote_count (the default): quote count
    descending, ties by id ascending; name: folded name, ties by id. The
    counts are those of the quotes list."""
    counts = ref["speaker_counts"]
    assert set(speakers) == set(counts), set(speakers) ^ set(counts)
    wrong = [(i, s["quote_count"], counts[i]) for i, s in speakers.items() if s["quote_count"] != counts[i]]
    assert not wrong, f"speakers whose quote_count is not their number of quotes: {wrong[:5]}"
    if params.get("sort") == "name":
        expected = sorted(speakers, key=lambda i: (collapse(fold(speakers[i]["name"])), i))
    else:
        expected = sorted(counts, key=lambda i: (-counts[i], i))
    full = walk_checked(big, "/v1/speakers", params, MAX_LIMIT, expected)
    walk_checked(big, "/v1/speakers", params, SMALL, [s["id"] for s in full])


# ------------------------------------------------------------------ date filters

def _pick_samples(art):
    """Filter values chosen from the corpus, each with the premise that makes
    it telling (checked in test_date_samples_are_telling)."""
    dated = {a: v["date"] for a, v in art.items() if v["date"]}
    prec = {a: art[a]["date_precision"] for a in dated}
    years = collections.Counter(int(d[:4]) for d in dated.values())
    year_articles = sorted({d for a, d in dated.items() if prec[a] == "year"})
    month_articles = sorted({d for a, d in dated.items() if prec[a] == "month"})
    day_articles = sorted({d for a, d in dated.items() if prec[a] == "day"})
    busy = max(sorted(years), key=lambda y: years[y])
    # a month inside a year-precision article's year, with articles of its own
    months = [m for m in month_articles + [d[:7] for d in day_articles] if m[:4] in year_articles]
    month = max(sorted(set(months)), key=months.count)
    # a day of a day article inside a month-precision article's month
    # (preferably in a year-precision article's year too, late in the month)
    days = [d for d in day_articles if d[:7] in month_articles]
    day = max(days, key=lambda d: (d[:4] in year_articles, d[8:], d))
    # a year with year-precision articles and articles in the following year
    edge_year = max(int(y) for y in year_articles if int(y) + 1 in years and int(y) < max(years))
    low_year = min(int(y) for y in year_articles if int(y) - 1 in years)
    to_month = next(m for m in month_articles if m[:4] not in year_articles)
    return {
        "busy-year": {"date": str(busy)},
        "month-in-year-article": {"date": month},
        "day-in-month-article": {"date": day},
        "first-year": {"date": str(min(years))},
        "last-year": {"date": str(max(years))},
        "before-corpus": {"date": str(min(years) - 1)},
        "from-dec-31": {"from": f"{edge_year}-12-31"},
        "from-jan-1": {"from": f"{edge_year + 1}-01-01"},
        "to-jan-1": {"to": f"{low_year}-01-01"},
        "to-day-in-month": {"to": f"{to_month}-10"},
        "from-month": {"from": month},
        "range": {"from": f"{busy}-11-15", "to": f"{busy + 1}-02-10"},
        "range-years": {"from": str(edge_year), "to": str(edge_year + 1)},
        "range-one-day": {"from": day, "to": day},
    }


SAMPLES = ["busy-year", "month-in-year-article", "day-in-month-article", "first-year", "last-year",
           "before-corpus", "from-dec-31", "from-jan-1", "to-jan-1", "to-day-in-month", "from-month",
           "range", "range-years", "range-one-day"]


@pytest.fixture(scope="module")
def samples(ref):
    picked = _pick_samples(ref["articles"])
    assert sorted(picked) == sorted(SAMPLES)
    return picked


def expected_ids(ref, params, order="desc"):
    lang = params.get("lang")
    art = ref["articles"]
    if {"date", "from", "to"} & set(params):
        lo, hi = filter_bounds(params)
        dates_ok = lambda a: overlaps(art[a]["date"], lo, hi)  # noqa: E731
    else:
        dates_ok = lambda a: True  # noqa: E731  no date filter: undated articles too
    return [a for a in ref[order] if dates_ok(a) and (lang is None or art[a]["lang"] == lang)]


def test_date_samples_are_telling(ref, samples):
    """Each sample filter exercises what its name says (else the filter
    tests below would prove little)."""
    art = ref["articles"]

    def precisions(name):
        return collections.Counter(art[a]["date_precision"] for a in expected_ids(ref, samples[name]))

    everything = len([a for a in art.values() if a["date"]])
    p = precisions("busy-year")
    assert sum(p.values()) >= 15 and len(p) >= 2, p
    p = precisions("month-in-year-article")
    assert p["year"] >= 1 and p["month"] + p["day"] >= 1, p
    p = precisions("day-in-month-article")
    assert p["day"] >= 1 and p["month"] >= 1, p
    first, last = int(samples["first-year"]["date"]), int(samples["last-year"]["date"])
    assert all(first <= period(a["date"])[0].year and period(a["date"])[1].year <= last
               for a in art.values() if a["date"]), "first-year and last-year are the corpus' edges"
    assert expected_ids(ref, samples["first-year"]) and expected_ids(ref, samples["last-year"])
    assert expected_ids(ref, samples["before-corpus"]) == []
    # from=Y-12-31 keeps the year-precision articles of Y, from=(Y+1)-01-01 drops them
    y = samples["from-dec-31"]["from"][:4]
    dec31, jan1 = set(expected_ids(ref, samples["from-dec-31"])), set(expected_ids(ref, samples["from-jan-1"]))
    year_y = {a for a in art if art[a]["date"] == y}
    assert year_y and year_y <= dec31 and not (year_y & jan1), (y, year_y)
    assert jan1 < dec31 < set(a for a in art if art[a]["date"]) and len(jan1) >= 10
    ids = set(expected_ids(ref, samples["to-jan-1"]))
    year_y = {a for a in art if art[a]["date"] == samples["to-jan-1"]["to"][:4]}
    assert year_y and year_y <= ids and 5 <= len(ids) < everything
    m = samples["to-day-in-month"]["to"][:7]
    assert any(art[a]["date"] == m for a in expected_ids(ref, samples["to-day-in-month"]))
    assert 10 <= len(expected_ids(ref, samples["from-month"])) < everything
    years = {period(art[a]["date"])[0].year for a in expected_ids(ref, samples["range"])}
    assert len(years) == 2, (samples["range"], years)  # articles on both sides of the new year
    assert len(expected_ids(ref, samples["range-years"])) >= 10


@pytest.mark.parametrize("sort,order", [(None, "desc"), ("date", "asc")], ids=["newest", "oldest"])
@pytest.mark.parametrize("sample", SAMPLES)
def test_articles_date_filter(big, ref, samples, sample, sort, order):
    """Exactly the articles whose period overlaps the filter's, in order,
    meta.total right on every page (walked by 7s)."""
    params = dict(samples[sample])
    if sort:
        params["sort"] = sort
    walk_checked(big, "/v1/articles", params, SMALL, expected_ids(ref, params, order))


@pytest.mark.parametrize("sample", SAMPLES)
def test_quotes_date_filter(big, ref, samples, sample):
    """The quotes of exactly those articles, newest article first, then by
    position."""
    params = samples[sample]
    keep = set(expected_ids(ref, params))
    expected = [q["id"] for q in ref["quotes"] if q["article"]["id"] in keep]
    walk_checked(big, "/v1/quotes", params, SMALL, expected)


def test_dates_endpoint_matches_date_filter(big, ref, samples):
    """/v1/dates/{period} is /v1/articles?date=period (API.md)."""
    for name in ("busy-year", "month-in-year-article", "day-in-month-article"):
        value = samples[name]["date"]
        walk_checked(big, f"/v1/dates/{value}", {}, SMALL, expected_ids(ref, {"date": value}))


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("sample", [None, "busy-year", "month-in-year-article", "from-dec-31", "range"])
@pytest.mark.parametrize("sort,order", [(None, "desc"), ("date", "asc")], ids=["newest", "oldest"])
def test_articles_date_and_lang(big, ref, samples, sample, lang, sort, order):
    """A date filter (or none) with lang: the articles of that language
    among those the date filter keeps."""
    params = dict(samples[sample]) if sample else {}
    params["lang"] = lang
    if sort:
        params["sort"] = sort
    expected = expected_ids(ref, params, order)
    assert expected or sample == "range", params  # most samples keep some of each language
    walk_checked(big, "/v1/articles", params, SMALL, expected)
