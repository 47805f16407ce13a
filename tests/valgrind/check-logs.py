#!/usr/bin/python3
"""check-logs.py [DIR] - the verdict of `make valgrind` (mk/valgrind.mk).

Reads every DIR/vg-*.log (default build/valgrind) that
tests/valgrind/verbatimd-under-valgrind.sh made, one per verbatimd process,
and exits 0 only when every one of them is a complete memcheck report (the
process ran to its end: an ERROR SUMMARY and a leak report) with 0 errors
and 0 bytes definitely lost. Then it prints one line:

    valgrind: N verbatimd processes, 0 errors, 0 bytes definitely lost

Otherwise it prints, for each bad log, its file, command, errors, bytes
definitely lost and the start of its first error, and exits 1. A log
without a summary is bad too: its process was killed with SIGKILL (or is
still running), so memcheck could not report on it.
"""

import re
import sys
from pathlib import Path

ERRORS_RE = re.compile(r"ERROR SUMMARY: ([\d,]+) errors? from ([\d,]+) contexts?")
DEFINITE_RE = re.compile(r"definitely lost: ([\d,]+) bytes in ([\d,]+) blocks?")
NO_LEAKS_RE = re.compile(r"All heap blocks were freed -- no leaks are possible")
COMMAND_RE = re.compile(r"^==\d+== Command: (.*)$", re.M)
SIGNAL_RE = re.compile(r"Process terminating with default action of signal (\d+) \((\w+)\)")
PREFIX_RE = re.compile(r"^==\d+== ?", re.M)


def number(text):
    return int(text.replace(",", ""))


def first_error(text, lines=14):
    """The first error block of a log (after the header), a few lines of it."""
    body = PREFIX_RE.sub("", text)
    blocks = [b.strip("\n") for b in re.split(r"\n\s*\n", body)]
    skip = ("Memcheck, a memory error detector", "Copyright", "Using Valgrind", "Command:",
            "Parent PID:", "HEAP SUMMARY:", "LEAK SUMMARY:", "For lists of detected",
            "For counts of detected", "ERROR SUMMARY:", "Reachable blocks", "To see them",
            "All heap blocks were freed", "in use at exit:")
    for b in blocks:
        if b.strip() and not any(s in b for s in skip):
            return "\n".join(b.splitlines()[:lines])
    return ""


def parse(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    m = COMMAND_RE.search(text)
    log = {"file": path, "command": m.group(1) if m else "?", "problems": []}
    e = ERRORS_RE.findall(text)
    log["errors"] = number(e[-1][0]) if e else None
    d = DEFINITE_RE.findall(text)
    if d:
        log["definite"], log["definite_blocks"] = number(d[-1][0]), number(d[-1][1])
    elif NO_LEAKS_RE.search(text):
        log["definite"], log["definite_blocks"] = 0, 0
    else:
        log["definite"] = log["definite_blocks"] = None
    if log["errors"] is None:
        log["problems"].append("no ERROR SUMMARY (process killed with SIGKILL, or still running)")
    elif log["errors"]:
        log["problems"].append(f"{log['errors']} errors")
    if log["definite"] is None:
        log["problems"].append("no leak report")
    elif log["definite"]:
        log["problems"].append(f"{log['definite']} bytes definitely lost in {log['definite_blocks']} blocks")
    s = SIGNAL_RE.search(text)
    if s:
        log["problems"].append(f"terminated by signal {s.group(1)} ({s.group(2)})")
    log["first_error"] = first_error(text) if log["problems"] else ""
    return log


def main(argv):
    logdir = Path(argv[1] if len(argv) > 1 else "build/valgrind")
    paths = sorted(logdir.glob("vg-*.log"))
    if not paths:
        print(f"valgrind: no log in {logdir}/ (did any verbatimd run under "
              f"tests/valgrind/verbatimd-under-valgrind.sh?)", file=sys.stderr)
        return 1
    logs = [parse(p) for p in paths]
    errors = sum(l["errors"] or 0 for l in logs)
    definite = sum(l["definite"] or 0 for l in logs)
    bad = [l for l in logs if l["problems"]]
    if not bad:
        print(f"valgrind: {len(logs)} verbatimd processes, {errors} errors, {definite} bytes definitely lost")
        return 0
    print(f"valgrind: FAILED: {len(bad)} of {len(logs)} verbatimd processes: {errors} errors, "
          f"{definite} bytes definitely lost", file=sys.stderr)
    for l in bad:
        print(f"\n--- {l['file']}: {'; '.join(l['problems'])}", file=sys.stderr)
        print(f"    command: {l['command']}", file=sys.stderr)
        if l["first_error"]:
            for line in l["first_error"].splitlines():
                print(f"    | {line}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
