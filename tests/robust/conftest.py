"""Fixtures of the robustness tests: the API tests' server fixtures (imported
from tests/api/conftest.py), plus what abuse, crash and failure tests need:
servers started under a wrapper (prlimit, unshare) or with a pre-exec hook,
generated corpora, RSS, the sqlite3 CLI, a per-test deadline, and the list of
known server bugs.

Run from the repository root: `pytest-3 tests/robust` (after `make`), or
`make robust` / `make robust-full`. Environment:
  VERBATIM_BIN     the binary (default build/verbatimd)
  ROBUST_FULL=1    the long variants (same as --robust-full)
  ROBUST_STRICT=1  known server bugs fail instead of xfail
  ROBUST_SEED=N    seed of the random choices (default 20261124)
"""

import importlib.util
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
API_DIR = REPO / "tests" / "api"
if str(API_DIR) not in sys.path:
    sys.path.insert(0, str(API_DIR))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

# tests/api/conftest.py checks every exchange of helpers.request against
# docs/openapi.json: the contract is the API tests' business; here requests
# are abuse on purpose (ROBUST_OPENAPI_CHECK=1 keeps the checks on).
if os.environ.get("ROBUST_OPENAPI_CHECK") != "1":
    os.environ["VERBATIM_OPENAPI_CHECK"] = "off"

# tests/api/conftest.py under another module name (ours is "conftest").
_spec = importlib.util.spec_from_file_location("verbatim_api_conftest", API_DIR / "conftest.py")
api = importlib.util.module_from_spec(_spec)
sys.modules["verbatim_api_conftest"] = api
_spec.loader.exec_module(api)


ARTICLES = api.ARTICLES
GENERATE = REPO / "bench" / "generate.py"
DEFAULT_DEADLINE = 120
SEED = int(os.environ.get("ROBUST_SEED", "20261124"))
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (info|warn|error|debug) ")

# ---------------------------------------------------------------- known bugs
# Server bugs these tests found. A test that shows one is marked with
# known_bug(ID): it xfails (strict) while the bug is there, and fails with
# "XPASS(strict)" once the server is fixed: then delete the marker. With
# ROBUST_STRICT=1 the markers are ignored and the tests simply fail.
KNOWN_BUGS = {}
# Found by these tests and fixed since (their tests now guard them):
#   slowloris               a connection trickling header bytes faster than --timeout was never closed
#                           (libmicrohttpd restarts its idle timer at each byte): now a request deadline
#   raw-non-utf8-503        raw non-UTF-8 bytes in a target gave 503 'out of memory' (fixed before fbc1b42)
#   detail-cut              the problem detail stopped at the first non-UTF-8 byte (fbc1b42)
#   sigxfsz                 a write over RLIMIT_FSIZE killed serve with SIGXFSZ (fbc1b42)
#   json-log-escape (part)  JSON logs wrote control characters as \xNN, not JSON (fbc1b42)
#   corrupt-db-path-cut     the corrupt-database line cut the path at 60 characters (fbc1b42)
#   aside-overwrite         two corrupt files in one second: the second rename destroyed the first (fbc1b42)
#   non-utf8-name           a file whose name is not UTF-8 loaded as an article without "id" (3e62ab3)
#   io-error-reason         a failed load logged 'disk I/O error' without the system error (fbc1b42)
#   sigterm-cuts-keepalive  after SIGTERM keep-alive connections kept bringing requests, the drain took
#                           the whole 10 s grace and MHD_stop_daemon cut answers in progress (fbc1b42)


def known_bug(bug_id, strict=True):
    """strict=False for a race that a run may miss: its test may XPASS."""
    assert bug_id in KNOWN_BUGS, bug_id
    if os.environ.get("ROBUST_STRICT") == "1":
        return pytest.mark.known_bug(bug_id)  # a plain label: the test fails while the bug is there
    # raises=AssertionError: a test that breaks otherwise (a timeout, a
    # missing log line: LogTimeout) is an error, not the known bug.
    return pytest.mark.xfail(strict=strict, raises=AssertionError,
                             reason=f"server bug [{bug_id}]: {KNOWN_BUGS[bug_id]}")


# ---------------------------------------------------------------- options

def pytest_addoption(parser):
    parser.addoption("--robust-full", action="store_true", default=False,
                     help="run the long variants (25 kill -9 trials, 20,000 random requests)")


def is_full(config):
    return config.getoption("--robust-full") or os.environ.get("ROBUST_FULL") == "1"


def pytest_configure(config):
    config.addinivalue_line("markers", "deadline(seconds): per-test time limit")


def pytest_sessionstart(session):
    api.pytest_sessionstart(session)


def pytest_collection_modifyitems(config, items):
    if is_full(config):
        return
    skip = pytest.mark.skip(reason="long variant: run with --robust-full (make robust-full)")
    for item in items:
        if item.get_closest_marker("full"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def full(pytestconfig):
    """True in the long mode (make robust-full)."""
    return is_full(pytestconfig)


class DeadlineExceeded(BaseException):
    """Raised by SIGALRM in the main thread; a BaseException so that no
    `except OSError` (socket.timeout is TimeoutError) swallows it."""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Each test stops by itself: SIGALRM after its deadline (marker
    deadline(N), default 120 s; doubled in full mode)."""
    m = item.get_closest_marker("deadline")
    seconds = int(m.args[0]) if m else DEFAULT_DEADLINE

    def on_alarm(signum, frame):
        raise DeadlineExceeded(f"{item.nodeid}: over its deadline of {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# ---------------------------------------------------------------- servers

class LogTimeout(RuntimeError):
    """An expected log line did not come (not an AssertionError, so that it
    never passes for a known bug's xfail)."""


class RobustServer(api.Server):
    """api.Server, plus: a command prefix (prlimit, unshare ...), a pre-exec
    hook, no wait for readiness when asked, RSS and log helpers."""

    def __init__(self, workdir, articles, args=(), env=None, db=None, prefix=(), preexec_fn=None,
                 shell_wrap=None):
        super().__init__(workdir, articles, args=args, env=env, db=db)
        self.prefix = list(prefix)
        self.preexec_fn = preexec_fn
        self.shell_wrap = shell_wrap  # "mount ... && exec {cmd}": run the command through sh -c
        self._out = self._err = None

    def command(self):
        cmd = [str(api.binary()), "serve", "--articles", str(self.articles), "--db", str(self.db),
               "--listen", f"{self.host}:{self.port}"] + self.args
        if self.shell_wrap:
            import shlex
            cmd = ["sh", "-c", self.shell_wrap.format(cmd=" ".join(shlex.quote(c) for c in cmd))]
        return self.prefix + cmd

    def start(self, wait=True):
        self.cmd = self.command()
        self._out = open(self.stdout_path, "wb")
        self._err = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(self.cmd, stdout=self._out, stderr=self._err, stdin=subprocess.DEVNULL,
                                     env=api.clean_env(self.extra_env), preexec_fn=self.preexec_fn)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=api.READY_TIMEOUT):
        """Ready, and the first load's log line is out (info lines are
        flushed every 200 ms): later waits for log lines see only new ones."""
        super().wait_ready(timeout)
        self.wait_log(r'(info |"level":"info","msg":")loaded |load failed', timeout=5)

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def rss_kb(self):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def wait_exit(self, timeout):
        """Waits for the process to end; returns its status, or None."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self._close_files()
        self.returncode = rc
        return rc

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close_files()
        self.returncode = self.proc.returncode

    def log_lines(self):
        return self.stderr().splitlines()

    def wait_log(self, pattern, timeout=20.0, after=0):
        """Waits until a stderr line (from index `after`) matches pattern; returns it."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.log_lines()[after:]:
                if rx.search(line):
                    return line
            if not self.alive():
                break
            time.sleep(0.05)
        raise LogTimeout(f"no log line matching {pattern!r} within {timeout} s "
                             f"(alive: {self.alive()}, status {self.proc.poll()})\n{self.stderr()[-3000:]}")


class Factory:
    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.servers = []

    def __call__(self, articles=None, args=(), env=None, wait=True, db=None, **kw):
        srv = RobustServer(self.tmp_path / f"server{len(self.servers)}", articles or ARTICLES, args=args,
                           env=env, db=db, **kw)
        self.servers.append(srv)
        return srv.start(wait=wait)

    def stop_all(self):
        """Stops what still runs; each must exit 0 on SIGTERM. A server a
        test killed, or that died, was judged by the test itself."""
        failures = []
        for srv in self.servers:
            try:
                if srv.proc is None or srv.returncode is not None or srv.proc.poll() is not None:
                    srv._close_files()
                    continue
                rc = srv.stop(check=False)
                if rc != 0:
                    failures.append(f"{srv.cmd}: exit {rc} after SIGTERM\n{srv.stderr()[-2000:]}")
            except Exception as e:  # noqa: BLE001 - stop the others whatever happens
                failures.append(f"stopping {getattr(srv, 'cmd', '?')}: {e!r}")
                if srv.proc is not None and srv.proc.poll() is None:
                    srv.proc.kill()
                    srv.proc.wait()
        assert not failures, "\n".join(failures)


@pytest.fixture
def make_server(tmp_path):
    """Factory of servers (RobustServer); those still running at the end get
    SIGTERM and must exit 0."""
    factory = Factory(tmp_path)
    yield factory
    factory.stop_all()


@pytest.fixture(scope="module")
def module_servers(tmp_path_factory):
    """The same factory for servers shared by a module's tests."""
    factory = Factory(tmp_path_factory.mktemp("module-servers"))
    yield factory
    factory.stop_all()


# ---------------------------------------------------------------- corpora

def copy_tree(src, dest):
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for f in Path(src).iterdir():
        shutil.copyfile(f, dest / f.name)
    return dest


def _generate_by_copying(n, seed, out):
    """Fallback when bench/generate.py is missing: the seed articles under
    new names, each with a small edit (a sentence with a quote)."""
    rng = random.Random(seed)
    src = [f.read_text(encoding="utf-8") for f in sorted(ARTICLES.glob("*.txt"))]
    for i in range(n):
        text = src[i % len(src)]
        text += (f"\n\n« Nous avons reçu le courrier numéro {seed}-{i} », a déclaré Jean Martin "
                 f"{rng.randrange(10**6)}.\n")
        (out / f"g{seed}_{i:06d}.txt").write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
def corpus_cache(tmp_path_factory):
    """generated(n, seed) -> a folder of n generated articles (read-only:
    copy it before changing it). Made once per (n, seed) per session."""
    root = tmp_path_factory.mktemp("corpora")
    made = {}

    def generated(n, seed):
        key = (n, seed)
        if key not in made:
            out = root / f"n{n}-s{seed}"
            if GENERATE.is_file():
                r = subprocess.run(["/usr/bin/python3", str(GENERATE), "--n", str(n), "--out", str(out),
                                    "--seed", str(seed)], capture_output=True, timeout=300)
                assert r.returncode == 0, r.stderr.decode(errors="replace")
            else:
                out.mkdir(parents=True)
                _generate_by_copying(n, seed, out)
            files = sorted(out.glob("*.txt"))
            assert len(files) == n, (out, len(files))
            made[key] = out
        return made[key]

    return generated


# ---------------------------------------------------------------- tools

def need_tool(name):
    path = shutil.which(name)
    if not path:
        pytest.skip(f"{name} is not installed (apt-get install {name})")
    return path


def sqlite(db, sql, timeout=60):
    """Runs sql with the sqlite3 CLI; returns stdout lines."""
    need_tool("sqlite3")
    r = subprocess.run(["sqlite3", "-batch", str(db), sql], capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"sqlite3 {db} {sql!r}: {r.stderr}"
    return r.stdout.splitlines()


def poll(fn, what, timeout=20.0, interval=0.05):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


def control_bytes(data):
    """Positions and values of bytes < 0x20 other than \\n, and 0x7F."""
    return [(i, b) for i, b in enumerate(data) if (b < 0x20 and b != 0x0A) or b == 0x7F]


def report(name, **figures):
    """Prints a figure line (shown with -s, and collected in the summary
    file build/robust-figures.txt when ROBUST_FIGURES names one)."""
    line = f"[robust] {name}: " + ", ".join(f"{k}={v}" for k, v in figures.items())
    print(line)
    path = os.environ.get("ROBUST_FIGURES")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(line + "\n")
