#!/bin/bash
# The risk report's cost at CLIENTS x ITERATIONS (default 100,000 x 10,000): the simulation of
# this tree against BASE (a commit before the audit trail), the drivers and the price at risk.
#   bash bench/risk_bench.sh [CLIENTS] [ITERATIONS] [BASE]
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${1:-100000}
ITER=${2:-10000}
BASE=${3:-4d263ca}
WORK=${BENCH_DIR:-/tmp/bookval-bench}
mkdir -p "$WORK"
ROOT=$PWD
[ -f "$WORK/book-$CLIENTS.csv" ] || /usr/bin/python3 bench/make_book.py "$CLIENTS" "$WORK" --iterations "$ITER" >/dev/null
flags="$(pkg-config --cflags gsl xlsxwriter yaml-0.1 minizip) -fopenmp -O2"
libs="$(pkg-config --libs gsl xlsxwriter yaml-0.1 nettle minizip) -lcsv -lz -lm -fopenmp"
incs=""
for d in core input model value analysis report; do incs="$incs -I$ROOT/src/$d"; done
cc $flags -DRISK_REPORT $incs bench/risk_bench.c build/libbookval.a $libs -o "$WORK/risk_bench"
if [ ! -f "$WORK/base/build/libbookval.a" ]; then
  rm -rf "$WORK/base" && mkdir -p "$WORK/base"
  git archive "$BASE" | tar -x -C "$WORK/base"
  cmake -S "$WORK/base" -B "$WORK/base/build" -DCMAKE_BUILD_TYPE=Release -DBOOKVAL_TESTS=OFF >/dev/null
  cmake --build "$WORK/base/build" -j2 --target libbookval >/dev/null
fi
bincs=""
for d in core input model value analysis report; do bincs="$bincs -I$WORK/base/src/$d"; done
cc $flags $bincs bench/risk_bench.c "$WORK/base/build/libbookval.a" $libs -o "$WORK/risk_bench_base"
S="$WORK/book-$CLIENTS.yaml"
DEAL=(--set "monte_carlo.iterations=$ITER" --set 'deal={price: {multiple: 1.0}, payments: [{year: 0, share: 0.5}, {year: 1, share: 0.5}]}'
      --set 'buyer={discount_rate: 0.13, tax_rate: 0.25, amortization_years: 15}')
echo "machine: $(nproc) cores, shared; $CLIENTS clients x $ITER iterations, a deal with a buyer"
echo "-- base ($BASE): the simulation alone"
"$WORK/risk_bench_base" "$S" "${DEAL[@]}"
# The base draws the discount rate; so does this tree with vary_discount_rate (like for like).
echo "-- this tree: audit trail kept, no price at risk"
"$WORK/risk_bench" "$S" "${DEAL[@]}" --set monte_carlo.vary_discount_rate=true
echo "-- this tree: buyer.price_at_risk: 0.1 (each iteration's book kept)"
"$WORK/risk_bench" "$S" "${DEAL[@]}" --set monte_carlo.vary_discount_rate=true --set buyer.price_at_risk=0.1
