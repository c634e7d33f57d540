#!/bin/sh
# SPDX-License-Identifier: MIT
# test_tutorial.sh - runs the README's tutorial commands (every `$ ./bpinv ...` line of its
# console blocks, with continuation lines) in order, in a temporary directory, and checks
# that each succeeds and that the outputs the README shows for the inversions hold there.
# The README is the one place the commands are written, so they cannot drift.
# usage: sh tests/cli/test_tutorial.sh PATH/TO/bpinv [README.md]
BPINV=${1:-./bpinv}
README=${2:-README.md}
. "$(dirname "$0")/lib.sh"
ROOT=$(pwd)
case "$BPINV" in /*) ;; *) BPINV="$ROOT/$BPINV" ;; esac
ln -s "$BPINV" "$TMP/bpinv"
ln -s "$ROOT/docs" "$TMP/docs"

# the commands, one per line, continuations joined
awk '/^\$ \.\/bpinv/ { cmd = substr($0, 3); while (cmd ~ /\\$/) { getline nxt; sub(/\\$/, "", cmd);
        sub(/^ +/, " ", nxt); cmd = cmd nxt } print cmd }' "$ROOT/$README" >"$TMP/commands"
n=$(wc -l <"$TMP/commands")
[ "$n" -ge 10 ] && ok || bad "found only $n tutorial commands in $README"
i=0
while IFS= read -r cmd; do
    i=$((i + 1))
    (cd "$TMP" && sh -c "$cmd" >"$TMP/out.$i" 2>"$TMP/err.$i")
    rc=$?
    [ "$rc" -eq 0 ] && ok || bad "README command $i failed ($rc): $cmd: $(head -3 "$TMP/err.$i")"
done <"$TMP/commands"

# what the README shows for the inversions
grep -h "^site1.csv,site1.csv,schlumberger,3,100,10,500,5,20," "$TMP"/out.* >/dev/null && ok ||
    bad "the refined site1.csv model is not the true 100,10,500 / 5,20"
grep -h "mawlamyine.*,true,,,[0-9.]*,1.845,[a-z]*,[a-z_;]*segment_jump," "$TMP"/out.* >/dev/null &&
    ok || bad "the Mawlamyine sounding (5-350 m) was not inverted by the 1-1000 m net"
grep -h "^site1.csv,site1.csv,schlumberger,3,.*,false,,,9.206,3,true,high_misfit," "$TMP"/out.* \
    >/dev/null && ok || bad "--no-refine: the net's own site1.csv model is not the README's"
grep -h '"name": "3", "method": "mt".*"in_range": true' "$TMP"/out.* >/dev/null && ok ||
    bad "the Penola EDI is not in range"
[ -s "$TMP/plots/site1.csv.png" ] && ok || bad "no plots/site1.csv.png"
finish cli-tutorial
