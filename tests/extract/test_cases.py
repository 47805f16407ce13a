"""Data-driven extractor cases: one folder per construction, French and English.

Run from the repository root, after `make`: `pytest-3 tests/extract`.

Each folder of tests/extract/cases holds
  input.txt      a short invented news story (a headline, then paragraphs);
  expected.json  {"quotes": [{"text", "speaker", "kind", "aliases"?}, ...]}:
                 every quote of the story, in order, by the rules of the
                 corpus's ANNOTATION.md;
  KNOWN_GAP      (optional) one line saying what the extractor gets wrong.

`verbatimd extract` runs on every input.txt, and each case checks:
  * as many quotes as expected;
  * each text equal to the expected one after folding white space (a mark
    that reopens the quote at the start of a paragraph is typography, not
    words, and is left out of the comparison);
  * each speaker equal to the expected one (or one of its aliases) after
    folding case and accents, or, for a person, to the last name alone;
    a null speaker expected means none found;
  * the speaker's kind, when the expected one is given;
  * offsets: body[start:end], in code points, is exactly the quote's text.

A case with a KNOWN_GAP file is reported as xfail with its reason when it
fails, and as a failure when it passes (the gap is closed: delete the file).
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent / "cases"

sys.path.insert(0, str(REPO / "tests" / "accuracy"))
from accuracy import name_tokens  # noqa: E402  (the scorer's folding of names)

REOPENING_MARK = re.compile(r"\n\s*[«“\"„‹]\s*")


def case_names():
    return sorted(p.name for p in CASES.iterdir() if (p / "input.txt").is_file())


def binary():
    path = Path(os.environ.get("VERBATIM_BIN") or REPO / "build" / "verbatimd")
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"verbatimd binary not found at {path}: run make first (or set VERBATIM_BIN)",
                    pytrace=False)
    return path


@pytest.fixture(scope="module")
def extracted():
    """{case name: the article object printed by `verbatimd extract`}."""
    names = case_names()
    paths = [str(CASES / n / "input.txt") for n in names]
    run = subprocess.run([str(binary()), "extract", *paths], capture_output=True, timeout=120)
    assert run.returncode == 0, f"verbatimd extract failed ({run.returncode}): {run.stderr.decode()[-2000:]}"
    articles = json.loads(run.stdout)
    assert len(articles) == len(names)
    return dict(zip(names, articles))


def fold_text(text):
    return " ".join(REOPENING_MARK.sub(" ", text or "").split())


def speaker_matches(got_name, expected):
    """Case- and accent-folded equality with the name or an alias, or the
    last name alone for a person."""
    if got_name is None:
        return False
    got = name_tokens(got_name)
    for form in [expected["speaker"], *(expected.get("aliases") or [])]:
        want = name_tokens(form)
        if got == want:
            return True
        if expected.get("kind") == "person" and len(got) == 1 and want and got[0] == want[-1]:
            return True
    return False


def describe(quotes):
    lines = []
    for q in quotes:
        sp = q.get("speaker")
        name = sp.get("name") if isinstance(sp, dict) else sp
        kind = sp.get("kind") if isinstance(sp, dict) else q.get("kind")
        lines.append(f"    «{fold_text(q.get('text'))}» — {name!r} ({kind})")
    return "\n".join(lines) or "    (none)"


def problems(article, expected):
    """Every way the extraction differs from the expected quotes."""
    if article.get("error"):
        return [f"extract failed: {article['error']}"]
    found = article.get("quotes") or []
    body = article.get("body") or ""
    out = []

    # Offsets locate the text, whatever else is wrong.
    for i, q in enumerate(found, 1):
        off = q.get("offsets") or {}
        start, end = off.get("start"), off.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(body)):
            out.append(f"quote {i}: bad offsets {off!r} (body has {len(body)} code points)")
        elif body[start:end] != q.get("text"):
            out.append(f"quote {i}: body[{start}:{end}] is {body[start:end]!r}, text is {q.get('text')!r}")

    if len(found) != len(expected):
        out.append(f"{len(found)} quotes found, {len(expected)} expected\n"
                   f"  found:\n{describe(found)}\n  expected:\n{describe(expected)}")
        return out

    for i, (q, e) in enumerate(zip(found, expected), 1):
        if fold_text(q.get("text")) != fold_text(e["text"]):
            out.append(f"quote {i}: text\n    found    «{fold_text(q.get('text'))}»\n"
                       f"    expected «{fold_text(e['text'])}»")
        sp = q.get("speaker") if isinstance(q.get("speaker"), dict) else None
        name = sp.get("name") if sp else None
        if e.get("speaker") is None:
            if name is not None:
                out.append(f"quote {i}: speaker {name!r} found, none expected")
            continue
        if not speaker_matches(name, e):
            out.append(f"quote {i}: speaker {name!r} found, {e['speaker']!r} expected")
        elif e.get("kind") and (sp or {}).get("kind") != e["kind"]:
            out.append(f"quote {i}: kind {(sp or {}).get('kind')!r} found, {e['kind']!r} expected")
    return out


@pytest.mark.parametrize("name", case_names())
def test_case(extracted, name):
    folder = CASES / name
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))["quotes"]
    found = problems(extracted[name], expected)
    gap_file = folder / "KNOWN_GAP"
    if gap_file.is_file():
        reason = gap_file.read_text(encoding="utf-8").strip()
        if found:
            pytest.xfail(f"KNOWN_GAP: {reason} | now: " + "; ".join(" ".join(p.split()) for p in found))
        pytest.fail(f"{name} passes now: delete its KNOWN_GAP file ({reason})", pytrace=False)
    if found:
        pytest.fail(f"{name}:\n" + "\n".join(found), pytrace=False)


def test_every_case_is_well_formed():
    """Every folder has both files; every expected text stands in the input."""
    for name in case_names():
        folder = CASES / name
        assert (folder / "expected.json").is_file(), f"{name}: no expected.json"
        raw = (folder / "input.txt").read_text(encoding="utf-8")
        if "mojibake" in name:
            # The input is UTF-8 decoded once as a Windows code page and saved
            # again; the expected texts are those of the repaired text.
            for page in ("cp1252", "cp1250"):
                try:
                    raw = raw.encode(page).decode("utf-8")
                    break
                except (UnicodeEncodeError, UnicodeDecodeError):
                    continue
        text = fold_text(raw)
        data = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
        assert isinstance(data.get("quotes"), list), f"{name}: expected.json has no quotes list"
        for q in data["quotes"]:
            assert set(q) <= {"text", "speaker", "kind", "aliases"}, f"{name}: unknown keys in {q}"
            assert q.get("kind") in (None, "person", "organization", "group", "anonymous"), name
            assert fold_text(q["text"]) in text, f"{name}: «{q['text']}» is not in input.txt"
        gap = folder / "KNOWN_GAP"
        if gap.is_file():
            lines = [l for l in gap.read_text(encoding="utf-8").splitlines() if l.strip()]
            assert len(lines) == 1, f"{name}: KNOWN_GAP should hold one line"
