# SPDX-License-Identifier: MIT
# tutorial_expect.awk - the README's console blocks as commands and what each prints.
# Every `$ ./bpinv ...` line (continuations ending in a backslash joined) goes to
# DIR/commands, one a line; the lines the README shows under command i, up to the next
# command or the end of the block, go to DIR/expect.i (an empty file when it shows none).
# usage: awk -v dir=DIR -f tests/cli/tutorial_expect.awk README.md
/^```console/ { inblock = 1; next }
/^```/ { inblock = 0; next }
!inblock { next }
/^\$ / {
    cmd = substr($0, 3)
    while (cmd ~ /\\$/) {
        if ((getline nxt) <= 0) break
        sub(/\\$/, "", cmd)
        sub(/^ +/, " ", nxt)
        cmd = cmd nxt
    }
    n++
    print cmd > (dir "/commands")
    printf "" > (dir "/expect." n)
    next
}
n > 0 { print > (dir "/expect." n) }
