#!/bin/bash
# The whole test suite, as the README's second command and CI run it: install what the tests
# need, build in Release, run every CTest test.
set -euo pipefail
cd "$(dirname "$0")/.."
sh tools/install-deps.sh --test
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBOOKVAL_WERROR=ON > /dev/null
cmake --build build -j"$(nproc)"
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 600
