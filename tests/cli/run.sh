#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh - runs command-line test scripts side by side, as many at once as there are cores
# (BPINV_TEST_JOBS sets it), each into its own log; prints the logs in the order given, each
# with its time, when all are done. Exit status 0 when every script passed.
# usage: sh tests/cli/run.sh PATH/TO/bpinv TEST.sh...   (the longest first: they end together)
BPINV=$1
shift
LOGS=$(mktemp -d)
trap 'rm -rf "$LOGS"' EXIT
jobs=${BPINV_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
export BPINV LOGS
printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh -c \
    'n=$(basename "$1" .sh); t=$(date +%s); sh "$1" "$BPINV" >"$LOGS/out.$n" 2>&1
     echo $? >"$LOGS/rc.$n"; echo "($n: $(($(date +%s) - t)) s)" >>"$LOGS/out.$n"' sh {}
status=0
for t in "$@"; do
    n=$(basename "$t" .sh)
    cat "$LOGS/out.$n"
    [ "$(cat "$LOGS/rc.$n" 2>/dev/null)" = 0 ] || status=1
done
exit $status
