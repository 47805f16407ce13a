"""Data safety under kill -9: a load killed at a random moment (an `ingest`,
the first load of `serve`, or a SIGHUP reload) leaves a database that passes
PRAGMA integrity_check and holds either the previous complete corpus or the
new complete one, never a mix, never an article without its quotes.

Fast mode: 4 trials on 240/400 articles; --robust-full: 25 trials on
1,200/2,000 articles."""

import os
import random
import shutil
import signal
import subprocess
import time

import pytest

from conftest import SEED, RobustServer, api, report, sqlite
from rawhttp import Conn, request_bytes

MARK = "Ceci est la version B de"


def build_corpora(corpus_cache, root, n_old, seed):
    """A (n_old generated files) and B: a third of A unchanged, a third of A
    edited (a quote appended, with a marker), the last third gone, and
    n_old new files. Returns (A, B, edited ids)."""
    src = corpus_cache(n_old, seed)
    new = corpus_cache(n_old, seed + 1)
    a, b = root / "A", root / "B"
    a.mkdir()
    b.mkdir()
    files = sorted(src.glob("*.txt"))
    third = len(files) // 3
    edited = set()
    for i, f in enumerate(files):
        shutil.copyfile(f, a / f.name)
        if i < third:
            shutil.copyfile(f, b / f.name)
        elif i < 2 * third:
            text = f.read_text(encoding="utf-8")
            (b / f.name).write_text(text + f"\n\n« {MARK} {f.stem}, pour vérifier », a déclaré Marie Curie.\n",
                                    encoding="utf-8")
            edited.add(f.stem)
    for f in sorted(new.glob("*.txt")):
        shutil.copyfile(f, b / f.name)
    return a, b, edited


def ids_of(folder):
    return {p.stem for p in folder.glob("*.txt")}


class Corpora:
    def __init__(self, a, b, edited):
        self.dirs = {"A": a, "B": b}
        self.ids = {"A": ids_of(a), "B": ids_of(b)}
        self.edited = edited
        assert len(self.ids["A"]) != len(self.ids["B"])


def sql_checks(db):
    """integrity_check, and quotes consistent with their articles, in SQL."""
    ic = sqlite(db, "PRAGMA integrity_check;")
    assert ic == ["ok"], f"integrity_check: {ic[:10]}"
    bad = sqlite(db, "SELECT count(*) FROM articles a WHERE a.quote_count != "
                     "(SELECT count(*) FROM quotes q WHERE q.article = a.rowid);")
    assert bad == ["0"], f"{bad} articles whose quote_count differs from their quotes"
    orphans = sqlite(db, "SELECT count(*) FROM quotes WHERE article NOT IN (SELECT rowid FROM articles);")
    assert orphans == ["0"], f"{orphans} quotes without their article"
    fk = sqlite(db, "PRAGMA foreign_key_check;")
    assert fk == [], fk[:5]
    return int(sqlite(db, "SELECT count(*) FROM articles;")[0])


def served_state(tmp, db, corpora, tag):
    """Serves db with no articles folder (the load fails: the database is
    served as it is) and returns "A" or "B" after checking, over HTTP, that
    the whole corpus is one of the two and each article has all its quotes."""
    srv = RobustServer(tmp / f"check-{tag}", tmp / "no-such-folder", db=db)
    try:
        srv.start()
        with Conn(srv.port, timeout=20) as c:
            def get(target):
                c.send(request_bytes("GET", target))
                r = c.read_response()
                assert r.status == 200, (target, r)
                return r.json()
            index = get("/v1")["data"]["corpus"]
            arts, target = [], "/v1/articles?limit=100"
            while target:
                page = get(target)
                arts += page["data"]
                nxt = page["links"]["next"]
                target = nxt[nxt.index("/v1/"):] if nxt else None
            ids = {a["id"] for a in arts}
            state = next((k for k, v in corpora.ids.items() if v == ids), None)
            assert state, (f"served {len(ids)} articles: neither A ({len(corpora.ids['A'])}) nor "
                           f"B ({len(corpora.ids['B'])}); {len(ids - corpora.ids['A'])} not in A, "
                           f"{len(ids - corpora.ids['B'])} not in B")
            assert index["articles"] == len(ids), index
            quotes = 0
            for a in arts:
                full = get(f"/v1/articles/{a['id']}")["data"]
                assert len(full["quotes"]) == full["quote_count"] == a["quote_count"], \
                    (a["id"], len(full["quotes"]), full["quote_count"], a["quote_count"])
                quotes += len(full["quotes"])
                if a["id"] in corpora.edited:
                    assert (MARK in full["body"]) == (state == "B"), (a["id"], state)
            assert index["quotes"] == quotes, (index, quotes)
        log = srv.stderr()
        assert "moved it aside" not in log and "corrupt" not in log, log[-2000:]
    finally:
        rc = srv.stop(check=False)
    assert rc == 0, srv.stderr()[-2000:]
    return state


def ingest(articles, db, timeout=300):
    return api.run_cli("ingest", "--articles", articles, "--db", db, timeout=timeout)


def timed_ingest(articles, db):
    t = time.monotonic()
    r = ingest(articles, db)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    return time.monotonic() - t


@pytest.mark.deadline(900)
def test_kill_9_during_loads(tmp_path, corpus_cache, full, make_server):
    """kill -9 at a random moment of a load, 25 times (fast: 4): during
    `verbatimd ingest`, during the first load of `serve`, and during a
    SIGHUP reload of a running `serve` (its --articles a symlink switched
    between A and B). After each kill: the sqlite3 CLI's integrity_check is
    ok, no quote lacks its article and each article's quote_count equals its
    quotes; served as it is, the corpus is A or B as a whole (ids, edited
    bodies, counts) with every quote of every article; and `verbatimd ingest`
    then completes the interrupted load."""
    trials = 25 if full else 4
    n_old = 1200 if full else 240
    rng = random.Random(SEED + 99)
    corpora = Corpora(*build_corpora(corpus_cache, tmp_path, n_old, 4242))
    db = tmp_path / "db" / "verbatim.db"
    db.parent.mkdir()
    # calibrate: how long a load from one corpus to the other takes
    t_a = timed_ingest(corpora.dirs["A"], db)
    t_ab = timed_ingest(corpora.dirs["B"], db)
    t_ba = timed_ingest(corpora.dirs["A"], db)
    load_time = {"B": t_ab, "A": t_ba}
    state = "A"
    link = tmp_path / "current"
    outcomes = []
    for trial in range(trials):
        target = "B" if state == "A" else "A"
        kind = ("ingest", "serve-start", "sighup")[trial % 3]
        # most kills anywhere in the load, some around its commit
        t = load_time[target]
        delay = rng.uniform(0.0, t) if rng.random() < 0.75 else rng.uniform(0.8 * t, 1.2 * t)
        finished_first = False
        if kind == "ingest":
            proc = subprocess.Popen([str(api.binary()), "ingest", "--articles", str(corpora.dirs[target]),
                                     "--db", str(db)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    env=api.clean_env())
            try:
                time.sleep(delay)
                finished_first = proc.poll() is not None
            finally:
                proc.kill()
                proc.wait()
        elif kind == "serve-start":
            srv = make_server(articles=corpora.dirs[target], db=db, wait=False)
            time.sleep(delay)
            finished_first = "loaded " in srv.stderr()
            srv.kill()
        else:
            if link.is_symlink():
                link.unlink()
            link.symlink_to(corpora.dirs[state])
            srv = make_server(articles=link, db=db)  # loads `state` again: nothing changes
            tmp_link = tmp_path / "current.new"
            tmp_link.symlink_to(corpora.dirs[target])
            os.replace(tmp_link, link)
            srv.wait_log(r"info loaded ")  # the first load's line (info lines are flushed every 200 ms)
            srv.signal(signal.SIGHUP)
            time.sleep(delay)
            lines = srv.log_lines()
            hup = next((i for i, line in enumerate(lines) if "SIGHUP: reloading" in line), None)
            finished_first = hup is not None and any("info loaded " in line for line in lines[hup:])
            srv.kill()
        count = sql_checks(db)
        got = served_state(tmp_path, db, corpora, f"{trial}")
        assert count == len(corpora.ids[got])
        if finished_first:
            assert got == target, f"trial {trial}: the load had finished, yet {got} is served"
        # the interrupted load completes
        t = time.monotonic()
        r = ingest(corpora.dirs[target], db)
        assert r.returncode == 0, r.stderr.decode(errors="replace")
        outcomes.append((kind, round(delay, 2), "new" if got == target else "old", finished_first,
                         round(time.monotonic() - t, 2)))
        assert sql_checks(db) == len(corpora.ids[target])
        state = target
    got = served_state(tmp_path, db, corpora, "final")
    assert got == state
    new = sum(1 for o in outcomes if o[2] == "new")
    report("kill -9 trials", trials=trials, passed=len(outcomes), articles=(len(corpora.ids["A"]),
           len(corpora.ids["B"])), load_s=(round(t_a, 2), round(t_ab, 2), round(t_ba, 2)),
           old_corpus_after_kill=len(outcomes) - new, new_corpus_after_kill=new,
           killed_mid_load=sum(1 for o in outcomes if not o[3]),
           by_kind={k: sum(1 for o in outcomes if o[0] == k) for k in ("ingest", "serve-start", "sighup")})
    print("[robust] kill -9 trials (kind, delay s, corpus after, load seen done, completing ingest s):",
          outcomes)
    assert len(outcomes) == trials
