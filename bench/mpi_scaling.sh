#!/bin/bash
# Scaling of a run shared among Open MPI processes (medians of RUNS runs, wall time):
#   1. strong scaling: 100,000 clients x ITERATIONS (default 10,000) iterations on 1..RANKS
#      processes (default: this machine's cores), one OpenMP thread each, --no-workbook (the
#      workbook is written by one process and would hide the scaling);
#   2. weak scaling: ITERATIONS/4 iterations per process on 1..RANKS processes;
#   3. the cost of the exchanges: the per-iteration arrays gathered after each block, measured
#      as the difference between a run's wall time and its slowest process's simulation,
#      estimated from the gather size (8 bytes x arrays x iterations) and the run with K = 1;
#   4. an estimate of 10 million clients x 10,000 iterations on 64 processes from the measured
#      cost per client and iteration.
# Needs the cluster build in build-mpi/ (README, "Across machines") and python3 for the book.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
CORES=$(nproc) # before OMP_NUM_THREADS=1, which GNU nproc honours
RANKS=${RANKS:-$CORES}
ITERATIONS=${ITERATIONS:-10000}
BOOKVAL=$PWD/build-mpi/bookval
WORK=${BENCH_DIR:-/tmp/bookval-bench}
mkdir -p "$WORK"
export OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
[ -f "$WORK/book-100000.csv" ] || /usr/bin/python3 bench/make_book.py 100000 "$WORK" \
  --iterations "$ITERATIONS" > /dev/null

median() {
  local times=()
  for _ in $(seq "$RUNS"); do
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}'
}

cd "$WORK"
run() { # ranks iterations
  median mpirun --oversubscribe -n "$1" "$BOOKVAL" run book-100000.yaml --no-workbook \
    --json m.json -q --iterations "$2"
}
echo "machine: $CORES cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs each"
echo
echo "== strong scaling: 100,000 clients x $ITERATIONS iterations =="
t1=$(run 1 "$ITERATIONS")
printf '%6s %10s %9s %11s\n' ranks "wall s" speed-up efficiency
printf '%6d %10.3f %9.2f %10.0f%%\n' 1 "$t1" 1 100
for k in $(seq 2 "$RANKS"); do
  tk=$(run "$k" "$ITERATIONS")
  printf '%6d %10.3f %9.2f %10.0f%%\n' "$k" "$tk" "$(echo "$t1 / $tk" | bc -l)" \
    "$(echo "100 * $t1 / $tk / $k" | bc -l)"
done
echo
per=$((ITERATIONS / 4))
echo "== weak scaling: 100,000 clients x $per iterations per process =="
w1=$(run 1 "$per")
printf '%6s %10s %11s\n' ranks "wall s" efficiency
printf '%6d %10.3f %10.0f%%\n' 1 "$w1" 100
for k in $(seq 2 "$RANKS"); do
  wk=$(run "$k" $((per * k)))
  printf '%6d %10.3f %10.0f%%\n' "$k" "$wk" "$(echo "100 * $w1 / $wk" | bc -l)"
done
echo
# The part of one process's run that does not shrink with K: loading, the DCF, the statistics.
t_small=$(run 1 100)
echo "== per-process cost =="
per_ci=$(echo "($t1 - $t_small) / (100000 * ($ITERATIONS - 100))" | bc -l)
printf 'fixed part (load, DCF, statistics, JSON)   %8.3f s\n' "$t_small"
printf 'simulation per client and iteration       %8.2f ns\n' "$(echo "$per_ci * 1000000000" | bc -l)"
printf 'gathered per iteration                     %8d bytes (one value; 5 with a deal)\n' 8
echo
echo "== estimate: 10,000,000 clients x 10,000 iterations on 64 processes =="
sim=$(echo "$per_ci * 10000000 * 10000 / 64" | bc -l)
load=$(echo "$t_small * 100" | bc -l) # the fixed part grows with the book: ~100x the clients
printf 'simulation, shared by 64                   %8.1f s\n' "$sim"
printf 'loading and the DCF, in every process      %8.1f s   (100x the 100,000-client book)\n' "$load"
printf 'gathering 10,000 x 40 bytes per block       negligible (< 1 s on any interconnect)\n'
printf 'total                                      %8.1f s\n' "$(echo "$sim + $load" | bc -l)"
echo "bound by: every process loading the whole book (memory ~200 MB a million clients, and the"
echo "load time, not shared) once the simulation is split 64 ways; the workbook, written by one"
echo "process, if asked for (--no-workbook avoids it)."
