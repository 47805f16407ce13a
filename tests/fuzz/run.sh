#!/bin/sh
# run.sh NAME... - runs each libFuzzer target of $FUZZ_DIR for $FUZZ_SECONDS,
# one after the other (called by `make fuzz`), then:
#   - minimises what it found, with the committed corpus, back into
#     tests/fuzz/corpus/NAME (-merge=1 into a fresh folder);
#   - saves crashes, leaks and timeouts (libFuzzer's artifacts) and inputs
#     slower than $FUZZ_SLOW_MS ms in tests/fuzz/regressions/NAME;
#   - prints per target: executions, coverage (cov, ft), findings.
# Environment: FUZZ_DIR (build/fuzz), FUZZ_SECONDS (60), FUZZ_SLOW_MS (100),
# FUZZ_CORPUS_KB (300: a target's committed corpus over it keeps edges only),
# FUZZ_KEEP_GOING=1 (fork mode: go on after a crash, then keep the smallest
# input of each distinct failure), FUZZ_ARGS (extra libFuzzer flags).
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.."
FUZZ_DIR=${FUZZ_DIR:-build/fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_SLOW_MS=${FUZZ_SLOW_MS:-100}
FUZZ_CORPUS_KB=${FUZZ_CORPUS_KB:-300}
DICT=tests/fuzz/verbatim.dict

# Longest input per target: a whole article file; a line; a request.
max_len() {
    case "$1" in
        article) echo 16384 ;;
        quotes) echo 4096 ;;
        dates) echo 512 ;;
        mojibake) echo 2048 ;;
        query | router) echo 2048 ;;
        *) echo 4096 ;;
    esac
}

# What failed, in a few words: the harness check (file:line and who), or the
# sanitizer's summary with the first frame in the project's code.
failure_key() {
    # an artifact that passes when run again (a timeout under load) is no finding
    out=$("$1" -runs=1 -timeout=5 -artifact_prefix="$FUZZ_DIR/scratch/" "$2" 2>&1) && return 0
    key=$(echo "$out" | sed -n 's/^tests\/fuzz\/\([a-z_]*\.c:[0-9]*\): invariant failed: [^:]*: \([A-Za-z_0-9]*\).*/\1 \2/p' | head -n 1)
    [ -n "$key" ] || key=$(echo "$out" | sed -n 's/^\(server\/[a-z_]*\.c:[0-9]*\):[0-9]*: runtime error: \(.*\)/\1 \2/p' | head -n 1)
    if [ -z "$key" ]; then
        what=$(echo "$out" | sed -n 's/^SUMMARY: AddressSanitizer: \([a-z-]*\).*/\1/p' | head -n 1)
        [ -n "$what" ] || what=$(echo "$out" | grep -q 'ALARM: working on the last Unit' && echo timeout)
        [ -n "$what" ] || what=$(echo "$out" | grep -q 'detected memory leaks' && echo leak)
        where=$(echo "$out" | grep -o 'server/[a-z_]*\.c:[0-9]*' | head -n 1)
        key="${where:-?} ${what:-unknown}"
    fi
    echo "$key"
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
    mkdir -p "$corpus" "$regress" "$work" "$FUZZ_DIR/log" "$FUZZ_DIR/scratch"
    before=$(ls "$regress" | wc -l)
    echo "== fuzz_$t: ${FUZZ_SECONDS}s, log $log"
    # New inputs go to the first folder (work), the committed corpus is read.
    artifacts=$regress/
    mode=""
    if [ "${FUZZ_KEEP_GOING:-0}" = 1 ]; then
        artifacts=$FUZZ_DIR/artifacts/$t/
        rm -rf "$artifacts" && mkdir -p "$artifacts"
        mode="-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1"
    fi
    "$bin" -max_total_time="$FUZZ_SECONDS" -dict="$DICT" -timeout=1 -rss_limit_mb=2048 -detect_leaks=1 \
        -max_len="$(max_len "$t")" -print_final_stats=1 -artifact_prefix="$artifacts" $mode ${FUZZ_ARGS:-} \
        "$work" "$corpus" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    line=$(grep -aE '^#[0-9]+.*cov: [0-9]+' "$log" | tail -n 1)
    cov=$(echo "$line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$line" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    [ -n "$execs" ] || execs=$(echo "$line" | sed -n 's/^#\([0-9]*\).*/\1/p')

    # Fork mode: one input per distinct failure, the smallest, into regressions.
    if [ "${FUZZ_KEEP_GOING:-0}" = 1 ]; then
        : >"$FUZZ_DIR/log/$t.keys"
        for f in $(ls -S -r "$artifacts" 2>/dev/null); do
            key=$(failure_key "$bin" "$artifacts$f")
            if [ -z "$key" ]; then
                echo "fuzz_$t: $f passes when run again (a timeout under load?): not kept"
            elif ! grep -qxF "$key" "$FUZZ_DIR/log/$t.keys"; then
                echo "$key" >>"$FUZZ_DIR/log/$t.keys"
                cp "$artifacts$f" "$regress/$f"
                echo "fuzz_$t: new failure: $key ($regress/$f)"
            fi
        done
        [ "$(ls "$artifacts" | wc -l)" -eq 0 ] || rc=1
    fi

    # Minimise the committed corpus: everything that adds coverage, once;
    # over the budget, only what adds edges (no hit-count buckets).
    fresh=$FUZZ_DIR/merge/$t
    merged=0
    for counters in 1 0; do
        rm -rf "$fresh" && mkdir -p "$fresh"
        "$bin" -merge=1 -use_counters=$counters -timeout=5 -rss_limit_mb=2048 -artifact_prefix="$FUZZ_DIR/scratch/" \
            -max_len="$(max_len "$t")" "$fresh" "$corpus" "$work" >"$FUZZ_DIR/log/$t.merge.log" 2>&1 || break
        [ -n "$(ls "$fresh")" ] || break
        merged=1
        [ "$(du -sk --apparent-size "$fresh" | cut -f1)" -gt "$FUZZ_CORPUS_KB" ] || break
    done
    if [ "$merged" = 1 ]; then
        find "$corpus" -maxdepth 1 -type f ! -name '.*' -delete
        cp "$fresh"/* "$corpus"/
    else
        echo "fuzz_$t: merge failed, corpus left as it was (see $FUZZ_DIR/log/$t.merge.log)" >&2
    fi

    # Slow inputs: libFuzzer times every file it is given one by one.
    slow=0
    find "$corpus" -maxdepth 1 -type f ! -name '.*' | sort >"$FUZZ_DIR/log/$t.files"
    if [ -s "$FUZZ_DIR/log/$t.files" ]; then
        xargs "$bin" -runs=1 -timeout=5 -artifact_prefix="$FUZZ_DIR/scratch/" <"$FUZZ_DIR/log/$t.files" \
            >"$FUZZ_DIR/log/$t.times" 2>&1
        for f in $(awk -v ms="$FUZZ_SLOW_MS" '/^Executed .* in [0-9]+ ms/ { if ($(NF-1) + 0 > ms) print $2 }' \
            "$FUZZ_DIR/log/$t.times"); do
            cp "$f" "$regress/slow-$(basename "$f")"
            slow=$((slow + 1))
        done
    fi

    # Coverage of the committed corpus, one normal run over it: the figure
    # to compare between runs (fork mode counts its cov: differently).
    init=$("$bin" -runs=0 -max_len="$(max_len "$t")" -artifact_prefix="$FUZZ_DIR/scratch/" "$corpus" 2>&1 |
        grep -a 'INITED' | tail -n 1)
    ccov=$(echo "$init" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    cft=$(echo "$init" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')

    after=$(ls "$regress" | wc -l)
    found=$((after - before))
    files=$(ls "$corpus" | wc -l)
    kb=$(du -sk --apparent-size "$corpus" | cut -f1)
    result="fuzz_$t: ${execs:-?} execs, cov ${cov:-?} ft ${ft:-?}; corpus $files files ${kb} KB, cov ${ccov:-?} ft ${cft:-?}; findings $found (exit $rc, slow $slow)"
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
