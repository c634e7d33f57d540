#!/bin/sh
# SPDX-License-Identifier: MIT
# test_invert_field.sh - command-line tests of `bpinv invert` on field data and surveys: MT
# from EDI files, spreadsheets, standard input and output, profiles and survey tables,
# Schlumberger segments, parameters held, bad nets and arguments, outputs that are not regular
# files, a stop signal (test_invert.sh has the outputs, refinement, ranges and plots).
# usage: sh tests/cli/test_invert_field.sh PATH/TO/bpinv
BPINV=${1:-./bpinv}
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/invert_setup.sh"

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
# a station whose interfaces lie ten times deeper than the profile's (spacings written in
# decimetres as metres; one whose span reaches deeper): it does not set the section's axis,
# the others' layers keep the height, and a note names it; --section-depth draws it
{
    echo "station,ab2_m,rho_a_ohmm"
    for k in 1 2 3 4 5; do tail -n +2 "$TMP/snd/a.csv" | sed "s/^/S$k,/"; done
    tail -n +2 "$TMP/snd/d.csv" | awk -F, '{ printf "S6,%.6g,%s\n", 10 * $1, $2 }'
} >"$TMP/deep6.csv"
run invert "$TMP/net.h5" "$TMP/deep6.csv" --section "$TMP/deep6.png" --format json
[ "$rc" -eq 0 ] && /usr/bin/python3 - "$TMP/out" "$TMP/err" "$TMP/deep6.png" <<'PYEOF_DEEP' && ok ||
import json, re, sys
doc = {s["name"]: s for s in json.load(open(sys.argv[1]))["soundings"]}
deep = lambda s: sum(s["thick_m"])
m = re.search(r"note: --section \S+: 1 station with an interface below the axis at ([0-9.]+) m "
              r"\(S6 ([0-9.]+) m\): --section-depth draws it\n", open(sys.argv[2]).read())
assert m, open(sys.argv[2]).read()
axis, s6 = float(m.group(1)), float(m.group(2))
others = max(deep(doc["S%d" % k]) for k in range(1, 6))
assert abs(s6 - deep(doc["S6"])) <= 1e-2 * s6 and s6 > 5 * others, (s6, others)
assert 2 * others * 0.99 <= axis < s6, (axis, others, s6)  # twice the others' deepest
PYEOF_DEEP
    bad "a station deeper than the profile's: exit $rc: $(cat "$TMP/err")"
# ... but no note of stations whose soundings see no deeper than the axis (the columns end
# there): the profile's 5 stations cut to AB/2 below 20 m
awk -F, 'NR == 1 || $2 < 20' "$TMP/deep6.csv" | grep -v '^S6,' >"$TMP/shallow5.csv"
run invert "$TMP/net.h5" "$TMP/shallow5.csv" --section "$TMP/shallow5.png" -o "$TMP/shallow5.out"
[ "$rc" -eq 0 ] && [ -s "$TMP/shallow5.png" ] && ! grep -q "below the axis" "$TMP/err" && ok ||
    bad "a shallow profile's section names stations below its axis: $(cat "$TMP/err")"
run invert "$TMP/net.h5" "$TMP/deep6.csv" --section "$TMP/deep6b.png" --section-depth 400 -o "$TMP/deep6.csv.out"
[ "$rc" -eq 0 ] && ! grep -q "below the axis" "$TMP/err" && ok ||
    bad "--section-depth 400 still notes the deep station: $(cat "$TMP/err")"
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
# a survey table whose station A has three spacings with no reading (an empty cell, -, a
# spreadsheet's #N/A; one a short row): left out, said with the first's line; A's model is
# B's, the same readings without them (the station failed until 2026-12-07)
{
    echo "station,ab2_m,rho_a_ohmm"
    tail -n +2 "$TMP/snd/a.csv" | sed 's/^/B,/'
    tail -n +2 "$TMP/snd/a.csv" | sed 's/^/A,/' | awk 'NR == 4 { print "A,3.3,-" }
        NR == 9 { print "A,40.5" } NR == 15 { print "A,300.5,#N/A" } { print }'
} >"$TMP/noread.csv"
line=$(grep -n '^A,3.3,-$' "$TMP/noread.csv" | cut -d: -f1)
run invert "$TMP/net.h5" "$TMP/noread.csv"
[ "$rc" -eq 0 ] && [ "$(grep -c ',A,' "$TMP/out")" -eq 1 ] &&
    [ "$(grep ',A,' "$TMP/out" | cut -d, -f4-12)" = "$(grep ',B,' "$TMP/out" | cut -d, -f4-12)" ] &&
    grep -qxF "bpinv invert: note: $TMP/noread.csv: station \"A\": no reading in 3 rows (rho_a_ohmm empty, or -, NA; line $line, the first): left out" "$TMP/err" &&
    ! grep -q 'station "B": no reading' "$TMP/err" && ok ||
    bad "a station's spacings with no reading: exit $rc: $(cat "$TMP/out" "$TMP/err")"
# every rho_a below the net's prior (1 to 1000 ohm-m; a.csv's 20-300 ohm-m read in kohm-m as
# ohm-m) or above it: no earth of the prior gives them, and the note asks for the unit
awk -F, 'NR == 1 { print; next } { printf "%s,%.6g\n", $1, $2 / 1000 }' "$TMP/snd/a.csv" >"$TMP/kohm.csv"
awk -F, 'NR == 1 { print; next } { printf "%s,%.6g\n", $1, $2 * 1e4 }' "$TMP/snd/a.csv" >"$TMP/big.csv"
run invert "$TMP/net.h5" "$TMP/kohm.csv" "$TMP/big.csv" "$TMP/snd/a.csv"
[ "$rc" -eq 0 ] &&
    grep -qE "^bpinv invert: note: $TMP/kohm.csv: every rho_a \(0\.0[0-9]+ to 0\.[0-9]+ ohm-m\) lies below the net's prior \(1 to 1000 ohm-m\), which no earth of it gives: are they in kohm-m \(x 1000\)\? a unit in the header converts them, \"rho_a \(kOhm-m\)\"" "$TMP/err" &&
    grep -qE "^bpinv invert: note: $TMP/big.csv: every rho_a \([0-9.e+]+ to [0-9.e+]+ ohm-m\) lies above the net's prior \(1 to 1000 ohm-m\), which no earth of it gives: are they in another unit, or from another method\?" "$TMP/err" &&
    [ "$(grep -c "every rho_a" "$TMP/err")" -eq 2 ] && ok ||
    bad "rho_a all outside the prior: exit $rc: $(cat "$TMP/err")"
# --drop-outlier: a spike (a.csv's 9th reading x 3) is flagged outlier_reading; with the
# option it is left out and the rest inverted again: the model of the file without that row,
# flagged outlier_dropped, its note and the JSON naming the reading
awk -F, 'NR == 9 { printf "%s,%.10g\n", $1, 3 * $2; next } { print }' "$TMP/snd/a.csv" >"$TMP/spike.csv"
awk 'NR != 9' "$TMP/snd/a.csv" >"$TMP/nospike.csv"
spx=$(awk -F, 'NR == 9 { printf "%g", $1 }' "$TMP/snd/a.csv")
run invert "$TMP/net.h5" "$TMP/spike.csv" --format json
[ "$rc" -eq 0 ] && grep -q '"flags": \[[^]]*"outlier_reading"' "$TMP/out" && ok ||
    bad "a spike not flagged outlier_reading: $(cat "$TMP/out")"
setup invert "$TMP/net.h5" "$TMP/nospike.csv" --format json
cp "$TMP/out" "$TMP/nospike.json"
run invert "$TMP/net.h5" "$TMP/spike.csv" --format json --drop-outlier
[ "$rc" -eq 0 ] && /usr/bin/python3 - "$TMP/out" "$TMP/nospike.json" "$spx" <<'PYEOF_DROP' && ok ||
import json, sys
a = json.load(open(sys.argv[1]))["soundings"][0]
b = json.load(open(sys.argv[2]))["soundings"][0]
assert a["flags"] == b["flags"] + ["outlier_dropped"] and "outlier_reading" not in a["flags"], a["flags"]
assert a["rho_ohmm"] == b["rho_ohmm"] and a["thick_m"] == b["thick_m"], (a, b)
assert a["misfit_rms_pct"] == b["misfit_rms_pct"], (a, b)
assert abs(a["dropped_point"] - float(sys.argv[3])) <= 1e-5 * a["dropped_point"], (a["dropped_point"], sys.argv[3])
assert a["dropped_sigmas"] > 5, a["dropped_sigmas"]
assert b["dropped_point"] is None and b["dropped_sigmas"] is None and b["dropped_line"] is None, b
assert a["dropped_line"] == 9, a["dropped_line"]
assert "(line 9, " in a["note"] and "the answer is of the other 19" in a["note"], a["note"]
PYEOF_DROP
    bad "--drop-outlier: exit $rc: $(cat "$TMP/err")"
grep -qF "bpinv invert: note: $TMP/spike.csv: its reading at ab2_m $spx (line 9, " "$TMP/err" && ok ||
    bad "--drop-outlier: no note naming the reading: $(cat "$TMP/err")"
run invert "$TMP/net.h5" "$TMP/spike.csv" --drop-outlier --plot "$TMP/spike.svg" -q
[ "$rc" -eq 0 ] && [ "$(grep -c 'fill:rgb(78.431373%,11.764706%,11.764706%)' "$TMP/spike.svg")" -gt 0 ] && ok ||
    bad "--drop-outlier --plot: exit $rc: $(cat "$TMP/err")"
# ... a spike at an end bends the fit and its neighbour may stand out most: the reading
# left out is the one whose removal fits best (this earth's first reading x 0.3 flagged its
# neighbour, at 1.44 m, when written; the note then says "beside")
plain_bpinv forward -m schlumberger --rho 20,300,5 --thick 3,40 --ab2 1:1000:20 >"$TMP/e0.csv"
awk -F, 'NR == 2 { printf "%s,%.10g\n", $1, 0.3 * $2; next } { print }' "$TMP/e0.csv" >"$TMP/end1.csv"
awk -F, 'NR == 21 { printf "%s,%.10g\n", $1, 3 * $2; next } { print }' "$TMP/e0.csv" >"$TMP/end2.csv"
run invert "$TMP/net.h5" "$TMP/end1.csv" "$TMP/end2.csv" --drop-outlier --format json
[ "$rc" -eq 0 ] && /usr/bin/python3 - "$TMP/out" <<'PYEOF_ENDS' && ok ||
import json, sys
a, b = json.load(open(sys.argv[1]))["soundings"]
assert a["dropped_point"] == 1 and a["dropped_line"] == 2, (a["dropped_point"], a["note"])
assert b["dropped_point"] == 1000 and b["dropped_line"] == 21, (b["dropped_point"], b["note"])
PYEOF_ENDS
    bad "--drop-outlier at the ends: exit $rc: $(cat "$TMP/err")"
expect_fail 2 "--drop-outlier --no-refine" \
    "--drop-outlier: the reading the refined fit finds off: not with --no-refine" \
    invert "$TMP/net.h5" "$TMP/spike.csv" --drop-outlier --no-refine
# --stations: a few soundings of a survey table, or of a directory (names with or without
# their suffix), the others left out of the outputs; their results those of the whole run
setup invert "$TMP/net.h5" "$TMP/noread.csv" -o "$TMP/out.all"
run invert "$TMP/net.h5" "$TMP/noread.csv" --stations A -o "$TMP/only_a.csv"
[ "$rc" -eq 0 ] && [ "$(wc -l <"$TMP/only_a.csv")" -eq 2 ] &&
    [ "$(tail -1 "$TMP/only_a.csv" | cut -d, -f2-17)" = "$(grep '^[^,]*,A,' "$TMP/out.all" | cut -d, -f2-17)" ] &&
    ok || bad "--stations A: exit $rc: $(cat "$TMP/only_a.csv" "$TMP/err")"
run invert "$TMP/net.h5" "$TMP/snd" --stations b,a.csv --format json
[ "$rc" -eq 0 ] && [ "$(grep -o '"name": "[a-z.]*"' "$TMP/out" | tr '\n' ' ')" = '"name": "a.csv" "name": "b.csv" ' ] &&
    ok || bad "--stations b,a.csv of a directory: exit $rc: $(grep -o '"name": "[^"]*"' "$TMP/out") $(cat "$TMP/err")"
expect_fail 2 "--stations, a name not read" \
    "--stations: no sounding named \"Z\" among the 2 read (\"B\", \"A\")" \
    invert "$TMP/net.h5" "$TMP/noread.csv" --stations A,Z -o "$TMP/only_z.csv"
[ ! -e "$TMP/only_z.csv" ] && ok || bad "--stations Z made its -o file"
expect_fail 2 "--stations, an empty name" "--stations: expected names, comma-separated, got \"A,,B\" (an empty name)" \
    invert "$TMP/net.h5" "$TMP/noread.csv" --stations A,,B
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
# --ranges with parameters held: the equivalent models that honour the borehole. Alone, the
# conductor's rho2 and h2 are unresolved; with h2 fixed at 2 m, rho2's interval holds the
# true 10 ohm-m within a fifth of a decade, h2 is 2 m in every model and neither is
# unresolved; with the base of layer 2 bounded to 6.5-7.5 m, every model's is there
if [ -z "${BPINV_VALGRIND:-}" ]; then # two whole --ranges runs: not memcheck's business
    run invert "$TMP/net.h5" "$TMP/eq.csv" --ranges --format json -o "$TMP/free.json"
    run invert "$TMP/net.h5" "$TMP/eq.csv" --ranges --fix h2=2 --format json \
        --equivalent "$TMP/held_eq.csv" -o "$TMP/held.json"
    run invert "$TMP/net.h5" "$TMP/eq.csv" --ranges --bound depth2=6.5:7.5 -o "$TMP/bd.csv" \
        --equivalent "$TMP/bd_eq.csv"
    /usr/bin/python3 - "$TMP/free.json" "$TMP/held.json" "$TMP/held_eq.csv" "$TMP/bd_eq.csv" <<'PYEOF9' &&
import csv, json, math, sys
free = json.load(open(sys.argv[1]))["soundings"][0]["ranges"]
held = json.load(open(sys.argv[2]))["soundings"][0]
g = held["ranges"]
assert "rho_2" in free["unresolved"] or "thick_2" in free["unresolved"], free["unresolved"]
assert g["thick_m"][1] == [2, 2, 2], g["thick_m"]
assert g["held"] == ["thick_2"] and free["held"] == [], (g["held"], free["held"])
lo, med, hi = g["rho_ohmm"][1]
assert lo < 10 < hi and math.log10(hi / lo) < 0.2, g["rho_ohmm"][1]
assert "rho_2" not in g["unresolved"] and "thick_2" not in g["unresolved"], g["unresolved"]
assert held["thick_m"][1] == 2, held["thick_m"]
rows = list(csv.DictReader(open(sys.argv[3])))
assert len(rows) > 20 and all(float(r["thick_2_m"]) == 2 for r in rows), rows[:3]
rows = list(csv.DictReader(open(sys.argv[4])))
z = [float(r["thick_1_m"]) + float(r["thick_2_m"]) for r in rows]
assert len(z) > 20 and all(6.5 * (1 - 1e-5) <= v <= 7.5 * (1 + 1e-5) for v in z), z
PYEOF9
        ok || bad "--ranges with --fix / --bound: $(cat "$TMP/err")"
    # a depth reached by the prior's thickest layers alone (50 + 50 m): the refinement holds
    # it as it can, the ranges find no model and say so; the result is written
    run invert "$TMP/net.h5" "$TMP/eq.csv" --ranges --fix depth2=100 --format json
    [ "$rc" -eq 0 ] && grep -q "no ranges: no model inside the net's prior honours the parameters held" \
        "$TMP/err" && grep -q '"ranges": null' "$TMP/out" && ok ||
        bad "--ranges with a depth at the prior's end: exit $rc: $(cat "$TMP/err")"
fi
# holds that no model can honour together are refused before any work, naming the reach
expect_fail 1 "--fix h1 and a depth above its base" \
    "bpinv invert: --fix: $TMP/net.h5: depth2=20: expected within the reach of the other parameters held above it and the prior's thicknesses, 31 .. 80 m" \
    invert "$TMP/net.h5" "$TMP/eq.csv" --fix h1=30,depth2=20
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
# ... but a character device takes invert's tables and JSON, written into it (-o /dev/null:
# a dry run, a timing); not a picture nor a net (an HDF5 file is no stream)
run invert "$TMP/net.h5" "$TMP/snd/a.csv" -o /dev/null --xyz /dev/null --format json
[ "$rc" -eq 0 ] && [ ! -s "$TMP/out" ] && [ -c /dev/null ] && ok ||
    bad "invert -o /dev/null --xyz /dev/null: exit $rc: $(cat "$TMP/err")"
run invert "$TMP/net.h5" "$TMP/snd/a.csv" -o /dev/stdout # -o -, not refused as a link
[ "$rc" -eq 0 ] && [ "$(head -c 7 "$TMP/out")" = "source," ] && ok ||
    bad "invert -o /dev/stdout: exit $rc: $(cat "$TMP/err")"
expect_fail 1 "invert --section /dev/null" "/dev/null: is a character device, not a regular file" \
    invert "$TMP/net.h5" "$TMP/snd/a.csv" --section /dev/null
expect_fail 1 "train -o /dev/null" "/dev/null: is a character device, not a regular file" \
    train "$TMP/s.h5" -o /dev/null --force --epochs 1
[ -c /dev/null ] && ok || bad "/dev/null is no longer a device"
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
        -o "$TMP/pstop.csv" --plot "$TMP/pstop" --xyz "$TMP/pstop.xyz" --section "$TMP/pstop_s.png"
    npng=$(ls "$TMP/pstop" | grep -c '\.png$')
    [ "$rc" -eq 130 ] && [ "$(wc -l <"$TMP/pstop.csv")" -eq 901 ] && [ "$npng" -lt 900 ] &&
        [ "$(ls -A "$TMP/pstop" | grep -vc '\.png$')" -eq 0 ] && [ -s "$TMP/pstop.xyz" ] &&
        [ ! -e "$TMP/pstop_s.png" ] &&
        grep -aq "interrupted (Ctrl-C) while drawing: $npng pictures\{0,1\} in $TMP/pstop; the results written to $TMP/pstop.csv, the XYZ table to $TMP/pstop.xyz; no section drawn" \
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

finish cli-invert-field
