#!/bin/sh
# SPDX-License-Identifier: MIT
# deps.sh - installs the Debian packages bpinv needs to build and test, when missing.
# As root it runs apt-get; otherwise it uses sudo when that needs no password, and else
# prints the exact command to run. Extra package names may be given as arguments. procps:
# ps, with which the tests find and describe a hung run (tests/cli/procs.sh).
set -e
PKGS="gcc make libgsl-dev libopenblas-dev libhdf5-dev hdf5-tools zlib1g-dev python3-h5py libcriterion-dev pkg-config libplplot-dev plplot-driver-cairo \
    python3-venv python3-pip python3-setuptools python3-wheel python3-numpy python3-pytest \
    python3-matplotlib python3-pil man-db procps $*"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "deps: missing Debian packages:$missing" >&2
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "deps: run as root:  apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq $missing >/dev/null
echo "deps: installed$missing" >&2
