"""Random requests from a grammar of methods, paths, parameters (valid and
invalid values, percent-encoding, UTF-8 and invalid bytes) and headers, on
reused connections, some pipelined: no 5xx, no crash, answers in order,
RSS stable, clean log lines.

Fast mode: 20,000 requests; --robust-full: 100,000."""

import gzip
import json
import random
import socket
import threading
import time
import urllib.parse

import pytest

import rawhttp
from conftest import LOG_LINE, SEED, api, control_bytes, report
from rawhttp import Closed, Conn

ARTICLE_IDS = sorted(api.GOLD)
QUOTE_IDS = [f"{a}-{n}" for a in ARTICLE_IDS for n in (1, 2, 3, 99)]
SPEAKER_IDS = ["amazon", "nicole-ozer", "aclu", "groupes-militants", "nobody", "ibm"]
PERIODS = ["2018", "2018-05", "2020-06", "2020-06-11", "2020-13", "2020-02-30", "1999", "99999", "2020-6",
           "abcd", "", "2020-06-11T00:00", "0000", "2020-00", "2021-02-29", "2024-02-29"]

UNICODE = ["é", "ü", "ß", "œ", "’", "😀", "中文", "\u0301", "\u200b", "\ufeff", "ﬁ", "Ω", "\U0010fffd", "\u2028"]
RAW_BAD = [b"\xff", b"\xfe", b"\xc3\x28", b"\xe2\x82", b"\xed\xa0\x80", b"\xc0\xaf", b"\x80", b"\xf4\x90\x80\x80",
           b"\x01", b"\x1b", b"\x7f", b"\x08"]
PCT_BAD = ["%zz", "%", "%4", "%ff", "%C3%28", "%E2%82", "%ED%A0%80", "%C0%AF", "%00", "%0A", "%0D", "%1B",
           "%7F", "%F4%90%80%80", "%%", "%g0", "%2"]

LIST_PARAMS = {
    "/v1/articles": ["date", "from", "to", "q", "speaker", "lang", "sort", "limit", "cursor"],
    "/v1/dates/{}": ["q", "speaker", "lang", "sort", "limit", "cursor"],
    "/v1/dates": ["granularity"],
    "/v1/speakers": ["q", "kind", "sort", "limit", "cursor"],
    "/v1/speakers/{}/quotes": ["limit", "cursor"],
    "/v1/quotes": ["speaker", "q", "article", "date", "from", "to", "limit", "cursor"],
}
VALUES = {
    "date": PERIODS, "from": PERIODS, "to": PERIODS,
    "q": ["amazon", "reconnaissance faciale", '"la police"', "amaz*", "*", "\"", "é", "ACLU", "a b c d e f",
          "microsoft OR ibm", "-", "x" * 300, "NOT", "«", "the", "\"unterminated", "***", "(", ")", "'"],
    "speaker": SPEAKER_IDS + ["ozer", "Nicole Ozer", "NICOLE", "é", ""],
    "lang": ["fr", "en", "de", "FR", "", "fr,en"],
    "sort": ["-date", "date", "name", "-quote_count", "quote_count", "", "-", "--date", "random"],
    "limit": ["0", "1", "5", "20", "100", "101", "-1", "abc", "1e3", "99999999999999999999", "", " 5", "05",
              "0x10", "1.5"],
    "cursor": ["", "abc", "Mh9", "AAAA", "Mh8xHzIfMx8", "!!!!", "Mh9lMTA4MzkxNDMwNmU4MDg1HzIwMjAwNjExHzAfMDAzXzRj"],
    "granularity": ["year", "month", "day", "week", "", "YEAR"],
    "kind": ["person", "organization", "group", "anonymous", "robot", ""],
    "article": ARTICLE_IDS + ["nope", ""],
}


class Gen:
    """One worker's request generator (deterministic for its seed)."""

    def __init__(self, seed, port):
        self.r = random.Random(seed)
        self.port = port

    def pick(self, seq):
        return self.r.choice(seq)

    def junk_segment(self):
        r = self.r
        k = r.randrange(8)
        if k == 0:
            return urllib.parse.quote(r.choice(UNICODE) * r.randint(1, 3)).encode()
        if k == 1:
            return r.choice(PCT_BAD).encode()
        if k == 2:
            return b"a" + r.choice(RAW_BAD) + b"b"
        if k == 3:
            return r.choice(UNICODE).encode("utf-8")
        if k == 4:
            return r.choice([b"..", b".", b"%2e%2e", b"%2F", b"a;b", b"+", b"%2B", b"~", b"-", b"_"])
        if k == 5:
            return b"x" * r.choice([1, 100, 1000, 3000])
        if k == 6:
            return r.choice(ARTICLE_IDS).upper().encode()
        return "".join(r.choice("abc-_.~09") for _ in range(r.randint(1, 12))).encode()

    def value(self, name):
        r = self.r
        k = r.randrange(10)
        if k < 6 and name in VALUES:
            v = r.choice(VALUES[name])
            return urllib.parse.quote(v, safe="*-_.~").encode() if r.random() < 0.8 else v.encode("utf-8")
        if k < 8:
            return self.junk_segment()
        return (r.choice(VALUES.get(name, ["x"])) + r.choice(["+", " ", "%20", "&", "="])).encode("utf-8")

    def query(self, path_key):
        r = self.r
        names = LIST_PARAMS.get(path_key, [])
        parts = []
        for _ in range(r.choice([0, 0, 1, 1, 2, 3, 4])):
            if names and r.random() < 0.85:
                name = r.choice(names).encode()
            else:
                name = r.choice([b"x", b"foo", b"LIMIT", b"lim%69t", b"", b"%", b"a%zz", b"q[]", b"\xff"])
            if r.random() < 0.05:
                parts.append(name)
            else:
                parts.append(name + b"=" + self.value(name.decode("latin-1")))
            if r.random() < 0.05 and parts:
                parts.append(parts[-1])  # duplicate
        if not parts:
            return b"" if r.random() < 0.8 else b"?"
        sep = b"&" if r.random() < 0.95 else r.choice([b"&&", b";", b"&amp;"])
        return b"?" + sep.join(parts) + (b"&" if r.random() < 0.03 else b"")

    def target(self):
        r = self.r
        k = r.randrange(20)
        if k == 0:
            return r.choice([b"/", b"/healthz", b"/readyz", b"/metrics", b"/v1", b"/v1/", b"/v1/openapi.json",
                             b"/index.html", b"/app.js", b"/style.css", b"/favicon.svg", b"/nope.js"]) + \
                (b"" if r.random() < 0.8 else self.query("/none"))
        if k == 1:
            return b"/" + b"/".join(self.junk_segment() for _ in range(r.randint(1, 4)))
        if k == 2:
            return b"/v1/articles/" + (r.choice(ARTICLE_IDS).encode() if r.random() < 0.6 else self.junk_segment())
        if k == 3:
            return b"/v1/quotes/" + (r.choice(QUOTE_IDS).encode() if r.random() < 0.6 else self.junk_segment())
        if k == 4:
            return b"/v1/speakers/" + (r.choice(SPEAKER_IDS).encode() if r.random() < 0.6 else self.junk_segment())
        if k == 5:
            sid = r.choice(SPEAKER_IDS).encode() if r.random() < 0.7 else self.junk_segment()
            return b"/v1/speakers/" + sid + b"/quotes" + self.query("/v1/speakers/{}/quotes")
        if k == 6:
            per = r.choice(PERIODS).encode() if r.random() < 0.7 else self.junk_segment()
            return b"/v1/dates/" + per + self.query("/v1/dates/{}")
        if k == 7:
            return b"/v1/dates" + self.query("/v1/dates")
        if k == 8:
            return r.choice([b"http://127.0.0.1/v1/articles", b"*", b"v1/articles", b"//v1//articles",
                             b"/v1/articles/", b"/V1/ARTICLES", b"/v1/articles?", b"/v1/articles#x",
                             b"/v1/./articles", b"/v1/../v1/articles", b"/%76%31/articles"])
        path = r.choice([b"/v1/articles"] * 4 + [b"/v1/speakers"] * 2 + [b"/v1/quotes"] * 3)
        return path + self.query(path.decode())

    def headers(self):
        r = self.r
        h = []
        if r.random() < 0.3:
            h.append((b"Accept-Encoding", r.choice([b"gzip", b"gzip, deflate, br", b"*", b"identity", b"br",
                                                    b"gzip;q=0", b"GZIP;q=0.5", b"x" * 50, b"gzip;q=abc"])))
        if r.random() < 0.1:
            h.append((b"If-None-Match", r.choice([b"*", b'W/"abc"', b'"0000000000000000"', b'""', b"garbage",
                                                  b'"a", "b", W/"c"', b"," * 40])))
        if r.random() < 0.1:
            h.append((b"Origin", r.choice([b"https://example.org", b"null", b"\xc3\xa9", b"a\x01b"])))
        if r.random() < 0.05:
            h.append((b"Range", b"bytes=0-10"))
        if r.random() < 0.05:
            h.append((b"Cookie", b"a=" + b"c" * r.choice([10, 1000, 6000])))
        if r.random() < 0.05:
            h.append((b"X-Junk", r.choice([b"\xff\xfe", b"\x01\x02", "é".encode(), b"a" * 4000, b""])))
        if r.random() < 0.03:
            h.append((b"Access-Control-Request-Headers", b"x-a, \x01, " + b"y" * 100))
        return h

    def request(self):
        """(bytes, method, target, flags)"""
        r = self.r
        k = r.random()
        if k < 0.72:
            method = b"GET"
        elif k < 0.82:
            method = b"HEAD"
        elif k < 0.87:
            method = b"OPTIONS"
        elif k < 0.95:
            method = r.choice([b"POST", b"PUT", b"DELETE", b"PATCH", b"get", b"TRACE", b"BREW", b"CONNECT"])
        else:
            method = r.choice([b"G\xc3\xa9T", b"M" * 40, b"GET2", b"X-CUSTOM"])
        target = self.target()
        version = b"HTTP/1.1" if r.random() < 0.95 else b"HTTP/1.0"
        flags = set()
        host = f"127.0.0.1:{self.port}".encode()
        lines = [method + b" " + target + b" " + version]
        hk = r.random()
        if hk < 0.9:
            lines.append(b"Host: " + host)
        elif hk < 0.93:
            pass  # no Host
        elif hk < 0.96:
            lines += [b"Host: " + host, b"Host: other"]
        else:
            lines.append(b"Host: " + r.choice([b"\xff", b"[::1]:80", b"a b", b"x" * 300, b"evil.example",
                                               "é.example".encode()]))
        for name, value in self.headers():
            lines.append(name + b": " + value)
        body = None
        if method in (b"POST", b"PUT", b"PATCH") and r.random() < 0.7:
            body = bytes(r.randrange(256) for _ in range(r.choice([0, 1, 100, 5000])))
            if r.random() < 0.8:
                lines.append(b"Content-Length: " + str(len(body)).encode())
            else:
                lines.append(b"Transfer-Encoding: chunked")
                body = (b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n") if body else b"0\r\n\r\n"
        if version == b"HTTP/1.0":
            flags.add("close")  # no keep-alive asked
        if r.random() < 0.03:
            lines.append(b"Connection: close")
            flags.add("close")
        data = b"\r\n".join(lines) + b"\r\n\r\n" + (body or b"")
        return data, method.decode("latin-1"), target, flags


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.responses = 0
        self.by_status = {}
        self.failures = []
        self.five_xx = []
        self.order_checked = 0
        self.pipelined = 0
        self.reconnects = 0
        self.server_closed = 0

    def fail(self, what):
        with self.lock:
            if len(self.failures) < 50:
                self.failures.append(what)


def check_response(req, resp, stats):
    data, method, target, flags = req
    st = resp.status
    with stats.lock:
        stats.responses += 1
        stats.by_status[st] = stats.by_status.get(st, 0) + 1
        if st >= 500:
            stats.five_xx.append((data[:300], st, resp.body[:300]))
    if st >= 500:
        return
    body = resp.body
    if resp.headers.get("content-encoding") == "gzip" and body:
        body = gzip.decompress(body)
    ct = resp.headers.get("content-type", "")
    if method != "HEAD" and body and "json" in ct:
        try:
            doc = json.loads(body.decode("utf-8"))
        except Exception as e:
            stats.fail(("bad JSON", data[:200], st, repr(e), body[:200]))
            return
        if "problem" in ct:
            if doc.get("status") != st:
                stats.fail(("problem status differs", data[:200], st, doc))
            inst = doc.get("instance")
            if (st not in (414, 431) and target.startswith(b"/") and len(target) < 1500 and inst is not None):
                want = rawhttp.sanitize_target(target)
                if inst != want:
                    stats.fail(("instance is not this request's target (order?)", data[:200], st, inst, want))
                else:
                    with stats.lock:
                        stats.order_checked += 1


def worker(port, seed, count, stats, deadline):
    gen = Gen(seed, port)
    r = gen.r
    done = 0
    conn = None
    while done < count and time.monotonic() < deadline:
        if conn is None:
            conn = Conn(port, timeout=15)
            with stats.lock:
                stats.reconnects += 1
        n = 1 if r.random() < 0.7 else r.randint(2, 8)
        batch = [gen.request() for _ in range(n)]
        try:
            conn.send(b"".join(b[0] for b in batch))
        except OSError:
            conn.close()
            conn = None
            continue
        if n > 1:
            with stats.lock:
                stats.pipelined += n
        for i, req in enumerate(batch):
            try:
                resp = conn.read_response(req[1])
            except Closed as e:
                if i == 0 or e.partial:
                    stats.fail(("closed without an answer", req[0][:300], len(e.partial)))
                else:
                    # The server may close after an answer it marked as the
                    # last one: the earlier response said so, or not.
                    stats.fail(("closed inside a pipeline, before request", i, req[0][:300]))
                with stats.lock:
                    stats.server_closed += 1
                conn.close()
                conn = None
                break
            except socket.timeout:
                stats.fail(("no answer within 15 s", req[0][:300]))
                conn.close()
                conn = None
                break
            except AssertionError as e:
                stats.fail(("bad framing", req[0][:300], str(e)))
                conn.close()
                conn = None
                break
            done += 1
            check_response(req, resp, stats)
            if resp.closes or "close" in req[3]:
                conn.close()
                conn = None
                break
    if conn:
        conn.close()
    return done


def run(port, total, threads, seed, stats, seconds):
    deadline = time.monotonic() + seconds
    per = total // threads
    ts = [threading.Thread(target=worker, args=(port, seed * 1000 + i, per, stats, deadline), daemon=True)
          for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(seconds + 30)


@pytest.mark.deadline(300)
def test_random_requests(make_server, full):
    """20,000 (full: 100,000) random requests on 8 connections at a time,
    30% of them pipelined in batches of 2-8: every request gets a well-framed
    answer in order (each problem's instance is its own request's target),
    no 5xx, the server never dies, its RSS grows by less than 16 MB over
    the run after a warm-up (--cache-size 1000000 bounds the response
    cache), and its log has no raw control byte and only well-formed lines."""
    total = 100000 if full else 20000
    srv = make_server(args=["--cache-size", "1000000", "--threads", "2", "--timeout", "30"])
    stats = Stats()
    warm = Stats()
    run(srv.port, 800, 4, SEED + 1, warm, 60)
    rss0 = srv.rss_kb()
    t0 = time.monotonic()
    half = Stats()
    run(srv.port, total // 2, 8, SEED, half, 240)
    rss_mid = srv.rss_kb() if srv.alive() else None
    run(srv.port, total - total // 2, 8, SEED + 7, stats, 240)
    seconds = time.monotonic() - t0
    alive = srv.alive()
    rss1 = srv.rss_kb() if alive else None
    for s in (half, warm):
        stats.responses += s.responses
        for k, v in s.by_status.items():
            stats.by_status[k] = stats.by_status.get(k, 0) + v
        stats.failures += s.failures
        stats.five_xx += s.five_xx
        stats.order_checked += s.order_checked
        stats.pipelined += s.pipelined
        stats.reconnects += s.reconnects
    report("random requests", requests=stats.responses, seconds=round(seconds, 1),
           per_s=round((stats.responses - warm.responses) / seconds), pipelined=stats.pipelined,
           connections=stats.reconnects, order_checked=stats.order_checked,
           statuses=dict(sorted(stats.by_status.items())), five_xx=len(stats.five_xx),
           failures=len(stats.failures), rss_kb=(rss0, rss_mid, rss1))
    assert alive, f"verbatimd died (status {srv.proc.poll()})\n{srv.stderr()[-3000:]}"
    assert stats.responses >= total, f"only {stats.responses} answers for {total + 800} requests"
    assert not stats.five_xx, f"{len(stats.five_xx)} 5xx answers, e.g. {stats.five_xx[:5]}"
    assert not stats.failures, f"{len(stats.failures)} failures, e.g.\n" + "\n".join(map(repr, stats.failures[:10]))
    assert rss1 - rss0 < 16 * 1024, f"RSS grew from {rss0} kB to {rss1} kB"
    if full:
        assert rss1 - rss_mid < 4 * 1024, f"RSS still growing in the second half: {rss_mid} -> {rss1} kB"
    assert srv.get("/healthz").status == 200
    assert srv.stop(check=False) == 0, srv.stderr()[-2000:]
    log = srv.stderr_path.read_bytes()
    assert control_bytes(log) == [], control_bytes(log)[:10]
    bad = [line for line in log.decode("utf-8", errors="replace").splitlines() if not LOG_LINE.match(line)]
    assert not bad, bad[:5]
