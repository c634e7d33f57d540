# SPDX-License-Identifier: MIT
# lib.sh - what the CLI test scripts share: counters, running bpinv, checking a failure.
# Sourced with BPINV set; leaves $TMP (removed at exit), $rc, $TMP/out and $TMP/err.
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
run() { "$BPINV" "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; }
# col FILE NAME: the index (from 1) of column NAME in the CSV header of FILE; where it has
# none, empty, and finish counts a failure (a check of a column not there, cut -f "" on
# both sides of a comparison, passed unseen); $BYNAME, at the head of an awk -F, program,
# maps each name of the header to its index in c[] ($c["misfit_rms_pct"]): checks that find
# a column by name, not place
col() {
    _col=$(head -1 "$1" | tr , '\n' | grep -nx -- "$2" | cut -d: -f1)
    [ -n "$_col" ] || echo "col: no column $2 in $1: $(head -c 200 "$1" | tr "\n" " ")" >>"$TMP/col.missing"
    echo "$_col"
}
BYNAME='NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }'
# setup ARGS...: as run, for the files a test needs rather than the command it tests; by
# the bpinv in BPINV_PLAIN when set (tests/valgrind/run.sh: not under valgrind)
setup() { plain_bpinv "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; }
# again ARGS...: as run, for a run that takes code an earlier run of the script took with
# another file name, order or format: under memcheck by the plain bpinv (the sanitizers'
# run checks it), where PLplot's drawing costs seconds a picture
again() { setup "$@"; }
# plain_bpinv ARGS...: as setup, the output left where the caller sends it (a file a test
# needs: plain_bpinv forward ... >FILE)
plain_bpinv() { "${BPINV_PLAIN:-$BPINV}" "$@"; }
# european_csv SOUNDING.csv: the sounding as Excel writes it in much of Europe (';', decimal
# commas, CRLF), with a station "VES 1", a column "Remarks" not read and the resistivity's
# unit written "Ohm m", on stdout
european_csv() {
    awk -F, 'NR == 1 { printf "\"Station\";\"AB/2 (m)\";\"App. Res. (Ohm m)\";\"Remarks\"\r\n"; next }
             { x = $1; r = $2; gsub(/\./, ",", x); gsub(/\./, ",", r); printf "\"VES 1\";%s;%s;\"ok\"\r\n", x, r }' "$1"
}
# descendants, running, await, halt_tree (run.sh's too)
. "$(dirname "$0")/procs.sh"
# reap PID [SECONDS]: waits for the background PID, at most SECONDS (120 by default); its
# exit status in $rc. One still running then (a signal not acted on: a run of 100000
# epochs would go on for hours) fails, is described and stopped with the processes below
# it, and leaves rc 124.
reap() {
    if ! await "$1" $((${2:-120} * 10)); then
        bad "still running ${2:-120} s after it was signalled, stopped:
$(halt_tree "$1")"
        wait "$1" 2>/dev/null
        rc=124
        return
    fi
    wait "$1"
    rc=$?
}
# sanitized: true when BPINV was built with AddressSanitizer (make SANITIZE=1)
sanitized() { ldd "$BPINV" 2>/dev/null | grep -q libasan; }
# start_until PATTERN COMMAND...: starts COMMAND in the background (stdout and stderr into
# $TMP/out and $TMP/err; its pid in $pid) and waits until its stderr matches PATTERN, at
# most 60 s; signal_at PATTERN SIGNAL COMMAND...: then sends it SIGNAL and waits (reap): $rc
start_until() {
    pat=$1
    shift
    : >"$TMP/err" # emptied here, not by the child's redirection: else the grep below can
    # find the PATTERN in the last command's output before the child has started
    # SIGINT at its default: sh starts a background job with it ignored, and bpinv keeps a
    # signal ignored when it starts ignored (as Ctrl-C in a terminal finds it: default)
    env --default-signal=INT "$@" >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    i=0
    while ! grep -q "$pat" "$TMP/err" 2>/dev/null && [ $i -lt 600 ]; do
        sleep 0.1
        i=$((i + 1))
    done
}
signal_at() {
    p=$1
    sig=$2
    shift 2
    start_until "$p" "$@"
    kill -"$sig" $pid
    reap $pid
}

# expect_fail CODE DESCRIPTION FRAGMENT ARGS...: exit CODE, stderr holding FRAGMENT,
# nothing on stdout
expect_fail() {
    code=$1; d=$2; frag=$3; shift 3
    # a usage error (exit 2) is refused while the command line is parsed: under memcheck
    # (tests/valgrind/run.sh) a second of start-up each for little; the sanitizers' run
    # has them
    [ "$code" -eq 2 ] && [ -n "${BPINV_VALGRIND:-}" ] && return 0
    run "$@"
    if [ "$rc" -ne "$code" ]; then bad "$d: exit $rc, expected $code: $(cat "$TMP/err")"
    elif ! grep -qF -- "$frag" "$TMP/err"; then bad "$d: stderr lacks '$frag': $(cat "$TMP/err")"
    elif [ -s "$TMP/out" ]; then bad "$d: wrote to stdout on error"
    else ok; fi
}

# finish NAME: the closing line, and the exit status
finish() {
    if [ -s "$TMP/col.missing" ]; then
        sed 's/^/FAIL: /' "$TMP/col.missing" >&2
        fail=$((fail + $(wc -l <"$TMP/col.missing")))
    fi
    echo "$1: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
