# SPDX-License-Identifier: MIT
# invert_setup.sh - what test_invert.sh and test_invert_field.sh start from, sourced after
# lib.sh: a 3-layer Schlumberger net of AB/2 1-1000 m ($TMP/net.h5, from $TMP/s.h5) and the
# soundings of $TMP/snd: a.csv and d.csv of one earth (1-1000 m and 10-100 m), b.csv of
# another on other spacings, c.txt too short to invert, e.csv partly beyond the net's span,
# notes.md not a sounding.
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
