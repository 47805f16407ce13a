#!/bin/sh
# verbatimd-under-valgrind.sh ARGS... - runs build/verbatimd ARGS under
# valgrind memcheck; given as VERBATIM_BIN by `make valgrind` (mk/valgrind.mk).
# One log per process, $VALGRIND_LOG_DIR/vg-PID.log (default build/valgrind),
# read afterwards by tests/valgrind/check-logs.py. The variables are not
# called VERBATIM_*: tests/api/conftest.py strips those from the daemon's
# environment (clean_env), and this script runs in that environment.
#   VALGRIND_VERBATIMD   the binary (default build/verbatimd of this tree)
#   VALGRIND_LOG_DIR     where the logs go (default build/valgrind)
#   VALGRIND_EXTRA       more valgrind options (e.g. --track-origins=yes)
# No suppression file: memcheck's default suppressions (glibc, ld.so) are
# enough; a run with none of its own keeps sqlite3, jansson and
# libmicrohttpd honest too.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${VALGRIND_VERBATIMD:-$repo/build/verbatimd}
logdir=${VALGRIND_LOG_DIR:-$repo/build/valgrind}
mkdir -p "$logdir"
# --error-exitcode: a process with an error (a definite leak counts, through
# --errors-for-leak-kinds) exits 99, which the tests see as a failure too.
# --track-fds=no: the tests pass no fds of their own; fd leaks are not ours to
# judge here (tests/soak samples open fds).
# shellcheck disable=SC2086
exec valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite --track-fds=no \
    --num-callers=30 --log-file="$logdir/vg-%p.log" ${VALGRIND_EXTRA:-} "$bin" "$@"
