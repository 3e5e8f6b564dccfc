#!/bin/bash
# The whole test suite, as the README's second command and CI run it: install what the tests
# need, build in Release, run every CTest test; then again under ASan and UBSan (the
# allocation-failure sweeps sampled: tests/fault/full_sweep.sh runs them whole); then the
# threaded Monte Carlo under TSan. Prints how long each phase took.
set -euo pipefail
cd "$(dirname "$0")/.."

PHASES=()
# phase NAME COMMAND...: run a phase, note its wall time.
phase() {
  local name=$1 start=$SECONDS
  shift
  echo "== $name"
  "$@"
  PHASES+=("$(printf '%-34s %4d s' "$name" $((SECONDS - start)))")
}
report() {
  echo
  echo "== phase timings (wall, $(nproc) cores)"
  printf '%s\n' "${PHASES[@]}"
  printf '%-34s %4d s\n' "total" "$SECONDS"
}
trap report EXIT

phase "install test tools" sh tools/install-deps.sh --test
phase "Release: configure and build" sh -c '
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBOOKVAL_WERROR=ON -DBOOKVAL_TESTS=ON > /dev/null
  cmake --build build -j"$(nproc)"'
phase "Release: ctest (all but the longer targets)" sh -c \
  'cd build && ctest --output-on-failure -j"$(nproc)" --timeout 600 -LE "reference-full|workbook-full"'

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer (leaks included), but
# for the LibreOffice recalculations and the mpmath table, which test no new C code (the table
# is taken from the Release build), and the exhaustive allocation sweeps (label fault-full).
phase "ASan: configure and build" sh -c '
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBOOKVAL_SANITIZE=ON \
    -DBOOKVAL_TESTS=ON -DBOOKVAL_WERROR=ON > /dev/null
  cmake --build build-asan -j"$(nproc)"'
mkdir -p build-asan/tests
cp build/tests/hyp2f1_table.txt build-asan/tests/
phase "ASan: ctest (sampled sweeps)" sh -c '
  cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j"$(nproc)" --timeout 900 -E "^workbook|^reference" \
    -LE fault-full -FS hyp2f1'

# The threaded Monte Carlo under ThreadSanitizer: clang with LLVM's OpenMP, whose TSan helper
# (archer) makes its barriers visible to TSan; GCC's libgomp would be reported as racing.
phase "TSan: configure and build" sh -c '
  cmake -S . -B build-tsan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DBOOKVAL_SANITIZE_THREAD=ON -DBOOKVAL_WERROR=ON -DBOOKVAL_TESTS=ON > /dev/null
  cmake --build build-tsan -j"$(nproc)" --target bookval'
phase "TSan: ctest (Monte Carlo)" sh -c '
  cd build-tsan && OMP_TOOL_LIBRARIES=/usr/lib/llvm-14/lib/libarcher.so \
  TSAN_OPTIONS=ignore_noninstrumented_modules=1:halt_on_error=1:exitcode=66 \
  ctest --output-on-failure --timeout 900 -R "^e2e.test_montecarlo$"'

# A run shared among Open MPI processes (mpirun, oversubscribed) gives the bytes of one process.
phase "MPI: configure and build" sh -c '
  cmake -S . -B build-mpi -DCMAKE_BUILD_TYPE=Release -DBOOKVAL_MPI=ON -DBOOKVAL_WERROR=ON \
    -DBOOKVAL_TESTS=ON > /dev/null
  cmake --build build-mpi -j"$(nproc)" --target bookval bookval_single'
phase "MPI: ctest (1, 2, 3, 5 processes)" sh -c '
  cd build-mpi && ctest --output-on-failure --timeout 600 -L "^mpi$"'
