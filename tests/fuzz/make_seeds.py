#!/usr/bin/env python3
"""make_seeds.py - writes the seed inputs of each fuzz target into
tests/fuzz/corpus/NAME/seed-*: lines and excerpts of db/articles, dates,
mojibake, request targets and valid cursors. Run once before a first
`make fuzz`; `make fuzz` then minimises seeds and finds into the same folders
(seeds that add no coverage are merged away, which is fine).

    python3 tests/fuzz/make_seeds.py
"""
import base64
import hashlib
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz" / "corpus"
ARTICLES = sorted((ROOT / "db" / "articles").glob("*.txt"))


def write(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ("seed-" + hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)


def mojibake(text, codec):
    """UTF-8 text read as codec and written as UTF-8 again ("é" -> "Ã©")."""
    return text.encode("utf-8").decode(codec, errors="replace").encode("utf-8")


# ---- cursors: a port of vb_query_hash and vb_cursor_encode (query.c) --------
M64 = (1 << 64) - 1


def fnv(data, h):
    for b in data:
        h = ((h ^ b) * 1099511628211) & M64
    return h


def query_hash(route, params):
    h = fnv(route.encode(), 1469598103934665603)
    for name, value in params:
        if name in ("cursor", "limit"):
            continue
        p = fnv(name.encode(), 1469598103934665603)
        p = fnv(b"=", p)
        h ^= (fnv(value.encode(), p) * 31) & M64
    return h


def cursor(qhash, num, pos, text, ident, fmt="2"):
    raw = ("%s\x1f%016x\x1f%d\x1f%d\x1f%s\x1f%s" % (fmt, qhash, num, pos, text, ident)).encode()
    raw += b"\x1f%08x" % (fnv(raw, 0xCBF29CE484222325 ^ 0x7665726261) & 0xFFFFFFFF)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def main():
    texts = [p.read_text("utf-8") for p in ARTICLES]
    lines = [l for t in texts for l in t.split("\n") if l.strip()]
    paragraphs = [p for t in texts for p in t.split("\n\n") if p.strip()]

    # article: whole files, their first part, and shaped files.
    for t in texts:
        write("article", t)
        write("article", t[:1500])
    write("article", mojibake(texts[0][:2000], "cp1252"))
    write("article", mojibake(texts[1][:2000], "cp1250"))
    write("article", " date 2020-06 " + paragraphs[2])
    write("article", "Skip to main content\n\nUn titre qui dit tout\n\nUn titre qui dit tout\n\n19 Juin, 2018\n\n"
          "« Nous espérons, a-t-il dit, que tout ira bien », a déclaré Nicole Ozer, directrice à l'ACLU.\n\n"
          "Lire et commenter\n\nSource : https://example.org/2018/06/19/article.html\n")
    write("article", "Headline Said Twice\nHeadline Said Twice\nPosted on June 19, 2018\n"
          "\"We will not stop,\" said Jane Doe, a spokesperson for the American Civil Liberties Union (ACLU).\r\n"
          "Thu, 11 Jun 2020 01:08:42 +0000\r\n> https://example.com/news/2020/06/11/story\r\n")
    write("article", "\ufeff\u00a0Publié le 9 décembre 2014 à 21h59 - Dernière mise à jour le 10 décembre 2014\n"
          "Selon la préfète, Mme Dupont : « La société a fait son travail ».\n\n« Ensuite ? » explique-t-elle.\n")
    write("article", "bad \x00 binary")
    write("article", b"not utf-8 \xe9t\xe9")
    write("article", "\n\n   \n")

    # dates: date lines of the files and the forms news sites print.
    for l in lines:
        if len(l.encode()) < 120 and any(c.isdigit() for c in l):
            write("dates", l)
    for s in ["19 Juin, 2018", "vendredi 4 décembre 2020", "June 19, 2018", "le 14 Fév 2022", "2020-06-11",
              "29/10/2019", "29.10.2019", "Publié le 9 décembre 2014 à 21h59 - Dernière mise à jour le 10 décembre 2014",
              "Mis à jour le 3 août 2019 à 10:05", "Posted: 2020-06-11 09:30", "Published on June 1st, 2018",
              "Sept. 3, 2019", "March 22nd, 2019", "Avril 15, 2021", "1er janvier 2021", "Dimanche, 11 juin 2020 01:08",
              "Thu, 11 Jun 2020 01:08:42 +0000", "First Mon, 01 Jun 2020 10:00:00 +0000 then Wed, 03 Jun 2020 11:00:00 +0200",
              "2020", "2020-06", "2000-02-29", "1900-02-29", "9999-12-31", "1000-01-01", "2020-13", "2020-06-32",
              "  LUNDI 1 JUIN 2020  ", "juin 2020", "June 2020 | 5 min read", "Updated 21h 2020-06-11 (UTC)"]:
        write("dates", s)

    # mojibake: paragraphs through Windows-1252, Latin-1 and Windows-1250.
    for p in paragraphs[:6]:
        write("mojibake", mojibake(p[:400], "cp1252"))
    for p in paragraphs[6:9]:
        write("mojibake", mojibake(p[:300], "latin-1"))
        write("mojibake", mojibake(p[:300], "cp1250"))
    for s in ["Frédéric Péchenard", "Ã‰tats-Unis â€™ Â« Â»", "ĂŠtĂŠ", "Nicole Ozer", "  L’Œuvre  ÆSIR ß  ",
              "Ελληνικά ΑΘΗΝΑ", "Привет МИР Ѐ", "😀 ð\u009f\u0098\u0080", "e\u0301te\u0301", "Mme\u00a0Dupont\u202f!"]:
        write("mojibake", s)

    # quotes: paragraphs with quotation marks, alone and in pairs.
    marks = ("«", "“", "„", "‹", '"')
    quoted = [p for p in paragraphs if any(m in p for m in marks)]
    for i, p in enumerate(quoted):
        write("quotes", p)
        if i + 1 < len(quoted):
            write("quotes", p + "\n\n" + quoted[i + 1])
    for s in ["« Nous espérons, a-t-il dit, que ce moratoire suffira », a ajouté Amazon.",
              "Selon la police, « rien ne change ».\n\n« Rien du tout », insiste-t-elle.",
              "“It works,” said Jane Doe, the mayor. „Ja“ und ‹ non ›.",
              "Les militants ont exhorté : « Arrêtez ».\n\n« Encore\n\n« et encore »",
              "Un porte-parole d'Amazon : « Non ».", "\"Unclosed quote at the end"]:
        write("quotes", s)

    # query: request targets, with valid cursors for their own query.
    targets = ["/", "/v1", "/healthz", "/healthz?x=1", "/v1/articles", "/v1/articles?date=2020-06-11",
               "/v1/articles?from=2018&to=2020-06", "/v1/articles?from=2021&to=2020", "/v1/articles?q=%22surveillance+du+visage%22",
               "/v1/articles?q=s%C3%A9curit%C3%A9+recon*", "/v1/articles?q=%22a%22%22b%22", "/v1/articles?limit=100&sort=-date",
               "/v1/articles?limit=0", "/v1/articles?limit=2&limit=3", "/v1/articles?%6Cimit=1", "/v1/articles?%zz=1",
               "/v1/articles?q=%C3%28", "/v1/articles?q=a%01b", "/v1/speakers/nicole%2Dozer", "/v1/articles/%ff",
               "/..%2f..%2fetc%2fpasswd", "/v1/speakers/nicole-ozer/quotes?lang=fr&date=2020",
               "/v1/quotes?speaker=ozer&speaker=amazon", "/v1/articles?cursor=garbage", "/v1/articles/",
               "/v1/dates?granularity=month", "/v1/articles?date=2020-13", "/v1/articles?q=&lang=xx&"]
    for t in targets:
        write("query", t)
    for params in ([("date", "2020")], [("q", "amazon"), ("lang", "fr")], []):
        qs = "&".join("%s=%s" % kv for kv in params)
        h = query_hash("/v1/articles", params)
        for c in (cursor(h, 1020200611, 0, "003_4cb64669dd0f76e2", ""),
                  cursor(h, -5, 7, "nicole ozer", "000_82893d1c11ed07a5"),
                  cursor(h, 1, 2, "x", "y", fmt="1")):
            write("query", "/v1/articles?" + (qs + "&" if qs else "") + "limit=1&cursor=" + c)

    # router: METHOD\nTARGET\nHOST, with a flags byte in front for some.
    for t in targets[:14] + ["/v1/openapi.json", "/metrics", "/readyz", "/index.html", "/app.js", "/.env"]:
        write("router", "GET\n" + t + "\nlocalhost:8080")
    for s in ["HEAD\n/healthz", "POST\n/v1/articles\n127.0.0.1", "DELETE\n/", "OPTIONS\n/v1/articles\n[::1]:8080",
              "GET\n/healthz?%zz\nbad host!", "GET\n/v1/articles/%ff", "GET\nhealthz", "GET\n"]:
        write("router", s)
    write("router", b"\x01GET\n/v1\nexample.org")
    write("router", b"\x02GET\n/\n")
    write("router", b"\x04GET\n/metrics")
    write("router", b"\x07GET\n/style.css\nlocalhost")


if __name__ == "__main__":
    main()
