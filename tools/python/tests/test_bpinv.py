# SPDX-License-Identifier: MIT
"""Tests of the bpinv Python package against independent truths: the bpinv command's own
output (forward CSV, invert JSON, its error messages), the example files parsed here, and
the physics of a half-space."""

import cmath
import csv
import ctypes
import gc
import importlib.util
import io
import json
import math
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import bpinv
from conftest import EXAMPLES, REPO, cli

MAWLAMYINE = EXAMPLES / "mawlamyine_loc3_schlumberger.csv"
AUNGSAN = EXAMPLES / "aungsan_wenner.txt"
CULL = EXAMPLES / "cull1985_mt.txt"
PENOLA = EXAMPLES / "penola_site3.edi"


# --- helpers ------------------------------------------------------------------------------

def cli_csv(*args):
    """bpinv's CSV output as a header and float columns."""
    r = cli(*args)
    rows = list(csv.reader(io.StringIO(r.stdout)))
    return rows[0], np.array([[float(v) for v in row] for row in rows[1:]])


def cli_json(*args, check=False):
    r = cli(*args, check=check)
    return json.loads(r.stdout) if r.stdout else None, r


def cli_error(*args):
    """The one-line error bpinv prints, without its "bpinv COMMAND: " prefix."""
    r = cli(*args, check=False)
    assert r.returncode != 0, r.stdout
    line = r.stderr.strip().splitlines()[-1]
    prefix = "bpinv %s: " % args[0]
    assert line.startswith(prefix), line
    return line[len(prefix):]


def write_table(path, columns):
    """A sounding text file: a header and the columns at full precision (repr)."""
    names = list(columns)
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for row in zip(*columns.values()):
            f.write(",".join(repr(float(v)) for v in row) + "\n")
    return path


def in_threads(work, n):
    """Runs work(k) for k in 0 .. n-1, each in a thread of its own, all at once."""
    import threading
    threads = [threading.Thread(target=work, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def without(obj, *keys):
    """A JSON sounding without the keys that differ between runs or between a file and an
    in-memory sounding of the same data."""
    return {k: v for k, v in obj.items() if k not in keys + ("time_ms",)}


def data_rows(path):
    """The readings of a text sounding file, parsed here: (line number, fields) of each line
    that is not a comment, blank or the header."""
    out = []
    with open(path) as f:
        for i, line in enumerate(f, 1):
            s = line.split("#", 1)[0].strip()
            if not s:
                continue
            fields = [v.strip() for v in (s.split(",") if "," in s else s.split("\t") if "\t" in s
                                          else s.split())]
            try:
                out.append((i, [float(v) for v in fields]))
            except ValueError:
                continue  # the header
    return out


AB2 = np.geomspace(1, 1000, 20)
MODEL = ([100.0, 20.0, 300.0], [4.0, 15.0])
PERIODS = np.geomspace(1e-3, 1e3, 20)
MT_MODEL = ([50.0, 5.0, 500.0], [300.0, 1000.0])


# --- forward ------------------------------------------------------------------------------

def test_forward_jacobian_matches_differences():
    """Forward.jacobian: its response is the call's, its derivatives those of central
    differences of the response in log10 of each parameter, for every method."""
    for method, x, model in (("schlumberger", AB2, MODEL), ("wenner", AB2, MODEL),
                             ("mt", PERIODS, MT_MODEL)):
        with bpinv.Forward(method, x) as f:
            d, jac = f.jacobian(*model)
            plain = f(*model)
            # the same model, through log10 and back: equal to rounding
            np.testing.assert_allclose(d, np.concatenate(plain) if method == "mt" else plain,
                                       rtol=1e-12)
            p = np.log10(np.concatenate(model))
            assert jac.shape == (len(d), len(p))
            for k in range(len(p)):
                h = np.zeros(len(p))
                h[k] = 1e-4
                up, dn = (10 ** (p + h)), (10 ** (p - h))
                fu, fd = f(up[:3], up[3:]), f(dn[:3], dn[3:])
                if method == "mt":
                    fu, fd = np.concatenate(fu), np.concatenate(fd)
                np.testing.assert_allclose(jac[:, k], (fu - fd) / 2e-4, rtol=1e-5,
                                           atol=1e-6 * np.abs(d).max())
        with pytest.raises(bpinv.Error) as e:
            bpinv.Forward(method, x).jacobian([100, -1, 10], [1, 2])
        assert "expected finite > 0" in str(e.value)


def test_forward_object_and_cache():
    """Forward set up once gives forward()'s answers bit for bit, for every method; forward()
    keeps 8 geometries per thread, and answers right from several threads at once."""
    from bpinv import _forward
    for method, x, model in (("schlumberger", AB2, MODEL), ("wenner", AB2, MODEL),
                             ("mt", PERIODS, MT_MODEL)):
        with bpinv.Forward(method, x) as f:
            for k in range(3):
                rho = np.array(model[0]) * (1 + k)
                a, b = f(rho, model[1]), bpinv.forward(method, rho, model[1], x)
                if method == "mt":
                    np.testing.assert_array_equal(a[0], b[0])
                    np.testing.assert_array_equal(a[1], b[1])
                else:
                    np.testing.assert_array_equal(a, b)
        assert f.closed
        with pytest.raises(ValueError):
            f(model[0], model[1])
    with bpinv.Forward("schlumberger", AB2, mn2=0.5) as f:
        np.testing.assert_array_equal(f(*MODEL), bpinv.forward("schlumberger", *MODEL, AB2,
                                                                mn2=np.full(len(AB2), 0.5)))
        with pytest.raises(bpinv.Error) as e:
            f([100, -1, 10], [1, 2])
        assert "expected finite > 0" in str(e.value)
    for k in range(20):  # 20 geometries: the cache keeps the last 8
        bpinv.forward("wenner", [100], [], AB2 * (1 + k))
    assert len(_forward._cache.lru) == 8
    want = {k: bpinv.forward("schlumberger", [10.0 * (k + 1), 10, 1000], [5, 20], AB2)
            for k in range(4)}
    bad = []

    def work(k):
        for _ in range(200):
            got = bpinv.forward("schlumberger", [10.0 * (k + 1), 10, 1000], [5, 20], AB2)
            if not np.array_equal(got, want[k]):
                bad.append(k)

    in_threads(work, 4)
    assert not bad


@pytest.mark.parametrize("method", ["schlumberger", "wenner", "mt"])
def test_forward_half_space(method):
    x = np.geomspace(0.5, 5000, 17) if method != "mt" else np.geomspace(1e-4, 1e4, 17)
    out = bpinv.forward(method, [37.5], [], x)
    if method == "mt":
        rho_a, phase = out
        np.testing.assert_allclose(phase, 45.0, rtol=0, atol=1e-9)
    else:
        rho_a = out
    assert isinstance(rho_a, np.ndarray) and rho_a.shape == (17,) and rho_a.dtype == np.float64
    np.testing.assert_allclose(rho_a, 37.5, rtol=1e-6)
    # a layered earth of one resistivity is a half-space too
    out2 = bpinv.forward(method, [37.5, 37.5, 37.5], [3.0, 40.0], x)
    np.testing.assert_allclose(out2[0] if method == "mt" else out2, 37.5, rtol=1e-6)


def test_forward_equals_cli_schlumberger():
    h, ref = cli_csv("forward", "-m", "schlumberger", "--rho", "100,10,1000", "--thick", "5,20",
                     "--ab2", "1:1000:13")
    assert h == ["ab2_m", "rho_a_ohmm"]
    got = bpinv.forward("schlumberger", [100, 10, 1000], [5, 20], ref[:, 0])
    np.testing.assert_allclose(got, ref[:, 1], rtol=1e-10)
    # finite MN/2, one value for all and one per point
    h, ref = cli_csv("forward", "-m", "schlumberger", "--rho", "100,10,1000", "--thick", "5,20",
                     "--ab2", "2:1000:13", "--mn2", "1")
    assert h == ["ab2_m", "mn2_m", "rho_a_ohmm"]
    np.testing.assert_allclose(bpinv.forward("schlumberger", [100, 10, 1000], [5, 20], ref[:, 0],
                                             mn2=1.0), ref[:, 2], rtol=1e-10)
    np.testing.assert_allclose(bpinv.forward("schlumberger", [100, 10, 1000], [5, 20], ref[:, 0],
                                             mn2=ref[:, 1]), ref[:, 2], rtol=1e-10)
    # finite MN changes the response: the comparison above is not trivially the ideal one
    assert np.max(np.abs(bpinv.forward("schlumberger", [100, 10, 1000], [5, 20], ref[:, 0])
                         / ref[:, 2] - 1)) > 1e-3


def test_forward_equals_cli_wenner():
    h, ref = cli_csv("forward", "-m", "wenner", "--rho", "30,300,3", "--thick", "2,10", "--a",
                     "1:500:11")
    assert h == ["a_m", "rho_a_ohmm"]
    np.testing.assert_allclose(bpinv.forward("wenner", [30, 300, 3], [2, 10], ref[:, 0]),
                               ref[:, 1], rtol=1e-10)


def test_forward_equals_cli_mt():
    h, ref = cli_csv("forward", "-m", "mt", "--rho", "100,10,1000", "--thick", "500,2000",
                     "--period", "0.01:100:5")
    assert h == ["period_s", "rho_a_ohmm", "phase_deg"]
    rho_a, phase = bpinv.forward("mt", [100, 10, 1000], [500, 2000], ref[:, 0])
    np.testing.assert_allclose(rho_a, ref[:, 1], rtol=1e-10)
    np.testing.assert_allclose(phase, ref[:, 2], rtol=1e-10)


def test_forward_key201_filter():
    x = np.geomspace(1, 1000, 25)
    for method, mn2 in (("schlumberger", None), ("schlumberger", 0.5), ("wenner", None)):
        shared = bpinv.forward(method, [100, 10, 1000], [5, 20], x, mn2=mn2)
        key = bpinv.forward(method, [100, 10, 1000], [5, 20], x, mn2=mn2, filter="key201")
        np.testing.assert_allclose(key, shared, rtol=1e-6)
        assert not np.array_equal(key, shared)  # a different filter indeed
    h, ref = cli_csv("forward", "-m", "schlumberger", "--rho", "100,10,1000", "--thick", "5,20",
                     "--ab2", "1:1000:9", "--filter", "key201")
    np.testing.assert_allclose(bpinv.forward("schlumberger", [100, 10, 1000], [5, 20], ref[:, 0],
                                             filter="key201"), ref[:, 1], rtol=1e-10)
    # MT has no Hankel filter: "key201" refused, as by bpinv forward --filter
    with pytest.raises(bpinv.Error, match='filter: not an option of method mt'):
        bpinv.forward("mt", [100], [], [1, 10], filter="key201")
    assert cli("forward", "-m", "mt", "--rho", "100", "--period", "1,10", "--filter", "key201",
               check=False).returncode == 2


def test_forward_keeps_the_order_of_x():
    x = np.geomspace(1, 1000, 10)
    order = np.array([3, 7, 0, 9, 1, 5, 2, 8, 6, 4])
    a = bpinv.forward("schlumberger", [100, 10], [5], x)
    b = bpinv.forward("schlumberger", [100, 10], [5], x[order])
    np.testing.assert_array_equal(b, a[order])


def test_forward_unknown_method_as_cli():
    msg = cli_error("forward", "-m", "nosuch", "--rho", "1", "--ab2", "1:10:3")
    with pytest.raises(bpinv.Error) as e:
        bpinv.forward("nosuch", [1], [], [1, 2, 3])
    # the command puts its option's name before the library's message
    assert msg == "-m/--method: " + str(e.value)
    assert str(e.value) == 'method: expected schlumberger, wenner or mt, got "nosuch"'
    assert e.value.code == 1 and e.value.code_name == "invalid argument"


@pytest.mark.parametrize("rho,thick,x,kw,message,field", [
    ([-1], [], [1, 2], {}, "resistivity of layer 1: expected finite > 0 ohm-m, got -1", "rho"),
    ([10, 0], [3], [1, 2], {}, "resistivity of layer 2: expected finite > 0 ohm-m, got 0", "rho"),
    ([np.nan], [], [1, 2], {}, "resistivity of layer 1: expected finite > 0 ohm-m, got nan", "rho"),
    ([1, 3], [np.inf], [1, 2], {}, "thickness of layer 1: expected finite > 0 m, got inf", "thick"),
    ([1, 3], [-2], [1, 2], {}, "thickness of layer 1: expected finite > 0 m, got -2", "thick"),
    ([1, 2], [1, 2], [1, 2], {}, "thick: expected 1 value for 2 layers (rho), got 2", "thick"),
    ([1, 2, 3], [1], [1, 2], {}, "thick: expected 2 values for 3 layers (rho), got 1", "thick"),
    ([], [], [1, 2], {}, "layers: expected 1 to 64, got 0", "rho"),
    ([1], [], [1, -2], {}, "ab2_m: point 2: expected finite > 0, got -2", "ab2"),
    ([1], [], [1, np.nan], {}, "ab2_m: point 2: expected finite > 0, got nan", "ab2"),
    ([1], [], [], {}, "ab2_m: expected 1 to 100000 points, got 0", "ab2"),
    ([1], [], [1, 2], {"mn2": [3, 0.1]},
     "mn2_m: point 1: expected finite > 0 and < AB/2 = 1 m, got 3", "mn2"),
    ([1], [], [1, 2], {"mn2": [0.1, 0.1, 0.1]},
     "mn2: expected 2 values (one per point of x) or one, got 3", "mn2"),
    ([1], [], [1, 2], {"filter": "fast"}, 'filter: expected shared or key201, got "fast"',
     "filter"),
])
def test_forward_bad_inputs(rho, thick, x, kw, message, field):
    with pytest.raises(bpinv.Error) as e:
        bpinv.forward("schlumberger", rho, thick, x, **kw)
    assert str(e.value) == message
    assert e.value.field == field and e.value.code == 1


def test_forward_bad_inputs_other_methods():
    with pytest.raises(bpinv.Error, match="^mn2_m: only a schlumberger geometry has MN/2, not "
                                          "wenner$"):
        bpinv.forward("wenner", [1], [], [1, 2], mn2=[0.1, 0.1])
    with pytest.raises(bpinv.Error, match="^period_s: point 1: expected finite > 0, got 0$"):
        bpinv.forward("mt", [1], [], [0, 2])
    with pytest.raises(TypeError):
        bpinv.forward("schlumberger", ["a"], [], [1, 2])
    with pytest.raises(TypeError):
        bpinv.forward(2, [1], [], [1, 2])
    with pytest.raises(bpinv.Error, match="expected a 1-D array"):
        bpinv.forward("schlumberger", [[1, 2]], [1], [1, 2])


# --- reading soundings ----------------------------------------------------------------------

def test_read_schlumberger_segments():
    s = bpinv.read_sounding(MAWLAMYINE)
    rows = data_rows(MAWLAMYINE)
    ref = sorted(rows, key=lambda r: (r[1][0], r[1][1]))
    assert s.method == "schlumberger" and len(s) == len(rows) == 26
    assert s.name == "mawlamyine_loc3_schlumberger.csv" and s.source == str(MAWLAMYINE)
    np.testing.assert_array_equal(s.x, [r[1][0] for r in ref])
    np.testing.assert_array_equal(s.mn2, [r[1][1] for r in ref])
    np.testing.assert_array_equal(s.rho_a, [r[1][2] for r in ref])
    np.testing.assert_array_equal(s.line, [r[0] for r in ref])
    assert s.phase is None and s.sd_log10 is None and s.sd_phase is None
    assert np.all(np.diff(s.x) >= 0)
    # AB/2 repeats at each change of MN/2 (40, 100, 200 m)
    assert sorted({v for v in s.x if list(s.x).count(v) > 1}) == [40, 100, 200]


def test_read_wenner():
    with pytest.raises(bpinv.Error) as e:
        bpinv.read_sounding(AUNGSAN)  # read as Schlumberger by default: its header says Wenner
    assert str(e.value) == ("%s:5: columns: this is a wenner sounding (its header names wenner "
                            "columns), expected schlumberger" % AUNGSAN)
    s = bpinv.read_sounding(AUNGSAN, method="wenner")
    rows = data_rows(AUNGSAN)
    assert s.method == "wenner" and len(s) == len(rows) == 24
    np.testing.assert_array_equal(s.x, [r[1][0] for r in rows])
    np.testing.assert_array_equal(s.rho_a, [r[1][1] for r in rows])
    assert s.mn2 is None and s.phase is None


def test_read_mt_text_with_errors():
    s = bpinv.read_sounding(CULL, method="mt")
    rows = sorted(data_rows(CULL), key=lambda r: r[1][0])
    assert s.method == "mt" and len(s) == 23
    cols = np.array([r[1] for r in rows])
    for k, a in enumerate([s.x, s.rho_a, s.phase, s.sd_log10, s.sd_phase]):
        np.testing.assert_array_equal(a, cols[:, k])
    np.testing.assert_array_equal(s.line, [r[0] for r in rows])


def edi_blocks(path):
    """The numeric blocks of an EDI file, parsed here: name -> values; and EMPTY."""
    blocks, cur, empty = {}, None, 1e32
    with open(path) as f:
        for line in f:
            t = line.strip()
            if t.startswith(">"):
                cur = t[1:].split()[0] if not t.startswith(">=") else None
                if cur is not None:
                    blocks[cur] = []
                continue
            if t.upper().startswith("EMPTY="):
                empty = float(t.split("=", 1)[1])
            if cur is not None and t:
                try:
                    blocks[cur].extend(float(v) for v in t.split())
                except ValueError:
                    pass
    return {k: np.array(v) for k, v in blocks.items() if v}, empty


@pytest.mark.parametrize("component", ["det", "xy", "yx", "berd"])
def test_read_edi(component):
    s = bpinv.read_sounding(PENOLA, component=component)  # method None: MT for an EDI file
    assert s.component == component
    assert bpinv.read_sounding(CULL, method="mt", component=component).component is None
    b, empty = edi_blocks(PENOLA)
    f = b["FREQ"]
    z = {c: b["Z%sR" % c] + 1j * b["Z%sI" % c] for c in ("XX", "XY", "YX", "YY")}
    var = {c: b["Z%s.VAR" % c] for c in ("XY", "YX")}
    if component == "det":
        zc = np.array([cmath.sqrt(a * d - bb * c) for a, bb, c, d in
                       zip(z["XX"], z["XY"], z["YX"], z["YY"])])
        e = (np.sqrt(var["XY"]) / np.abs(z["XY"]) + np.sqrt(var["YX"]) / np.abs(z["YX"])) / 2
    elif component == "berd":  # Berdichevsky: (Zxy - Zyx) / 2, its variance a quarter of the sum
        zc = (z["XY"] - z["YX"]) / 2
        e = np.sqrt(var["XY"] + var["YX"]) / 2 / np.abs(zc)
    elif component == "xy":
        zc, e = z["XY"], np.sqrt(var["XY"]) / np.abs(z["XY"])
    else:
        zc, e = -z["YX"], np.sqrt(var["YX"]) / np.abs(z["YX"])
    keep = np.all([np.abs(v) < empty for v in b.values() if len(v) == len(f)], axis=0)
    period = 1 / f[keep]
    order = np.argsort(period)
    rho = (0.2 * period * np.abs(zc[keep]) ** 2)[order]
    phase = np.degrees(np.angle(zc[keep]))[order]
    assert s.method == "mt" and s.name == "3" and len(s) == len(period) == 56
    np.testing.assert_allclose(s.x, period[order], rtol=1e-12)
    np.testing.assert_allclose(s.rho_a, rho, rtol=1e-10)
    np.testing.assert_allclose(s.phase, phase, rtol=0, atol=1e-9)
    np.testing.assert_allclose(s.sd_log10, (2 * e[keep] / math.log(10))[order], rtol=1e-10)
    np.testing.assert_allclose(s.sd_phase, np.degrees(np.arcsin(np.minimum(e[keep], 1)))[order],
                               rtol=1e-10)


def test_read_spreadsheet_export(tmp_path):
    """A ';' table with decimal commas, quotes, a station, feet and a column not read."""
    p = tmp_path / "ves.csv"
    p.write_bytes(b'"Station";"a (ft)";"Rho_a (Ohm.m)";"Remarks"\r\n'
                  b'"VES 7";10;100,5;"x"\r\n"VES 7";20;90;""\r\n"VES 7";40;80;\r\n')
    s = bpinv.read_sounding(p, method="wenner")
    assert s.name == "VES 7" and s.unused == '"Remarks"'
    np.testing.assert_allclose(s.x, [3.048, 6.096, 12.192], rtol=1e-12)
    assert s.rho_a[0] == 100.5
    assert s.note == ""


def test_read_note(tmp_path, nets):
    """What the reader assumed is the sounding's note, and the result's: a full AB column,
    halved."""
    p = tmp_path / "full.csv"
    rho_a = bpinv.forward("schlumberger", *MODEL, AB2)
    p.write_text("AB (m),rho_a\n" + "".join("%.17g,%.17g\n" % (2 * a, r)
                                             for a, r in zip(AB2, rho_a)))
    s = bpinv.read_sounding(p)
    np.testing.assert_array_equal(s.x, AB2)
    assert s.note == '"AB (m)" read as the full spacing: halved to AB/2'
    with bpinv.Net(nets["schlumberger"]) as net:
        r = net.invert_many([p])[0]
    assert r.error is None and r.note == s.note
    assert r.columns_not_read is None


def test_columns_not_read_in_result(tmp_path, nets):
    """A column the reader did not read is named in the result, as Sounding.unused names
    it."""
    p = tmp_path / "remarks.csv"
    rho_a = bpinv.forward("schlumberger", *MODEL, AB2)
    p.write_text("AB/2 (m),rho_a,Remarks,Date\n" +
                 "".join("%.17g,%.17g,ok,2026\n" % (a, r) for a, r in zip(AB2, rho_a)))
    s = bpinv.read_sounding(p)
    with bpinv.Net(nets["schlumberger"]) as net:
        r = net.invert_many([p])[0]
    assert r.error is None, r.error
    assert r.columns_not_read == s.unused == '"Remarks", "Date"'


def test_columns_mapped(tmp_path, nets):
    """Header names mapped to bpinv's, in read_sounding and invert_many (= bpinv invert
    --columns); a name the header lacks is an error."""
    p = tmp_path / "odd.csv"
    rho_a = bpinv.forward("schlumberger", *MODEL, AB2)
    p.write_text("Spacing (m),Reading\n" + "".join("%.17g,%.17g\n" % (a, r)
                                                   for a, r in zip(AB2, rho_a)))
    s = bpinv.read_sounding(p, columns={"ab2": "Spacing (m)", "rho_a": "Reading"})
    np.testing.assert_array_equal(s.rho_a, rho_a)
    with pytest.raises(bpinv.Error) as e:
        bpinv.read_sounding(p, columns="ab2=Spacing,rho_a=Reading")
    assert ': columns: "Spacing": expected a column of the header' in str(e.value)
    with bpinv.Net(nets["schlumberger"]) as net:
        r = net.invert_many([p], columns={"ab2": "Spacing (m)", "rho_a": "Reading"})[0]
        assert r.error is None, r.error
        doc, run = cli_json("invert", nets["schlumberger"], str(p), "--format", "json",
                            "--columns", 'ab2=Spacing (m),rho_a=Reading', check=True)
        assert without(r.json) == without(doc["soundings"][0])
        with pytest.raises(bpinv.Error) as e:
            net.invert_many([p], columns={"rhoo": "Reading"})
        assert str(e.value).startswith('columns: "rhoo=Reading": expected a column name')


def test_station_positions(nets):
    """An EDI file's LAT, LONG, ELEV reach the Sounding and the Result."""
    s = bpinv.read_sounding(PENOLA)
    assert abs(s.lat_deg + 37.430233333) < 1e-8 and s.elevation_m == 45 and np.isnan(s.x_m)
    with bpinv.Net(nets["mt"]) as net:
        r = net.invert_many([PENOLA])[0]
    assert r.position["elevation_m"] == 45 and abs(r.position["lat_deg"] + 37.43023333) < 1e-8
    assert "x_m" not in r.position
    np.testing.assert_allclose(r.depth, r.json["depth_m"], rtol=1e-5)


def test_read_method_from_the_file(tmp_path):
    edi_copy = tmp_path / "station"  # no .edi: found by its >HEAD
    shutil.copy(PENOLA, edi_copy)
    assert bpinv.read_sounding(edi_copy).method == "mt"
    with pytest.raises(bpinv.Error, match=r"this is an EDI \(magnetotelluric\) file, expected a "
                                          r"wenner sounding"):
        bpinv.read_sounding(PENOLA, method="wenner")
    p = tmp_path / "plain.txt"
    p.write_text("1 10\n2 20\n3 30\n")
    assert bpinv.read_sounding(p).method == "schlumberger"
    assert bpinv.read_sounding(p, method="wenner").method == "wenner"


@pytest.mark.parametrize("name,content,message", [
    ("missing.csv", None, "{p}: cannot open: No such file or directory"),
    ("garbage.csv", b"ab2,rho_a\n1,2\n\x00\x01\x02\xff\xfe", "{p}:3: expected text, got a NUL "
                                                             "byte (a binary file?)"),
    ("negative.csv", b"ab2_m,rho_a_ohmm\n1,10\n2,-3\n3,30\n",
     '{p}:3: rho_a_ohmm: expected a finite number > 0, got "-3"'),
    ("twice.csv", b"ab2_m,rho_a_ohmm\n1,10\n2,20\n2,30\n", None),
    ("short.csv", b"1 10\n2 20\n", None),
    ("empty.csv", b"", "{p}: expected at least 3 points, got none (an empty file)"),
])
def test_read_errors_as_cli(tmp_path, nets, name, content, message):
    p = tmp_path / name
    if content is not None:
        p.write_bytes(content)
    with pytest.raises(bpinv.Error) as e:
        bpinv.read_sounding(p)
    if message is not None:
        assert str(e.value) == message.format(p=p)
    assert str(e.value).startswith(str(p) + ":")
    # the same message as bpinv invert's, for the same file
    assert str(e.value) == cli_error("invert", nets["schlumberger"], p)


def test_read_bad_component():
    with pytest.raises(bpinv.Error, match='expected det, xy, yx or berd, got "zz"'):
        bpinv.read_sounding(PENOLA, component="zz")
    with pytest.raises(bpinv.Error, match="component yx: chooses an MT impedance, but a "
                                          "schlumberger sounding has none"):
        bpinv.read_sounding(MAWLAMYINE, "schlumberger", component="yx")


# --- soundings from arrays ------------------------------------------------------------------

def test_sounding_sorted_and_folded():
    s = bpinv.Sounding("mt", [10.0, 1.0, 100.0], [1, 2, 3], phase=[-135, 50, 60],
                       sd_log10=[0.1, 0.2, 0.3], sd_phase=[1, 2, 3], name="site")
    np.testing.assert_array_equal(s.x, [1, 10, 100])
    np.testing.assert_array_equal(s.rho_a, [2, 1, 3])
    np.testing.assert_array_equal(s.phase, [50, 45, 60])  # -135: the third quadrant folded
    np.testing.assert_array_equal(s.sd_log10, [0.2, 0.1, 0.3])
    np.testing.assert_array_equal(s.sd_phase, [2, 1, 3])
    np.testing.assert_array_equal(s.line, [2, 1, 3])  # 1-based indices in the arrays given
    assert s.name == "site" and s.source == "site" and s.method == "mt" and len(s) == 3
    d = bpinv.Sounding("schlumberger", [5, 1, 5, 3], [4, 1, 3, 2], mn2=[2, 0.5, 1, 0.5])
    np.testing.assert_array_equal(d.x, [1, 3, 5, 5])
    np.testing.assert_array_equal(d.mn2, [0.5, 0.5, 1, 2])  # then by MN/2
    np.testing.assert_array_equal(d.rho_a, [1, 2, 3, 4])
    assert d.name == "sounding" and d.phase is None and "4 points" in repr(d)
    w = bpinv.Sounding("wenner", [1, 2, 3], [1, 2, 3], mn2=None)
    assert w.mn2 is None and w.x_name == "a_m"


@pytest.mark.parametrize("method,x,rho_a,kw,message,field", [
    ("schlumberger", [1, 2], [1, 2], {}, "sounding: ab2_m: expected 3 to 100000 points, got 2", "ab2_m"),
    ("schlumberger", [1, np.nan, 3], [1, 2, 3], {},
     "sounding: ab2_m[1]: expected a finite number > 0, got nan", "ab2_m"),
    ("wenner", [1, 2, 3], [1, 2, np.nan], {"name": "w1"},
     "w1: rho_a_ohmm[2]: expected a finite number > 0, got nan", "rho_a_ohmm"),
    ("schlumberger", [1, 2, 3, 4, 5], [1, 2, 3, 4, -3], {"name": "site"},
     "site: rho_a_ohmm[4]: expected a finite number > 0, got -3", "rho_a_ohmm"),
    ("schlumberger", [1, 2, 3], [1, 2, 3], {"mn2": [0.5, 2, 1]},
     "sounding: mn2_m[1]: expected less than AB/2 = 2 m, got 2", "mn2_m"),
    ("schlumberger", [1, 2, 2], [1, 2, 3], {},
     "sounding: ab2_m[2]: 2 is given twice (also at [1])", "ab2_m"),
    ("schlumberger", [1, 2, 3], [1, 2, 3], {"phase": [1, 2, 3]},
     "sounding: phase_deg: expected none (not measured) for a schlumberger sounding, got an array", "phase_deg"),
    ("wenner", [1, 2, 3], [1, 2, 3], {"mn2": 0.1},
     "sounding: mn2_m: expected none (not measured) for a wenner sounding, got an array", "mn2_m"),
    ("mt", [1, 2, 3], [1, 2, 3], {}, "sounding: phase_deg: expected an array for an mt sounding, got none",
     "phase_deg"),
    ("mt", [1, 2, 3], [1, 2, 3], {"phase": [1, 200, 3]},
     "sounding: phase_deg[1]: expected degrees in [-180, 180], got 200", "phase_deg"),
    ("mt", [1, 2, 3], [1, 2, 3], {"phase": [1, np.nan, 3]},
     "sounding: phase_deg[1]: expected a finite number, got nan", "phase_deg"),
    ("schlumberger", [1, 2, 3], [1, 2, 3], {"sd_log10": [0.1, 0, 0.1]},
     "sounding: sd_log10_rho_a[1]: expected a finite number > 0, got 0", "sd_log10_rho_a"),
    ("mt", [1, 2, 3], [1, 2, 3], {"phase": [1, 2, 3], "sd_phase": [0.1, -1, 0.1]},
     "sounding: sd_phase_deg[1]: expected a finite number > 0, got -1", "sd_phase_deg"),
    ("wenner", [1, 2, 3], [1, 2, 3], {"sd_phase": [1, 1, 1]},
     "sounding: sd_phase_deg: expected none (not measured) for a wenner sounding, got an array", "sd_phase_deg"),
    ("mt", [1, 2, 3], [1, 2, 3], {"phase": [1, 2]},
     "sounding: phase_deg: expected 3 values (one per period_s), got 2", "phase_deg"),
    ("schlumberger", [1, 2, 3], [1, 2, 3, 4], {},
     "sounding: rho_a_ohmm: expected 3 values (one per ab2_m), got 4", "rho_a_ohmm"),
    ("dipole", [1, 2, 3], [1, 2, 3], {},
     'method: expected schlumberger, wenner or mt, got "dipole"', ""),
    ("schlumberger", [1, 2, 3], [1, 2, 3], {"sd_log10": [0.1, 1e160, 0.1]},
     "sounding: sd_log10_rho_a[1]: expected at most 10 (decades), got 1e+160", "sd_log10_rho_a"),
])
def test_sounding_errors(method, x, rho_a, kw, message, field):
    with pytest.raises(bpinv.Error) as e:
        bpinv.Sounding(method, x, rho_a, **kw)
    assert str(e.value) == message
    assert e.value.field == field


def test_names_and_paths_as_given():
    """A name as given: bytes as they are, a str with a byte that is not UTF-8 (a Latin-1 file
    name, surrogateescape) back as it was, a number as str() writes it; a NUL refused (the C
    string ended at the NUL: "net.h5\\0x" opened net.h5; str(b"abc") named it "b'abc'")."""
    assert bpinv.Sounding("wenner", [1, 2, 3], [1, 2, 3], name=b"abc").name == "abc"
    assert bpinv.Sounding("wenner", [1, 2, 3], [1, 2, 3], name="a\udcff").name == "a\udcff"
    with pytest.raises(ValueError, match="null byte"):
        bpinv.Sounding("wenner", [1, 2, 3], [1, 2, 3], name="a\0b")
    assert bpinv.Sounding("wenner", [1, 2, 3], [1, 2, 3], name=7).name == "7"  # a station id
    with pytest.raises(ValueError, match="null byte"):
        bpinv.Net("net.h5\0x")
    with pytest.raises(ValueError, match="null byte"):
        bpinv.read_sounding("s.csv\0x")


def test_numbers_whatever_the_locale(nets):
    """A program that sets a locale of decimal commas (a GUI toolkit, locale.setlocale): files
    are read, options parsed and JSON written with '.' as before (strtod stopped at every '.':
    'expected a finite number > 0, got "99.85..."'; the JSON had commas, which json refused)."""
    import locale
    try:
        old = locale.setlocale(locale.LC_ALL)
        locale.setlocale(locale.LC_ALL, "de_DE.UTF-8")
    except locale.Error:
        pytest.skip("no de_DE.UTF-8 locale on this machine")
    try:
        assert locale.localeconv()["decimal_point"] == ","
        d = bpinv.forward("schlumberger", *MODEL, AB2)
        with bpinv.Net(nets["schlumberger"]) as net:
            r = net.invert(AB2, d, fix="h1=5.5")
            assert r.error is None and r.thick[0] == 5.5, r
        assert bpinv.read_sounding(CULL, method="mt").x[0] == 0.02
    finally:
        locale.setlocale(locale.LC_ALL, old)


def test_segment_factors(nets, tmp_path):
    """Result.segment_factors gives each reading the factor the library joined its segment
    with (the JSON's segments): the misfit against the data so joined is the one reported,
    where segments share an AB/2, where one shares none with the others (a Python copy of
    the rule gave 1, 1.05, 1.17 where the library took 1.80-2.11: a misfit of 72 % for
    5.8 %), and with segment_ref="auto"; 1 without segments; another sounding's MN/2, or
    name, are refused."""
    maw = bpinv.read_sounding(MAWLAMYINE)
    lines = open(MAWLAMYINE).read().splitlines()
    part = tmp_path / "maw_partial.csv"  # AB/2 40 m at MN/2 5 m dropped: no AB/2 shared
    part.write_text("\n".join(l for l in lines if not l.startswith("40,5,")) + "\n")
    with bpinv.Net(nets["schlumberger"]) as net:
        for s, opts in ((maw, {}), (bpinv.read_sounding(part), {}),
                        (maw, {"segment_ref": "auto"})):
            r = net.invert_sounding(s, **opts)
            f = r.segment_factors(s)
            assert len(set(f)) == len(r.segments) == 4
            at = bpinv.forward("schlumberger", r.rho, r.thick, s.x, mn2=s.mn2)
            d = s.rho_a * f
            misfit = 100 * np.sqrt(np.mean(((at - d) / d) ** 2))
            # the factors have 4 digits in the JSON
            assert abs(misfit - r.misfit_rms_pct) < 0.01 * r.misfit_rms_pct, (misfit, r)
        with pytest.raises(ValueError, match="not this result's segments"):
            r.segment_factors(bpinv.Sounding("schlumberger", [1, 2, 4, 4], [1, 2, 3, 4],
                                             mn2=[0.5, 0.5, 0.5, 2], name=r.name))
        # another sounding by its name (any of MN/2 1 and 10 m took factors 1 and 1.68)
        with pytest.raises(ValueError, match="the sounding is 'other', this result "
                                             "'mawlamyine_loc3_schlumberger.csv'"):
            r.segment_factors(bpinv.Sounding("schlumberger", [3, 4, 20, 30], [1, 2, 3, 4],
                                             mn2=[1, 1, 1, 10], name="other"))
        w = bpinv.Sounding("schlumberger", AB2, bpinv.forward("schlumberger", *MODEL, AB2))
        np.testing.assert_array_equal(net.invert_sounding(w).segment_factors(w), 1)


def test_error_pickles():
    """An Error crosses process boundaries (multiprocessing, concurrent.futures)."""
    import pickle
    with pytest.raises(bpinv.Error) as e:
        bpinv.Sounding("wenner", [1, 2, 3], [1, -2, 3])
    again = pickle.loads(pickle.dumps(e.value))
    assert type(again) is bpinv.Error and str(again) == str(e.value)
    assert (again.code, again.field) == (e.value.code, e.value.field) == (1, "rho_a_ohmm")
    f = pickle.loads(pickle.dumps(bpinv.FileError(3, "x.csv: cannot open: no such file")))
    assert type(f) is bpinv.FileError and isinstance(f, OSError) and str(f).startswith("x.csv")


def test_sounding_close():
    s = bpinv.Sounding("schlumberger", [1, 2, 3], [1, 2, 3])
    assert not s.closed
    s.close()
    s.close()  # idempotent: no double free
    assert s.closed
    np.testing.assert_array_equal(s.x, [1, 2, 3])  # the arrays stay
    with bpinv.Sounding("schlumberger", [1, 2, 3], [1, 2, 3]) as t:
        pass
    assert t.closed
    del s, t
    gc.collect()


# --- nets and inversions --------------------------------------------------------------------

def test_net_method_and_errors_as_cli(nets, tmp_path):
    with bpinv.Net(nets["schlumberger"]) as net:
        assert net.method == "schlumberger" and net.path == str(nets["schlumberger"])
    assert net.closed
    net.close()
    with pytest.raises(ValueError, match="closed"):
        net.invert(AB2, np.ones(20))
    assert bpinv.Net(nets["mt"]).method == "mt"
    assert bpinv.Net(nets["set"]).method == "schlumberger"
    assert bpinv.Net(nets["set"]).layer_counts == (2, 3)
    assert bpinv.Net(nets["schlumberger"]).layer_counts == (3,)
    assert bpinv.Net(nets["wenner"]).method == "wenner"
    junk = tmp_path / "junk.h5"
    junk.write_bytes(bytes(range(256)) * 12)
    text = tmp_path / "text.h5"
    text.write_text("not a net\n")
    trunc = tmp_path / "trunc.h5"
    trunc.write_bytes(open(nets["schlumberger"], "rb").read()[:20000])
    snd = write_table(tmp_path / "a.csv", {"ab2_m": AB2, "rho_a_ohmm": np.full(20, 10.0)})
    for p, msg in [(tmp_path / "missing.h5", "{p}: cannot open: no such file"),
                   (junk, "{p}: not an HDF5 file (or a truncated one)"),
                   (text, "{p}: not an HDF5 file (or a truncated one)"),
                   (trunc, "{p}: HDF5 cannot open it (truncated, damaged or locked)"),
                   (tmp_path, "{p}: is a directory; expected an HDF5 file"),
                   (nets["samples"], '{p}: format: expected "bpinv-net", got "bpinv-samples" (a '
                                     'samples file: train a net on it first)')]:
        with pytest.raises(bpinv.Error) as e:
            bpinv.Net(p)
        assert str(e.value) == msg.format(p=p)
        assert str(e.value) == cli_error("invert", p, snd)
        # a file that cannot be opened or read (code 3) is an OSError too; a bad one is not
        io = e.value.code == 3
        assert isinstance(e.value, OSError) == io == isinstance(e.value, bpinv.FileError)
        assert io == (p in (tmp_path / "missing.h5", tmp_path)), (p, e.value.code)
    with pytest.raises(OSError, match="nosuch.csv: cannot open") as e:
        bpinv.read_sounding(tmp_path / "nosuch.csv")
    assert isinstance(e.value, bpinv.Error) and e.value.code == 3


def test_net_load_is_quiet(nets, tmp_path):
    """HDF5's own error stack is not printed (bpinv turns it off, so does the package)."""
    trunc = tmp_path / "trunc.h5"
    trunc.write_bytes(open(nets["schlumberger"], "rb").read()[:20000])
    code = ("import bpinv\ntry:\n    bpinv.Net(%r)\nexcept bpinv.Error as e:\n    print(e)\n"
            % str(trunc))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "HDF5 cannot open it" in r.stdout
    assert "HDF5-DIAG" not in r.stderr, r.stderr


@pytest.mark.parametrize("opts,cli_opts", [
    ({}, []),
    ({"refine": True}, ["--refine"]),
    ({"refine": False}, ["--no-refine"]),
    ({"ranges": True}, ["--ranges"]),
    ({"ranges": 50, "refine": False}, ["--ranges=50", "--no-refine"]),
    ({"misfit_max": 2.5}, ["--misfit-max", "2.5"]),
])
def test_invert_equals_cli(nets, tmp_path, opts, cli_opts):
    rho_a = bpinv.forward("schlumberger", *MODEL, AB2)
    snd = write_table(tmp_path / "a.csv", {"ab2_m": AB2, "rho_a_ohmm": rho_a})
    ref, r = cli_json("invert", nets["schlumberger"], snd, "--format", "json", "-j", 1, *cli_opts)
    assert r.returncode == 0, r.stderr
    ref = ref["soundings"][0]
    with bpinv.Net(nets["schlumberger"]) as net:
        res = net.invert(AB2, rho_a, name="a", **opts)
    # the ranges' sampler is seeded the same for the same data: equal to the last digit
    assert without(res.json, "source", "name") == without(ref, "source", "name")
    assert res.source == res.name == "a" and res.method == "schlumberger" and res.n_layers == 3
    np.testing.assert_array_equal(res.rho, ref["rho_ohmm"])
    np.testing.assert_array_equal(res.thick, ref["thick_m"])
    np.testing.assert_allclose(res.depth, np.cumsum(ref["thick_m"]))
    assert res.misfit_rms_pct == ref["misfit_rms_pct"] and res.flags == ref["flags"]
    assert res.in_range == ref["in_range"] and res.chi2 is None and res.error is None
    assert res.refined == (opts.get("refine", True) is not False)
    if opts.get("refine", True) is not False:  # exact data: the refinement finds the model
        np.testing.assert_allclose(res.rho, MODEL[0], rtol=1e-3)
        np.testing.assert_allclose(res.thick, MODEL[1], rtol=1e-3)
    else:
        assert res.misfit_rms_pct == res.misfit_net_pct
    if opts.get("ranges"):
        assert res.ranges["level_pct"] == (90 if opts["ranges"] is True else opts["ranges"])
        assert len(res.ranges["rho_ohmm"]) == 3 and len(res.ranges["thick_m"]) == 2
        for (lo, med, hi), v in zip(res.ranges["rho_ohmm"], res.rho):
            assert lo <= med <= hi
        # h / rho in siemens: the key says so, not "_s" (seconds, as in period_s)
        assert "conductance_s" not in res.ranges and len(res.ranges["conductance_siemens"]) == 2
        for lo, med, hi in res.ranges["conductance_siemens"]:
            assert 0 < lo <= med <= hi
    else:
        assert res.ranges is None
    assert "3 layers" in repr(res) and "ohm-m" in repr(res)


def test_invert_refine_iterations(nets):
    rho_a = bpinv.forward("schlumberger", [30, 200, 10], [8, 30], AB2)
    with bpinv.Net(nets["schlumberger"]) as net:
        none = net.invert(AB2, rho_a, refine=False)
        zero = net.invert(AB2, rho_a, refine=0)
        full = net.invert(AB2, rho_a, refine=True)
        thirty = net.invert(AB2, rho_a, refine=30)
        with pytest.raises(bpinv.Error, match="^refine: expected a whole number from 0 to 10000, "
                                              "got -1$"):
            net.invert(AB2, rho_a, refine=-1)
        with pytest.raises(bpinv.Error, match="^ranges: expected 0 .none. or a level from 1 to "
                                              "99.9 percent, got 100$"):
            net.invert(AB2, rho_a, ranges=100)
    assert without(none.json) == without(zero.json)
    assert without(full.json) == without(thirty.json)
    assert full.misfit_rms_pct < none.misfit_rms_pct
    # None is the default, as for the other settings (it turned the refinement off)
    with bpinv.Net(nets["schlumberger"]) as net:
        default = net.invert(AB2, rho_a, refine=None)
    assert without(default.json) == without(full.json)


def test_prior_exit(nets):
    """A sounding no model of the prior fits (rho_2 = 3000 ohm-m; the prior 1-1000) gets the
    fit with the prior widened, as the CLI's JSON gives it; a fitted one none."""
    beyond = bpinv.forward("schlumberger", [100, 3000, 100], [5, 40], AB2)
    inside = bpinv.forward("schlumberger", [100, 20, 300], [4, 15], AB2)
    with bpinv.Net(nets["schlumberger"]) as net:
        r = net.invert(AB2, beyond)
        ok = net.invert(AB2, inside)
        raw = net.invert(AB2, beyond, refine=False)
    assert "data_outside_training_range" in r.flags and not r.in_range
    assert r.prior_exit["misfit_rms_pct"] < 1 and r.prior_exit["beyond_decades"] > 0.1
    assert r.prior_exit == r.json["prior_exit"]
    assert ok.prior_exit is None and raw.prior_exit is None


def test_refine_true_is_the_cli_default(nets, tmp_path):
    """refine=True is bpinv invert's 30 iterations: a sounding whose refinement runs them all
    (Aung San's readings, as Schlumberger at AB/2 = 1.5 a) gives another model at 29 or 31."""
    w = bpinv.read_sounding(AUNGSAN, method="wenner")
    snd = write_table(tmp_path / "w.csv", {"ab2_m": 1.5 * w.x, "rho_a_ohmm": w.rho_a})
    ref, r = cli_json("invert", nets["schlumberger"], snd, "--format", "json")
    assert r.returncode == 0, r.stderr
    with bpinv.Net(nets["schlumberger"]) as net:
        s = bpinv.read_sounding(snd)
        res = {k: net.invert_sounding(s, refine=k).json["rho_ohmm"] for k in (True, 29, 30, 31)}
    assert res[True] == res[30] == ref["soundings"][0]["rho_ohmm"]
    if res[29] == res[30] or res[31] == res[30]:
        pytest.skip("the refinement stopped before 30 iterations: 29 and 30 look alike here")


def test_invert_threads_do_not_matter(nets):
    rs = [bpinv.Sounding("schlumberger", AB2, bpinv.forward("schlumberger", [r1, 20, 300],
                                                            [4, 15], AB2), name="s%d" % r1)
          for r1 in (10, 50, 100, 500)]
    with bpinv.Net(nets["schlumberger"]) as net:
        one = net.invert_many(rs, threads=1, ranges=True)
        two = net.invert_many(rs, threads=2, ranges=True)
    assert [without(r.json) for r in one] == [without(r.json) for r in two]


def test_invert_mt_equals_cli(nets, tmp_path):
    rho_a, phase = bpinv.forward("mt", *MT_MODEL, PERIODS)
    sd = np.full(20, 0.05)
    sdp = np.full(20, 2.0)
    snd = write_table(tmp_path / "m.csv", {"period_s": PERIODS, "rho_a_ohmm": rho_a,
                                           "phase_deg": phase, "sd_log10_rho_a": sd,
                                           "sd_phase_deg": sdp})
    ref, r = cli_json("invert", nets["mt"], snd, "--format", "json", "-j", 1)
    assert r.returncode == 0, r.stderr
    ref = ref["soundings"][0]
    assert "chi2" in ref
    with bpinv.Net(nets["mt"]) as net:
        a = net.invert(PERIODS, (rho_a, phase), errors=(sd, sdp))
        b = net.invert(PERIODS, rho_a, phase=phase, errors=sd, sd_phase=sdp)
        c = net.invert(PERIODS, np.vstack([rho_a, phase]), errors=np.vstack([sd, sdp]))
        no_err = net.invert(PERIODS, bpinv.forward("mt", *MT_MODEL, PERIODS))
        with pytest.raises(bpinv.Error, match="phases given twice"):
            net.invert(PERIODS, (rho_a, phase), phase=phase)
        with pytest.raises(bpinv.Error, match="^sounding: phase_deg: expected an array for an mt "
                                              "sounding, got none$"):
            net.invert(PERIODS, rho_a)
    for res in (a, b, c):
        assert without(res.json, "source", "name") == without(ref, "source", "name")
        assert res.chi2 == ref["chi2"] and res.method == "mt"
        assert res.chi2_given == ref["chi2_given"] and res.noise_scale == ref["noise_scale"]
        assert res.outlier_point == ref["outlier_point"]
        assert np.isclose(PERIODS, res.outlier_point, rtol=1e-5).sum() == 1
        assert res.outlier_sigmas == ref["outlier_sigmas"] >= 0
    # the errors of 0.05 in log10 rho_a and 2 degrees are above the net's noise (5 %: 0.022,
    # 1.4 degrees): as given
    assert a.chi2_given == pytest.approx(a.chi2, rel=1e-3)
    assert no_err.chi2 is None and no_err.chi2_given is None
    # the floor behind chi2: the net's 5 % (conftest), with chi2 only
    assert a.error_floor_pct == 5 and no_err.error_floor_pct is None
    assert no_err.noise_scale >= 1
    np.testing.assert_allclose(no_err.rho, MT_MODEL[0], rtol=1e-3)


def test_doi_equals_cli(nets, tmp_path):
    """doi=True: the depth of investigation the CLI computes for a section or an XYZ table;
    the ranges' with ranges; None otherwise."""
    rho_a = bpinv.forward("schlumberger", *MODEL, AB2)
    snd = write_table(tmp_path / "a.csv", {"ab2_m": AB2, "rho_a_ohmm": rho_a})
    ref, r = cli_json("invert", nets["schlumberger"], snd, "--format", "json", "--xyz",
                      tmp_path / "a.xyz")
    assert r.returncode == 0, r.stderr
    ref = ref["soundings"][0]
    with bpinv.Net(nets["schlumberger"]) as net:
        a = net.invert(AB2, rho_a, doi=True)
        (b,) = net.invert_many([snd], doi=True)
        plain = net.invert(AB2, rho_a)
        ranged = net.invert(AB2, rho_a, ranges=True)
    assert ref["doi_m"] > 0 and a.doi_m == b.doi_m == ref["doi_m"]
    assert plain.doi_m is None
    assert ranged.doi_m == ranged.ranges["doi_m"] > 0
    lo, med, hi = ranged.ranges["doi_interval_m"]
    assert 0 < lo <= med <= hi


def test_ranges_of_a_noiseless_net_refused(bpinv_cli, tmp_path):
    """ranges with a net of noise-0 samples: refused at once, as bpinv invert --ranges (each
    sounding's Result held the error); without ranges it inverts."""
    cli("samples", "-m", "schlumberger", "--layers", 2, "--ab2", "1:1000:20", "--rho", "1:1000",
        "--thick", "1:50", "--noise", 0, "-n", 500, "-o", tmp_path / "s0.h5", "-q")
    cli("train", tmp_path / "s0.h5", "-o", tmp_path / "n0.h5", "--epochs", 2, "--hidden", 8, "-q")
    rho_a = bpinv.forward("schlumberger", [100.0, 10.0], [5.0], AB2)
    with bpinv.Net(tmp_path / "n0.h5") as net:
        with pytest.raises(bpinv.Error, match="^ranges: expected a net trained on noisy samples"):
            net.invert(AB2, rho_a, ranges=True)
        assert net.invert(AB2, rho_a).error is None


def test_equivalent_models_equal_cli(nets, tmp_path):
    """equivalent=True: the models --equivalent writes, each misfit its forward model's;
    the answer as without; refused without ranges, None when not asked."""
    rho_a = bpinv.forward("schlumberger", *MODEL, AB2)
    snd = write_table(tmp_path / "a.csv", {"ab2_m": AB2, "rho_a_ohmm": rho_a})
    ref, r = cli_json("invert", nets["schlumberger"], snd, "--format", "json", "--ranges",
                      "--equivalent", tmp_path / "eq.csv", "-j", 1)
    assert r.returncode == 0, r.stderr
    with open(tmp_path / "eq.csv") as f:
        rows = list(csv.DictReader(f))[1:]  # model 0: the answer
    with bpinv.Net(nets["schlumberger"]) as net:
        (a,) = net.invert_many([snd], ranges=True, equivalent=True)
        b = net.invert(AB2, rho_a, ranges=True)
        with pytest.raises(ValueError, match="^equivalent: the equivalent models are those"):
            net.invert(AB2, rho_a, equivalent=True)
        with pytest.raises(TypeError, match="^equivalent: expected True or False"):
            net.invert(AB2, rho_a, ranges=True, equivalent="yes")
    assert without(a.json) == without(ref["soundings"][0])
    assert b.equivalent is None and "models" not in b.ranges
    assert np.array_equal(a.rho, b.rho) and a.misfit_rms_pct == b.misfit_rms_pct
    eq = a.equivalent
    n = len(eq["misfit_rms_pct"])
    assert n == len(rows) == 100 and eq["rho"].shape == (n, 3) and eq["thick"].shape == (n, 2)
    assert np.all(np.isnan(eq["chi2"]))
    np.testing.assert_allclose(eq["rho"][:, 0], [float(x["rho_1_ohmm"]) for x in rows],
                               rtol=1e-5)
    assert list(eq["repeat"]) == [x["same_as"] != "" for x in rows]
    distinct = eq["rho"][~eq["repeat"]]  # the models a chain did not repeat
    assert len({tuple(m) for m in distinct}) == len(distinct) < n
    for k in (0, 37, 99):  # the misfit of the forward model, computed here
        f = bpinv.forward("schlumberger", eq["rho"][k], eq["thick"][k], AB2)
        want = 100 * np.sqrt(np.mean(((f - rho_a) / rho_a) ** 2))
        assert abs(eq["misfit_rms_pct"][k] - want) <= 1e-3 * want, (k, want)


def test_envelope_holds_the_equivalent_models(nets):
    """Result.envelope: at each depth, about the level's share of the equivalent models have
    their resistivity (and their S and T down to it, reckoned here) inside its interval; its
    ends are the first layer's and the half-space's intervals; None without ranges."""
    rho_a = bpinv.forward("schlumberger", *MODEL, AB2)
    with bpinv.Net(nets["schlumberger"]) as net:
        a = net.invert(AB2, rho_a, ranges=True, equivalent=True)
        assert net.invert(AB2, rho_a).envelope is None
    env, eq = a.envelope, a.equivalent
    z = env["depth"]
    assert z.shape == (64,) and env["rho"].shape == env["conductance"].shape == (64, 3)
    np.testing.assert_allclose(np.diff(np.log(z)), np.log(z[-1] / z[0]) / 63, atol=2e-5)
    assert list(env["rho"][0]) == a.ranges["rho_ohmm"][0]
    assert list(env["rho"][-1]) == a.ranges["rho_ohmm"][-1]
    tops = np.hstack([np.zeros((len(eq["rho"]), 1)), np.cumsum(eq["thick"], axis=1)])
    share = []
    for k, zk in enumerate(z):
        # each model's resistivity at zk, and its S and T from the surface to zk
        layer = np.sum(tops <= zk, axis=1) - 1
        rho = eq["rho"][np.arange(len(layer)), layer]
        bottoms = np.hstack([tops[:, 1:], np.full((len(layer), 1), np.inf)])
        dz = np.clip(np.minimum(bottoms, zk) - tops, 0, None)
        for got, want in ((rho, env["rho"][k]), (np.sum(dz / eq["rho"], axis=1),
                                                 env["conductance"][k]),
                          (np.sum(dz * eq["rho"], axis=1), env["transverse"][k])):
            assert want[0] <= want[1] <= want[2], (k, want)
            share.append(np.mean((got >= want[0] * (1 - 1e-5)) & (got <= want[2] * (1 + 1e-5))))
    # 100 of the models, spread over them: the 90 % intervals hold 80-100 % of them
    assert 0.8 <= np.mean(share) <= 1.0 and min(share) >= 0.6, (np.mean(share), min(share))


def test_ranges_honour_a_borehole(nets, tmp_path):
    """ranges= with fix= (bpinv invert --ranges --fix): the equivalent models hold the
    parameter fixed, the conductor's other parameter resolved by it; the CLI's the same."""
    rho_a = bpinv.forward("schlumberger", [100.0, 10.0, 1000.0], [5.0, 2.0], AB2)
    snd = write_table(tmp_path / "a.csv", {"ab2_m": AB2, "rho_a_ohmm": rho_a})
    ref, r = cli_json("invert", nets["schlumberger"], snd, "--format", "json", "--ranges",
                      "--fix", "h2=2", "-j", 1)
    assert r.returncode == 0, r.stderr
    with bpinv.Net(nets["schlumberger"]) as net:
        (a,) = net.invert_many([snd], ranges=True, fix={"h2": 2})
    assert without(a.json) == without(ref["soundings"][0])
    assert a.ranges["thick_m"][1] == [2, 2, 2] and a.thick[1] == 2
    lo, _, hi = a.ranges["rho_ohmm"][1]
    assert lo < 10 < hi and np.log10(hi / lo) < 0.2, a.ranges["rho_ohmm"][1]
    assert "rho_2" not in a.ranges["unresolved"]


def test_invert_many_paths_equals_cli(nets, tmp_path):
    d = tmp_path / "dir"
    d.mkdir()
    write_table(d / "a.csv", {"ab2_m": AB2, "rho_a_ohmm": bpinv.forward("schlumberger", *MODEL,
                                                                           AB2)})
    x = np.geomspace(1.5, 700, 17)
    write_table(d / "b.csv", {"ab2_m": x, "rho_a_ohmm": bpinv.forward("schlumberger",
                                                                     [30, 200, 10], [8, 30], x)})
    (d / "c.txt").write_text("# 1..5 m only: not inverted\n1 50\n2 40\n5 60\n")
    (d / "bad.csv").write_text("ab2_m,rho_a_ohmm\n1,10\n2,-3\n3,30\n")
    (d / "notes.md").write_text("not a sounding: skipped in a directory\n")
    paths = [d, MAWLAMYINE, tmp_path / "missing.csv", CULL]
    ref, r = cli_json("invert", nets["schlumberger"], *paths, "--format", "json", "-j", 1)
    assert r.returncode == 1  # some could not be read
    with bpinv.Net(nets["schlumberger"]) as net:
        res = net.invert_many(paths)
    assert len(res) == len(ref["soundings"]) == 7
    assert [without(x.json) for x in res] == [without(x) for x in ref["soundings"]]
    by_name = {os.path.basename(x.source): x for x in res}
    assert by_name["c.txt"].flags == ["not_inverted"] and by_name["c.txt"].rho is None
    assert by_name["c.txt"].n_layers is None and not by_name["c.txt"].in_range
    # why, in its note as on the command's standard error
    why = "not inverted: it covers %.2f decades of the net's span, less than the 1 decade " \
        "the net takes" % by_name["c.txt"].span_decades
    assert by_name["c.txt"].note.endswith(why) and why in r.stderr
    assert by_name["mawlamyine_loc3_schlumberger.csv"].flags == ["segment_jump"]
    # failures: the messages bpinv invert prints
    errors = [x.error for x in res if x.error is not None]
    printed = [ln[len("bpinv invert: "):] for ln in r.stderr.strip().splitlines()
               if not ln.startswith("bpinv invert: note: ")]
    assert errors == printed and len(errors) == 3
    bad = by_name["bad.csv"]
    assert bad.error == '%s:3: rho_a_ohmm: expected a finite number > 0, got "-3"' % (d / "bad.csv")
    assert bad.rho is None and bad.flags == [] and bad.in_range is False and bad.n_layers is None
    assert "error" in repr(bad)
    assert by_name["cull1985_mt.txt"].error == (
        "%s: an mt sounding, but the net is for schlumberger" % CULL)


def test_invert_many_mixed_and_components(nets, tmp_path):
    s = bpinv.read_sounding(MAWLAMYINE)
    mem = bpinv.Sounding("schlumberger", AB2, bpinv.forward("schlumberger", *MODEL, AB2))
    with bpinv.Net(nets["schlumberger"]) as net:
        res = net.invert_many([MAWLAMYINE, s, mem, str(MAWLAMYINE)])
        assert [r.source for r in res] == [str(MAWLAMYINE)] * 2 + ["sounding", str(MAWLAMYINE)]
        assert without(res[0].json) == without(res[1].json) == without(res[3].json)
        assert res[2].rho is not None
        # a sounding of another method: an error in its Result, an exception alone
        mt = bpinv.read_sounding(CULL, method="mt")
        r = net.invert_many([mt])[0]
        assert r.error == "%s: an mt sounding, but the net is for schlumberger" % CULL
        with pytest.raises(bpinv.Error) as e:
            net.invert_sounding(mt)
        assert str(e.value) == r.error
        with pytest.raises(bpinv.Error, match="^sounding: an mt sounding, but the net is for "
                                              "schlumberger$"):
            net.invert_sounding(bpinv.Sounding("mt", PERIODS, np.ones(20),
                                               phase=np.full(20, 45.0)))
    with bpinv.Net(nets["mt"]) as net:
        for comp in ("det", "xy", "yx", "berd"):
            ref, r = cli_json("invert", nets["mt"], PENOLA, CULL, "--format", "json", "-j", 1,
                              "--component", comp)
            assert r.returncode == 0, r.stderr
            res = net.invert_many([PENOLA, CULL], component=comp)
            assert [without(x.json) for x in res] == [without(x) for x in ref["soundings"]]
            assert [x.component for x in res] == [comp, None]
        assert res[0].chi2 is not None and res[0].name == "3"
        # a directory holding no sounding file: its Result with the error, not left out
        empty = tmp_path / "line2"
        empty.mkdir()
        (empty / "S01.EDI.orig").write_bytes(PENOLA.read_bytes())
        for comp in ("det", "xy", "berd"):  # xy's files are read here, not by the batch
            res = net.invert_many([PENOLA, empty], component=comp)
            assert [r.source for r in res] == [str(PENOLA), str(empty)]
            assert res[0].error is None and res[1].rho is None
            assert res[1].error == (
                "%s: expected sounding files in the directory (names ending in .csv, .txt, "
                ".dat, .tsv or .edi, any case), got only S01.EDI.orig (a file of another name: "
                "give it as an operand)" % empty), comp
        r = net.invert_many([MAWLAMYINE])[0]
        assert r.error == "%s: a schlumberger sounding, but the net is for mt" % MAWLAMYINE
    # a Schlumberger file's columns (AB/2, MN/2) fit a Wenner array too: its MN/2 told it,
    # "mn2_m: expected AB/2 / 3 ... read as Wenner?"; now as the other methods are said
    with bpinv.Net(nets["wenner"]) as wnet:
        r = wnet.invert_many([MAWLAMYINE])[0]
        assert r.error == "%s: a schlumberger sounding, but the net is for wenner" % MAWLAMYINE
    with bpinv.Net(nets["mt"]) as net:
        # an MT survey's folder, EDI files beside notes: the EDI files alone, as bpinv invert
        # reads it, what was left out in a NoteWarning (its note)
        folder = tmp_path / "line3"
        folder.mkdir()
        (folder / "S01.edi").write_bytes(PENOLA.read_bytes())
        (folder / "notes.txt").write_text("field notes\n")
        ref, r = cli_json("invert", nets["mt"], folder, "--format", "json", "-j", 1)
        assert r.returncode == 0, r.stderr
        with pytest.warns(bpinv.NoteWarning) as w:
            res = net.invert_many([folder])
        assert [without(x.json) for x in res] == [without(x) for x in ref["soundings"]]
        assert len(res) == 1 and res[0].error is None
        note = "%s: its .edi files only, for an MT net; 1 other file left out (notes.txt): " \
            "give it as operand to read it" % folder
        assert str(w[0].message) == note and ("bpinv invert: note: " + note) in r.stderr


def test_survey_tables(nets, tmp_path):
    """A survey table gives one Sounding (and one Result) per station, as bpinv invert reads
    it: long with a station column, wide with one rho_a column per station."""
    x = np.geomspace(1.5, 700, 17)
    models = {"S1": MODEL, "S2": ([30, 200, 10], [8, 30])}
    rho = {k: bpinv.forward("schlumberger", *m, x) for k, m in models.items()}
    long = tmp_path / "long.csv"
    with open(long, "w") as f:
        f.write("station,x (m),AB/2 (m),Rho_a (ohm-m)\n")
        for i, k in enumerate(models):
            f.writelines("%s,%d,%r,%r\n" % (k, 100 * i, a, r) for a, r in zip(x, rho[k]))
    wide = tmp_path / "wide.csv"
    with open(wide, "w") as f:
        f.write("AB/2 (m),S1,S2\n")
        f.writelines("%r,%r,%s\n" % (a, r1, "" if i == 0 else repr(r2))
                     for i, (a, r1, r2) in enumerate(zip(x, rho["S1"], rho["S2"])))
    got = bpinv.read_soundings(long)
    assert [s.name for s in got] == ["S1", "S2"] and got[1].x_m == 100
    for s in got:
        np.testing.assert_array_equal(s.rho_a, rho[s.name])
    w = bpinv.read_soundings(wide)
    assert [len(s.x) for s in w] == [17, 16]
    np.testing.assert_array_equal(w[1].rho_a, rho["S2"][1:])
    assert len(bpinv.read_soundings(MAWLAMYINE)) == 1
    # a wide table's empty column: the file's Error, as a station of too few readings is
    # (it was left out in silence), where invert_many fails that station alone
    gap = tmp_path / "gap.csv"
    gap.write_text("AB/2 (m),S1,S0,S2\n" + "".join(
        "%r,%r,,%r\n" % v for v in zip(x, rho["S1"], rho["S2"])))
    with pytest.raises(bpinv.Error, match='gap.csv:1: station "S0": expected at least 3 '
                                          r'points, got none \(its column is empty\)'):
        bpinv.read_soundings(gap)
    with pytest.raises(bpinv.Error, match="expected one sounding, got 2 stations"):
        bpinv.read_sounding(long)
    ref, r = cli_json("invert", nets["schlumberger"], long, MAWLAMYINE, wide, "--format", "json",
                      "-j", 1)
    assert r.returncode == 0, r.stderr
    with bpinv.Net(nets["schlumberger"]) as net:
        res = net.invert_many([long, MAWLAMYINE, wide])
        assert [without(x.json) for x in res] == [without(x) for x in ref["soundings"]]
        assert [x.name for x in res] == ["S1", "S2", res[2].name, "S1", "S2"]
        np.testing.assert_array_equal(res[0].rho, res[3].rho)
        # an EDI component with a DC net: refused (it would be ignored)
        with pytest.raises(ValueError, match="component: .*: expected a magnetotelluric net"):
            net.invert_many([long], component="xy")
    # an MT survey table through the path of EDI components (the files read here, then
    # inverted), as bpinv invert --component xy reads it: each station's one curve as it is
    mt = tmp_path / "mt_long.csv"
    with open(mt, "w") as f:
        f.write("station,period_s,rho_a_ohmm,phase_deg\n")
        for k, m in (("M1", MT_MODEL), ("M2", ([20.0, 200.0, 5.0], [100.0, 2000.0]))):
            rho_a, phase = bpinv.forward("mt", *m, PERIODS)
            f.writelines("%s,%r,%r,%r\n" % v for v in zip([k] * len(PERIODS), PERIODS, rho_a,
                                                             phase))
    ref, r = cli_json("invert", nets["mt"], mt, "--format", "json", "-j", 1, "--component", "xy")
    assert r.returncode == 0 and "component xy: a text file's one curve" in r.stderr, r.stderr
    with bpinv.Net(nets["mt"]) as net:
        res2 = net.invert_many([mt], component="xy")
        assert [x.name for x in res2] == ["M1", "M2"]
        assert [without(x.json, "source") for x in res2] == [without(x, "source")
                                                              for x in ref["soundings"]]
    # a station with a bad reading, or too few, fails alone (its name and error), in both
    # paths, as in the command: the long table's S1 with "x" once; an MT station of 2 points
    bad = tmp_path / "long_bad.csv"
    rows = open(long).read().splitlines()
    rows[3] = ",".join(rows[3].split(",")[:3] + ["x"])
    bad.write_text("\n".join(rows) + "\n")
    ref, r = cli_json("invert", nets["schlumberger"], bad, "--format", "json", "-j", 1)
    assert r.returncode == 1 and 'got "x" (station "S1")' in r.stderr, r.stderr
    with bpinv.Net(nets["schlumberger"]) as net:
        res3 = net.invert_many([bad])
    assert [without(x.json) for x in res3] == [without(x) for x in ref["soundings"]]
    assert [(x.name, x.ok) for x in res3] == [("S1", False), ("S2", True)]
    assert res3[0].error.endswith('bad.csv:4: rho_a_ohmm: expected a finite number > 0, got '
                                  '"x" (station "S1")')
    # ... while "NA" there is a spacing with no reading: left out, said, in both paths
    na = tmp_path / "long_na.csv"
    rows[3] = ",".join(rows[3].split(",")[:3] + ["NA"])
    na.write_text("\n".join(rows) + "\n")
    ref, r = cli_json("invert", nets["schlumberger"], na, "--format", "json", "-j", 1)
    assert r.returncode == 0 and 'station "S1": no reading in 1 row' in r.stderr, r.stderr
    st = bpinv.read_soundings(na)
    assert [len(s.x) for s in st] == [len(s.x) - (s.name == "S1") for s in bpinv.read_soundings(long)]
    assert "no reading in 1 row (Rho_a (ohm-m) empty, or -, NA; line 4): left out" in st[0].note
    with bpinv.Net(nets["schlumberger"]) as net:
        res4 = net.invert_many([na])
    assert [without(x.json) for x in res4] == [without(x) for x in ref["soundings"]]
    mt_bad = tmp_path / "mt_bad.csv"
    mt_bad.write_text(open(mt).read() + "M3,%r,10,45\nM3,%r,10,45\n" % (PERIODS[0], PERIODS[1]))
    ref, r = cli_json("invert", nets["mt"], mt_bad, "--format", "json", "-j", 1,
                      "--component", "yx")
    assert r.returncode == 1, r.stderr
    with bpinv.Net(nets["mt"]) as net:
        res4 = net.invert_many([mt_bad], component="yx")
    assert [(x.name, x.ok) for x in res4] == [("M1", True), ("M2", True), ("M3", False)]

    def given(d):  # the failed station's Result holds the keys that have a value
        return {k: v for k, v in without(d, "source").items() if v is not None}
    assert [given(x.json) for x in res4] == [given(x) for x in ref["soundings"]]


def test_holds_and_segment_ref_equal_cli(nets, tmp_path):
    """fix=, bound= and segment_ref= as bpinv invert's --fix, --bound and --segment-ref."""
    x = np.geomspace(1, 1000, 30)
    snd = write_table(tmp_path / "eq.csv", {"ab2_m": x, "rho_a_ohmm": bpinv.forward(
        "schlumberger", [100, 10, 1000], [5, 2], x) * (1 + 0.02 * np.sin(7 * np.arange(30)))})
    with bpinv.Net(nets["schlumberger"]) as net:
        for kw, opt in (({"fix": {"h2": 2}}, ["--fix", "h2=2.0"]),
                        ({"bound": {"depth2": (6, 7.5), "rho2": (8, 12)}},
                         ["--bound", "depth2=6:7.5,rho2=8:12"]),
                        ({"fix": "rho2=10"}, ["--fix", "rho2=10"]),
                        ({"segment_ref": "auto"}, ["--segment-ref", "auto"]),
                        ({"starts": 3, "fit_to": 0}, ["--starts", "3", "--fit-to", "0"])):
            ref, r = cli_json("invert", nets["schlumberger"], snd, MAWLAMYINE, "--format", "json",
                              "-j", 1, *opt)
            assert r.returncode == 0, r.stderr
            res = net.invert_many([snd, MAWLAMYINE], **kw)
            assert [without(x.json) for x in res] == [without(x) for x in ref["soundings"]]
        assert res[1].segments[0]["mn2_m"] == 1 and len(res[1].segments) == 4
        r = net.invert_many([snd], fix={"h2": 2})[0]
        assert r.thick[1] == 2
        # an empty dict, built in code, holds nothing (it was an error)
        free = net.invert_many([snd])[0]
        assert without(net.invert_many([snd], fix={}, bound={})[0].json) == without(free.json)
        with pytest.raises(bpinv.Error, match="h2=2: parameters are held in the refinement"):
            net.invert_many([snd], fix={"h2": 2}, refine=False)
        with pytest.raises(bpinv.Error, match="expected inside the prior of layer 2"):
            net.invert_sounding(bpinv.read_sounding(snd), fix={"rho2": 5000})
        with pytest.raises(bpinv.Error, match="expected rhoK, hK"):
            net.invert_many([snd], fix={"q1": 3})
        with pytest.raises(bpinv.Error, match="fit_to: expected a factor from 0 to 100, got -1"):
            net.invert_many([snd], fit_to=-1)
        # bools and strings are not numbers (starts=True ran one start, refine="0" none,
        # doi="no" was True, segment_ref=0 or True meant "first")
        for kw in ({"starts": True}, {"fit_to": False}, {"misfit_max": True}, {"refine": "0"},
                   {"doi": "no"}, {"segment_ref": True}, {"threads": "2"}):
            with pytest.raises(TypeError, match="%s: expected " % list(kw)[0]):
                net.invert_many([snd], **kw)
        for ref in (0, "0", -1, -5.0):
            with pytest.raises(ValueError, match="segment_ref: expected an MN/2 > 0 m"):
                net.invert_many([snd], segment_ref=ref)
        for kw in ({"starts": 3}, {"fit_to": 0}):
            with pytest.raises(ValueError, match="%s: a setting of the refinement: not with "
                                                 "refine=False" % list(kw)[0]):
                net.invert_many([snd], refine=False, **kw)
        with pytest.raises(TypeError, match=r"bound: h1: expected \(low, high\), numbers, got "
                                            r"\(1, 2, 3\)"):
            net.invert_many([snd], bound={"h1": (1, 2, 3)})
        with pytest.raises(TypeError, match="bound: rho_1: expected \\(low, high\\), numbers, "
                                            "got '19'"):
            net.invert_many([snd], bound={"rho_1": "19"})
        with pytest.raises(TypeError, match="fix: h1: expected a number, got 'x'"):
            net.invert_many([snd], fix={"h1": "x"})
        with pytest.raises(TypeError, match='segment_ref: expected "first", "auto" or an MN/2 in m, '
                                            "got 'zzz'"):
            net.invert_many([snd], segment_ref="zzz")
        with pytest.raises(ValueError, match="component: .*: expected a magnetotelluric net "
                                             r"\(the option chooses an EDI file's impedance\), "
                                             "got a schlumberger net"):
            net.invert_many([snd], component="xy")
    # an option of another method than the net's: refused, as by bpinv invert (exit 1)
    with bpinv.Net(nets["mt"]) as net:
        with pytest.raises(ValueError, match="segment_ref: .*: expected a Schlumberger net "
                                             r"\(the option joins segments of one MN/2\), got "
                                             "an mt net"):
            net.invert(np.geomspace(0.01, 10, 8), [np.full(8, 100.0), np.full(8, 45.0)],
                       segment_ref="auto")
        r = cli_json("invert", nets["mt"], MAWLAMYINE, "--segment-ref", "auto")[1]
        assert r.returncode == 1 and "got an mt net" in r.stderr, r.stderr
        # the default, given to every net by a script, as component="det" with a DC net
        res = net.invert(np.geomspace(0.01, 10, 8), [np.full(8, 100.0), np.full(8, 45.0)],
                         segment_ref="first")
        assert res.error is None and res.rho is not None
        ref, r = cli_json("invert", nets["mt"], PENOLA, "--segment-ref", "first", "--format",
                          "json")
        assert r.returncode == 0 and ref["soundings"][0]["error"] is None, r.stderr


def test_set_of_nets_equals_cli(nets, tmp_path):
    snd = write_table(tmp_path / "a.csv", {"ab2_m": AB2, "rho_a_ohmm": bpinv.forward(
        "schlumberger", *MODEL, AB2)})
    (tmp_path / "c.txt").write_text("1 50\n2 40\n5 60\n")
    for layers, opt in ((None, []), (2, ["--layers", "2"])):
        ref, r = cli_json("invert", nets["set"], snd, tmp_path / "c.txt", "--format", "json",
                          "-j", 1, *opt)
        assert r.returncode == 0, r.stderr
        with bpinv.Net(nets["set"]) as net:
            res = net.invert_many([snd, tmp_path / "c.txt"], layers=layers)
        assert [without(x.json) for x in res] == [without(x) for x in ref["soundings"]]
    with bpinv.Net(nets["set"]) as net:
        best = net.invert_many([snd])[0]
        with pytest.raises(bpinv.Error):
            net.invert(AB2, np.ones(20), layers=5)
    assert best.n_layers == 3 and len(best.rho) == 3
    assert [c["n_layers"] for c in best.layer_counts] == [2, 3]
    assert abs(sum(c["weight"] for c in best.layer_counts) - 1) < 1e-9


def test_field_sounding_result(nets):
    """The real Mawlamyine sounding, as bpinv invert gives it."""
    ref, r = cli_json("invert", nets["schlumberger"], MAWLAMYINE, "--format", "json")
    with bpinv.Net(nets["schlumberger"]) as net:
        res = net.invert_sounding(bpinv.read_sounding(MAWLAMYINE), threads=2)
    ref = ref["soundings"][0]
    assert without(res.json) == without(ref)
    assert res.name == "mawlamyine_loc3_schlumberger.csv" and "segment_jump" in res.flags
    assert 0 < res.misfit_rms_pct < 20 and len(res.depth) == 2


@pytest.mark.parametrize("net,path,method", [
    ("schlumberger", MAWLAMYINE, None),
    ("wenner", AUNGSAN, "wenner"),
    ("mt", CULL, "mt"),
    ("mt", PENOLA, None),
])
def test_field_soundings_misfit_from_forward(nets, net, path, method):
    """The misfit bpinv reports for a real sounding is that of bpinv.forward's response of
    the model at the sounding's own points (AB/2 and MN/2), against the data as bpinv joins
    them (Result.segment_factors: Mawlamyine's segments 1.6-1.9 apart); and the result
    is bpinv invert's."""
    ref, r = cli_json("invert", nets[net], path, "--format", "json")
    assert r.returncode == 0, r.stderr
    with bpinv.Net(nets[net]) as n:
        assert n.method == net
        s = bpinv.read_sounding(path, method=method)
        res = n.invert_sounding(s)
    assert without(res.json) == without(ref["soundings"][0])
    f = bpinv.forward(s.method, res.rho, res.thick, s.x, mn2=s.mn2)
    if s.method == "mt":
        # a phase error counts as 2 x its radians, the relative error of rho_a it goes with
        e = np.concatenate([(f[0] - s.rho_a) / s.rho_a, 2 * np.radians(f[1] - s.phase)])
    else:
        factor = res.segment_factors(s)
        assert (np.ptp(factor) > 0.5) == (path == MAWLAMYINE)
        d = s.rho_a * factor
        e = (f - d) / d
    misfit = 100 * np.sqrt(np.mean(e ** 2))
    assert float("%.4g" % misfit) == res.misfit_rms_pct


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(k, ctypes.c_size_t) for k in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                                                "usmblks", "fsmblks", "uordblks", "fordblks",
                                                "keepcost")]


def heap_kib():
    """Bytes in use in the C heap (glibc mallinfo2), KiB; None where there is no mallinfo2."""
    try:
        f = ctypes.CDLL(None).mallinfo2
    except AttributeError:
        return None
    f.restype = _Mallinfo2
    m = f()
    return (m.uordblks + m.hblkhd) // 1024


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def test_no_leaks(nets):
    """200 rounds of everything the package allocates in the library: the C heap does not
    grow (a sounding or a batch not freed would add 2-6 KiB a round), nor the RSS."""
    rho_a = bpinv.forward("schlumberger", *MODEL, AB2)
    with bpinv.Net(nets["schlumberger"]) as net:
        def loop(n):
            for _ in range(n):
                bpinv.forward("schlumberger", *MODEL, AB2)
                bpinv.forward("mt", *MT_MODEL, PERIODS)
                try:
                    bpinv.forward("schlumberger", [1, -1], [1], AB2)
                except bpinv.Error:
                    pass
                net.invert(AB2, rho_a, refine=5)
                net.invert_many([MAWLAMYINE, CULL], refine=False)
                with bpinv.read_sounding(MAWLAMYINE):
                    pass
                bpinv.Sounding("schlumberger", AB2, rho_a)  # freed by the garbage collector
                try:
                    bpinv.Sounding("schlumberger", AB2, -rho_a)
                except bpinv.Error:
                    pass
            gc.collect()
        loop(50)  # the allocator's pools and Python's caches settle
        heap, rss = heap_kib(), rss_kib()
        loop(200)
        heap_grown = None if heap is None else heap_kib() - heap
        rss_grown = rss_kib() - rss
    # loading and freeing nets: measured alone
    for _ in range(5):
        bpinv.Net(nets["schlumberger"]).close()
    gc.collect()
    heap = heap_kib()
    for _ in range(20):
        bpinv.Net(nets["schlumberger"]).close()
        bpinv.Net(nets["set"])  # freed by the garbage collector
    gc.collect()
    if heap is not None:
        assert heap_kib() - heap < 64, "loading nets: the C heap grew by %d KiB" % (
            heap_kib() - heap)
    if heap_grown is not None:
        assert heap_grown < 64, "the C heap grew by %d KiB over 200 rounds" % heap_grown
    assert rss_grown < 2 * 1024, "RSS grew by %d KiB over 200 rounds" % rss_grown


# --- the guide and the example script -------------------------------------------------------

def test_guide_code_runs(nets, tmp_path, monkeypatch):
    """The Python blocks of docs/python.md, run in order in one namespace, with the small nets
    of the tests in place of the demo's."""
    pytest.importorskip("matplotlib")
    import re
    import matplotlib
    matplotlib.use("Agg")
    text = (REPO / "docs" / "python.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 5
    (tmp_path / "docs").symlink_to(REPO / "docs")
    (tmp_path / "build" / "demo").mkdir(parents=True)
    (tmp_path / "build" / "demo" / "mt.net.h5").symlink_to(nets["mt"])
    (tmp_path / "schlumberger.net.h5").symlink_to(nets["schlumberger"])
    monkeypatch.chdir(tmp_path)
    g = {}
    for b in blocks:
        if "import h5py" in b and importlib.util.find_spec("h5py") is None:
            continue
        exec(compile(b, "docs/python.md", "exec"), g)
    assert float("%.4g" % g["misfit"]) == g["res"].misfit_rms_pct
    assert (tmp_path / "mawlamyine.png").stat().st_size > 10000



@pytest.mark.parametrize("net,sounding,extra", [
    ("schlumberger", MAWLAMYINE, []),
    ("mt", CULL, ["--method", "mt"]),
])
def test_example_script(nets, tmp_path, net, sounding, extra):
    pytest.importorskip("matplotlib")
    png = tmp_path / "out.png"
    script = REPO / "tools" / "python" / "examples" / "invert_sounding.py"
    env = dict(os.environ, MPLBACKEND="Agg")
    r = subprocess.run([sys.executable, str(script), str(nets[net]), str(sounding), "-o",
                        str(png)] + extra, capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10000
    assert "misfit" in r.stdout and "layer" in r.stdout
    # an existing picture: refused before any work, replaced with --force
    png.write_bytes(b"keep")
    cmd = [sys.executable, str(script), str(nets[net]), str(sounding), "-o", str(png)] + extra
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 1 and "out.png: exists (use --force to replace it)" in r.stderr
    assert png.read_bytes() == b"keep" and r.stdout == ""
    r = subprocess.run(cmd + ["--force"], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0 and png.read_bytes()[:4] == b"\x89PNG", r.stderr


# --- threads, Ctrl-C and what is not a number ----------------------------------------------

def _profile(n):
    """n synthetic Schlumberger soundings over AB2 (3 layers, 3 % noise, fixed seed)."""
    rng = np.random.default_rng(7)
    out = []
    for k in range(n):
        rho = [10 ** rng.uniform(1, 3), 10 ** rng.uniform(0, 2), 10 ** rng.uniform(1, 3)]
        d = bpinv.forward("schlumberger", rho, [10 ** rng.uniform(0, 1.3),
                                                10 ** rng.uniform(0.5, 1.7)], AB2)
        out.append(bpinv.Sounding("schlumberger", AB2, d * np.exp(0.03 * rng.standard_normal(
            len(AB2))), name="s%d" % k))
    return out


def test_close_while_another_thread_inverts(nets, monkeypatch):
    """close() of the net and of a sounding from another thread during invert_many (here
    while its first batch runs) frees them when the call ends, not under it: the results
    are the reference's (before, most came back not_inverted); a call after it is refused."""
    import threading
    from bpinv import _net
    soundings = _profile(60)
    with bpinv.Net(nets["schlumberger"]) as net:
        want = [repr(r) for r in net.invert_many(soundings, ranges=True)]
    net = bpinv.Net(nets["schlumberger"])
    real = _net.Net._batch_one
    seen = []

    def closing(self, params, soundings=None, paths=None):
        if not seen:
            t = threading.Thread(target=lambda: (net.close(), soundings[0].close()))
            t.start()
            t.join()
            seen.append(net.closed and soundings[0].closed)
        return real(self, params, soundings=soundings, paths=paths)

    monkeypatch.setattr(_net.Net, "_batch_one", closing)
    assert [repr(r) for r in net.invert_many(soundings, ranges=True)] == want
    assert seen == [True] and len(want) == 60
    with pytest.raises(ValueError, match="closed"):
        net.invert_many(soundings[1:], ranges=True)
    with pytest.raises(ValueError, match="closed"):
        bpinv.Net(nets["schlumberger"]).invert_sounding(soundings[0])
    assert not net._finalizer.alive and not soundings[0]._finalizer.alive  # freed


def test_forward_object_shared_by_threads():
    """One Forward from several threads: the calls take turns on its workspace, each answer
    the serial one (before, most were wrong or blamed the data)."""
    x = np.geomspace(1, 1000, 300)
    models = [([10.0 * (k + 1), 10, 1000], [5, 20]) for k in range(8)]
    want = [bpinv.forward("schlumberger", r, h, x) for r, h in models]
    bad = []
    with bpinv.Forward("schlumberger", x) as f:
        want_j = [f.jacobian(r, h)[1] for r, h in models]

        def work(k):
            for _ in range(30):
                if not np.array_equal(f(*models[k]), want[k]):
                    bad.append(k)
                if not np.array_equal(f.jacobian(*models[k])[1], want_j[k]):
                    bad.append(k)

        in_threads(work, 8)
    assert not bad


def test_forward_closed_from_inside_its_call(monkeypatch):
    """A Forward closed from inside its own call (a __del__ or a signal handler of the
    thread) is freed when the call ends, not under it; a close() before the call's turn
    makes the call refuse. Here the library's fwd_eval stands in for that moment."""
    from bpinv import _forward
    f = bpinv.Forward("schlumberger", AB2)
    want = f(*MODEL)
    real = _forward.lib
    seen = []

    class Closing:
        def __getattr__(self, name):
            return getattr(real, name)

        def fwd_eval(self, *args):
            f.close()
            seen.append(f._finalizer.alive)
            return real.fwd_eval(*args)

    monkeypatch.setattr(_forward, "lib", Closing())
    np.testing.assert_array_equal(f(*MODEL), want)
    assert seen == [True] and f.closed and not f._finalizer.alive
    with pytest.raises(ValueError, match="closed"):
        f(*MODEL)


def test_invert_many_in_batches_ctrl_c_between(nets, monkeypatch):
    """invert_many runs in batches (a call into the library cannot be interrupted): the
    results are those of one batch, and a KeyboardInterrupt between batches stops it."""
    from bpinv import _net
    soundings = _profile(40)
    with bpinv.Net(nets["schlumberger"]) as net:
        calls = []
        real = _net.Net._batch_one

        def counted(self, params, soundings=None, paths=None):
            calls.append(len(soundings if soundings is not None else paths))
            return real(self, params, soundings=soundings, paths=paths)

        monkeypatch.setattr(_net.Net, "_batch_one", counted)
        got = [repr(r) for r in net.invert_many(soundings, ranges=True, threads=1)]
        assert calls == [16, 16, 8]
        with _net._Params(ranges=True) as p:
            one = [repr(r) for r in real(net, p, soundings=soundings)]
        assert got == one

        def interrupted(self, params, soundings=None, paths=None):
            if calls:
                raise KeyboardInterrupt
            calls.append(1)
            return real(self, params, soundings=soundings, paths=paths)

        calls.clear()
        monkeypatch.setattr(_net.Net, "_batch_one", interrupted)
        with pytest.raises(KeyboardInterrupt):
            net.invert_many(soundings, ranges=True)
        assert calls == [1]


@pytest.mark.parametrize("bad", [[True, True, False], ["300", "20", "10"], [1 + 2j, 3, 4],
                                 [1, True, 3], [99.5, False, 3.0], np.array([1, 2, 3j]),
                                 np.array(["300", "20", "10"], dtype=object), [10 ** 400, 1, 2],
                                 bytearray(b"300"), np.ma.array([1.0, 2, 3], mask=[0, 1, 0])])
def test_not_real_numbers_refused(bad, nets):
    """Booleans, strings, bytes, complex numbers, numbers beyond a double and masked values,
    alone or among numbers, are refused, not read as 1, 300, their codes, their real part
    or the values the mask hides: by forward, Sounding and Net.invert (data and errors)."""
    with pytest.raises(TypeError, match="rho: expected real numbers"):
        bpinv.forward("schlumberger", bad, [1, 2], AB2)
    with pytest.raises(TypeError, match="rho_a: expected real numbers"):
        bpinv.Sounding("schlumberger", [1, 2, 3], bad)
    if isinstance(bad, (bytearray, np.ndarray)):  # not as elements of a list
        return
    with bpinv.Net(nets["schlumberger"]) as net:
        d = list(bpinv.forward("schlumberger", *MODEL, AB2))
        with pytest.raises(TypeError, match="data: expected real numbers"):
            net.invert(AB2, d[:-3] + list(bad))
        with pytest.raises(TypeError, match="errors: expected real numbers"):
            net.invert(AB2, d, errors=[0.02] * (len(d) - 3) + list(bad))


def test_real_numbers_of_any_kind_taken():
    """Numbers numpy and Python hold in other types are taken: float32, numpy scalars in a
    list, Fraction, Decimal, a memoryview of doubles, a masked array with nothing masked."""
    import decimal
    import fractions
    want = bpinv.forward("schlumberger", [100.0, 20.0, 300.0], [4.0, 15.0], AB2)
    for rho in (np.array([100, 20, 300], dtype=np.float32), [np.float64(100), np.int64(20), 300],
                [np.array(100.0), np.array(20), 300.0],
                [fractions.Fraction(100), decimal.Decimal("20"), 300],
                memoryview(np.array([100.0, 20.0, 300.0])),
                np.ma.array([100.0, 20.0, 300.0], mask=[0, 0, 0])):
        np.testing.assert_array_equal(bpinv.forward("schlumberger", rho, [4, 15], AB2), want)


def test_errors_in_percent_noted(nets):
    """Errors of log10 rho_a above a decade (5 given for 5 %) are said in the note."""
    d = bpinv.forward("schlumberger", *MODEL, AB2)
    s = bpinv.Sounding("schlumberger", AB2, d, sd_log10=np.full(len(AB2), 5.0))
    assert "sd_log10 up to 5 decades of rho_a (a factor 1e+05): errors in percent?" in s.note
    assert bpinv.Sounding("schlumberger", AB2, d, sd_log10=np.full(len(AB2), 0.02)).note == ""
    with bpinv.Net(nets["schlumberger"]) as net:
        r = net.invert(AB2, d, errors=np.full(len(AB2), 5.0))
        assert "errors in percent?" in r.note
        # one error for all the points (as the guide's errors=5), the same as one per point
        one = net.invert(AB2, d, errors=5)
        assert "errors in percent?" in one.note and one.chi2 == r.chi2


def test_mt_errors_of_one_value(nets):
    """An MT sounding with errors of rho_a alone (or of the phase alone) is weighed, fitted
    and judged as with the other's errors derived through the impedance error e (sd log10
    rho_a = 2 e / ln 10, sd phase = e radians): the same answer, chi2 and chi2_given as the
    sounding given both (chi2 was None: the fit weighed the errors, the check did not)."""
    rho, ph = bpinv.forward("mt", *MT_MODEL, PERIODS)
    rng = np.random.default_rng(7)
    rho = rho * np.exp(0.03 * rng.standard_normal(len(rho)))
    ph = ph + 1.0 * rng.standard_normal(len(ph))
    sl = np.linspace(0.01, 0.03, len(rho))
    sp = sl * np.log(10) / 2 * 180 / np.pi
    with bpinv.Net(nets["mt"]) as net:
        both = net.invert(PERIODS, [rho, ph], errors=sl, sd_phase=sp)
        alone = net.invert(PERIODS, [rho, ph], errors=sl)
        phase_alone = net.invert(PERIODS, [rho, ph], sd_phase=sp)
    assert both.chi2 is not None and both.chi2_given is not None
    for r in (alone, phase_alone):
        np.testing.assert_allclose(r.rho, both.rho, rtol=1e-9)
        np.testing.assert_allclose(r.thick, both.thick, rtol=1e-9)
        np.testing.assert_allclose([r.chi2, r.chi2_given], [both.chi2, both.chi2_given],
                                   rtol=1e-9)
        assert r.flags == both.flags


def test_one_error_for_all_points(nets):
    """sd_log10= and sd_phase= (and Net.invert's errors=) take one value for every point,
    as mn2= does: the same Sounding as the value repeated; two values are refused."""
    rho, ph = bpinv.forward("mt", *MT_MODEL, PERIODS)
    n = len(PERIODS)
    a = bpinv.Sounding("mt", PERIODS, rho, phase=ph, sd_log10=0.01, sd_phase=0.5)
    b = bpinv.Sounding("mt", PERIODS, rho, phase=ph, sd_log10=np.full(n, 0.01),
                       sd_phase=np.full(n, 0.5))
    assert np.array_equal(a.sd_log10, b.sd_log10) and np.array_equal(a.sd_phase, b.sd_phase)
    with pytest.raises(bpinv.Error, match="sd_log10_rho_a: expected %d values" % n):
        bpinv.Sounding("mt", PERIODS, rho, phase=ph, sd_log10=[0.01, 0.02])
    with bpinv.Net(nets["mt"]) as net:
        assert net.invert(PERIODS, [rho, ph], errors=0.01, sd_phase=0.5).chi2 == \
            net.invert_sounding(b).chi2


def test_phases_outside_noted():
    """MT phases outside 0-90 degrees are said in the note (the e^(-i omega t) convention)."""
    rho, ph = bpinv.forward("mt", *MT_MODEL, PERIODS)
    assert bpinv.Sounding("mt", PERIODS, rho, phase=ph).note == ""
    s = bpinv.Sounding("mt", PERIODS, rho, phase=-ph)
    assert s.note.startswith("%d of %d phases outside 0-90 degrees" % (len(ph), len(ph)))
    assert "another sign convention?" in s.note


def test_gsl_error_handler_is_off():
    # GSL's default handler aborts the process; the package turns it off at import, so a
    # GSL error (raised here by hand, through the library's GSL) returns to the caller
    code = (
        "import ctypes, bpinv\n"
        "f = bpinv._lib.lib.gsl_error\n"
        "f.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]\n"
        "f(b'test', b'here', 1, 1)\n"
        "print('returned')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=dict(os.environ))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "returned"


def test_sounding_read_only_copied_and_pickled(nets):
    """A Sounding's attributes are read-only and its arrays not writeable (an inversion reads
    the library's copy: edits were accepted and ignored); copy, deepcopy and pickle give a
    sounding of its own copy, which outlives the original and inverts the same; a position
    given to the constructor reaches the results."""
    import copy
    import gc
    import pickle

    d = bpinv.forward("schlumberger", [100, 10, 1000], [5, 20], AB2)
    s = bpinv.Sounding("schlumberger", AB2, d, name="A", x_m=100, y_m=-5.5)
    with pytest.raises(ValueError, match="read-only"):
        s.rho_a[:] = 3
    for key in ("name", "x", "x_m", "note"):
        with pytest.raises(AttributeError, match="%s is read-only" % key):
            setattr(s, key, getattr(s, key))
    with pytest.raises(TypeError, match="x_m: expected a finite number of metres, got 'a'"):
        bpinv.Sounding("schlumberger", AB2, d, x_m="a")
    with pytest.raises(TypeError, match="elevation_m: .* got nan"):
        bpinv.Sounding("schlumberger", AB2, d, elevation_m=float("nan"))
    m = bpinv.read_sounding(MAWLAMYINE)
    with bpinv.Net(nets["schlumberger"]) as net:
        r = net.invert_many([s])[0]
        assert r.position == {"x_m": 100, "y_m": -5.5}
        for orig in (s, m):
            want = without(net.invert_sounding(orig).json)
            for dup in (copy.copy(orig), copy.deepcopy(orig), pickle.loads(pickle.dumps(orig))):
                for key in ("method", "name", "source", "note", "unused", "x_m", "y_m"):
                    assert getattr(dup, key) == getattr(orig, key) or key.endswith("_m") and \
                        np.isnan(getattr(dup, key)) and np.isnan(getattr(orig, key)), key
                for key in ("x", "mn2", "rho_a", "sd_log10", "line"):
                    a, b = getattr(dup, key), getattr(orig, key)
                    assert (a is None and b is None) or np.array_equal(a, b), key
                assert without(net.invert_sounding(dup).json) == want
        c = copy.copy(m)
        del m
        gc.collect()  # its own copy: not closed with m's
        assert without(net.invert_sounding(c).json) == want
    s.close()
    with pytest.raises(ValueError, match="closed"):
        pickle.dumps(s)
    # a note cut to its room at a character's end, not inside one (a reviewer's: one byte
    # of Latin-1 read as U+FFFD grows to three in UTF-8)
    from bpinv._sounding import _cut
    assert _cut("a" * 510 + "\u00e9", 511) == b"a" * 510
    assert _cut("a" * 509 + "\u00e9", 511) == ("a" * 509 + "\u00e9").encode()


def test_result_row_is_the_cli_csv_row(nets, tmp_path):
    """Result.row() holds the values of bpinv invert's CSV columns of the same name, for a
    survey table of several stations with positions, and a failed sounding's error."""
    x = np.geomspace(1, 1000, 20)
    rows = []
    for k, (rho, h) in enumerate((([30, 200, 10], [8, 30]), ([100, 10, 1000], [5, 20]))):
        d = bpinv.forward("schlumberger", rho, h, x)
        rows += ["S%d,%d,%r,%r" % (k, 50 * k, a, v) for a, v in zip(x, d)]
    survey = tmp_path / "survey.csv"
    survey.write_text("station,x_m,ab2_m,rho_a_ohmm\n" + "\n".join(rows) + "\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("ab2_m,rho_a_ohmm\n1,10\n2,-3\n4,12\n")
    r = cli("invert", nets["schlumberger"], survey, bad, "-j", 1, check=False)
    assert r.returncode == 1, r.stderr  # one sounding failed: its row says why
    want = list(csv.DictReader(io.StringIO(r.stdout)))
    with bpinv.Net(nets["schlumberger"]) as net:
        got = [res.row() for res in net.invert_many([survey, bad])]
    assert len(got) == len(want) == 3
    for g, w in zip(got, want):
        assert (g["name"] or "") == w["name"] and g["source"] == w["source"]
        if w["error"]:
            assert g["error"] == w["error"] and g["n_layers"] is None
            continue
        for key, value in w.items():
            if key in ("time_ms", "error") or key not in g:
                continue
            if value == "":
                assert g[key] in (None, ""), key
            elif key in ("refined", "in_range"):
                assert g[key] == (value == "true"), key
            elif key in ("name", "source", "method", "flags"):
                assert g[key] == value, key
            else:
                assert float(value) == pytest.approx(g[key], rel=1e-5), key
        assert g["depth_2_m"] == pytest.approx(g["thick_1_m"] + g["thick_2_m"])
        assert {"rho_1_ohmm", "thick_2_m", "misfit_rms_pct", "flags", "in_range"} <= set(w) & set(g)
    assert got[1]["x_m"] == 50 and "rho_3_ohmm" in got[0]


def test_notes_are_warnings(nets, tmp_path):
    """A result's note is also a NoteWarning, as bpinv invert prints it on stderr (a tester
    saw errors given in percent pass without a word); a result without one warns nothing."""
    import warnings
    d = bpinv.forward("schlumberger", *MODEL, AB2)
    with bpinv.Net(nets["schlumberger"]) as net:
        with pytest.warns(bpinv.NoteWarning) as w:
            r = net.invert(AB2, d, errors=5, name="pct")
        assert r.note and "errors in percent?" in r.note
        assert [str(x.message) for x in w] == ["pct: " + r.note]
        ref, c = cli_json("invert", nets["schlumberger"], MAWLAMYINE, "--format", "json")
        with pytest.warns(bpinv.NoteWarning) as w:
            m = net.invert_many([MAWLAMYINE])[0]
        assert str(w[0].message) == "%s: %s" % (MAWLAMYINE, m.note)
        assert ("bpinv invert: note: %s: %s" % (MAWLAMYINE, m.note)) in c.stderr
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            clean = net.invert(AB2, d)
        assert clean.note is None


def test_invert_many_refuses_arrays_briefly(nets):
    """A numpy array given to invert_many is named by its shape, not printed whole (a
    tester's TypeError held every value)."""
    with bpinv.Net(nets["schlumberger"]) as net:
        with pytest.raises(TypeError, match=r"^invert_many: expected Sounding objects and "
                                            r"paths, got a numpy array of shape \(2, 500\) "
                                            r"\(build a bpinv.Sounding of it\)$"):
            net.invert_many([np.ones((2, 500))])
        with pytest.raises(TypeError, match=r"got 3$"):
            net.invert_many([3])


def test_drop_outlier_equals_cli(nets, tmp_path):
    """drop_outlier=True: the spike left out, as --drop-outlier; refused without refining."""
    rho_a = bpinv.forward("schlumberger", *MODEL, AB2)
    spiked = rho_a.copy()
    spiked[8] *= 3
    snd = write_table(tmp_path / "spike.csv", {"ab2_m": AB2, "rho_a_ohmm": spiked})
    ref, r = cli_json("invert", nets["schlumberger"], snd, "--format", "json",
                      "--drop-outlier", "-j", 1)
    assert r.returncode == 0 and "left out (--drop-outlier)" in r.stderr, r.stderr
    with bpinv.Net(nets["schlumberger"]) as net:
        (a,) = net.invert_many([snd], drop_outlier=True)
        b = net.invert(AB2, spiked)
        c = net.invert(np.delete(AB2, 8), np.delete(spiked, 8))
        with pytest.raises(ValueError, match="^drop_outlier: .*not with refine=False"):
            net.invert(AB2, spiked, refine=False, drop_outlier=True)
        with pytest.raises(TypeError, match="^drop_outlier: expected True or False"):
            net.invert(AB2, spiked, drop_outlier="yes")
    assert without(a.json) == without(ref["soundings"][0])
    assert "outlier_reading" in b.flags and b.dropped_point is None
    assert a.flags == c.flags + ["outlier_dropped"] and np.array_equal(a.rho, c.rho)
    assert a.dropped_point == pytest.approx(AB2[8], rel=1e-5) and a.dropped_sigmas > 5
