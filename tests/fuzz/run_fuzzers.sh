#!/bin/bash
# Build the fuzz targets in build-fuzz/ (clang, libFuzzer, ASan + UBSan) and run each for
# SECONDS (default 300), one after another, on its corpus with the scenario dictionary.
#
#   tests/fuzz/run_fuzzers.sh [SECONDS] [TARGET...]     fuzz (all three targets by default)
#   tests/fuzz/run_fuzzers.sh minimize TARGET CRASH     shrink a crash to tests/fuzz/crashes/
#
# A crash does not end a target's time: its input is kept in tests/fuzz/crashes/ (the first
# of each kind only, by the sanitizer's or the contract's one-line summary) and fuzzing
# resumes on the grown corpus until SECONDS are spent. The corpus lives in
# build-fuzz/fuzz-corpus/<target>/ across runs; seeds are rebuilt from the source tree.
# Exit status 1 when any target found something (CI can run it as a smoke test).
# Environment: FUZZ_TOLERATE_KNOWN=1 builds with -DFUZZ_TOLERATE_KNOWN (look past the findings
# listed in fuzz_common.c); FUZZ_JOBS (default 2) for the build.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build-fuzz
crashes=$root/tests/fuzz/crashes
dict=$root/tests/fuzz/scenario.dict
all_targets=(fuzz_scenario fuzz_csv fuzz_run)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OMP_NUM_THREADS=1

configure() {
  mkdir -p "$build"
  local flags="-O1 -g"
  if [[ ${FUZZ_TOLERATE_KNOWN:-0} == 1 ]]; then flags+=" -DFUZZ_TOLERATE_KNOWN"; fi
  CC=${CC:-clang} cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=FuzzDebug \
    -DCMAKE_C_FLAGS_FUZZDEBUG="$flags" -DBOOKVAL_FUZZ=ON -DBOOKVAL_TESTS=OFF \
    -DBOOKVAL_WERROR=OFF >"$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
  cmake --build "$build" -j"${FUZZ_JOBS:-2}" >"$build/build.log" 2>&1 ||
    { tail -50 "$build/build.log"; exit 1; }
}

# The scratch directories the targets make go under one directory removed at exit (a crash
# exits without its atexit handlers).
scratch=$(mktemp -d "${TMPDIR:-/dev/shm}/bookval-fuzz-run.XXXXXX" 2>/dev/null ||
          mktemp -d /tmp/bookval-fuzz-run.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
export BOOKVAL_FUZZ_TMP=$scratch

# One line that names a finding: the contract's message, or the sanitizer's SUMMARY.
signature() {
  local log=$1 line
  line=$(grep -m1 '^fuzz: ' "$log" | sed 's/ (status .*//' || true)
  [[ -n $line ]] || line=$(grep -m1 '^SUMMARY: ' "$log" || true)
  [[ -n $line ]] || line=$(grep -m1 -E '==ERROR: |ERROR: libFuzzer' "$log" || true)
  echo "${line:-unknown crash}"
}

if [[ ${1:-} == minimize ]]; then
  target=${2:?usage: run_fuzzers.sh minimize TARGET CRASH}
  crash=${3:?usage: run_fuzzers.sh minimize TARGET CRASH}
  configure
  mkdir -p "$crashes"
  out=$crashes/$target-minimized-$(basename "$crash")
  "$build/tests/fuzz/$target" -minimize_crash=1 -max_total_time="${FUZZ_MINIMIZE_SECONDS:-120}" \
    -timeout=10 -rss_limit_mb=2048 -exact_artifact_path="$out" "$crash" </dev/null \
    >"$scratch/minimize.log" 2>&1 || true
  tail -5 "$scratch/minimize.log"
  echo "minimized: $out ($(wc -c <"$out") bytes)"
  "$build/tests/fuzz/$target" "$out" </dev/null 2>&1 | grep -E '^fuzz: |^SUMMARY: |^    #[0-9]' | head -20 || true
  exit 0
fi

seconds=${1:-300}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")
configure
mkdir -p "$crashes"
summary=$scratch/summary.txt
printf '%-14s %8s %10s %9s %7s %7s %6s %8s\n' target seconds executions exec/s cov ft corpus crashes >"$summary"

for target in "${targets[@]}"; do
  bin=$build/tests/fuzz/$target
  corpus=$build/fuzz-corpus/$target
  mkdir -p "$corpus"
  seen=$scratch/$target.signatures
  : >"$seen"
  start=$(date +%s)
  execs=0 crashes_kept=0 rounds=0 cov=0 ft=0 corp=0
  while :; do
    left=$((seconds - ($(date +%s) - start)))
    ((left > 0 && rounds < 50)) || break
    rounds=$((rounds + 1))
    log=$scratch/$target.$rounds.log
    echo "== $target: round $rounds, ${left}s left" >&2
    status=0
    "$bin" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -max_total_time="$left" \
      -dict="$dict" -artifact_prefix="$crashes/$target-" -print_final_stats=1 \
      "$corpus" "$build/fuzz-seeds/$target" </dev/null >"$log" 2>&1 || status=$?
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [[ -z $n ]]; then # a crash prints no final stats: take the last status line
      n=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -E 's/^#([0-9]+).*/\1/')
    fi
    execs=$((execs + ${n:-0}))
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
    if [[ -n $last ]]; then
      cov=$(sed -E 's/.*cov: ([0-9]+).*/\1/' <<<"$last")
      ft=$(sed -E 's/.*ft: ([0-9]+).*/\1/' <<<"$last")
      corp=$(sed -E 's/.*corp: ([0-9]+).*/\1/' <<<"$last")
    fi
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    if ((status == 0)) && [[ -z $artifact ]]; then
      break
    fi
    sig=$(signature "$log")
    if ! grep -q 'INITED' "$log"; then
      # A seed or corpus input fails before fuzzing starts: every round would stop there.
      echo "!! $target: an input of the seed corpus or corpus fails on loading: $sig" >&2
      grep -B1 -m1 -E '^(fuzz: |==[0-9]+==ERROR|ALARM)' "$log" >&2 || true
      cp "$log" "$crashes/$target-corpus-fails.log"
      echo "$sig (on loading the corpus: see $crashes/$target-corpus-fails.log)" >>"$seen"
      crashes_kept=$((crashes_kept + 1))
      [[ -n $artifact ]] && mv -f "$artifact" "$crashes/$target-corpus-fails.input"
      break
    fi
    if [[ -n $artifact && -f $artifact ]]; then
      if grep -qxF "$sig" "$seen"; then
        rm -f "$artifact" # a kind already kept this session
      else
        echo "$sig" >>"$seen"
        crashes_kept=$((crashes_kept + 1))
        cp "$log" "$artifact.log"
        echo "!! $target: $sig" >&2
        echo "   input: $artifact (log: $artifact.log)" >&2
      fi
    else
      echo "!! $target stopped (status $status) without an input: $sig" >&2
      cp "$log" "$crashes/$target-stopped-$rounds.log"
      break
    fi
  done
  elapsed=$(($(date +%s) - start))
  rate=$((elapsed > 0 ? execs / elapsed : 0))
  printf '%-14s %8d %10d %9d %7s %7s %6s %8d\n' "$target" "$elapsed" "$execs" "$rate" "$cov" \
    "$ft" "$corp" "$crashes_kept" >>"$summary"
  if [[ -s $seen ]]; then sed "s/^/   $target: /" "$seen" >>"$summary.findings"; fi
done

echo
cat "$summary"
if [[ -s $summary.findings ]]; then
  echo "findings (inputs in $crashes):"
  cat "$summary.findings"
  exit 1
fi
