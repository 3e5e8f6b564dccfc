"""Portfolio diagnostics (book{...} in the JSON) against values computed here independently
from the same inputs, on a book of 347 clients with seeded random fees, tenures, activity and
receivables."""
import os
import random
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402

BUCKETS = [(0, 0.0125), (60, 0.0475), (120, 0.215), (365, 0.8)]
SEGMENTS = {"retail": {"margin": 0.3725, "retention": 0.8615},
            "corporate": {"margin": 0.4415, "retention": 0.9235}}
D, G, U, H = 0.1185, 0.0215, 0.9335, 8


def make_book(tmp):
    rng = random.Random(20261123)
    clients = []
    for i in range(347):
        seg = "corporate" if rng.random() < 0.3 else "retail"
        revenue = round(rng.lognormvariate(8.3 if seg == "retail" else 9.6, 0.9), 2)
        owed = round(rng.uniform(0, 4000), 2) if rng.random() < 0.4 else 0
        age = rng.choice([0, 15, 59, 60, 61, 119, 120, 200, 364, 365, 400]) if owed else 0
        clients.append({"id": f"K{i:04d}", "segment": seg, "annual_revenue": revenue,
                        "tenure_years": rng.randint(0, 27), "active": rng.random() < 0.83,
                        "receivable": owed, "receivable_age_days": age})
    with open(os.path.join(tmp, "book.csv"), "w", encoding="utf-8") as f:
        f.write("id,segment,annual_revenue,tenure_years,active,receivable,receivable_age_days\n")
        for c in clients:
            f.write(f"{c['id']},{c['segment']},{c['annual_revenue']},{c['tenure_years']},"
                    f"{'true' if c['active'] else 'false'},{c['receivable']},"
                    f"{c['receivable_age_days']}\n")
    segs = "\n".join(f"  {k}: {{margin: {v['margin']}, retention: {v['retention']}}}"
                     for k, v in SEGMENTS.items())
    buckets = ", ".join(f"[{a}, {r}]" for a, r in BUCKETS)
    path = e2e.write(os.path.join(tmp, "book.yaml"),
                     f"name: Diagnostics\ncurrency: EUR\nhorizon_years: {H}\n"
                     f"discount_rate: {D}\nrevenue_growth: {G}\nmargin: 0.4\nretention: 0.9\n"
                     f"transfer_retention: {U}\nprovision: {{buckets: [{buckets}]}}\n"
                     f"segments:\n{segs}\nclients_csv: book.csv\n")
    return path, clients


def expected(clients):
    # Issue 17: inactive clients are left out of the book (inactive_clients: exclude, the
    # default): no revenue, value, concentration or risk; their receivable is provided at the
    # last bucket's rate. They are still counted as clients and classed (C, with no revenue).
    clients = [dict(c, annual_revenue=c["annual_revenue"] if c["active"] else 0.0)
               for c in clients]
    total = sum(c["annual_revenue"] for c in clients)
    n = len(clients)
    by_rev = sorted(clients, key=lambda c: -c["annual_revenue"])
    share = lambda k: sum(c["annual_revenue"] for c in by_rev[:k]) / total  # noqa: E731
    abc = {"A": [0, 0.0], "B": [0, 0.0], "C": [0, 0.0]}
    before = 0.0
    for c in by_rev:  # a client's class is set by the share of the clients larger than it
        cls = "A" if before / total < 0.80 else "B" if before / total < 0.95 else "C"
        abc[cls][0] += 1
        abc[cls][1] += c["annual_revenue"]
        before += c["annual_revenue"]

    def rate(age):
        return [r for a, r in BUCKETS if a <= age][-1]

    def value(c):  # DCF value of one client: constant retention, end of year, no tail
        s = SEGMENTS[c["segment"]]
        return c["annual_revenue"] * s["margin"] * sum(
            (1 + G) ** (t - 1) * U * s["retention"] ** t / (1 + D) ** t for t in range(1, H + 1))

    values = sorted((value(c) for c in clients), reverse=True)
    return {
        "clients": n,
        "annual_revenue": total,
        "active_clients": sum(c["active"] for c in clients),
        "active_rate": sum(c["active"] for c in clients) / n,
        "hhi": sum((c["annual_revenue"] / total) ** 2 for c in clients),
        "top1_share": share(1), "top5_share": share(5), "top10_share": share(10),
        "top10_value_share": sum(values[:10]) / sum(values),
        "revenue_at_risk": sum(c["annual_revenue"] * (1 - U * SEGMENTS[c["segment"]]["retention"])
                               for c in clients),
        "receivables": sum(c["receivable"] for c in clients),
        "provision": sum(c["receivable"] * (rate(c["receivable_age_days"]) if c["active"]
                                            else BUCKETS[-1][1]) for c in clients),
        "abc": abc,
    }


class Diagnostics(unittest.TestCase):
    def test_book_figures_match_an_independent_computation(self):
        with tempfile.TemporaryDirectory() as tmp:
            path, clients = make_book(tmp)
            got = e2e.run_json(path)["book"]
            want = expected(clients)
            for key, value in want.items():
                if key == "abc":
                    for cls, (count, revenue) in value.items():
                        self.assertEqual(got["abc"][cls]["clients"], count, cls)
                        self.assertAlmostEqual(got["abc"][cls]["annual_revenue"], revenue,
                                               delta=1e-9 * revenue + 1e-9)
                else:
                    self.assertAlmostEqual(got[key], value, delta=1e-9 * abs(value) + 1e-12,
                                           msg=key)

    def test_bucket_boundaries_take_the_bucket_that_starts_there(self):
        # Receivables aged exactly 60, 120 and 365 days fall in the bucket starting there.
        with tempfile.TemporaryDirectory() as tmp:
            e2e.write(os.path.join(tmp, "b.csv"),
                      "id,annual_revenue,receivable,receivable_age_days\n"
                      "a,1000,1000,59\nb,1000,1000,60\nc,1000,1000,120\nd,1000,1000,365\n")
            path = e2e.write(os.path.join(tmp, "b.yaml"),
                             "name: b\ncurrency: EUR\ndiscount_rate: 0.1\nmargin: 0.3\n"
                             "retention: 0.9\nprovision: {buckets: [[0, 0.0125], [60, 0.0475], "
                             "[120, 0.215], [365, 0.8]]}\nclients_csv: b.csv\n")
            got = e2e.run_json(path)["book"]
            self.assertAlmostEqual(got["provision"], 1000 * (0.0125 + 0.0475 + 0.215 + 0.8),
                                   places=9)

    def test_no_buckets_means_no_provision_figure(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = e2e.write(os.path.join(tmp, "n.yaml"),
                             "name: n\ncurrency: EUR\ndiscount_rate: 0.1\nmargin: 0.3\n"
                             "retention: 0.9\nclients: [{id: a, annual_revenue: 10, "
                             "receivable: 5, receivable_age_days: 400}]\n")
            got = e2e.run_json(path)["book"]
            self.assertIsNone(got["provision"])
            self.assertEqual(got["receivables"], 5)

if __name__ == "__main__":
    e2e.main()
