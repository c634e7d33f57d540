#!/bin/sh
# SPDX-License-Identifier: MIT
# test_layers.sh - the module graph of docs/dev/architecture.md, "The layers", against the
# #include lines of every library source: nothing includes upward. forward/base/ includes
# only forward/base/; forward/ only forward/; samples/ forward/ and samples/; invnet/'s top
# (the network, its training, the net file) not invnet/invert/ ("training never includes
# it"); no library tools/. Each break is named by file, line and header.
# usage: sh tests/cli/test_layers.sh [PATH/TO/bpinv]  (bpinv is not run)
BPINV=${1:-build/bpinv}
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# allowed DIR: the prefixes of the project's headers a source under DIR may include
allowed() {
    case $1 in
    forward/base | forward/base/*) echo "forward/base/" ;;
    forward | forward/*) echo "forward/" ;;
    samples | samples/*) echo "forward/ samples/" ;;
    invnet/invert | invnet/invert/*) echo "forward/ samples/ invnet/" ;;
    invnet) echo "forward/ samples/ invnet/TOP" ;;
    esac
}

# check FILE: every project #include of FILE against its directory's allowance
check() {
    f=$1
    dir=$(dirname "$f")
    allow=$(allowed "$dir")
    grep -n '^#include "' "$ROOT/$f" | while IFS= read -r line; do
        n=${line%%:*}
        h=$(echo "$line" | sed 's/^[0-9]*:#include "\([^"]*\)".*/\1/')
        case $h in */*) ;; *) continue ;; esac # not a project path (a same-folder header)
        good=0
        for p in $allow; do
            case $p in
            invnet/TOP) case $h in invnet/invert/*) ;; invnet/*) good=1 ;; esac ;;
            *) case $h in "$p"*) good=1 ;; esac ;;
            esac
        done
        [ $good = 1 ] || echo "$f:$n: includes $h (a $dir source may include only: $allow)"
    done
}

: >"$TMP/breaks"
n=0
for f in $(cd "$ROOT" && find forward samples invnet -name '*.[ch]' | sort); do
    check "$f" >>"$TMP/breaks"
    n=$((n + 1))
done
[ "$n" -gt 50 ] && ok || bad "only $n library sources found under $ROOT"
[ ! -s "$TMP/breaks" ] && ok || bad "includes against the layers: $(cat "$TMP/breaks")"

# the check itself: an upward include in a scratch copy of the rule's inputs is found
mkdir -p "$TMP/tree/forward/base"
printf '#include "forward/fwd_internal.h"\n' >"$TMP/tree/forward/base/x.c"
ROOT_SAVE=$ROOT
ROOT=$TMP/tree
[ -n "$(check forward/base/x.c)" ] && ok || bad "an upward include of forward/base was not found"
mkdir -p "$TMP/tree/invnet"
printf '#include "invnet/invert/invnet_lm.h"\n#include "invnet/invnet_net.h"\n' >"$TMP/tree/invnet/y.c"
[ "$(check invnet/y.c | wc -l)" -eq 1 ] && ok || bad "invnet's top including invert/: $(check invnet/y.c)"
ROOT=$ROOT_SAVE
finish cli-layers
