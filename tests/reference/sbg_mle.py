#!/usr/bin/env python3
"""Independent reference maximum-likelihood fits of the shifted-beta-geometric (sBG) and the
constant-retention (geometric) models, for the tests of `bookval fit`.

Written from Fader & Hardie, "How to Project Customer Retention" (Journal of Interactive
Marketing 21(1), 2007), not from bookval's C code, and computed with mpmath at 40 digits:

    P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta)      t = 1, 2, ...
    S(t)     = B(alpha, beta + t) / B(alpha, beta)
    LL       = sum over cohorts [ sum_{t=1..last} (n_{t-1} - n_t) ln P(T = t)
                                  + n_last ln S(last) ]

(the Beta functions themselves, through mpmath.beta: not the product of yearly retention rates
that the C engine uses). The maximum is found in two independent stages:

  1. a grid search over (ln alpha, ln beta) in [ln 1e-3, ln 1e3]^2, refined three times around
     the best grid point;
  2. Newton's method on the gradient (mpmath.findroot; derivatives by mpmath.diff, i.e.
     high-precision finite differences of the Beta-function likelihood), started from stage 1.

The script aborts (exit 1) unless stage 2 lands within the last grid cell of stage 1, the
gradient there is below 1e-20, and the Hessian is negative definite. Standard errors are the
square roots of the diagonal of the inverse observed information (minus the Hessian of LL in
(alpha, beta), by mpmath.diff). The geometric model's MLE is churn p = deaths / exposure, where
exposure counts every client active at the start of an observed year; it is cross-checked by
maximising its own log-likelihood with mpmath.findroot.

Usage:
    sbg_mle.py                 the built-in data sets (those tests/unit/test_fit.c uses), as a
                               table to paste into the test
    sbg_mle.py HISTORY.yaml    one history file (PyYAML), as JSON on stdout:
        {"alpha", "beta", "alpha_se", "beta_se", "log_likelihood", "aic",
         "geometric": {"retention", "log_likelihood", "aic"},
         "fitted_survival": [S(0), S(1), ...], "fitted_retention": [null, r(1), ...]}
"""

import json
import sys

import mpmath as mp

mp.mp.dps = 40

# Fader & Hardie (2007), Table 1: customers still active out of 1000 acquired in year 0.
REGULAR = [1000, 869, 743, 653, 593, 551, 517, 491]
HIGH_END = [1000, 631, 468, 382, 326, 289, 262, 241]
# Three cohorts observed for 5, 3 and 2 years (each censored at its last year), pooled.
CENSORED = [[1200, 1010, 905, 840, 792, 760], [400, 350, 310, 290], [237, 201, 186]]

DATA_SETS = {
    "regular": [REGULAR],
    "high_end": [HIGH_END],
    "censored": CENSORED,
    "both_fh_cohorts": [REGULAR, HIGH_END],
}


def log_likelihood(alpha, beta, cohorts):
    """Fader & Hardie's LL, term by term through the Beta function."""
    alpha, beta = mp.mpf(alpha), mp.mpf(beta)
    b0 = mp.beta(alpha, beta)
    ll = mp.mpf(0)
    for counts in cohorts:
        for t in range(1, len(counts)):
            lost = counts[t - 1] - counts[t]
            if lost:
                ll += lost * mp.log(mp.beta(alpha + 1, beta + t - 1) / b0)
        last = len(counts) - 1
        if counts[last]:
            ll += counts[last] * mp.log(mp.beta(alpha, beta + last) / b0)
    return ll


def survival(alpha, beta, t):
    return mp.beta(alpha, beta + t) / mp.beta(alpha, beta)


def grid_search(cohorts):
    """Best (ln alpha, ln beta) on a grid, refined around the best point; returns it and the
    final cell half-width."""
    lo_a, hi_a = mp.log(mp.mpf("1e-3")), mp.log(mp.mpf("1e3"))
    lo_b, hi_b = lo_a, hi_a
    steps = 40
    best = None
    for _ in range(4):
        da = (hi_a - lo_a) / steps
        db = (hi_b - lo_b) / steps
        for i in range(steps + 1):
            for j in range(steps + 1):
                u, v = lo_a + i * da, lo_b + j * db
                f = log_likelihood(mp.exp(u), mp.exp(v), cohorts)
                if best is None or f > best[0]:
                    best = (f, u, v)
        _, u, v = best
        lo_a, hi_a = u - 2 * da, u + 2 * da
        lo_b, hi_b = v - 2 * db, v + 2 * db
    return best[1], best[2], max(da, db)


def fit_sbg(cohorts):
    u0, v0, cell = grid_search(cohorts)

    def ll_uv(u, v):
        return log_likelihood(mp.exp(u), mp.exp(v), cohorts)

    def gradient(u, v):
        return [mp.diff(lambda x: ll_uv(x, v), u), mp.diff(lambda y: ll_uv(u, y), v)]

    u, v = mp.findroot(gradient, (u0, v0))
    if abs(u - u0) > 2 * cell or abs(v - v0) > 2 * cell:
        sys.exit(f"Newton left the grid optimum: {(u, v)} vs {(u0, v0)}")
    g = gradient(u, v)
    if max(abs(g[0]), abs(g[1])) > mp.mpf("1e-20"):
        sys.exit(f"gradient not zero at the optimum: {g}")
    alpha, beta = mp.exp(u), mp.exp(v)

    def ll_ab(a, b):
        return log_likelihood(a, b, cohorts)

    h_aa = mp.diff(ll_ab, (alpha, beta), (2, 0))
    h_bb = mp.diff(ll_ab, (alpha, beta), (0, 2))
    h_ab = mp.diff(ll_ab, (alpha, beta), (1, 1))
    info = mp.matrix([[-h_aa, -h_ab], [-h_ab, -h_bb]])
    if not (info[0, 0] > 0 and mp.det(info) > 0):
        sys.exit("the Hessian is not negative definite at the optimum")
    cov = info ** -1
    ll = ll_ab(alpha, beta)
    horizon = max(len(c) for c in cohorts) - 1
    s = [survival(alpha, beta, t) for t in range(horizon + 1)]
    return {
        "alpha": alpha,
        "beta": beta,
        "alpha_se": mp.sqrt(cov[0, 0]),
        "beta_se": mp.sqrt(cov[1, 1]),
        "log_likelihood": ll,
        "aic": 2 * 2 - 2 * ll,
        "fitted_survival": s,
        "fitted_retention": [None] + [s[t] / s[t - 1] for t in range(1, horizon + 1)],
    }


def fit_geometric(cohorts):
    deaths = sum(c[0] - c[-1] for c in cohorts)
    exposure = sum(sum(c[:-1]) for c in cohorts)
    p = mp.mpf(deaths) / exposure

    def ll(q):
        return deaths * mp.log(q) + (exposure - deaths) * mp.log(1 - q)

    q = mp.findroot(lambda x: mp.diff(ll, x), p * mp.mpf("1.01"))
    if abs(q - p) > mp.mpf("1e-30"):
        sys.exit(f"geometric closed form {p} disagrees with the numerical optimum {q}")
    return {"retention": 1 - p, "churn": p, "log_likelihood": ll(p), "aic": 2 - 2 * ll(p)}


def as_float(x):
    return None if x is None else float(x)


def history_file(path):
    import yaml

    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    return [c["survival"] for c in doc["cohorts"]]


def main():
    if len(sys.argv) == 2:
        cohorts = history_file(sys.argv[1])
        sbg, geo = fit_sbg(cohorts), fit_geometric(cohorts)
        out = {k: as_float(v) for k, v in sbg.items() if not isinstance(v, list)}
        out["fitted_survival"] = [as_float(x) for x in sbg["fitted_survival"]]
        out["fitted_retention"] = [as_float(x) for x in sbg["fitted_retention"]]
        out["geometric"] = {k: as_float(geo[k]) for k in ("retention", "log_likelihood", "aic")}
        json.dump(out, sys.stdout, indent=1)
        print()
        return
    for name, cohorts in DATA_SETS.items():
        sbg, geo = fit_sbg(cohorts), fit_geometric(cohorts)
        print(f"{name}:")
        for key in ("alpha", "beta", "alpha_se", "beta_se", "log_likelihood", "aic"):
            print(f"  {key:16s} {mp.nstr(sbg[key], 20)}")
        print("  fitted_survival  " +
              ", ".join(mp.nstr(x, 17) for x in sbg["fitted_survival"]))
        for key in ("retention", "log_likelihood", "aic"):
            print(f"  geometric.{key:16s} {mp.nstr(geo[key], 20)}")


if __name__ == "__main__":
    main()
