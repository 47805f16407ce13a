#!/usr/bin/python3
"""Score verbatimd's quotes, speakers and dates against gold files.

usage: accuracy.py [--bin PATH] [--verbose] [--check] [--predictions FILE] GOLD_DIR

GOLD_DIR holds NAME.txt + NAME.json pairs (the .txt may be a symlink). The
script runs `BIN extract` on the NAME.txt files (BIN: build/verbatimd of this
repository, or $VERBATIM_BIN), or with --predictions reads a JSON array shaped
like that output, and scores it by the rules of ANNOTATION.md (the corpus
folder's rule book):

  * texts are compared as words, after folding case, quotation marks,
    apostrophes and white space; a found quote matches a gold quote when their
    word-level F1 is 0.8 or more, each gold quote matching at most one found
    quote (best pairs first);
  * a found quote that matches an optional gold quote, or that has fewer than
    4 words and matches nothing, is not counted;
  * a speaker is right when, folded for case and accents, it equals the gold
    speaker or one of its aliases, or (for a person) is the last name alone.

Printed: quote precision / recall / F1, attribution accuracy (share of matched
quotes whose speaker is right), end-to-end F1 (a match counts only with the
right speaker) and how many publication dates are right. --verbose adds one
line per mistake. --check exits 1 when a figure misses its target (TARGETS).

Standard library only: run it with /usr/bin/python3.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# --check targets: (label, key in the figures, lowest acceptable value).
TARGETS = (
    ("quote F1", "f1", 0.95),
    ("attribution", "attribution", 0.92),
    ("end-to-end F1", "e2e_f1", 0.92),
)
EPSILON = 1e-9          # float noise allowed below a target

MATCH_THRESHOLD = 0.8   # word-level F1 for a found quote to match a gold quote
MIN_COUNTED_WORDS = 4   # an unmatched found quote shorter than this is ignored

# Quotation marks of ANNOTATION.md (plus the reversed double low-9 mark): they
# fold to a space. Typographic apostrophes fold to the ASCII one.
QUOTATION_MARKS = frozenset("«»“”„‟\"‹›")
APOSTROPHES = {"\u2019": "'", "\u2018": "'", "`": "'"}
EDGE_PUNCTUATION = " .,;:!?-–—'"
WORD = re.compile(r"\w+")
SPACES = re.compile(r"\s+")


# ---- folding --------------------------------------------------------------

def fold(text):
    """Compatibility-normalised, lower-cased text with quotation marks dropped,
    apostrophes unified, white space collapsed and edge punctuation trimmed."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(" " if ch in QUOTATION_MARKS else APOSTROPHES.get(ch, ch) for ch in text)
    text = SPACES.sub(" ", text).strip().lower()
    return text.strip(EDGE_PUNCTUATION)


def words(text):
    """The words of a text, as the scorer compares them."""
    return WORD.findall(fold(text))


def without_accents(text):
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def name_tokens(name):
    """A speaker name folded for case and accents, as a list of tokens
    (an apostrophe separates tokens: `d'Amazon` is `d amazon`)."""
    return without_accents(fold(name)).replace("'", " ").split()


def word_f1(found, gold):
    """Word-level F1 of two texts (bags of words)."""
    a, b = words(found), words(gold)
    if not a or not b:
        return 0.0
    shared = sum((Counter(a) & Counter(b)).values())
    if not shared:
        return 0.0
    precision, recall = shared / len(a), shared / len(b)
    return 2 * precision * recall / (precision + recall)


def speaker_is_right(found_name, gold_quote):
    """ANNOTATION.md: the folded name equals the gold speaker or an alias, or,
    when the gold speaker is a person, is that form's last name alone."""
    if not found_name or not gold_quote.get("speaker"):
        return False
    found = name_tokens(found_name)
    is_person = gold_quote.get("kind") == "person"
    for form in [gold_quote["speaker"], *(gold_quote.get("aliases") or [])]:
        gold = name_tokens(form)
        if found == gold:
            return True
        if is_person and gold and len(found) == 1 and found[0] == gold[-1]:
            return True
    return False


# ---- predictions ----------------------------------------------------------

def speaker_of(quote):
    """The speaker name of a found quote: a string, {"name": ...} or null."""
    speaker = quote.get("speaker")
    if isinstance(speaker, dict):
        speaker = speaker.get("name")
    return speaker if isinstance(speaker, str) else None


def date_of(prediction):
    """The date of a prediction: "YYYY[-MM[-DD]]", {"value": ...} or null."""
    date = prediction.get("date")
    if isinstance(date, dict):
        date = date.get("value")
    return date or None


def short(text, width=90):
    text = SPACES.sub(" ", text or "").strip()
    return text if len(text) <= width else text[: width - 1] + "…"


# ---- scoring --------------------------------------------------------------

@dataclass
class ArticleScore:
    name: str
    tp: int = 0            # found quotes matching a required gold quote
    fp: int = 0            # found quotes of 4 words or more matching nothing
    fn: int = 0            # required gold quotes that nothing matched
    right: int = 0         # true positives with the right speaker
    date_right: bool = False
    mistakes: list = field(default_factory=list)


def pair_quotes(found, gold):
    """Map found-quote index -> gold-quote index.

    Every pair whose word F1 reaches the threshold is a candidate; the best
    pairs are taken first and each quote is used once. Among pairs that score
    the same, the later found quote, then the later gold quote, is taken first
    (the tie rule of the reference scorer, so that the figures agree)."""
    candidates = []
    for i, fq in enumerate(found):
        for j, gq in enumerate(gold):
            score = word_f1(fq.get("text") or "", gq.get("text") or "")
            if score >= MATCH_THRESHOLD:
                candidates.append((score, i, j))
    candidates.sort(key=lambda c: (-c[0], -c[1], -c[2]))
    pairs, gold_used = {}, set()
    for _, i, j in candidates:
        if i not in pairs and j not in gold_used:
            pairs[i] = j
            gold_used.add(j)
    return pairs


def score_article(name, gold, prediction):
    result = ArticleScore(name)
    gold_quotes = gold.get("quotes") or []
    found = [q for q in (prediction.get("quotes") or []) if isinstance(q, dict)]
    pairs = pair_quotes(found, gold_quotes)

    for i, fq in enumerate(found):
        if i not in pairs:
            if len(words(fq.get("text") or "")) >= MIN_COUNTED_WORDS:
                result.fp += 1
                result.mistakes.append(
                    f"extra quote: speaker {speaker_of(fq)!r}: «{short(fq.get('text'))}»")
            continue
        gq = gold_quotes[pairs[i]]
        if gq.get("optional"):
            continue
        result.tp += 1
        if speaker_is_right(speaker_of(fq), gq):
            result.right += 1
        else:
            result.mistakes.append(
                f"wrong speaker: got {speaker_of(fq)!r}, gold {gq.get('speaker')!r}: «{short(gq.get('text'))}»")

    matched_gold = set(pairs.values())
    for j, gq in enumerate(gold_quotes):
        if j not in matched_gold and not gq.get("optional"):
            result.fn += 1
            result.mistakes.append(
                f"missed quote: speaker {gq.get('speaker')!r}: «{short(gq.get('text'))}»")

    found_date, gold_date = date_of(prediction), gold.get("date")
    result.date_right = found_date == gold_date
    if not result.date_right:
        result.mistakes.append(f"wrong date: got {found_date!r}, gold {gold_date!r}")
    return result


def ratio(num, den):
    return num / den if den else 0.0


def harmonic(p, r):
    return 2 * p * r / (p + r) if p + r else 0.0


def figures(scores):
    tp = sum(s.tp for s in scores)
    fp = sum(s.fp for s in scores)
    fn = sum(s.fn for s in scores)
    right = sum(s.right for s in scores)
    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    return {
        "tp": tp, "fp": fp, "fn": fn, "right": right,
        "precision": precision, "recall": recall, "f1": harmonic(precision, recall),
        "attribution": ratio(right, tp),
        "e2e_f1": harmonic(ratio(right, tp + fp), ratio(right, tp + fn)),
        "dates_right": sum(s.date_right for s in scores), "dates_total": len(scores),
    }


# ---- input ----------------------------------------------------------------

def load_gold(gold_dir):
    """[(NAME.txt, gold dict)] for every NAME.json of the folder, by name."""
    gold = []
    for path in sorted(gold_dir.glob("*.json")):
        with open(path, encoding="utf-8") as f:
            gold.append((path.with_suffix(".txt").name, json.load(f)))
    return gold


def run_extractor(binary, gold_dir, names, warn):
    """{NAME.txt: prediction} from `BIN extract` on the gold folder's texts."""
    present = [n for n in names if (gold_dir / n).is_file()]
    for n in names:
        if n not in present:
            warn(f"{n}: no such text file next to its gold file")
    predictions = {}
    chunk = 200
    for k in range(0, len(present), chunk):
        batch = present[k:k + chunk]
        cmd = [str(binary), "extract", *[str(gold_dir / n) for n in batch]]
        try:
            run = subprocess.run(cmd, capture_output=True, timeout=600)
        except OSError as e:
            raise SystemExit(f"accuracy.py: cannot run {binary}: {e}")
        try:
            out = json.loads(run.stdout.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            sys.stderr.write(run.stderr.decode("utf-8", "replace"))
            raise SystemExit(f"accuracy.py: {binary} extract (exit {run.returncode}) "
                             f"did not print a JSON array")
        if not isinstance(out, list) or len(out) != len(batch):
            raise SystemExit(f"accuracy.py: {binary} extract printed {len(out) if isinstance(out, list) else 'no'}"
                             f" objects for {len(batch)} files")
        # One object per file, in the order of the command line.
        for n, obj in zip(batch, out):
            if not isinstance(obj, dict):
                obj = {}
            if obj.get("error"):
                warn(f"{n}: extract failed: {obj['error']}")
            predictions[n] = obj
    return predictions


def read_predictions(path):
    """{NAME.txt: prediction} from a JSON array (keyed by each "file"'s base name)."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, list):
        raise SystemExit(f"accuracy.py: {path}: expected a JSON array of articles")
    return {Path(str(p.get("file", ""))).name: p for p in data if isinstance(p, dict)}


# ---- main -----------------------------------------------------------------

def default_binary():
    return Path(os.environ.get("VERBATIM_BIN") or REPO / "build" / "verbatimd")


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="accuracy.py",
        description="Score verbatimd's extraction against gold files (rules: ANNOTATION.md).")
    ap.add_argument("gold_dir", metavar="GOLD_DIR", type=Path,
                    help="folder of NAME.txt + NAME.json pairs")
    ap.add_argument("--bin", type=Path, default=None,
                    help="the verbatimd binary (default: $VERBATIM_BIN or build/verbatimd)")
    ap.add_argument("--predictions", metavar="FILE", type=Path,
                    help="score this JSON file (shaped like `verbatimd extract` output) "
                         "instead of running the binary")
    ap.add_argument("--verbose", action="store_true", help="one line per mistake")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 when a figure is below its target "
                         "(quote F1 0.95, attribution 0.92, end-to-end F1 0.92, every date right)")
    return ap.parse_args(argv)


def failed_targets(fig):
    failures = []
    for label, key, target in TARGETS:
        if fig[key] + EPSILON < target:
            failures.append(f"{label} {fig[key]:.4f} < {target:.2f}")
    if fig["dates_right"] != fig["dates_total"]:
        failures.append(f"dates {fig['dates_right']}/{fig['dates_total']} right, not all")
    return failures


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    warnings = []

    def warn(message):
        warnings.append(message)

    if not args.gold_dir.is_dir():
        print(f"accuracy.py: {args.gold_dir}: not a folder", file=sys.stderr)
        return 2
    gold = load_gold(args.gold_dir)
    if not gold:
        print(f"accuracy.py: {args.gold_dir}: no gold NAME.json files", file=sys.stderr)
        return 2

    if args.predictions:
        predictions = read_predictions(args.predictions)
        source = str(args.predictions)
    else:
        binary = args.bin or default_binary()
        if not (binary.is_file() and os.access(binary, os.X_OK)):
            print(f"accuracy.py: no executable at {binary} (run make, or pass --bin)", file=sys.stderr)
            return 2
        predictions = run_extractor(binary, args.gold_dir, [n for n, _ in gold], warn)
        source = f"{binary} extract"

    scores = []
    for name, g in gold:
        prediction = predictions.get(name)
        if prediction is None:
            if args.predictions:
                warn(f"{name}: no prediction")
            prediction = {}
        scores.append(score_article(name, g, prediction))
    fig = figures(scores)

    required = fig["tp"] + fig["fn"]
    print(f"gold {args.gold_dir}: {len(gold)} articles, {required} required quotes; found by {source}")
    for w in warnings:
        print(f"warning: {w}")
    if args.verbose:
        for s in scores:
            for m in s.mistakes:
                print(f"{s.name}: {m}")
    print(f"quotes:      P={fig['precision']:.3f}  R={fig['recall']:.3f}  F1={fig['f1']:.3f}"
          f"   ({fig['tp']} matched, {fig['fp']} extra, {fig['fn']} missed)")
    print(f"attribution: {fig['attribution']:.3f}   ({fig['right']}/{fig['tp']} matched quotes "
          f"with the right speaker)")
    print(f"end-to-end:  F1={fig['e2e_f1']:.3f}")
    print(f"dates:       {fig['dates_right']}/{fig['dates_total']} right")

    if args.check:
        failures = failed_targets(fig)
        for f in failures:
            print(f"check FAILED: {f}")
        if failures:
            return 1
        print("check: all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
