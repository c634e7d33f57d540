#!/bin/sh
# SPDX-License-Identifier: MIT
# test_invert.sh - command-line tests of `bpinv invert`: CSV and JSON output, the refinement,
# ranges, thread counts, -o without overwriting, plots, and a bad sounding among good ones
# (test_invert_field.sh has field files, surveys, bad nets and arguments).
# usage: sh tests/cli/test_invert.sh PATH/TO/bpinv
BPINV=${1:-./bpinv}
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/invert_setup.sh"

# --- CSV -----------------------------------------------------------------------------------
run invert "$TMP/net.h5" "$TMP/snd/a.csv" "$TMP/snd/b.csv" "$TMP/snd/c.txt" "$TMP/snd/d.csv" \
    "$TMP/snd/e.csv"
[ "$rc" -eq 0 ] && ok || bad "invert: exit $rc: $(cat "$TMP/err")"
head -1 "$TMP/out" | grep -qx "source,name,method,n_layers,rho_1_ohmm,rho_2_ohmm,rho_3_ohmm,thick_1_m,thick_2_m,misfit_rms_pct,misfit_net_pct,refined,chi2,chi2_given,mahalanobis_d2,span_decades,in_range,flags,time_ms,error" &&
    ok || bad "CSV header: $(head -1 "$TMP/out")"
[ "$(wc -l <"$TMP/out")" -eq 6 ] && ok || bad "CSV rows: $(cat "$TMP/out")"
grep -q "^$TMP/snd/a.csv,a.csv,schlumberger,3,[0-9.e+]*,.*,3,true,[a-z_]*,[0-9.]*,$" "$TMP/out" && ok ||
    bad "a.csv not in range: $(grep a.csv "$TMP/out")"
# the net inverts any part of its span of 1 decade or more: 1.5..700 m and 10..100 m
grep -q "/b.csv,b.csv,schlumberger,3,[0-9.e+]*,.*,2.669,true,,[0-9.]*,$" "$TMP/out" && ok ||
    bad "b.csv (1.5..700 m): $(grep b.csv "$TMP/out")"
grep -q "/d.csv,d.csv,schlumberger,3,[0-9.e+]*,.*,1,true,[a-z_]*,[0-9.]*,$" "$TMP/out" && ok ||
    bad "d.csv (10..100 m): $(grep d.csv "$TMP/out")"
# 100..3000 m: the net sees 100..1000 m, the refinement all of it
grep -q "/e.csv,e.csv,schlumberger,3,[0-9.e+]*,.*,1,false,extrapolated_geometry,[0-9.]*,$" \
    "$TMP/out" && ok || bad "e.csv (100..3000 m): $(grep e.csv "$TMP/out")"
grep -q "c.txt,c.txt,schlumberger,,,,,,,,,,,,,0.699,false,not_inverted," "$TMP/out" && ok ||
    bad "c.txt (1..5 m, 0.7 decades) not refused: $(grep c.txt "$TMP/out")"
# the heap in a huge page (the default) or not (BPINV_HUGE_PAGES=0): the same answers, all
# but time_ms; not under valgrind, which has a malloc of its own
if [ -z "${BPINV_VALGRIND:-}" ]; then
    tcol=$(col "$TMP/out" time_ms)
    cut -d, -f"$tcol" --complement "$TMP/out" >"$TMP/out.huge"
    export BPINV_HUGE_PAGES=0
    run invert "$TMP/net.h5" "$TMP/snd/a.csv" "$TMP/snd/b.csv" "$TMP/snd/c.txt" "$TMP/snd/d.csv" \
        "$TMP/snd/e.csv"
    unset BPINV_HUGE_PAGES
    [ "$rc" -eq 0 ] && cut -d, -f"$tcol" --complement "$TMP/out" | cmp -s - "$TMP/out.huge" && ok ||
        bad "BPINV_HUGE_PAGES=0 changed the answers: $(cut -d, -f"$tcol" --complement "$TMP/out" |
            diff - "$TMP/out.huge")"
fi
# ... and stderr says why, once, naming the file (nothing more with -q)
[ "$(grep -c "not inverted" "$TMP/err")" -eq 1 ] &&
    grep -qF "bpinv invert: note: $TMP/snd/c.txt: not inverted: it covers 0.70 decades of the net's span, less than the 1 decade the net takes" "$TMP/err" &&
    ok || bad "c.txt: no note of why it was not inverted: $(cat "$TMP/err")"
run invert "$TMP/net.h5" "$TMP/snd/c.txt" -q
[ "$rc" -eq 0 ] && [ ! -s "$TMP/err" ] && ok || bad "-q: a note: $(cat "$TMP/err")"
# ... and the JSON's note says it too (Python's Result.note is that note)
run invert "$TMP/net.h5" "$TMP/snd/c.txt" --format json -q
grep -qF '"note": "not inverted: it covers 0.70 decades of the net'"'"'s span, less than the 1 decade the net takes"' \
    "$TMP/out" && ok || bad "c.txt: the JSON's note: $(cat "$TMP/out")"
# fewer readings than the model's parameters (4 for 3 layers' 5): not refined, no ranges, and
# said (the net's answer stood, unexplained, with high_misfit); a value held counts as a datum
plain_bpinv forward -m schlumberger --rho 100,20,300 --thick 4,15 --ab2 3:100:4 >"$TMP/f4.csv"
run invert "$TMP/net.h5" "$TMP/f4.csv" --ranges
[ "$rc" -eq 0 ] && [ "$(sed -n 2p "$TMP/out" | cut -d, -f"$(col "$TMP/out" refined)")" = false ] &&
    grep -qF "bpinv invert: note: $TMP/f4.csv: not refined, and no ranges: its 4 readings are fewer than the 5 parameters of a 3-layer earth, which they cannot determine: the net's answer as it is (misfit " "$TMP/err" &&
    grep -qF "they determine a net of 2 layers or fewer" "$TMP/err" && ok ||
    bad "4 readings, 3 layers: exit $rc: $(cat "$TMP/out" "$TMP/err")"
run invert "$TMP/net.h5" "$TMP/f4.csv" --fix rho1=100 -q
[ "$rc" -eq 0 ] && [ "$(sed -n 2p "$TMP/out" | cut -d, -f"$(col "$TMP/out" refined)")" = true ] &&
    ok || bad "4 readings and rho1 fixed: not refined: $(cat "$TMP/out" "$TMP/err")"
run invert "$TMP/net.h5" "$TMP/f4.csv" --fix rho1=100
! grep -q "not refined" "$TMP/err" && ok || bad "4 readings and rho1 fixed: $(cat "$TMP/err")"
run invert "$TMP/net.h5" "$TMP/f4.csv" --no-refine --ranges
[ "$rc" -eq 0 ] && grep -qF "bpinv invert: note: $TMP/f4.csv: no ranges: its 4 readings are fewer than the 5 parameters" "$TMP/err" &&
    ok || bad "4 readings, --no-refine --ranges: exit $rc: $(cat "$TMP/err")"
run invert "$TMP/net.h5" "$TMP/f4.csv" --no-refine
[ "$rc" -eq 0 ] && ! grep -q "fewer than" "$TMP/err" && ok || bad "4 readings, --no-refine: $(cat "$TMP/err")"
plain_bpinv forward -m schlumberger --rho 100,20,300 --thick 4,15 --ab2 3:100:3 >"$TMP/f3.csv"
run invert "$TMP/net.h5" "$TMP/f3.csv" --fix rho1=100
[ "$rc" -eq 0 ] && grep -qF "not refined: its 3 readings (and 1 value held) are fewer than the 5 parameters of a 3-layer earth" "$TMP/err" &&
    grep -qF "they determine a net of 2 layers or fewer" "$TMP/err" && ok ||
    bad "3 readings and one held: exit $rc: $(cat "$TMP/err")"
# --ranges with a net of noiseless samples: refused before any sounding (each failed, and no
# results were written at all)
setup samples -m schlumberger --layers 2 --ab2 1:100:10 --rho 1:100 --thick 1:10 -n 1000 \
    -o "$TMP/s0.h5" -q
setup train "$TMP/s0.h5" -o "$TMP/net0.h5" --epochs 2 --hidden 8 -q
expect_fail 1 "--ranges, a net of noise 0" \
    "bpinv invert: --ranges: $TMP/net0.h5: expected a net trained on noisy samples (the ranges weigh the data by the training noise), got one of samples --noise 0" \
    invert "$TMP/net0.h5" "$TMP/snd/d.csv" --ranges
run invert "$TMP/net0.h5" "$TMP/snd/d.csv"
[ "$rc" -eq 0 ] && ok || bad "a net of noise 0 without --ranges: exit $rc: $(cat "$TMP/err")"
# more threads than cores (nproc reads OMP_NUM_THREADS; OpenMP's count does not), and as
# many soundings: a note after the results; with one sounding (one thread busy), none; an
# error is the only line
cores=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
set -- $(for k in $(seq 0 "$cores"); do echo "$TMP/snd/a.csv"; done)
run invert "$TMP/net.h5" "$@" -j $((cores + 1))
[ "$rc" -eq 0 ] && grep -qF "note: -j $((cores + 1)) is more threads than the $cores core" "$TMP/err" &&
    ok || bad "-j beyond the cores: no note: $(cat "$TMP/err")"
run invert "$TMP/net.h5" "$TMP/snd/a.csv" -j $((cores + 1))
[ "$rc" -eq 0 ] && ! grep -q "more threads" "$TMP/err" && ok || bad "-j, one sounding: $(cat "$TMP/err")"
: >"$TMP/exists.csv"
expect_fail 1 "-j and -o an existing file" "exists" invert "$TMP/net.h5" "$@" -j $((cores + 1)) -o "$TMP/exists.csv"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && ok || bad "-j and an error: more than one line: $(cat "$TMP/err")"
set --
# an earth beyond the prior (rho_2 3000 ohm-m; the net's prior 1..1000): no model of the prior
# fits it, the fit with the prior widened by 2 decades does; --outside-fit 0: not tried
plain_bpinv forward -m schlumberger --rho 100,3000,100 --thick 5,40 --ab2 1:1000:20 >"$TMP/out3000.csv"
run invert "$TMP/net.h5" "$TMP/out3000.csv" --format json
[ "$rc" -eq 0 ] && /usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["soundings"][0]
e = s["prior_exit"]
assert "data_outside_training_range" in s["flags"] and "high_misfit" in s["flags"], s["flags"]
assert e["misfit_rms_pct"] < 1 and e["parameter"] in ("rho_2", "thick_2"), e
assert e["beyond_decades"] > 0.1 and e["rho_ohmm"][1] > 1000, e
assert s["note"].startswith("with the prior widened, the fit (misfit ") and \
    s["note"].endswith("a net of a wider prior would fit it"), s["note"]
print("ok")' "$TMP/out" >"$TMP/py" 2>&1 && grep -qx ok "$TMP/py" && ok ||
    bad "the fit outside the prior: $(cat "$TMP/py" "$TMP/err")"
# ... and stderr names the parameter, its value and the prior it left
grep -qE "note: $TMP/out3000.csv: with the prior widened, the fit \(misfit [0-9.e-]+ %, [0-9.]+ % inside it\) puts (rho_2 at [0-9.]+ ohm-m, [0-9.]+ decades above the net's prior \(1 to 1000 ohm-m\)|thick_2 at [0-9.]+ m, [0-9.]+ decades (above|below) the net's prior \(1 to 50 m\)): a net of a wider prior would fit it" "$TMP/err" &&
    ok || bad "the fit outside the prior: no note: $(cat "$TMP/err")"
# a topsoil of 5000 ohm-m (the prior's top 1000) with the prior widened 0.6 decades only: that
# fit is clearly better but misses too; the note says so, without "would fit"
plain_bpinv forward -m schlumberger --rho 5000,100,5000 --thick 5,40 --ab2 1:1000:20 >"$TMP/top5000.csv"
run invert "$TMP/net.h5" "$TMP/top5000.csv" --outside-fit 0.6
grep -qE "note: $TMP/top5000.csv: with the prior widened, the fit \(misfit [0-9.]+ %, [0-9.]+ % inside it\) puts rho_1 at 3981 ohm-m, 0.60 decades above the net's prior \(1 to 1000 ohm-m\): it misses there too, less: the prior is likely too narrow" "$TMP/err" &&
    ! grep -q "would fit" "$TMP/err" && ok || bad "a wider fit that misses too: $(cat "$TMP/err")"
# apparent resistivities of 1e-199 ohm-m (positive, finite): misfits beyond a double; JSON has
# no inf, so those numbers are null and the output stays JSON (it was "inf", which Python's
# json module refuses, losing a whole batch in bpinv.Net.invert_many)
awk -F, 'NR == 1 { print; next } { printf "%s,%.6g\n", $1, $2 * 1e-200 }' "$TMP/snd/a.csv" >"$TMP/tiny.csv"
run invert "$TMP/net.h5" "$TMP/tiny.csv" "$TMP/snd/a.csv" --format json -q
[ "$rc" -eq 0 ] && /usr/bin/python3 -c '
import json, sys
t, a = json.load(open(sys.argv[1]))["soundings"]
assert t["misfit_rms_pct"] is None and "high_misfit" in t["flags"], t
assert t["prior_exit"]["misfit_rms_pct"] is None, t["prior_exit"]
assert a["misfit_rms_pct"] < 1, a
print("ok")' "$TMP/out" >"$TMP/py" 2>&1 && grep -qx ok "$TMP/py" && ok ||
    bad "a misfit beyond a double in JSON: $(cat "$TMP/py" "$TMP/err")"
run invert "$TMP/net.h5" "$TMP/out3000.csv" --format json --outside-fit 0
[ "$rc" -eq 0 ] && grep -q '"prior_exit": null' "$TMP/out" && ok ||
    bad "--outside-fit 0: $(cat "$TMP/out" "$TMP/err")"
# the plot draws that fit's model beside the answer: not the picture without it
run invert "$TMP/net.h5" "$TMP/out3000.csv" --plot "$TMP/pexit" -q
[ "$rc" -eq 0 ] && [ -s "$TMP/pexit/out3000.csv.png" ] && ok || bad "--plot: exit $rc"
if [ -z "${BPINV_VALGRIND:-}" ]; then # a second picture is memcheck's time, not its business
    run invert "$TMP/net.h5" "$TMP/out3000.csv" --plot "$TMP/pnoexit" --outside-fit 0 -q
    [ -s "$TMP/pnoexit/out3000.csv.png" ] &&
        ! cmp -s "$TMP/pexit/out3000.csv.png" "$TMP/pnoexit/out3000.csv.png" && ok ||
        bad "the plot does not show the fit outside the prior"
fi
run invert "$TMP/net.h5" "$TMP/snd/a.csv" --format json
[ "$rc" -eq 0 ] && grep -q '"prior_exit": null' "$TMP/out" && ok ||
    bad "a.csv (fitted) ran the fit outside the prior: $(cat "$TMP/out")"
[ ! -s "$TMP/err" ] && ok || bad "stderr not quiet when not a terminal: $(cat "$TMP/err")"

# --- refinement, by default: the model fits the exact data; --no-refine: the net's own -----
run invert "$TMP/net.h5" "$TMP/snd/a.csv"
awk -F, "$BYNAME"' NR == 2 { exit !($c["misfit_rms_pct"] < 1 && $c["refined"] == "true") }' \
    "$TMP/out" && ok ||
    bad "refined: misfit not below 1 %: $(cat "$TMP/out")"
run invert "$TMP/net.h5" "$TMP/snd/a.csv" --no-refine
awk -F, "$BYNAME"' NR == 2 { exit !($c["misfit_rms_pct"] == $c["misfit_net_pct"] &&
                                    $c["refined"] == "false") }' "$TMP/out" && ok ||
    bad "--no-refine: $(cat "$TMP/out")"
expect_fail 2 "--refine --no-refine" "--refine and --no-refine: choose one" \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" --refine --no-refine

# --- --ranges: intervals that hold the answer, the same for any -j; without it, no columns --
run invert "$TMP/net.h5" "$TMP/snd/a.csv" "$TMP/snd/b.csv" --ranges
[ "$rc" -eq 0 ] && ok || bad "--ranges: exit $rc: $(cat "$TMP/err")"
cp "$TMP/out" "$TMP/ranges_ab.csv"
head -1 "$TMP/out" | grep -q "thick_2_m,rho_1_ohmm_p05,rho_1_ohmm_p95,rho_2_ohmm_p05,.*,conductance_2_siemens_p05,conductance_2_siemens_p95,transverse_1_ohmm2_p05,.*,transverse_2_ohmm2_p95,doi_m,doi_m_p05,doi_m_p95,misfit_rms_pct" &&
    ok || bad "--ranges CSV header: $(head -1 "$TMP/out")"
# each interval holds the model (rho_1..3, h_1..2 between their _p05 and _p95 ends) and
# a.csv's true rho_1 = 100 ohm-m, h_1 = 4 m (exact data)
awk -F, "$BYNAME"'
    function within(q) { return $c[q "_p05"] <= $c[q] && $c[q] <= $c[q "_p95"] }
    NR > 1 { for (k = 1; k <= 3; k++) if (!within("rho_" k "_ohmm")) exit 1
             for (k = 1; k <= 2; k++) if (!within("thick_" k "_m")) exit 1 }
    NR == 2 { exit !($c["rho_1_ohmm_p05"] < 100 && 100 < $c["rho_1_ohmm_p95"] &&
                     $c["thick_1_m_p05"] < 4 && 4 < $c["thick_1_m_p95"]) }' "$TMP/out" && ok ||
    bad "--ranges: an interval misses the model: $(cat "$TMP/out")"
# the column unresolved: the JSON's "unresolved", joined by ';', and the flag where it is not
# empty; a thin conductor (5 ohm-m, 2 m at 10 m: S alone resolved) leaves names there
plain_bpinv forward -m schlumberger --rho 100,5,100 --thick 10,2 --ab2 1:1000:20 >"$TMP/thin.csv"
run invert "$TMP/net.h5" "$TMP/snd/a.csv" "$TMP/thin.csv" --ranges --progress
cp "$TMP/out" "$TMP/ranges.csv"
# the summary counts the ranges' own flags apart: an answer that is unresolved_parameters
# alone is in range without flags (all 199 of a survey were "flagged" by them)
/usr/bin/python3 - "$TMP/ranges.csv" "$TMP/err" <<'PYEOF_SUM' && ok ||
import csv, re, sys
rows = list(csv.DictReader(open(sys.argv[1])))
own = {"unresolved_parameters", "ranges_not_converged"}
clean = sum(r["in_range"] == "true" and not (set(r["flags"].split(";")) - own - {""}) for r in rows)
unres = sum("unresolved_parameters" in r["flags"].split(";") for r in rows)
unconv = sum("ranges_not_converged" in r["flags"].split(";") for r in rows)
assert unres >= 1 and clean == 2, (clean, unres)
m = re.search(r"bpinv invert: 2 soundings in [0-9.]+ ms: (\d+) in range without flags, (\d+) "
              r"flagged, 0 not read; (\d+) with unresolved parameters, (\d+) with ranges not "
              r"converged \(--ranges\)\n", open(sys.argv[2]).read())
assert m and [int(g) for g in m.groups()] == [clean, len(rows) - clean, unres, unconv], open(sys.argv[2]).read()
PYEOF_SUM
    bad "--ranges: the summary counts the ranges' flags as the answers': $(cat "$TMP/err")"
run invert "$TMP/net.h5" "$TMP/snd/a.csv" "$TMP/thin.csv" --ranges --format json
[ "$rc" -eq 0 ] && /usr/bin/python3 - "$TMP/ranges.csv" "$TMP/out" <<'PYEOF_UNRES' && ok ||
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
js = json.load(open(sys.argv[2]))["soundings"]
assert len(rows) == len(js) == 2
for r, j in zip(rows, js):
    u = ";".join(j["ranges"]["unresolved"])
    assert r["unresolved"] == u, (r["unresolved"], u)
    assert ("unresolved_parameters" in r["flags"].split(";")) == (u != ""), r["flags"]
assert "rho_2" in rows[1]["unresolved"].split(";"), rows[1]
PYEOF_UNRES
    bad "--ranges: the unresolved column against the JSON: $(head -3 "$TMP/ranges.csv")"
# --equivalent: the equivalent models themselves, 100 a sounding after its answer (model 0),
# the results as without it
run invert "$TMP/net.h5" "$TMP/snd/a.csv" "$TMP/thin.csv" --ranges --equivalent "$TMP/eq.csv" -q
tcol=$(col "$TMP/out" time_ms)
[ "$rc" -eq 0 ] && [ "$(head -1 "$TMP/eq.csv")" = "source,name,n_layers,model,rho_1_ohmm,rho_2_ohmm,rho_3_ohmm,thick_1_m,thick_2_m,misfit_rms_pct,chi2,same_as" ] &&
    [ "$(wc -l <"$TMP/eq.csv")" -eq 203 ] &&
    [ "$(cut -d, -f"$tcol" --complement "$TMP/out")" = "$(cut -d, -f"$tcol" --complement "$TMP/ranges.csv")" ] &&
    ok || bad "--equivalent: exit $rc: $(head -3 "$TMP/eq.csv") $(cat "$TMP/err")"
# ... each model's misfit is its forward model's against the data, computed here; about 90 %
# of them inside the 90 % interval of each parameter (85-94 when written); each fits the
# exact data as the net's noise allows: 3 % x sqrt(20.5 / 20), chi-square's 99.9 % point of
# 5 degrees of freedom over 20 points (3.0 % at most when written; 3.2 allows for the
# misfit of relative, not log, residuals)
awk -F, 'NR > 1 && $2 == "a.csv" && $4 == 1 { printf "%s,%s,%s %s,%s %s\n", $5, $6, $7, $8, $9, $10 }' \
    "$TMP/eq.csv" >"$TMP/eq1"
read -r m1 t1 misfit1 <"$TMP/eq1"
plain_bpinv forward -m schlumberger --rho "$m1" --thick "$t1" --ab2 1:1000:20 >"$TMP/eq1.csv"
awk -F, -v want="$misfit1" 'FNR == 1 { next } NR == FNR { d[FNR] = $2; next }
    { e = ($2 - d[FNR]) / d[FNR]; s += e * e; n++ }
    END { m = 100 * sqrt(s / n); exit !(n == 20 && m > 0 && (m - want) ^ 2 <= (2e-3 * m) ^ 2) }' \
    "$TMP/snd/a.csv" "$TMP/eq1.csv" && ok ||
    bad "--equivalent: model 1 of a.csv ($m1 / $t1) misfit $misfit1 %, not its forward model's"
awk -F, '
    FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } # each file its own header
    NR == FNR && $c["name"] == "a.csv" { for (k in c) r[k] = $c[k]; next }
    NR != FNR && $c["name"] == "a.csv" && $c["model"] > 0 {
        n++
        for (k = 1; k <= 3; k++) { q = "rho_" k "_ohmm"
            inside[q] += r[q "_p05"] <= $c[q] && $c[q] <= r[q "_p95"] }
        if ($c["misfit_rms_pct"] > 3.2) worse++ }
    END { for (q in inside) { m++; if (inside[q] < 70 || inside[q] > 100) exit 1 }
          exit !(n == 100 && m == 3 && !worse) }' \
    "$TMP/ranges.csv" "$TMP/eq.csv" && ok || bad "--equivalent: the models and the intervals: $(head -3 "$TMP/eq.csv")"
# ... model 0 is the results' answer; a model that repeats another, parameter for parameter,
# names the first of them (same_as), and the others are all different
/usr/bin/python3 - "$TMP/out" "$TMP/eq.csv" <<'PYEOF_SAME' && ok ||
import csv, sys
res = {r["source"]: r for r in csv.DictReader(open(sys.argv[1]))}
rows = list(csv.DictReader(open(sys.argv[2])))
keys = ["rho_1_ohmm", "rho_2_ohmm", "rho_3_ohmm", "thick_1_m", "thick_2_m"]
for src in res:
    mine = [r for r in rows if r["source"] == src]
    assert [int(r["model"]) for r in mine] == list(range(101)), src
    a = mine[0]
    for k in keys + ["misfit_rms_pct"]:
        assert abs(float(a[k]) - float(res[src][k])) <= 1e-5 * abs(float(res[src][k])), (k, a, res[src])
    assert a["same_as"] == "", a
    seen = {}
    for r in mine[1:]:
        m = tuple(r[k] for k in keys)
        if r["same_as"] == "":
            assert m not in seen, (r, seen[m])
            seen[m] = int(r["model"])
        else:
            assert seen.get(m) == int(r["same_as"]), (r, seen.get(m))
    assert 10 <= len(seen) < 100, (src, len(seen))  # a chain stays put at times
PYEOF_SAME
    bad "--equivalent: the answer's row, or same_as: $(head -3 "$TMP/eq.csv")"
# ... in the JSON too, the same models
run invert "$TMP/net.h5" "$TMP/snd/a.csv" --ranges --equivalent "$TMP/eq2.csv" --format json
[ "$rc" -eq 0 ] && /usr/bin/python3 - "$TMP/out" "$TMP/eq2.csv" <<'PYEOF_EQ' && ok ||
import csv, json, sys
models = json.load(open(sys.argv[1]))["soundings"][0]["ranges"]["models"]
rows = list(csv.DictReader(open(sys.argv[2])))[1:]
assert len(models) == len(rows) == 100, (len(models), len(rows))
for m, r in zip(models, rows):
    assert ["%.6g" % v for v in m["rho_ohmm"]] == ["%.6g" % float(r["rho_%d_ohmm" % k]) for k in (1, 2, 3)], (m, r)
    assert m["chi2"] is None and r["chi2"] == "", (m, r)
    # the JSON's an index into its list (from 0), the table's a model number (from 1)
    assert m["same_as"] == (int(r["same_as"]) - 1 if r["same_as"] else None), (m, r)
    if m["same_as"] is not None:
        assert models[m["same_as"]]["rho_ohmm"] == m["rho_ohmm"] and models[m["same_as"]]["same_as"] is None
PYEOF_EQ
    bad "--equivalent: the JSON's models and the table's: $(head -c 300 "$TMP/out")"
# ... --equivalent NAME.json: the same as JSON, the answer and the models of each sounding
# (null for one without ranges), beside the results' JSON
cp "$TMP/out" "$TMP/eq2.results.json"
run invert "$TMP/net.h5" "$TMP/snd/a.csv" "$TMP/f4.csv" --ranges --equivalent "$TMP/eq5.json" -q
[ "$rc" -eq 0 ] && /usr/bin/python3 - "$TMP/eq2.results.json" "$TMP/eq5.json" "$TMP/out" <<'PYEOF_EQJ' && ok ||
import csv, json, sys
want = json.load(open(sys.argv[1]))["soundings"][0]
doc = json.load(open(sys.argv[2]))
assert doc["net"].endswith("net.h5") and len(doc["soundings"]) == 2, doc.keys()
a, f4 = doc["soundings"]
assert a["source"] == want["source"] and a["name"] == want["name"] and a["n_layers"] == 3, a
assert a["models"] == want["ranges"]["models"], "the models differ from the results' JSON"
assert a["answer"] == {"rho_ohmm": want["rho_ohmm"], "thick_m": want["thick_m"],
                       "misfit_rms_pct": want["misfit_rms_pct"], "chi2": want["chi2"]}, a["answer"]
assert f4["source"].endswith("f4.csv") and f4["models"] is None and "answer" not in f4, f4
res = list(csv.DictReader(open(sys.argv[3])))  # -o's results stay a CSV
assert len(res) == 2 and res[0]["source"] == want["source"], res
PYEOF_EQJ
    bad "--equivalent eq5.json: exit $rc: $(head -c 300 "$TMP/eq5.json") $(cat "$TMP/err")"
# ... and refused: without --ranges, to the standard output, over a file without --force
expect_fail 2 "--equivalent without --ranges" "--equivalent: the equivalent models are those --ranges samples: give --ranges too" \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" --equivalent "$TMP/eq3.csv"
[ ! -e "$TMP/eq3.csv" ] && ok || bad "--equivalent without --ranges made its file"
expect_fail 2 "--equivalent -" "--equivalent: expected a file name, got \"-\"" \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" --ranges --equivalent -
# ... and a table of no model (4 readings: no ranges) said, not left to be found empty
run invert "$TMP/net.h5" "$TMP/f4.csv" --ranges --equivalent "$TMP/eq4.csv"
[ "$rc" -eq 0 ] && [ "$(wc -l <"$TMP/eq4.csv")" -eq 1 ] &&
    grep -qF "bpinv invert: note: --equivalent $TMP/eq4.csv: no sounding had ranges (each had too few readings, was not inverted, or no model honoured the parameters held): the table has its header alone" "$TMP/err" &&
    ok || bad "--equivalent of no model: exit $rc: $(cat "$TMP/err")"
cp "$TMP/eq.csv" "$TMP/eq.keep"
run invert "$TMP/net.h5" "$TMP/snd/a.csv" --ranges --equivalent "$TMP/eq.csv"
[ "$rc" -ne 0 ] && grep -q "eq.csv" "$TMP/err" && cmp -s "$TMP/eq.csv" "$TMP/eq.keep" && ok ||
    bad "--equivalent over a file without --force: exit $rc: $(cat "$TMP/err")"
# stacks: at the least accepted (threads of OMP_STACKSIZE=512K, ulimit -s 512) two soundings'
# ranges on two threads, as with the defaults' 2-8 MB (with 128K a survey's crashed); below,
# refused before any work, nothing written
tcol=$(col "$TMP/ranges_ab.csv" time_ms)
cut -d, -f"$tcol" --complement "$TMP/ranges_ab.csv" >"$TMP/out.stack"
export OMP_STACKSIZE=512K
(ulimit -s 512 && exec "$BPINV" invert "$TMP/net.h5" "$TMP/snd/a.csv" "$TMP/snd/b.csv" --ranges \
    -j 2 >"$TMP/out" 2>"$TMP/err")
[ $? -eq 0 ] && cut -d, -f"$tcol" --complement "$TMP/out" | cmp -s - "$TMP/out.stack" && ok ||
    bad "--ranges on stacks of 512 KB: $(head -c 300 "$TMP/err")"
export OMP_STACKSIZE=128K
run invert "$TMP/net.h5" "$TMP/snd/a.csv" "$TMP/snd/b.csv" --ranges -j 2 -o "$TMP/small.csv"
[ "$rc" -eq 2 ] && [ ! -e "$TMP/small.csv" ] && [ ! -s "$TMP/out" ] &&
    grep -qx 'bpinv: OMP_STACKSIZE: expected at least 512K (a thread.s stack), got "128K"' "$TMP/err" &&
    ok || bad "OMP_STACKSIZE=128K: exit $rc: $(cat "$TMP/err")"
unset OMP_STACKSIZE
(ulimit -s 256 && exec "$BPINV" invert "$TMP/net.h5" "$TMP/snd/a.csv" >"$TMP/out" 2>"$TMP/err")
[ $? -eq 2 ] && grep -qx 'bpinv: the stack size limit (ulimit -s): expected at least 512 KB, got 256 KB' "$TMP/err" &&
    ok || bad "ulimit -s 256: $(cat "$TMP/err")"
# an address-space limit (ulimit -v): OpenBLAS maps 128 MB for each thread of its idle pool,
# before main, and for each thread at its first call, and retries for ever where the map
# fails (--version hung under 100 MB; invert under 250 MB on 2 threads): bpinv runs itself
# again without the pool, and refuses a -j whose buffers do not fit, saying the -j that does
# (each run bounded here by timeout). Not under valgrind or the sanitizers, which need the
# address space themselves
if [ -z "${BPINV_VALGRIND:-}" ] && ! sanitized && command -v timeout >/dev/null; then
    (ulimit -v 100000 && exec timeout 60 "$BPINV" --version >"$TMP/out" 2>"$TMP/err")
    [ $? -eq 0 ] && grep -q '^bpinv [0-9]' "$TMP/out" && ok ||
        bad "--version under ulimit -v 100000: $(cat "$TMP/out" "$TMP/err")"
    # 12 soundings, so that the second thread has work (and maps its buffer)
    mkdir "$TMP/lim"
    for i in 1 2 3 4 5 6 7 8 9 10 11 12; do cp "$TMP/snd/a.csv" "$TMP/lim/a$i.csv"; done
    for v in 250000 350000; do
        (ulimit -v $v && exec timeout 60 "$BPINV" invert "$TMP/net.h5" "$TMP/lim" -j 2 \
            -o "$TMP/lim.csv" >"$TMP/out" 2>"$TMP/err")
        [ $? -eq 1 ] && [ ! -e "$TMP/lim.csv" ] &&
            grep -q "^bpinv invert: the address-space limit (ulimit -v) is $((v / 1024)) MB, and 2 threads need about [0-9]* MB: .* (OpenBLAS waits for ever where it cannot map a buffer): use -j 1, or raise the limit\$" "$TMP/err" &&
            ok || bad "invert -j 2 under ulimit -v $v: $(cat "$TMP/err")"
    done
    (ulimit -v 250000 && exec timeout 60 "$BPINV" invert "$TMP/net.h5" "$TMP/lim" -j 1 \
        -o "$TMP/lim.csv" >"$TMP/out" 2>"$TMP/err")
    [ $? -eq 0 ] && [ "$(wc -l <"$TMP/lim.csv")" -eq 13 ] && ok ||
        bad "invert -j 1 under ulimit -v 250000 (the -j it said): $(cat "$TMP/err")"
    rm -f "$TMP/lim.csv"
    (ulimit -v 600000 && exec timeout 60 "$BPINV" invert "$TMP/net.h5" "$TMP/lim" -j 2 \
        -o "$TMP/lim.csv" >"$TMP/out" 2>"$TMP/err")
    [ $? -eq 0 ] && [ "$(wc -l <"$TMP/lim.csv")" -eq 13 ] && ok ||
        bad "invert -j 2 under ulimit -v 600000: $(cat "$TMP/err")"
fi
run invert "$TMP/net.h5" "$TMP/snd/a.csv" --ranges=50 --format json
grep -q '"ranges": {"level_pct": 50, "rho_ohmm": \[\[' "$TMP/out" && grep -q '"ess_min": ' "$TMP/out" &&
    grep -q '"depth_m": \[\[[^]]*\], \[[^]]*\]\], "conductance_siemens": \[\[' "$TMP/out" &&
    grep -q '"doi_m": [0-9.e+]*, "doi_interval_m": \[[0-9.e+]*, [0-9.e+]*, [0-9.e+]*\], "noise_scale": [1-9][0-9.e+]*, "groups": [1-9][0-9]*, "equivalent_models": [1-9]' "$TMP/out" &&
    grep -q '"evaluations": [0-9]*' "$TMP/out" && ok || bad "--ranges=50 JSON: $(cat "$TMP/out")"
# the sounding's doi_m is its ranges' (none without ranges, a section, XYZ or plot)
/usr/bin/python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))["soundings"][0]
assert s["doi_m"] > 0 and s["doi_m"] == s["ranges"]["doi_m"], s
lo, med, hi = s["ranges"]["doi_interval_m"]
assert 0 < lo <= med <= hi, s' "$TMP/out" && ok ||
    bad "--ranges=50: doi_m is not the ranges': $(cat "$TMP/out")"
# the resistivity-depth envelope at that level: 64 depths down, its ends the first layer's
# and the half-space's intervals, S and T growing with depth
/usr/bin/python3 -c 'import json, sys
g = json.load(open(sys.argv[1]))["soundings"][0]["ranges"]
e = g["depth_envelope"]
z = e["depth_m"]
assert len(z) == 64 and all(a < b for a, b in zip(z, z[1:])), z
assert e["rho_ohmm"][0] == g["rho_ohmm"][0] and e["rho_ohmm"][-1] == g["rho_ohmm"][-1], e
for k in ("conductance_siemens", "transverse_ohmm2"):
    assert all(a[1] <= b[1] for a, b in zip(e[k], e[k][1:])), e[k]
assert all(v[0] <= v[1] <= v[2] for k in ("rho_ohmm", "conductance_siemens") for v in e[k])
' "$TMP/out" && ok || bad "--ranges=50: the depth envelope: $(cat "$TMP/out")"
# the CSV's ends of the depth of investigation across the equivalent models are the JSON's
cp "$TMP/out" "$TMP/r50.json"
run invert "$TMP/net.h5" "$TMP/snd/a.csv" --ranges=50
/usr/bin/python3 -c 'import csv, json, sys
s = json.load(open(sys.argv[1]))["soundings"][0]["ranges"]
(r,) = csv.DictReader(open(sys.argv[2]))
assert [r["doi_m_p25"], r["doi_m_p75"]] == ["%.4g" % v for v in s["doi_interval_m"][::2]], (r, s)
' "$TMP/r50.json" "$TMP/out" && ok || bad "--ranges=50: CSV doi_m_p25, doi_m_p75: $(cat "$TMP/out")"
run invert "$TMP/net.h5" "$TMP/snd/a.csv" --format json
grep -q '"doi_m": null' "$TMP/out" && ok || bad "a doi_m without being asked for: $(cat "$TMP/out")"
# --envelope: the JSON's depth_envelope as a table, a row per depth, its position and the
# elevation of each depth (a survey station's), seen above the depth of investigation
run invert "$TMP/net.h5" docs/examples/profile_synthetic.csv --stations P05,P07 --ranges=50 \
    --format json --envelope "$TMP/env.csv"
/usr/bin/python3 - "$TMP/out" "$TMP/env.csv" <<'PYEOF_ENV' && ok || bad "--envelope: $(cat "$TMP/err")"
import csv, json, sys
doc = json.load(open(sys.argv[1]))["soundings"]
rows = list(csv.DictReader(open(sys.argv[2])))
assert list(rows[0])[-10:] == ["rho_ohmm_p25", "rho_ohmm_p50", "rho_ohmm_p75", "conductance_s_p25",
    "conductance_s_p50", "conductance_s_p75", "transverse_ohmm2_p25", "transverse_ohmm2_p50",
    "transverse_ohmm2_p75", "seen"], list(rows[0])
assert len(doc) == 2 and len(rows) == 128, (len(doc), len(rows))
for s in doc:
    e = s["ranges"]["depth_envelope"]
    mine = [r for r in rows if r["name"] == s["name"]]
    assert len(mine) == 64, s["name"]
    for r, z, rho, c, t in zip(mine, e["depth_m"], e["rho_ohmm"], e["conductance_siemens"],
                               e["transverse_ohmm2"]):
        assert float(r["depth_m"]) == z and r["elevation_m"] == "%.6g" % s["elevation_m"], r
        assert abs(float(r["z_m"]) - (s["elevation_m"] - z)) <= 1e-5 * (1 + z + s["elevation_m"]), r
        got = [float(r[k]) for k in r if k.startswith(("rho_ohmm_p", "conductance_s_p",
                                                        "transverse_ohmm2_p"))]
        assert got == rho + c + t, (got, rho + c + t)
        assert r["seen"] == ("1" if z <= s["doi_m"] else "0"), (r, s["doi_m"])
    assert mine[0]["seen"] == "1" and mine[-1]["seen"] == "0", s["name"]
PYEOF_ENV
expect_fail 2 "--envelope without --ranges" \
    "bpinv invert: --envelope: the equivalent models are those --ranges samples: give --ranges" \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" --envelope "$TMP/env2.csv"
expect_fail 2 "--envelope NAME.json" \
    "bpinv invert: --envelope $TMP/env2.json: expected a name for a CSV table, got a .json one" \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" --ranges --envelope "$TMP/env2.json"
[ ! -e "$TMP/env2.csv" ] && [ ! -e "$TMP/env2.json" ] && ok || bad "--envelope refused: a file made"
expect_fail 2 "--envelope \"\"" "bpinv invert: --envelope: expected a file name, got an empty one" \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" --ranges --envelope ""
expect_fail 2 "-o \"\"" "bpinv invert: -o: expected a file name, got an empty one" \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" -o ""
expect_fail 1 "--envelope the net" \
    "bpinv invert: $TMP/net.h5: is the net file; write the envelopes to another file" \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" --ranges --envelope "$TMP/net.h5" --force
run invert "$TMP/net.h5" "$TMP/snd/c.txt" --ranges --envelope "$TMP/env3.csv"
[ "$rc" -eq 0 ] && [ "$(wc -l <"$TMP/env3.csv")" -eq 1 ] &&
    grep -q "^bpinv invert: note: --envelope $TMP/env3.csv: no sounding had ranges" "$TMP/err" &&
    ok || bad "--envelope of no row: exit $rc: $(cat "$TMP/err")"
# the same for any -j (not memcheck's business: two whole --ranges runs under it)
if [ -z "${BPINV_VALGRIND:-}" ]; then
    for j in 1 2; do
        "$BPINV" invert "$TMP/net.h5" "$TMP/snd/b.csv" "$TMP/snd/a.csv" "$TMP/snd/d.csv" --ranges -j $j |
            sed 's/,[0-9.]*,$//' >"$TMP/r$j.csv"
    done
    cmp -s "$TMP/r1.csv" "$TMP/r2.csv" && ok || bad "--ranges: -j1 and -j2 differ"
fi
# the progress of a run over 0.5 s (here about 2 s), on a terminal only (script(1) gives it
# one) or with --progress: counted to the end, erased before the summary; none with -q,
# none into a file without --progress. Under the sanitizers a sounding takes 20 times as
# long: 10 soundings instead of 150 (25 took 17 s the four runs)
if [ -z "${BPINV_VALGRIND:-}" ] && command -v script >/dev/null 2>&1; then
    mkdir "$TMP/many"
    nmany=150
    sanitized && nmany=10
    for k in $(seq 1 $nmany); do cp "$TMP/snd/b.csv" "$TMP/many/b$k.csv"; done
    many="'$BPINV' invert '$TMP/net.h5' '$TMP/many' --ranges -j 1 -o '$TMP/many.csv' --force"
    t0=$(date +%s%N)
    script -qec "$many" /dev/null >"$TMP/tty" 2>&1
    rc=$?
    ms=$((($(date +%s%N) - t0) / 1000000))
    # drawn to the end, then erased (a line of as many blanks as it was wide), the summary
    # after it: LINES, the output with each carriage return a new line
    drawn() {
        [ "$rc" -eq 0 ] && grep -q "^bpinv invert: $nmany/$nmany soundings inverted (100%), [0-9]*/s, ETA 0 s" \
            "$1" && grep -q '^ \{50,\}$' "$1" &&
            tail -2 "$1" | grep -q "^bpinv invert: $nmany soundings in [0-9.]* ms"
    }
    tr '\r' '\n' <"$TMP/tty" >"$TMP/tty.lines"
    if [ "$ms" -lt 1000 ]; then
        echo "note: $nmany soundings took $ms ms, too few for a progress line: not checked"
    else
        drawn "$TMP/tty.lines" && ok || bad "no progress line on a terminal (exit $rc): $(cat "$TMP/tty.lines")"
    fi
    # --progress: the same into a file (mpirun's ranks write to a pipe)
    run invert "$TMP/net.h5" "$TMP/many" --ranges -j 1 -o "$TMP/many.csv" --force --progress
    tr '\r' '\n' <"$TMP/err" >"$TMP/err.lines"
    if [ "$ms" -lt 1000 ]; then
        grep -q "^bpinv invert: $nmany soundings in [0-9.]* ms" "$TMP/err.lines" && ok ||
            bad "--progress: no summary into a file: $(cat "$TMP/err.lines")"
    else
        drawn "$TMP/err.lines" && ok || bad "--progress: no progress line into a file (exit $rc): $(cat "$TMP/err.lines")"
    fi
    script -qec "$many -q" /dev/null >"$TMP/tty" 2>&1
    [ ! -s "$TMP/tty" ] && ok || bad "-q on a terminal: $(cat "$TMP/tty")"
    run invert "$TMP/net.h5" "$TMP/many" --ranges -j 2 -o "$TMP/many.csv" --force
    [ "$rc" -eq 0 ] && ! grep -q "inverted (" "$TMP/err" && ok ||
        bad "a progress line into a file: $(cat "$TMP/err")"
fi
# one sounding's summary: "1 sounding"
run invert "$TMP/net.h5" "$TMP/snd/a.csv" --progress --no-refine
grep -q "^bpinv invert: 1 sounding in [0-9.]* ms: " "$TMP/err" && ok ||
    bad "one sounding's summary: $(cat "$TMP/err")"
expect_fail 2 "--ranges=100" '--ranges: expected a number from 1 to 99.9, got "100"' \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" --ranges=100
expect_fail 2 "--ranges 95" 'a level is written --ranges=95' invert "$TMP/net.h5" "$TMP/snd/a.csv" --ranges 95
expect_fail 2 "--starts 0" '--starts: expected an integer from 1 to 100, got "0"' \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" --starts 0
expect_fail 2 "--fit-to -1" '--fit-to: expected a number from 0 to 100, got "-1"' \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" --fit-to -1
# --fit-to 0 runs every start: never a worse fit than the default's, on every sounding
run invert "$TMP/net.h5" "$TMP/snd/a.csv" "$TMP/snd/b.csv" --format json -j 1
cp "$TMP/out" "$TMP/fit15.json"
run invert "$TMP/net.h5" "$TMP/snd/a.csv" "$TMP/snd/b.csv" --format json -j 1 --fit-to 0
/usr/bin/python3 - "$TMP/fit15.json" "$TMP/out" <<'PYEOF' && ok || bad "--fit-to 0 fitted worse than the default"
import json, sys
a, b = (json.load(open(p))["soundings"] for p in sys.argv[1:3])
for x, y in zip(a, b):
    assert y["misfit_rms_pct"] <= x["misfit_rms_pct"] * (1 + 1e-9), (x["name"], x["misfit_rms_pct"], y["misfit_rms_pct"])
PYEOF

# --- the same results for any thread count (all but the time_ms column) ---------------------
for j in 1 3; do
    "$BPINV" invert "$TMP/net.h5" "$TMP/snd" "$TMP/snd/a.csv" --refine -j $j | sed 's/,[0-9.]*,$//' >"$TMP/j$j.csv"
done
cmp -s "$TMP/j1.csv" "$TMP/j3.csv" && ok || bad "-j1 and -j3 results differ"

# a directory's entry named as a sounding that cannot be read (a dangling link) is reported
# as a file given by name would be, not skipped in silence; a subdirectory is skipped
mkdir -p "$TMP/dangle/sub.csv" && cp "$TMP/snd/a.csv" "$TMP/dangle/a.csv" &&
    ln -s "$TMP/nonexistent.csv" "$TMP/dangle/b.csv"
run invert "$TMP/net.h5" "$TMP/dangle/" -q --no-refine
[ "$rc" -eq 1 ] && [ "$(wc -l <"$TMP/out")" -eq 3 ] &&
    grep -q "^$TMP/dangle/b.csv,.*,$TMP/dangle/b.csv: cannot open: No such file or directory$" "$TMP/out" &&
    grep -qx "bpinv invert: $TMP/dangle/b.csv: cannot open: No such file or directory" "$TMP/err" &&
    ok || bad "a dangling link in a directory: exit $rc: $(cat "$TMP/out" "$TMP/err")"

# --- JSON ------------------------------------------------------------------------------------
run invert "$TMP/net.h5" "$TMP/snd" --format json
[ "$rc" -eq 0 ] && ok || bad "json: exit $rc: $(cat "$TMP/err")"
if python3 - "$TMP/out" "$TMP/net.h5" >"$TMP/py" 2>&1 <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["net"] == sys.argv[2], d["net"]
s = d["soundings"]
assert [x["name"] for x in s] == ["a.csv", "b.csv", "c.txt", "d.csv", "e.csv"], s
a = s[0]
for k in ("source", "name", "method", "rho_ohmm", "thick_m", "misfit_rms_pct", "in_range",
          "flags", "time_ms"):
    assert k in a, k
assert len(a["rho_ohmm"]) == 3 and len(a["thick_m"]) == 2 and a["in_range"] is True
assert a["chi2"] is None and a["segments"] is None
assert all(list(x) == list(a) for x in s), "not the same keys in every object"
assert s[1]["in_range"] is True and s[1]["span_decades"] > 2.6, s[1]
assert "extrapolated_geometry" in s[4]["flags"] and s[4]["rho_ohmm"] is not None, s[4]
assert s[2]["rho_ohmm"] is None and s[2]["flags"] == ["not_inverted"], s[2]
assert a["d2_worst_point"] is None
print("ok")
PYEOF
then ok; else bad "JSON: $(cat "$TMP/py")"; fi

# --- -o never overwrites, --force does -------------------------------------------------------
run invert "$TMP/net.h5" "$TMP/snd/a.csv" -o "$TMP/res.csv"
[ "$rc" -eq 0 ] && [ ! -s "$TMP/out" ] && grep -q "^source," "$TMP/res.csv" && ok || bad "-o: $rc"
cp "$TMP/res.csv" "$TMP/keep.csv"
expect_fail 1 "existing -o" "exists (use --force" invert "$TMP/net.h5" "$TMP/snd/b.csv" -o "$TMP/res.csv"
cmp -s "$TMP/res.csv" "$TMP/keep.csv" && ok || bad "the existing -o file changed"
run invert "$TMP/net.h5" "$TMP/snd/b.csv" -o "$TMP/res.csv" --force
grep -q "b.csv" "$TMP/res.csv" && ok || bad "--force did not replace"
ls "$TMP" | grep -q "tmp" && bad "temporary file left: $(ls "$TMP")" || ok
expect_fail 1 "-o in a missing directory" "cannot create" invert "$TMP/net.h5" "$TMP/snd/a.csv" -o "$TMP/no/res.csv"
# -o naming a sounding of a directory operand: refused before anything is made (--plot)
cp "$TMP/snd/a.csv" "$TMP/a0.csv"
expect_fail 1 "-o a sounding of a directory" "is one of the soundings to invert" \
    invert "$TMP/net.h5" "$TMP/snd" -o "$TMP/snd/a.csv" --force --plot "$TMP/never"
[ ! -e "$TMP/never" ] && cmp -s "$TMP/a0.csv" "$TMP/snd/a.csv" && ok ||
    bad "a refused -o made the --plot directory or changed the sounding"

# --- plots -------------------------------------------------------------------------------------
run invert "$TMP/net.h5" "$TMP/snd" --plot "$TMP/png"
[ "$rc" -eq 0 ] && ok || bad "--plot: exit $rc: $(cat "$TMP/err")"
for f in a.csv b.csv c.txt d.csv e.csv; do
    [ "$(od -An -c -N4 "$TMP/png/$f.png" 2>/dev/null | tr -d ' ')" = "211PNG" ] && ok ||
        bad "$f.png is not a PNG"
done
run invert "$TMP/net.h5" "$TMP/snd/a.csv" --plot "$TMP/png"
[ "$rc" -eq 1 ] && grep -q "a.csv.png: exists (use --force" "$TMP/err" && ok ||
    bad "--plot over an existing PNG: exit $rc: $(cat "$TMP/err")"
again invert "$TMP/net.h5" "$TMP/snd/a.csv" --plot "$TMP/png" --force
[ "$rc" -eq 0 ] && ok || bad "--plot --force: exit $rc"
# the pictures are drawn by -j processes side by side: the same bytes from one process as
# from two, each a PNG that an independent reader (Pillow: chunk CRCs, zlib stream) decodes
# to the page's pixels: white margins, the model's red (200,30,30), 1000 x 560
# (under memcheck, the drawing processes of the first --plot run above, -j of all cores, are
# enough)
if [ -z "${BPINV_VALGRIND:-}" ]; then
run invert "$TMP/net.h5" "$TMP/snd" --plot "$TMP/pj1" -j 1
run invert "$TMP/net.h5" "$TMP/snd" --plot "$TMP/pj2" -j 2
for f in a.csv b.csv c.txt d.csv e.csv; do
    cmp -s "$TMP/pj1/$f.png" "$TMP/pj2/$f.png" && ok || bad "$f.png differs between -j 1 and -j 2"
done
/usr/bin/python3 - "$TMP/pj2" >"$TMP/py" 2>&1 <<'PYEOF' && ok || bad "PNG decoded: $(cat "$TMP/py")"
import sys, os
from PIL import Image
for f in sorted(os.listdir(sys.argv[1])):
    Image.open(os.path.join(sys.argv[1], f)).verify()  # every chunk's CRC (load() skips some)
    im = Image.open(os.path.join(sys.argv[1], f))
    im.load()  # the zlib stream inflated
    assert im.mode == "RGB" and im.size == (1000, 560), (f, im.mode, im.size)
    px = im.load()
    assert px[0, 0] == px[999, 559] == (255, 255, 255), (f, px[0, 0], px[999, 559])
    assert (200, 30, 30) in set(im.getdata()), f  # the model and its response, drawn
print("ok")
PYEOF
mkdir -p "$TMP/pjd/c.txt.png"
run invert "$TMP/net.h5" "$TMP/snd" --plot "$TMP/pjd" -j 2 --force
[ "$rc" -eq 1 ] && grep -q "pjd/c.txt.png: cannot create" "$TMP/err" && [ -s "$TMP/pjd/e.csv.png" ] &&
    ok || bad "--plot -j 2 onto a directory's name: exit $rc: $(cat "$TMP/err")"
fi
# a picture that cannot be written does not stop the others; the messages come in the
# soundings' order whatever process drew them: with -j 2, b and d are the second process's
# and refused at once, c the first's after it drew a (about 60 ms): told b, d, c
mkdir -p "$TMP/pjx" && touch "$TMP/pjx/b.csv.png" "$TMP/pjx/c.txt.png" "$TMP/pjx/d.csv.png"
run invert "$TMP/net.h5" "$TMP/snd" --plot "$TMP/pjx" -j 2
[ "$rc" -eq 1 ] && [ "$(grep -c 'exists (use --force' "$TMP/err")" -eq 3 ] &&
    [ "$(grep 'exists' "$TMP/err" | sed 's/.*pjx.//; s/: exists.*//' | tr '\n' ' ')" = "b.csv.png c.txt.png d.csv.png " ] &&
    [ ! -s "$TMP/pjx/b.csv.png" ] && [ -s "$TMP/pjx/a.csv.png" ] && [ -s "$TMP/pjx/e.csv.png" ] &&
    ok || bad "--plot -j 2 over three existing pictures: exit $rc: $(cat "$TMP/err")"
# a drawing process that dies (a SIGSEGV while writing c.txt.png, by a preloaded fopen):
# that picture named with the signal, every other one drawn, the one after it in that
# process's share (e.csv) too; and a fork that fails: every picture drawn once, here.
# Not under memcheck or the sanitizers (a preloaded library of one's own, before theirs).
if [ -z "${BPINV_VALGRIND:-}" ] && ! sanitized &&
    cat >"$TMP/shim.c" <<'CEOF' && ${CC:-cc} -shared -fPIC -o "$TMP/shim.so" "$TMP/shim.c" -ldl 2>"$TMP/shim.err"; then
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static FILE *shim_open(const char *name, const char *p, const char *m)
{
    FILE *(*real)(const char *, const char *) = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, name);
    if (getenv("SHIM_CRASH") != NULL && strstr(p, getenv("SHIM_CRASH")) != NULL)
        raise(SIGSEGV);
    return real(p, m);
}
FILE *fopen(const char *p, const char *m) { return shim_open("fopen", p, m); }
FILE *fopen64(const char *p, const char *m) { return shim_open("fopen64", p, m); }
pid_t fork(void)
{
    pid_t (*real)(void) = (pid_t(*)(void))dlsym(RTLD_NEXT, "fork");
    if (getenv("SHIM_NO_FORK") != NULL) {
        errno = EAGAIN;
        return -1;
    }
    return real();
}
CEOF
    SHIM_CRASH=c.txt.png.tmp LD_PRELOAD="$TMP/shim.so" "$BPINV" invert "$TMP/net.h5" "$TMP/snd" \
        --plot "$TMP/pjc" -j 2 >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ "$rc" -eq 1 ] && [ "$(grep -c -- '--plot' "$TMP/err")" -eq 1 ] &&
        grep -q "pjc/c.txt.png: its drawing process ended while drawing it (signal 11)" "$TMP/err" &&
        [ "$(ls "$TMP/pjc" | tr '\n' ' ')" = "a.csv.png b.csv.png d.csv.png e.csv.png " ] && ok ||
        bad "--plot -j 2, a drawing process killed: exit $rc: $(cat "$TMP/err"); $(ls "$TMP/pjc")"
    SHIM_NO_FORK=1 LD_PRELOAD="$TMP/shim.so" "$BPINV" invert "$TMP/net.h5" "$TMP/snd" \
        --plot "$TMP/pjn" -j 2 >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ "$rc" -eq 0 ] && [ -z "$(grep -v 'c.txt: not inverted' "$TMP/err")" ] &&
        [ "$(ls "$TMP/pjn" | wc -l)" -eq 5 ] && ok ||
        bad "--plot -j 2 without fork: exit $rc: $(cat "$TMP/err")"
else
    echo "note: the killed drawing process and failed fork cases skipped (memcheck, a sanitizer or no C compiler)"
fi
# a PLplot that cannot be used (a library of its name without its functions, found first):
# one message for the batch, not one a sounding; the results are written all the same
mkdir -p "$TMP/fakepl" && echo 'int not_plplot;' >"$TMP/fakepl/f.c"
if ${CC:-cc} -shared -fPIC -o "$TMP/fakepl/libplplot.so.17" -Wl,-soname,libplplot.so.17 \
    "$TMP/fakepl/f.c" 2>/dev/null; then
    LD_LIBRARY_PATH="$TMP/fakepl${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$BPINV" invert \
        "$TMP/net.h5" "$TMP/snd" --plot "$TMP/pjf" -o "$TMP/pjf.csv" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ "$rc" -eq 1 ] && [ "$(grep -c 'PLplot' "$TMP/err")" -eq 1 ] &&
        grep -q -- "--plot: PLplot has no c_pladv: no pictures" "$TMP/err" &&
        [ "$(grep -c 'c.txt' "$TMP/pjf.csv")" -eq 1 ] && [ -z "$(ls "$TMP/pjf")" ] && ok ||
        bad "--plot without a usable PLplot: exit $rc: $(cat "$TMP/err")"
else
    echo "note: no C compiler: the unusable-PLplot case skipped"
fi
# a PLplot without the cairo driver (Debian's plplot-driver-cairo not installed), or without
# one of its devices: PLPLOT_DRV_DIR names a directory of drivers without it. Before, PLplot
# asked for another device on stdin, then freed twice and aborted the process.
drv=$(pkg-config --variable=drvdir plplot 2>/dev/null)
if [ -n "$drv" ] && [ -f "$drv/null.driver_info" ] && [ -f "$drv/cairo.driver_info" ]; then
    mkdir -p "$TMP/drv_null" "$TMP/drv_nosvg"
    ln -s "$drv"/null.* "$TMP/drv_null/"
    ln -s "$drv"/null.* "$drv/cairo.so" "$TMP/drv_nosvg/"
    grep -v '^svgcairo:' "$drv/cairo.driver_info" >"$TMP/drv_nosvg/cairo.driver_info"
    echo "keep" >"$TMP/nodrv.svg"
    PLPLOT_DRV_DIR="$TMP/drv_null" "$BPINV" invert "$TMP/net.h5" "$TMP/snd" --plot "$TMP/nodrv" \
        --section "$TMP/nodrv.svg" --force -o "$TMP/nodrv.csv" >"$TMP/out" 2>"$TMP/err" </dev/null
    rc=$?
    [ "$rc" -eq 1 ] && [ "$(grep -c 'PLplot' "$TMP/err")" -eq 2 ] &&
        grep -q -- "--plot: PLplot has no memcairo device (Debian package plplot-driver-cairo): no pictures" "$TMP/err" &&
        grep -q -- "--section $TMP/nodrv.svg: PLplot has no memcairo device" "$TMP/err" &&
        [ "$(cat "$TMP/nodrv.svg")" = keep ] && [ "$(grep -c 'c.txt' "$TMP/nodrv.csv")" -eq 1 ] &&
        [ -z "$(ls "$TMP/nodrv")" ] && ok ||
        bad "--plot, --section without PLplot's cairo driver: exit $rc: $(cat "$TMP/err")"
    PLPLOT_DRV_DIR="$TMP/drv_nosvg" "$BPINV" invert "$TMP/net.h5" "$TMP/snd" --plot "$TMP/nosvg" \
        --section "$TMP/nodrv.svg" --force -o "$TMP/nosvg.csv" >"$TMP/out" 2>"$TMP/err" </dev/null
    rc=$?
    [ "$rc" -eq 1 ] && [ "$(grep -c 'PLplot' "$TMP/err")" -eq 1 ] &&
        grep -q -- "--section $TMP/nodrv.svg: PLplot has no svgcairo device" "$TMP/err" &&
        [ "$(cat "$TMP/nodrv.svg")" = keep ] && [ "$(ls "$TMP/nosvg" | wc -l)" -eq 5 ] && ok ||
        bad "--section x.svg without PLplot's svgcairo: exit $rc: $(cat "$TMP/err")"
else
    echo "note: PLplot's driver directory not found: the missing-driver cases skipped"
fi
# with --ranges the picture grows a table of the intervals under its panels (PNG height:
# bytes 20-23 of the IHDR chunk)
png_height() { od -An -tu1 -j20 -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }'; }
run invert "$TMP/net.h5" "$TMP/snd/a.csv" --plot "$TMP/pngr" --ranges
[ "$rc" -eq 0 ] && [ "$(png_height "$TMP/pngr/a.csv.png")" -gt "$(png_height "$TMP/png/a.csv.png")" ] &&
    ok || bad "--plot --ranges: exit $rc, heights $(png_height "$TMP/pngr/a.csv.png") and $(png_height "$TMP/png/a.csv.png")"
# svgtext.py: the texts of a picture as svgcairo writes them: each string drawn a group of
# glyphs (<use> of a <symbol> outline) filled in one colour
cat >"$TMP/svgtext.py" <<'PYEOF'
import re
def texts(path):
    """the picture's (width, height) and its texts in the order drawn, y down: each
    (colour "r%,g%,b%", glyph ids, the box (x0, y0, x1, y1) of their outlines, the first
    glyph's origin (x, y): the string's start on its baseline)"""
    doc = open(path).read()
    size = [float(v) for v in re.search(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"', doc).groups()]
    box = {}
    for gid, d in re.findall(r'<symbol overflow="visible" id="([^"]+)">\s*<path[^>]* d="([^"]*)"',
                             doc):
        v = [float(n) for n in re.findall(r"-?[0-9.]+(?:e-?[0-9]+)?", d)]
        if v:
            box[gid] = (min(v[0::2]), min(v[1::2]), max(v[0::2]), max(v[1::2]))
    out = []
    for rgb, body in re.findall(r'<g style="fill:rgb\(([^)]*)\);fill-opacity:1;">\s*((?:<use [^>]*>\s*)+)</g>',
                                doc):
        uses = [(g, float(x), float(y)) for g, x, y in
                re.findall(r'<use xlink:href="#([^"]+)" x="([-0-9.e]+)" y="([-0-9.e]+)"', body)]
        b = [(x + box[g][0], y + box[g][1], x + box[g][2], y + box[g][3])
             for g, x, y in uses if g in box]
        if b:
            out.append((rgb, [g for g, _, _ in uses],
                        (min(v[0] for v in b), min(v[1] for v in b), max(v[2] for v in b),
                         max(v[3] for v in b)), uses[0][1:]))
    return size, out
RED, BLACK = "78.431373%,11.764706%,11.764706%", "0%,0%,0%"  # plot.c's colours 2 and 1
PYEOF
# a section of 300 stations: their upright names drawn apart, every few (they were all
# drawn, a black band); not memcheck's business
if [ -z "${BPINV_VALGRIND:-}" ]; then
    {
        echo "station,ab2_m,rho_a_ohmm"
        k=100
        while [ $k -lt 400 ]; do
            tail -n +2 "$TMP/snd/a.csv" | sed "s/^/S$k,/"
            k=$((k + 1))
        done
    } >"$TMP/s300.csv"
    run invert "$TMP/net.h5" "$TMP/s300.csv" -q --no-refine --section "$TMP/s300.svg"
    [ "$rc" -eq 0 ] && /usr/bin/python3 - "$TMP/s300.svg" "$TMP" <<'PYEOF30' && ok ||
import sys
sys.path.insert(0, sys.argv[2])
from svgtext import texts
_, t = texts(sys.argv[1])
names = sorted(b for _, g, b, _ in t if len(g) == 4 and b[3] - b[1] > b[2] - b[0])  # "S123"
assert 20 < len(names) < 300, len(names)
for a, b in zip(names, names[1:]):
    assert b[0] >= a[2], (a, b)  # no two overlap
PYEOF30
        bad "a section of 300 stations: the names overlap: exit $rc: $(cat "$TMP/err")"
fi
# the table of the ranges: only the values the JSON lists unresolved are red and marked '*',
# not the other values of their layer's row (its depth, its S or T, a resolved rho or h):
# a thin conductor (5 ohm-m, 2 m under 10 m of 100 ohm-m), whose rho and h are unresolved
# and its S is not; not memcheck's business (the picture above draws the table)
if [ -z "${BPINV_VALGRIND:-}" ]; then
plain_bpinv forward -m schlumberger --rho 100,5,1000 --thick 10,2 --ab2 1:1000:20 >"$TMP/tc.csv"
run invert "$TMP/net.h5" "$TMP/tc.csv" --ranges --format json --plot "$TMP/tab" --plot-format svg
[ "$rc" -eq 0 ] && /usr/bin/python3 - "$TMP/out" "$TMP/tab/tc.csv.svg" "$TMP" <<'PYEOF14' && ok ||
import json, math, sys
sys.path.insert(0, sys.argv[3])
from svgtext import texts, RED, BLACK
r = json.load(open(sys.argv[1]))["soundings"][0]
unres, nl = set(r["ranges"]["unresolved"]), len(r["rho_ohmm"])
(w, h), t = texts(sys.argv[2])
col = [0.03, 0.09, 0.33, 0.56, 0.76]  # the table's columns, shares of the width (plot.c)
rows = {}  # baseline: {column: (colour, glyphs)}
for rgb, g, _, (x, y) in t:
    c = [k for k in range(5) if abs(x - col[k] * w) < 1.5]
    if c:
        rows.setdefault(round(y, 1), {})[c[0]] = (rgb, g)
ys = sorted(rows)
table = [y for y in ys if 0 in rows[y] and 1 in rows[y]]  # the header, then the layers
assert len(table) == nl + 1, rows
notes = [y for y in ys if y > table[-1] and list(rows[y]) == [0]]
star = rows[notes[1]][0][1][0]  # "* unresolved: ...": its first glyph is the mark
assert unres and any(p.startswith("thick") for p in unres), unres  # a row with both kinds
for k, y in enumerate(table[1:], 1):
    want = {1} if "rho_%d" % k in unres else set()
    want |= {2} if "thick_%d" % k in unres else set()
    for c, (rgb, g) in rows[y].items():
        assert rgb == (RED if c in want else BLACK), (k, c, rgb, unres)
        assert (star in g) == (c in want), (k, c, g, unres)  # then maybe " !": outside
    assert want <= set(rows[y]), (k, rows[y])
# the conductor's S: the answer's h / rho, then its interval, as the other columns give
# theirs (plot.c's num: 3 digits); the glyphs of each character learnt from the header and
# the resistivity column, whose texts are known
def num(x):
    r = float("%.3g" % x)
    return "%.*f" % (max(0, 2 - math.floor(math.log10(abs(r)))), r) if 1e-3 <= abs(r) < 1e5 else "%.3g" % x
def ranged(v, iv, mark):
    return "%s [%s - %s]%s%s" % (num(v), num(iv[0]), num(iv[2]), mark, " !" if not iv[0] <= v <= iv[2] else "")
glyph = {}
def learn(text, g):
    text = text if len(text) == len(g) else text.replace(" ", "")
    assert len(text) == len(g), (text, g)
    for ch, gl in zip(text, g):
        assert glyph.setdefault(ch, gl) == gl, (ch, text)
learn("S (siemens) or T (ohm-m2)", rows[table[0]][4][1])
learn("resistivity (ohm-m)", rows[table[0]][1][1])
for k, y in enumerate(table[1:], 1):
    learn(ranged(r["rho_ohmm"][k - 1], r["ranges"]["rho_ohmm"][k - 1],
                 " *" if "rho_%d" % k in unres else ""), rows[y][1][1])
h, rho = r["thick_m"][1], r["rho_ohmm"][1]
want = "S " + ranged(h / rho, r["ranges"]["conductance_siemens"][1], "")
got = rows[table[2]][4][1]
assert [glyph.get(ch) for ch in (want if len(want) == len(got) else want.replace(" ", ""))] == got, (want, got)
PYEOF14
    bad "--plot --ranges: the table reddens more than the unresolved values, or the S cell is not the answer's: $(cat "$TMP/err")"
fi
# a set of nets for 2 and 3 layers: the picture of the count chosen with the next best's
# model; with a reference, the fit outside the prior (3000 ohm-m beyond the prior's 1000)
# and the equivalent models, five entries of legend above the model panel. None of the
# picture's texts (a glyph alone is a data point's symbol) runs off the picture, the title
# of a long name in wide capitals neither, and none overlaps another (not memcheck's
# business: the ranges of a set and its picture, the code paths of the pictures above)
if [ -z "${BPINV_VALGRIND:-}" ]; then
setup samples -m schlumberger --layers 2 --ab2 1:1000:20 --rho 1:1000 --thick 1:50 --noise 0.03 \
    -n 4000 -o "$TMP/s2.h5" -q
setup train "$TMP/s2.h5" "$TMP/s.h5" -o "$TMP/set.h5" --epochs 10 --hidden 16 -q
# too few readings for the 3-layer net, which the set chose all the same (3 readings of a
# curve down then up: no 2-layer earth fits them): the note names the set's 2-layer net,
# which they determine, its fit, and how to take it alone
run invert "$TMP/set.h5" "$TMP/f3.csv"
[ "$rc" -eq 0 ] && [ "$(sed -n 2p "$TMP/out" | cut -d, -f"$(col "$TMP/out" n_layers)")" = 3 ] &&
    grep -q "they determine the set's 2-layer net, which fits them to [0-9.]* % (--layers 2 takes it alone)" "$TMP/err" &&
    ok || bad "a set, 3 readings: exit $rc: $(cat "$TMP/out" "$TMP/err")"
cp "$TMP/out3000.csv" "$TMP/VES_MAWLAMYINE_LOC3_SCHLUMBERGER.csv"
run invert "$TMP/set.h5" "$TMP/VES_MAWLAMYINE_LOC3_SCHLUMBERGER.csv" --ranges --format json \
    --ref-rho 100,3000,100 --ref-thick 5,40 --ref-label "true model" --plot "$TMP/setp" \
    --plot-format svg
[ "$rc" -eq 0 ] && /usr/bin/python3 - "$TMP/out" "$TMP/setp/VES_MAWLAMYINE_LOC3_SCHLUMBERGER.csv.svg" \
    "$TMP" <<'PYEOF15' && ok ||
import json, sys
sys.path.insert(0, sys.argv[3])
from svgtext import texts
r = json.load(open(sys.argv[1]))["soundings"][0]
assert len(r["layer_counts"]) == 2 and r["prior_exit"] is not None and r["ranges"], r
(w, h), t = texts(sys.argv[2])
t = [(g, b) for _, g, b, _ in t if len(g) > 1]
title = min(t, key=lambda v: v[1][1])  # the topmost
assert len(title[0]) > 80, title
for g, (x0, y0, x1, y1) in t:
    assert 0 <= x0 and x1 <= w and 0 <= y0 and y1 <= h, (len(g), (x0, y0, x1, y1), w, h)
for i, (_, a) in enumerate(t):
    for _, b in t[i + 1:]:
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
PYEOF15
    bad "the picture of a set of nets: a text off the picture or over another: $(cat "$TMP/err")"
fi
# without --ranges too, the picture shades what lies below the depth of investigation (plot.c's
# colour 8, 232 of 255 grey)
run invert "$TMP/net.h5" "$TMP/snd/a.csv" --plot "$TMP/doi" --plot-format svg -q
[ "$rc" -eq 0 ] && grep -q 'fill:rgb(90.980392%,90.980392%,90.980392%)' "$TMP/doi/a.csv.svg" && ok ||
    bad "--plot without --ranges: no depth of investigation shaded: $(cat "$TMP/err")"
# --plot-format: the same pictures as SVG or PDF, named by their format
again invert "$TMP/net.h5" "$TMP/snd/a.csv" "$TMP/snd/c.txt" --plot "$TMP/vec" --plot-format svg -q
[ "$rc" -eq 0 ] && grep -q "<svg" "$TMP/vec/a.csv.svg" && [ "$(ls "$TMP/vec" | tr '\n' ' ')" = "a.csv.svg c.txt.svg " ] &&
    ok || bad "--plot-format svg: exit $rc: $(ls "$TMP/vec") $(cat "$TMP/err")"
run invert "$TMP/net.h5" "$TMP/snd/a.csv" --plot "$TMP/vec" --plot-format pdf -q
[ "$rc" -eq 0 ] && [ "$(head -c 5 "$TMP/vec/a.csv.pdf")" = "%PDF-" ] && ok ||
    bad "--plot-format pdf: exit $rc: $(cat "$TMP/err")"
expect_fail 2 "--plot-format gif" '--plot-format: expected png, svg or pdf, got "gif"' \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" --plot "$TMP/vec" --plot-format gif
# --plot NAME.svg (.png, .pdf) that is no directory: the one sounding's picture itself, the
# picture a directory gets (a directory of that name was made in silence)
run invert "$TMP/net.h5" "$TMP/snd/a.csv" --plot "$TMP/one.svg" -q
[ "$rc" -eq 0 ] && [ -f "$TMP/one.svg" ] && cmp -s "$TMP/one.svg" "$TMP/doi/a.csv.svg" && ok ||
    bad "--plot one.svg: exit $rc, not the directory's picture: $(ls -ld "$TMP/one.svg") $(cat "$TMP/err")"
cp "$TMP/one.svg" "$TMP/one.keep"
expect_fail 1 "--plot one.svg over a file" "one.svg: exists (use --force to replace it)" \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" --plot "$TMP/one.svg"
expect_fail 2 "--plot one picture of two files" \
    "--plot $TMP/two.png: names one picture, and there are 2 sounding files to invert: give a directory for a picture of each (--plot DIR)" \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" "$TMP/snd/b.csv" --plot "$TMP/two.png" -o "$TMP/two.csv"
{
    echo "station,ab2_m,rho_a_ohmm"
    for k in 1 2 3; do tail -n +2 "$TMP/snd/a.csv" | sed "s/^/S$k,/"; done
} >"$TMP/three.csv"
expect_fail 2 "--plot one picture of a profile" \
    "--plot $TMP/prof.pdf: names one picture, and $TMP/three.csv holds 3 soundings: give a directory for a picture of each (--plot DIR); nothing written" \
    invert "$TMP/net.h5" "$TMP/three.csv" --no-refine --plot "$TMP/prof.pdf" -o "$TMP/prof.csv"
expect_fail 2 "--plot one.svg --plot-format png" \
    "--plot-format png: --plot $TMP/o2.svg names one svg picture" \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" --plot "$TMP/o2.svg" --plot-format png
[ ! -e "$TMP/two.png" ] && [ ! -e "$TMP/two.csv" ] && [ ! -e "$TMP/prof.pdf" ] &&
    [ ! -e "$TMP/prof.csv" ] && [ ! -e "$TMP/o2.svg" ] && cmp -s "$TMP/one.svg" "$TMP/one.keep" && ok ||
    bad "a refused --plot NAME made a file, or changed the picture there"
expect_fail 2 "--plot a .jpg" "--plot $TMP/x.jpg: expected a directory, or one picture's name ending in .png, .svg or .pdf, got a .jpg" \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" --plot "$TMP/x.jpg"
[ ! -e "$TMP/x.jpg" ] && ok || bad "--plot x.jpg made $(ls -ld "$TMP/x.jpg")"
mkdir "$TMP/dir.png" # a directory of a picture's name stays a directory
run invert "$TMP/net.h5" "$TMP/snd/a.csv" --plot "$TMP/dir.png" -q
[ "$rc" -eq 0 ] && [ -s "$TMP/dir.png/a.csv.png" ] && ok ||
    bad "--plot onto a directory named dir.png: exit $rc: $(ls "$TMP/dir.png") $(cat "$TMP/err")"
expect_fail 1 "-o a directory" "is a directory" invert "$TMP/net.h5" "$TMP/snd/a.csv" -o "$TMP/png"
expect_fail 1 "--plot in a missing parent" "cannot create the directory" invert "$TMP/net.h5" \
    "$TMP/snd/a.csv" --plot "$TMP/no/such/dir"

# --- a bad sounding among good ones -----------------------------------------------------------
mkdir "$TMP/mixed"
cp "$TMP/snd/a.csv" "$TMP/mixed/a.csv"
printf 'ab2_m,rho_a_ohmm\n1,100\n2,-5\n4,80\n' >"$TMP/mixed/bad.csv"
cp "$TMP/snd/b.csv" "$TMP/mixed/z.csv"
run invert "$TMP/net.h5" "$TMP/mixed"
[ "$rc" -eq 1 ] && ok || bad "a bad sounding: exit $rc, expected 1"
grep -qF "bad.csv:3: rho_a_ohmm: expected a finite number > 0, got \"-5\"" "$TMP/err" && ok ||
    bad "bad sounding message: $(cat "$TMP/err")"
[ "$(grep -c 'a.csv\|z.csv' "$TMP/out")" -eq 2 ] && ok || bad "the good soundings were not reported"
# a directory that cannot be read among the operands: its error row, the others inverted
# (it ended the run, nothing inverted). Permissions bind root only through another user: as
# root, the run is nobody's (setpriv), where it can reach bpinv; else skipped with a note
mkdir -p "$TMP/pub/lineA" "$TMP/pub/lineB"
cp "$TMP/net.h5" "$TMP/pub/net.h5"
cp "$TMP/snd/a.csv" "$TMP/pub/lineA/a.csv"
cp "$TMP/snd/b.csv" "$TMP/pub/lineB/b.csv"
chmod 711 "$TMP"
chmod -R a+rX "$TMP/pub"
chmod 700 "$TMP/pub/lineB"
as_other=
[ "$(id -u)" -eq 0 ] && as_other="setpriv --reuid=nobody --regid=nogroup --clear-groups"
if [ -z "$as_other" ] || $as_other "$BPINV" --version >/dev/null 2>&1; then
    [ "$(id -u)" -ne 0 ] && chmod 000 "$TMP/pub/lineB"
    $as_other "$BPINV" invert "$TMP/pub/net.h5" "$TMP/pub/lineA" "$TMP/pub/lineB" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ "$rc" -eq 1 ] && grep -q "^$TMP/pub/lineA/a.csv,a.csv,schlumberger,3," "$TMP/out" &&
        grep -q "^$TMP/pub/lineB,.*,$TMP/pub/lineB: cannot read the directory: Permission denied\$" "$TMP/out" &&
        grep -qx "bpinv invert: $TMP/pub/lineB: cannot read the directory: Permission denied" "$TMP/err" &&
        ok || bad "an unreadable directory among the operands: exit $rc: $(cat "$TMP/out" "$TMP/err")"
    chmod 700 "$TMP/pub/lineB"
else
    echo "note: the unreadable directory's test skipped: nobody cannot run $BPINV"
fi
chmod 700 "$TMP"
expect_fail 1 "missing sounding" "none.csv: cannot open" invert "$TMP/net.h5" "$TMP/none.csv"
expect_fail 1 "an EDI for a DC net" "synthetic_z.edi: an mt sounding, but the net is for schlumberger" \
    invert "$TMP/net.h5" tests/data/synthetic_z.edi
expect_fail 1 "a wenner sounding" "aungsan_wenner.txt: a wenner sounding, but the net is for schlumberger" \
    invert "$TMP/net.h5" docs/examples/aungsan_wenner.txt
# a header "Spacing" (Wenner's a, and a crew's word for AB/2): the message says how to say it
# is AB/2, and that does it
{
    echo "Spacing,Resistivity"
    tail -n +2 "$TMP/snd/a.csv"
} >"$TMP/spacing.csv"
expect_fail 1 "a Spacing column for a Schlumberger net" \
    "spacing.csv: a wenner sounding, but the net is for schlumberger; if \"Spacing\" is ab2_m, say so: --columns ab2_m=Spacing" \
    invert "$TMP/net.h5" "$TMP/spacing.csv"
setup invert "$TMP/net.h5" "$TMP/snd/a.csv" -q
cp "$TMP/out" "$TMP/a_plain.csv"
run invert "$TMP/net.h5" "$TMP/spacing.csv" --columns ab2_m=Spacing -q
[ "$rc" -eq 0 ] && [ "$(tail -1 "$TMP/out" | cut -d, -f4-12)" = "$(tail -1 "$TMP/a_plain.csv" | cut -d, -f4-12)" ] &&
    ok || bad "--columns ab2_m=Spacing: exit $rc, not a.csv's model: $(cat "$TMP/out" "$TMP/err")"

finish cli-invert
