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
# Under memcheck, bpinv runs with the reference CBLAS (GSL's) in place of OpenBLAS: a
# library of OpenBLAS's name that holds the one OpenBLAS call bpinv makes and loads GSL's.
# Memcheck checks our arrays the same way through either BLAS (a BLAS reads the same
# elements), but OpenBLAS's start and its kernels cost more there: a test inversion 1.65 s
# against 1.22 s, a test training 7.9 s against 4.7 s. Without a compiler, OpenBLAS.
BLAS=OpenBLAS
SETLIB=
printf 'void openblas_set_num_threads(int n);\nvoid openblas_set_num_threads(int n) { (void)n; }\n' \
    >"$VG/blas.c"
if ${CC:-cc} -shared -fPIC -o "$VG/libopenblas.so.0" -Wl,-soname,libopenblas.so.0 "$VG/blas.c" \
    -Wl,--no-as-needed -lgslcblas 2>"$VG/blas.err"; then
    BLAS="GSL's CBLAS"
    SETLIB="LD_LIBRARY_PATH=\"$VG\"\${LD_LIBRARY_PATH:+:\"\$LD_LIBRARY_PATH\"}; export LD_LIBRARY_PATH"
else
    echo "valgrind: no CBLAS library built (memcheck's runs use OpenBLAS): $(head -c 300 "$VG/blas.err")" >&2
fi
# --vex-guest-chase=no: translations that do not follow calls and jumps into the next
# block; the same checks, each run 9 % less time (most of a run is translating code once)
cat >"$VG/bpinv" <<WRAP
#!/bin/sh
$SETLIB
exec valgrind -q --error-exitcode=99 --leak-check=full --vex-guest-chase=no \\
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
echo "valgrind: $runs bpinv runs under memcheck (BLAS: $BLAS), $errs with errors"
[ "$status" -eq 0 ] && [ "$errs" -eq 0 ]
