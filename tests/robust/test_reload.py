"""SIGHUP reloads under load: no failed response, and each response is from
one corpus version (never a mix, never a count that is neither)."""

import re
import shutil
import signal
import subprocess
import threading
import time

import pytest

from conftest import HERE, api, need_tool, poll, report
from rawhttp import get as raw_get

LIMIT = 100


def corpus_version(srv):
    return raw_get(srv.port, "/v1").json()["data"]["corpus"]


@pytest.mark.deadline(120)
def test_sighup_reload_under_wrk(make_server, tmp_path, corpus_cache):
    """wrk -t1 -c16 -d5s on /v1/articles?limit=100 while the server is sent
    SIGHUP again and again, its folder switching between 200 and 300
    articles: every response is 200 with 100 items and meta.total 200 or
    300 (the Lua script counts anything else), wrk sees no socket error,
    each reload bumps the corpus version by one, and once the last reload
    is done the answers show its count (the response cache was emptied)."""
    wrk = need_tool("wrk")
    src = corpus_cache(300, 77)
    files = sorted(src.glob("*.txt"))
    live, extra = tmp_path / "live", tmp_path / "extra"
    live.mkdir()
    extra.mkdir()
    for f in files[:200]:
        shutil.copyfile(f, live / f.name)
    for f in files[200:]:
        shutil.copyfile(f, extra / f.name)
    srv = make_server(articles=live, args=["--threads", "2"])
    v0 = corpus_version(srv)
    assert v0["articles"] == 200
    env = api.clean_env({"OLD_TOTAL": "200", "NEW_TOTAL": "300", "LIMIT": str(LIMIT)})
    proc = subprocess.Popen([wrk, "-t1", "-c16", "-d5s", "--timeout", "5s", "-s", str(HERE / "reload_check.lua"),
                             f"http://127.0.0.1:{srv.port}/v1/articles?limit={LIMIT}"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    reloads, version, added = 0, v0["version"], False
    t0 = time.monotonic()
    time.sleep(0.3)
    while time.monotonic() - t0 < 4.2:
        for f in files[200:]:
            if added:
                (live / f.name).unlink()
            else:
                shutil.copyfile(f, live / f.name)
        added = not added
        srv.signal(signal.SIGHUP)
        want = 300 if added else 200
        poll(lambda: corpus_version(srv)["articles"] == want, f"the reload to {want} articles", timeout=20)
        reloads += 1
        c = corpus_version(srv)
        assert c["version"] == version + 1, (c, version)
        version = c["version"]
        time.sleep(0.2)
    out, _ = proc.communicate(timeout=30)
    out = out.decode(errors="replace")
    m = re.search(r"ROBUST (.*)", out)
    assert m, out
    counts = dict(kv.split("=", 1) for kv in m.group(1).split())
    num = {k: int(v) for k, v in counts.items() if v.lstrip("-").isdigit()}
    final = raw_get(srv.port, f"/v1/articles?limit={LIMIT}").json()["meta"]["total"]
    report("sighup under wrk", reloads=reloads, **counts)
    assert proc.returncode == 0, out
    assert reloads >= 3, reloads
    assert num["requests"] > 100, out
    assert num["non200"] == 0 and num["status"] == 0, out
    assert num["other"] == 0 and num["short"] == 0, out
    assert num["connect"] == num["read"] == num["write"] == num["timeout"] == 0, out
    assert num["old"] > 0 and num["new"] > 0, out
    assert num["old"] + num["new"] >= num["requests"] - 16, out  # every answer checked (but those cut at the end)
    assert final == (300 if added else 200)


@pytest.mark.full
@pytest.mark.deadline(120)
def test_sighup_reload_under_python_load(make_server, tmp_path, corpus_cache):
    """(--robust-full) The same without wrk, from 12 Python threads on keep-alive
    connections, with gzip asked half the time and the If-None-Match of the
    previous answer: every answer is a 304 (the tag still current) or a 200
    with 100 items whose total is the old or the new count; no error, no
    dropped connection."""
    from rawhttp import Conn, request_bytes
    import gzip
    import json
    src = corpus_cache(300, 77)
    files = sorted(src.glob("*.txt"))
    live = tmp_path / "live"
    live.mkdir()
    for f in files[:200]:
        shutil.copyfile(f, live / f.name)
    srv = make_server(articles=live)
    stop = threading.Event()
    results = {"ok": 0, "304": 0, "bad": []}
    lock = threading.Lock()

    def load(i):
        etag = None
        c = Conn(srv.port, timeout=10)
        n = 0
        try:
            while not stop.is_set():
                n += 1
                headers = []
                if i % 2:
                    headers.append(("Accept-Encoding", "gzip"))
                if etag and n % 2:
                    headers.append(("If-None-Match", etag))
                c.send(request_bytes("GET", f"/v1/articles?limit={LIMIT}", headers=headers))
                r = c.read_response()
                if r.status == 304:
                    with lock:
                        results["304"] += 1
                    continue
                body = gzip.decompress(r.body) if r.headers.get("content-encoding") == "gzip" else r.body
                total = json.loads(body)["meta"]["total"] if r.status == 200 else None
                with lock:
                    if r.status == 200 and total in (200, 300) and len(json.loads(body)["data"]) == LIMIT:
                        results["ok"] += 1
                    else:
                        results["bad"].append((r.status, total, body[:200]))
                etag = r.headers.get("etag")
        except Exception as e:  # noqa: BLE001
            with lock:
                results["bad"].append(repr(e))
        finally:
            c.close()

    threads = [threading.Thread(target=load, args=(i,), daemon=True) for i in range(12)]
    for t in threads:
        t.start()
    added = False
    for _ in range(6):
        for f in files[200:]:
            if added:
                (live / f.name).unlink()
            else:
                shutil.copyfile(f, live / f.name)
        added = not added
        srv.signal(signal.SIGHUP)
        want = 300 if added else 200
        poll(lambda: corpus_version(srv)["articles"] == want, f"the reload to {want} articles", timeout=20)
        time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join(15)
    report("sighup under python load", reloads=6, ok=results["ok"], not_modified=results["304"],
           bad=len(results["bad"]))
    assert not results["bad"], results["bad"][:5]
    assert results["ok"] > 100 and results["304"] > 0
