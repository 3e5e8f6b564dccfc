"""The deal tests' shared scenario writer and reference (DESIGN §7-§8, README "Deal and
transfer"): scenarios are Python dicts written out as YAML for `bookval run`, and the JSON's deal
section is checked (DealCase.check) against a reference computed here from the stated
conventions alone (no engine formula is called, no engine number is fed back into the
reference). Used by test_deal_seller, test_deal_buyer, test_deal_books and the other deal
tests (test_tax, test_keep, test_irr_mid_year, test_retention_scale).

Conventions the reference implements (bookval's, where DESIGN is silent):
- All deal flows are annual, at year ends; year 0 is the closing. The book's expected revenue
  and cash of year t = 1..H are revenue_t = sum_i R_i (1+g)^(t-1) S_i(t), cash_t = m revenue_t,
  with S_i(t) = u r_i^t (constant retention); with timing: mid_year the buyer's after-tax cash
  of the book is carried from mid-year to the year's end at his rate, x (1+b)^(1/2) (issue 17:
  one timing convention in the deal).
- P0 = price, or multiple x R (R = sum R_i). Payments: share x P0 in their year. True-up:
  multiple x revenue_{measure_year} - P0 in the measure year. Earn-out: share x revenue_y.
  Clawback in year t = P0 x lost_t x refund(t), lost_t = sum_i (R_i/R)(S_i(t-1) - S_i(t)),
  S_i(0) = 1, refund(t) from the first tier with within_years >= t (else 0).
  principal_t = base + true_up + earn_out - clawback; P = sum principal_t.
  interest_t (t >= 1) = rate x sum_{s >= t} base_s.
- Seller: gain = P - tax_basis - selling_costs; accounting gain = P - carrying - costs;
  installment: recognised_t = gain x principal_t / P, else all in year 0; tax 0 when gain <= 0;
  per_year: brackets(recognised_t) (0 for x <= 0); cumulative: brackets(sum_{s<=t}) - paid.
  net_t = principal_t + interest_t - tax_t - (costs in year 0); its PV takes the parts that
  move with the book (true-up + earn-out - clawback) at the keep rate k (seller.keep's, else
  the seller's rate s) and the rest at s.
  keep_pv (only with seller.keep): cash'_t = m' revenue'_t with u = 1 and m' = keep.margin (or
  the book's), C_t = owner_compensation (1 + g_c)^(t-1), for t = 1..K (keep.years, else H),
  DF_k(t) = (1+k)^-t (mid_year: t - 1/2); with no keep.years and tail: runoff the run-off at k
  is added to the cash and C_K / cash'_K of it to the pay; keep_pv = (1 - income_tax_rate)
  (sum cash' DF - sum C DF) + exit, exit = (x revenue'_K - costs - brackets(x revenue'_K -
  basis - costs)) (1+k)^-K.
- Buyer: rate b = buyer.discount_rate or the mean of the scenario's; flow_t = (1-T) cash_t
  (+ (1-T) run-off PV at b x (1+b)^H in year H) + shield_t - principal_t - interest_t
  - (costs in year 0); shield_t = T (P + costs) / N for t = 1..N; years 0..max(H, last
  payment, N). IRR: the root of NPV in (-99%, 10000%) nearest 10%, with mid_year the book's
  cash at t - 1/2 (uncarried) and the rest at t; payback: first year with cumulative flow >= 0.
- Walk-away prices: every price term (base price, adjustment multiple, earn-out shares) times
  one factor k; max_price = k* P0 with NPV = 0; min_price = k* P0 with net PV = keep_pv.

Reference arithmetic is mpmath at 40 digits; the IRR is found by an own scan in ln(1+r) and
bisection; the walk-away factors by bisection on k. The plain-installment case and the bracket
cases (test_deal_seller.py) also carry hand-worked literals (derivations in the comments) that
the reference must reproduce before the engine is compared with it. Amounts are compared to
1e-9 relative to the deal's size (well under a cent).
"""
import copy
import json
import math
import os
import re
import sys
import tempfile
import unittest

from mpmath import mp, mpf

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402

mp.dps = 40
REL = 1e-9
TMP = tempfile.TemporaryDirectory(prefix="bookval-deal-")

# Spain's savings-base scale (models/tax/spain-individual.yaml, written out here on purpose).
SPAIN = [[0, 0.19], [6000, 0.21], [50000, 0.23], [200000, 0.27], [300000, 0.30]]


# ------------------------------------------------------------------------------------------
# Scenarios are Python dicts written out as YAML (flow style below the top level), so the
# reference reads exactly the numbers bookval reads.

def ydump(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        # Enumerations must be plain scalars (a quoted "per_year" is refused as text).
        plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v) and v.lower() not in (
            "true", "false", "yes", "no", "on", "off", "null", "y", "n")
        return v if plain else json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(ydump(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {ydump(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def scenario_text(sc):
    return "".join(f"{k}: {ydump(v)}\n" for k, v in sc.items())


_count = [0]


def write_scenario(sc, name=None):
    _count[0] += 1
    path = os.path.join(TMP.name, f"{name or 'deal'}-{_count[0]}.yaml")
    return e2e.write(path, scenario_text(sc))


def run_deal(sc, *args, name=None):
    """The JSON summary of `bookval run` on the scenario dict."""
    return e2e.run_json(write_scenario(sc, name), *args)


# ------------------------------------------------------------------------------------------
# The reference.

def num(x):
    """A scenario number as an exact decimal (bookval reads the nearest double)."""
    return mpf(repr(x)) if isinstance(x, float) else mpf(x)


def mean_of(v):
    if isinstance(v, dict):
        kind = v["dist"]
        if kind == "fixed":
            return num(v["value"])
        if kind == "uniform":
            return (num(v["min"]) + num(v["max"])) / 2
        if kind == "triangular":
            return (num(v["min"]) + num(v["mode"]) + num(v["max"])) / 3
        if kind == "pert":
            return (num(v["min"]) + 4 * num(v["mode"]) + num(v["max"])) / 6
        raise ValueError(kind)
    return num(v)


class ExpectedBook:
    """The expected book of constant-retention clients: revenue, cash, lost share by year
    (index t = 1..H; index 0 unused) and the run-off's PV at a rate."""

    def __init__(self, sc, without_transfer=False, margin=None):
        H = self.H = sc.get("horizon_years", 10)
        self.runoff = sc.get("tail", "none") == "runoff"
        self.R = sum(num(c["annual_revenue"]) for c in sc["clients"])
        self.revenue = [mpf(0)] * (H + 1)
        self.cash = [mpf(0)] * (H + 1)
        self.lost = [mpf(0)] * (H + 1)
        self.clients = []
        for c in sc["clients"]:
            R = num(c["annual_revenue"])
            r = num(c.get("retention", sc["retention"]))
            m = num(margin) if margin is not None else mean_of(c.get("margin", sc["margin"]))
            g = num(c.get("revenue_growth", sc.get("revenue_growth", 0)))
            u = mpf(1) if without_transfer else num(
                c.get("transfer_retention", sc.get("transfer_retention", 1)))
            self.clients.append((R, r, m, g, u))
            S = [mpf(1)] + [u * r ** t for t in range(1, H + 1)]
            for t in range(1, H + 1):
                rev = R * (1 + g) ** (t - 1) * S[t]
                self.revenue[t] += rev
                self.cash[t] += m * rev
                self.lost[t] += R / self.R * (S[t - 1] - S[t])

    def runoff_pv(self, rate):
        """PV at the closing of the cash of years H+1, H+2, ...: per client
        m R u (1+g)^(H-1) r^H (1+rate)^-H x q / (1 - q), q = r (1+g) / (1+rate)."""
        if not self.runoff:
            return mpf(0)
        H, pv = self.H, mpf(0)
        for R, r, m, g, u in self.clients:
            q = r * (1 + g) / (1 + rate)
            pv += m * R * u * (1 + g) ** (H - 1) * r ** H * (1 + rate) ** -H * q / (1 - q)
        return pv


def reference_tax(brackets, apply, gain, recognised):
    """The tax by year (README "Conventions", transfer tax): none for a gain <= 0;
    cumulative: brackets(gain to date) - tax paid; per_year: a negative year's gain carried
    forward into the next years' gain, what is left after the sale's last non-zero recognised
    gain set back against the earlier years (latest first), the tax that gives back deducted
    in that last year."""
    n = len(recognised)
    tax = [mpf(0)] * n
    if gain <= 0:
        return tax
    if apply == "whole_gain":  # the whole gain's average rate on each year's part
        return [bracket_tax(brackets, gain) / gain * r for r in recognised]
    if apply == "cumulative":
        paid = mpf(0)
        for t in range(n):
            tax[t] = bracket_tax(brackets, sum(recognised[:t + 1])) - paid
            paid += tax[t]
        return tax
    carried, taxable = mpf(0), []
    for r in recognised:
        taxable.append(max(r + carried, mpf(0)))
        carried = min(r + carried, mpf(0))
    tax = [bracket_tax(brackets, x) for x in taxable]
    last = max([t for t in range(n) if recognised[t] != 0], default=0)
    left = -carried
    for t in reversed(range(n)):
        back = min(taxable[t], left)
        left -= back
        tax[last] -= bracket_tax(brackets, taxable[t]) - bracket_tax(brackets, taxable[t] - back)
    return tax


def bracket_tax(brackets, x):
    """Marginal brackets: each rate on the part of x between its `from` and the next."""
    if x <= 0:
        return mpf(0)
    tax = mpf(0)
    for k, (lo, rate) in enumerate(brackets):
        lo = num(lo)
        hi = num(brackets[k + 1][0]) if k + 1 < len(brackets) else None
        if x > lo:
            top = x if hi is None or x < hi else hi
            tax += num(rate) * (top - lo)
    return tax


def present_value(flows, rate):
    return sum(f * (1 + rate) ** -t for t, f in enumerate(flows))


def timed_pv(flows, rate, mid=None, carry=1):
    """The PV of year-indexed flows with each at its true time: `mid[t]`, the book's cash that
    flows[t] holds carried to t by `carry`, at t - 1/2; the rest at t."""
    if mid is None:
        return present_value(flows, rate)
    return sum((f - carry * m) * (1 + rate) ** -t + m * (1 + rate) ** -(t - mpf("0.5"))
               for t, (f, m) in enumerate(zip(flows, mid)))


def irr_roots(flows, mid_cash=None, carry=1):
    """Every root of the NPV in (-99%, 10000%): a scan of 40,000 points uniform in ln(1+r),
    each sign change bisected (80 halvings). With `mid_cash` (timing: mid_year) the book's
    cash is at t - 1/2 (timed_pv)."""
    fl = [float(f) for f in flows]
    mid_floats = None if mid_cash is None else [float(m) for m in mid_cash]

    def npv(r):
        if mid_floats is None:
            return sum(f * (1 + r) ** -t for t, f in enumerate(fl))
        c = float(carry)
        return sum((f - c * m) * (1 + r) ** -t + m * (1 + r) ** -(t - 0.5)
                   for t, (f, m) in enumerate(zip(fl, mid_floats)))

    def present_value(flows, rate):  # noqa: F811  (the bisection's, at the flows' times)
        return timed_pv(flows, rate, mid_cash, carry)

    lo_x, hi_x, n = math.log(0.01), math.log(101.0), 40000
    xs = [lo_x + (hi_x - lo_x) * i / n for i in range(n + 1)]
    roots, prev_r, prev_v = [], math.exp(xs[0]) - 1, None
    prev_v = npv(prev_r)
    for x in xs[1:]:
        r = math.exp(x) - 1
        v = npv(r)
        if prev_v == 0:
            roots.append(prev_r)
        elif prev_v * v < 0:
            a, b = mpf(prev_r), mpf(r)
            fa = present_value(flows, a)
            for _ in range(80):
                mid = (a + b) / 2
                fm = present_value(flows, mid)
                if (fm < 0) == (fa < 0):
                    a, fa = mid, fm
                else:
                    b = mid
            roots.append(float((a + b) / 2))
        prev_r, prev_v = r, v
    return roots


def reference(sc, k=1):
    """The deal of scenario `sc` priced on the expected book, every price term times k."""
    d = sc["deal"]
    seller, buyer = sc.get("seller"), sc.get("buyer")
    book = ExpectedBook(sc)
    H = book.H
    payments = d.get("payments", [{"year": 0, "share": 1.0}])
    N = buyer.get("amortization_years", 15) if buyer else 0
    Y = max([H, N] + [p["year"] for p in payments])
    if seller:  # a year more for the last year's tax when it is paid a year later
        Y += seller.get("tax", {}).get("payment_lag_years", 0)
    k = mpf(k)
    price = d["price"]
    P0 = k * (num(price["multiple"]) * book.R if isinstance(price, dict) else num(price))
    z = lambda: [mpf(0)] * (Y + 1)  # noqa: E731
    base, true_up, earn_out, clawback = z(), z(), z(), z()
    for p in payments:
        base[p["year"]] += num(p["share"]) * P0
    if "adjustment" in d:
        m = d["adjustment"]["measure_year"]
        true_up[m] = k * num(d["adjustment"]["multiple"]) * book.revenue[m] - P0
    for e in d.get("earn_out", []):
        earn_out[e["year"]] += k * num(e["share_of_collections"]) * book.revenue[e["year"]]
    tiers = sorted(d.get("clawback", []), key=lambda c: c["within_years"])
    for t in range(1, H + 1):
        refund = next((num(c["refund"]) for c in tiers if c["within_years"] >= t), mpf(0))
        clawback[t] = P0 * book.lost[t] * refund
    principal = [base[t] + true_up[t] + earn_out[t] - clawback[t] for t in range(Y + 1)]
    P = sum(principal)
    rate = num(d.get("interest_rate", 0))
    interest = [mpf(0)] + [rate * sum(base[t:]) for t in range(1, Y + 1)]
    out = dict(book=book, Y=Y, P0=P0, P=P, base=base, true_up=true_up, earn_out=earn_out,
               clawback=clawback, principal=principal, interest=interest)

    if seller:
        costs = num(seller.get("selling_costs", 0))
        gain = P - num(seller.get("tax_basis", 0)) - costs
        tax_spec = seller.get("tax", {})
        brackets = tax_spec.get("brackets", [])
        if tax_spec.get("installment_method", True) and P != 0:
            # (P = 0 only at k = 0 in the walk-away search: then all of the gain, a loss,
            # falls in year 0.)
            recognised = [gain * p / P for p in principal]
        else:
            recognised = [gain] + [mpf(0)] * Y
        tax = reference_tax(brackets, tax_spec.get("brackets_apply", "per_year"), gain,
                            recognised)
        # Interest is taxed at seller.tax.interest_rate (else the top bracket's rate); the
        # gain's and the interest's tax of year t are paid in year t + payment_lag_years.
        i_rate = (num(tax_spec["interest_rate"]) if "interest_rate" in tax_spec
                  else num(brackets[-1][1]) if brackets else mpf(0))
        interest_tax = [i_rate * i for i in interest]
        lag = tax_spec.get("payment_lag_years", 0)
        paid = [tax[t - lag] + interest_tax[t - lag] if t >= lag else mpf(0)
                for t in range(Y + 1)]
        net = [principal[t] + interest[t] - paid[t] - (costs if t == 0 else 0)
               for t in range(Y + 1)]
        s = num(seller["discount_rate"])
        k_rate = num(seller["keep"]["discount_rate"]) if "keep" in seller else s
        risky = [true_up[t] + earn_out[t] - clawback[t] for t in range(Y + 1)]
        net_pv = (present_value([net[t] - risky[t] for t in range(Y + 1)], s)
                  + present_value(risky, k_rate))
        out.update(gain=gain, accounting_gain=P - num(seller.get("carrying_amount", 0)) - costs,
                   recognised=recognised, tax=tax, tax_total=sum(tax), seller_net=net,
                   interest_tax=interest_tax, tax_paid=paid,
                   net_proceeds=sum(net), net_proceeds_pv=net_pv,
                   keep_pv=reference_keep(sc), seller_rate=s)

    if buyer:
        b = num(buyer["discount_rate"]) if "discount_rate" in buyer else mean_of(
            sc["discount_rate"])
        T = num(buyer.get("tax_rate", 0))
        c = num(buyer.get("acquisition_costs", 0))
        after_tax = z()
        # Issue 17: the book's cash (and the buyer's tax on it) follows `timing`, as in the
        # DCF; mid-year cash is carried to its year's end at the buyer's rate, (1 + b)^(1/2).
        # (Before, it was counted at year ends whatever the timing.)
        # The IRR puts that cash at t - 1/2 (mid, uncarried), discounted at the IRR itself.
        carry = mp.sqrt(1 + b) if sc.get("timing", "end_of_year") == "mid_year" else 1
        mid = z() if carry != 1 else None
        for t in range(1, H + 1):
            after_tax[t] = (1 - T) * book.cash[t] * carry
            if mid is not None:
                mid[t] = (1 - T) * book.cash[t]
        # The run-off too is discounted with the timing (its PV at the closing, then taken to
        # year H's end: no second carry).
        after_tax[H] += (1 - T) * book.runoff_pv(b) * carry * (1 + b) ** H
        shield = z()
        for t in range(1, N + 1):
            shield[t] = T * (P + c) / N
        # Interest paid is deductible at the buyer's tax rate.
        flows = [after_tax[t] + shield[t] + T * interest[t] - principal[t] - interest[t]
                 - (c if t == 0 else 0) for t in range(Y + 1)]
        cumulative, payback = mpf(0), None
        for t, f in enumerate(flows):
            cumulative += f
            if payback is None and cumulative >= 0:
                payback = t
        out.update(buyer_rate=b, after_tax=after_tax, shield=shield, buyer_flows=flows,
                   buyer_mid=mid, buyer_carry=carry,
                   npv=present_value(flows, b), payback_year=payback)
    return out


def reference_keep(sc):
    """The value of keeping the book (module docstring), or None without seller.keep."""
    seller = sc["seller"]
    keep = seller.get("keep")
    if keep is None:
        return None
    H = sc.get("horizon_years", 10)
    book = ExpectedBook(sc, without_transfer=True, margin=keep.get("margin"))
    k = num(keep["discount_rate"])
    mid = sc.get("timing", "end_of_year") == "mid_year"
    K = keep.get("years", H)
    C = num(keep.get("owner_compensation", 0))
    g_c = num(keep.get("owner_compensation_growth", sc.get("revenue_growth", 0)))

    def df(t):
        return (1 + k) ** -(t - mpf("0.5") if mid else mpf(t))

    def pay(t):
        return C * (1 + g_c) ** (t - 1)

    cash_pv = sum(book.cash[t] * df(t) for t in range(1, K + 1))
    pay_pv = sum(pay(t) * df(t) for t in range(1, K + 1))
    if "years" not in keep and book.runoff:
        tail = book.runoff_pv(k) * ((1 + k) ** mpf("0.5") if mid else 1)
        cash_pv += tail
        if book.cash[K] > 0:
            pay_pv += tail * pay(K) / book.cash[K]
    value = (1 - num(seller.get("income_tax_rate", 0))) * (cash_pv - pay_pv)
    if isinstance(keep.get("exit"), dict):
        costs = num(seller.get("selling_costs", 0))
        price = num(keep["exit"]["multiple"]) * book.revenue[K]
        brackets = seller.get("tax", {}).get("brackets", [])
        tax = bracket_tax(brackets, price - num(seller.get("tax_basis", 0)) - costs)
        value += (price - costs - tax) * (1 + k) ** -K
    return value


def reference_irr(ref):
    roots = irr_roots(ref["buyer_flows"], ref["buyer_mid"], ref["buyer_carry"])
    return min(roots, key=lambda r: abs(r - 0.1)) if roots else None


def solve_k(gap):
    """The k >= 0 where gap(k) changes sign (bisection after doubling from k = 1)."""
    lo, hi = mpf(0), mpf(1)
    g_lo = gap(lo)
    while (gap(hi) < 0) == (g_lo < 0):
        lo, hi = hi, hi * 2
        if hi > 2 ** 40:
            return None
    for _ in range(90):
        mid = (lo + hi) / 2
        if (gap(mid) < 0) == (g_lo < 0):
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def reference_max_price(sc):
    k = solve_k(lambda k: reference(sc, k)["npv"])
    return None if k is None else k * reference(sc)["P0"]


def reference_min_price(sc):
    keep_pv = reference(sc)["keep_pv"]
    if keep_pv is None:
        return None
    k = solve_k(lambda k: reference(sc, k)["net_proceeds_pv"] - keep_pv)
    return None if k is None else k * reference(sc)["P0"]


def scaled(sc, k):
    """The scenario with every price term times k (base price, adjustment multiple, earn-out
    shares); the clawback follows P0 by itself."""
    sc = copy.deepcopy(sc)
    d = sc["deal"]
    if isinstance(d["price"], dict):
        d["price"]["multiple"] = d["price"]["multiple"] * k
    else:
        d["price"] = d["price"] * k
    if "adjustment" in d:
        d["adjustment"]["multiple"] = d["adjustment"]["multiple"] * k
    for e in d.get("earn_out", []):
        e["share_of_collections"] = e["share_of_collections"] * k
    return sc


# ------------------------------------------------------------------------------------------
# Books and deals used below. One or two clients, constant retention, so revenue_t is
# R u r^t by hand (times (1+g)^(t-1) where a growth is given).

def base_scenario(name, **over):
    sc = {
        "name": name,
        "currency": "EUR",
        "horizon_years": 6,
        "discount_rate": 0.1175,
        "margin": 0.3725,
        "retention": 0.8835,
        "clients": [{"id": "A1", "name": "Panadería López", "annual_revenue": 48250.37}],
    }
    sc.update(over)
    return sc


def mc_scenario(churn, iterations, seed):
    # Fourteen clients of varied size and retention, everything fixed, run-off tail; a deal
    # with every price term that follows the book (true-up, earn-outs, two clawback tiers).
    revenue = [12480.35, 3315.7, 27140.9, 8805.15, 1920.45, 15230.6, 6650.25, 4410.8,
               21975.3, 980.65, 9915.4, 2745.05, 18360.75, 5520.9]
    retention = [0.9135, 0.8415, 0.9455, 0.8815, 0.7925, 0.9265, 0.8635, 0.9015, 0.9345,
                 0.7515, 0.8975, 0.8255, 0.9185, 0.8695]
    return base_scenario(
        "Monte Carlo deal", horizon_years=6, tail="runoff", revenue_growth=0.0175,
        discount_rate=0.1125, margin=0.3815, transfer_retention=0.9635,
        clients=[{"id": f"C{i:02d}", "annual_revenue": R, "retention": r}
                 for i, (R, r) in enumerate(zip(revenue, retention))],
        monte_carlo={"iterations": iterations, "seed": seed, "client_churn": churn},
        deal={"price": {"multiple": 1.0725},
              "adjustment": {"measure_year": 2, "multiple": 1.1315},
              "payments": [{"year": 0, "share": 0.5}, {"year": 1, "share": 0.3},
                           {"year": 2, "share": 0.2}],
              "interest_rate": 0.0415,
              "earn_out": [{"year": 1, "share_of_collections": 0.0725},
                           {"year": 3, "share_of_collections": 0.0515}],
              "clawback": [{"within_years": 1, "refund": 0.9},
                           {"within_years": 2, "refund": 0.35}]},
        seller={"tax_basis": 4150.0, "selling_costs": 3260.4, "discount_rate": 0.0615,
                "income_tax_rate": 0.3375, "tax": {"brackets": SPAIN}},
        buyer={"discount_rate": 0.1285, "acquisition_costs": 2240.0, "tax_rate": 0.25,
               "amortization_years": 10})


class DealCase(unittest.TestCase):
    def close(self, got, want, scale, what):
        self.assertIsNotNone(got, f"{what}: engine gave null, want {float(want)!r}")
        tol = REL * max(abs(float(want)), abs(float(scale)))
        self.assertLessEqual(abs(got - float(want)), tol,
                             f"{what}: engine {got!r}, reference {float(want)!r} "
                             f"(diff {got - float(want):.3g}, tol {tol:.3g})")

    def check(self, sc, out, ref=None):
        """Every deal number of the JSON against the reference."""
        ref = ref or reference(sc)
        deal, scale = out["deal"], ref["P0"]
        self.close(deal["base_price"], ref["P0"], scale, "base_price")
        self.close(deal["expected_price"], ref["P"], scale, "expected_price")
        if "seller" in sc:
            s = deal["seller"]
            for key in ("gain", "accounting_gain", "net_proceeds", "net_proceeds_pv"):
                self.close(s[key], ref[key], scale, f"seller.{key}")
            if ref["keep_pv"] is None:
                self.assertIsNone(s["keep_pv"], "seller.keep_pv: no seller.keep given")
            else:
                self.close(s["keep_pv"], ref["keep_pv"], scale, "seller.keep_pv")
            self.close(s["tax"], ref["tax_total"], scale, "seller.tax")
            want = reference_min_price(sc)
            if want is None:
                self.assertIsNone(s["min_price"], "seller.min_price: none exists")
            else:
                # The engine solves to a hundredth of a cent of the base price.
                self.assertIsNotNone(s["min_price"], "seller.min_price")
                self.assertLess(abs(s["min_price"] - float(want)), 0.01,
                                f"seller.min_price: engine {s['min_price']!r}, "
                                f"reference {float(want)!r}")
        else:
            self.assertIsNone(deal["seller"])
        if "buyer" in sc:
            b = deal["buyer"]
            self.close(b["npv"], ref["npv"], scale, "buyer.npv")
            self.close(b["discount_rate"], ref["buyer_rate"], 1, "buyer.discount_rate")
            self.assertEqual(b["payback_year"], ref["payback_year"], "buyer.payback_year")
            want = reference_max_price(sc)
            if want is None:
                self.assertIsNone(b["max_price"], "buyer.max_price: none exists")
            else:
                self.assertIsNotNone(b["max_price"], "buyer.max_price")
                self.assertLess(abs(b["max_price"] - float(want)), 0.01,
                                f"buyer.max_price: engine {b['max_price']!r}, "
                                f"reference {float(want)!r}")
            want_irr = reference_irr(ref)
            if want_irr is None:
                self.assertIsNone(b["irr"], "buyer.irr: the flows have no root")
            else:
                self.assertIsNotNone(b["irr"], f"buyer.irr: null, want {want_irr!r}")
                self.assertAlmostEqual(b["irr"], want_irr, delta=1e-9, msg="buyer.irr")
        else:
            self.assertIsNone(deal["buyer"])
        if "monte_carlo" not in sc:
            # Without a Monte Carlo there are no distributions, never a made-up number.
            if deal["buyer"] is not None:
                self.assertIsNone(deal["buyer"]["prob_npv_negative"])
                self.assertNotIn("npv_distribution", deal["buyer"])
            if deal["seller"] is not None:
                self.assertNotIn("gain_distribution", deal["seller"])
        return ref
