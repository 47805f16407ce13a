#!/usr/bin/python3
"""test_replicas.py - two verbatimd replicas behind nginx survive losing one.

    make ha-test
    /usr/bin/python3 tests/ha/test_replicas.py [--bin build/verbatimd] [--out build/ha]
        [--duration 15] [--kill-at 5] [--restart-at 8] [--connections 16]

What it does:
  1. starts replicas A and B of `verbatimd serve` on the bundled articles
     (db/articles), each with its own database file under OUT, on free
     loopback ports, and waits for both /readyz;
  2. writes OUT/nginx.conf (an `upstream` of both, passive health checks:
     max_fails/fail_timeout, a short proxy_connect_timeout, GETs retried on
     the other replica on error, timeout, 502 and 503) and starts nginx on a
     free loopback port;
  3. runs wrk (-t1 -c16 -d15s by default, tests/ha/count.lua: counts every
     non-2xx answer) through nginx over a mix of API routes, plain and gzip;
  4. at --kill-at seconds, kill -9 B; at --restart-at, starts B again on the
     same port with the same database file and polls its /readyz;
  5. checks: wrk saw 0 non-2xx and 0 socket errors; nginx logged no non-2xx;
     both replicas took traffic before the kill; B takes traffic again after
     it is ready (nginx's access log names B as the upstream of 200s after
     the restart, and B's own /metrics counts /v1 200s); A and B stop with
     exit 0 on SIGTERM.
Prints the figures (requests, failures, retries, time until B is ready and
until it takes traffic again) and writes them to OUT/report.txt. Exit 0 when
every check passes, 1 otherwise. Needs nginx and wrk (apt-get install nginx
wrk). Every process started here is stopped on exit, and dies with this one
(PR_SET_PDEATHSIG); nothing is ever signalled by name.

Also a pytest test: `pytest-3 tests/ha` runs the same with the defaults.
"""
import argparse
import ctypes
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LUA = os.path.join(ROOT, "tests", "ha", "count.lua")

# Every target answers 200 on the bundled corpus (README's examples).
TARGETS = [
    "/v1",
    "/v1/articles",
    "/v1/articles?date=2020-06&limit=1",
    "/v1/articles/002_c7e1ffec61aa0579",
    "/v1/articles?q=reconnaissance",
    "/v1/dates?granularity=year",
    "/v1/dates/2018-05?limit=1",
    "/v1/speakers?limit=2",
    "/v1/speakers/nicole-ozer",
    "/v1/speakers/nicole-ozer/quotes?limit=1",
    "/v1/quotes?speaker=ozer&q=microsoft",
    "/v1/quotes/004_c91aedd2850b107a-1",
]

# Open-source nginx has passive health checks only (active `health_check` is
# nginx Plus): a replica that fails a request (connection refused or reset,
# timeout, 502, 503) counts one failure; after max_fails within fail_timeout
# it gets no traffic for fail_timeout, then one request probes it again.
# proxy_next_upstream lists what makes nginx retry the request on the other
# replica; `non_idempotent` is left out (off), so only GET/HEAD are retried.
# (The word `off` must not be listed with the others: it turns every retry
# off.) A replica that is starting answers /v1 with 503 until its corpus is
# loaded: http_503 sends that request to the other replica and marks the
# starting one failed for fail_timeout, which is how readiness gates traffic
# here without an active check. nginx keeps fail_timeout in whole seconds:
# a replica marked failed waits fail_timeout to fail_timeout + 1 s for its
# next chance.
NGINX_CONF = """# written by tests/ha/test_replicas.py
worker_processes 2;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format ha '$msec|$status|$upstream_addr|$upstream_status|$request_time|$request_uri';
    access_log {dir}/access.log ha buffer=256k flush=1s;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;

    upstream verbatim {{
        zone verbatim 64k;              # one view of the replicas' health for all workers
        server 127.0.0.1:{a} max_fails={max_fails} fail_timeout={fail_timeout};
        server 127.0.0.1:{b} max_fails={max_fails} fail_timeout={fail_timeout};
        keepalive 16;
        keepalive_timeout 10s;          # below verbatimd's idle --timeout (15 s)
    }}

    server {{
        listen 127.0.0.1:{port};
        keepalive_requests 1000000;
        location / {{
            proxy_pass http://verbatim;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_connect_timeout {connect_timeout};
            proxy_send_timeout 5s;
            proxy_read_timeout 5s;
            proxy_next_upstream {next_upstream};
            proxy_next_upstream_tries 3;
            proxy_next_upstream_timeout 5s;
            proxy_buffers 16 32k;
            proxy_max_temp_file_size 0;
        }}
    }}
}}
"""

T0 = time.monotonic()
_children = []
_libc = ctypes.CDLL(None, use_errno=True)


def log(msg):
    sys.stderr.write("[ha %6.2fs] %s\n" % (time.monotonic() - T0, msg))
    sys.stderr.flush()


class Failure(Exception):
    pass


def _die_with_parent():
    _libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def spawn(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
    p = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, preexec_fn=_die_with_parent)
    _children.append(p)
    return p


def stop(p, sig=signal.SIGTERM, grace=15.0):
    """Signals p (by its own pid) and waits; returns its exit status."""
    if p is None:
        return None
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(grace)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return p.returncode


def stop_all():
    for p in reversed(_children):
        try:
            stop(p, grace=5.0)
        except Exception:
            pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, target, timeout=2.0):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", target)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def wait_status(port, path, proc, timeout, poll=0.01):
    """Wall-clock time (time.time()) when GET path first answers 200."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise Failure("%s exited with %s before %s answered" % (proc.args[0], proc.returncode, path))
        try:
            if get(port, path)[0] == 200:
                return time.time()
        except OSError:
            pass
        time.sleep(poll)
    raise Failure("%s on port %d not 200 after %.0f s" % (path, port, timeout))


def start_replica(a, name, port, db, log_path):
    cmd = [a.bin, "serve", "--articles", a.articles, "--db", db, "--listen", "127.0.0.1:%d" % port]
    err = open(log_path, "a")
    started = time.time()
    p = spawn(cmd, stderr=err)
    err.close()
    return p, started


def v1_200s(port):
    """Sum of verbatim_http_requests_total over /v1 routes with status 200."""
    st, body = get(port, "/metrics")
    if st != 200:
        raise Failure("/metrics of :%d answered %d" % (port, st))
    n = 0
    for line in body.decode().splitlines():
        m = re.match(r'verbatim_http_requests_total\{route="(/v1[^"]*)",status="200"\} (\d+)', line)
        if m:
            n += int(m.group(2))
    return n


def parse_wrk(out):
    m = re.search(r"^WRK_RESULT (.*)$", out, re.M)
    if not m:
        raise Failure("no WRK_RESULT line in wrk's output:\n" + out)
    return {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}


def read_access_log(path):
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("|", 5)
            if len(parts) != 6:
                continue
            rows.append({"t": float(parts[0]), "status": int(parts[1]),
                         "addrs": [x.strip() for x in parts[2].split(",")],
                         "ustatus": [x.strip() for x in parts[3].split(",")],
                         "uri": parts[5]})
    return rows


def run(a):
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            raise Failure("%s not found: apt-get install -y nginx wrk" % tool)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    out = os.path.abspath(a.out)
    if os.path.isdir(out):  # a previous run's: remove it, but never a folder of something else
        if os.listdir(out) and not os.path.exists(os.path.join(out, "nginx.conf")):
            raise Failure("--out %s exists and is not a previous run's folder (no nginx.conf)" % out)
        shutil.rmtree(out)
    for sub in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        os.makedirs(os.path.join(out, sub))
    pa, pb, pn = free_port(), free_port(), free_port()
    while len({pa, pb, pn}) < 3:
        pb, pn = free_port(), free_port()
    db_a, db_b = os.path.join(out, "a.db"), os.path.join(out, "b.db")
    log_a, log_b = os.path.join(out, "a.log"), os.path.join(out, "b.log")

    # 1. the replicas
    A, _ = start_replica(a, "A", pa, db_a, log_a)
    B, _ = start_replica(a, "B", pb, db_b, log_b)
    wait_status(pa, "/readyz", A, 60)
    wait_status(pb, "/readyz", B, 60)
    log("replica A :%d (pid %d), replica B :%d (pid %d): ready" % (pa, A.pid, pb, B.pid))

    # 2. nginx
    conf = os.path.join(out, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(dir=out, a=pa, b=pb, port=pn, max_fails=a.max_fails,
                                  fail_timeout=a.fail_timeout, connect_timeout=a.connect_timeout,
                                  next_upstream=a.next_upstream))
    base = [nginx, "-p", out + "/", "-c", conf, "-e", os.path.join(out, "nginx-error.log")]
    t = subprocess.run(base + ["-t"], capture_output=True, text=True)
    if t.returncode != 0:
        raise Failure("nginx -t: " + t.stderr)
    N = spawn(base + ["-g", "daemon off;"], stderr=open(os.path.join(out, "nginx.stderr"), "w"))
    wait_status(pn, "/v1", N, 20)
    log("nginx :%d (pid %d) -> A, B; config %s" % (pn, N.pid, os.path.relpath(conf, ROOT)))
    for tgt in TARGETS:  # every target answers 200 through nginx before the load
        st, _ = get(pn, tgt)
        if st != 200:
            raise Failure("GET %s through nginx answered %d before the test" % (tgt, st))

    # 3. load, 4. kill -9 B, restart it
    wrk_cmd = ["wrk", "-t1", "-c%d" % a.connections, "-d%ds" % a.duration, "--timeout", "5s",
               "-s", LUA, "http://127.0.0.1:%d" % pn, "--"] + TARGETS
    wrk_out = os.path.join(out, "wrk.txt")
    t_start = time.time()
    W = spawn(wrk_cmd, stdout=open(wrk_out, "w"), stderr=subprocess.STDOUT)
    log("wrk -t1 -c%d -d%ds through nginx, %d targets (plain and gzip)" % (a.connections, a.duration, len(TARGETS)))
    time.sleep(max(0.0, t_start + a.kill_at - time.time()))
    before_kill = v1_200s(pb)
    t_kill = time.time()
    B.send_signal(signal.SIGKILL)
    B.wait()
    log("kill -9 B (pid %d) at t=%.2f s; it had answered %d /v1 200s" % (B.pid, t_kill - t_start, before_kill))
    time.sleep(max(0.0, t_start + a.restart_at - time.time()))
    with open(log_b, "a") as f:
        f.write("---- restart ----\n")
    if a.fresh_db:  # a full load at start: a longer 503 window
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db_b + suffix):
                os.unlink(db_b + suffix)
    B2, t_restart = start_replica(a, "B", pb, db_b, log_b)
    log("restart B (pid %d) at t=%.2f s, same port, %s database" % (B2.pid, t_restart - t_start,
                                                                    "a new" if a.fresh_db else "the same"))
    t_ready = wait_status(pb, "/readyz", B2, 60)
    log("B /readyz 200 after %.3f s" % (t_ready - t_restart))
    samples = []
    while W.poll() is None:
        samples.append((time.time() - t_start, v1_200s(pb)))
        time.sleep(1.0)
    t_end = time.time()
    with open(wrk_out) as f:
        wrk_text = f.read()
    r = parse_wrk(wrk_text)
    b_after = v1_200s(pb)

    # 5. stop: nginx gracefully (SIGQUIT flushes its log), A and B with SIGTERM
    rc_n = stop(N, signal.SIGQUIT)
    rc_a = stop(A)
    rc_b = stop(B2)
    rows = read_access_log(os.path.join(out, "access.log"))
    with open(os.path.join(out, "nginx-error.log")) as f:
        nginx_errors = f.read().splitlines()

    # figures
    addr_a, addr_b = "127.0.0.1:%d" % pa, "127.0.0.1:%d" % pb
    load = [x for x in rows if t_start <= x["t"] <= t_end + 1]
    bad = [x for x in load if not 200 <= x["status"] <= 299]
    # wrk closes its connections at its deadline: the requests then in flight
    # are logged by nginx as 499 (client closed) in the last instant.
    last_t = max((x["t"] for x in load), default=0.0)
    abandoned = [x for x in bad if x["status"] == 499 and x["t"] >= last_t - 0.5]
    bad = [x for x in bad if x not in abandoned]
    retried = [x for x in load if len(x["addrs"]) > 1]

    def served_by(x, addr):
        return x["addrs"][-1] == addr and x["ustatus"][-1] == "200"

    phase = {
        "before kill": [x for x in load if x["t"] < t_kill],
        "B down or starting": [x for x in load if t_kill <= x["t"] < t_ready],
        "after B ready": [x for x in load if x["t"] >= t_ready],
    }
    b_back = [x for x in load if x["t"] >= t_restart and served_by(x, addr_b)]
    t_first_b = b_back[0]["t"] if b_back else None
    b_log_lines = 0
    with open(log_b) as f:
        after = f.read().split("---- restart ----\n", 1)[-1]
        b_log_lines = len(re.findall(r" GET /v1\S* 200 ", after))
    errs = {k: r[k] for k in ("connect", "read", "write", "timeout")}
    rate = r["requests"] / (r["duration_us"] / 1e6)

    lines = []
    lines.append("verbatim HA test: 2 replicas behind nginx, kill -9 one under load")
    lines.append("  nginx :%d  A :%d  B :%d  (max_fails=%d fail_timeout=%s proxy_connect_timeout=%s)"
                 % (pn, pa, pb, a.max_fails, a.fail_timeout, a.connect_timeout))
    lines.append("  proxy_next_upstream %s; articles %s; B restarted on %s database"
                 % (a.next_upstream, os.path.relpath(a.articles, ROOT), "a new" if a.fresh_db else "the same"))
    lines.append("  load: wrk -t1 -c%d -d%ds, %d targets x plain/gzip; kill -9 B at %.2f s, restart at %.2f s"
                 % (a.connections, a.duration, len(TARGETS), t_kill - t_start, t_restart - t_start))
    lines.append("")
    lines.append("  requests (wrk)           %d  (%.0f req/s, p99 %.1f ms, max %.1f ms)"
                 % (r["requests"], rate, r["p99_us"] / 1000, r["max_us"] / 1000))
    lines.append("  non-2xx (wrk)            %d%s" % (r["non2xx"], " (first: %d)" % r["first_bad"] if r["non2xx"] else ""))
    lines.append("  socket errors (wrk)      %d  (connect %d, read %d, write %d, timeout %d)"
                 % (sum(errs.values()), errs["connect"], errs["read"], errs["write"], errs["timeout"]))
    lines.append("  nginx access log         %d requests, %d non-2xx, %d retried on the other replica%s"
                 % (len(load), len(bad), len(retried),
                    " (+%d 499: in flight when wrk stopped)" % len(abandoned) if abandoned else ""))
    for name, xs in phase.items():
        na = sum(1 for x in xs if served_by(x, addr_a))
        nb = sum(1 for x in xs if served_by(x, addr_b))
        lines.append("    %-22s %6d requests: A %6d, B %6d, retried %d"
                     % (name, len(xs), na, nb, sum(1 for x in xs if len(x["addrs"]) > 1)))
    lines.append("  B restart -> /readyz 200 %.3f s" % (t_ready - t_restart))
    if t_first_b is not None:
        lines.append("  B restart -> first 200 via nginx  %.3f s (%.3f s after /readyz)"
                     % (t_first_b - t_restart, t_first_b - t_ready))
    else:
        lines.append("  B restart -> first 200 via nginx  never")
    if t_first_b is not None:
        fails_b = [x for x in load if t_kill <= x["t"] < t_first_b and addr_b in x["addrs"][:-1]]
        if fails_b:
            last = fails_b[-1]
            lines.append("  B's last failed attempt  at %+.3f s from the restart (%s); then out for fail_timeout=%s"
                         " (nginx counts it in whole seconds)"
                         % (last["t"] - t_restart, last["ustatus"][last["addrs"].index(addr_b)], a.fail_timeout))
    b503 = sum(1 for x in load if x["t"] >= t_restart and any(
        ad == addr_b and us == "503" for ad, us in zip(x["addrs"], x["ustatus"])))
    lines.append("  B answered 503 (not ready), retried on A: %d" % b503)
    lines.append("  B after restart          %d requests via nginx; its /metrics: %d /v1 200s; its log: %d lines"
                 % (len(b_back), b_after, b_log_lines))
    lines.append("  B /metrics /v1 200s, by second of the load: "
                 + " ".join("%.0fs:%d" % s for s in samples))
    kinds = {}
    for e in nginx_errors:
        m = re.search(r"\] \d+#\d+: \*\d+ (.*?)(?: while|,)", e)
        key = m.group(1) if m else e[:80]
        key = re.sub(r"\(\d+: ", "(", key)
        kinds[key] = kinds.get(key, 0) + 1
    lines.append("  nginx error log          %d lines%s" % (len(nginx_errors), ":" if kinds else ""))
    for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]):
        lines.append("    %5d  %s" % (v, k))
    lines.append("  exit status on stop      nginx %s, A %s, B %s" % (rc_n, rc_a, rc_b))

    failures = []
    if r["requests"] == 0:
        failures.append("wrk made no request")
    if r["non2xx"]:
        failures.append("%d non-2xx answers reached the client" % r["non2xx"])
    if sum(errs.values()):
        failures.append("%d socket errors at the client" % sum(errs.values()))
    if bad:
        failures.append("nginx logged %d non-2xx answers (first: %s)" % (len(bad), bad[0]))
    pre = phase["before kill"]
    if not any(served_by(x, addr_a) for x in pre) or not any(served_by(x, addr_b) for x in pre):
        failures.append("before the kill, both replicas should take traffic")
    if t_first_b is None:
        failures.append("B never took traffic again after its restart")
    if b_after <= 0 or b_log_lines <= 0:
        failures.append("B's /metrics (%d) or log (%d) shows no /v1 200 after the restart" % (b_after, b_log_lines))
    if t_first_b is not None and t_first_b - t_ready > a.max_back:
        failures.append("B took %.1f s after /readyz to get traffic (limit %.1f s)" % (t_first_b - t_ready, a.max_back))
    if rc_a != 0 or rc_b != 0:
        failures.append("SIGTERM: A exited %s, B exited %s (expected 0)" % (rc_a, rc_b))
    lines.append("")
    lines.append("RESULT: " + ("PASS" if not failures else "FAIL"))
    for f in failures:
        lines.append("  - " + f)
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    with open(os.path.join(out, "report.txt"), "w") as f:
        f.write(text)
    return 0 if not failures else 1


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "verbatimd"))
    ap.add_argument("--articles", default=os.path.join(ROOT, "db", "articles"))
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "ha"))
    ap.add_argument("--duration", type=int, default=15, help="seconds of wrk")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--kill-at", type=float, default=5.0)
    ap.add_argument("--restart-at", type=float, default=8.0)
    ap.add_argument("--max-fails", type=int, default=1)
    ap.add_argument("--fail-timeout", default="1s")
    ap.add_argument("--connect-timeout", default="250ms")
    ap.add_argument("--next-upstream", default="error timeout http_502 http_503",
                    help="nginx proxy_next_upstream flags")
    ap.add_argument("--fresh-db", action="store_true",
                    help="restart B on a new database (a full load: /v1 answers 503 for longer)")
    ap.add_argument("--max-back", type=float, default=5.0,
                    help="seconds after B's /readyz within which nginx must send it traffic")
    a = ap.parse_args(argv)
    a.bin = os.path.abspath(a.bin)
    a.articles = os.path.abspath(a.articles)
    if not a.kill_at < a.restart_at < a.duration - 2:
        ap.error("need kill-at < restart-at < duration - 2")
    return a


def main(argv=None):
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(128 + s))
    try:
        return run(parse_args(argv))
    except Failure as e:
        sys.stdout.write("RESULT: FAIL\n  - %s\n" % e)
        return 1
    finally:
        stop_all()


def test_kill_one_replica_under_load():
    assert main([]) == 0


if __name__ == "__main__":
    sys.exit(main())
