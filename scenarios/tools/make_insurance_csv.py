#!/usr/bin/env python3
"""Generate scenarios/insurance-agency-clients.csv: a synthetic, deterministic book of 600
insurance-agency clients (households and businesses) for scenarios/insurance-agency-book.yaml.

Usage (from the repository root):
    python3 scenarios/tools/make_insurance_csv.py > scenarios/insurance-agency-clients.csv

Standard library only, fixed seed: the same Python 3 gives the same bytes every run.
Columns: id,name,segment,annual_revenue,tenure_years,active,receivable,receivable_age_days
annual_revenue is the client's annual commission to the agency (USD). Commissions are
lognormal within each segment, so a few commercial accounts are large. Inactive clients
(lapsed or cancelled) have no recurring commission but may still owe a balance.
Output: UTF-8, LF line endings, RFC 4180 quoting (names with commas or double quotes).
"""

import csv
import random
import sys

SEED = 20240611
N_CLIENTS = 600

FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
         "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica",
         "Thomas", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Sandra",
         "Mark", "Ashley", "Steven", "Kimberly", "Andrew", "Donna", "Kevin", "Michelle",
         "Brian", "Carol", "Gary", "Amanda", "Timothy", "Melissa", "Jason", "Deborah"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
        "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson",
        "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
        "Wright", "Scott", "Hill", "Green", "Adams", "Baker", "Nelson", "Carter", "Mitchell",
        "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans", "Edwards", "Collins",
        "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper", "Peterson"]
# A few UTF-8 names, as a real book in the US would have.
ACC_FIRST = ["José", "Renée", "Zoë", "François", "Søren", "Björn", "Jürgen", "Iñaki",
             "Ana Lúcia", "Chloé", "Andrés", "Noémie"]
ACC_LAST = ["Hernández", "Peña", "Côté", "Müller", "Åström", "Gonçalves", "Núñez", "Ibáñez",
            "Dvořák", "Lefèvre", "Møller", "Nguyễn"]
TRADES = ["Plumbing", "Roofing", "Landscaping", "Auto Repair", "Bakery", "Dental Group",
          "Electric", "Hardware", "Trucking", "Veterinary Clinic", "Construction",
          "Pharmacy", "Printing", "Cleaning Services", "Florist", "HVAC", "Machine Shop",
          "Restaurant", "Realty", "Storage"]
FORMS = ["LLC", "Inc.", "Co.", "LLP", "Corp."]
# Names that need RFC 4180 quoting (commas, embedded double quotes); placed at fixed rows.
SPECIAL = {
    7: ("Smith, Jones & Co", "commercial"),
    58: ('The "Corner" Store', "commercial"),
    133: ("Baker, Harold and Ruth", "personal"),
    241: ('"Lucky Seven" Diner, LLC', "commercial"),
    377: ("García, Ana & Luis", "personal"),
    512: ('O\'Brien "Mac" Family Trust', "life_health"),
}

# (segment, share of clients, median commission USD, lognormal sigma, mean tenure years)
SEGMENTS = [
    ("personal", 0.65, 310.0, 0.55, 7.0),
    ("commercial", 0.20, 2100.0, 1.05, 9.0),
    ("life_health", 0.15, 420.0, 0.70, 11.0),
]


def pick_segment(rng):
    u = rng.random()
    acc = 0.0
    for seg, share, *_ in SEGMENTS:
        acc += share
        if u < acc:
            return seg
    return SEGMENTS[-1][0]


def make_name(rng, seg):
    last = rng.choice(ACC_LAST) if rng.random() < 0.03 else rng.choice(LAST)
    if seg == "commercial":
        return f"{last} {rng.choice(TRADES)} {rng.choice(FORMS)}"
    if rng.random() < 0.5:
        first = rng.choice(ACC_FIRST) if rng.random() < 0.03 else rng.choice(FIRST)
        return f"{first} {last}"
    return f"{last} Household"


def main():
    rng = random.Random(SEED)
    params = {seg: (med, sig, ten) for seg, _, med, sig, ten in SEGMENTS}
    sys.stdout.reconfigure(encoding="utf-8", newline="\n")
    out = csv.writer(sys.stdout, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    out.writerow(["id", "name", "segment", "annual_revenue", "tenure_years", "active",
                  "receivable", "receivable_age_days"])
    for i in range(1, N_CLIENTS + 1):
        if i in SPECIAL:
            name, seg = SPECIAL[i]
        else:
            seg = pick_segment(rng)
            name = make_name(rng, seg)
        median, sigma, mean_tenure = params[seg]
        commission = median * rng.lognormvariate(0.0, sigma)
        tenure = min(int(rng.expovariate(1.0 / mean_tenure)), 40)
        active = rng.random() >= 0.03
        if not active:
            commission = 0.0
        receivable = 0.0
        age = 0
        if rng.random() < 0.10 or (not active and rng.random() < 0.5):
            base = commission if active else median
            receivable = base * rng.uniform(0.05, 0.6)
            age = int(rng.triangular(0, 540, 20))
        out.writerow([f"I{i:04d}", name, seg, f"{commission:.2f}", tenure,
                      "true" if active else "false", f"{receivable:.2f}", age])


if __name__ == "__main__":
    main()
