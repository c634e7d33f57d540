# SPDX-License-Identifier: MIT
"""bpinv.Sounding and bpinv.read_sounding: field soundings (libfwd's fwd_sounding)."""

import ctypes
import functools
import math
import os

import numpy as np

from . import _lib
from ._lib import lib


def _copy(ptr, n, dtype=np.float64):
    """n values at a C pointer as a new numpy array; None for NULL."""
    if not ptr:
        return None
    return np.ctypeslib.as_array(ptr, shape=(n,)).astype(dtype, copy=True)


def _is_edi(path):
    """As the library decides: named *.edi (or *.EDI), or its first non-blank text is >HEAD."""
    p = os.fsdecode(path)
    if len(p) > 4 and p[-4:] in (".edi", ".EDI"):
        return True
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.lstrip().startswith(b">HEAD")


class Sounding(_lib.Owned):
    """One sounding: the data of one station, sorted by spacing or period.

    Made from arrays, or read from a file with :func:`read_sounding`. Every value is checked
    by the library as ``bpinv invert`` checks a file's (finite, > 0 but for phases, phases in
    -180..180 degrees with the third quadrant brought to the first, MN/2 below AB/2, no point
    twice, at least 3 points); the points are then sorted by x (and MN/2).

    Parameters
    ----------
    method : str
        ``"schlumberger"``, ``"wenner"`` or ``"mt"``.
    x : array_like
        AB/2 in m (Schlumberger), electrode spacing a in m (Wenner) or periods in s (MT).
    rho_a : array_like
        Apparent resistivities, ohm-m.
    phase : array_like, optional
        MT only, and required there: impedance phases, degrees.
    mn2 : array_like or float, optional
        Schlumberger only: MN/2 in m, one per point or one for all. An AB/2 may repeat with
        different MN/2 (segments).
    sd_log10 : array_like or float, optional
        Standard errors of log10 rho_a (decades), one per point or one for all.
    sd_phase : array_like or float, optional
        MT only: standard errors of the phases, degrees, one per point or one for all.
    name : str, optional
        The station's name (also its ``source``); default ``"sounding"``.
    x_m, y_m, elevation_m : float, optional
        Where the station is (m), for the results' ``position`` and a section; default NaN.

    Attributes
    ----------
    method, name, source : str
    x, rho_a : numpy.ndarray
        As above, sorted.
    mn2, phase, sd_log10, sd_phase : numpy.ndarray or None
    line : numpy.ndarray of int
        For each point, the 1-based line of the file it came from, or the 1-based index in
        the arrays given.
    unused : str
        A text file's columns that were not read, as its header names them (``'"Remarks",
        "Date"'``); ``""`` when none.
    note : str
        What the reader assumed or doubted about the file (a full AB or MN column halved,
        numbers that may hold thousands separators); ``""`` when nothing.
    component : str or None
        The impedance an EDI file's curve is of, ``"det"``, ``"xy"``, ``"yx"`` or
        ``"berd"``; None for a text file's one curve and for DC.
    x_m, y_m, elevation_m, lat_deg, lon_deg : float
        Where the station is, as the file says (text columns x, y, elevation, lat, lon; EDI
        LAT, LONG, ELEV, else REFLAT, REFLONG, REFELEV); NaN where it does not.

    Raises
    ------
    bpinv.Error
        A bad value, with the library's message naming the array and the 0-based index:
        ``"site: rho_a_ohmm[4]: expected a finite number > 0, got -3"``.

    The sounding holds a copy of its data in the library, freed by :meth:`close` (or a
    ``with`` block, or when it is garbage collected). The attributes are read-only and the
    arrays not writeable: an inversion reads the library's copy, which edits here would not
    reach (build a new Sounding instead). ``copy.copy``, ``copy.deepcopy`` and ``pickle``
    give a sounding of its own copy.
    """

    def __init__(self, method, x, rho_a, phase=None, mn2=None, sd_log10=None, sd_phase=None,
                 name=None, x_m=None, y_m=None, elevation_m=None):
        m = _lib.method_code(method)
        x = _lib.array(x, "x")
        rho_a = _lib.array(rho_a, "rho_a")
        phase = _lib.array(phase, "phase", allow_none=True)
        mn2 = _lib.array(mn2, "mn2", allow_none=True)
        if mn2 is not None and len(mn2) == 1 and len(x) > 1:
            mn2 = np.full(len(x), mn2[0])
        sd_log10 = _lib.array(sd_log10, "sd_log10", allow_none=True)
        sd_phase = _lib.array(sd_phase, "sd_phase", allow_none=True)
        # one value for all the points, as mn2
        if sd_log10 is not None and len(sd_log10) == 1 and len(x) > 1:
            sd_log10 = np.full(len(x), sd_log10[0])
        if sd_phase is not None and len(sd_phase) == 1 and len(x) > 1:
            sd_phase = np.full(len(x), sd_phase[0])
        # the library reads len(x) values of each array: the lengths are checked here, in
        # its words (the arrays by their column names)
        xcol = _lib.X_COLUMNS[_lib.METHODS[m]]
        for col, a in (("rho_a_ohmm", rho_a), ("phase_deg", phase), ("mn2_m", mn2),
                       ("sd_log10_rho_a", sd_log10), ("sd_phase_deg", sd_phase)):
            if a is not None and len(a) != len(x):
                raise _lib.Error(_lib.EINVAL, "%s: %s: expected %d values (one per %s), got %d"
                                 % (name or "sounding", col, len(x), xcol, len(a)), col)
        e = _lib.new_err()
        ptr = lib.fwd_sounding_from_arrays(
            None if name is None else _lib.encode_name(name), m, len(x), _lib.dptr(x),
            _lib.dptr(mn2),
            _lib.dptr(rho_a), _lib.dptr(phase), _lib.dptr(sd_log10), _lib.dptr(sd_phase),
            ctypes.byref(e))
        if not ptr:
            _lib.raise_err(e)
        c = ptr.contents
        for key, v in (("x_m", x_m), ("y_m", y_m), ("elevation_m", elevation_m)):
            if v is None:
                continue
            try:
                f = float(v)
            except (TypeError, ValueError):
                f = None
            if isinstance(v, (bool, np.bool_, str, bytes)) or f is None or not math.isfinite(f):
                lib.fwd_sounding_free(ptr)
                raise TypeError("%s: expected a finite number of metres, got %r" % (key, v))
            setattr(c, key, f)
        self._adopt(ptr)

    @classmethod
    def _from_ptr(cls, ptr):
        s = cls.__new__(cls)
        s._adopt(ptr)
        return s

    def _adopt(self, ptr):
        """Takes ownership of a fwd_sounding * and copies its contents into numpy arrays."""
        object.__setattr__(self, "_ptr", ptr)
        self._own(lib.fwd_sounding_free, ptr)
        self._load()

    def _load(self):
        """The attributes from the library's copy: read-only numpy arrays."""
        c = self._ptr.contents
        n = c.n
        put = functools.partial(object.__setattr__, self)
        put("method", _lib.method_name(c.method))
        # as the JSON output writes them: a byte that is not UTF-8 (a Latin-1 file name) as
        # Python's surrogateescape does, so that os.fsencode gives the bytes back
        put("name", os.fsdecode(c.name))
        put("source", os.fsdecode(c.source))
        put("unused", c.unused.decode("utf-8", "replace"))
        put("note", c.note.decode("utf-8", "replace"))
        put("component", c.component.decode("ascii", "replace") or None)
        for key in ("x_m", "y_m", "elevation_m", "lat_deg", "lon_deg"):
            put(key, getattr(c, key))
        for key in ("x", "mn2", "rho_a", "phase", "sd_log10", "sd_phase", "line"):
            a = _copy(getattr(c, key), n, np.int64 if key == "line" else np.float64)
            if a is not None:
                a.setflags(write=False)
            put(key, a)

    def __setattr__(self, key, value):
        if key in _DATA:
            raise AttributeError(
                "bpinv.Sounding %r: %s is read-only: an inversion reads the library's copy of "
                "the data, which this would not change (build a new bpinv.Sounding)"
                % (getattr(self, "name", "?"), key))
        object.__setattr__(self, key, value)

    def __copy__(self):
        with self._held():
            ptr = lib.fwd_sounding_copy(self._ptr)
        if not ptr:
            raise MemoryError("bpinv: out of memory")
        return Sounding._from_ptr(ptr)

    def __deepcopy__(self, memo):
        return self.__copy__()

    def __reduce__(self):
        if self.closed:
            raise self._closed_error()
        return _unpickle, ({key: getattr(self, key) for key in sorted(_DATA)},)

    def _closed_error(self):
        return ValueError("bpinv.Sounding %r: closed (its data in the library were freed)"
                          % self.name)

    def _c(self):
        """The library's copy, for an inversion, while held (:meth:`_held`): a close()
        meanwhile waits."""
        if not self._finalizer.alive:
            raise self._closed_error()
        return self._ptr


    def __len__(self):
        return len(self.x)

    @property
    def x_name(self):
        """The x column's name: ``"ab2_m"``, ``"a_m"`` or ``"period_s"``."""
        return _lib.X_COLUMNS[self.method]

    def __repr__(self):
        unit = "s" if self.method == "mt" else "m"
        extra = []
        if self.mn2 is not None:
            extra.append("mn2")
        if self.sd_log10 is not None or self.sd_phase is not None:
            extra.append("errors")
        return "<bpinv.Sounding %r: %s, %d points, %s %.4g..%.4g %s%s%s>" % (
            self.name, self.method, len(self.x), self.x_name.split("_")[0], self.x[0],
            self.x[-1], unit, ", with " if extra else "", " and ".join(extra))


# the attributes of a Sounding that hold its data (read-only)
_DATA = frozenset(("method", "name", "source", "unused", "note", "component", "x_m", "y_m",
                   "elevation_m", "lat_deg", "lon_deg", "x", "mn2", "rho_a", "phase",
                   "sd_log10", "sd_phase", "line"))


def _cut(text, n):
    """text in UTF-8, cut to n bytes at most, not inside a character (a note's replacement
    characters grow a byte to three)."""
    return text.encode("utf-8")[:n].decode("utf-8", "ignore").encode("utf-8")


def _unpickle(d):
    """A Sounding of the attributes d (Sounding.__reduce__): its arrays, then what a file
    said (source, note, columns not read, component, position, lines) into its copy."""
    s = Sounding(d["method"], d["x"], d["rho_a"], phase=d["phase"], mn2=d["mn2"],
                 sd_log10=d["sd_log10"], sd_phase=d["sd_phase"], name=d["name"])
    c = s._ptr.contents
    c.source = os.fsencode(d["source"])[:1023]  # a file's name: its bytes as they are
    c.note = _cut(d["note"], 511)
    c.unused = _cut(d["unused"], 255)
    c.component = (d["component"] or "").encode("ascii")[:7]
    for key in ("x_m", "y_m", "elevation_m", "lat_deg", "lon_deg"):
        setattr(c, key, d[key])
    for i, v in enumerate(d["line"]):
        c.line[i] = int(v)
    s._load()
    return s


def read_sounding(path, method=None, component="det", columns=None):
    """Reads a sounding file as ``bpinv invert`` does (docs/formats.md).

    Parameters
    ----------
    path : str or os.PathLike
        A text sounding (comma, tab or space separated, with or without a header) or a SEG
        EDI file (MT).
    method : str, optional
        The method the file is read as: ``"schlumberger"``, ``"wenner"`` or ``"mt"``. None:
        ``"mt"`` for an EDI file (named ``*.edi``, or starting with ``>HEAD``), else
        ``"schlumberger"``. A file whose header names another method's columns is an error
        that says which method it holds: give ``method`` then (e.g. ``method="wenner"``);
        a file without a header is read by position as the given method.
    component : str
        The MT impedance read from an EDI file: ``"det"`` (the determinant average,
        rotation-invariant; the default), ``"xy"``, ``"yx"`` or ``"berd"`` (Berdichevsky's
        average (Zxy - Zyx) / 2, rotation-invariant too).
    columns : dict or str, optional
        A text file's header names for the columns bpinv knows (``bpinv invert --columns``):
        ``{"rho_a": "App. Res. (Ohm m)", "ab2_ft": "Spacing"}``. A name the header lacks is
        an error.

    Returns
    -------
    Sounding

    Raises
    ------
    bpinv.Error
        The library's message, ``FILE:LINE: FIELD: expected ..., got "..."`` where a line is
        to blame (``"site.csv:7: rho_a_ohmm: expected a finite number > 0, got "-3""``).
    """
    if method is None:
        method = "mt" if _is_edi(path) else "schlumberger"
    m = _lib.method_code(method)
    c = _lib.component_code(component)
    e = _lib.new_err()
    ptr = lib.fwd_sounding_read_columns(_lib.encode(path), m, c, _lib.columns_spec(columns),
                                        ctypes.byref(e))
    if not ptr:
        _lib.raise_err(e)
    return Sounding._from_ptr(ptr)


def _read_survey(path, method, component="det", columns=None):
    """The stations of a file as ``bpinv invert`` reads them (fwd_sounding_read_survey): a
    list with, for each station, its Sounding, or ``(name, message)`` where that station
    fails alone (a bad reading, too few points); Error for the file's own errors."""
    m = _lib.method_code(method)
    c = _lib.component_code(component)
    e = _lib.new_err()
    arr = ctypes.POINTER(_lib._SoundingP)()
    serr = ctypes.POINTER(_lib._FwdError)()
    n = ctypes.c_size_t()
    rc = lib.fwd_sounding_read_survey(_lib.encode(path), m, c, _lib.columns_spec(columns),
                                      ctypes.byref(arr), ctypes.byref(serr), ctypes.byref(n),
                                      ctypes.byref(e))
    if rc != 0:
        _lib.raise_err(e)
    try:
        return _adopt_stations(arr, n.value, serr)
    finally:
        _lib.libc_free(serr)


def _adopt_stations(arr, n, serr=None):
    """The n soundings of a library array of stations as Sounding objects (each a pointer of
    its own: arr[k] shares the array's memory), or ``(name, message)`` where serr[k] holds a
    station's error; the array and what no Sounding took are freed."""
    out = []
    try:
        for k in range(n):
            if serr is not None and serr[k].code != 0:
                out.append((os.fsdecode(arr[k].contents.name),
                            serr[k].msg.decode("utf-8", "replace")))
                continue
            addr = ctypes.cast(arr[k], ctypes.c_void_p).value
            out.append(Sounding._from_ptr(ctypes.cast(addr, _lib._SoundingP)))
            arr[k] = None  # owned by the Sounding now
    finally:
        lib.fwd_sounding_free_stations(arr, n)
    return out


def read_soundings(path, method=None, component="det", columns=None):
    """Reads every sounding of a file: a survey table of several stations (a station column,
    x/y positions, or the wide layout of one rho_a column per station, docs/formats.md) gives
    one Sounding per station, in the order of their first readings; an EDI file or a table
    of one station gives a list of one. Arguments, and the errors raised, as for
    :func:`read_sounding`.

    Returns
    -------
    list of Sounding
    """
    if method is None:
        method = "mt" if _is_edi(path) else "schlumberger"
    m = _lib.method_code(method)
    c = _lib.component_code(component)
    e = _lib.new_err()
    arr = ctypes.POINTER(_lib._SoundingP)()
    n = ctypes.c_size_t()
    rc = lib.fwd_sounding_read_stations(_lib.encode(path), m, c, _lib.columns_spec(columns),
                                        ctypes.byref(arr), ctypes.byref(n), ctypes.byref(e))
    if rc != 0:
        _lib.raise_err(e)
    return _adopt_stations(arr, n.value)
