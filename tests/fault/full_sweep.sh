#!/bin/bash
# The exhaustive allocation-failure sweeps under AddressSanitizer and UndefinedBehaviorSanitizer:
# every allocation of run, validate and fit failed in turn (and every 151st of a what-if run),
# where tests/run_all.sh samples every 7th. About ten minutes on two cores; run it before a
# release or after touching an error path. Builds build-asan/ as tests/run_all.sh does.
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBOOKVAL_SANITIZE=ON \
  -DBOOKVAL_TESTS=ON -DBOOKVAL_WERROR=ON > /dev/null
cmake --build build-asan -j"$(nproc)" --target bookval_faults
(cd build-asan && ctest --output-on-failure -j"$(nproc)" --timeout 1800 -L fault-full)
# The high-precision table's own cross-check of mpmath (quadrature and series), and every
# shipped workbook recalculated in LibreOffice at its own Monte Carlo size, from build/.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBOOKVAL_TESTS=ON > /dev/null
(cd build && ctest --output-on-failure --timeout 1800 -L "reference-full|workbook-full")
