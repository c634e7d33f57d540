# SPDX-License-Identifier: MIT
# procs.sh - what tests/cli/run.sh, tests/cli/lib.sh and .ci/run share to stop a run that
# goes on too long and say what it was doing (ps: Debian's procps, tools/deps.sh). Sourced.
# The variables of these functions: a_*, d_*, st_*.

# descendants PID [SKIP]: PID and every process below it, one a line, parents first; not
# SKIP nor the processes below it
descendants() {
    ps -eo pid=,ppid= | awk -v top="$1" -v skip="${2:-}" '{ kids[$2] = kids[$2] " " $1 }
        END { n = 1; q[1] = top
              for (i = 1; i <= n; i++) { print q[i]; m = split(kids[q[i]], c, " ")
                                         for (j = 1; j <= m; j++) if (c[j] != skip) q[++n] = c[j] } }'
}

# running PID: true while PID runs: its state read, and a live one (not once it has ended
# and waits to be reaped, nor when its entry went away while read)
running() {
    case $(sed -n 's/.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null) in
    [RSDTtWPI]) return 0 ;;
    *) return 1 ;;
    esac
}

# await PID TENTHS: waits while PID runs, at most TENTHS tenths of a second; true when it
# has ended
await() {
    a_n=0
    while running "$1" && [ $a_n -lt "$2" ]; do
        sleep 0.1
        a_n=$((a_n + 1))
    done
    ! running "$1"
}

# describe PIDS...: a line a process: its time, state, what it waits in (wchan), its
# pending, blocked and ignored signals (hexadecimal masks, bit N-1 for signal N), its
# command line
describe() {
    for d_p in "$@"; do
        [ -r "/proc/$d_p/status" ] || continue
        printf '  pid %s: %ss, state %s, waits in %s, signals pending %s, blocked %s, ignored %s: %s\n' \
            "$d_p" "$(ps -o etimes= -p "$d_p" | tr -d ' ')" \
            "$(sed -n 's/^State:[[:space:]]*//p' "/proc/$d_p/status")" \
            "$(cat "/proc/$d_p/wchan" 2>/dev/null || echo '?')" \
            "$(sed -n 's/^SigPnd:[[:space:]]*//p' "/proc/$d_p/status")" \
            "$(sed -n 's/^SigBlk:[[:space:]]*//p' "/proc/$d_p/status")" \
            "$(sed -n 's/^SigIgn:[[:space:]]*//p' "/proc/$d_p/status")" \
            "$(tr '\0' ' ' <"/proc/$d_p/cmdline" | cut -c1-300)"
    done
}

# stop PIDS...: SIGTERM to each, then, to those still running 5 s later, SIGKILL
stop() {
    # shellcheck disable=SC2086 # one pid a word
    kill -TERM "$@" 2>/dev/null
    st_n=0
    while [ $st_n -lt 50 ]; do
        st_live=""
        for st_p in "$@"; do
            running "$st_p" && st_live="$st_live $st_p"
        done
        [ -n "$st_live" ] || return 0
        sleep 0.1
        st_n=$((st_n + 1))
    done
    # shellcheck disable=SC2086
    kill -KILL $st_live 2>/dev/null
}

# halt PIDS...: describe, then stop, each of them
halt() {
    describe "$@"
    stop "$@"
}

# halt_tree PID: halt, PID and the processes below it (listed once)
halt_tree() {
    # shellcheck disable=SC2046 # one pid a word
    halt $(descendants "$1")
}
