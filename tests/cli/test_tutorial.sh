#!/bin/sh
# SPDX-License-Identifier: MIT
# test_tutorial.sh - runs the README's tutorial commands (every `$ ./bpinv ...` line of its
# console blocks, with continuation lines) in order, in a temporary directory, and checks
# that each succeeds and prints what the README shows under it (tutorial_diff.awk: times
# and thread counts aside, numbers to their last printed digit).
# The README is the one place the commands are written, so they cannot drift.
# usage: sh tests/cli/test_tutorial.sh PATH/TO/bpinv [README.md]
BPINV=${1:-./bpinv}
README=${2:-README.md}
. "$(dirname "$0")/lib.sh"
ROOT=$(pwd)
case "$BPINV" in /*) ;; *) BPINV="$ROOT/$BPINV" ;; esac
ln -s "$BPINV" "$TMP/bpinv"
ln -s "$ROOT/docs" "$TMP/docs"

# the commands, one per line, and what the README shows under each (expect.N)
awk -v dir="$TMP" -f "$ROOT/tests/cli/tutorial_expect.awk" "$ROOT/$README"
n=$(wc -l <"$TMP/commands")
[ "$n" -ge 10 ] && ok || bad "found only $n tutorial commands in $README"
i=0
while IFS= read -r cmd; do
    i=$((i + 1))
    (cd "$TMP" && sh -c "$cmd" >"$TMP/out.$i" 2>"$TMP/err.$i")
    rc=$?
    [ "$rc" -eq 0 ] && ok || bad "README command $i failed ($rc): $cmd: $(head -3 "$TMP/err.$i")"
    # what the user sees, stdout then stderr (each command writes to one of them)
    cat "$TMP/out.$i" "$TMP/err.$i" >"$TMP/seen.$i"
    if awk -f "$ROOT/tests/cli/tutorial_diff.awk" "$TMP/expect.$i" "$TMP/seen.$i" >"$TMP/diff.$i"
    then ok; else bad "README command $i ($cmd) does not print what the README shows: $(cat "$TMP/diff.$i")"; fi
done <"$TMP/commands"

# the README's claims, beyond matching its own text
grep -h "^site1.csv,site1.csv,schlumberger,3,100,10,500,5,20," "$TMP"/out.* >/dev/null && ok ||
    bad "the refined site1.csv model is not the true 100,10,500 / 5,20"
grep -h "mawlamyine.*,true,,,[0-9.]*,1.845,true,segment_jump," "$TMP"/out.* >/dev/null &&
    ok || bad "the Mawlamyine sounding (5-350 m) was not inverted in range by the 1-1000 m net"
grep -h '"name": "3", "method": "mt".*"in_range": true' "$TMP"/out.* >/dev/null && ok ||
    bad "the Penola EDI is not in range"
[ -s "$TMP/plots/site1.csv.png" ] && ok || bad "no plots/site1.csv.png"

# the comparison itself: a changed digit, a missing line, an extra line are caught
printf 'a,b,time_ms\n1,2.5,0.3\n' >"$TMP/e"
printf 'a,b,time_ms\n1,2.5,9.9\n' >"$TMP/g"
awk -f "$ROOT/tests/cli/tutorial_diff.awk" "$TMP/e" "$TMP/g" >/dev/null && ok || bad "a time differs: not the same"
printf 'a,b,time_ms\n1,2.7,0.3\n' >"$TMP/g"
awk -f "$ROOT/tests/cli/tutorial_diff.awk" "$TMP/e" "$TMP/g" >/dev/null && bad "2.5 and 2.7 taken as the same" || ok
printf 'a,b,time_ms\n' >"$TMP/g"
awk -f "$ROOT/tests/cli/tutorial_diff.awk" "$TMP/e" "$TMP/g" >/dev/null && bad "a missing line passed" || ok
printf 'a,b,time_ms\n1,2.5,0.3\nmore\n' >"$TMP/g"
awk -f "$ROOT/tests/cli/tutorial_diff.awk" "$TMP/e" "$TMP/g" >/dev/null && bad "an extra line passed" || ok
printf 'samples 100000 of 100000, 2 threads, 5.846 %%\n' >"$TMP/e"
printf 'samples 100000 of 100000, 1 threads, 5.847 %%\n' >"$TMP/g"
awk -f "$ROOT/tests/cli/tutorial_diff.awk" "$TMP/e" "$TMP/g" >/dev/null && ok ||
    bad "a thread count, or a last digit rounded the other way, taken as a difference"
printf 'samples 99995 of 100000, 2 threads, 5.846 %%\n' >"$TMP/g"
awk -f "$ROOT/tests/cli/tutorial_diff.awk" "$TMP/e" "$TMP/g" >/dev/null && bad "99995 taken as 100000" || ok
printf 'samples 100000 of 100000, 2 threads, 5.848 %%\n' >"$TMP/g"
awk -f "$ROOT/tests/cli/tutorial_diff.awk" "$TMP/e" "$TMP/g" >/dev/null && bad "5.848 taken as 5.846" || ok
: >"$TMP/e"
awk -f "$ROOT/tests/cli/tutorial_diff.awk" "$TMP/e" "$TMP/g" >"$TMP/d" && bad "output where the README shows none passed" ||
    { grep -q "goes on past" "$TMP/d" && ok || bad "output where the README shows none: $(cat "$TMP/d")"; }
finish cli-tutorial
