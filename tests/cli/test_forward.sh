#!/bin/sh
# SPDX-License-Identifier: MIT
# test_forward.sh - command-line tests of `bpinv forward`: output format, help, and every
# bad argument (exit 2, one message naming the option and the bad value, nothing on stdout).
# usage: sh tests/cli/test_forward.sh PATH/TO/bpinv
BPINV=${1:-./bpinv}
. "$(dirname "$0")/lib.sh"

# expect_ok DESCRIPTION ARGS...
expect_ok() {
    d=$1; shift
    run "$@"
    if [ "$rc" -eq 0 ] && [ ! -s "$TMP/err" ]; then ok; else bad "$d: exit $rc, stderr: $(cat "$TMP/err")"; fi
}

# expect_usage DESCRIPTION FRAGMENT ARGS...: exit 2, one stderr line holding FRAGMENT (not
# under memcheck: refused while the command line is parsed, before a file is opened, each
# a second of its start-up for little; the sanitizers' run has them)
expect_usage() {
    d=$1; frag=$2; shift 2
    [ -n "${BPINV_VALGRIND:-}" ] && return 0
    run "$@"
    lines=$(wc -l <"$TMP/err")
    if [ "$rc" -ne 2 ]; then
        bad "$d: exit $rc, expected 2"
    elif ! grep -qF -- "$frag" "$TMP/err"; then
        bad "$d: stderr lacks '$frag': $(cat "$TMP/err")"
    elif [ "$lines" -ne 1 ]; then
        bad "$d: expected one message, got $lines lines: $(cat "$TMP/err")"
    elif [ -s "$TMP/out" ]; then
        bad "$d: wrote to stdout on error"
    else
        ok
    fi
}

# --- output ---------------------------------------------------------------------------
expect_ok "schlumberger" forward -m schlumberger --rho 100,10,1000 --thick 5,20 --ab2 1:1000:13
[ "$(head -1 "$TMP/out")" = "ab2_m,rho_a_ohmm" ] && ok || bad "schlumberger header"
[ "$(wc -l <"$TMP/out")" -eq 14 ] && ok || bad "schlumberger: 13 rows expected"
[ "$(sed -n 14p "$TMP/out" | cut -d, -f1)" = "1000" ] && ok || bad "range must end at 1000"

expect_ok "wenner half-space" forward -m wenner --rho 2.385 --a 0.5,5,50
[ "$(head -1 "$TMP/out")" = "a_m,rho_a_ohmm" ] && ok || bad "wenner header"
[ "$(sed -n 2,4p "$TMP/out" | cut -d, -f2 | sort -u)" = "2.385" ] && ok ||
    bad "wenner half-space must print rho exactly: $(cat "$TMP/out")"

expect_ok "mt half-space" forward -m mt --rho 40 --period 0.01:100:5
[ "$(head -1 "$TMP/out")" = "period_s,rho_a_ohmm,phase_deg" ] && ok || bad "mt header"
[ "$(sed -n 2,6p "$TMP/out" | cut -d, -f2,3 | sort -u)" = "40,45" ] && ok ||
    bad "mt half-space: $(cat "$TMP/out")"

expect_ok "finite mn2 broadcast" forward -m schlumberger --rho 50,500 --thick 10 --ab2 10,20,40 --mn2 2
[ "$(head -1 "$TMP/out")" = "ab2_m,mn2_m,rho_a_ohmm" ] && ok || bad "mn2 header"
[ "$(sed -n 2,4p "$TMP/out" | cut -d, -f2 | sort -u)" = "2" ] && ok || bad "mn2 broadcast"

# at least 10 significant digits
v=$(sed -n 2p "$TMP/out" | cut -d, -f3 | tr -d '.-' | sed 's/e.*//; s/^0*//')
[ "${#v}" -ge 10 ] && ok || bad "fewer than 10 significant digits: $(sed -n 2p "$TMP/out")"

printf '# spacings, m\n3\n30 # comment\n\n300\n' >"$TMP/ab2.txt"
expect_ok "@FILE spec" forward -m schlumberger --rho 10 --ab2 "@$TMP/ab2.txt"
[ "$(wc -l <"$TMP/out")" -eq 4 ] && ok || bad "@FILE: 3 rows expected"

# the two Hankel filters agree to 1e-6
"$BPINV" forward -m wenner --rho 300,20,800 --thick 3,30 --a 1:1000:9 >"$TMP/shared.csv"
"$BPINV" forward -m wenner --rho 300,20,800 --thick 3,30 --a 1:1000:9 --filter key201 >"$TMP/key.csv"
if paste -d, "$TMP/shared.csv" "$TMP/key.csv" | awk -F, 'NR > 1 { d = $2 / $4 - 1; if (d < 0) d = -d; if (d > 1e-6) bad = 1 } END { exit bad }'; then ok; else bad "--filter key201 differs from shared"; fi

# --- help and version -----------------------------------------------------------------
expect_ok "forward --help" forward --help
grep -q "usage: bpinv forward" "$TMP/out" && ok || bad "forward --help text"
expect_ok "bpinv --help" --help
grep -q "forward" "$TMP/out" && ok || bad "bpinv --help lists forward"
expect_ok "bpinv help" help
expect_ok "bpinv --version" --version
grep -q "^bpinv [0-9]" "$TMP/out" && ok || bad "version"
run
[ "$rc" -eq 2 ] && ok || bad "no command: exit $rc"
expect_usage "unknown command" 'unknown command "frobnicate"' frobnicate

# --- bad arguments: exit 2, one message naming the option and the value ----------------
G="--ab2 1,10"
expect_usage "missing method" "-m/--method: missing" forward --rho 10 $G
expect_usage "unknown method" 'got "dipole"' forward -m dipole --rho 10 $G
expect_usage "missing rho" "--rho: missing" forward -m schlumberger $G
expect_usage "non-number rho" '--rho: value 2: expected a number > 0, got "abc"' forward -m schlumberger --rho 10,abc --thick 5 $G
expect_usage "negative rho" '--rho: value 1: expected a number > 0, got "-10"' forward -m schlumberger --rho=-10 $G
expect_usage "zero rho" 'got "0"' forward -m schlumberger --rho 0 $G
expect_usage "nan rho" 'got "nan"' forward -m schlumberger --rho nan $G
expect_usage "negative thickness" '--thick: value 1: expected a number > 0, got "-5"' forward -m schlumberger --rho 10,20 --thick=-5 $G
expect_usage "too few thicknesses" "--thick: expected 2 values for 3 layers (--rho), got 1" forward -m schlumberger --rho 10,20,30 --thick 5 $G
expect_usage "too many thicknesses" "--thick: expected 1 value for 2 layers (--rho), got 2" forward -m schlumberger --rho 10,20 --thick 5,6 $G
expect_usage "missing thicknesses" "--thick: expected 1 value for 2 layers (--rho), got 0" forward -m schlumberger --rho 10,20 $G
expect_usage "a half-space's thickness" "--thick: expected none for 1 layer (--rho): a half-space has no thickness, got 1" forward -m schlumberger --rho 10 --thick 5 $G
expect_usage "a unit after a value" '--thick: value 1: expected a number > 0, got "5m" (the number alone, without a unit)' forward -m schlumberger --rho 10,20 --thick 5m $G
expect_usage "range for rho" '--rho: expected a comma list of numbers > 0, got "1:10:3"' forward -m schlumberger --rho 1:10:3 $G
expect_usage "missing geometry" "--ab2: missing" forward -m schlumberger --rho 10
expect_usage "missing wenner geometry" "--a: missing" forward -m wenner --rho 10
expect_usage "missing mt geometry" "--period: missing" forward -m mt --rho 10
expect_usage "empty spec" '--ab2: expected a list, START:STOP:COUNT or @FILE, got ""' forward -m schlumberger --rho 10 --ab2 ""
expect_usage "non-number spacing" '--ab2: value 2: expected a number > 0, got "ten"' forward -m schlumberger --rho 10 --ab2 1,ten
expect_usage "negative spacing" '--a: value 1: expected a number > 0, got "-4"' forward -m wenner --rho 10 --a=-4
expect_usage "negative period" '--period: value 1: expected a number > 0, got "-1"' forward -m mt --rho 10 --period=-1
expect_usage "inverted range" '--ab2: expected STOP > START' forward -m schlumberger --rho 10 --ab2 100:1:5
expect_usage "bad count" '--period: COUNT: expected an integer' forward -m mt --rho 10 --period 1:100:x
expect_usage "missing spec file" '--ab2: cannot open "/nonexistent/x.txt"' forward -m schlumberger --rho 10 --ab2 @/nonexistent/x.txt
printf '1\nfoo\n' >"$TMP/bad.txt"
expect_usage "bad spec file" "$TMP/bad.txt:2: --a: expected a number > 0, got \"foo\"" forward -m wenner --rho 10 --a "@$TMP/bad.txt"
expect_usage "wrong geometry option" '--a: not an option of method schlumberger, got "5"' forward -m schlumberger --rho 10 --ab2 1 --a 5
expect_usage "mn2 with wenner" '--mn2: not an option of method wenner' forward -m wenner --rho 10 --a 1 --mn2 0.5
expect_usage "mn2 >= ab2" '--mn2: mn2_m: point 1: expected finite > 0 and < AB/2 = 1 m, got 2' forward -m schlumberger --rho 10 --ab2 1,10 --mn2 2
expect_usage "mn2 count" '--mn2: expected 1 value or 2 (one per AB/2), got 3' forward -m schlumberger --rho 10 --ab2 1,10 --mn2 0.1,0.2,0.3
expect_usage "unknown option" 'unknown option "--depth"' forward -m schlumberger --rho 10 --ab2 1 --depth 5
expect_usage "option without value" '--rho: missing its value' forward -m schlumberger --ab2 1 --rho
expect_usage "unknown filter" '--filter: expected shared or key201, got "anderson"' forward -m wenner --rho 10 --a 1 --filter anderson
expect_usage "filter for mt" '--filter: not an option of method mt' forward -m mt --rho 10 --period 1 --filter key201
expect_usage "stray argument" 'unexpected argument "extra"' forward -m schlumberger --rho 10 --ab2 1 extra

# several faults: every one reported
run forward -m schlumberger --rho=-1,10 --thick x --ab2 0
[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 3 ] && ok ||
    bad "three faults, three messages: exit $rc: $(cat "$TMP/err")"

# a full output device is an error, not a silent success
if [ -w /dev/full ]; then
    "$BPINV" forward -m mt --rho 10 --period 1:10:3 >/dev/full 2>"$TMP/err"
    [ $? -eq 1 ] && grep -q "error writing the output" "$TMP/err" && ok || bad "/dev/full"
fi

# --plot: the CSV as without it, and a picture of the response and the model: a PNG of the
# picture's size (1000 x 560 for DC, 1300 x 600 for MT: two data panels), the same for the
# same model, another for another; SVG by its name; never over a file without --force
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{print $3 * 256 + $4 "x" $7 * 256 + $8}'; }
G3="--rho 100,10,500 --thick 5,20 --ab2 1:1000:20"
"$BPINV" forward -m schlumberger $G3 >"$TMP/plain.csv"
run forward -m schlumberger $G3 --plot "$TMP/f.png"
[ "$rc" -eq 0 ] && cmp -s "$TMP/out" "$TMP/plain.csv" && [ ! -s "$TMP/err" ] &&
    [ "$(od -An -c -N4 "$TMP/f.png" | tr -d ' ')" = "211PNG" ] &&
    [ "$(png_size "$TMP/f.png")" = "1000x560" ] && ok ||
    bad "--plot: exit $rc, $(png_size "$TMP/f.png"): $(cat "$TMP/err")"
cp "$TMP/f.png" "$TMP/f0.png"
run forward -m schlumberger $G3 --plot "$TMP/f.png"
[ "$rc" -eq 1 ] && [ ! -s "$TMP/out" ] && cmp -s "$TMP/f.png" "$TMP/f0.png" &&
    grep -qF -- "bpinv forward: $TMP/f.png: exists (use --force to replace it)" "$TMP/err" &&
    ok || bad "--plot over a file: exit $rc: $(cat "$TMP/err")"
if [ -z "${BPINV_VALGRIND:-}" ]; then # a picture is seconds under memcheck: once is enough
    run forward -m schlumberger --rho 100,10,50 --thick 5,20 --ab2 1:1000:20 --plot "$TMP/f.png" --force
    [ "$rc" -eq 0 ] && [ "$(png_size "$TMP/f.png")" = "1000x560" ] && ! cmp -s "$TMP/f.png" "$TMP/f0.png" &&
        ok || bad "--plot --force, another model: exit $rc: $(cat "$TMP/err")"
    run forward -m schlumberger $G3 --plot "$TMP/f.png" --force
    [ "$rc" -eq 0 ] && cmp -s "$TMP/f.png" "$TMP/f0.png" && ok ||
        bad "--plot: the same model, another picture: exit $rc"
    run forward -m mt --rho 100,10,500 --thick 500,2000 --period 0.001:1000:25 --plot "$TMP/m.png"
    [ "$rc" -eq 0 ] && [ "$(png_size "$TMP/m.png")" = "1300x600" ] && ok ||
        bad "--plot, MT: exit $rc, $(png_size "$TMP/m.png"): $(cat "$TMP/err")"
    run forward -m wenner --rho 100,10 --thick 5 --a 1,10,100 --plot "$TMP/w.svg"
    [ "$rc" -eq 0 ] && head -c 200 "$TMP/w.svg" | grep -q "<svg" && ok ||
        bad "--plot, SVG: exit $rc: $(cat "$TMP/err")"
fi
# any geometry forward takes: one point, two, near-equal ones (a reader's sounding needs
# three distinct ones); what would stop the picture is found before the CSV is printed
run forward -m schlumberger --rho 100,10 --thick 5 --ab2 10 --plot "$TMP/one.png"
[ "$rc" -eq 0 ] && [ "$(png_size "$TMP/one.png")" = "1000x560" ] && ok ||
    bad "--plot of one point: exit $rc: $(cat "$TMP/err")"
if [ -z "${BPINV_VALGRIND:-}" ]; then
    run forward -m mt --rho 100,10 --thick 500 --period 0.01,0.1 --plot "$TMP/two.png"
    [ "$rc" -eq 0 ] && [ -s "$TMP/two.png" ] && ok || bad "--plot of two points: exit $rc: $(cat "$TMP/err")"
    run forward -m schlumberger --rho 100,10 --thick 5 --ab2 1,10,10.000000000001,100 --plot "$TMP/near.png"
    [ "$rc" -eq 0 ] && [ -s "$TMP/near.png" ] && ok || bad "--plot of near points: exit $rc: $(cat "$TMP/err")"
fi
mkdir "$TMP/dir.png"
for force in "" --force; do
    run forward -m schlumberger $G3 --plot "$TMP/dir.png" $force
    [ "$rc" -eq 1 ] && [ ! -s "$TMP/out" ] &&
        grep -qF "bpinv forward: $TMP/dir.png: is a directory; expected --plot's picture to write" "$TMP/err" &&
        ok || bad "--plot into a directory $force: exit $rc: $(cat "$TMP/out" "$TMP/err")"
done
run forward -m schlumberger $G3 --plot "$TMP/nodir/a.png"
[ "$rc" -eq 1 ] && [ ! -s "$TMP/out" ] && grep -qF "no directory $TMP/nodir (make it first)" "$TMP/err" &&
    ok || bad "--plot into a missing directory: exit $rc: $(cat "$TMP/out" "$TMP/err")"
# a bad command line is exit 2, whatever the picture's file
run forward -m schlumberger --rho x --ab2 10 --plot "$TMP/f.png"
[ "$rc" -eq 2 ] && ! grep -q "exists" "$TMP/err" && ok || bad "a bad --rho and an existing --plot: exit $rc: $(cat "$TMP/err")"
expect_usage "--plot ''" '--plot: "": expected a name ending in .png, .svg or .pdf, got an empty name' forward -m schlumberger $G3 --plot ""
expect_usage "--plot .jpg" "--plot: \"$TMP/f.jpg\": expected a name ending in .png, .svg or .pdf, got .jpg" forward -m schlumberger $G3 --plot "$TMP/f.jpg"
expect_usage "--plot -" "--plot: \"-\": expected a name ending in .png, .svg or .pdf, got the standard output" forward -m schlumberger $G3 --plot -
expect_usage "--force without --plot" "--force: replaces --plot's picture: expected with --plot" forward -m schlumberger $G3 --force
# a response beyond a double (rho 1e-300 over 1e300): said once, "forward" not twice (it was
# "bpinv forward: forward: datum 1 ...")
run forward -m schlumberger --rho 1e-300,1e300 --thick 5 --ab2 1:10:3
[ "$rc" -eq 1 ] && [ ! -s "$TMP/out" ] &&
    grep -qx "bpinv forward: response: datum 1 is not a finite positive value (.*)" "$TMP/err" &&
    ok || bad "a response beyond a double: exit $rc: $(cat "$TMP/out" "$TMP/err")"

finish cli-forward
