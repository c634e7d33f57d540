#!/bin/sh
# SPDX-License-Identifier: MIT
# test_fuzz_regress.sh - the inputs the fuzz targets found (tests/data/fuzz-regress/, see
# tests/fuzz/README.md) run through bpinv itself: each must fail cleanly, exit 1 or 2 with
# one non-empty message line on stderr, never a signal (an exit status above 128).
#   <target>-<name>: sounding-<method>-* (a text sounding read as <method>), edi-*,
#   geom-* (lines: --ab2 SPEC, --mn2 SPEC, --rho, --thick), samples_h5-*, net_h5-*
#   hdf5-*: faults inside libhdf5 1.10.8 itself (a crash, a hang, a leak), which bpinv
#   catches while it reads (tools/cli.h: cli_read_guard): each must fail cleanly in info,
#   train, invert and samples --resume; not run under valgrind, whose report of libhdf5's
#   invalid reads would be right
# usage: sh tests/cli/test_fuzz_regress.sh PATH/TO/bpinv
BPINV=${1:-./bpinv}
. "$(dirname "$0")/lib.sh"
DIR=$(dirname "$0")/../data/fuzz-regress
HDF5_LSAN_SUPP=$(cd "$(dirname "$0")/../fuzz" && pwd)/hdf5.supp
HDF5_ASAN_SUPP=$(cd "$(dirname "$0")/../fuzz" && pwd)/hdf5-asan.supp

# clean_fail DESCRIPTION ARGS...: exit 1 or 2, one non-empty line on stderr, nothing on
# stdout; bpinv run by $runner (run unless set). Only the hdf5-* inputs may crash or hang
# inside a read (cli_read_guard's messages): anywhere else that is a bug of bpinv's.
clean_fail() {
    d=$1; shift
    ${runner:-run} "$@"
    lines=$(wc -l <"$TMP/err")
    if [ "$rc" -eq 124 ] && [ -n "$runner" ]; then
        bad "$d: still running after 30 s: the read time limit did not work"
    elif [ "$rc" -gt 128 ]; then
        bad "$d: killed by signal $((rc - 128))"
    elif [ "$rc" -ne 1 ] && [ "$rc" -ne 2 ]; then
        bad "$d: exit $rc, expected 1 or 2: $(cat "$TMP/err")"
    elif [ "$lines" -ne 1 ] || [ -z "$(tr -d ' \n' <"$TMP/err")" ]; then
        bad "$d: expected one message line, got $lines: $(cat "$TMP/err")"
    elif [ -s "$TMP/out" ]; then
        bad "$d: wrote to stdout on error"
    elif [ -z "$runner" ] && grep -qE 'crashed reading it|still reading it after' "$TMP/err"; then
        bad "$d: a crash or hang where none is known: $(cat "$TMP/err")"
    else
        ok
    fi
}

# hdf5_run ARGS...: as run, with a read time limit of 1 s (and 30 s for the whole run, so
# that a limit that does not work fails the test instead of hanging it) and, under the
# sanitizers, libhdf5's own memcpy overlap and free-list leaks (not bpinv's) suppressed
# and its SIGSEGV left to reach bpinv as a signal, as without them
cat "$(dirname "$0")/../lsan.supp" "$HDF5_LSAN_SUPP" >"$TMP/lsan.supp"
hdf5_run() {
    (
        export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0:suppressions=$HDF5_ASAN_SUPP
        export LSAN_OPTIONS=${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$TMP/lsan.supp:print_suppressions=0
        export BPINV_READ_TIMEOUT=1
        exec timeout 30 "$BPINV" "$@"
    ) >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

# small nets of each method, to read soundings with
for m in schlumberger wenner mt; do
    case $m in
    schlumberger) g="--ab2 1:100:6" ;;
    wenner) g="--a 1:100:6" ;;
    mt) g="--period 0.01:100:6" ;;
    esac
    setup samples -m $m --layers 2 $g --rho 1:100 --thick 1:10 -n 40 -j1 -o "$TMP/$m.h5"
    [ "$rc" -eq 0 ] || bad "samples $m: exit $rc: $(cat "$TMP/err")"
    setup train "$TMP/$m.h5" -o "$TMP/$m-net.h5" --hidden 3 --epochs 2 --batch 8 -q -j1
    [ "$rc" -eq 0 ] || bad "train $m: exit $rc: $(cat "$TMP/err")"
done
printf 'ab2_m,rho_a_ohmm\n1,100\n2,90\n4,80\n' >"$TMP/ok.csv"

known=0
for f in "$DIR"/*; do
    [ -f "$f" ] || continue
    b=$(basename "$f")
    case $b in
    sounding-*)
        m=$(echo "$b" | cut -d- -f2)
        cp "$f" "$TMP/sounding.txt"
        clean_fail "$b" invert "$TMP/$m-net.h5" "$TMP/sounding.txt"
        ;;
    edi-*)
        cp "$f" "$TMP/station.edi"
        clean_fail "$b" invert "$TMP/mt-net.h5" "$TMP/station.edi"
        ;;
    geom-*)
        ab2=$(sed -n 1p "$f")
        mn2=$(sed -n 2p "$f")
        rho=$(sed -n 3p "$f")
        thick=$(sed -n 4p "$f")
        clean_fail "$b: forward" forward -m schlumberger --rho 10 --ab2 "$ab2" ${mn2:+--mn2 "$mn2"}
        clean_fail "$b: samples" samples -m schlumberger --layers 3 --ab2 1:10:3 \
            --rho "$rho" --thick "$thick" -n 1 -o "$TMP/never.h5"
        ;;
    samples_h5-*)
        clean_fail "$b: info" info "$f"
        clean_fail "$b: train" train "$f" -o "$TMP/never.h5" -q -j1
        ;;
    net_h5-*)
        clean_fail "$b: info" info "$f"
        clean_fail "$b: invert" invert "$f" "$TMP/ok.csv"
        ;;
    hdf5-*)
        if [ -n "$BPINV_VALGRIND" ]; then
            known=$((known + 1))
            continue
        fi
        # under the sanitizers: libhdf5's own memcpy overlap and free-list leaks are not
        # bpinv's, and its SIGSEGV must reach the parent as a signal, as without them
        runner=hdf5_run
        clean_fail "$b: info" info "$f"
        clean_fail "$b: train" train "$f" -o "$TMP/never.h5" -q -j1
        clean_fail "$b: invert" invert "$f" "$TMP/ok.csv"
        # a failed resume leaves the file as it was (its header is read read-only first)
        cp "$f" "$TMP/resume.h5"
        clean_fail "$b: samples --resume" samples -m schlumberger --layers 2 --ab2 1:100:6 \
            --rho 1:100 --thick 1:10 -n 40 -j1 --resume -o "$TMP/resume.h5"
        cmp -s "$f" "$TMP/resume.h5" && ok || bad "$b: samples --resume changed the file"
        runner=
        ;;
    *)
        bad "$b: not named <target>-<name>"
        ;;
    esac
done
# the message names what the first reading lacks (it said "expected 2 fields ..., got 2")
cp "$DIR/sounding-mt-short-first-row" "$TMP/short.txt"
expect_fail 1 "short first reading" "expected 3 fields (an mt sounding without a header), got 2" \
    invert "$TMP/mt-net.h5" "$TMP/short.txt"

# a header naming another method's column (phase_deg in a Wenner file) made the reader write
# that column into an array the sounding does not have (a NULL pointer), or, in another
# order, call the file an MT sounding: now an extra column, whatever the order
for h in 'phase_deg,a_m,rho_a_ohmm' 'a_m,rho_a_ohmm,phase_deg'; do
    printf '%s\n1,100,10\n2,90,20\n4,80,30\n' "$h" >"$TMP/ip.csv"
    run invert "$TMP/wenner-net.h5" "$TMP/ip.csv"
    [ "$rc" -eq 0 ] && ok || bad "wenner file with a phase column ($h): exit $rc: $(cat "$TMP/err")"
done

# what the crash and the hang are called
if [ -z "$BPINV_VALGRIND" ]; then
    hdf5_run info "$DIR/hdf5-memcpy-overlap-hg-read.h5"
    grep -q "hdf5-memcpy-overlap-hg-read.h5: crashed reading it (segmentation fault): the file is damaged" "$TMP/err" &&
        ok || bad "crash inside libhdf5: exit $rc: $(cat "$TMP/err")"
    hdf5_run invert "$DIR/hdf5-hang-hg-deserialize.h5" "$TMP/ok.csv"
    grep -q "hdf5-hang-hg-deserialize.h5: still reading it after 1 s: the file is damaged" "$TMP/err" &&
        ok || bad "hang inside libhdf5: exit $rc: $(cat "$TMP/err")"
fi
# the limit is checked, as part of the command line (exit 2), by every command; empty is unset
BPINV_READ_TIMEOUT= run info "$TMP/mt-net.h5"
[ "$rc" -eq 0 ] && ok || bad "BPINV_READ_TIMEOUT empty: exit $rc: $(cat "$TMP/err")"
for h in "forward --help" "info -h" "--help" "-V"; do
    BPINV_READ_TIMEOUT=x run $h
    [ "$rc" -eq 0 ] && [ -s "$TMP/out" ] && ok || bad "BPINV_READ_TIMEOUT=x $h: exit $rc: $(cat "$TMP/err")"
done
BPINV_READ_TIMEOUT=0 expect_fail 2 "BPINV_READ_TIMEOUT=0, forward" "BPINV_READ_TIMEOUT: expected" \
    forward -m mt --rho 10 --period 1
for v in 0 -1 x 86401 1e3; do
    BPINV_READ_TIMEOUT=$v expect_fail 2 "BPINV_READ_TIMEOUT=$v" \
        "BPINV_READ_TIMEOUT: expected an integer from 1 to 86400, got \"$v\"" info "$TMP/mt-net.h5"
done

[ "$known" -eq 0 ] || echo "note: $known inputs of faults inside libhdf5 not run under valgrind" >&2

finish cli-fuzz-regress
