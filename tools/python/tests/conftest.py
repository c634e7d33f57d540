# SPDX-License-Identifier: MIT
"""Fixtures of the bpinv Python tests: the bpinv command (env BPINV, else build/bpinv of this
repository), the example soundings, and small nets trained once per session with the command.

Run by tests/cli/test_python.sh, or by hand from the repository:
    BPINV=build/bpinv BPINV_LIBRARY=build/libbpinv.so.0.1 PYTHONPATH=tools/python \\
        /usr/bin/python3 -m pytest -q tools/python/tests
"""

import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "docs" / "examples"


def _bpinv_path():
    p = os.environ.get("BPINV") or str(REPO / "build" / "bpinv")
    return os.path.abspath(p)


BPINV = _bpinv_path()


def cli(*args, check=True):
    """Runs bpinv with args; the CompletedProcess (text). check: exit 0 required."""
    r = subprocess.run([BPINV] + [str(a) for a in args], capture_output=True, text=True,
                       timeout=300)
    if check and r.returncode != 0:
        raise AssertionError("bpinv %s: exit %d: %s" % (" ".join(map(str, args)), r.returncode,
                                                       r.stderr))
    return r


@pytest.fixture(scope="session")
def bpinv_cli():
    if not os.access(BPINV, os.X_OK):
        pytest.exit("no bpinv command at %s: set BPINV=/path/to/bpinv" % BPINV, returncode=2)
    return cli


@pytest.fixture(scope="session")
def examples():
    return EXAMPLES


@pytest.fixture(scope="session")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("bpinv")


@pytest.fixture(scope="session")
def nets(bpinv_cli, work):
    """Nets trained with the command, as tests/cli/test_invert.sh trains them: a 3-layer
    Schlumberger net (AB/2 1-1000 m), a 3-layer MT net (1e-3-1e3 s), a set of 2- and
    3-layer Schlumberger nets and a 3-layer Wenner net (a 1-1000 m). A dict of paths, with
    the samples file under "samples"."""
    w = work
    bpinv_cli("samples", "-m", "schlumberger", "--layers", 3, "--ab2", "1:1000:20", "--rho",
              "1:1000", "--thick", "1:50", "--noise", 0.03, "-n", 8000, "-o", w / "s.h5", "-q")
    bpinv_cli("train", w / "s.h5", "-o", w / "net.h5", "--epochs", 30, "--hidden", 32, "-q")
    bpinv_cli("samples", "-m", "mt", "--layers", 3, "--period", "1e-3:1e3:20", "--rho",
              "1:1000", "--thick", "10:5000", "--noise", 0.05, "-n", 8000, "-o", w / "smt.h5",
              "-q")
    bpinv_cli("train", w / "smt.h5", "-o", w / "mt.h5", "--epochs", 30, "--hidden", 32, "-q")
    bpinv_cli("samples", "-m", "schlumberger", "--layers", 2, "--ab2", "1:1000:20", "--rho",
              "1:1000", "--thick", "1:50", "--noise", 0.03, "-n", 4000, "-o", w / "s2.h5", "-q")
    bpinv_cli("samples", "-m", "schlumberger", "--layers", 3, "--ab2", "1:1000:20", "--rho",
              "1:1000", "--thick", "1:50", "--noise", 0.03, "-n", 4000, "-o", w / "s3.h5", "-q")
    bpinv_cli("train", w / "s2.h5", w / "s3.h5", "-o", w / "set.h5", "--epochs", 20,
              "--hidden", 16, "-q")
    bpinv_cli("samples", "-m", "wenner", "--layers", 3, "--a", "1:1000:20", "--rho", "1:1000",
              "--thick", "1:50", "--noise", 0.03, "-n", 4000, "-o", w / "sw.h5", "-q")
    bpinv_cli("train", w / "sw.h5", "-o", w / "wenner.h5", "--epochs", 20, "--hidden", 16, "-q")
    return {"schlumberger": w / "net.h5", "mt": w / "mt.h5", "set": w / "set.h5",
            "wenner": w / "wenner.h5", "samples": w / "s.h5"}
