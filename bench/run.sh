#!/bin/bash
# Print the Monte Carlo performance figures the issue asks for (medians of RUNS runs):
#   1. bookval's whole run at 100,000 clients x 10,000 iterations x 10 years against the bare
#      yardstick loop (yardstick.c) on one thread and on every core;
#   2. bookval's whole run at 100,000 clients x 1,000 iterations against a vectorised numpy
#      implementation of the same model (peer_numpy.py), with the workbook and without
#      (--no-workbook: the JSON summary only, as the peer gives);
#   3. 1,000,000 clients x 200 iterations: wall time and peak memory;
#   4. the shipped deal scenarios (buyer-choosing-practices, acquirer-due-diligence), whose
#      run time is the deal's pricing in every iteration and what-if point. BASELINE=path/to/an/
#      older/bookval prints its figures beside.
# Needs a Release build in build/ (README) and python3-numpy (installed here if missing).
# The medians are wall times: on a shared machine, note its load (printed) beside them.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
BOOKVAL=$PWD/build/bookval
WORK=${BENCH_DIR:-/tmp/bookval-bench}
mkdir -p "$WORK"
PY=/usr/bin/python3
$PY -c 'import numpy' 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-numpy; }
cc -O3 -fopenmp bench/yardstick.c -o "$WORK/yardstick"
[ -f "$WORK/book-100000.csv" ] || $PY bench/make_book.py 100000 "$WORK" --iterations 10000 > /dev/null
[ -f "$WORK/book-1000000.csv" ] || $PY bench/make_book.py 1000000 "$WORK" --iterations 200 > /dev/null

# median of RUNS timings of a command (seconds, wall)
median() {
  local times=()
  for _ in $(seq "$RUNS"); do
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}'
}

cd "$WORK"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "== 100,000 clients x 10,000 iterations x 10 years =="
y1=$(median ./yardstick 100000 10000 10 1)
yn=$(median ./yardstick 100000 10000 10 "$(nproc)")
bv=$(median "$BOOKVAL" run book-100000.yaml -o b.xlsx -q)
printf 'yardstick loop, 1 thread      %8.3f s\n' "$y1"
printf 'yardstick loop, %d threads     %8.3f s\n' "$(nproc)" "$yn"
printf 'bookval whole run             %8.3f s   (load, DCF, simulate, workbook)\n' "$bv"
printf 'ratio bookval / yardstick:    %.2f (1 thread)  %.2f (%d threads)   target <= 1.5 on every core\n' \
  "$(echo "$bv / $y1" | bc -l)" "$(echo "$bv / $yn" | bc -l)" "$(nproc)"
echo
echo "== 100,000 clients x 1,000 iterations: numpy peer =="
np=$(median $PY "$OLDPWD/bench/peer_numpy.py" book-100000.csv 1000)
bv1=$(median "$BOOKVAL" run book-100000.yaml -o b.xlsx -q --iterations 1000)
bvj=$(median "$BOOKVAL" run book-100000.yaml --no-workbook --json b.json -q --iterations 1000)
bvv=$(median "$BOOKVAL" validate book-100000.yaml)
printf 'numpy peer (load + simulate)  %8.3f s\n' "$np"
printf 'bookval whole run             %8.3f s   (of which load + DCF %.3f s)\n' "$bv1" "$bvv"
printf 'bookval --no-workbook         %8.3f s   (JSON summary only)\n' "$bvj"
printf 'speed-up of bookval:          %.2fx whole run, %.2fx --no-workbook   target >= 10 without the workbook\n' \
  "$(echo "$np / $bv1" | bc -l)" "$(echo "$np / $bvj" | bc -l)"
echo
echo "== 1,000,000 clients x 200 iterations =="
/usr/bin/time -f 'wall %e s, peak memory %M KiB' "$BOOKVAL" run book-1000000.yaml -o big.xlsx -q 2>&1 >/dev/null | tail -1
echo
echo "== deal scenarios (build/bookval run SCENARIO --quiet) =="
for name in buyer-choosing-practices acquirer-due-diligence; do
  scenario=$OLDPWD/scenarios/$name.yaml
  t=$(median "$BOOKVAL" run "$scenario" -o deal.xlsx --quiet)
  if [ -n "${BASELINE:-}" ]; then
    b=$(median "$BASELINE" run "$scenario" -o deal.xlsx --quiet)
    printf '%-28s %8.3f s   (baseline %.3f s, %.2fx)\n' "$name" "$t" "$b" "$(echo "$b / $t" | bc -l)"
  else
    printf '%-28s %8.3f s\n' "$name" "$t"
  fi
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
