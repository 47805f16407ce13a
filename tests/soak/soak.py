#!/usr/bin/python3
"""soak.py - a long mixed load on one verbatimd: memory and descriptors stay flat.

    make soak [SOAK_SECONDS=600]
    /usr/bin/python3 tests/soak/soak.py [--bin build/verbatimd] [--out build/soak]
        [--seconds 600] [--warmup S] [--threads 6] [--rate 0] [--targets 4000] [--seed 1]

What it does:
  1. generates a corpus of 2,000 articles (bench/generate.py --n 2000 --seed 1,
     kept in OUT/corpus), starts `verbatimd serve --cache-size 8000000` on a
     new database and a free loopback port, and waits for /readyz;
  2. reads the corpus through the API (articles, speakers, periods, next-page
     cursors) and draws a fixed set of request targets with random
     parameters (--seed): lists, details, full-text search, speakers and
     their quotes, dates, misc (/v1, health, metrics, OpenAPI, OPTIONS) and
     invalid requests (bad dates, limits, sorts, cursors, escapes, unknown
     parameters, ids and routes, POST) whose 4xx status is known;
  3. runs --threads client threads on keep-alive connections for --seconds:
     during the warm-up (--warmup, default 10% of the run, at most 60 s, and
     at least until the whole set went by twice) they cycle through the set
     in order, which fills the response cache; then they draw targets at
     random. Each request asks for gzip or not (half each), some send
     If-None-Match with the ETag seen before (304), some HEAD, 2% end their
     connection (Connection: close) and reconnect;
  4. every 10 s, samples VmRSS (/proc/PID/status) and the open descriptors
     (/proc/PID/fd, the median of 5 counts 20 ms apart: a connection being
     replaced is not a leak);
  5. checks: after the warm-up, every sample's RSS and descriptor count is
     within +-5% of the first sample after the warm-up; no 5xx; no socket
     error; every status is the one expected (2xx/304 for valid requests,
     the known 4xx for invalid ones); verbatimd exits 0 on SIGTERM.
Prints the curve (time, RSS, fds, requests) and the figures, writes them to
OUT/report.txt; exit 0 when every check passes, 1 otherwise.
Every process started here is stopped on exit (and dies with this one).
"""
import argparse
import collections
import ctypes
import gzip
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE_EVERY = 10.0
TOLERANCE = 0.05
CACHE_SIZE = 8000000

T0 = time.monotonic()
_children = []
_libc = ctypes.CDLL(None, use_errno=True)


def log(msg):
    sys.stderr.write("[soak %7.1fs] %s\n" % (time.monotonic() - T0, msg))
    sys.stderr.flush()


class Failure(Exception):
    pass


def _die_with_parent():
    _libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def spawn(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
    p = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, preexec_fn=_die_with_parent)
    _children.append(p)
    return p


def stop(p, grace=15.0):
    if p is None:
        return None
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(grace)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return p.returncode


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------- server
def ensure_corpus(a):
    d = a.corpus
    if a.corpus_given:  # the caller's folder: used as it is, never rewritten
        if not os.path.isdir(d):
            raise Failure("--corpus %s: no such folder" % d)
        return d
    if os.path.isdir(d) and len([f for f in os.listdir(d) if f.endswith(".txt")]) == a.n:
        return d
    if os.path.isdir(d):
        shutil.rmtree(d)
    log("generating %d articles into %s" % (a.n, os.path.relpath(d, ROOT)))
    subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "bench", "generate.py"), "--n", str(a.n),
                    "--out", d, "--seed", str(a.corpus_seed)], check=True, stdout=subprocess.DEVNULL)
    return d


def get_json(port, target):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("GET", target)
        r = c.getresponse()
        body = r.read()
        if r.status != 200:
            raise Failure("setup: GET %s answered %d: %s" % (target, r.status, body[:200]))
        return json.loads(body)
    finally:
        c.close()


def wait_ready(port, proc, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise Failure("verbatimd exited with %s before /readyz answered" % proc.returncode)
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/readyz")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            c.close()
        time.sleep(0.05)
    raise Failure("verbatimd not ready after %.0f s" % timeout)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise Failure("no VmRSS for pid %d" % pid)


def hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def fd_count(pid):
    counts = []
    for i in range(5):
        counts.append(len(os.listdir("/proc/%d/fd" % pid)))
        if i < 4:
            time.sleep(0.02)
    return int(statistics.median(counts))


# ------------------------------------------------------------ request set
Target = collections.namedtuple("Target", "kind method path expect")
# expect: "ok" (2xx, or 304 after If-None-Match) or an exact 4xx status.


def q(path, **params):
    if not params:
        return path
    return path + "?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def follow_all(port, path, limit=100):
    out, target = [], q(path, limit=limit)
    while target:
        doc = get_json(port, target)
        out.extend(doc["data"])
        nxt = doc["meta"].get("next")
        target = q(path, limit=limit, cursor=nxt) if nxt else None
    return out


def build_targets(a, port):
    rnd = random.Random(a.seed)
    arts = follow_all(port, "/v1/articles")
    spks = follow_all(port, "/v1/speakers")
    months = [d["period"] for d in get_json(port, "/v1/dates?granularity=month")["data"]]
    days = [d["period"] for d in get_json(port, "/v1/dates?granularity=day")["data"]]
    years = [d["period"] for d in get_json(port, "/v1/dates?granularity=year")["data"]]
    if not arts or not spks or not months:
        raise Failure("setup: an empty corpus (%d articles, %d speakers)" % (len(arts), len(spks)))
    quotes = ["%s-%d" % (x["id"], n) for x in arts for n in range(1, x["quote_count"] + 1)]
    words = []
    for x in arts:
        for w in (x.get("title") or "").split():
            w = w.strip(".,;:!?«»\"'()[]’").lower()
            if len(w) >= 5 and w.isalpha():
                words.append(w)
    words = sorted(set(words)) or ["police"]
    last_names = sorted({s["name"].split()[-1] for s in spks if s["kind"] == "person" and s["name"].split()})
    log("corpus through the API: %d articles, %d quotes, %d speakers, %d months, %d words"
        % (len(arts), len(quotes), len(spks), len(months), len(words)))

    def period():
        return rnd.choice([rnd.choice(years), rnd.choice(months), rnd.choice(days)])

    def lst():
        r = rnd.random()
        if r < 0.45:
            p = {}
            if rnd.random() < 0.5: p["limit"] = rnd.choice([1, 5, 10, 20, 50, 100])
            if rnd.random() < 0.3: p["sort"] = rnd.choice(["-date", "date"])
            if rnd.random() < 0.3: p["lang"] = rnd.choice(["fr", "en"])
            if rnd.random() < 0.3: p["date"] = period()
            elif rnd.random() < 0.3:
                lo, hi = sorted(rnd.sample(years, 2)) if len(years) > 1 else (years[0], years[0])
                p["from"], p["to"] = lo, hi
            return q("/v1/articles", **p)
        if r < 0.6:
            p = {"limit": rnd.choice([5, 20, 100])}
            if rnd.random() < 0.5: p["kind"] = rnd.choice(["person", "organization", "group", "anonymous"])
            if rnd.random() < 0.5: p["sort"] = rnd.choice(["-quote_count", "name"])
            return q("/v1/speakers", **p)
        if r < 0.75:
            return q("/v1/quotes", **rnd.choice([{"article": rnd.choice(arts)["id"]}, {"date": period()},
                                                 {"limit": rnd.choice([5, 50])}]))
        if r < 0.85:
            return q("/v1/dates", granularity=rnd.choice(["year", "month", "day"]))
        return q("/v1/dates/" + period(), limit=rnd.choice([5, 20]))

    def detail():
        r = rnd.random()
        if r < 0.5: return "/v1/articles/" + rnd.choice(arts)["id"]
        if r < 0.8: return "/v1/quotes/" + rnd.choice(quotes)
        return "/v1/speakers/" + rnd.choice(spks)["id"]

    def search():
        r = rnd.random()
        w = rnd.choice(words)
        if r < 0.35: return q("/v1/articles", q=w)
        if r < 0.5: return q("/v1/articles", q=w[:4] + "*", limit=10)
        if r < 0.6: return q("/v1/articles", q='"%s %s"' % (w, rnd.choice(words)))
        if r < 0.85: return q("/v1/quotes", q=w)
        return q("/v1/speakers", q=rnd.choice(spks)["name"][:4])

    def speaker():
        s = rnd.choice(spks)
        r = rnd.random()
        if r < 0.4: return q("/v1/speakers/%s/quotes" % s["id"], limit=rnd.choice([5, 20, 50]))
        if r < 0.7 and last_names: return q("/v1/quotes", speaker=rnd.choice(last_names))
        return q("/v1/articles", speaker=s["id"])

    def invalid():
        r = rnd.randrange(17)
        aid = rnd.choice(arts)["id"]
        return [
            (400, q("/v1/articles", date="%d-13" % rnd.randint(2000, 2030))),
            (400, q("/v1/articles", limit=rnd.choice([0, -1, 1001, 100000]))),
            (400, q("/v1/articles", limit="abc%d" % rnd.randint(0, 99))),
            (400, q("/v1/articles", sort=rnd.choice(["up", "title", "-name"]))),
            (400, q("/v1/articles", lang=rnd.choice(["de", "xx", "EN-us"]))),
            (400, q("/v1/speakers", kind=rnd.choice(["alien", "robot"]))),
            (400, q("/v1/dates", granularity=rnd.choice(["week", "hour"]))),
            (400, q("/v1/articles", **{"from": "2020", "to": "2010"})),
            (400, q("/v1/articles", foo=rnd.randint(0, 999))),
            (400, "/v1/articles?limit=1&limit=%d" % rnd.randint(2, 9)),
            (400, q("/v1/articles", cursor="garbage%d" % rnd.randint(0, 9999))),
            (400, "/v1/articles?q=%zz" + str(rnd.randint(0, 99))),
            (400, q("/v1/articles", q=" ")),
            (404, "/v1/articles/nope_%016x" % rnd.getrandbits(64)),
            (404, "/v1/quotes/%s-%d" % (aid, rnd.randint(500, 900))),
            (404, "/v1/no/such/route/%d" % rnd.randint(0, 999)),
            (400, "/v1/dates/%d-%02d" % (rnd.randint(2000, 2030), rnd.randint(13, 99))),
        ][r]

    def misc():
        return rnd.choice(["/v1", "/healthz", "/readyz", "/metrics", "/v1/openapi.json"])

    targets = []
    mix = [("list", 25), ("detail", 25), ("search", 15), ("speaker", 12), ("error", 15), ("misc", 5),
           ("method", 3)]
    kinds = [k for k, w in mix for _ in range(w)]
    seen = set()
    tries = 0
    while len(targets) < a.targets and tries < a.targets * 20:
        tries += 1
        kind = rnd.choice(kinds)
        if kind == "error":
            code, path = invalid()
            t = Target("error", "GET", path, code)
        elif kind == "method":
            path = rnd.choice([lst(), detail()])
            t = rnd.choice([Target("method", "POST", path, 405), Target("method", "HEAD", path, "ok"),
                            Target("method", "OPTIONS", path, "ok")])
        else:
            path = {"list": lst, "detail": detail, "search": search, "speaker": speaker, "misc": misc}[kind]()
            t = Target(kind, "GET", path, "ok")
        if (t.method, t.path) in seen and kind != "misc":
            continue
        seen.add((t.method, t.path))
        targets.append(t)

    # Deeper pages: follow the next cursor of some list targets (2nd-4th page).
    lists = [t for t in targets if t.kind == "list" and t.path.startswith(("/v1/articles", "/v1/speakers", "/v1/quotes"))]
    for t in rnd.sample(lists, min(len(lists), a.targets // 20)):
        path = t.path
        for _ in range(rnd.randint(1, 3)):
            nxt = get_json(port, path)["links"].get("next")
            if not nxt:
                break
            u = urllib.parse.urlsplit(nxt)
            path = u.path + "?" + u.query
            targets.append(Target("list", "GET", path, "ok"))
            if rnd.random() < 0.2:  # the same cursor with other filters
                targets.append(Target("error", "GET", path + "&lang=fr" if "lang=" not in path else
                                      path.replace("lang=", "lang=x"), 400))
    rnd.shuffle(targets)
    return targets


# ------------------------------------------------------------------ load
class Stats:
    def __init__(self):
        self.by_kind = collections.Counter()
        self.status = collections.Counter()
        self.unexpected = collections.Counter()
        self.examples = {}
        self.errors = collections.Counter()
        self.bad_bodies = 0
        self.requests = 0


class Load:
    def __init__(self, a, port, targets):
        self.a, self.port, self.targets = a, port, targets
        self.stop = threading.Event()
        self.warming = True
        self.cycle = 0
        self.cycles_done = 0
        self.lock = threading.Lock()
        self.etags = {}
        self.plain_sizes = {}  # path -> bytes of its plain 200 body
        self.stats = [Stats() for _ in range(a.threads)]
        self.threads = [threading.Thread(target=self.worker, args=(i,), daemon=True) for i in range(a.threads)]

    def next_target(self, rnd):
        if self.warming:
            with self.lock:
                i = self.cycle
                self.cycle += 1
                if self.cycle % len(self.targets) == 0:
                    self.cycles_done += 1
            return self.targets[i % len(self.targets)]
        return rnd.choice(self.targets)

    def requests(self):
        return sum(s.requests for s in self.stats)

    def worker(self, i):
        a = self.a
        rnd = random.Random(a.seed * 1000 + i)
        st = self.stats[i]
        conn = None
        per_thread = a.rate / a.threads if a.rate > 0 else 0
        t_next = time.monotonic()
        while not self.stop.is_set():
            if per_thread:
                t_next += 1.0 / per_thread
                delay = t_next - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                elif delay < -1.0:
                    t_next = time.monotonic()
            t = self.next_target(rnd)
            gz = rnd.random() < 0.5
            headers = {"Accept-Encoding": "gzip" if gz else "identity"}
            inm = None
            if t.expect == "ok" and t.method == "GET" and rnd.random() < 0.1:
                inm = self.etags.get((t.path, gz))
                if inm:
                    headers["If-None-Match"] = inm
            if t.method == "OPTIONS":
                headers["Origin"] = "http://example.org"
                headers["Access-Control-Request-Method"] = "GET"
            if t.method == "POST":
                headers["Content-Length"] = "0"
            close = rnd.random() < 0.02
            if close:
                headers["Connection"] = "close"
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request(t.method, t.path, headers=headers)
                r = conn.getresponse()
                body = r.read()
            except (OSError, http.client.HTTPException) as e:
                st.errors[type(e).__name__] += 1
                st.examples.setdefault("error " + type(e).__name__, "%s %s: %s" % (t.method, t.path, e))
                if conn is not None:
                    conn.close()
                conn = None
                continue
            st.requests += 1
            st.by_kind[t.kind] += 1
            code = r.status
            st.status[code] += 1
            if t.expect == "ok":
                good = 200 <= code <= 299 or (code == 304 and inm is not None)
            else:
                good = code == t.expect
            if not good:
                st.unexpected[(t.kind, code)] += 1
                st.examples.setdefault((t.kind, code), "%s %s -> %d (expected %s)" % (t.method, t.path, code, t.expect))
            if code == 200 and t.method == "GET":
                et = r.getheader("ETag")
                if et:
                    self.etags[(t.path, gz)] = et
                if not gz and t.path != "/metrics":
                    self.plain_sizes[t.path] = len(body)
                if st.requests % 25 == 0 and t.path != "/metrics":
                    try:
                        data = gzip.decompress(body) if r.getheader("Content-Encoding") == "gzip" else body
                        json.loads(data)
                    except Exception:
                        st.bad_bodies += 1
                        st.examples.setdefault("bad body", "%s (gzip=%s)" % (t.path, gz))
            if close or r.will_close:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()

    def total(self):
        out = Stats()
        for s in self.stats:
            out.by_kind.update(s.by_kind)
            out.status.update(s.status)
            out.unexpected.update(s.unexpected)
            out.errors.update(s.errors)
            out.bad_bodies += s.bad_bodies
            out.requests += s.requests
            for k, v in s.examples.items():
                out.examples.setdefault(k, v)
        return out


# ------------------------------------------------------------------ main
def run(a):
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    corpus = ensure_corpus(a)
    db = os.path.join(out, "soak.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    port = free_port()
    log_path = os.path.join(out, "verbatimd.log")
    cmd = [a.bin, "serve", "--articles", corpus, "--db", db, "--listen", "127.0.0.1:%d" % port,
           "--cache-size", str(CACHE_SIZE)]
    err = open(log_path, "w")
    P = spawn(cmd, stderr=err)
    err.close()
    t_start = time.monotonic()
    wait_ready(port, P, 600)
    log("verbatimd (pid %d) on :%d ready in %.1f s: %s" % (P.pid, port, time.monotonic() - t_start, " ".join(cmd[1:])))
    targets = build_targets(a, port)
    kinds = collections.Counter(t.kind for t in targets)
    log("%d targets: %s" % (len(targets), ", ".join("%s %d" % kv for kv in sorted(kinds.items()))))

    warmup = a.warmup if a.warmup is not None else min(60.0, 0.1 * a.seconds)
    load = Load(a, port, targets)
    samples = []  # (t, rss KiB, fds, requests)

    def sample(t):
        samples.append((t, rss_kib(P.pid), fd_count(P.pid), load.requests()))
        s = samples[-1]
        log("t=%4.0fs  RSS %7.1f MiB  fds %3d  requests %d%s" % (s[0], s[1] / 1024, s[2], s[3],
                                                               "  (warm-up)" if load.warming else ""))

    sample(0.0)
    t0 = time.monotonic()
    for th in load.threads:
        th.start()
    log("load: %d threads, %s, %.0f s; warm-up %.0f s (and 2 cycles of the set)"
        % (a.threads, "%d req/s" % a.rate if a.rate else "unthrottled", a.seconds, warmup))
    t_warm_end = None
    k = 1
    while True:
        now = time.monotonic() - t0
        if load.warming and now >= warmup and load.cycles_done >= 2:
            load.warming = False
            t_warm_end = now
            log("warm-up over at %.1f s (%d cycles of the set)" % (now, load.cycles_done))
        if P.poll() is not None:
            raise Failure("verbatimd exited with %s during the soak" % P.returncode)
        if now >= a.seconds:
            break
        if now >= k * SAMPLE_EVERY:
            sample(k * SAMPLE_EVERY if abs(now - k * SAMPLE_EVERY) < 1 else now)
            k += 1
            continue
        time.sleep(min(0.2, k * SAMPLE_EVERY - now))
    final = (time.monotonic() - t0, rss_kib(P.pid), fd_count(P.pid), load.requests())
    if final[0] - samples[-1][0] > 1:
        samples.append(final)
    load.stop.set()
    for th in load.threads:
        th.join(60)
    elapsed = time.monotonic() - t0
    hwm = hwm_kib(P.pid)
    rc = stop(P)
    tot = load.total()

    # checks
    failures = []
    if t_warm_end is None:
        failures.append("the warm-up never ended (the set went by %d times)" % load.cycles_done)
        post = []
    else:
        post = [s for s in samples if s[0] >= t_warm_end]
    if len(post) < 2:
        failures.append("fewer than 2 samples after the warm-up: run longer (--seconds)")
    base = post[0] if post else None
    worst_rss = worst_fd = 0.0
    if base:
        for s in post[1:]:
            drss = (s[1] - base[1]) / base[1]
            dfd = (s[2] - base[2]) / base[2]
            if abs(drss) > abs(worst_rss):
                worst_rss = drss
            if abs(dfd) > abs(worst_fd):
                worst_fd = dfd
            if abs(drss) > TOLERANCE:
                failures.append("t=%.0fs: RSS %.1f MiB is %+.1f%% of %.1f MiB after the warm-up"
                                % (s[0], s[1] / 1024, 100 * drss, base[1] / 1024))
            if abs(dfd) > TOLERANCE:
                failures.append("t=%.0fs: %d fds is %+.1f%% of %d after the warm-up" % (s[0], s[2], 100 * dfd, base[2]))
    n5xx = sum(v for c, v in tot.status.items() if c >= 500)
    n4xx = sum(v for c, v in tot.status.items() if 400 <= c < 500)
    if n5xx:
        failures.append("%d 5xx answers" % n5xx)
    if sum(tot.errors.values()):
        failures.append("%d socket errors: %s" % (sum(tot.errors.values()), dict(tot.errors)))
    if tot.unexpected:
        failures.append("%d unexpected statuses" % sum(tot.unexpected.values()))
    if tot.bad_bodies:
        failures.append("%d bodies that are not JSON (or not gzip when said so)" % tot.bad_bodies)
    if rc != 0:
        failures.append("verbatimd exited %s on SIGTERM (expected 0)" % rc)
    warn_lines = []
    with open(log_path, errors="replace") as f:
        log_lines = 0
        for line in f:
            log_lines += 1
            if " warn " in line or " error " in line:
                warn_lines.append(line.rstrip())
    log_size = os.path.getsize(log_path)

    # report
    L = []
    L.append("verbatim soak: %.0f s of mixed load on one verbatimd" % elapsed)
    L.append("  server: %s" % " ".join([os.path.relpath(a.bin, ROOT)] + [os.path.relpath(x, ROOT) if x.startswith("/") else x
                                                                          for x in cmd[1:]]))
    L.append("  corpus: %d generated articles (seed %d); %d targets (%s), seed %d"
             % (a.n, a.corpus_seed, len(targets), ", ".join("%s %d" % kv for kv in sorted(kinds.items())), a.seed))
    L.append("  client: %d threads, keep-alive (2%% Connection: close), half gzip, 10%% If-None-Match, %s"
             % (a.threads, "%d req/s" % a.rate if a.rate else "unthrottled"))
    L.append("  warm-up: %s (the set cycled through in order %d times)"
             % ("%.1f s" % t_warm_end if t_warm_end is not None else "never ended", load.cycles_done))
    L.append("")
    L.append("  %7s  %9s  %9s  %4s  %6s  %9s  %7s" % ("t (s)", "RSS (MiB)", "vs base", "fds", "vs base", "requests", "req/s"))
    prev = None
    for s in samples:
        vs_r = vs_f = ""
        if base and s[0] >= base[0]:
            vs_r = "%+.1f%%" % (100 * (s[1] - base[1]) / base[1])
            vs_f = "%+.1f%%" % (100 * (s[2] - base[2]) / base[2])
        rate = (s[3] - prev[3]) / (s[0] - prev[0]) if prev and s[0] > prev[0] else 0
        mark = "  <- base (end of warm-up)" if s is base else ("  (warm-up)" if t_warm_end is None or s[0] < t_warm_end else "")
        L.append("  %7.0f  %9.1f  %9s  %4d  %6s  %9d  %7.0f%s" % (s[0], s[1] / 1024, vs_r, s[2], vs_f, s[3], rate, mark))
        prev = s
    L.append("")
    if base:
        last = samples[-1]
        L.append("  RSS   at warm-up end %.1f MiB, at the end %.1f MiB (%+.1f%%); largest deviation %+.1f%%; peak (VmHWM) %.1f MiB"
                 % (base[1] / 1024, last[1] / 1024, 100 * (last[1] - base[1]) / base[1], 100 * worst_rss, hwm / 1024))
        L.append("  fds   at warm-up end %d, at the end %d; largest deviation %+.1f%%" % (base[2], last[2], 100 * worst_fd))
    L.append("  requests %d (%.0f/s): %s" % (tot.requests, tot.requests / elapsed,
                                             ", ".join("%s %d" % kv for kv in sorted(tot.by_kind.items()))))
    L.append("  distinct 200 GET bodies: %d, %.1f MB plain (the cache holds plain and gzip forms up to %.1f MB)"
             % (len(load.plain_sizes), sum(load.plain_sizes.values()) / 1e6, CACHE_SIZE / 1e6))
    L.append("  statuses: %s" % ", ".join("%d: %d" % kv for kv in sorted(tot.status.items())))
    L.append("  2xx/304 %d, 4xx %d (expected, from invalid requests), 5xx %d, socket errors %d, unexpected %d"
             % (sum(v for c, v in tot.status.items() if c < 400), n4xx, n5xx, sum(tot.errors.values()),
                sum(tot.unexpected.values())))
    for key, ex in list(tot.examples.items())[:10]:
        L.append("    e.g. %s" % ex)
    L.append("  server log: %d lines (%.1f MB), %d warn/error%s" % (log_lines, log_size / 1e6, len(warn_lines),
                                                                  ":" if warn_lines else ""))
    for w in warn_lines[:5]:
        L.append("    " + w[:200])
    L.append("  verbatimd exit status on SIGTERM: %s" % rc)
    L.append("")
    L.append("RESULT: " + ("PASS" if not failures else "FAIL"))
    for f in failures[:20]:
        L.append("  - " + f)
    text = "\n".join(L) + "\n"
    sys.stdout.write(text)
    with open(os.path.join(out, "report.txt"), "w") as f:
        f.write(text)
    return 0 if not failures else 1


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "verbatimd"))
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "soak"))
    ap.add_argument("--corpus", default=None, help="articles folder (default OUT/corpus, generated)")
    ap.add_argument("--n", type=int, default=2000, help="articles to generate")
    ap.add_argument("--corpus-seed", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--warmup", type=float, default=None, help="default: 10%% of --seconds, at most 60")
    ap.add_argument("--threads", type=int, default=6)
    ap.add_argument("--rate", type=float, default=0, help="requests per second in all, 0 for as fast as it goes")
    ap.add_argument("--targets", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    a.bin = os.path.abspath(a.bin)
    a.out = os.path.abspath(a.out)
    a.corpus_given = a.corpus is not None
    a.corpus = os.path.abspath(a.corpus) if a.corpus else os.path.join(a.out, "corpus")
    return a


def main(argv=None):
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(128 + s))
    try:
        return run(parse_args(argv))
    except Failure as e:
        sys.stdout.write("RESULT: FAIL\n  - %s\n" % e)
        return 1
    finally:
        for p in reversed(_children):
            try:
                stop(p, 5.0)
            except Exception:
                pass


if __name__ == "__main__":
    sys.exit(main())
