#!/bin/sh
# run.sh NAME... - runs each libFuzzer target of $FUZZ_DIR for $FUZZ_SECONDS,
# one after the other (called by `make fuzz`), then:
#   - minimises what it found, with the committed corpus, back into
#     tests/fuzz/corpus/NAME (-merge=1 into a fresh folder);
#   - saves crashes, leaks and timeouts (libFuzzer's artifacts) and inputs
#     slower than $FUZZ_SLOW_MS ms in tests/fuzz/regressions/NAME;
#   - prints per target: executions, coverage (cov, ft), findings.
# Environment: FUZZ_DIR (build/fuzz), FUZZ_SECONDS (60), FUZZ_SLOW_MS (100),
# FUZZ_JOBS_ARGS (extra libFuzzer flags).
set -u
cd "$(dirname "$0")/../.."
FUZZ_DIR=${FUZZ_DIR:-build/fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_SLOW_MS=${FUZZ_SLOW_MS:-100}
DICT=tests/fuzz/verbatim.dict

# Longest input per target: a whole article file; a line; a request.
max_len() {
    case "$1" in
        article) echo 16384 ;;
        quotes) echo 8192 ;;
        dates) echo 512 ;;
        mojibake) echo 2048 ;;
        query | router) echo 2048 ;;
        *) echo 4096 ;;
    esac
}

summary=""
failed=0
for t in "$@"; do
    bin=$FUZZ_DIR/fuzz_$t
    corpus=tests/fuzz/corpus/$t
    regress=tests/fuzz/regressions/$t
    work=$FUZZ_DIR/work/$t
    log=$FUZZ_DIR/log/$t.log
    [ -x "$bin" ] || { echo "fuzz: no $bin (make fuzz-build)" >&2; exit 1; }
    mkdir -p "$corpus" "$regress" "$work" "$FUZZ_DIR/log"
    before=$(ls "$regress" | wc -l)
    echo "== fuzz_$t: ${FUZZ_SECONDS}s, log $log"
    # New inputs go to the first folder (work), the committed corpus is read.
    "$bin" -max_total_time="$FUZZ_SECONDS" -dict="$DICT" -timeout=1 -rss_limit_mb=2048 -detect_leaks=1 \
        -max_len="$(max_len "$t")" -print_final_stats=1 -artifact_prefix="$regress/" ${FUZZ_JOBS_ARGS:-} \
        "$work" "$corpus" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    line=$(grep -E '^#[0-9]+.*cov: [0-9]+' "$log" | tail -n 1)
    cov=$(echo "$line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$line" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    [ -n "$execs" ] || execs=$(echo "$line" | sed -n 's/^#\([0-9]*\).*/\1/p')

    # Minimise the committed corpus: everything that adds coverage, once.
    fresh=$FUZZ_DIR/merge/$t
    rm -rf "$fresh" && mkdir -p "$fresh"
    if "$bin" -merge=1 -timeout=5 -rss_limit_mb=2048 -max_len="$(max_len "$t")" "$fresh" "$corpus" "$work" \
        >"$FUZZ_DIR/log/$t.merge.log" 2>&1 && [ -n "$(ls "$fresh")" ]; then
        find "$corpus" -maxdepth 1 -type f ! -name '.*' -delete
        cp "$fresh"/* "$corpus"/
    else
        echo "fuzz_$t: merge failed, corpus left as it was (see $FUZZ_DIR/log/$t.merge.log)" >&2
    fi

    # Slow inputs: libFuzzer times every file it is given one by one.
    slow=0
    find "$corpus" -maxdepth 1 -type f ! -name '.*' | sort >"$FUZZ_DIR/log/$t.files"
    if [ -s "$FUZZ_DIR/log/$t.files" ]; then
        xargs "$bin" -runs=1 -timeout=5 <"$FUZZ_DIR/log/$t.files" >"$FUZZ_DIR/log/$t.times" 2>&1
        for f in $(awk -v ms="$FUZZ_SLOW_MS" '/^Executed .* in [0-9]+ ms/ { if ($(NF-1) + 0 > ms) print $2 }' \
            "$FUZZ_DIR/log/$t.times"); do
            cp "$f" "$regress/slow-$(basename "$f")"
            slow=$((slow + 1))
        done
    fi

    after=$(ls "$regress" | wc -l)
    found=$((after - before))
    files=$(ls "$corpus" | wc -l)
    kb=$(du -sk --apparent-size "$corpus" | cut -f1)
    result="fuzz_$t: ${execs:-?} execs, cov ${cov:-?}, ft ${ft:-?}, findings $found (exit $rc, slow $slow), corpus $files files ${kb} KB"
    echo "$result"
    summary="$summary$result
"
    if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
        failed=1
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*invariant failed|artifact_prefix|Test unit written)' "$log" | head -n 8
    fi
done
echo "== summary"
printf "%s" "$summary"
total=$(du -sk --apparent-size tests/fuzz/corpus | cut -f1)
echo "committed corpora: ${total} KB"
[ "$total" -le 2048 ] || echo "fuzz: the corpora are over 2 MB: lower max_len or prune" >&2
exit $failed
