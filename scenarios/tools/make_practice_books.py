#!/usr/bin/env python3
"""Write the two small accounting books of scenarios/buyer-choosing-practices.yaml:
practice-a-clients.csv (a town practice of long-standing small businesses) and
practice-b-clients.csv (a younger city practice with larger, newer clients).
Deterministic (fixed seeds, standard library only).

usage: make_practice_books.py DIR
"""
import os
import random
import sys

SEGMENTS = ["individual", "sole_trader", "company"]


def book(path, seed, n, weights, fee_scale, tenure_max):
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as f:
        f.write("id,segment,annual_revenue,tenure_years,active,receivable,receivable_age_days\n")
        for i in range(n):
            seg = rng.choices(SEGMENTS, weights=weights)[0]
            base = {"individual": 420, "sole_trader": 1650, "company": 6900}[seg] * fee_scale
            fee = round(base * rng.lognormvariate(0, 0.45), 2)
            owed = round(fee * rng.uniform(0.05, 0.4), 2) if rng.random() < 0.3 else 0
            age = rng.choice([12, 45, 75, 130, 220, 400]) if owed else 0
            active = "true" if rng.random() < 0.94 else "false"
            f.write(f"{seed % 10}{i:04d},{seg},{fee},{rng.randint(0, tenure_max)},{active},"
                    f"{owed},{age}\n")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    book(os.path.join(out, "practice-a-clients.csv"), 20261, 118, [2, 5, 3], 1.0, 22)
    book(os.path.join(out, "practice-b-clients.csv"), 20262, 74, [1, 3, 6], 1.35, 6)


if __name__ == "__main__":
    main()
