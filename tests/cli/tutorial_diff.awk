# SPDX-License-Identifier: MIT
# tutorial_diff.awk - does a command's output match what the README shows for it?
# Line by line: the text between numbers must be the same, and each number the same to one
# unit of the README's last printed digit (or a relative 1e-6, or 1e-6: a rounding that
# falls the other way on another CPU passes, a changed model or count does not). Not
# compared: times (a `time_ms` column or key, "N samples/s", "elapsed N s", "ETA N s|min|h",
# "read in N s",
# ", N s;") and the machine's "N threads"; not read: train's note that other work on the
# cores made it run its steps on fewer threads (the machine's, as times are). A README line
# "..." stands for any number of output lines. Prints the first difference and exits 1.
# usage: awk -f tests/cli/tutorial_diff.awk EXPECTED ACTUAL
function untimed(s) {
    gsub(/"time_ms": [-0-9.e+]+/, "\"time_ms\": T", s)
    gsub(/ +[0-9.]+ samples\/s/, " N samples/s", s)
    gsub(/elapsed [0-9.]+ s/, "elapsed N s", s)
    gsub(/ETA [0-9.]+ (s|min|h)/, "ETA N s", s)
    gsub(/read in [0-9.]+ s/, "read in N s", s)
    gsub(/, [0-9.]+ s;/, ", N s;", s)
    gsub(/[0-9]+ threads/, "N threads", s)
    return s
}
# the line with its time_ms column (known from the last CSV header) emptied
function uncolumned(s,    f, k, out, i) {
    if (tcol == 0 || s !~ /,/) return s
    k = split(s, f, ",")
    if (k < tcol) return s
    f[tcol] = ""
    out = f[1]
    for (i = 2; i <= k; i++) out = out "," f[i]
    return out
}
# parts(S, T, V, U): S cut into its numbers V[1..] and the text around them T[1..], U[k]
# one unit of V[k]'s last printed digit; the count of numbers
function parts(s, t, v, u,    k, tok, m, d, e) {
    k = 0
    while (match(s, NUM)) {
        t[++k] = substr(s, 1, RSTART - 1)
        tok = substr(s, RSTART, RLENGTH)
        s = substr(s, RSTART + RLENGTH)
        v[k] = tok + 0
        m = tok
        e = 0
        if (match(m, /e[-+]?[0-9]+$/)) { e = substr(m, RSTART + 1) + 0; m = substr(m, 1, RSTART - 1) }
        d = index(m, ".") ? length(m) - index(m, ".") : 0
        u[k] = 10 ^ (e - d)
    }
    t[k + 1] = s
    return k
}
# same(E, A): 1 when lines E and A agree as described above
function same(e, a,    ne, na, te, ta, ve, va, ue, ua, i, d, m, tol) {
    ne = parts(uncolumned(untimed(e)), te, ve, ue)
    na = parts(uncolumned(untimed(a)), ta, va, ua)
    if (ne != na) return 0
    for (i = 1; i <= ne + 1; i++) if (te[i] != ta[i]) return 0
    for (i = 1; i <= ne; i++) {
        d = ve[i] - va[i]
        if (d < 0) d = -d
        m = ve[i] < 0 ? -ve[i] : ve[i]
        tol = ue[i] > 1e-6 * m ? ue[i] : 1e-6 * m
        if (tol < 1e-6) tol = 1e-6
        if (d > tol * 1.000001) return 0
    }
    return 1
}
BEGIN { NUM = "-?[0-9]+([.][0-9]+)?(e[-+]?[0-9]+)?" }
FILENAME == ARGV[1] { want[++ne] = $0; next }
/^bpinv train: note: epoch [0-9]+: the steps run faster on [0-9]+ threads? than on/ { next }
{ got[++na] = $0 }
END {
    j = 1
    for (i = 1; i <= ne; i++) {
        if (want[i] == "...") {
            # skip output lines until the README's next line matches
            if (i == ne) { j = na + 1; continue }
            while (j <= na && !same(want[i + 1], got[j])) j++
            continue
        }
        if (want[i] ~ /(^|,)time_ms(,|$)/) {
            k = split(want[i], h, ",")
            tcol = 0
            for (c = 1; c <= k; c++) if (h[c] == "time_ms") tcol = c
        }
        if (j > na) { printf "README shows \"%s\", the output ends before it\n", want[i]; exit 1 }
        if (!same(want[i], got[j])) {
            printf "README shows  \"%s\"\nthe output has \"%s\"\n", want[i], got[j]
            exit 1
        }
        j++
    }
    if (j <= na) { printf "the output goes on past the README's lines: \"%s\"\n", got[j]; exit 1 }
}
