#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh - runs command-line test scripts side by side, as many at once as there are cores
# (BPINV_TEST_JOBS sets it), each into its own log; prints the logs in the order given, each
# with its time, when all are done. Exit status 0 when every script passed.
# A script still running after BPINV_TEST_TIMEOUT seconds (1200 by default; the longest
# takes about 5 minutes under valgrind) is stopped with every process below it and fails,
# with what each of them was doing (time, state, wait channel, signals, command line): a
# hang costs its lane 20 minutes and says where it was, not the whole CI run's time.
# usage: sh tests/cli/run.sh PATH/TO/bpinv TEST.sh...   (the longest first: they end together)
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/procs.sh"

# run.sh --one TEST.sh: one script, under its watchdog (by xargs, below)
if [ "${1:-}" = --one ]; then
    n=$(basename "$2" .sh)
    t0=$(date +%s)
    # a background job starts with SIGINT and SIGQUIT ignored: at their defaults, as a
    # terminal's Ctrl-C finds a script run in the foreground
    env --default-signal=INT,QUIT sh "$2" "$BPINV" >"$LOGS/out.$n" 2>&1 &
    p=$!
    limit=${BPINV_TEST_TIMEOUT:-1200}
    (
        while running $p; do
            if [ $(($(date +%s) - t0)) -ge "$limit" ]; then
                echo "HUNG: $n still running after $limit s (BPINV_TEST_TIMEOUT), stopped; its processes:" \
                    >"$LOGS/hung.$n"
                halt_tree $p >>"$LOGS/hung.$n"
                break
            fi
            sleep 1
        done
    ) </dev/null >/dev/null 2>&1 &
    w=$!
    wait $p 2>/dev/null
    echo $? >"$LOGS/rc.$n"
    if [ -e "$LOGS/hung.$n" ]; then
        wait $w
        cat "$LOGS/hung.$n" >>"$LOGS/out.$n"
    else
        kill $w 2>/dev/null # nothing to watch: not the next process of p's number
    fi
    echo "($n: $(($(date +%s) - t0)) s)" >>"$LOGS/out.$n"
    exit 0
fi

BPINV=$1
shift
LOGS=$(mktemp -d)
trap 'rm -rf "$LOGS"' EXIT
jobs=${BPINV_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
export BPINV LOGS
printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh "$HERE/run.sh" --one {}
status=0
failed=""
for t in "$@"; do
    n=$(basename "$t" .sh)
    cat "$LOGS/out.$n"
    if [ "$(cat "$LOGS/rc.$n" 2>/dev/null)" != 0 ]; then
        status=1
        failed="$failed $n"
    fi
done
# the failed scripts last, where a log's tail shows them; a hang's processes again
if [ $status -ne 0 ]; then
    echo "run.sh: failed:$failed"
    cat "$LOGS"/hung.* 2>/dev/null
fi
exit $status
