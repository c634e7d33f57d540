#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh - the command-line tests with every bpinv run under valgrind memcheck: any invalid
# read or write, use of an uninitialised value, or leak (definite, indirect or possible),
# on success and on every error path, fails the run.
# usage: sh tests/valgrind/run.sh PATH/TO/bpinv TEST.sh...
# Each bpinv run exits 99 on a memcheck error (so the test that ran it fails) and leaves
# its report in a log, printed at the end.
BPINV=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
HERE=$(cd "$(dirname "$0")" && pwd)
VG=$(mktemp -d)
trap 'rm -rf "$VG"' EXIT
cat >"$VG/bpinv" <<WRAP
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full \\
    --errors-for-leak-kinds=definite,indirect,possible \\
    --show-leak-kinds=definite,indirect,possible --num-callers=40 \\
    --suppressions="$HERE/bpinv.supp" --log-file="$VG/log.%p" "$BPINV" "\$@"
WRAP
chmod +x "$VG/bpinv"
# OpenMP threads that spin while waiting are slow under valgrind, which runs one at a time
export OMP_WAIT_POLICY=passive
# the tests scale down or skip what takes minutes under valgrind
export BPINV_VALGRIND=1
# the files a test needs are made by bpinv itself (tests/cli/lib.sh: setup)
export BPINV_PLAIN="$BPINV"
# OpenBLAS's thread pool and its buffers slow every start and leak check
export OPENBLAS_NUM_THREADS=1
# valgrind runs a program's threads one at a time: the tests run side by side instead,
# as many at once as there are cores, each into its own log
jobs=$(nproc 2>/dev/null || echo 2)
export VG
printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh -c \
    'n=$(basename "$1" .sh); t=$(date +%s); sh "$1" "$VG/bpinv" >"$VG/out.$n" 2>&1; echo $? >"$VG/rc.$n"
     echo "$n: $(($(date +%s) - t)) s under valgrind" >>"$VG/out.$n"' sh {}
status=0
for t in "$@"; do
    n=$(basename "$t" .sh)
    cat "$VG/out.$n"
    [ "$(cat "$VG/rc.$n" 2>/dev/null)" = 0 ] || status=1
done
runs=$(ls "$VG" | grep -c '^log\.')
errs=0
for f in "$VG"/log.*; do
    if [ -s "$f" ]; then
        errs=$((errs + 1))
        echo "--- memcheck: $f" >&2
        cat "$f" >&2
    fi
done
echo "valgrind: $runs bpinv runs under memcheck, $errs with errors"
[ "$status" -eq 0 ] && [ "$errs" -eq 0 ]
