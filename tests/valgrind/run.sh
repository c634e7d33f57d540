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
# valgrind runs a program's threads one at a time: the tests run side by side instead
sh "$HERE/../cli/run.sh" "$VG/bpinv" "$@"
status=$?
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
