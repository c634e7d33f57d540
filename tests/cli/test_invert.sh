#!/bin/sh
# SPDX-License-Identifier: MIT
# test_invert.sh - command-line tests of `bpinv invert`: CSV and JSON output, -o without
# overwriting, plots, directories, EDI files, a bad sounding among good ones, bad nets and
# every bad argument.
# usage: sh tests/cli/test_invert.sh PATH/TO/bpinv
BPINV=${1:-./bpinv}
. "$(dirname "$0")/lib.sh"

setup samples -m schlumberger --layers 3 --ab2 1:1000:20 --rho 1:1000 --thick 1:50 --noise 0.03 \
    -n 8000 -o "$TMP/s.h5" -q
setup train "$TMP/s.h5" -o "$TMP/net.h5" --epochs 30 --hidden 32 -q
[ "$rc" -eq 0 ] && ok || bad "train: exit $rc: $(cat "$TMP/err")"
mkdir "$TMP/snd"
plain_bpinv forward -m schlumberger --rho 100,20,300 --thick 4,15 --ab2 1:1000:20 >"$TMP/snd/a.csv"
plain_bpinv forward -m schlumberger --rho 30,200,10 --thick 8,30 --ab2 1.5:700:17 >"$TMP/snd/b.csv"
printf '# a sounding in spaces, no header, of 1..5 m only\n1 50\n2 40\n5 60\n' >"$TMP/snd/c.txt"
plain_bpinv forward -m schlumberger --rho 100,20,300 --thick 4,15 --ab2 10:100:9 >"$TMP/snd/d.csv"
plain_bpinv forward -m schlumberger --rho 100,20,300 --thick 4,15 --ab2 100:3000:12 >"$TMP/snd/e.csv"
echo "not a sounding: skipped in a directory" >"$TMP/snd/notes.md"

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
run invert "$TMP/net.h5" "$TMP/snd/a.csv" "$TMP/thin.csv" --ranges
cp "$TMP/out" "$TMP/ranges.csv"
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
# stacks: at the least accepted (threads of OMP_STACKSIZE=512K, ulimit -s 512) two soundings'
# ranges on two threads, as with the defaults' 2-8 MB (with 128K a survey's crashed); below,
# refused before any work, nothing written
tcol=$(col "$TMP/out" time_ms)
cut -d, -f"$tcol" --complement "$TMP/out" >"$TMP/out.stack"
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
import json, sys
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
PYEOF14
    bad "--plot --ranges: the table reddens more than the unresolved values: $(cat "$TMP/err")"
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

# --- MT from an EDI file ----------------------------------------------------------------------
setup samples -m mt --layers 2 --period 0.05:2000:16 --rho 1:1000 --thick 10:5000 --noise 0.05 \
    -n 4000 -o "$TMP/mt.h5" -q
setup train "$TMP/mt.h5" -o "$TMP/mtnet.h5" --epochs 10 --hidden 16 -q
run invert "$TMP/mtnet.h5" tests/data/synthetic_z.edi --format json
[ "$rc" -eq 0 ] && ok || bad "EDI: exit $rc: $(cat "$TMP/err")"
grep -q '"name": "SYN1", "method": "mt", "component": "det"' "$TMP/out" &&
    grep -q '"chi2": ' "$TMP/out" && ok || bad "EDI JSON: $(cat "$TMP/out")"
# the CSV has both chi-squares, the JSON's (against the errors raised to the training
# noise, and as given: raised errors can only lower it)
cp "$TMP/out" "$TMP/edi.json"
# the JSON says which impedance each curve is of: an EDI file's as chosen, a text file's none
run invert "$TMP/mtnet.h5" tests/data/synthetic_z.edi docs/examples/cull1985_mt.txt \
    --format json --component yx
grep -q '"name": "SYN1", "method": "mt", "component": "yx"' "$TMP/out" &&
    grep -q '"name": "cull1985_mt.txt", "method": "mt", "component": null' "$TMP/out" && ok ||
    bad "the component in the JSON: $(cat "$TMP/out")"
# Berdichevsky's average (the values: test_edi.c, test_bpinv.py), any case, named in the JSON
run invert "$TMP/mtnet.h5" tests/data/synthetic_z.edi --format json --component BERD
grep -q '"name": "SYN1", "method": "mt", "component": "berd"' "$TMP/out" && ok ||
    bad "--component berd: $(cat "$TMP/err")"
plain_bpinv forward -m mt --rho 100,10 --thick 500 --period 0.05:2000:16 >"$TMP/plain_mt.csv"
run invert "$TMP/mtnet.h5" "$TMP/plain_mt.csv" --format json
cp "$TMP/out" "$TMP/plain.json"
# an MT survey's folder, EDI files beside notes and a station table: with an MT net its EDI
# files alone, the others named in a note (exit 0); with a DC net the others alone; -q
mkdir "$TMP/edidir"
cp tests/data/synthetic_z.edi "$TMP/edidir/L1-100.edi"
cp "$TMP/plain_mt.csv" "$TMP/edidir/stations.csv"
echo "field notes" >"$TMP/edidir/notes.txt"
run invert "$TMP/mtnet.h5" "$TMP/edidir"
[ "$rc" -eq 0 ] && [ "$(grep -c '^L1-100.edi\|/L1-100.edi,' "$TMP/out")" -eq 1 ] &&
    [ "$(wc -l <"$TMP/out")" -eq 2 ] &&
    grep -q "^bpinv invert: note: $TMP/edidir: its .edi files only, for an MT net; 2 other files left out (notes.txt, stations.csv): give them as operands to read them$" "$TMP/err" &&
    ok || bad "an EDI folder with notes: $rc $(cat "$TMP/out" "$TMP/err")"
run invert "$TMP/mtnet.h5" "$TMP/edidir" -q
[ "$rc" -eq 0 ] && [ ! -s "$TMP/err" ] && ok || bad "an EDI folder, -q: $(cat "$TMP/err")"
run invert "$TMP/mtnet.h5" tests/data/synthetic_z.edi
/usr/bin/python3 -c 'import csv, json, sys
s = json.load(open(sys.argv[1]))["soundings"][0]
(r,) = csv.DictReader(open(sys.argv[2]))
assert r["chi2"] == "%.4g" % s["chi2"] and r["chi2_given"] == "%.4g" % s["chi2_given"], (r, s)
assert s["chi2_given"] >= s["chi2"] > 0, s' "$TMP/edi.json" "$TMP/out" && ok ||
    bad "EDI CSV: chi2 and chi2_given not the JSON's: $(cat "$TMP/out")"
# the JSON names the floor behind chi2, the net's 5 %; a sounding without errors has none
/usr/bin/python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))["soundings"][0]
assert s["error_floor_pct"] == 5, s
t = json.load(open(sys.argv[2]))["soundings"][0]
assert t["chi2"] is None and t["error_floor_pct"] is None, t' "$TMP/edi.json" "$TMP/plain.json" \
    2>"$TMP/py" && ok || bad "EDI JSON: error_floor_pct: $(cat "$TMP/py")"
run invert "$TMP/mtnet.h5" tests/data/synthetic_z.edi --component yx
[ "$rc" -eq 0 ] && ok || bad "--component yx: exit $rc"
# an MT text file holds one curve: read as it is, and the note says the component is not in it
printf 'period_s,rho_a_ohmm,phase_deg\n0.01,100,45\n0.1,100,45\n1,100,45\n10,100,45\n' >"$TMP/mt1.txt"
run invert "$TMP/mtnet.h5" "$TMP/mt1.txt" --component xy --no-refine
[ "$rc" -eq 0 ] && grep -q "mt1.txt: component xy: a text file's one curve, read as it is" "$TMP/err" &&
    ok || bad "--component xy on a text file: exit $rc, $(cat "$TMP/err")"
run invert "$TMP/mtnet.h5" "$TMP/mt1.txt" --no-refine
[ "$rc" -eq 0 ] && ! grep -q "component" "$TMP/err" && ok || bad "no --component: $(cat "$TMP/err")"
# sectsvg.py: the layer fills of a --section SVG (svgcairo: one filled path per rectangle,
# y up), by column, pale below the depth of investigation, and the straight line (least
# squares) through points (u, y)
cat >"$TMP/sectsvg.py" <<'PYEOF'
import colorsys, re
def columns(path):
    """(number of colour-bar fills, {column centre x: [(y_low, y_high, width, hue, pale)...]})"""
    bar, cols = 0, {}
    for rgb, d in re.findall(r'<path style="fill-rule:nonzero;fill:rgb\(([^)]*)\)[^"]*" d="([^"]*)"',
                             open(path).read()):
        rgb = [float(v.rstrip("%")) for v in rgb.split(",")]
        pts = [(float(a), float(b)) for a, b in re.findall(r"[ML] ([-0-9.]+) ([-0-9.]+)", d)]
        if not pts or max(rgb) - min(rgb) < 1:
            continue  # grey: the frame, symbols, text
        x = [a for a, _ in pts]
        y = [b for _, b in pts]
        hue, light, _ = colorsys.rgb_to_hls(*[v / 100 for v in rgb])
        if min(x) > 950:  # the section is 88..946 across, the colour bar 990..1023
            bar += 1
        else:
            cols.setdefault(round((min(x) + max(x)) / 2, 1), []).append(
                (min(y), max(y), max(x) - min(x), hue, light > 0.7))
    return bar, cols
def bounds(fills):
    """a column's fills, top first: the y of its top, of each interface, of its bottom (a
    layer's pale part, below the depth of investigation, one with the part above it)"""
    f = sorted(fills, key=lambda v: -v[1])
    assert all(abs(f[i][0] - f[i + 1][1]) < 0.01 for i in range(len(f) - 1)), f  # stacked
    assert all(f[i][4] <= f[i + 1][4] for i in range(len(f) - 1)), f  # pale below only
    return [f[0][1]] + [v[0] for i, v in enumerate(f) if i + 1 == len(f) or not (
        f[i + 1][4] and not v[4] and abs(f[i + 1][3] - v[3]) < 0.01)]
def doi(fills):
    """the y of a column's depth of investigation: the top of its pale part (None: none)"""
    pale = [v[1] for v in fills if v[4]]
    return max(pale) if pale else None
def axis_end(stations, seen):
    """where the depth axis ends: twice the deepest interface, or 1.15 x the deepest depth of
    investigation drawn (shallower than its station's seen depth) if deeper, but at most 5
    x that interface; at most the deepest seen depth. stations: JSON objects; seen: theirs"""
    deepest = max(s["depth_m"][-1] for s in stations)
    dois = [s["doi_m"] for s, z in zip(stations, seen) if s["doi_m"] and s["doi_m"] < z]
    return min(max(seen), max(2 * deepest, min(1.15 * max(dois + [0]), 5 * deepest)))
def layers(fills):
    """the layers in a column's fills, one station's or more sharing it: each fill but the
    pale part of a layer, right under the part above the depth of investigation"""
    return sum(1 for f in fills if not (f[4] and any(
        not g[4] and abs(g[3] - f[3]) < 0.01 and abs(g[0] - f[1]) < 0.01 for g in fills)))
def bars(path, cols):
    """{column centre x: (y of the bar's top, y of its bottom)}: the vertical stroke at 0.8 of
    each column's half-width right of its centre (the depth of investigation across the
    equivalent models, with --ranges)"""
    segs = [tuple(map(float, m)) for m in re.findall(
        r'<path style="fill:none;[^"]*" d="M ([-0-9.]+) ([-0-9.]+) L ([-0-9.]+) ([-0-9.]+) "',
        open(path).read())]
    out = {}
    for x, fills in cols.items():
        at = x + 0.8 * fills[0][2] / 2
        v = [(max(a[1], a[3]), min(a[1], a[3])) for a in segs
             if abs(a[0] - at) < 0.6 and abs(a[2] - at) < 0.6 and abs(a[1] - a[3]) > 1]
        if v:
            assert len(v) == 1, (x, v)
            out[x] = v[0]
    return out
def worst(points):
    """the largest distance of points (u, y) from their least-squares line, in y"""
    n = len(points)
    mu, my = sum(u for u, _ in points) / n, sum(y for _, y in points) / n
    b = sum((u - mu) * (y - my) for u, y in points) / sum((u - mu) ** 2 for u, _ in points)
    return max(abs(my + b * (u - mu) - y) for u, y in points)
PYEOF
# a directory of no sounding file is not passed over beside others: its error row, exit 1
mkdir "$TMP/noedi"
cp tests/data/synthetic_z.edi "$TMP/noedi/S01.EDI.orig"
run invert "$TMP/mtnet.h5" tests/data/synthetic_z.edi "$TMP/noedi"
[ "$rc" -eq 1 ] && grep -q "^tests/data/synthetic_z.edi," "$TMP/out" &&
    grep -q "^$TMP/noedi,.*expected sounding files in the directory (names ending in .csv, .txt, .dat, .tsv or .edi, any case), got only S01.EDI.orig (a file of another name: give it as an operand)" "$TMP/out" &&
    ok || bad "a directory without sounding files: exit $rc: $(cat "$TMP/out" "$TMP/err")"
mkdir "$TMP/nothing"
expect_fail 1 "an empty directory" "nothing: expected sounding files in the directory (names ending in .csv, .txt, .dat, .tsv or .edi, any case), got none" \
    invert "$TMP/mtnet.h5" "$TMP/nothing"
# two files of one DATAID: said (the XYZ table tells them apart by order alone)
mkdir "$TMP/dupid"
cp tests/data/synthetic_z.edi "$TMP/dupid/a.edi"
cp tests/data/synthetic_z.edi "$TMP/dupid/b.edi"
run invert "$TMP/mtnet.h5" "$TMP/dupid"
[ "$rc" -eq 0 ] && grep -q "note: $TMP/dupid/a.edi and $TMP/dupid/b.edi: both name their sounding \"SYN1\"; the XYZ table and the section tell such soundings apart by their order alone" "$TMP/err" &&
    ok || bad "one DATAID in two files, not said: $(cat "$TMP/err")"
run invert "$TMP/mtnet.h5" "$TMP/dupid/a.edi" tests/data/synthetic_rho.edi
! grep -q "both name their sounding" "$TMP/err" && ok || bad "names said shared: $(cat "$TMP/err")"
run invert "$TMP/mtnet.h5" "$TMP/dupid/a.edi" "$TMP/dupid/a.edi" "$TMP/dupid/b.edi"
grep -q "note: $TMP/dupid/a.edi and $TMP/dupid/b.edi: both name" "$TMP/err" && ok ||
    bad "a file given twice hid a shared name: $(cat "$TMP/err")"
# a directory of subdirectories: they are not searched, said
mkdir -p "$TMP/lines/l1" "$TMP/lines/l2"
expect_fail 1 "a directory of subdirectories" \
    "lines: expected sounding files in the directory (names ending in .csv, .txt, .dat, .tsv or .edi, any case), got only l1/, l2/ (its subdirectories are not searched: give each one)" \
    invert "$TMP/mtnet.h5" "$TMP/lines"
# placed some by x and y, the others by lat and lon: drawn in order, said (it crashed)
awk -F, 'NR == 1 { print "x_m,y_m," $0; next } { print "100,200," $0 }' \
    "$TMP/plain_mt.csv" >"$TMP/mt_xy.csv"
sed 's/DATAID="SYN1"/DATAID="SYN1"\n    LAT=-37:25:41.5\n    LONG=140:39:01.25/' \
    tests/data/synthetic_z.edi >"$TMP/ll.edi"
run invert "$TMP/mtnet.h5" "$TMP/mt_xy.csv" "$TMP/ll.edi" --section "$TMP/mixed_sys.svg"
[ "$rc" -eq 0 ] && grep -q "placed some by x and y, the others by latitude and longitude: all drawn in the order given" "$TMP/err" &&
    ok || bad "x/y beside lat/lon in a section: exit $rc: $(cat "$TMP/err")"
# a directory of EDI files is a profile: LAT, LONG (D:M:S) and ELEV to the XYZ and a section
mkdir "$TMP/edis"
for k in 1 2 3; do
    sed -e "s/DATAID=\"SYN1\"/DATAID=\"E$k\"\n    LAT=-37:25:4$k.5\n    LONG=140:39:0$k.25\n    ELEV=$((40 + k))/" \
        tests/data/synthetic_z.edi >"$TMP/edis/site$k.edi"
done
run invert "$TMP/mtnet.h5" "$TMP/edis" --xyz "$TMP/edis.xyz" --section "$TMP/edis.png" --format json
[ "$rc" -eq 0 ] && [ -s "$TMP/edis.png" ] && ok || bad "an EDI directory: exit $rc: $(cat "$TMP/err")"
/usr/bin/python3 - "$TMP/out" "$TMP/edis.xyz" <<'PYEOF9' && ok || bad "the EDI profile's XYZ: $(cat "$TMP/edis.xyz")"
import csv, json, sys
doc = json.load(open(sys.argv[1]))["soundings"]
rows = list(csv.DictReader(open(sys.argv[2])))
assert [s["name"] for s in doc] == ["E1", "E2", "E3"], doc
assert len(rows) == 3 * 2  # 3 stations x 2 layers
for k, s in enumerate(doc, 1):
    mine = [r for r in rows if r["station"] == s["name"]]
    lat = -(37 + 25 / 60 + (40 + k + 0.5) / 3600)
    lon = 140 + 39 / 60 + (k + 0.25) / 3600
    assert abs(s["lat_deg"] - lat) < 1e-7 and abs(s["lon_deg"] - lon) < 1e-7, s  # 10 digits
    assert all(abs(float(r["lat_deg"]) - lat) < 1e-7 and abs(float(r["lon_deg"]) - lon) < 1e-7
               and float(r["elevation_m"]) == 40 + k and r["x_m"] == "" for r in mine), mine
    assert [float(r["rho_ohmm"]) for r in mine] == s["rho_ohmm"]
PYEOF9
# its section as SVG, elevation up: the axis ends at twice the deepest interface of any
# station (or below the deepest depth of investigation: sectsvg.axis_end), or at the deepest
# depth a sounding sees if shallower, and each column at its own seen depth if shallower
# than that; the depth of investigation on the same line, where a column reaches it. Seen: the skin depth 503 sqrt(rho_a T) at the longest
# period, 1000 s, where the file's Zxy = -Zyx = 0.1 + 0.1i: rho_a = 0.2 T |Z|^2 = 4 ohm-m.
# Each boundary (top, interface, bottom) on one straight line of elevation: the axis's
again invert "$TMP/mtnet.h5" "$TMP/edis" --section "$TMP/edis.svg" --format json
[ "$rc" -eq 0 ] && /usr/bin/python3 - "$TMP/out" "$TMP/edis.svg" "$TMP" <<'PYEOF11' && ok ||
import json, math, sys
sys.path.insert(0, sys.argv[3])
from sectsvg import axis_end, bounds, columns, doi, worst
doc = json.load(open(sys.argv[1]))["soundings"]
bar, cols = columns(sys.argv[2])
assert bar == 64 and len(cols) == 3, (bar, cols)
seen = 503 * math.sqrt(0.2 * 1000 * abs(0.1 + 0.1j) ** 2 * 1000)
axis = axis_end(doc, [seen] * 3)
points = []
for s, x in zip(sorted(doc, key=lambda s: s["lon_deg"]), sorted(cols)):  # west to east
    b, e = bounds(cols[x]), s["elevation_m"]
    assert len(b) == len(s["rho_ohmm"]) + 1, (s, b)
    points += zip([e] + [e - z for z in s["depth_m"]] + [e - min(seen, axis)], b)
    assert (doi(cols[x]) is None) == (s["doi_m"] >= min(seen, axis)), (s, cols[x])
    if doi(cols[x]) is not None:
        points.append((e - s["doi_m"], doi(cols[x])))
assert worst(points) < 0.5, (axis, points)
PYEOF11
    bad "the EDI profile's section does not end at twice the deepest interface"
# --section-depth: the same section down to 300 m below each station, whatever the layers
run invert "$TMP/mtnet.h5" "$TMP/edis" --section "$TMP/edis300.svg" --section-depth 300 \
    --format json
[ "$rc" -eq 0 ] && /usr/bin/python3 - "$TMP/out" "$TMP/edis300.svg" "$TMP" <<'PYEOF17' && ok ||
import json, math, sys
sys.path.insert(0, sys.argv[3])
from sectsvg import bounds, columns, worst
doc = json.load(open(sys.argv[1]))["soundings"]
bar, cols = columns(sys.argv[2])
assert bar == 64 and len(cols) == 3, (bar, cols)
points = []
for s, x in zip(sorted(doc, key=lambda s: s["lon_deg"]), sorted(cols)):
    b, e = bounds(cols[x]), s["elevation_m"]
    z = [d for d in s["depth_m"] if d < 300]
    assert len(b) == len(z) + 2, (s, b)  # the interfaces above 300 m, the top, the bottom
    points += zip([e] + [e - d for d in z] + [e - 300], b)
assert worst(points) < 0.5, points
PYEOF17
    bad "--section-depth 300: $(cat "$TMP/err")"
expect_fail 2 "--section-depth without --section" \
    "--section-depth: the depth of --section's picture: give --section too" \
    invert "$TMP/mtnet.h5" "$TMP/edis" --section-depth 300
# a survey table of MT stations, the second's phases of the e^(-i omega t) convention: the
# reader's note names that station (a station's own note, not the file's)
plain_bpinv forward -m mt --rho 100,10 --thick 800 --period 0.1:1000:9 |
    awk -F, 'NR == 1 { print "station," $0; next }
             { print "A," $0; b[NR] = "B," $1 "," $2 "," (-$3) }
             END { for (i = 2; i <= NR; i++) print b[i] }' >"$TMP/mt2.csv"
run invert "$TMP/mtnet.h5" "$TMP/mt2.csv"
[ "$rc" -eq 0 ] && [ "$(grep -c "phases outside" "$TMP/err")" -eq 1 ] &&
    grep -qF "note: $TMP/mt2.csv: station \"B\": 9 of 9 phases outside 0-90 degrees" "$TMP/err" &&
    ok || bad "a station's phase note: exit $rc: $(cat "$TMP/err")"
# a dead band: the EDI's 3-30 s periods EMPTY. The net reads the points on each side and
# not those inside the gap (neither refused nor interpolated across)
plain_bpinv forward -m mt --rho 100,10 --thick 800 --period 0.1:1000:17 >"$TMP/mt.csv"
python3 - "$TMP/mt.csv" "$TMP/dead.edi" <<'PYEOF'
import cmath, math, sys
rows = [l.split(",") for l in open(sys.argv[1]).read().split()[1:]]
zr, zi, fr = [], [], []
for t, rho, ph in ((float(a), float(b), float(c)) for a, b, c in rows):
    z = math.sqrt(rho / (0.2 * t)) * cmath.exp(1j * math.radians(ph))
    dead = 3 < t < 30
    fr.append("%.8e" % (1 / t))
    zr.append("1.0E32" if dead else "%.8e" % z.real)
    zi.append("1.0E32" if dead else "%.8e" % z.imag)
n = len(fr)
def block(name, v):
    return ">%s // %d\n  %s\n" % (name, n, " ".join(v))
neg = lambda v: [x if x == "1.0E32" else "%.8e" % -float(x) for x in v]
open(sys.argv[2], "w").write(
    '>HEAD\n  DATAID="DEAD"\n  EMPTY=1.0E32\n>=MTSECT\n  NFREQ=%d\n' % n
    + block("FREQ", fr) + block("ZXYR", zr) + block("ZXYI", zi)
    + block("ZYXR", neg(zr)) + block("ZYXI", neg(zi)) + ">END\n")
PYEOF
run invert "$TMP/mtnet.h5" "$TMP/dead.edi" --format json
python3 - "$TMP/out" >"$TMP/py" 2>&1 <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))["soundings"][0]
# mtnet: 16 periods over 0.05-2000 s, 14 of them in 0.1-1000 s; the gap runs from the
# last reading before the dead band (1.78 s) to the first after it (31.6 s): 4 net periods
assert s["rho_ohmm"] is not None and s["net_points_observed"] == 10, s
assert abs(s["span_decades"] - 4) < 1e-9 and s["misfit_rms_pct"] < 5, s
print("ok")
PYEOF
grep -qx ok "$TMP/py" && ok || bad "EDI with EMPTY periods: $(cat "$TMP/py")"

# --- bad nets and arguments --------------------------------------------------------------------
expect_fail 1 "samples file as net" "a samples file: train a net on it first" invert "$TMP/s.h5" "$TMP/snd/a.csv"
expect_fail 1 "missing net" "none.h5" invert "$TMP/none.h5" "$TMP/snd/a.csv"
expect_fail 1 "text file as net" "not an HDF5 file" invert "$TMP/snd/a.csv" "$TMP/snd/a.csv"
expect_fail 2 "no soundings" "expected at least one sounding" invert "$TMP/net.h5"
expect_fail 2 "nothing" "expected a net file and soundings" invert
expect_fail 2 "--format xml" '--format: expected csv or json, got "xml"' invert "$TMP/net.h5" "$TMP/snd/a.csv" --format xml
expect_fail 2 "--component zz" '--component: expected det, xy, yx or berd, got "zz"' invert "$TMP/net.h5" "$TMP/snd/a.csv" --component zz
expect_fail 2 "-j 0" "-j/--threads" invert "$TMP/net.h5" "$TMP/snd/a.csv" -j 0
expect_fail 2 "--misfit-max -1" "--misfit-max" invert "$TMP/net.h5" "$TMP/snd/a.csv" --misfit-max -1
expect_fail 2 "--outside-fit 7" "--outside-fit: expected" invert "$TMP/net.h5" "$TMP/snd/a.csv" \
    --outside-fit 7
expect_fail 2 "--outside-fit nan" "--outside-fit: expected" invert "$TMP/net.h5" "$TMP/snd/a.csv" \
    --outside-fit nan
expect_fail 2 "--ref-rho without --ref-thick" "expected N resistivities and N-1 thicknesses" \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" --ref-rho 10,20 --plot "$TMP/png"
run invert "$TMP/net.h5" "$TMP/snd/a.csv" --plot "$TMP/png2" --ref-rho 100,20,300 --ref-thick 4,15 \
    --ref-label "true model"
[ "$rc" -eq 0 ] && [ -s "$TMP/png2/a.csv.png" ] && ok || bad "--ref-rho plot: exit $rc"
expect_fail 2 "unknown option" "--frobnicate" invert "$TMP/net.h5" "$TMP/snd/a.csv" --frobnicate
run invert --help
[ "$rc" -eq 0 ] && grep -q "^usage: bpinv invert NET.h5 SOUNDING" "$TMP/out" && ok || bad "--help"

# --- spreadsheets, the standard input and output, notes ------------------------------------
# the same sounding as a.csv, as Excel writes it in much of Europe (';', decimal commas, CRLF),
# with a station, a column not read and the resistivity in ohm m: the same model
european_csv "$TMP/snd/a.csv" >"$TMP/excel.csv"
run invert "$TMP/net.h5" "$TMP/snd/a.csv" --format json
cp "$TMP/out" "$TMP/a.json"
run invert "$TMP/net.h5" "$TMP/excel.csv" --format json
[ "$rc" -eq 0 ] && ok || bad "excel.csv: exit $rc: $(cat "$TMP/err")"
grep -q '"name": "VES 1"' "$TMP/out" && ok || bad "excel.csv: the station is not the name: $(head -3 "$TMP/out")"
[ "$(grep -o '"rho_ohmm": \[[^]]*\]' "$TMP/out")" = "$(grep -o '"rho_ohmm": \[[^]]*\]' "$TMP/a.json")" ] &&
    ok || bad "excel.csv inverted to another model: $(grep -o '"rho_ohmm": \[[^]]*\]' "$TMP/out" "$TMP/a.json")"
grep -qx "bpinv invert: note: $TMP/excel.csv: columns not read: \"Remarks\"" "$TMP/err" && ok ||
    bad "no note of the column not read: $(cat "$TMP/err")"
run invert "$TMP/net.h5" "$TMP/excel.csv" --format json -q
! grep -q "note:" "$TMP/err" && ok || bad "--quiet printed the note: $(cat "$TMP/err")"
grep -q '"columns_not_read": "\\"Remarks\\""' "$TMP/out" && ok ||
    bad "the JSON does not name the column not read: $(head -c 600 "$TMP/out")"
grep -q '"columns_not_read": null' "$TMP/a.json" && ok ||
    bad "a file whose columns were all read: $(grep -o '"columns_not_read": [^,]*' "$TMP/a.json")"
# a full AB column: halved, the same model as the AB/2 file's, and a note says so
awk -F, 'NR == 1 { print "AB (m),rho_a"; next } { printf "%.17g,%s\n", 2 * $1, $2 }' \
    "$TMP/snd/a.csv" >"$TMP/fullab.csv"
run invert "$TMP/net.h5" "$TMP/fullab.csv" --format json
[ "$(grep -o '"rho_ohmm": \[[^]]*\]' "$TMP/out")" = "$(grep -o '"rho_ohmm": \[[^]]*\]' "$TMP/a.json")" ] &&
    ok || bad "fullab.csv inverted to another model: $(grep -o '"rho_ohmm": \[[^]]*\]' "$TMP/out")"
grep -qx "bpinv invert: note: $TMP/fullab.csv: \"AB (m)\" read as the full spacing: halved to AB/2" \
    "$TMP/err" && ok || bad "no note of the halved AB: $(cat "$TMP/err")"
grep -qF '"note": "\"AB (m)\" read as the full spacing: halved to AB/2"' "$TMP/out" &&
    grep -qF '"note": null' "$TMP/a.json" && ok || bad "the JSON's note: $(head -c 400 "$TMP/out")"
# - is the standard input, -o - the standard output
"$BPINV" invert "$TMP/net.h5" - --format json -o - <"$TMP/snd/a.csv" >"$TMP/out" 2>"$TMP/err"
[ "$?" -eq 0 ] && grep -q '"name": "stdin"' "$TMP/out" && ok || bad "invert -: $(cat "$TMP/err")"
[ "$(grep -o '"rho_ohmm": \[[^]]*\]' "$TMP/out")" = "$(grep -o '"rho_ohmm": \[[^]]*\]' "$TMP/a.json")" ] &&
    ok || bad "invert - gave another model"
[ ! -e ./- ] && ok || { bad "-o - wrote a file named -"; rm -f ./-; }
# a file name that is not UTF-8 (Latin-1): the JSON stays valid, and gives the name back
# (Python's surrogateescape); the CSV has a row for a file that cannot be read, with why
cp "$TMP/snd/a.csv" "$TMP/caf$(printf '\351').csv"
run invert "$TMP/net.h5" "$TMP/caf$(printf '\351').csv" --format json
/usr/bin/python3 -c 'import json, os, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert os.fsencode(d["soundings"][0]["source"]).endswith(b"caf\xe9.csv"), d' "$TMP/out" && ok ||
    bad "JSON of a Latin-1 file name: $(cat "$TMP/out" | head -2)"
run invert "$TMP/net.h5" "$TMP/snd/a.csv" "$TMP/nosuch.csv"
[ "$rc" -eq 1 ] && grep -q "^$TMP/nosuch.csv,,*$TMP/nosuch.csv: cannot open" "$TMP/out" && ok ||
    bad "no CSV row for the file not read: $(cat "$TMP/out")"
# --- a profile: positions in, JSON and an XYZ table out ---------------------------------------
mkdir "$TMP/profile"
for k in 1 2 3; do
    awk -F, -v k=$k 'NR == 1 { print "station,x_m,y_m,elevation_m," $0; next }
                     { printf "P%d,%d,4100000,%d,%s\n", k, 500000 + 100 * k, 10 * k, $0 }' \
        "$TMP/snd/a.csv" >"$TMP/profile/p$k.csv"
done
run invert "$TMP/net.h5" "$TMP/profile" --format json --xyz "$TMP/profile.xyz"
[ "$rc" -eq 0 ] && ok || bad "invert --xyz: exit $rc: $(cat "$TMP/err")"
cp "$TMP/out" "$TMP/profile.json"
cp "$TMP/profile.xyz" "$TMP/profile1.xyz"
grep -q '"name": "P2", "method": "schlumberger", "component": null, "x_m": 500200, "y_m": 4100000, "elevation_m": 20,' \
    "$TMP/out" && ok || bad "no position in the JSON: $(head -3 "$TMP/out")"
/usr/bin/python3 - "$TMP/out" "$TMP/profile.xyz" <<'PYEOF2' && ok || bad "the XYZ table is not the JSON's models"
import csv, json, sys
doc = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
assert len(rows) == 3 * 3, len(rows)  # 3 stations x 3 layers
for s in doc["soundings"]:
    mine = [r for r in rows if r["station"] == s["name"]]
    assert [float(r["rho_ohmm"]) for r in mine] == s["rho_ohmm"], (mine, s)
    assert [float(r["top_m"]) for r in mine] == [0] + s["depth_m"], (mine, s)
    assert [float(r["bottom_m"]) for r in mine[:-1]] == s["depth_m"] and mine[-1]["bottom_m"] == ""
    assert all(float(r["x_m"]) == s["x_m"] and float(r["elevation_m"]) == s["elevation_m"]
               for r in mine)
    assert all(r["lat_deg"] == "" for r in mine)
    assert s["doi_m"] > 0 and all(r["doi_m"] == "%.4g" % s["doi_m"] for r in mine), (mine, s)
    assert all(r["misfit_rms_pct"] == "%.4g" % s["misfit_rms_pct"] and
               r["flags"] == ";".join(s["flags"]) for r in mine), (mine, s)
PYEOF2
# the CSV of the same run: doi_m too (computed for --xyz), as the JSON's
run invert "$TMP/net.h5" "$TMP/profile" --xyz "$TMP/profile2.xyz"
/usr/bin/python3 - "$TMP/out" "$TMP/profile.json" <<'PYEOF15' && ok || bad "CSV doi_m: $(cat "$TMP/out")"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
doc = json.load(open(sys.argv[2]))["soundings"]
assert [r["doi_m"] for r in rows] == ["%.4g" % s["doi_m"] for s in doc], (rows, doc)
PYEOF15
expect_fail 1 "--xyz over an existing file" "profile.xyz" \
    invert "$TMP/net.h5" "$TMP/profile" --xyz "$TMP/profile.xyz"
# at 95 %: the 2.5th and 97.5th percentiles, no point in a column's name
run invert "$TMP/net.h5" "$TMP/profile" --xyz "$TMP/profile.xyz" --force --ranges=95
head -1 "$TMP/profile.xyz" | grep -qx "station,x_m,y_m,lat_deg,lon_deg,elevation_m,layer,top_m,bottom_m,rho_ohmm,rho_ohmm_p2_5,rho_ohmm_p97_5,doi_m,doi_m_p2_5,doi_m_p97_5,misfit_rms_pct,flags" &&
    ok || bad "XYZ header with ranges: $(head -1 "$TMP/profile.xyz")"
head -1 "$TMP/out" | grep -q ",rho_1_ohmm_p2_5,rho_1_ohmm_p97_5,.*,conductance_2_siemens_p97_5," &&
    ! head -1 "$TMP/out" | grep -q '[.]' && ok || bad "--ranges=95 CSV header: $(head -1 "$TMP/out")"
# its depths of investigation across the equivalent models: the JSON's, on every row
run invert "$TMP/net.h5" "$TMP/profile" --ranges=95 --format json
/usr/bin/python3 - "$TMP/out" "$TMP/profile.xyz" <<'PYEOF17' && ok || bad "XYZ doi_m_p2_5: $(cat "$TMP/profile.xyz")"
import csv, json, sys
doc = json.load(open(sys.argv[1]))["soundings"]
rows = list(csv.DictReader(open(sys.argv[2])))
for s in doc:
    lo, _, hi = s["ranges"]["doi_interval_m"]
    mine = [r for r in rows if r["station"] == s["name"]]
    assert mine and all(r["doi_m_p2_5"] == "%.4g" % lo and r["doi_m_p97_5"] == "%.4g" % hi
                        for r in mine), (mine, s["ranges"])
PYEOF17
# a section of the profile: by x and y with elevations; by order without positions
run invert "$TMP/net.h5" "$TMP/profile" --section "$TMP/section.png" -q
[ "$rc" -eq 0 ] && [ "$(head -c 4 "$TMP/section.png" | od -An -c | tr -d ' \n')" = '211PNG' ] &&
    ok || bad "--section: exit $rc: $(cat "$TMP/err")"
run invert "$TMP/net.h5" "$TMP/snd/a.csv" "$TMP/snd/b.csv" --section "$TMP/order.png" -q
[ "$rc" -eq 0 ] && [ -s "$TMP/order.png" ] && ok || bad "--section by order: $(cat "$TMP/err")"
again invert "$TMP/net.h5" "$TMP/profile" --section "$TMP/section.svg" -q
[ "$rc" -eq 0 ] && grep -q "<svg" "$TMP/section.svg" && ok || bad "--section .svg: $(cat "$TMP/err")"
# what a section cannot show is said: one straight line, nothing; two lines side by side
# (P1-P3 and, 500 m north, Q1-Q3) drawn as neighbours; stations of which one has no place
again invert "$TMP/net.h5" "$TMP/profile" --section "$TMP/line.svg"
[ "$rc" -eq 0 ] && ! grep -q "note: --section" "$TMP/err" && ok ||
    bad "a note on one straight line: $(cat "$TMP/err")"
mkdir "$TMP/twolines"
for k in 1 2 3; do
    cp "$TMP/profile/p$k.csv" "$TMP/twolines/p$k.csv"
    sed "s/^P$k,\([0-9]*\),4100000,/Q$k,\1,4100500,/" "$TMP/profile/p$k.csv" >"$TMP/twolines/q$k.csv"
done
run invert "$TMP/net.h5" "$TMP/twolines" --section "$TMP/two.svg"
[ "$rc" -eq 0 ] && grep -q "note: --section $TMP/two.svg: the stations lie off one line: \"[PQ][123]\" and \"[PQ][123]\", [0-9]* m apart across the line fitted through them, are drawn 0 m apart ([0-9]* such neighbours; two profiles? draw each on its own)" "$TMP/err" &&
    ok || bad "two lines in one section, not said: $(cat "$TMP/err")"
run invert "$TMP/net.h5" "$TMP/profile/p1.csv" "$TMP/snd/b.csv" "$TMP/profile/p2.csv" \
    --section "$TMP/mixed.svg"
[ "$rc" -eq 0 ] && grep -q "note: --section $TMP/mixed.svg: 1 of the 3 stations has no position (\"b.csv\" first): all drawn in the order given" "$TMP/err" &&
    ok || bad "a station without a place, not said: $(cat "$TMP/err")"
# stations given out of order along a slanting line, no elevations: depth down on a log
# axis. Each station's model filled, layer by layer; the columns sorted along the line (S1,
# S3, S2) at their true spacing (0, 112, 335 m: gaps 1:2); the axis ends at twice the
# deepest interface of any station (S2's, 42 m), or at the deepest AB/2 (what a DC sounding
# sees) if shallower, each column at its own largest AB/2 if shallower still (S1's, 60 m):
# every interface and bottom on one straight line of log10 depth, the axis's
plain_bpinv forward -m schlumberger --rho 100,20,300 --thick 4,15 --ab2 1:60:14 >"$TMP/g.csv"
plain_bpinv forward -m schlumberger --rho 300,30,3 --thick 2,40 --ab2 1:600:18 >"$TMP/f.csv"
{
    echo "station,x_m,y_m,$(head -1 "$TMP/snd/a.csv")"
    for r in "S1 0 g" "S2 300 f" "S3 100 snd/b"; do
        set -- $r
        tail -n +2 "$TMP/$3.csv" | sed "s/^/$1,$((500000 + $2)),$((4100000 + $2 / 2)),/"
    done
} >"$TMP/slant.csv"
run invert "$TMP/net.h5" "$TMP/slant.csv" --section "$TMP/slant.svg" --format json
[ "$rc" -eq 0 ] && /usr/bin/python3 - "$TMP/out" "$TMP/slant.svg" "$TMP/slant.csv" "$TMP" <<'PYEOF10' && ok ||
import json, math, sys
sys.path.insert(0, sys.argv[4])
from sectsvg import axis_end, bounds, columns, doi, worst
doc = {s["name"]: s for s in json.load(open(sys.argv[1]))["soundings"]}
bar, cols = columns(sys.argv[2])
seen = {}
for row in open(sys.argv[3]).read().split()[1:]:
    f = row.split(",")
    seen[f[0]] = max(seen.get(f[0], 0), float(f[3]))
axis = axis_end([doc[k] for k in sorted(doc)], [seen[k] for k in sorted(doc)])
c = sorted(cols)
assert bar == 64 and len(c) == 3, (bar, cols)
assert abs((c[1] - c[0]) / (c[2] - c[1]) - 0.5) < 0.01, c
assert seen["S1"] < axis < min(seen["S2"], seen["S3"]), (seen, axis)  # both ends tried
points = []
for name, x in zip(["S1", "S3", "S2"], c):
    s, b = doc[name], bounds(cols[x])
    shown = [z for z in s["depth_m"] if z < min(seen[name], axis)]  # interfaces above it
    assert len(b) == len(shown) + 2, (name, s, b)  # a fill per layer
    points += zip([math.log10(z) for z in shown + [min(seen[name], axis)]], b[1:])
    # paler below the depth of investigation, where the column reaches it, on the same axis
    assert (doi(cols[x]) is None) == (s["doi_m"] >= min(seen[name], axis)), (name, s, cols[x])
    if doi(cols[x]) is not None:
        points.append((math.log10(s["doi_m"]), doi(cols[x])))
assert len(points) > 3 * 3, points  # the depth of investigation in a column at least
assert sum(len(v) for v in cols.values()) >= 3 * 3, cols  # all 3 layers of most
assert worst(points) < 0.5, (axis, points)
PYEOF10
    bad "--section of stations out of order, depth down: $(cat "$TMP/err")"
# a conductor over a resistive basement seen from far (AB/2 to 300 m): the depths of
# investigation lie below twice the deepest interface, and the axis reaches on to 1.15 x
# the deepest one (at most 5 x the deepest interface), every boundary and the depths of
# investigation on its line
plain_bpinv forward -m schlumberger --rho 100,10,1000 --thick 5,30 --ab2 1:300:25 >"$TMP/k.csv"
plain_bpinv forward -m schlumberger --rho 50,5,1000 --thick 2,20 --ab2 1:300:25 >"$TMP/l.csv"
{
    echo "station,x_m,y_m,$(head -1 "$TMP/k.csv")"
    for r in "K1 0 k" "K2 100 l"; do
        set -- $r
        tail -n +2 "$TMP/$3.csv" | sed "s/^/$1,$((500000 + $2)),4100000,/"
    done
} >"$TMP/cover.csv"
run invert "$TMP/net.h5" "$TMP/cover.csv" --section "$TMP/cover.svg" --format json
[ "$rc" -eq 0 ] && /usr/bin/python3 - "$TMP/out" "$TMP/cover.svg" "$TMP" <<'PYEOF14' && ok ||
import json, math, sys
sys.path.insert(0, sys.argv[3])
from sectsvg import axis_end, bars, bounds, columns, doi, worst
doc = json.load(open(sys.argv[1]))["soundings"]
bar, cols = columns(sys.argv[2])
deepest = max(s["depth_m"][-1] for s in doc)
axis = axis_end(doc, [300, 300])
assert axis > 2 * deepest * 1.01, (axis, deepest, [s["doi_m"] for s in doc])  # reached on
points = []
for s, x in zip(doc, sorted(cols)):
    b = bounds(cols[x])
    points += zip([math.log10(z) for z in s["depth_m"] + [axis]], b[1:])
    assert doi(cols[x]) is not None, (s, cols[x])  # both drawn
    points.append((math.log10(s["doi_m"]), doi(cols[x])))
assert worst(points) < 0.5, (axis, points)
assert bars(sys.argv[2], cols) == {}, "a bar without --ranges"
PYEOF14
    bad "--section of a thin cover: the axis does not reach the depths of investigation"
# with --ranges, a bar beside each column: the depth of investigation across the equivalent
# models (the JSON's doi_interval_m), cut at the column's foot, on the axis of the rest
run invert "$TMP/net.h5" "$TMP/cover.csv" --ranges --section "$TMP/coverr.svg" --format json
[ "$rc" -eq 0 ] && /usr/bin/python3 - "$TMP/out" "$TMP/coverr.svg" "$TMP" <<'PYEOF16' && ok ||
import json, math, sys
sys.path.insert(0, sys.argv[3])
from sectsvg import axis_end, bars, bounds, columns, worst
doc = json.load(open(sys.argv[1]))["soundings"]
bar, cols = columns(sys.argv[2])
axis = axis_end(doc, [300, 300])
b = bars(sys.argv[2], cols)
assert len(b) == 2, (b, [s["ranges"]["doi_interval_m"] for s in doc])
points = []
for s, x in zip(doc, sorted(cols)):
    lo, _, hi = s["ranges"]["doi_interval_m"]
    points += zip([math.log10(z) for z in s["depth_m"] + [axis]], bounds(cols[x])[1:])
    points += [(math.log10(lo), b[x][0]), (math.log10(min(hi, axis)), b[x][1])]
assert worst(points) < 0.5, (axis, points)
PYEOF16
    bad "--section --ranges: the bars of the depth of investigation: $(cat "$TMP/err")"
# The section's geometry below: four more pictures of the same code paths, not memcheck's
# business (under valgrind a picture costs about 5 s); the sanitizers' run has them.
if [ -z "${BPINV_VALGRIND:-}" ]; then
# stations all at one place, and a single station: no line to project onto, so the order
# given, a column for each. Two of three at one place: two columns, as wide as their gap
# allows (not as the gap of 0 between the two), the two stations' layers at one
sed 's/^\(S[0-9]\),[0-9]*,[0-9]*,/\1,500000,4100000,/' "$TMP/slant.csv" >"$TMP/onespot.csv"
grep -v '^S[23],' "$TMP/slant.csv" >"$TMP/onestation.csv"
sed 's/^S3,[0-9]*,[0-9]*,/S3,500000,4100000,/' "$TMP/slant.csv" >"$TMP/twospots.csv"
for f in onespot:3,3,3 onestation:3 twospots:6,3; do
    run invert "$TMP/net.h5" "$TMP/${f%:*}.csv" --section "$TMP/${f%:*}.svg" -q
    [ "$rc" -eq 0 ] && /usr/bin/python3 - "$TMP/${f%:*}.svg" "$TMP" "${f#*:}" <<'PYEOF12' && ok ||
import sys
sys.path.insert(0, sys.argv[2])
from sectsvg import columns, layers
bar, cols = columns(sys.argv[1])
c = sorted(cols)
# a column's layers (two stations at one place share a column)
n = [layers(cols[x]) for x in c]
assert bar == 64 and n == [int(v) for v in sys.argv[3].split(",")], (n, cols)
assert len(c) < 3 or abs((c[1] - c[0]) / (c[2] - c[1]) - 1) < 0.01, c  # a unit apart
assert all(f[2] > 100 for v in cols.values() for f in v), cols  # of 858 across
PYEOF12
        bad "--section of ${f%:*}: $(cat "$TMP/err")"
done
# a station no earth of the prior fits (every other reading 10 times too high: high_misfit)
# among the others sets neither the colour scale nor a misfit axis that puts theirs on its
# zero: the others' layers keep their colours
awk -F, '{ print } NR > 1 && $1 == "S1" { n++; $1 = "S4"; $2 += 200; $3 += 100;
    if (n % 2) $NF *= 10; bad[n] = $0 } END { for (i = 1; i <= n; i++) print bad[i] }' \
    OFS=, "$TMP/slant.csv" >"$TMP/slantbad.csv"
run invert "$TMP/net.h5" "$TMP/slantbad.csv" --section "$TMP/slantbad.svg" --format json
[ "$rc" -eq 0 ] && /usr/bin/python3 - "$TMP/slant.svg" "$TMP/slantbad.svg" "$TMP/out" "$TMP" <<'PYEOF16' && ok ||
import json, sys
sys.path.insert(0, sys.argv[4])
from sectsvg import columns
st = {s["name"]: s for s in json.load(open(sys.argv[3]))["soundings"]}
assert "high_misfit" in st["S4"]["flags"] and all(
    "high_misfit" not in st[k]["flags"] for k in ("S1", "S2", "S3")), st
hues = []
for path in sys.argv[1:3]:
    _, cols = columns(path)
    c = [sorted((round(v[3], 3) for v in cols[x])) for x in sorted(cols)]
    hues.append(c if len(c) == 3 else c[:2] + c[3:])  # S1, S3, (S4,) S2 along the line
assert hues[0] == hues[1], hues
PYEOF16
    bad "--section with a station no earth fits: $(cat "$TMP/err")"
# the colour scale spans the layers drawn: the most and the least resistive of them at its
# ends, pure red and pure blue, even when a layer below the depth a sounding sees (here a
# deep conductor under the 30 m of its largest AB/2) is more extreme
plain_bpinv forward -m schlumberger --rho 100,20,1000 --thick 4,40 --ab2 1:30:12 >"$TMP/h.csv"
run invert "$TMP/net.h5" "$TMP/h.csv" --section "$TMP/h.svg" -q
[ "$rc" -eq 0 ] && /usr/bin/python3 - "$TMP/h.svg" <<'PYEOF13' && ok ||
import re, sys
fills = re.findall(r'<path style="fill-rule:nonzero;fill:rgb\(([^)]*)\)[^"]*" d="M ([-0-9.]+) ',
                   open(sys.argv[1]).read())
drawn = sorted(c for c, x in fills if float(x) < 950)  # not the colour bar, right of it
assert len(fills) == 64 + 2 and drawn == ["0%,0%,100%", "100%,0%,0%"], fills
PYEOF13
    bad "--section's colour scale is not the drawn layers': $(cat "$TMP/err")"
fi
run invert "$TMP/net.h5" "$TMP/profile" --section "$TMP/section.pdf" -q
[ "$rc" -eq 0 ] && [ "$(head -c 5 "$TMP/section.pdf")" = "%PDF-" ] && ok ||
    bad "--section .pdf: $(cat "$TMP/err")"
# --- Schlumberger segments: each one's factor in the JSON, the reference segment chosen ------
maw=docs/examples/mawlamyine_loc3_schlumberger.csv
refs="first 10 auto"
[ -n "$BPINV_VALGRIND" ] && refs=auto # each a whole refinement under memcheck: one is enough
for ref in $refs; do
    run invert "$TMP/net.h5" "$maw" --format json --segment-ref "$ref"
    /usr/bin/python3 - "$TMP/out" "$ref" "$maw" "${BPINV_PLAIN:-$BPINV}" <<'PYEOF6' && ok || bad "--segment-ref $ref: $(cat "$TMP/err")"
import csv, json, subprocess, sys
s = json.load(open(sys.argv[1]))["soundings"][0]
seg = s["segments"]
assert [g["mn2_m"] for g in seg] == [1, 5, 10, 20], seg
one = [g["mn2_m"] for g in seg if g["factor"] == 1]
assert len(one) == 1 and (sys.argv[2] != "first" or one == [1]) and \
    (sys.argv[2] != "10" or one == [10]), seg
# the factors chain the readings shared by neighbours, less the finite-MN ratio of the
# answer's model there (its response at each reading's own MN/2: bpinv forward)
rows = [r for r in csv.reader(l for l in open(sys.argv[3]) if not l.startswith("#"))][1:]
rho = {(float(a), float(m)): float(r) for a, m, r in rows}
f = {g["mn2_m"]: g["factor"] for g in seg}
model = ["--rho", ",".join("%r" % v for v in s["rho_ohmm"]),
         "--thick", ",".join("%r" % v for v in s["thick_m"])]
def resp(a, m):
    out = subprocess.run([sys.argv[4], "forward", "-m", "schlumberger", *model, "--ab2", "%r" % a,
                          "--mn2", "%r" % m], capture_output=True, text=True, check=True).stdout
    return float(out.splitlines()[1].split(",")[2])
for (a, m1), (b, m2) in ((k, j) for k in rho for j in rho if k[0] == j[0] and k[1] < j[1]):
    want = resp(a, m1) / resp(b, m2)
    assert abs(f[m1] * rho[(a, m1)] / (f[m2] * rho[(b, m2)]) / want - 1) < 2e-3, (a, m1, m2, f, want)
PYEOF6
done
# the note when the reference lies off the level most readings agree on (Mawlamyine's first
# segment, 1.6-1.9 from the other three): with the default and --segment-ref 1, not auto or 10
for ref in first 1 auto 10; do
    run invert "$TMP/net.h5" "$maw" --segment-ref "$ref" -o "$TMP/maw.csv" --force
    if [ "$ref" = first ] || [ "$ref" = 1 ]; then
        if [ "$ref" = first ]; then why="the first, the default reference"; else why=--segment-ref; fi
        grep -q "^bpinv invert: note: $maw: its segments are joined to the one of MN/2 1 m ($why), a factor 1\.[5-9][0-9]* from the level most of its readings agree on (MN/2 10 m): the answer and its ranges are at the reference's level; --segment-ref auto joins to theirs$" "$TMP/err" &&
            ok || bad "--segment-ref $ref: the reference's note: $(cat "$TMP/err")"
    else
        ! grep -q "segments are joined" "$TMP/err" && ok || bad "--segment-ref $ref noted: $(cat "$TMP/err")"
    fi
done
# segments joined across gaps (no AB/2 shared), the first read 1.5 times too high, of an
# exact 4-layer earth: the levels are the fit's, so the default reference gives the earth's
# resistivities times 1.5 and says so; auto the earth itself (the estimate across the gaps
# picked the first as the level most readings agree on)
setup samples -m schlumberger --layers 4 --ab2 1:1000:20 --rho 1:1000 --thick 1:50 --noise 0.03 \
    -n 4000 -o "$TMP/s4.h5" -q
setup train "$TMP/s4.h5" -o "$TMP/net4.h5" --epochs 10 --hidden 16 -q
gap=tests/data/segments_gaps_first_high.csv
for ref in first auto; do
    run invert "$TMP/net4.h5" "$gap" --segment-ref "$ref" --format json
    /usr/bin/python3 - "$TMP/out" "$ref" <<'PYEOF7' && ok || bad "gaps, --segment-ref $ref: $(cat "$TMP/out" "$TMP/err")"
import json, sys
s = json.load(open(sys.argv[1]))["soundings"][0]
# what the data resolve (the fit may end at an equivalent of the thin layers: the start is
# the net's, which differs with the BLAS, as under memcheck): the top and the base, the
# resistive layer's h rho and the conductor's h / rho, at the reference's level
k = 1 if sys.argv[2] == "auto" else 1.5
rho, h = s["rho_ohmm"], s["thick_m"]
got = [rho[0], rho[3], h[0], h[1] * rho[1], h[2] / rho[2]]
want = [80 * k, 300 * k, 1.5, 10 * 600 * k, 30 / (8 * k)]
assert all(abs(a / b - 1) < 0.03 for a, b in zip(got, want)), (got, want)
assert s["misfit_rms_pct"] < 0.2, s["misfit_rms_pct"]
f = {g["mn2_m"]: g["factor"] for g in s["segments"]}
first = 1 / 1.5 if sys.argv[2] == "auto" else 1
assert abs(f[0.5] / first - 1) < 0.01 and all(abs(f[m] / (1.5 * first) - 1) < 0.01
                                              for m in (2, 10, 40)), f
assert ("a factor 1.5 from the level most of its readings agree on" in (s["note"] or "")) == \
    (sys.argv[2] == "first"), s["note"]
PYEOF7
done
# the CSV: a column of the factors, MN2:FACTOR;..., only when a sounding was in segments
run invert "$TMP/net.h5" "$maw" "$TMP/snd/a.csv"
head -1 "$TMP/out" | grep -q ",flags,segment_factors,time_ms,error$" &&
    grep -q ",1:1;5:[0-9.]*;10:[0-9.]*;20:[0-9.]*,[0-9.]*,$" "$TMP/out" &&
    grep -q "^$TMP/snd/a.csv,a.csv,.*,,[0-9.]*,$" "$TMP/out" && ok ||
    bad "CSV segment_factors: $(cat "$TMP/out")"
run invert "$TMP/net.h5" "$TMP/snd/a.csv"
! head -1 "$TMP/out" | grep -q segment_factors && ok || bad "segment_factors without segments"
expect_fail 1 "--segment-ref an MN/2 the sounding lacks" \
    "segment_ref: expected an MN/2 of the sounding (1, 5, 10, 20 m), got 7 m" \
    invert "$TMP/net.h5" "$maw" --segment-ref 7
# a survey whose second station has no segment of that MN/2: its row names it, and why
awk -F, '/^#/ { next } !h { print "station," $0; h = 1; next }
          { print "A," $0; print "B," $1 "," ($2 == 5 ? 6 : $2) "," $3 }' \
    "$maw" >"$TMP/twoseg.csv"
run invert "$TMP/net.h5" "$TMP/twoseg.csv" --segment-ref 5
[ "$rc" -eq 1 ] && grep -q "^$TMP/twoseg.csv,B,,.*segment_ref: expected an MN/2 of the sounding (1, 6, 10, 20 m), got 5 m\"\?$" "$TMP/out" &&
    grep -q "^$TMP/twoseg.csv,A,schlumberger,3," "$TMP/out" && ok ||
    bad "a survey's station not inverted: its name: $(cat "$TMP/out" "$TMP/err")"
# a sounding of one curve has nothing to join: any reference (a survey's stations without
# segments beside those with; until 2026-12-06 an error, 'it gives no MN/2')
run invert "$TMP/net.h5" "$TMP/snd/a.csv" "$maw" --segment-ref 5
[ "$rc" -eq 0 ] && [ "$(grep -c ',schlumberger,3,' "$TMP/out")" -eq 2 ] &&
    ok || bad "--segment-ref without MN/2: $(cat "$TMP/out" "$TMP/err")"
expect_fail 2 "--segment-ref not a reference" \
    "bpinv invert: --segment-ref: expected first, auto or an MN/2 in m (> 0), got \"-1\"" \
    invert "$TMP/net.h5" "$maw" --segment-ref -1
run invert "$TMP/net.h5" "$maw" --plot "$TMP/segplots" -q
[ "$rc" -eq 0 ] && [ -s "$TMP/segplots/mawlamyine_loc3_schlumberger.csv.png" ] && ok ||
    bad "a segmented sounding's plot: $(cat "$TMP/err")"
# --- parameters held (a borehole): a thin conductor's equivalence resolved -------------------
# rho 100, 10, 1000 ohm-m, h 5, 2 m with 2 % noise: only the conductance h2 / rho2 = 0.2 S
# is resolved; fixing h2 or rho2 gives the other, bounds hold
plain_bpinv forward -m schlumberger --rho 100,10,1000 --thick 5,2 --ab2 1:1000:30 >"$TMP/eq0.csv"
/usr/bin/python3 - "$TMP/eq0.csv" "$TMP/eq.csv" <<'PYEOF7'
import csv, random, sys
random.seed(3)
with open(sys.argv[2], "w") as f:
    f.write("ab2_m,rho_a_ohmm\n")
    for r in csv.DictReader(open(sys.argv[1])):
        f.write("%s,%.6g\n" % (r["ab2_m"], float(r["rho_a_ohmm"]) * (1 + 0.02 * random.gauss(0, 1))))
PYEOF7
for held in "--fix h2=2" "--bound depth2=6:7.5" "--fix rho2=10" "--bound h2=1:3,rho2=8:12"; do
    # under memcheck the first two (a fixed parameter, a depth bound) cover the code
    [ -n "$BPINV_VALGRIND" ] && [ "${held#--fix rho2}" != "$held" ] && break
    # shellcheck disable=SC2086 # the option and its value, split on purpose
    run invert "$TMP/net.h5" "$TMP/eq.csv" --format json $held
    /usr/bin/python3 - "$TMP/out" "$held" <<'PYEOF8' && ok || bad "$held: $(cat "$TMP/err" "$TMP/out")"
import json, sys
s = json.load(open(sys.argv[1]))["soundings"][0]
held = sys.argv[2]
rho2, h2, depth2 = s["rho_ohmm"][1], s["thick_m"][1], s["depth_m"][1]
assert s["misfit_rms_pct"] < 2.5 and s["flags"] == [], s
assert abs(h2 / rho2 / 0.2 - 1) < 0.1, ("the conductance", h2 / rho2)
if held == "--fix h2=2":
    assert h2 == 2 and abs(rho2 / 10 - 1) < 0.1, (rho2, h2)
elif held == "--fix rho2=10":
    assert rho2 == 10 and abs(h2 / 2 - 1) < 0.1, (rho2, h2)
elif held.startswith("--bound depth2"):
    assert 6 <= depth2 <= 7.5 + 1e-6, depth2
else:
    assert 1 <= h2 <= 3 and 8 <= rho2 <= 12, (rho2, h2)
PYEOF8
done
# --fix in parts: the lists together (both held: h2 = 2 and rho2 = 12, off the data's
# conductance 0.2 S), not the last part alone
run invert "$TMP/net.h5" "$TMP/eq.csv" --fix h2=2 --fix rho2=12
[ "$rc" -eq 0 ] && awk -F, "$BYNAME"' NR == 2 { exit !($c["rho_2_ohmm"] == 12 &&
                                                    $c["thick_2_m"] == 2) }' "$TMP/out" && ok ||
    bad "--fix in two parts is not the one list: $(cat "$TMP/out" "$TMP/err")"
expect_fail 2 "--fix in parts holding one twice" \
    'bpinv invert: --fix: rho2: expected each parameter held once, got it twice' \
    invert "$TMP/net.h5" "$TMP/eq.csv" --fix rho2=10 --fix rho2=12
expect_fail 1 "--fix outside the prior" \
    "bpinv invert: --fix: $TMP/net.h5: rho2=5000: expected inside the prior of layer 2, 1 .. 1000 ohm-m" \
    invert "$TMP/net.h5" "$TMP/eq.csv" --fix rho2=5000
expect_fail 1 "--bound beyond the net's layers" \
    "bpinv invert: --bound: $TMP/net.h5: depth3=5:9: expected a layer of the net's 3-layer model" \
    invert "$TMP/net.h5" "$TMP/eq.csv" --bound depth3=5:9
expect_fail 2 "--fix with --no-refine" \
    "bpinv invert: --fix holds parameters in the refinement: not with --no-refine" \
    invert "$TMP/net.h5" "$TMP/eq.csv" --fix h2=2 --no-refine
# -o r.json: JSON without --format (it wrote CSV into r.json); a contradiction refused
run invert "$TMP/net.h5" "$TMP/eq.csv" -o "$TMP/fmt.JSON" --no-refine -q
/usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$TMP/fmt.JSON" 2>"$TMP/py" &&
    [ "$rc" -eq 0 ] && ok || bad "-o NAME.JSON: not JSON: exit $rc $(cat "$TMP/py")"
expect_fail 2 "-o NAME.json with --format csv" \
    "bpinv invert: -o $TMP/fmt2.json: expected a name for --format csv, got a .json one" \
    invert "$TMP/net.h5" "$TMP/eq.csv" -o "$TMP/fmt2.json" --format csv
[ ! -e "$TMP/fmt2.json" ] && ok || bad "-o NAME.json --format csv: the file was made"
expect_fail 2 "--ref-label without --ref-rho" \
    "bpinv invert: --ref-label: the reference model's name: expected with --ref-rho" \
    invert "$TMP/net.h5" "$TMP/eq.csv" --plot "$TMP/plr" --ref-label x
[ ! -e "$TMP/plr" ] && ok || bad "--ref-label without --ref-rho: the directory was made"
expect_fail 2 "--section NAME.jpg" \
    "bpinv invert: --section: $TMP/sec.jpg: expected a name ending in .png, .svg or .pdf, got .jpg" \
    invert "$TMP/net.h5" "$TMP/eq.csv" --section "$TMP/sec.jpg"
expect_fail 2 "-q --progress" "bpinv invert: --quiet and --progress: choose one" \
    invert "$TMP/net.h5" "$TMP/eq.csv" -q --progress
# options that change nothing without another: refused, not ignored
expect_fail 2 "--starts with --no-refine" \
    "bpinv invert: --starts: the refinement's starts: not with --no-refine" \
    invert "$TMP/net.h5" "$TMP/eq.csv" --starts 3 --no-refine
expect_fail 2 "--fit-to with --no-refine" \
    "bpinv invert: --fit-to: when the refinement's starts stop: not with --no-refine" \
    invert "$TMP/net.h5" "$TMP/eq.csv" --no-refine --fit-to 0
expect_fail 2 "--outside-fit with --no-refine" \
    "bpinv invert: --outside-fit: the refinement's fit outside the prior: not with --no-refine" \
    invert "$TMP/net.h5" "$TMP/eq.csv" --outside-fit 1 --no-refine
expect_fail 2 "--outside-fit with --fix" \
    "bpinv invert: --outside-fit: the refinement's fit outside the prior: not with --fix" \
    invert "$TMP/net.h5" "$TMP/eq.csv" --fix h2=2 --outside-fit 1
expect_fail 2 "--plot-format without --plot" \
    "bpinv invert: --plot-format: the --plot pictures' format: expected with --plot" \
    invert "$TMP/net.h5" "$TMP/eq.csv" --plot-format svg --section "$TMP/eq.png"
expect_fail 2 "--ref-rho without --plot" \
    "bpinv invert: --ref-rho: a model drawn in the --plot pictures: expected with --plot" \
    invert "$TMP/net.h5" "$TMP/eq.csv" --ref-rho 10,20 --ref-thick 5
expect_fail 2 "--ref-label without --plot" \
    "bpinv invert: --ref-label: a name in the --plot pictures: expected with --plot" \
    invert "$TMP/net.h5" "$TMP/eq.csv" --ref-label x
[ ! -e "$TMP/eq.png" ] && ok || bad "--plot-format without --plot: the section was drawn"
expect_fail 2 "--bound with --ranges" \
    "bpinv invert: --bound holds parameters in the refinement: not with --ranges" \
    invert "$TMP/net.h5" "$TMP/eq.csv" --bound h2=1:3 --ranges
expect_fail 2 "--bound not LO:HI" 'bpinv invert: --bound: h2="3:1": expected LO:HI, 0 < LO <= HI' \
    invert "$TMP/net.h5" "$TMP/eq.csv" --bound h2=3:1
# --- the same profile as one survey table: long (a station column), then wide -------------
{ head -1 "$TMP/profile/p1.csv"; for k in 3 1 2; do tail -n +2 "$TMP/profile/p$k.csv"; done; } \
    >"$TMP/survey.csv"
run invert "$TMP/net.h5" "$TMP/survey.csv" --format json --xyz "$TMP/survey.xyz" \
    --section "$TMP/survey.png"
[ "$rc" -eq 0 ] && ok || bad "a survey table: exit $rc: $(cat "$TMP/err")"
grep -qx "bpinv invert: note: $TMP/survey.csv: 3 stations, from \"P3\" to \"P2\"" "$TMP/err" &&
    ok || bad "no note of the stations read: $(cat "$TMP/err")"
[ "$(head -c 4 "$TMP/survey.png" | od -An -c | tr -d ' \n')" = '211PNG' ] && ok ||
    bad "no section of the survey table"
/usr/bin/python3 - "$TMP/out" "$TMP/profile.json" "$TMP/survey.xyz" "$TMP/profile1.xyz" <<'PYEOF3' &&
import csv, json, sys
survey, profile = (json.load(open(p))["soundings"] for p in sys.argv[1:3])
assert [s["name"] for s in survey] == ["P3", "P1", "P2"], [s["name"] for s in survey]
by_name = {s["name"]: s for s in profile}
for s in survey:
    p = by_name[s["name"]]
    assert s["source"].endswith("survey.csv"), s["source"]
    for key in ("rho_ohmm", "thick_m", "depth_m", "x_m", "y_m", "elevation_m", "misfit_rms_pct"):
        assert s[key] == p[key], (key, s[key], p[key])
rows = sorted(csv.reader(open(sys.argv[3])))
assert rows == sorted(csv.reader(open(sys.argv[4]))), "the XYZ tables differ"
PYEOF3
    ok || bad "the survey table's models are not the profile files' models"
again invert "$TMP/net.h5" "$TMP/survey.csv" --plot "$TMP/surveyplots" -q
[ "$(ls "$TMP/surveyplots" | tr '\n' ' ')" = "survey.csv-P1.png survey.csv-P2.png survey.csv-P3.png " ] &&
    ok || bad "a survey's plots are not named by station: $(ls "$TMP/surveyplots")"
# two survey tables of one file name: a picture each, the second of a name "-2" (they were
# given one name, and the second refused as existing, or with --force drawn over the first)
mkdir -p "$TMP/l1" "$TMP/l2" && cp "$TMP/survey.csv" "$TMP/l1/s.csv" && cp "$TMP/survey.csv" "$TMP/l2/s.csv"
reps="2 4 5"
[ -n "${BPINV_VALGRIND:-}" ] && reps=2 # once is memcheck's share
for j in $reps; do
    rm -rf "$TMP/dupplots"
    run invert "$TMP/net.h5" "$TMP/l1/s.csv" "$TMP/l2/s.csv" --plot "$TMP/dupplots" -q -j $j
    [ "$rc" -eq 0 ] && [ ! -s "$TMP/err" ] && [ "$(ls "$TMP/dupplots" | tr '\n' ' ')" = \
        "s.csv-P1-2.png s.csv-P1.png s.csv-P2-2.png s.csv-P2.png s.csv-P3-2.png s.csv-P3.png " ] &&
        ok || bad "two tables of one name, -j $j: exit $rc: $(cat "$TMP/err"; ls "$TMP/dupplots")"
done
# stations whose names are one once cleaned ("P 1", "P_1", "P/1"), and a second file x.csv
# beside a file named x.csv-2, given after it or before: a picture each, a file's own name
# kept where it is free (a name is never one that another sounding has by its file's name)
{
    echo "station,ab2_m,rho_a_ohmm"
    for st in "P 1" P_1 P/1; do tail -n +2 "$TMP/snd/a.csv" | sed "s|^|$st,|"; done
} >"$TMP/clash.csv"
mkdir -p "$TMP/xa" "$TMP/xb" && cp "$TMP/snd/a.csv" "$TMP/xa/x.csv" && cp "$TMP/snd/a.csv" "$TMP/xb/x.csv" &&
    cp "$TMP/snd/a.csv" "$TMP/xa/x.csv-2"
run invert "$TMP/net.h5" "$TMP/clash.csv" "$TMP/xa/x.csv-2" "$TMP/xa/x.csv" "$TMP/xb/x.csv" \
    --plot "$TMP/clashplots" -q --no-refine -j 2
[ "$rc" -eq 0 ] && [ "$(ls "$TMP/clashplots" | tr '\n' ' ')" = \
    "clash.csv-P_1-2.png clash.csv-P_1-3.png clash.csv-P_1.png x.csv-2.png x.csv-3.png x.csv.png " ] &&
    ok || bad "picture names made one: exit $rc: $(cat "$TMP/err"; ls "$TMP/clashplots")"
again invert "$TMP/net.h5" "$TMP/xa/x.csv" "$TMP/xb/x.csv" "$TMP/xa/x.csv-2" --plot "$TMP/clash2" \
    -q --no-refine -j 2 --format json
[ "$rc" -eq 0 ] && [ "$(ls "$TMP/clash2" | tr '\n' ' ')" = "x.csv-2.png x.csv-3.png x.csv.png " ] &&
    ok || bad "picture names, x.csv-2 last: exit $rc: $(cat "$TMP/err"; ls "$TMP/clash2")"
# ... and said, without -q
run invert "$TMP/net.h5" "$TMP/xa/x.csv" "$TMP/xb/x.csv" "$TMP/xa/x.csv-2" --plot "$TMP/clash3" \
    --no-refine
grep -qx "bpinv invert: note: --plot: 1 picture named apart from another of the same name: $TMP/xb/x.csv: x.csv-3.png" \
    "$TMP/err" && ok || bad "no note of a picture named apart: $(cat "$TMP/err")"
# a station that is no sounding (two readings; a wide table's empty column) fails alone: its
# row names it and says why, the others are inverted, in the columns' order (before, the
# whole file was refused, or an empty column dropped and the stations ordered by their
# first readings); every station failing: nothing written, a line each
{
    echo "station,ab2_m,rho_a_ohmm"
    tail -n +2 "$TMP/snd/a.csv" | sed 's/^/S0,/'
    tail -n +2 "$TMP/snd/a.csv" | head -2 | sed 's/^/S1,/'
    tail -n +2 "$TMP/snd/a.csv" | sed 's/^/S2,/'
} >"$TMP/short.csv"
run invert "$TMP/net.h5" "$TMP/short.csv" -q --no-refine
[ "$rc" -eq 1 ] && [ "$(cut -d, -f2 "$TMP/out" | tr '\n' ' ')" = "name S0 S1 S2 " ] &&
    grep -q '^[^,]*,S1,,.*"[^"]*short.csv:[0-9]*: station ""S1"": expected at least 3 points, got 2"$' "$TMP/out" &&
    grep -q ',S2,schlumberger,3,' "$TMP/out" && [ "$(wc -l <"$TMP/err")" -eq 1 ] && ok ||
    bad "a short station: exit $rc: $(cat "$TMP/out" "$TMP/err")"
awk -F, 'NR == 1 { print "ab2_m,V1,V2,V3,V4"; next }
    { printf "%s,%s,%s,,%s\n", $1, $2, NR == 2 ? "" : $2, $2 }' "$TMP/snd/a.csv" >"$TMP/widegap.csv"
run invert "$TMP/net.h5" "$TMP/widegap.csv" -q --no-refine
[ "$rc" -eq 1 ] && [ "$(cut -d, -f2 "$TMP/out" | tr '\n' ' ')" = "name V1 V2 V3 V4 " ] &&
    grep -q ',V3,.*station ""V3"": expected at least 3 points, got none (its column is empty)"$' "$TMP/out" &&
    ok || bad "a wide table's empty column: exit $rc: $(cat "$TMP/out" "$TMP/err")"
# stations told apart by place (no station column): a failed one is named FILE-K as the others
{
    echo "x_m,ab2_m,rho_a_ohmm"
    for x in 0 10 20 30; do
        case $x in 10) n=2 ;; 30) n=1 ;; *) n=99 ;; esac
        tail -n +2 "$TMP/snd/a.csv" | head -"$n" | sed "s/^/$x,/"
    done
} >"$TMP/place.csv"
run invert "$TMP/net.h5" "$TMP/place.csv" -q --no-refine
[ "$rc" -eq 1 ] && [ "$(cut -d, -f2 "$TMP/out" | tr '\n' ' ')" = \
    "name place.csv-1 place.csv-2 place.csv-3 place.csv-4 " ] && ok ||
    bad "failed stations told by place: exit $rc: $(cat "$TMP/out" "$TMP/err")"
run invert "$TMP/net.h5" tests/data/bad/two_stations.csv -q
[ "$rc" -eq 1 ] && [ ! -s "$TMP/out" ] && [ "$(wc -l <"$TMP/err")" -eq 2 ] &&
    grep -q 'two_stations.csv:4: station "B": expected at least 3 points, got 2' "$TMP/err" && ok ||
    bad "every station short: exit $rc: $(cat "$TMP/out" "$TMP/err")"
# stations named in Latin-1 (bytes that are not UTF-8), one with a UTF-16 surrogate's bytes
# (which Pango refuses): their pictures and the section drawn whole (PLplot refused such
# text: "UTF-8 string is malformed" on stderr whatever -q, and the title naming the station
# left out); since 2026-12-06 the names are read as Windows-1252, in UTF-8
{
    echo "station,ab2_m,rho_a_ohmm"
    for st in "$(printf 'M\374ller')" "$(printf 'Stra\337e')" "$(printf 'A\355\240\200')"; do
        tail -n +2 "$TMP/snd/a.csv" | sed "s/^/$st,/"
    done
} >"$TMP/latin1.csv"
run invert "$TMP/net.h5" "$TMP/latin1.csv" -q --no-refine --plot "$TMP/latinplots" \
    --section "$TMP/latin1.png"
[ "$rc" -eq 0 ] && [ ! -s "$TMP/err" ] && [ "$(ls "$TMP/latinplots" | wc -l)" -eq 3 ] &&
    [ -s "$TMP/latin1.png" ] && ok || bad "Latin-1 station names: exit $rc: $(cat "$TMP/err")"
# wide: one rho_a column per station, on the union of their spacings, cells left empty
/usr/bin/python3 - "$TMP/snd/a.csv" "$TMP/snd/b.csv" "$TMP/wide.csv" <<'PYEOF4'
import csv, sys
cols = [{float(r["ab2_m"]): r["rho_a_ohmm"] for r in csv.DictReader(open(p))} for p in sys.argv[1:3]]
with open(sys.argv[3], "w") as f:
    f.write("AB/2 (m),Line 4 W1,Line 4 W2\n")
    for x in sorted(set(cols[0]) | set(cols[1])):
        f.write("%r,%s,%s\n" % (x, cols[0].get(x, ""), cols[1].get(x, "NA")))
PYEOF4
run invert "$TMP/net.h5" "$TMP/snd/b.csv" --format json
cp "$TMP/out" "$TMP/b.json"
run invert "$TMP/net.h5" "$TMP/wide.csv" --format json --xyz "$TMP/wide.xyz" --section "$TMP/wide.png"
[ "$rc" -eq 0 ] && [ -s "$TMP/wide.png" ] && ok || bad "a wide table: exit $rc: $(cat "$TMP/err")"
/usr/bin/python3 - "$TMP/out" "$TMP/a.json" "$TMP/b.json" "$TMP/wide.xyz" <<'PYEOF5' && ok ||
import csv, json, sys
wide, a, b = (json.load(open(p))["soundings"] for p in sys.argv[1:4])
assert [s["name"] for s in wide] == ["Line 4 W1", "Line 4 W2"], wide
assert wide[0]["rho_ohmm"] == a[0]["rho_ohmm"] and wide[1]["rho_ohmm"] == b[0]["rho_ohmm"]
rows = list(csv.DictReader(open(sys.argv[4])))
assert [r["station"] for r in rows] == ["Line 4 W1"] * 3 + ["Line 4 W2"] * 3, rows
assert [float(r["rho_ohmm"]) for r in rows[3:]] == b[0]["rho_ohmm"]
PYEOF5
    bad "the wide table's models are not those of its stations' files"
# a long file name: its plot is made (its title cut in the middle)
long=$TMP/a_very_long_file_name_from_a_field_laptop_survey_2026_line_12_station_0345_final.csv
cp "$TMP/snd/a.csv" "$long"
run invert "$TMP/net.h5" "$long" --plot "$TMP/longplots" -q
[ "$rc" -eq 0 ] && [ -s "$TMP/longplots/$(basename "$long").png" ] && ok ||
    bad "plot of a long file name: $(cat "$TMP/err")"
expect_fail 1 "--section over an existing file" "section.png" \
    invert "$TMP/net.h5" "$TMP/profile" --section "$TMP/section.png"
run invert "$TMP/net.h5" "$TMP/snd/c.txt" --section "$TMP/none.png"
grep -q "no sounding was inverted: no section" "$TMP/err" && ok ||
    bad "--section of nothing inverted: $(cat "$TMP/err")"
# no picture over a sounding, nor two outputs in one file
# (a sounding named .png, as a section must be: a text file whatever its name)
cp "$TMP/snd/a.csv" "$TMP/keep.png"
expect_fail 1 "--section naming a sounding" \
    "keep.png: is one of the soundings to invert; write the section to another file" \
    invert "$TMP/net.h5" "$TMP/keep.png" --section "$TMP/keep.png" --force
cmp -s "$TMP/keep.png" "$TMP/snd/a.csv" && ok || bad "--section replaced the sounding"
expect_fail 1 "--section naming the --xyz file" "both.png: is the --xyz file; write the section" \
    invert "$TMP/net.h5" "$TMP/profile" --xyz "$TMP/both.png" --section "$TMP/both.png"
expect_fail 1 "--xyz naming the -o file" "is the -o file" \
    invert "$TMP/net.h5" "$TMP/profile" -o "$TMP/same.out" --xyz "$TMP/same.out"
# by another path, neither there yet (once written over each other with --force)
mkdir -p "$TMP/sub"
expect_fail 1 "--xyz naming the -o file by another path" \
    "--xyz $TMP/sub/../same2.out: is the -o file" \
    invert "$TMP/net.h5" "$TMP/profile" -o "$TMP/same2.out" --xyz "$TMP/sub/../same2.out" --force
[ ! -e "$TMP/same2.out" ] && ok || bad "an output written though two named one file"
expect_fail 1 "--xyz naming the -o file through ." "same3.out: is the -o file" \
    invert "$TMP/net.h5" "$TMP/profile" -o "$TMP/same3.out" --xyz "$TMP/./same3.out" --force

# method names without case
run forward -m Schlumberger --rho 100 --ab2 1,2,3
[ "$rc" -eq 0 ] && ok || bad "forward -m Schlumberger: $(cat "$TMP/err")"

# --- an answer on the prior's top (1000 ohm-m) -----------------------------------------------
# rho_3 = 1500: within the threshold there, the wider fit gains far more than 10.83 of
# chi-square: flagged, said;
# rho_3 = 1100: it runs (prior_exit) but gains little: no flag, and no note that it misses
plain_bpinv forward -m schlumberger --rho 100,20,1500 --thick 5,20 --ab2 1:1000:20 >"$TMP/top1500.csv"
plain_bpinv forward -m schlumberger --rho 100,20,1100 --thick 5,20 --ab2 1:1000:20 >"$TMP/top1100.csv"
run invert "$TMP/net.h5" "$TMP/top1500.csv" "$TMP/top1100.csv" --format json
/usr/bin/python3 - "$TMP/out" <<'PYEOF20' && ok || bad "answers on the prior's top: $(cat "$TMP/out" "$TMP/err")"
import json, sys
a, b = json.load(open(sys.argv[1]))["soundings"]
assert "data_outside_training_range" in a["flags"] and "high_misfit" not in a["flags"], a
assert a["prior_exit"]["parameter"] == "rho_3" and a["prior_exit"]["rho_ohmm"][2] > 1200, a
assert "a net of a wider prior would fit it" in a["note"], a
assert b["flags"] == [] and b["prior_exit"] is not None and b["note"] is None, b
PYEOF20
grep -q "top1100.csv" "$TMP/err" && bad "a note for the answer at 1100: $(cat "$TMP/err")" || ok

# --- a fit within the net's noise but not the file's errors is said (not with -q) ------------
/usr/bin/python3 - "$TMP/tiny.csv" <<'PYEOF'
import math, sys
x = [10 ** (3 * k / 19) for k in range(20)]
with open(sys.argv[1], "w") as f:
    f.write("ab2_m,rho_a_ohmm,sd_log10_rho_a\n")
    for k, a in enumerate(x):  # 3 % wiggles on a 100 ohm-m half-space, errors of 0.1 %
        f.write("%g,%g,%g\n" % (a, 100 * math.exp(0.03 * math.sin(5 * k)), 0.001 / math.log(10)))
PYEOF
run invert "$TMP/net.h5" "$TMP/tiny.csv"
grep -q "tiny.csv: it fits the net's noise (chi2 [0-9.e-]*, each error raised to 3 %) but not its own errors (chi2_given [0-9.]*)" \
    "$TMP/err" && ok || bad "no note of errors below the net's noise: $(cat "$TMP/err")"
run invert "$TMP/net.h5" "$TMP/tiny.csv" -q
! grep -q "fits the net's noise" "$TMP/err" && ok || bad "-q kept the errors' note"
# the JSON's note holds it, with -q too: the line of stderr's note after the file's name
grep "tiny.csv: it fits" "$TMP/err" >/dev/null
run invert "$TMP/net.h5" "$TMP/tiny.csv" --format json
why=$(grep "tiny.csv: it fits" "$TMP/err" | sed 's/^bpinv invert: note: [^:]*: //')
run invert "$TMP/net.h5" "$TMP/tiny.csv" --format json -q
[ -n "$why" ] && grep -qF "\"note\": \"$why\"" "$TMP/out" && ok ||
    bad "the errors' note not the JSON's: $why: $(grep note "$TMP/out")"
run invert "$TMP/net.h5" "$TMP/snd/a.csv"
! grep -q "fits the net's noise" "$TMP/err" && ok || bad "an errors' note without errors"

# --- outputs that are not regular files: never replaced, --force or not ---------------------
# (a --force onto /dev/null made it a regular file: the rename replaced the device)
mkfifo "$TMP/fifo" && ok || bad "mkfifo"
echo "keep" >"$TMP/target.csv"
ln -s "$TMP/target.csv" "$TMP/link.csv"
expect_fail 1 "invert -o FIFO --force" "fifo: is a FIFO, not a regular file" \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" -o "$TMP/fifo" --force
[ -p "$TMP/fifo" ] && ok || bad "the FIFO was replaced"
expect_fail 1 "invert -o symlink --force" "link.csv: is a symbolic link, not a regular file" \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" -o "$TMP/link.csv" --force
[ -L "$TMP/link.csv" ] && [ "$(cat "$TMP/target.csv")" = keep ] && ok ||
    bad "the symbolic link or its target was changed"
expect_fail 1 "invert --xyz symlink --force" "link.csv: is a symbolic link" \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" --xyz "$TMP/link.csv" --force
expect_fail 1 "train -o FIFO --force" "fifo: is a FIFO, not a regular file" \
    train "$TMP/s.h5" -o "$TMP/fifo" --force --epochs 1
expect_fail 1 "samples -o symlink --force" "link.csv: is a symbolic link" \
    samples -m wenner --a 1:100:10 --layers 2 --rho 1:100 --thick 1:10 -n 10 -o "$TMP/link.csv" --force
[ -L "$TMP/link.csv" ] && [ "$(cat "$TMP/target.csv")" = keep ] && ok || bad "samples replaced the link"
# a picture whose name is a link (dangling or not): not replaced (PNG), not written through (SVG)
mkdir "$TMP/plink"
ln -s "$TMP/target.csv" "$TMP/plink/a.csv.png"
ln -s "$TMP/target.csv" "$TMP/plink/a.csv.svg"
ln -s "$TMP/nowhere" "$TMP/plink/b.csv.png"
for a in "a.csv.png: is a symbolic link:--force" "a.csv.svg: is a symbolic link:--force --plot-format svg" \
    "b.csv.png: exists (use --force:"; do
    # shellcheck disable=SC2086 # the options split
    run invert "$TMP/net.h5" "$TMP/snd/${a%%.*}.csv" --plot "$TMP/plink" ${a##*:}
    [ "$rc" -eq 1 ] && grep -qF "${a%:*}" "$TMP/err" && ok || bad "--plot onto a link ($a): exit $rc: $(cat "$TMP/err")"
done
[ -L "$TMP/plink/a.csv.png" ] && [ -L "$TMP/plink/b.csv.png" ] && [ ! -e "$TMP/nowhere" ] &&
    [ "$(cat "$TMP/target.csv")" = keep ] && ok || bad "a picture replaced or wrote through a link"
# a file name of 250 bytes: its temporary name is a short one beside it
long=$(printf '%0250d' 0 | tr 0 a)
run invert "$TMP/net.h5" "$TMP/snd/a.csv" -o "$TMP/$long"
[ "$rc" -eq 0 ] && [ -s "$TMP/$long" ] && ok || bad "an output name of 250 bytes: $(cat "$TMP/err")"
# a message about a file of a long path keeps what was found (it was cut at 255 bytes)
mkdir -p "$TMP/$long.d"
printf 'ab2_m,rho_a_ohmm\n1,100\n2,-5\n4,80\n' >"$TMP/$long.d/station_with_a_long_name.csv"
run invert "$TMP/net.h5" "$TMP/$long.d/station_with_a_long_name.csv"
grep -q "station_with_a_long_name.csv:3: rho_a_ohmm: expected a finite number > 0, got \"-5\"" \
    "$TMP/err" && ok || bad "a long path's message was cut: $(cat "$TMP/err")"
# standard error closed: the messages do not go into the samples file (it took fd 2); standard
# --- a stop signal: the soundings begun finish, nothing is written, the output left as it was
mkdir "$TMP/stopset"
i=0
while [ $i -lt 300 ]; do cp "$TMP/snd/a.csv" "$TMP/stopset/s$i.csv"; i=$((i + 1)); done
signal_at "soundings inverted" INT "$BPINV" invert "$TMP/net.h5" "$TMP/stopset" --ranges -j1 \
    --progress -o "$TMP/stop.csv"
[ "$rc" -eq 130 ] && [ "$(ls -a "$TMP" | grep stop)" = stopset ] &&
    grep -aq "interrupted (Ctrl-C) after [0-9]* of 300 soundings: nothing written ($TMP/stop.csv not made)" \
        "$TMP/err" && ok || bad "invert, SIGINT: exit $rc, $(ls "$TMP" | grep stop): $(tail -1 "$TMP/err")"
printf 'kept\n' >"$TMP/stop.csv"
signal_at "soundings inverted" TERM "$BPINV" invert "$TMP/net.h5" "$TMP/stopset" --ranges -j2 \
    --progress -o "$TMP/stop.csv" --force
[ "$rc" -eq 143 ] && [ "$(cat "$TMP/stop.csv")" = kept ] &&
    grep -aq "interrupted (SIGTERM) after [0-9]* of 300 soundings: nothing written ($TMP/stop.csv as it was)" \
        "$TMP/err" && ok || bad "invert, SIGTERM: exit $rc: $(tail -1 "$TMP/err")"

# ... and the process ends by the signal, once it has said so (a shell's loop stops on it,
# where an exit status of 130 would let it go on): Python sees it die of SIGINT (-2)
if [ -z "${BPINV_VALGRIND:-}" ] && [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 -c '
import signal, subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stderr=subprocess.PIPE,
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
time.sleep(1.0)
p.send_signal(signal.SIGINT)
err = p.communicate()[1].decode()
sys.exit(0 if p.returncode == -signal.SIGINT and "interrupted (Ctrl-C)" in err else 1)
' "$BPINV" invert "$TMP/net.h5" "$TMP/stopset" --ranges -j1 -o "$TMP/died.csv" &&
        [ ! -e "$TMP/died.csv" ] && ok || bad "invert, SIGINT: the process did not end by it"
fi

# ... while the pictures are drawn (by 2 processes): those begun finish, no other begins,
# the results are written whole, no temporary picture is left, and the line counts them
if [ -z "${BPINV_VALGRIND:-}" ]; then
    mkdir "$TMP/plotset"
    i=0
    while [ $i -lt 900 ]; do cp "$TMP/snd/a.csv" "$TMP/plotset/s$i.csv"; i=$((i + 1)); done
    signal_at "plots written" INT "$BPINV" invert "$TMP/net.h5" "$TMP/plotset" -j2 --progress \
        -o "$TMP/pstop.csv" --plot "$TMP/pstop"
    npng=$(ls "$TMP/pstop" | grep -c '\.png$')
    [ "$rc" -eq 130 ] && [ "$(wc -l <"$TMP/pstop.csv")" -eq 901 ] && [ "$npng" -lt 900 ] &&
        [ "$(ls -A "$TMP/pstop" | grep -vc '\.png$')" -eq 0 ] &&
        grep -aq "interrupted (Ctrl-C) while drawing: $npng pictures\{0,1\} in $TMP/pstop; the results written to $TMP/pstop.csv" \
            "$TMP/err" && ok ||
        bad "invert --plot, SIGINT: exit $rc, $npng pictures: $(tail -1 "$TMP/err")"
fi

# ... a SIGINT ignored when bpinv starts (sh starts a background job so) stays ignored: the
# run ends whole (not under valgrind: 300 soundings with --ranges take minutes there; under
# the sanitizers 29 s: 40 of them, some seconds, there)
if [ -z "${BPINV_VALGRIND:-}" ]; then
    nign=300
    ignd=stopset
    if sanitized; then
        nign=40
        ignd=ignset
        mkdir "$TMP/ignset"
        cp "$TMP/stopset"/s[0-9].csv "$TMP/stopset"/s[1-3][0-9].csv "$TMP/ignset"
    fi
    "$BPINV" invert "$TMP/net.h5" "$TMP/$ignd" --ranges -j2 -o "$TMP/ign.csv" 2>"$TMP/err" &
    pid=$!
    sleep 0.5
    kill -INT $pid 2>/dev/null
    reap $pid 600
    [ "$rc" -eq 0 ] && [ "$(wc -l <"$TMP/ign.csv")" -eq $((nign + 1)) ] && ok ||
        bad "invert, SIGINT ignored on entry: exit $rc: $(tail -1 "$TMP/err")"
fi

# output closed: the results are not lost in silence (not under valgrind, whose log is fd 2)
if [ -z "${BPINV_VALGRIND:-}" ]; then
    "$BPINV" samples -m wenner --a 1:100:10 --layers 2 --rho 1:100 --thick 1:10 -n 3000 \
        -o "$TMP/closed.h5" --progress 2>&-
    rc=$?
    run info "$TMP/closed.h5"
    [ "$rc" -eq 0 ] && grep -q "3000 of 3000" "$TMP/out" && ok ||
        bad "samples with stderr closed: the file does not read: $(cat "$TMP/err")"
    "$BPINV" invert "$TMP/net.h5" "$TMP/snd/a.csv" >&- 2>"$TMP/err"
    [ $? -eq 1 ] && grep -q "error writing the output" "$TMP/err" && ok ||
        bad "invert with stdout closed: $(cat "$TMP/err")"
fi
# what --version prints that does not arrive is an error
if [ -w /dev/full ]; then
    "$BPINV" --version >/dev/full 2>"$TMP/err"
    [ $? -eq 1 ] && grep -q "error writing the output" "$TMP/err" && ok ||
        bad "--version >/dev/full: $(cat "$TMP/err")"
fi

finish cli-invert
