"""Fixtures of the black-box API tests: start `verbatimd serve` on a free port.

Run from the repository root: `pytest-3 tests/api` (after `make`).
VERBATIM_BIN overrides the path of the binary (default build/verbatimd).

VERBATIM_BASE_URL=http://HOST:PORT runs the tests against a verbatimd that is
already serving the bundled corpus there (a container, say: `make
container-test`): the session `server` is that one, and the tests that need
a verbatimd of their own (make_server, articles_copy, run_cli) are skipped.

VERBATIM_START_TIMEOUT and VERBATIM_STOP_TIMEOUT (seconds; 20 and 15 by
default) bound the wait for /readyz after a start and for the exit after
SIGTERM; VERBATIM_UNDER_VALGRIND=1 says VERBATIM_BIN runs verbatimd under
valgrind (`make valgrind`, mk/valgrind.mk), 20-50 times slower: a test
that cannot hold under valgrind (one that measures time) may skip itself
then, with its reason, on UNDER_VALGRIND; none needs to at present.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

import helpers
import openapi_check

# Every response the tests get is checked against docs/openapi.json (see
# openapi_check.py): wrap the helpers before anything imports them by name.
openapi_check.install(helpers)
from helpers import request  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
ARTICLES = REPO / "db" / "articles"
GOLD_DIRS = [REPO / "tests" / "gold" / "seeds", Path("/work/shared/corpus/seeds")]


def _seconds(name, default):
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else default
    except ValueError:
        raise RuntimeError(f"{name} must be a number of seconds, not {value!r}")


READY_TIMEOUT = _seconds("VERBATIM_START_TIMEOUT", 20.0)
STOP_TIMEOUT = _seconds("VERBATIM_STOP_TIMEOUT", 15.0)
UNDER_VALGRIND = os.environ.get("VERBATIM_UNDER_VALGRIND", "") not in ("", "0")
BASE_URL = os.environ.get("VERBATIM_BASE_URL", "").strip().rstrip("/")
EXTERNAL_SKIP = ("needs a verbatimd of its own (articles, database, flags, signals or CLI); "
                 "VERBATIM_BASE_URL points at an external one")


def skip_if_external():
    if BASE_URL:
        pytest.skip(EXTERNAL_SKIP)


def binary():
    path = Path(os.environ.get("VERBATIM_BIN", REPO / "build" / "verbatimd"))
    if not path.is_absolute():
        path = (Path.cwd() / path).resolve()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"verbatimd binary not found at {path}: run make first "
                    f"(or set VERBATIM_BIN)", pytrace=False)
    return path


def pytest_sessionstart(session):
    """Stop at once, with one clear message, when there is no binary."""
    if session.config.option.collectonly or BASE_URL:
        return
    path = Path(os.environ.get("VERBATIM_BIN", REPO / "build" / "verbatimd"))
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.exit(f"verbatimd binary not found at {path}: run make first (or set VERBATIM_BIN)",
                    returncode=2)


def pytest_terminal_summary(terminalreporter):
    s = openapi_check.stats
    if openapi_check.ENABLED and s["checked"]:
        terminalreporter.write_line(f"openapi: {s['checked']} responses checked against docs/openapi.json"
                                    + (f" ({s['unchecked']} raw answers to malformed HTTP left to libmicrohttpd)"
                                       if s["unchecked"] else ""))


def clean_env(extra=None):
    """The environment without any VERBATIM_* variable, plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERBATIM_")}
    env.update(extra or {})
    return env


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- gold data

def _load_gold():
    for d in GOLD_DIRS:
        files = sorted(d.glob("*.json"))
        if files:
            return {f.stem: json.loads(f.read_text(encoding="utf-8")) for f in files}
    raise RuntimeError("no gold files found")


GOLD = _load_gold()                      # full id -> gold record
IDS = {i[:3]: i for i in sorted(GOLD)}   # "000" -> "000_82893d1c11ed07a5"
assert len(IDS) == 5 and sorted(p.stem for p in ARTICLES.glob("*.txt")) == sorted(GOLD)


def _sort_ids(ids, descending):
    dated = [i for i in ids if GOLD[i]["date"]]
    undated = sorted(i for i in ids if not GOLD[i]["date"])
    dated.sort(key=lambda i: i)  # ties by id ascending in both directions
    dated.sort(key=lambda i: helpers.first_day(GOLD[i]["date"]), reverse=descending)
    return dated + undated


ORDER_DESC = _sort_ids(list(GOLD), True)   # 003, 000, 001, 002, 004
ORDER_ASC = _sort_ids(list(GOLD), False)   # 002, 001, 000, 003, 004
assert [i[:3] for i in ORDER_DESC] == ["003", "000", "001", "002", "004"]
assert [i[:3] for i in ORDER_ASC] == ["002", "001", "000", "003", "004"]


# ---------------------------------------------------------------- server

class Server:
    """One verbatimd process serving on 127.0.0.1:port."""

    def __init__(self, workdir, articles, args=(), env=None, config_by_env=False, db=None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.articles = Path(articles)
        self.db = Path(db) if db else self.workdir / "verbatim.db"
        self.port = free_port()
        self.host = "127.0.0.1"
        self.base = f"http://{self.host}:{self.port}"
        self.args = list(args)
        self.extra_env = dict(env or {})
        self.config_by_env = config_by_env
        self.stderr_path = self.workdir / f"stderr-{self.port}.log"
        self.stdout_path = self.workdir / f"stdout-{self.port}.log"
        self.proc = None
        self.startup_answers = []  # non-200 answers of /readyz while starting
        self.returncode = None

    # -- lifecycle
    def start(self, wait=True):
        cmd = [str(binary()), "serve"]
        env = dict(self.extra_env)
        if self.config_by_env:
            env.update({"VERBATIM_ARTICLES": str(self.articles), "VERBATIM_DB": str(self.db),
                        "VERBATIM_LISTEN": f"{self.host}:{self.port}"})
        else:
            cmd += ["--articles", str(self.articles), "--db", str(self.db),
                    "--listen", f"{self.host}:{self.port}"]
        cmd += self.args
        self.cmd = cmd
        self._out = open(self.stdout_path, "wb")
        self._err = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self._out, stderr=self._err,
                                     stdin=subprocess.DEVNULL, env=clean_env(env))
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=READY_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"verbatimd exited with {self.proc.returncode} before being ready\n"
                            f"command: {self.cmd}\nstderr:\n{self.stderr()}", pytrace=False)
            try:
                r = request(self.host, self.port, "/readyz", timeout=2)
            except OSError:
                time.sleep(0.05)
                continue
            if r.status == 200:
                return
            self.startup_answers.append(r)
            time.sleep(0.05)
        pytest.fail(f"verbatimd not ready after {timeout} s\ncommand: {self.cmd}\n"
                    f"stderr:\n{self.stderr()}", pytrace=False)

    def signal(self, sig):
        os.kill(self.proc.pid, sig)

    def stop(self, check=True):
        """SIGTERM, wait, and (check) assert a clean exit 0."""
        if self.proc is None or self.returncode is not None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self._close_files()
                self.returncode = self.proc.returncode
                if check:
                    pytest.fail(f"verbatimd did not exit within {STOP_TIMEOUT} s of SIGTERM\n"
                                f"stderr:\n{self.stderr()}", pytrace=False)
                return self.returncode
        self._close_files()
        self.returncode = self.proc.returncode
        if check:
            assert self.returncode == 0, (f"verbatimd exited with {self.returncode} after SIGTERM\n"
                                          f"stderr:\n{self.stderr()}")
        return self.returncode

    def _close_files(self):
        for f in (self._out, self._err):
            try:
                f.close()
            except Exception:
                pass

    def stderr(self):
        try:
            return self.stderr_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    # -- requests
    def req(self, target, method="GET", headers=None, body=None, timeout=15):
        if target.startswith("http://") or target.startswith("https://"):
            assert target.startswith(self.base + "/"), (target, self.base)
            target = target[len(self.base):]
        return request(self.host, self.port, target, method=method, headers=headers,
                       body=body, timeout=timeout)

    def get(self, target, headers=None):
        return self.req(target, headers=headers)

    def get_json(self, target, status=200, headers=None):
        r = self.get(target, headers=headers)
        assert r.status == status, r
        return r.json()

    def walk(self, target, max_pages=500):
        """Follows links.next from target; checks every page's envelope and
        Link header. Returns (items, pages)."""
        items, pages = [], []
        r = self.get(target)
        while True:
            assert r.status == 200, r
            body = r.json()
            assert set(body) >= {"data", "meta", "links"}, body
            nxt = body["links"]["next"]
            assert (nxt is None) == (body["meta"]["next"] is None), body
            assert helpers.parse_link_next(r.headers.get("link")) == nxt, (r.headers.get("link"), nxt)
            items.extend(body["data"])
            pages.append(body)
            if nxt is None:
                break
            assert len(pages) < max_pages, "too many pages"
            r = self.get(nxt)
        return items, pages


class ExternalServer(Server):
    """A verbatimd someone else started, at VERBATIM_BASE_URL: requests only."""

    def __init__(self, base_url):
        url = urllib.parse.urlsplit(base_url)
        if url.scheme != "http" or not url.hostname or url.path not in ("", "/") or url.query:
            pytest.fail(f"VERBATIM_BASE_URL must be http://HOST[:PORT], not {base_url!r}", pytrace=False)
        self.host = url.hostname
        self.port = url.port or 80
        self.base = f"http://{url.netloc}"
        self.proc = None
        self.returncode = None
        self.startup_answers = []
        self.cmd = ["(external)", self.base]

    def start(self, wait=True):
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=READY_TIMEOUT):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                r = request(self.host, self.port, "/readyz", timeout=2)
                if r.status == 200:
                    return
                last = r
            except OSError as exc:
                last = exc
            time.sleep(0.1)
        pytest.fail(f"no verbatimd ready at {self.base} (VERBATIM_BASE_URL) after {timeout} s: {last!r}",
                    pytrace=False)

    def signal(self, sig):
        pytest.skip(EXTERNAL_SKIP)

    def stop(self, check=True):
        return None

    def stderr(self):
        return ""


class ServerFactory:
    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.servers = []

    def __call__(self, articles=None, args=(), env=None, config_by_env=False, wait=True, db=None):
        n = len(self.servers)
        srv = Server(self.tmp_path / f"server{n}", articles or ARTICLES, args=args, env=env,
                     config_by_env=config_by_env, db=db)
        self.servers.append(srv)
        return srv.start(wait=wait)

    def stop_all(self):
        for srv in self.servers:
            srv.stop(check=True)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """verbatimd serving the shipped corpus (db/articles), for read-only tests;
    the one at VERBATIM_BASE_URL when that is set."""
    if BASE_URL:
        yield ExternalServer(BASE_URL).start()
        return
    srv = Server(tmp_path_factory.mktemp("session-server"), ARTICLES)
    srv.start()
    yield srv
    srv.stop(check=True)


@pytest.fixture
def make_server(tmp_path):
    """Factory of function-scoped servers; each is stopped (exit 0 asserted)."""
    skip_if_external()
    factory = ServerFactory(tmp_path)
    yield factory
    factory.stop_all()


@pytest.fixture
def articles_copy(tmp_path):
    """A writable copy of db/articles."""
    skip_if_external()
    dest = tmp_path / "articles"
    dest.mkdir()
    for f in ARTICLES.glob("*.txt"):
        shutil.copyfile(f, dest / f.name)
    return dest


@pytest.fixture(scope="session")
def corpus(server):
    """The whole corpus as the session server serves it: articles by id, all
    quotes in list order, all speakers."""
    articles = {}
    for aid in GOLD:
        articles[aid] = server.get_json(f"/v1/articles/{aid}")["data"]
    quotes, _ = server.walk("/v1/quotes?limit=100")
    speakers, _ = server.walk("/v1/speakers?limit=100")
    return {"articles": articles, "quotes": quotes, "speakers": speakers}


def run_cli(*args, env=None, timeout=60):
    skip_if_external()
    return subprocess.run([str(binary()), *map(str, args)], capture_output=True,
                          env=clean_env(env), timeout=timeout, stdin=subprocess.DEVNULL)
