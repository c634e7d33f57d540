#!/bin/sh
# SPDX-License-Identifier: MIT
# test_features.sh - one run of each feature of `bpinv train`, `invert` and `info`, for
# CI's run under valgrind memcheck (make valgrind-ci, docs/robustness.md): the main code
# paths of test_invert.sh, test_invert_field.sh and test_train.sh, once each, at memcheck's second or more a run.
# What those features do is checked there (make check, make SANITIZE=1 check, make
# valgrind); here that each run ends well (exit 0, its outputs written, a mark of the
# feature in them) with memcheck finding nothing.
# usage: sh tests/cli/test_features.sh PATH/TO/bpinv
BPINV=${1:-./bpinv}
. "$(dirname "$0")/lib.sh"
EX="$(dirname "$0")/../../docs/examples"

# ends WHAT PATH...: the last run exited 0 and wrote each PATH, not empty; shows MARK: the
# last run's stdout or stderr holds MARK (the feature ran)
ends() {
    what=$1
    shift
    if [ "$rc" -ne 0 ]; then
        bad "$what: exit $rc: $(head -c 600 "$TMP/err")"
        return
    fi
    for f in "$@"; do
        if [ ! -s "$f" ]; then
            bad "$what: $f not written: $(head -c 600 "$TMP/err")"
            return
        fi
    done
    ok
}
shows() {
    grep -qF -- "$1" "$TMP/out" "$TMP/err" && ok || bad "no '$1' in the output: $(head -c 600 "$TMP/out" "$TMP/err")"
}

# the samples and nets (by the plain bpinv under valgrind: test_samples.sh's business)
setup samples -m schlumberger --layers 3 --ab2 1:1000:20 --rho 1:1000 --thick 1:50 --noise 0.03 \
    -n 3000 -o "$TMP/s3.h5" -q
setup samples -m schlumberger --layers 2 --ab2 1:1000:20 --rho 1:1000 --thick 1:50 --noise 0.03 \
    -n 3000 -o "$TMP/s2.h5" -q
setup samples -m wenner --layers 3 --a 1:100:15 --rho 1:1000 --thick 0.5:20 --noise 0.03 \
    -n 2000 -o "$TMP/sw.h5" -q
setup samples -m mt --layers 3 --period 1e-3:1e3:25 --rho 1:10000 --thick 10:5000 --noise 0.05 \
    -n 2000 -o "$TMP/smt.h5" -q
ends "samples" "$TMP/s3.h5" "$TMP/s2.h5" "$TMP/sw.h5" "$TMP/smt.h5"
setup train "$TMP/s3.h5" -o "$TMP/net.h5" --epochs 10 --hidden 16 -q
setup train "$TMP/sw.h5" -o "$TMP/netw.h5" --epochs 5 --hidden 8 -q
setup train "$TMP/smt.h5" -o "$TMP/netmt.h5" --epochs 5 --hidden 8 -q
ends "the nets" "$TMP/net.h5" "$TMP/netw.h5" "$TMP/netmt.h5"
mkdir "$TMP/snd"
plain_bpinv forward -m schlumberger --rho 100,20,300 --thick 4,15 --ab2 1:1000:20 >"$TMP/snd/a.csv"
plain_bpinv forward -m schlumberger --rho 30,200,10 --thick 8,30 --ab2 1.5:700:17 >"$TMP/snd/b.csv"
plain_bpinv forward -m schlumberger --rho 100,20,300 --thick 4,15 --ab2 100:3000:12 >"$TMP/snd/e.csv"
printf '1 50\n2 40\n5 60\n' >"$TMP/snd/c.txt"
# beyond the prior (rho_2 3000 ohm-m, the prior's top 1000): the fit with the prior widened
plain_bpinv forward -m schlumberger --rho 100,3000,100 --thick 5,40 --ab2 1:1000:20 >"$TMP/out3000.csv"

# --- train ----------------------------------------------------------------------------------
# two threads, the data stage (the forward model and its derivatives in the loop)
run train "$TMP/s3.h5" -o "$TMP/d.h5" --epochs 2 --data-epochs 2 --hidden 8 -j 2 \
    --max-samples 1000 --checkpoint 0
ends "train -j 2 --data-epochs" "$TMP/d.h5"
shows "data     3  train"
# SGD, sigmoid, two hidden layers, a net of the whole span only, clean data, no validation
run train "$TMP/s3.h5" -o "$TMP/g.h5" --epochs 2 --optimizer sgd --activation sigmoid \
    --hidden 8,8 --min-span 3 --data clean --huber 0 --average 0 --val 0 --max-samples 1000
ends "train --optimizer sgd --val 0" "$TMP/g.h5"
shows "val n/a"
# a set of nets (two samples files, a net a layer count), and a warm start of it
run train "$TMP/s2.h5" "$TMP/s3.h5" -o "$TMP/set.h5" --epochs 2 --hidden 8 --max-samples 1000
ends "train a set" "$TMP/set.h5"
run train "$TMP/s2.h5" "$TMP/s3.h5" -o "$TMP/set2.h5" --epochs 1 --init "$TMP/set.h5" \
    --max-samples 1000 -q
ends "train --init a set" "$TMP/set2.h5"

# --- info -----------------------------------------------------------------------------------
run info "$TMP/set.h5"
ends "info a set" "$TMP/out"
run info "$TMP/d.h5"
ends "info a net of a data stage" "$TMP/out"
shows "data stage  from epoch"
run info "$TMP/g.h5"
ends "info a net without validation" "$TMP/out"
run info "$TMP/smt.h5"
ends "info SAMPLES.h5" "$TMP/out"

# --- invert ---------------------------------------------------------------------------------
# sub-spans, a sounding beyond the span, one too short, a directory; CSV into a file
run invert "$TMP/net.h5" "$TMP/snd" -o "$TMP/out.csv"
ends "invert a directory" "$TMP/out.csv"
run invert "$TMP/net.h5" "$TMP/snd/a.csv" --no-refine --format json
ends "invert --no-refine --format json" "$TMP/out"
# a net of the whole span only; the standard input to the standard output
"$BPINV" invert "$TMP/g.h5" - --format json -o - <"$TMP/snd/b.csv" >"$TMP/out" 2>"$TMP/err"
rc=$?
ends "invert - by a whole-span net" "$TMP/out"
shows '"name": "stdin"'
# the refinement's options: parameters held and bounded (a depth too), more starts, the
# fit with the prior widened
run invert "$TMP/net.h5" "$TMP/snd/b.csv" --fix rho2=200 --bound h1=2:20,depth2=10:40 --misfit-max 3
ends "invert --fix --bound" "$TMP/out"
run invert "$TMP/net.h5" "$TMP/out3000.csv" --starts 5 --fit-to 0 --outside-fit 2 --format json
ends "invert --starts --fit-to --outside-fit" "$TMP/out"
shows '"prior_exit": {'

# equivalence ranges and their picture, with a reference model (PNG); then SVG, 2 drawers
run invert "$TMP/net.h5" "$TMP/snd/a.csv" --ranges=90 --plot "$TMP/p1" --ref-rho 100,20,300 \
    --ref-thick 4,15 --ref-label "true model" --format json
ends "invert --ranges --plot" "$TMP/out" "$TMP/p1/a.csv.png"
shows '"ranges": {'
# SVG drawn by 2 processes, two soundings of one name (one picture renamed, a note says so)
mkdir "$TMP/x1" "$TMP/x2"
cp "$TMP/snd/a.csv" "$TMP/x1/x.csv"
cp "$TMP/snd/b.csv" "$TMP/x2/x.csv"
run invert "$TMP/net.h5" "$TMP/x1/x.csv" "$TMP/x2/x.csv" "$TMP/snd/b.csv" --plot "$TMP/p2" \
    --plot-format svg -j 2
ends "invert --plot-format svg -j 2" "$TMP/p2/x.csv.svg" "$TMP/p2/b.csv.svg"
shows "named apart from another of"
# a profile (3 stations of the example's 12): XYZ, a section (PNG, then PDF with its depth
# and the ranges' depths of investigation)
grep -v '^P0[4-9]\|^P1' "$EX/profile_synthetic.csv" >"$TMP/profile.csv"
run invert "$TMP/net.h5" "$TMP/profile.csv" --xyz "$TMP/p.xyz" --section "$TMP/sec.png"
ends "invert --xyz --section" "$TMP/out" "$TMP/p.xyz" "$TMP/sec.png"
run invert "$TMP/net.h5" "$TMP/profile.csv" --section "$TMP/sec.pdf" --section-depth 100 \
    --ranges -q
ends "invert --section pdf --ranges" "$TMP/out" "$TMP/sec.pdf"
# a file of nets for several layer counts: the count each sounding needs, or the one asked;
# the equivalent models written out
run invert "$TMP/set.h5" "$TMP/snd/a.csv" "$TMP/snd/b.csv" --ranges --format json \
    --equivalent "$TMP/eq.csv"
ends "invert a set --ranges --equivalent" "$TMP/out" "$TMP/eq.csv"
shows '"layer_counts": [{'
shows '"ranges": {'
shows '"models": [{'
run invert "$TMP/set.h5" "$TMP/snd/a.csv" --layers 2
ends "invert --layers 2" "$TMP/out"
# field soundings: Schlumberger in segments, Wenner, MT text and EDI
run invert "$TMP/net.h5" "$EX/mawlamyine_loc3_schlumberger.csv" --segment-ref auto --format json
ends "invert segments" "$TMP/out"
run invert "$TMP/netw.h5" "$EX/aungsan_wenner.txt" --plot "$TMP/pw"
ends "invert Wenner" "$TMP/out" "$TMP/pw/aungsan_wenner.txt.png"
run invert "$TMP/netmt.h5" "$EX/cull1985_mt.txt" "$EX/penola_site3.edi" --component xy \
    --plot "$TMP/pmt" --plot-format pdf
ends "invert MT text and EDI" "$TMP/out" "$TMP/pmt/penola_site3.edi.pdf"
# a header of other names; a spreadsheet as Excel writes it in much of Europe (';', decimal
# commas, CRLF, a column not read)
printf 'spacing,apparent\n' >"$TMP/named.csv"
sed 1d "$TMP/snd/a.csv" >>"$TMP/named.csv"
run invert "$TMP/net.h5" "$TMP/named.csv" --columns ab2_m=spacing,rho_a_ohmm=apparent
ends "invert --columns" "$TMP/out"
european_csv "$TMP/snd/a.csv" >"$TMP/excel.csv"
run invert "$TMP/net.h5" "$TMP/excel.csv"
ends "invert a European spreadsheet" "$TMP/out"
shows "columns not read"

finish test_features
