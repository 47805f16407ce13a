"""A write failure during a reload leaves the previous corpus serving, and the
log says why: RLIMIT_FSIZE, a read-only database folder, a full disk. Each
time the server recovers once the cause is gone."""

import os
import re
import resource
import shutil
import signal
import subprocess

import pytest

from conftest import LogTimeout, api, need_tool, report
from rawhttp import get as raw_get

FAILED_LOAD = re.compile(r"load of .* failed \((?P<why>[^)]*)\)")


def corpus(srv):
    return raw_get(srv.port, "/v1").json()["data"]["corpus"]


def seed_copy(tmp_path):
    d = tmp_path / "articles"
    d.mkdir()
    for f in api.ARTICLES.glob("*.txt"):
        shutil.copyfile(f, d / f.name)
    return d


def add_files(dest, src, n):
    for f in sorted(src.glob("*.txt"))[:n]:
        shutil.copyfile(f, dest / f.name)


def ingest(articles, db):
    r = api.run_cli("ingest", "--articles", articles, "--db", db)
    assert r.returncode == 0, r.stderr.decode(errors="replace")


def reload_and_wait(srv, pattern, timeout=30):
    """SIGHUP, then the first log line matching pattern after it."""
    before = len(srv.log_lines())
    srv.signal(signal.SIGHUP)
    return srv.wait_log(pattern, timeout=timeout, after=before)


def assert_previous_corpus_serves(srv, articles=5):
    assert srv.alive(), f"verbatimd died: status {srv.proc.poll()}\n{srv.stderr()[-2000:]}"
    c = corpus(srv)
    assert c["articles"] == articles, c
    r = raw_get(srv.port, "/v1/articles?limit=100")
    assert r.status == 200 and r.json()["meta"]["total"] == articles
    return c


# ------------------------------------------------------------------ RLIMIT_FSIZE

def fsize_limit(db):
    return max(400_000, 2 * sum(p.stat().st_size for p in db.parent.glob(db.name + "*")))


@pytest.mark.deadline(90)
def test_rlimit_fsize_reload_fails_and_the_server_lives(make_server, tmp_path, corpus_cache):
    """Under RLIMIT_FSIZE (set like `prlimit --fsize=N`, SIGXFSZ at its
    default action as a shell leaves it), a reload whose writes go over the
    limit fails: the server does not die of SIGXFSZ, it keeps serving the 5
    articles it had, and logs why the load failed."""
    arts = seed_copy(tmp_path)
    db = tmp_path / "db" / "verbatim.db"
    db.parent.mkdir()
    ingest(arts, db)
    limit = fsize_limit(db)

    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    srv = make_server(articles=arts, db=db, preexec_fn=pre)
    add_files(arts, corpus_cache(300, 5), 300)
    before = len(srv.log_lines())
    srv.signal(signal.SIGHUP)
    try:
        line = srv.wait_log(FAILED_LOAD.pattern, timeout=30, after=before)
    except LogTimeout:
        line = None  # judged below: dead, or alive without the line
    report("rlimit fsize (SIGXFSZ default)", limit=limit, alive=srv.alive(), status=srv.proc.poll())
    assert srv.alive(), f"verbatimd died: status {srv.proc.poll()} (-25 is SIGXFSZ)"
    assert line, srv.stderr()[-2000:]
    assert_previous_corpus_serves(srv)
    assert FAILED_LOAD.search(line)


def fsize_failure(make_server, tmp_path, corpus_cache):
    """A server under a soft RLIMIT_FSIZE with SIGXFSZ ignored, 300 new
    articles and a SIGHUP: returns (server, limit, the failed load's line)."""
    arts = seed_copy(tmp_path)
    db = tmp_path / "db" / "verbatim.db"
    db.parent.mkdir()
    ingest(arts, db)
    limit = fsize_limit(db)

    def pre():  # soft limit only: lifting it later needs no privilege
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    srv = make_server(articles=arts, db=db, preexec_fn=pre)
    add_files(arts, corpus_cache(300, 5), 300)
    return srv, limit, reload_and_wait(srv, FAILED_LOAD.pattern)


@pytest.mark.deadline(90)
def test_rlimit_fsize_with_sigxfsz_ignored(make_server, tmp_path, corpus_cache):
    """The same with SIGXFSZ ignored by the launcher (as a service manager
    may leave it): the load fails with a write error, the log says the load
    failed, why, and that the previous corpus stays; the 5 articles keep
    serving; and once the limit is lifted (prlimit --pid), the next SIGHUP
    loads the 305 articles."""
    need_tool("prlimit")
    srv, limit, line = fsize_failure(make_server, tmp_path, corpus_cache)
    why = FAILED_LOAD.search(line).group("why")
    srv.wait_log(r"previous corpus")
    c = assert_previous_corpus_serves(srv)
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    hard = "unlimited" if hard == resource.RLIM_INFINITY else str(hard)
    subprocess.run(["prlimit", f"--pid={srv.pid}", f"--fsize={hard}:{hard}"], check=True, timeout=10)
    reload_and_wait(srv, r"info loaded ")
    c2 = corpus(srv)
    report("rlimit fsize (SIGXFSZ ignored)", limit=limit, logged_reason=why, served_after_failure=c["articles"],
           after_lifting=c2["articles"])
    assert c2["articles"] == 305 and c2["version"] == c["version"] + 1, c2


@pytest.mark.deadline(90)
def test_failed_load_log_names_the_system_error(make_server, tmp_path, corpus_cache):
    """The log line of a load that failed on a write says which system error
    stopped it (here EFBIG, "File too large"), not only SQLite's generic
    "disk I/O error", so that an operator knows what to fix."""
    srv, _, line = fsize_failure(make_server, tmp_path, corpus_cache)
    log = srv.stderr()
    assert re.search(r"(?i)file too large|EFBIG|RLIMIT_FSIZE", log), line


# ------------------------------------------------------------------ read-only folder

def can_chattr(path):
    if not shutil.which("chattr"):
        return False
    probe = path / ".chattr-probe"
    probe.write_text("x")
    try:
        ok = subprocess.run(["chattr", "+i", str(probe)], capture_output=True).returncode == 0
        subprocess.run(["chattr", "-i", str(probe)], capture_output=True)
        return ok
    finally:
        probe.unlink()


@pytest.mark.deadline(90)
def test_read_only_database_folder(make_server, tmp_path, corpus_cache):
    """The database folder made read-only (its files too) before a SIGHUP:
    the reload fails, the log says why, the 5 articles keep serving; made
    writable again, the next SIGHUP loads the 305. As root, chmod does not
    stop writes, so the folder is made immutable (chattr +i) instead; as
    another user, chmod a-w."""
    arts = seed_copy(tmp_path)
    dbdir = tmp_path / "db"
    dbdir.mkdir()
    db = dbdir / "verbatim.db"
    root = os.geteuid() == 0
    if root and not can_chattr(dbdir):
        pytest.skip("running as root, where chmod does not stop writes, and chattr +i is not available "
                    "(not ext2/3/4 or xfs, or no CAP_LINUX_IMMUTABLE)")
    srv = make_server(articles=arts, db=db, args=["--threads", "2"])
    for _ in range(20):  # every worker opens its read connection now
        assert raw_get(srv.port, "/v1/articles?limit=1").status == 200
    add_files(arts, corpus_cache(300, 5), 300)
    paths = [str(p) for p in sorted(dbdir.iterdir())] + [str(dbdir)]
    how = "chattr +i" if root else "chmod a-w"
    try:
        if root:
            subprocess.run(["chattr", "+i", *paths], check=True, timeout=10)
        else:
            for p in paths:
                os.chmod(p, 0o555 if os.path.isdir(p) else 0o444)
        before = len(srv.log_lines())
        srv.signal(signal.SIGHUP)
        line = srv.wait_log(r"(load of .* failed|info loaded )", timeout=30, after=before)
        failed = FAILED_LOAD.search(line)
        served = corpus(srv)["articles"] if srv.alive() else None
        requests_ok = all(raw_get(srv.port, "/v1/articles?limit=1").status == 200 for _ in range(10)) \
            if srv.alive() else False
    finally:
        if root:
            subprocess.run(["chattr", "-i", *paths], timeout=10)
        else:
            for p in paths:
                os.chmod(p, 0o755 if os.path.isdir(p) else 0o644)
    report("read-only database folder", how=how, load=("failed: " + failed.group("why")) if failed else "succeeded",
           served=served, requests_ok=requests_ok)
    assert srv.alive()
    assert requests_ok
    if root:
        assert failed, f"the load did not fail on an immutable folder: {line}"
    if failed:
        assert served == 5
        srv.wait_log(r"previous corpus")
        reload_and_wait(srv, r"info loaded ")
    assert corpus(srv)["articles"] == 305


# ------------------------------------------------------------------ disk full

def namespace_wrapper():
    """(prefix, nsenter prefix) to run the server in a private mount
    namespace where it may mount a tmpfs; None when not possible."""
    if not (shutil.which("unshare") and shutil.which("nsenter")):
        return None
    if os.geteuid() == 0:
        prefix = ["unshare", "--mount", "--propagation", "private"]
        enter = ["nsenter", "-m", "-t"]
    else:
        prefix = ["unshare", "--user", "--map-root-user", "--mount"]
        enter = ["nsenter", "-U", "-m", "--preserve-credentials", "-t"]
    probe = subprocess.run(prefix + ["sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null || "
                                     "mount -t tmpfs -o size=64k tmpfs \"$HOME\""], capture_output=True)
    if probe.returncode != 0:
        return None
    return prefix, enter


@pytest.mark.deadline(90)
def test_disk_full(make_server, tmp_path, corpus_cache):
    """The database on a small tmpfs (in a private mount namespace), filled up
    after the first load; new articles and a SIGHUP: the load fails, the log
    says the disk is full, the 5 articles keep serving; once space is freed,
    the next SIGHUP loads the 305."""
    wrap = namespace_wrapper()
    if wrap is None:
        pytest.skip("cannot mount a tmpfs in a private mount namespace here (unshare/nsenter missing, "
                    "or neither root nor unprivileged user namespaces)")
    prefix, enter = wrap
    arts = seed_copy(tmp_path)
    mnt = tmp_path / "dbfs"
    mnt.mkdir()
    db = mnt / "verbatim.db"
    srv = make_server(articles=arts, db=db, prefix=prefix,
                      shell_wrap=f"mount -t tmpfs -o size=16m tmpfs '{mnt}' && exec {{cmd}}")

    def inside(cmd):
        return subprocess.run(enter + [str(srv.pid), "sh", "-c", cmd], capture_output=True, text=True, timeout=30)

    fill = inside(f"cat /dev/zero > '{mnt}/filler' 2>/dev/null; df -k '{mnt}' | tail -1")
    assert "100%" in fill.stdout, fill
    add_files(arts, corpus_cache(300, 5), 300)
    line = reload_and_wait(srv, FAILED_LOAD.pattern)
    why = FAILED_LOAD.search(line).group("why")
    srv.wait_log(r"previous corpus")
    c = assert_previous_corpus_serves(srv)
    assert "full" in why, line
    check = inside(f"sqlite3 '{db}' 'PRAGMA integrity_check' 2>&1 || echo no-sqlite3")
    freed = inside(f"rm -f '{mnt}/filler' && df -k '{mnt}' | tail -1")
    assert freed.returncode == 0, freed
    reload_and_wait(srv, r"info loaded ")
    c2 = corpus(srv)
    report("disk full", logged_reason=why, served_after_failure=c["articles"],
           integrity=check.stdout.strip(), after_freeing=c2["articles"])
    assert check.stdout.strip() in ("ok", "no-sqlite3"), check
    assert c2["articles"] == 305
