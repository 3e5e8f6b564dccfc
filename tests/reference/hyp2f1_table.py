#!/usr/bin/env python3
"""Reference values of the Gauss hypergeometric function 2F1(1, b; c; x) for the sBG tail.

The sBG run-off tail of bookval is (see dcf_reference.py)
    x^(H+1) (b0)_(H+1)/(c0)_(H+1) * 2F1(1, b; c; x),  b = beta+n+H+1 (or beta+n+H),  c = alpha+b,
    x = (1+g)/(1+d),
so the table covers c = alpha + b with
    alpha in {0.05, 0.3, 0.7, 1.0, 1.5, 2.0, 3.0, 7.3, 25.0}
    b     in {0.5, 1.7, 4.2, 11.0, 38.5, 150.0, 600.0}
    x     in {0.0, 0.3, 0.62, 0.9, 0.97, 0.995, 0.999, 0.9999, 0.999999, 1.0}
(x = 1.0 only when alpha > 1, where 2F1(1, b; c; 1) = (c-1)/(alpha-1); it diverges otherwise).

Output: one row per case, whitespace-separated, no header (use --header for a '#' comment line):
    a b c x value
a, b, c, x are printed as the shortest decimal that reads back (strtod) as the same IEEE double,
and `value` (20 significant digits) is 2F1 at exactly those doubles; c is the double nearest to
alpha + b (so c - b may differ from alpha in the last bit; the x = 1 value uses c - b exactly).
Near x = 1 the function is sensitive to x (relative d ln F/d ln(1-x) up to ~1), so tabulating at the
doubles a C program actually sees matters at the 1e-12 level.

Computed with mpmath at 50 digits (mpmath.hyp2f1).  Each row is cross-checked by tanh-sinh
quadrature of the integral representation E[1/(1 - x (1-theta))], theta ~ Beta(alpha, b) (all
rows, x = 1 included), and rows with x <= 0.9 also by mpmath.nsum of the series; the script aborts
(exit 1) if any route disagrees by more than 1e-15 relative.  The largest disagreement seen is
reported on stderr.  --no-check skips the cross-checks (about 1 minute otherwise).
"""

import sys
import time

import mpmath as mp

mp.mp.dps = 50

ALPHAS = ['0.05', '0.3', '0.7', '1.0', '1.5', '2.0', '3.0', '7.3', '25.0']
BS = ['0.5', '1.7', '4.2', '11.0', '38.5', '150.0', '600.0']
XS = ['0.0', '0.3', '0.62', '0.9', '0.97', '0.995', '0.999', '0.9999', '0.999999', '1.0']
ABORT_REL = mp.mpf('1e-15')
NSUM_X_MAX = 0.9


def quad_2f1(al, b, x):
    """E[1/(1 - x(1-th))], th ~ Beta(al, b)  ( = 2F1(1, b; al+b; x) ), by tanh-sinh quadrature.

    The integrand carries the normalised Beta density (mpmath.quad's tolerance is absolute), is
    split at the scale 1-x and around the bulk of the density, and the endpoint singularities
    th^(al-1) (al < 1) and (1-th)^(b-1) (b < 1) are removed by substitution."""
    eps = 1 - x
    iB = 1 / mp.beta(al, b)
    m = al / (al + b)
    sd = mp.sqrt(al * b / ((al + b) ** 2 * (al + b + 1)))
    pts = set()
    for k in (-6, -4, -3, -2, -1, -0.5, 0, 0.5, 1, 2, 3, 4, 6, 9, 14, 20, 30):
        p = m + k * sd
        if 0 < p < 1:
            pts.add(p)
    for k in (1, 10, 100, 1000):
        if eps > 0 and k * eps < 1:
            pts.add(k * eps)
    half = mp.mpf(1) / 2
    pts.discard(half)
    lo = sorted(p for p in pts if p < half)
    hi = sorted(p for p in pts if p > half)

    def g(th):
        den = eps + x * th          # = 1 - x(1-th), without cancellation
        return 1 / den if den else mp.mpf(0)

    if al < 1:      # th = s^(1/al): th^(al-1) dth = ds/al
        def fa(s):
            th = s ** (1 / al)
            return iB * (1 - th) ** (b - 1) * g(th) / al
        A = mp.quad(fa, [0] + [p ** al for p in lo] + [half ** al])
    else:
        def fa(th):
            return iB * th ** (al - 1) * (1 - th) ** (b - 1) * g(th)
        A = mp.quad(fa, [0] + lo + [half])
    if b < 1:       # 1-th = v^(1/b): (1-th)^(b-1) dth = -dv/b
        def fb(v):
            th = 1 - v ** (1 / b)
            return iB * th ** (al - 1) * g(th) / b
        B = mp.quad(fb, [0] + sorted((1 - p) ** b for p in hi) + [half ** b])
    else:
        def fb(th):
            return iB * th ** (al - 1) * (1 - th) ** (b - 1) * g(th)
        B = mp.quad(fb, [half] + hi + [1])
    return A + B


def nsum_2f1(b, c, x):
    cache = {0: mp.mpf(1)}

    def term(j):    # (b)_j / (c)_j x^j, by the term ratio
        j = int(j)
        if j not in cache:
            k = max(k for k in cache if k < j)
            v = cache[k]
            for i in range(k, j):
                v = v * (b + i) / (c + i) * x
            cache[j] = v
        return cache[j]
    return mp.nsum(term, [0, mp.inf])


def rel(a, b):
    return mp.mpf(0) if a == b else abs(a - b) / max(abs(a), abs(b))


def main(argv):
    check = '--no-check' not in argv
    header = '--header' in argv
    t0 = time.time()
    worst = {'quad': (mp.mpf(0), None), 'nsum': (mp.mpf(0), None), 'x=1 formula': (mp.mpf(0), None)}
    if header:
        print('# a b c x value   (2F1(1,b;c;x); c = alpha+b; values at the IEEE doubles shown)')
    rows = 0
    for a_s in ALPHAS:
        for b_s in BS:
            for x_s in XS:
                al_d, b_d, x_d = float(a_s), float(b_s), float(x_s)
                if x_d == 1.0 and not al_d > 1:
                    continue
                c_d = al_d + b_d                      # the double a C program would form
                b, c, x = mp.mpf(b_d), mp.mpf(c_d), mp.mpf(x_d)
                al = c - b                            # exact
                v = mp.hyp2f1(1, b, c, x)
                if x == 1:
                    closed = (c - 1) / (al - 1)
                    e = rel(v, closed)
                    if e > worst['x=1 formula'][0]:
                        worst['x=1 formula'] = (e, (a_s, b_s, x_s))
                    if e > ABORT_REL:
                        sys.exit('x=1 closed form disagrees: alpha=%s b=%s: %s vs %s' % (a_s, b_s, v, closed))
                    v = closed
                if check:
                    q = quad_2f1(al, b, x)
                    e = rel(v, q)
                    if e > worst['quad'][0]:
                        worst['quad'] = (e, (a_s, b_s, x_s))
                    if e > ABORT_REL:
                        sys.exit('quadrature disagrees: alpha=%s b=%s x=%s: %s vs %s (rel %s)'
                                 % (a_s, b_s, x_s, mp.nstr(v, 25), mp.nstr(q, 25), mp.nstr(e, 3)))
                    if x_d <= NSUM_X_MAX:
                        s = nsum_2f1(b, c, x)
                        e = rel(v, s)
                        if e > worst['nsum'][0]:
                            worst['nsum'] = (e, (a_s, b_s, x_s))
                        if e > ABORT_REL:
                            sys.exit('nsum disagrees: alpha=%s b=%s x=%s: %s vs %s (rel %s)'
                                     % (a_s, b_s, x_s, mp.nstr(v, 25), mp.nstr(s, 25), mp.nstr(e, 3)))
                print('1 %r %r %r %s' % (b_d, c_d, x_d,
                                         mp.nstr(v, 20, strip_zeros=False, min_fixed=-30, max_fixed=30)))
                rows += 1
    msg = '%d rows, %.1f s' % (rows, time.time() - t0)
    if check:
        msg += '; largest relative disagreement: ' + ', '.join(
            '%s %s at %s' % (k, mp.nstr(e, 3), w) for k, (e, w) in worst.items())
    print(msg, file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
