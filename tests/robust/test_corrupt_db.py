"""A database file that is not a usable verbatim database at start: a clear
error log line naming it, the file moved aside (never destroyed), a rebuild
from the articles, never a crash."""

import random
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest

from conftest import SEED, api, report, sqlite

RANDOM = random.Random(SEED + 5)


def random_bytes(db):
    db.write_bytes(bytes(RANDOM.randrange(256) for _ in range(64 * 1024)))


def sqlite_header_then_garbage(db):
    db.write_bytes(b"SQLite format 3\x00" + bytes(RANDOM.randrange(256) for _ in range(32 * 1024)))


def other_schema(db):
    con = sqlite3.connect(db)
    con.executescript("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL, customer TEXT);"
                      "INSERT INTO invoices (amount, customer) VALUES (12.5, 'ACME'), (99.0, 'Initech');")
    con.commit()
    con.close()


def other_schema_with_articles_table(db):
    con = sqlite3.connect(db)
    con.executescript("CREATE TABLE articles (id TEXT, text TEXT); INSERT INTO articles VALUES ('x', 'y');"
                      "CREATE TABLE meta (key TEXT, value TEXT); INSERT INTO meta VALUES ('schema', 'other-9');")
    con.commit()
    con.close()


def truncated_verbatim_db(db):
    r = api.run_cli("ingest", "--articles", api.ARTICLES, "--db", db)
    assert r.returncode == 0, r.stderr
    sqlite(db, "PRAGMA wal_checkpoint(TRUNCATE);")
    for suffix in ("-wal", "-shm"):
        p = db.with_name(db.name + suffix)
        if p.exists():
            p.unlink()
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])


def scribbled_verbatim_db(db):
    r = api.run_cli("ingest", "--articles", api.ARTICLES, "--db", db)
    assert r.returncode == 0, r.stderr
    sqlite(db, "PRAGMA wal_checkpoint(TRUNCATE);")
    data = bytearray(db.read_bytes())
    for page in range(2, len(data) // 4096):  # every page but the first: headers of b-tree pages
        data[page * 4096: page * 4096 + 64] = bytes(RANDOM.randrange(256) for _ in range(64))
    db.write_bytes(bytes(data))


CASES = {
    "random bytes": random_bytes,
    "SQLite header then garbage": sqlite_header_then_garbage,
    "SQLite database of another schema": other_schema,
    "another schema with a table named articles": other_schema_with_articles_table,
    "verbatim database cut in half": truncated_verbatim_db,
    "verbatim database with scribbled pages": scribbled_verbatim_db,
}


@pytest.mark.deadline(60)
@pytest.mark.parametrize("how", list(CASES))
@pytest.mark.parametrize("command", ["serve", "ingest"])
def test_corrupt_database_at_start_is_moved_aside_and_rebuilt(make_server, request, how, command):
    """The database file is unusable (random bytes, a SQLite header over
    garbage, another application's SQLite file, a verbatim file cut in half
    or with scribbled pages): `serve` (or `ingest`) logs one error or warning
    line naming the file and what is wrong, moves it aside byte for byte
    (another application's data is never destroyed), rebuilds from the
    articles and serves the 5 articles; never a crash."""
    # a short path: the log line names it in full (see the test below for long ones)
    dbdir = Path(tempfile.mkdtemp(prefix="vb-", dir="/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(dbdir, ignore_errors=True))
    db = dbdir / "verbatim.db"
    CASES[how](db)
    original = db.read_bytes()
    if command == "serve":
        srv = make_server(db=db)
        assert srv.get_json("/readyz")["articles"] == 5
        assert srv.stop(check=False) == 0, srv.stderr()
        log = srv.stderr()
    else:
        r = api.run_cli("ingest", "--articles", api.ARTICLES, "--db", db)
        log = r.stderr.decode(errors="replace")
        assert r.returncode == 0, log
        assert b"5 files" in r.stdout, r.stdout
    named = [line for line in log.splitlines() if str(db) in line and (" error " in line or " warn " in line)]
    assert len(named) == 1, f"expected one error/warn line naming {db}:\n{log}"
    aside = [p for p in dbdir.iterdir() if ".corrupt" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert len(aside) == 1, list(dbdir.iterdir())
    assert aside[0].read_bytes() == original, "the unusable file was changed, not just moved aside"
    assert sqlite(db, "PRAGMA integrity_check;") == ["ok"]
    assert sqlite(db, "SELECT count(*) FROM articles;") == ["5"]
    report("corrupt database", case=how, command=command, log=named[0].split(" ", 2)[2][:160])


@pytest.mark.deadline(60)
def test_corrupt_database_log_line_names_long_paths(make_server, tmp_path):
    """The line about an unusable database names the file and where it was
    moved, in full, whatever the length of the path (a path of 120
    characters here)."""
    dbdir = tmp_path / ("d" * 60)
    dbdir.mkdir()
    db = dbdir / "verbatim.db"
    random_bytes(db)
    srv = make_server(db=db)
    assert srv.stop(check=False) == 0
    aside = [p for p in dbdir.iterdir() if ".corrupt" in p.name]
    assert len(aside) == 1
    line = next(line for line in srv.log_lines() if "aside" in line)
    assert str(db) in line and aside[0].name in line, line


@pytest.mark.deadline(60)
def test_empty_database_file_is_just_a_new_database(make_server, tmp_path):
    """A zero-byte database file is a new, empty SQLite database: no error,
    nothing moved aside, the 5 articles load."""
    db = tmp_path / "verbatim.db"
    db.write_bytes(b"")
    srv = make_server(db=db)
    assert srv.get_json("/readyz")["articles"] == 5
    assert not [p for p in tmp_path.iterdir() if ".corrupt" in p.name]
    assert not [line for line in srv.log_lines() if " error " in line]


@pytest.mark.deadline(60)
def test_garbage_wal_next_to_a_good_database(make_server, tmp_path):
    """A -wal file of random bytes next to a good database (a crash during a
    write can leave a torn WAL): SQLite ignores the frames whose checksums
    fail; the database serves its 5 articles and passes integrity_check."""
    db = tmp_path / "verbatim.db"
    r = api.run_cli("ingest", "--articles", api.ARTICLES, "--db", db)
    assert r.returncode == 0
    sqlite(db, "PRAGMA wal_checkpoint(TRUNCATE);")
    db.with_name(db.name + "-wal").write_bytes(bytes(RANDOM.randrange(256) for _ in range(40000)))
    shm = db.with_name(db.name + "-shm")
    if shm.exists():
        shm.unlink()
    srv = make_server(db=db)
    assert srv.get_json("/readyz")["articles"] == 5
    assert srv.stop(check=False) == 0
    assert sqlite(db, "PRAGMA integrity_check;") == ["ok"]


@pytest.mark.deadline(60)
@pytest.mark.parametrize("what", ["a directory", "in a missing folder"])
def test_database_path_that_cannot_be_a_file(tmp_path, what):
    """--db naming a directory, or a file in a folder that does not exist:
    `serve` exits 1 (not a signal) at once with an error line naming the
    path; nothing is renamed."""
    db = tmp_path / "verbatim.db"
    if what == "a directory":
        db.mkdir()
    else:
        db = tmp_path / "no-such-dir" / "verbatim.db"
    before = sorted(p.name for p in tmp_path.iterdir())
    port = api.free_port()
    r = api.run_cli("serve", "--articles", api.ARTICLES, "--db", db, "--listen", f"127.0.0.1:{port}", timeout=20)
    err = r.stderr.decode(errors="replace")
    assert r.returncode == 1, (r.returncode, err)
    assert str(db) in err and " error " in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.deadline(60)
def test_two_unusable_files_in_one_second_are_both_kept(tmp_path):
    """Two unusable database files met in the same second (a restart loop:
    another application keeps writing its file at that path) are both kept
    aside: the second rename must not replace the first one's copy."""
    import time
    db = tmp_path / "verbatim.db"
    while time.time() % 1 > 0.3:  # both runs within one second
        time.sleep(0.05)
    other_schema(db)
    first = db.read_bytes()
    r = api.run_cli("ingest", "--articles", api.ARTICLES, "--db", db)
    assert r.returncode == 0
    for suffix in ("", "-wal", "-shm"):
        p = db.with_name(db.name + suffix)
        if p.exists():
            p.unlink()
    random_bytes(db)
    second = db.read_bytes()
    r = api.run_cli("ingest", "--articles", api.ARTICLES, "--db", db)
    assert r.returncode == 0
    kept = [p.read_bytes() for p in tmp_path.iterdir() if ".corrupt" in p.name
            and not p.name.endswith(("-wal", "-shm"))]
    assert second in kept, "the second file was not kept"
    assert first in kept, "the first file moved aside was overwritten by the second"


@pytest.mark.deadline(60)
def test_foreign_database_in_wal_mode_keeps_its_data_aside(tmp_path):
    """Another application's SQLite database in WAL mode, whose last commits
    are still in its -wal file (it crashed before a checkpoint): moved aside,
    it still holds all its rows (verbatimd's check connection checkpoints the
    WAL when it closes, before the rename and the removal of the -wal)."""
    import subprocess
    import sys
    db = tmp_path / "verbatim.db"
    code = ("import os, sqlite3, sys\n"
            "con = sqlite3.connect(sys.argv[1])\n"
            "con.execute('PRAGMA journal_mode=WAL'); con.execute('PRAGMA wal_autocheckpoint=0')\n"
            "con.execute('CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer TEXT)')\n"
            "con.executemany('INSERT INTO invoices (customer) VALUES (?)', [('c%d' % i,) for i in range(100)])\n"
            "con.commit()\n"
            "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", code, str(db)], check=True, timeout=30)
    assert db.with_name(db.name + "-wal").stat().st_size > 0
    r = api.run_cli("ingest", "--articles", api.ARTICLES, "--db", db)
    assert r.returncode == 0, r.stderr
    aside = [p for p in tmp_path.iterdir() if ".corrupt" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert len(aside) == 1
    copy = tmp_path / "copy"
    copy.mkdir()
    for p in tmp_path.iterdir():
        if p.name.startswith(aside[0].name) and p.is_file():
            shutil.copyfile(p, copy / p.name.replace(aside[0].name, "x.db"))
    rows = sqlite(copy / "x.db", "SELECT count(*) FROM sqlite_master WHERE name = 'invoices';")
    assert rows == ["1"], "the other application's table is gone from the copy kept aside"
    assert sqlite(copy / "x.db", "SELECT count(*) FROM invoices;") == ["100"]
