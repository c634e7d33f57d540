# SPDX-License-Identifier: MIT
"""Loading libbpinv.so.0.1 with ctypes: the prototypes used, the error type and its checks.

The library is looked for, in order:

1. the path in the environment variable ``BPINV_LIBRARY`` (when it is set, only there);
2. ``LIBDIR/libbpinv.so.0.1``, LIBDIR from ``pkg-config --variable=libdir bpinv`` (the
   ``bpinv.pc`` that ``make install`` writes);
3. the dynamic loader's own search for ``libbpinv.so.0.1`` (``LD_LIBRARY_PATH``, ``ldconfig``).
"""

import contextlib
import ctypes
import numbers
import os
import shutil
import subprocess
import threading
import weakref

import numpy as np

# The version of bpinv this package is written for: the Makefile's VERSION (a test compares
# them). The library's soname follows it: MAJOR.MINOR before 1.0, MAJOR after.
VERSION = "0.1.0"
_MAJOR, _MINOR = VERSION.split(".")[:2]
SONAME = "libbpinv.so." + (_MAJOR + "." + _MINOR if _MAJOR == "0" else _MAJOR)

# fwd_error codes (forward/base/fwd_error.h)
OK, EINVAL, ENOMEM, EIO, EFORMAT, ENUMERIC, EEXIST, ESTOPPED = range(8)

# fwd_component (forward/readers/fwd_sounding.h); the methods (METHODS) are the library's,
# below
COMPONENTS = ("det", "xy", "yx", "berd")


class Error(Exception):
    """An error reported by libbpinv (or by this package, in the library's style).

    ``str(e)`` is the library's one-line message, exactly as ``bpinv`` prints it after its
    ``bpinv COMMAND: `` prefix. Attributes: ``code`` (1 invalid argument, 2 out of memory,
    3 input/output, 4 format, 5 numeric, 6 exists, 7 stopped; ``code_name`` says it in
    words), ``field`` (the input at fault in the library's words, e.g. ``"rho_a_ohmm"``,
    ``"method"``; ``""`` when no single input is to blame) and ``message`` (the same as
    ``str(e)``).
    """

    def __init__(self, code, message, field=""):
        super().__init__(message)
        self.code = int(code)
        self.field = field
        self.message = message

    @property
    def code_name(self):
        """The library's short description of ``code`` (``"invalid argument"``, ...)."""
        return strerror(self.code)

    def __str__(self):
        return self.message

    def __repr__(self):
        return "bpinv.%s(code=%d, field=%r, message=%r)" % (type(self).__name__, self.code,
                                                           self.field, self.message)

    def __reduce__(self):  # pickled by its arguments (multiprocessing)
        return (type(self), (self.code, self.message, self.field))


class FileError(Error, OSError):
    """An Error of code 3 (a file that could not be opened, read or written): also an
    OSError, so that ``except OSError`` around file work catches it as it catches open()'s.
    ``errno`` and ``filename`` are None: the message names the file and says why."""


class _FwdError(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("field", ctypes.c_char * 32), ("msg", ctypes.c_char * 512)]


class _FwdParams(ctypes.Structure):
    _fields_ = [
        ("hankel", ctypes.c_int),
        ("gl_nodes_per_ln", ctypes.c_double),
        ("gl_min_nodes", ctypes.c_size_t),
        ("gl_max_nodes", ctypes.c_size_t),
    ]


class _FwdSounding(ctypes.Structure):
    _fields_ = [
        ("method", ctypes.c_int),
        ("n", ctypes.c_size_t),
        ("x", ctypes.POINTER(ctypes.c_double)),
        ("mn2", ctypes.POINTER(ctypes.c_double)),
        ("rho_a", ctypes.POINTER(ctypes.c_double)),
        ("phase", ctypes.POINTER(ctypes.c_double)),
        ("sd_log10", ctypes.POINTER(ctypes.c_double)),
        ("sd_phase", ctypes.POINTER(ctypes.c_double)),
        ("line", ctypes.POINTER(ctypes.c_size_t)),
        ("name", ctypes.c_char * 128),
        ("source", ctypes.c_char * 1024),
        ("unused", ctypes.c_char * 256),
        ("x_m", ctypes.c_double),
        ("y_m", ctypes.c_double),
        ("elevation_m", ctypes.c_double),
        ("lat_deg", ctypes.c_double),
        ("lon_deg", ctypes.c_double),
        ("note", ctypes.c_char * 512),
        ("component", ctypes.c_char * 8),
    ]


_p = ctypes.c_void_p
_dp = ctypes.POINTER(ctypes.c_double)
_err = ctypes.POINTER(_FwdError)
_SoundingP = ctypes.POINTER(_FwdSounding)

# name: (restype, argtypes)
_PROTOTYPES = {
    "fwd_strerror": (ctypes.c_char_p, [ctypes.c_int]),
    "fwd_method_parse": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), _err]),
    "fwd_method_name": (ctypes.c_char_p, [ctypes.c_int]),
    "fwd_method_xname": (ctypes.c_char_p, [ctypes.c_int]),
    "fwd_method_article": (ctypes.c_char_p, [ctypes.c_int]),
    "fwd_component_parse": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), _err]),
    "fwd_geom_alloc": (_p, [ctypes.c_int, ctypes.c_size_t, _dp, _dp, _err]),
    "fwd_geom_free": (None, [_p]),
    "fwd_params_default": (_FwdParams, []),
    "fwd_workspace_alloc": (_p, [_p, ctypes.POINTER(_FwdParams), _err]),
    "fwd_workspace_free": (None, [_p]),
    "fwd_eval": (ctypes.c_int, [_p, ctypes.c_size_t, _dp, _dp, _dp, _err]),
    "fwd_jacobian": (ctypes.c_int, [_p, ctypes.c_size_t, _dp, _dp, _dp, _err]),
    "fwd_sounding_read": (_SoundingP, [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, _err]),
    "fwd_sounding_read_columns": (
        _SoundingP, [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_char_p, _err]),
    "fwd_sounding_from_arrays": (
        _SoundingP,
        [ctypes.c_char_p, ctypes.c_int, ctypes.c_size_t, _dp, _dp, _dp, _dp, _dp, _dp, _err],
    ),
    "fwd_sounding_read_stations": (
        ctypes.c_int,
        [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_char_p,
         ctypes.POINTER(ctypes.POINTER(_SoundingP)), ctypes.POINTER(ctypes.c_size_t), _err]),
    "fwd_sounding_read_survey": (
        ctypes.c_int,
        [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_char_p,
         ctypes.POINTER(ctypes.POINTER(_SoundingP)), ctypes.POINTER(ctypes.POINTER(_FwdError)),
         ctypes.POINTER(ctypes.c_size_t), _err]),
    "fwd_sounding_free_stations": (None, [ctypes.POINTER(_SoundingP), ctypes.c_size_t]),
    "fwd_sounding_free": (None, [_SoundingP]),
    "fwd_sounding_copy": (_SoundingP, [_SoundingP]),
    "fwd_version": (ctypes.c_char_p, []),
    "invnet_set_load": (_p, [ctypes.c_char_p, _err]),
    "invnet_set_free": (None, [_p]),
    "invnet_set_method": (ctypes.c_int, [_p]),
    "invnet_set_layers": (ctypes.c_size_t, [_p, ctypes.c_size_t]),
    "invnet_batch_params_alloc": (_p, []),
    "invnet_batch_params_set": (ctypes.c_int, [_p, ctypes.c_char_p, ctypes.c_double, _err]),
    "invnet_batch_params_set_columns": (ctypes.c_int, [_p, ctypes.c_char_p, _err]),
    "invnet_batch_params_set_holds": (ctypes.c_int, [_p, ctypes.c_char_p, ctypes.c_char_p, _err]),
    "invnet_batch_params_free": (None, [_p]),
    "invnet_batch_invert_soundings": (
        ctypes.c_int,
        [_p, _p, ctypes.POINTER(_SoundingP), ctypes.c_size_t, ctypes.POINTER(_p), _err],
    ),
    "invnet_batch_invert_set": (
        ctypes.c_int,
        [_p, _p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t, ctypes.POINTER(_p), _err],
    ),
    "invnet_batch_free": (None, [_p]),
    "invnet_batch_expand": (
        ctypes.c_int,
        [
            ctypes.POINTER(ctypes.c_char_p),
            ctypes.c_size_t,
            ctypes.POINTER(ctypes.POINTER(ctypes.c_char_p)),
            ctypes.POINTER(ctypes.c_size_t),
            _err,
        ],
    ),
    "invnet_batch_expand_for": (
        ctypes.c_int,
        [
            ctypes.POINTER(ctypes.c_char_p),
            ctypes.c_size_t,
            ctypes.c_int,
            ctypes.POINTER(ctypes.POINTER(ctypes.c_char_p)),
            ctypes.POINTER(ctypes.c_size_t),
            _err,
        ],
    ),
    "invnet_batch_paths_free": (None, [ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t]),
    # returns a malloc'd char *: kept as a void pointer so that it can be freed
    "invnet_output_string": (_p, [_p, ctypes.c_int, ctypes.c_char_p, _err]),
    "invnet_output_string_free": (None, [_p]),
}


def _candidates():
    """The places to look for the library, as (description, path or soname)."""
    found = []
    if shutil.which("pkg-config"):
        try:
            r = subprocess.run(
                ["pkg-config", "--variable=libdir", "bpinv"],
                capture_output=True,
                text=True,
                timeout=10,
            )
            libdir = r.stdout.strip()
            if r.returncode == 0 and libdir:
                found.append(("pkg-config bpinv (libdir %s)" % libdir,
                              os.path.join(libdir, SONAME)))
            else:
                found.append(("pkg-config bpinv: not found (no bpinv.pc on PKG_CONFIG_PATH)", None))
        except (OSError, subprocess.SubprocessError) as e:
            found.append(("pkg-config bpinv: %s" % e, None))
    else:
        found.append(("pkg-config: not installed", None))
    found.append(("the dynamic loader's search path", SONAME))
    return found


def _load():
    env = os.environ.get("BPINV_LIBRARY")
    if env:
        try:
            return ctypes.CDLL(env), env
        except OSError as e:
            raise ImportError(
                "bpinv: cannot load the library named by BPINV_LIBRARY=%s: %s\n"
                "  set BPINV_LIBRARY to the path of libbpinv.so.0.1 (e.g. /path/to/bpinv/build/"
                "libbpinv.so.0.1), or unset it to use an installed one (make install)" % (env, e)
            ) from None
    tried = []
    for what, path in _candidates():
        if path is None:
            tried.append(what)
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append("%s: %s" % (what, e))
    raise ImportError(
        "bpinv: cannot find the shared library %s; tried:\n  BPINV_LIBRARY: not set\n  %s\n"
        "Install it (make install PREFIX=..., with PREFIX/lib on the loader's path or "
        "PREFIX/lib/pkgconfig on PKG_CONFIG_PATH), or point to a build: "
        "BPINV_LIBRARY=/path/to/bpinv/build/libbpinv.so.0.1" % (SONAME, "\n  ".join(tried))
    )


def _mapped_path(name):
    """The file the loader mapped for a library it found by its soname (the path, when it
    was given one)."""
    if os.path.isabs(name):
        return name
    try:
        with open("/proc/self/maps") as f:
            for ln in f:
                p = ln.split()[-1]
                if os.path.basename(p).startswith("libbpinv.so"):
                    return p
    except OSError:
        pass
    return name


lib, path = _load()
path = _mapped_path(path)
for _name, (_res, _args) in _PROTOTYPES.items():
    try:
        _f = getattr(lib, _name)
    except AttributeError:
        raise ImportError(
            "bpinv: %s lacks %s(): it is older than this package (%s); rebuild or "
            "reinstall bpinv (make, make install)" % (path, _name, VERSION)
        ) from None
    _f.restype = _res
    _f.argtypes = _args
# GSL's default error handler aborts the process on a condition the library then reports
# through its own codes (a singular matrix, out of memory): turned off, as GSL advises for
# programs; it is process-wide, and a Python process has no use for an abort.
lib.gsl_set_error_handler_off.restype = ctypes.c_void_p
lib.gsl_set_error_handler_off.argtypes = []
lib.gsl_set_error_handler_off()
_lib_version = lib.fwd_version().decode()



def _methods():
    """The library's methods by code (fwd_method.h's table): their names, "unknown" past
    the last."""
    names = []
    while len(names) < 64:
        name = lib.fwd_method_name(len(names)).decode()
        if name == "unknown":
            break
        names.append(name)
    return tuple(names)


# fwd_method (forward/fwd_method.h): the names by code, and each one's x column
METHODS = _methods()
X_COLUMNS = {m: lib.fwd_method_xname(k).decode() for k, m in enumerate(METHODS)}
if _lib_version != VERSION:
    raise ImportError(
        "bpinv: %s is bpinv %s, this package is for %s: install the package of that bpinv "
        "(pip install ./tools/python from its source tree) or point BPINV_LIBRARY to a "
        "library of %s" % (path, _lib_version, VERSION, VERSION)
    )


def strerror(code):
    """The library's description of an error code (``fwd_strerror``)."""
    return lib.fwd_strerror(int(code)).decode()


def new_err():
    return _FwdError()


_libc = ctypes.CDLL(None)
_libc.free.argtypes = [ctypes.c_void_p]
_libc.free.restype = None


def libc_free(p):
    """Frees what the library allocated for the caller with malloc (an array of errors)."""
    _libc.free(ctypes.cast(p, ctypes.c_void_p))


class NoteWarning(UserWarning):
    """What ``bpinv invert`` prints as a note (a directory's files left out, a result's
    note: errors given in percent, a fit outside the prior, ...)."""


def raise_err(e):
    """Raises Error (FileError for code 3) from a filled fwd_error."""
    code = e.code if e.code else EINVAL
    raise (FileError if code == EIO else Error)(code, e.msg.decode("utf-8", "replace"),
                                                e.field.decode("utf-8", "replace"))


def check(rc, e):
    if rc != OK:
        raise_err(e)


def encode(s):
    """A str or os.PathLike as the bytes the C functions take; ValueError for a NUL in it,
    as open() says (C would read the path up to it: "net.h5\\0x" opened net.h5)."""
    b = os.fsencode(s)
    if b"\0" in b:
        raise ValueError("embedded null byte")
    return b


def encode_name(name, what="name"):
    """A sounding's name as the bytes the C functions take: bytes as they are, a str (a name
    that is not UTF-8, from a file name, as os.fsencode gives it back), anything else as
    str() writes it (a station number: 7 is "7")."""
    if isinstance(name, bytes):
        b = name
    else:
        b = os.fsencode(name if isinstance(name, str) else str(name))
    if b"\0" in b:
        raise ValueError("%s: embedded null byte" % what)
    return b


# the exact types of a list's elements taken without a look at each (bool is not int here)
_PLAIN = frozenset((float, int, np.float64, np.float32, np.int64, np.int32))


def real(values, what):
    """values as a float64 array of any shape; TypeError for anything but real numbers:
    numpy would take True as 1, "300" or b"300" as numbers, drop an imaginary part, and use
    the values a masked array hides."""
    if type(values) in (list, tuple) and all(type(v) in _PLAIN for v in values):
        try:  # the common case, a flat list of floats, quickly (2.9 -> 0.9 us for 3)
            return np.array(values, dtype=np.float64)
        except OverflowError as e:
            raise TypeError("%s: expected real numbers: %s" % (what, e)) from None
    try:
        if isinstance(values, (str, bytes, bytearray)) or (
                isinstance(values, memoryview) and values.format in ("B", "b", "c")):
            raise TypeError("got %s" % type(values).__name__)
        if isinstance(values, np.ma.MaskedArray) and np.ma.is_masked(values):
            raise TypeError("got a masked array with masked values: give the points measured")
        raw = np.asarray(values)
        if raw.dtype.kind not in "iufO":
            raise TypeError("got an array of %s" % raw.dtype)
        if raw.dtype.kind == "O" or isinstance(values, (list, tuple)):
            # numpy makes [1.0, True] floats and [1, True] ints: each element is looked at
            for v in np.asarray(values, dtype=object).ravel():
                if isinstance(v, np.ndarray) and v.ndim == 0:  # [np.array(1.0), ...]
                    v = v[()]
                # numbers.Real, and Decimal (a Number, not Complex); not complex, not bool
                if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Number) or (
                        isinstance(v, numbers.Complex) and not isinstance(v, numbers.Real)):
                    raise TypeError("got %r among them" % (v,))
        return np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as e:
        raise TypeError("%s: expected real numbers: %s" % (what, e)) from None


def array(values, what, allow_none=False):
    """values as a C-contiguous 1-D float64 array (a scalar becomes one value); TypeError for
    something that is not numbers."""
    if values is None:
        if allow_none:
            return None
        raise TypeError("%s: expected numbers, got None" % what)
    a = np.ascontiguousarray(real(values, what))
    if a.ndim == 0:
        a = a.reshape(1)
    if a.ndim != 1:
        raise Error(EINVAL, "%s: expected a 1-D array, got shape %s" % (what, a.shape), what)
    return a


def dptr(a):
    """A double * to a float64 array, or NULL for None."""
    if a is None:
        return None
    return a.ctypes.data_as(_dp)


def method_code(method):
    """The library's code of a method name ("schlumberger", "wenner", "mt")."""
    if not isinstance(method, str):
        raise TypeError("method: expected a str (schlumberger, wenner or mt), got %r" % (method,))
    m = ctypes.c_int()
    e = new_err()
    check(lib.fwd_method_parse(method.encode(), ctypes.byref(m), ctypes.byref(e)), e)
    return m.value


def component_code(component):
    if not isinstance(component, str):
        raise TypeError("component: expected a str (det, xy, yx or berd), got %r" % (component,))
    c = ctypes.c_int()
    e = new_err()
    check(lib.fwd_component_parse(component.encode(), ctypes.byref(c), ctypes.byref(e)), e)
    return c.value


def method_name(code):
    return lib.fwd_method_name(int(code)).decode()


def method_article(name):
    """The article ("a" or "an") the library's messages put before the method's name."""
    return lib.fwd_method_article(method_code(name)).decode()


def columns_spec(columns):
    """A columns mapping as the library takes it: None; a str "known=header,..."; or a dict
    {known: header}, each header quoted (it may hold commas)."""
    if columns is None:
        return None
    if isinstance(columns, dict):
        for k, v in columns.items():
            if '"' in str(v):
                raise Error(EINVAL, 'columns: %s: expected a header name without \'"\', got %r'
                            % (k, v), "columns")
        columns = ",".join('%s="%s"' % (k, v) for k, v in columns.items())
    return encode(columns)


class Owned:
    """What the package's objects that own memory in the library share: :meth:`_own` (a
    weakref.finalize freeing it) makes :attr:`closed`, an idempotent :meth:`close` and the
    context manager. A call into the library holds the object (``with self._held():``), so
    that :meth:`close` from another thread while one runs frees the memory when the last
    ends, not under it."""

    def _own(self, free, *args):
        self._finalizer = weakref.finalize(self, free, *args)
        self._guard = threading.RLock()  # RLock: a close() from a __del__ run inside a hold
        self._holds = set()
        self._closing = False

    def _closed_error(self):
        return ValueError("bpinv.%s: closed" % type(self).__name__)

    @property
    def closed(self):
        return self._closing or not self._finalizer.alive

    def close(self):
        """Frees what the object holds in the library (once the calls running in other
        threads have ended). Idempotent."""
        with self._guard:
            self._closing = True
            busy = bool(self._holds)
        if not busy:
            self._finalizer()

    @contextlib.contextmanager
    def _held(self):
        # a hold is a token in a set, so that a KeyboardInterrupt as the hold is taken leaves
        # none behind (discarding one never added is harmless); added before the check, so
        # that a close() meanwhile (a __del__ run by the collector) sees it and waits
        token = object()
        try:
            with self._guard:
                self._holds.add(token)
                if self.closed:
                    raise self._closed_error()
            yield
        finally:
            with self._guard:
                self._holds.discard(token)
                last = self._closing and not self._holds
            if last:
                self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
