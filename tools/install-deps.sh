#!/bin/sh
# Install what bookval needs on Debian 12, as root. With --test, also what its test suite
# needs (cmocka, LibreOffice to recalculate workbooks, Python's openpyxl, mpmath and yaml for
# independent reference values, clang and LLVM's OpenMP for the ThreadSanitizer run, Open MPI
# for the cluster build's tests). Installs only what is missing, so repeated runs are quick.
set -eu
# zlib1g-dev: minizip's unzip.h includes zlib.h, and Debian 12's libminizip-dev does not pull it in.
packages="build-essential cmake pkg-config libgsl-dev libxlsxwriter-dev libyaml-dev libcsv-dev nettle-dev libminizip-dev zlib1g-dev"
if [ "${1:-}" = "--test" ]; then
  packages="$packages libcmocka-dev libreoffice-calc-nogui python3 python3-openpyxl python3-mpmath python3-yaml valgrind clang libomp-14-dev libopenmpi-dev openmpi-bin"
fi
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq $missing
fi
