#!/usr/bin/env python3
"""Write a synthetic book for the benchmarks: N clients as CSV plus a scenario that reads it,
with three segments of uncertain retention and an uncertain discount rate.

usage: make_book.py N DIR [--iterations K] [--horizon H]   -> DIR/book-N.csv, DIR/book-N.yaml
"""
import argparse
import os
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("clients", type=int)
    ap.add_argument("dir")
    ap.add_argument("--iterations", type=int, default=10000)
    ap.add_argument("--horizon", type=int, default=10)
    ap.add_argument("--seed", type=int, default=20261123)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.dir, exist_ok=True)
    csv = os.path.join(a.dir, f"book-{a.clients}.csv")
    segments = ["small", "medium", "large"]
    with open(csv, "w", encoding="utf-8") as f:
        f.write("id,segment,annual_revenue,tenure_years\n")
        for i in range(a.clients):
            seg = rng.choices(segments, weights=[6, 3, 1])[0]
            revenue = round(rng.lognormvariate(8.0 + segments.index(seg), 0.6), 2)
            f.write(f"C{i:07d},{seg},{revenue},{rng.randint(0, 20)}\n")
    yaml = os.path.join(a.dir, f"book-{a.clients}.yaml")
    with open(yaml, "w", encoding="utf-8") as f:
        f.write(f"""name: Synthetic book of {a.clients} clients
currency: EUR
horizon_years: {a.horizon}
discount_rate: {{dist: triangular, min: 0.09, mode: 0.12, max: 0.17}}
revenue_growth: 0.02
margin: 0.38
retention: 0.88
segments:
  small: {{retention: {{dist: beta, mean: 0.85, sd: 0.03}}}}
  medium: {{retention: {{dist: uniform, min: 0.86, max: 0.93}}}}
  large: {{retention: {{dist: pert, min: 0.88, mode: 0.93, max: 0.97}}}}
monte_carlo: {{iterations: {a.iterations}, seed: 7, client_churn: true}}
clients_csv: book-{a.clients}.csv
""")
    print(yaml)


if __name__ == "__main__":
    main()
