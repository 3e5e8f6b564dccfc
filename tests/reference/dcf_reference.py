#!/usr/bin/env python3
"""Independent reference implementation of bookval's deterministic DCF valuation.

Used only by the test suite.  Written from the contract (DESIGN.md sections 4, 5, 9 and the
schema-1 brief), without looking at the C engine, and computed with mpmath at 40 digits.

Usage:
    python3 dcf_reference.py SCENARIO.yaml [--set PATH=VALUE ...] [options]

Prints one JSON object on stdout:
    {"value": "<25 significant digits>", "horizon_value": "...", "tail_value": "...",
     "annual_revenue": "...", "clients": N,
     "value_float": 1.0, "horizon_value_float": ..., "tail_value_float": ...,
     "annual_revenue_float": ..., "tail": "none"|"runoff", "timing": ..., "groups": G}

Exit codes: 0 ok; 2 invalid input or usage; 3 infinite tail (stdout: {"error": "infinite tail"});
4 an internal cross-check failed (a bug in this script or in mpmath: do not trust the numbers).

Options:
    --set a.b.c=VALUE    patch the tree after `extends` (VALUE parsed as YAML, deep-merged;
                         an integer path component indexes a list, e.g. clients.0.margin=0.3)
    --double-inputs      round every number read to the nearest IEEE double first (what a C
                         engine sees), instead of taking the decimal text exactly
    --active-only        leave out clients with active: false (default: as inactive_clients
                         says, exclude unless the scenario says value or {reactivation: p})
    --strict-divergence  call the tail infinite from the parameters alone, even for a group
                         whose cash is identically zero (margin x revenue x transfer_retention = 0)
    --check MODE         how many tail groups to cross-check by independent routes:
                         sample (default): every constant/curve group (cheap) and up to 6 sBG
                         groups spread over the sorted groups (both ends included);
                         full: every group (slow: ~0.2 s per sBG group); none: no checks
    --verbose            per-group details and timings on stderr

Conventions (DESIGN section 5):
    revenue R (1+g)^(t-1); cash m x revenue; S(t) = u r(1)...r(t), u = transfer_retention;
    constant r(k) = r; curve r(k) = c_k (last value repeated);
    sBG r(k) = (beta+n+k-1)/(alpha+beta+n+k-1), n = tenure_years;
    DF(t) = (1+d)^-t (end_of_year) or (1+d)^-(t-1/2) (mid_year);
    horizon_value = sum_i sum_{t=1..H}; tail_value (tail: runoff) = the same sum over t > H.
    With tax_rate (cash_flows: after_tax) both are multiplied by (1 - T) / (1 - T a(N, d) / N)
    (the after-tax cash and the tax amortisation benefit); inactive clients as inactive_clients.

Tail methods (all exact):
    constant r : geometric series; cross-checked with mpmath.nsum.
    curve      : explicit terms up to max(H, len(curve)), then a geometric series in the last
                 value; cross-checked with mpmath.nsum.
    sBG        : x = (1+g)/(1+d), b0 = beta+n, c0 = alpha+beta+n,
                 tail/(w u/(1+g)) = x^(H+1) (b0)_(H+1)/(c0)_(H+1) 2F1(1, b0+H+1; c0+H+1; x)
                 (mpmath.hyp2f1); cross-checked with mpmath.nsum of the terms when x <= 0.99
                 (where nsum is reliable) and, always, with tanh-sinh quadrature of
                 E[(x(1-th))^(H+1) / (1 - x(1-th))], th ~ Beta(alpha, b0).
    Divergence: constant/curve (1+g) r_last/(1+d) >= 1; sBG x > 1, or x == 1 with alpha <= 1.
"""

import csv
import json
import os
import re
import sys
import time

import mpmath as mp
import yaml

mp.mp.dps = 40
CHECK_DPS = 50          # precision of the independent cross-check routes
CHECK_REL = mp.mpf('1e-20')
NSUM_X_MAX = mp.mpf('0.99')  # nsum ('r+s') is reliable to < 1e-20 up to here (measured)
SAMPLE_SBG_CHECKS = 6


class InputError(Exception):
    pass


class InfiniteTail(Exception):
    pass


class CrossCheckError(Exception):
    pass


# ----------------------------------------------------------------------------------------
# YAML: core-schema-like scalars (true/false only, ints, floats kept as exact decimals)

DOUBLE_INPUTS = False


def to_num(text):
    """Exact decimal text -> mpf (or the nearest double, with --double-inputs)."""
    if DOUBLE_INPUTS:
        return mp.mpf(float(text))
    return mp.mpf(text)


class Loader(yaml.SafeLoader):
    yaml_implicit_resolvers = {}


Loader.add_implicit_resolver('tag:yaml.org,2002:bool',
                             re.compile(r'^(?:true|True|TRUE|false|False|FALSE)$'), list('tTfF'))
Loader.add_implicit_resolver('tag:yaml.org,2002:null',
                             re.compile(r'^(?:~|null|Null|NULL|)$'), ['~', 'n', 'N', ''])
Loader.add_implicit_resolver('tag:yaml.org,2002:int',
                             re.compile(r'^[-+]?[0-9]+$'), list('-+0123456789'))
Loader.add_implicit_resolver('tag:yaml.org,2002:float',
                             re.compile(r'^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?'
                                        r'|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$'),
                             list('-+0123456789.'))


def _c_bool(loader, node):
    return loader.construct_scalar(node).lower() == 'true'


def _c_int(loader, node):
    return int(loader.construct_scalar(node))


def _c_float(loader, node):
    s = loader.construct_scalar(node)
    if 'inf' in s.lower() or 'nan' in s.lower():
        raise InputError('line %d: NaN/Inf not allowed: %s' % (node.start_mark.line + 1, s))
    return to_num(s)


def _c_map(loader, node, deep=False):
    loader.flatten_mapping(node)
    out = {}
    for knode, vnode in node.value:
        k = loader.construct_object(knode, deep=True)
        if k in out:
            raise InputError('line %d: duplicate key %r' % (knode.start_mark.line + 1, k))
        out[k] = loader.construct_object(vnode, deep=True)
    return out


Loader.add_constructor('tag:yaml.org,2002:bool', _c_bool)
Loader.add_constructor('tag:yaml.org,2002:int', _c_int)
Loader.add_constructor('tag:yaml.org,2002:float', _c_float)
Loader.add_constructor('tag:yaml.org,2002:map', _c_map)


def load_yaml_text(text, what):
    try:
        return yaml.load(text, Loader=Loader)
    except yaml.YAMLError as e:
        raise InputError('%s: YAML error: %s' % (what, e))


def load_yaml_file(path):
    try:
        with open(path, encoding='utf-8-sig') as f:
            text = f.read()
    except OSError as e:
        raise InputError('%s: %s' % (path, e))
    tree = load_yaml_text(text, path)
    if not isinstance(tree, dict):
        raise InputError('%s: top level must be a mapping' % path)
    return tree


# ----------------------------------------------------------------------------------------
# extends / --set: one deep merge

def merge(base, patch):
    """patch over base: mappings merge key by key, recursively; anything else replaces."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for k, v in patch.items():
            out[k] = merge(base[k], v) if k in base else v
        return out
    return patch


def find_model(name, start_dir):
    d = os.path.abspath(start_dir)
    while True:
        mdir = os.path.join(d, 'models')
        if os.path.isdir(mdir):
            cand = os.path.join(mdir, name + '.yaml')
            if os.path.isfile(cand):
                return cand
            raise InputError('extends: model %r not found in %s' % (name, mdir))
        parent = os.path.dirname(d)
        if parent == d:
            raise InputError('extends: no models/ directory above %s' % start_dir)
        d = parent


def load_resolved(path, seen=()):
    path = os.path.abspath(path)
    if path in seen:
        raise InputError('extends: cycle through %s' % path)
    tree = load_yaml_file(path)
    ext = tree.pop('extends', None)
    if ext is None:
        return tree
    # One model or a list of them, merged in order beneath the file. A path starts with . or /
    # or ends with .yaml/.yml; anything else is a model name (it may name a folder: tax/x).
    names = ext if isinstance(ext, list) else [ext]
    here = os.path.dirname(path)
    base = None
    for name in names:
        if not isinstance(name, str) or not name:
            raise InputError('%s: extends must name models' % path)
        if name.startswith(('.', '/')) or name.endswith(('.yaml', '.yml')):
            base_path = os.path.join(here, name)
            if not os.path.isfile(base_path):
                raise InputError('%s: extends: no file %s' % (path, base_path))
        else:
            base_path = find_model(name, here)
        model = load_resolved(base_path, seen + (path,))
        base = model if base is None else merge(base, model)
    return merge(base, tree)


def apply_set(node, comps, value):
    if not comps:
        return merge(node, value) if node is not None else value
    k, rest = comps[0], comps[1:]
    if isinstance(node, list) and re.fullmatch(r'[0-9]+', k):
        i = int(k)
        if i >= len(node):
            raise InputError('--set: index %d out of range' % i)
        out = list(node)
        out[i] = apply_set(out[i], rest, value)
        return out
    out = dict(node) if isinstance(node, dict) else {}
    key = k
    if key not in out and re.fullmatch(r'[-+]?[0-9]+', k) and int(k) in out:
        key = int(k)
    out[key] = apply_set(out.get(key), rest, value)
    return out


# ----------------------------------------------------------------------------------------
# numbers and (D) distributions

def is_num(v):
    return isinstance(v, (int, mp.mpf)) and not isinstance(v, bool)


def num(v, what):
    if not is_num(v):
        raise InputError('%s: expected a number, got %r' % (what, v))
    return mp.mpf(v)


DIST_KEYS = {
    'fixed': ({'value'}, set()),
    'uniform': ({'min', 'max'}, set()),
    'triangular': ({'min', 'mode', 'max'}, set()),
    'pert': ({'min', 'mode', 'max'}, set()),
    'normal': ({'mean', 'sd'}, {'min', 'max'}),
    'lognormal': ({'mean', 'sd'}, set()),
    'beta': (set(), {'mean', 'sd', 'alpha', 'beta'}),
}


def truncated_normal_mean(mu, sd, lo, hi):
    a = (lo - mu) / sd if lo is not None else mp.ninf
    b = (hi - mu) / sd if hi is not None else mp.inf
    phi_a = mp.npdf(a) if a != mp.ninf else mp.mpf(0)
    phi_b = mp.npdf(b) if b != mp.inf else mp.mpf(0)
    if a >= 0:      # both in the upper tail: difference of upper-tail probabilities
        z = mp.ncdf(-a) - mp.ncdf(-b)
    else:
        z = mp.ncdf(b) - mp.ncdf(a)
    if z <= 0:
        raise InputError('normal: empty truncation interval')
    return mu + sd * (phi_a - phi_b) / z


def dmean(v, what):
    """Mean of a (D) parameter: plain number or {dist: ...}."""
    if is_num(v):
        return mp.mpf(v)
    if not isinstance(v, dict) or 'dist' not in v:
        raise InputError('%s: expected a number or a distribution, got %r' % (what, v))
    kind = v['dist']
    if kind not in DIST_KEYS:
        raise InputError('%s: unknown dist %r' % (what, kind))
    req, opt = DIST_KEYS[kind]
    keys = set(v) - {'dist'}
    if not req <= keys or not keys <= req | opt:
        raise InputError('%s: dist %s takes %s (optional %s), got %s'
                         % (what, kind, sorted(req), sorted(opt), sorted(keys)))
    p = {k: num(v[k], '%s.%s' % (what, k)) for k in keys}
    if kind == 'fixed':
        return p['value']
    if kind == 'uniform':
        if p['min'] > p['max']:
            raise InputError('%s: uniform min > max' % what)
        return (p['min'] + p['max']) / 2
    if kind == 'triangular':
        if not p['min'] <= p['mode'] <= p['max']:
            raise InputError('%s: triangular needs min <= mode <= max' % what)
        return (p['min'] + p['mode'] + p['max']) / 3
    if kind == 'pert':
        if not p['min'] <= p['mode'] <= p['max']:
            raise InputError('%s: pert needs min <= mode <= max' % what)
        return (p['min'] + 4 * p['mode'] + p['max']) / 6
    if kind == 'normal':
        if p['sd'] <= 0:
            raise InputError('%s: normal sd must be > 0' % what)
        if 'min' in p or 'max' in p:
            return truncated_normal_mean(p['mean'], p['sd'], p.get('min'), p.get('max'))
        return p['mean']
    if kind == 'lognormal':
        if p['mean'] <= 0 or p['sd'] <= 0:
            raise InputError('%s: lognormal mean and sd must be > 0' % what)
        return p['mean']
    if kind == 'beta':
        if set(p) == {'mean', 'sd'}:
            return p['mean']
        if set(p) == {'alpha', 'beta'}:
            if p['alpha'] <= 0 or p['beta'] <= 0:
                raise InputError('%s: beta alpha and beta must be > 0' % what)
            return p['alpha'] / (p['alpha'] + p['beta'])
        raise InputError('%s: beta takes {mean, sd} or {alpha, beta}' % what)
    raise AssertionError(kind)


def check_range(x, what, lo=None, hi=None, lo_open=False):
    if lo is not None and (x < lo or (lo_open and x == lo)):
        raise InputError('%s = %s out of range' % (what, mp.nstr(x, 17)))
    if hi is not None and x > hi:
        raise InputError('%s = %s out of range' % (what, mp.nstr(x, 17)))
    return x


def retention_spec(v, what):
    """-> ('const', r) | ('curve', (c1..cn)) | ('sbg', alpha, beta)"""
    if isinstance(v, dict) and 'dist' not in v:
        if set(v) == {'curve'}:
            c = v['curve']
            if not isinstance(c, list) or not 1 <= len(c) <= 100:
                raise InputError('%s.curve: 1..100 values' % what)
            return ('curve', tuple(check_range(dmean(x, '%s.curve[%d]' % (what, i)),
                                               '%s.curve[%d]' % (what, i), 0, 1)
                                   for i, x in enumerate(c)))
        if set(v) == {'sbg'}:
            s = v['sbg']
            if not isinstance(s, dict) or set(s) != {'alpha', 'beta'}:
                raise InputError('%s.sbg: needs exactly alpha and beta' % what)
            a = check_range(dmean(s['alpha'], what + '.sbg.alpha'), what + '.sbg.alpha', 0, lo_open=True)
            b = check_range(dmean(s['beta'], what + '.sbg.beta'), what + '.sbg.beta', 0, lo_open=True)
            return ('sbg', a, b)
        raise InputError('%s: expected a number, a distribution, {curve: [...]} or {sbg: {...}}, '
                         'got keys %s' % (what, sorted(v)))
    return ('const', check_range(dmean(v, what), what, 0, 1))


# ----------------------------------------------------------------------------------------
# clients

NUM_RE = re.compile(r'^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$')
CLIENT_FIELDS = {'id', 'name', 'segment', 'annual_revenue', 'tenure_years', 'active', 'receivable',
                 'receivable_age_days', 'margin', 'retention', 'revenue_growth', 'transfer_retention'}
CLIENT_NUMS = {'annual_revenue', 'tenure_years', 'receivable', 'receivable_age_days', 'margin',
               'retention', 'revenue_growth', 'transfer_retention'}


def load_csv_clients(path):
    try:
        f = open(path, encoding='utf-8-sig', newline='')
    except OSError as e:
        raise InputError('%s: %s' % (path, e))
    out = []
    with f:
        rd = csv.reader(f)
        header = next(rd, None)
        if header is None:
            raise InputError('%s: empty CSV' % path)
        for h in header:
            if h not in CLIENT_FIELDS:
                raise InputError('%s: unknown column %r' % (path, h))
        for lineno, row in enumerate(rd, start=2):
            if not row or row == ['']:
                continue
            if len(row) != len(header):
                raise InputError('%s:%d: %d fields, header has %d' % (path, lineno, len(row), len(header)))
            c = {}
            for h, cell in zip(header, row):
                if cell == '':
                    continue        # empty cell: field absent (default / inherited)
                if h in CLIENT_NUMS:
                    if not NUM_RE.match(cell):
                        raise InputError('%s:%d: %s: not a number: %r' % (path, lineno, h, cell))
                    c[h] = to_num(cell)
                elif h == 'active':
                    if cell not in ('true', 'false'):
                        raise InputError('%s:%d: active must be true or false' % (path, lineno))
                    c[h] = cell == 'true'
                else:
                    c[h] = cell
            out.append(c)
    return out


# ----------------------------------------------------------------------------------------
# the valuation

def fmt(x):
    return mp.nstr(x, 25, strip_zeros=False, min_fixed=-60, max_fixed=60)


def rel_diff(a, b):
    if a == b:
        return mp.mpf(0)
    return abs(a - b) / max(abs(a), abs(b))


def beta_tail_quad(al, b0, x, p):
    """E[(x(1-th))^p / (1 - x(1-th))], th ~ Beta(al, b0), by tanh-sinh quadrature.

    The density is normalised inside the integrand and rescaled by an approximate magnitude
    (mpmath.quad's tolerance is absolute); the integral is split at the scale 1-x and around
    the bulk of the effective Beta(al, b0+p); endpoint singularities th^(al-1), (1-th)^(b0-1)
    are removed by substitution when al < 1 or b0 < 1."""
    eps = 1 - x
    logB = mp.log(mp.beta(al, b0))
    bp = b0 + p
    scale = mp.mpf(float(mp.exp(mp.log(mp.beta(al, bp)) - logB)))  # rough magnitude only
    iB = 1 / mp.beta(al, b0) / scale
    m = al / (al + bp)
    sd = mp.sqrt(al * bp / ((al + bp) ** 2 * (al + bp + 1)))
    pts = set()
    for k in (-6, -4, -3, -2, -1, -0.5, 0, 0.5, 1, 2, 3, 4, 6, 9, 14, 20, 30):
        q = m + k * sd
        if 0 < q < 1:
            pts.add(q)
    for k in (1, 10, 100, 1000):
        if eps > 0 and k * eps < 1:
            pts.add(k * eps)
    half = mp.mpf(1) / 2
    pts.discard(half)
    lo = sorted(q for q in pts if q < half)
    hi = sorted(q for q in pts if q > half)

    def g(th, omth):  # omth = 1 - th, passed separately to keep precision
        den = eps + x * th
        if den == 0:
            return mp.mpf(0)
        return (x * omth) ** p / den

    if al < 1:      # th = s^(1/al): th^(al-1) dth = ds/al
        def fa(s):
            th = s ** (1 / al)
            return iB * (1 - th) ** (b0 - 1) * g(th, 1 - th) / al
        A = mp.quad(fa, [0] + [q ** al for q in lo] + [half ** al])
    else:
        def fa(th):
            return iB * th ** (al - 1) * (1 - th) ** (b0 - 1) * g(th, 1 - th)
        A = mp.quad(fa, [0] + lo + [half])
    if b0 < 1:      # 1-th = v^(1/b0): (1-th)^(b0-1) dth = -dv/b0
        def fb(v):
            omth = v ** (1 / b0)
            return iB * (1 - omth) ** (al - 1) * g(1 - omth, omth) / b0
        B = mp.quad(fb, [0] + sorted((1 - q) ** b0 for q in hi) + [half ** b0])
    else:
        def fb(th):
            return iB * th ** (al - 1) * (1 - th) ** (b0 - 1) * g(th, 1 - th)
        B = mp.quad(fb, [half] + hi + [1])
    return (A + B) * scale


class Valuation:
    def __init__(self, tree, base_dir, opts):
        self.opts = opts
        self.log = opts.get('log')
        if 'name' not in tree:
            raise InputError('name is required')
        self.H = tree.get('horizon_years', 10)
        if not isinstance(self.H, int) or isinstance(self.H, bool) or not 1 <= self.H <= 100:
            raise InputError('horizon_years must be an integer 1..100')
        self.timing = tree.get('timing', 'end_of_year')
        if self.timing not in ('end_of_year', 'mid_year'):
            raise InputError('timing must be end_of_year or mid_year')
        self.tail = tree.get('tail', 'none')
        if self.tail not in ('none', 'runoff'):
            raise InputError('tail must be none or runoff')
        for k in ('discount_rate', 'margin', 'retention'):
            if k not in tree:
                raise InputError('%s is required' % k)
        self.d = check_range(dmean(tree['discount_rate'], 'discount_rate'), 'discount_rate', -1, lo_open=True)
        if tree['margin'] == 'from_normalization':
            tree = dict(tree, margin=self.normalized_margin(tree))
        self.defaults = self.resolve_level(tree, 'scenario', required=True)
        segs = tree.get('segments') or {}
        if not isinstance(segs, dict):
            raise InputError('segments must be a mapping')
        self.segments = {str(k): self.resolve_level(v or {}, 'segments.%s' % k, required=False)
                         for k, v in segs.items()}
        if 'clients' in tree and 'clients_csv' in tree:
            raise InputError('give clients or clients_csv, not both')
        if 'clients' in tree:
            clients = tree['clients']
            if not isinstance(clients, list):
                raise InputError('clients must be a list')
        elif 'clients_csv' in tree:
            clients = load_csv_clients(os.path.join(base_dir, str(tree['clients_csv'])))
        else:
            raise InputError('clients or clients_csv is required')
        self.clients = clients
        # Issue 17: inactive clients (active: false) count by `inactive_clients`: exclude (the
        # default) leaves them out, value counts them as live, {reactivation: p} weights their
        # revenue by p. --active-only forces exclude.
        ic = tree.get('inactive_clients', 'exclude')
        if isinstance(ic, dict):
            self.inactive_weight = check_range(num(ic['reactivation'], 'inactive_clients.reactivation'),
                                               'inactive_clients.reactivation', 0, 1)
        elif ic in ('exclude', 'value'):
            self.inactive_weight = mp.mpf(0) if ic == 'exclude' else mp.mpf(1)
        else:
            raise InputError('inactive_clients must be exclude, value or {reactivation: p}')
        # Issue 17: with tax_rate (and cash_flows not pre_tax) the value is after tax plus the
        # tax amortisation benefit: V = (1 - T) PV / (1 - T a(N, d) / N), a(N, d) the annuity
        # factor (1 - (1+d)^-N)/d, N = amortization_years (else buyer.amortization_years);
        # N = 0: no benefit.
        self.value_factor = mp.mpf(1)
        cash_flows = tree.get('cash_flows', 'after_tax' if 'tax_rate' in tree else 'pre_tax')
        if cash_flows == 'after_tax':
            T = check_range(num(tree['tax_rate'], 'tax_rate'), 'tax_rate', 0, 1)
            N = tree.get('amortization_years', (tree.get('buyer') or {}).get('amortization_years'))
            if N is None:
                raise InputError('amortization_years is required with cash_flows: after_tax')
            benefit = mp.mpf(1)
            if N > 0:
                a = N if self.d == 0 else (1 - (1 + self.d) ** -N) / self.d
                benefit = 1 / (1 - T * a / N)
            self.value_factor = (1 - T) * benefit

    @staticmethod
    def normalized_margin(tree):
        """margin: from_normalization -- EBITDA over every client's billed revenue: (reported
        profit + add-backs - deductions - the owner's market salary) / sum R_i (inline clients)."""
        if not isinstance(tree.get('clients'), list):
            raise InputError('margin: from_normalization is supported here with inline clients')
        def num(x):  # the loader's numbers are already exact (mpf, int)
            return x if isinstance(x, mp.mpf) else mp.mpf(x)
        ebitda = num(tree['reported_profit']) - num(tree.get('owner_market_salary', 0))
        for line in tree.get('normalization') or []:
            sign = 1 if line['kind'] == 'add_back' else -1
            ebitda += sign * num(line['amount'])
        revenue = sum(num(c['annual_revenue']) for c in tree['clients'])
        return ebitda / revenue

    @staticmethod
    def resolve_level(m, what, required):
        out = {}
        if 'margin' in m:
            out['margin'] = check_range(dmean(m['margin'], what + '.margin'), what + '.margin', -1, 1)
        if 'revenue_growth' in m:
            out['revenue_growth'] = check_range(dmean(m['revenue_growth'], what + '.revenue_growth'),
                                                what + '.revenue_growth', -1, lo_open=True)
        elif required:
            out['revenue_growth'] = mp.mpf(0)
        if 'transfer_retention' in m:
            out['transfer_retention'] = check_range(dmean(m['transfer_retention'], what + '.transfer_retention'),
                                                    what + '.transfer_retention', 0, 1)
        elif required:
            out['transfer_retention'] = mp.mpf(1)
        if 'retention' in m:
            out['retention'] = retention_spec(m['retention'], what + '.retention')
        return out

    def groups(self):
        """Group clients by (g, u, retention spec, tenure for sBG) -> (sum m R, count)."""
        groups = {}
        ids = set()
        n_clients = 0
        revenue = mp.mpf(0)
        for i, c in enumerate(self.clients):
            what = 'clients[%d]' % i
            if not isinstance(c, dict):
                raise InputError('%s: expected a mapping' % what)
            unknown = set(c) - CLIENT_FIELDS
            if unknown:
                raise InputError('%s: unknown fields %s' % (what, sorted(unknown)))
            if 'id' not in c or c['id'] is None or str(c['id']) == '':
                raise InputError('%s: id is required' % what)
            cid = str(c['id'])
            if cid in ids:
                raise InputError('%s: duplicate id %s' % (what, cid))
            ids.add(cid)
            active = c.get('active', True)
            if not isinstance(active, bool):
                raise InputError('%s: active must be true/false' % what)
            weight = mp.mpf(1) if active else (
                mp.mpf(0) if self.opts.get('active_only') else self.inactive_weight)
            if weight == 0:
                continue
            if 'annual_revenue' not in c:
                raise InputError('%s: annual_revenue is required' % what)
            R = weight * check_range(num(c['annual_revenue'], what + '.annual_revenue'),
                                     what + '.annual_revenue', 0)
            n = check_range(num(c.get('tenure_years', 0), what + '.tenure_years'), what + '.tenure_years', 0)
            seg = {}
            if c.get('segment') is not None:
                sname = str(c['segment'])
                if sname not in self.segments:
                    raise InputError('%s: unknown segment %s' % (what, sname))
                seg = self.segments[sname]

            def pick(key):
                if key in c:
                    if key == 'retention':
                        return ('const', check_range(num(c[key], what + '.retention'), what + '.retention', 0, 1))
                    v = num(c[key], what + '.' + key)
                    if key == 'margin':
                        return check_range(v, what + '.margin', -1, 1)
                    if key == 'revenue_growth':
                        return check_range(v, what + '.revenue_growth', -1, lo_open=True)
                    return check_range(v, what + '.' + key, 0, 1)
                if key in seg:
                    return seg[key]
                if key in self.defaults:
                    return self.defaults[key]
                raise InputError('%s: no %s (client, segment or scenario)' % (what, key))

            m, g, u, spec = pick('margin'), pick('revenue_growth'), pick('transfer_retention'), pick('retention')
            key = (g, u, spec, n if spec[0] == 'sbg' else None)
            w, cnt = groups.get(key, (mp.mpf(0), 0))
            groups[key] = (w + m * R, cnt + 1)
            n_clients += 1
            revenue += R
        return groups, n_clients, revenue

    def df(self, t):
        if self.timing == 'end_of_year':
            return (1 + self.d) ** (-t)
        return (1 + self.d) ** (-(t - mp.mpf(1) / 2))

    def run(self):
        t0 = time.time()
        groups, n_clients, revenue = self.groups()
        H = self.H
        dfs = [None] + [self.df(t) for t in range(1, H + 1)]
        mid = mp.sqrt(1 + self.d) if self.timing == 'mid_year' else mp.mpf(1)
        hv = mp.mpf(0)
        tv = mp.mpf(0)
        items = sorted(groups.items(), key=lambda kv: (kv[0][2][0], kv[0][2][1:], kv[0][0], kv[0][1],
                                                      kv[0][3] if kv[0][3] is not None else 0))
        sbg_idx = [i for i, kv in enumerate(items) if kv[0][2][0] == 'sbg']
        mode = self.opts.get('check', 'sample')
        if mode == 'full':
            checked_sbg = set(sbg_idx)
        elif mode == 'none':
            checked_sbg = set()
        else:
            ns = len(sbg_idx)
            k = SAMPLE_SBG_CHECKS
            checked_sbg = set(sbg_idx) if ns <= k else \
                {sbg_idx[round(j * (ns - 1) / (k - 1))] for j in range(k)}
        self.n_checks = 0
        for gi, ((g, u, spec, n), (w, cnt)) in enumerate(items):
            self.do_check = mode != 'none' and (spec[0] != 'sbg' or gi in checked_sbg)
            # horizon: plain loop
            S = u
            h = mp.mpf(0)
            for t in range(1, H + 1):
                S *= self.r(spec, n, t)
                h += (1 + g) ** (t - 1) * S * dfs[t]
            hv += w * h
            if self.tail == 'runoff':
                tt = self.tail_group(spec, n, g, u, w, mid)
                tv += w * tt
            else:
                tt = mp.mpf(0)
            if self.log:
                self.log('group %-40s n=%s g=%s u=%s clients=%d w=%s horizon/w=%s tail/w=%s'
                         % (self.spec_str(spec), mp.nstr(n, 6) if n is not None else '-',
                            mp.nstr(g, 8), mp.nstr(u, 8), cnt, mp.nstr(w, 12), mp.nstr(h, 20), mp.nstr(tt, 20)))
        if self.log:
            self.log('%d clients in %d groups, %d cross-checks passed, %.3f s'
                     % (n_clients, len(groups), self.n_checks, time.time() - t0))
        hv *= self.value_factor
        tv *= self.value_factor
        return {'value': hv + tv, 'horizon_value': hv, 'tail_value': tv,
                'annual_revenue': revenue, 'clients': n_clients, 'groups': len(groups)}

    @staticmethod
    def spec_str(spec):
        if spec[0] == 'const':
            return 'const(%s)' % mp.nstr(spec[1], 10)
        if spec[0] == 'curve':
            return 'curve(%s)' % ','.join(mp.nstr(c, 6) for c in spec[1])
        return 'sbg(%s,%s)' % (mp.nstr(spec[1], 10), mp.nstr(spec[2], 10))

    @staticmethod
    def r(spec, n, k):
        if spec[0] == 'const':
            return spec[1]
        if spec[0] == 'curve':
            c = spec[1]
            return c[min(k, len(c)) - 1]
        al, be = spec[1], spec[2]
        return (be + n + k - 1) / (al + be + n + k - 1)

    def check(self, what, primary, other):
        e = rel_diff(primary, other)
        self.n_checks += 1
        if self.log:
            self.log('  check %s: %s vs %s rel %s' % (what, mp.nstr(primary, 25), mp.nstr(other, 25), mp.nstr(e, 3)))
        if e > CHECK_REL:
            raise CrossCheckError('%s: %s vs %s (relative %s)'
                                  % (what, mp.nstr(primary, 30), mp.nstr(other, 30), mp.nstr(e, 3)))

    def tail_group(self, spec, n, g, u, w, mid):
        """Tail per unit weight (w = sum of m R in the group): sum_{t>H} (1+g)^(t-1) S(t) DF(t)."""
        H, d = self.H, self.d
        zero_cash = (w == 0 or u == 0) and not self.opts.get('strict_divergence')
        do_check = self.do_check
        if spec[0] in ('const', 'curve'):
            last = spec[1] if spec[0] == 'const' else spec[1][-1]
            ncurve = 1 if spec[0] == 'const' else len(spec[1])
            q = (1 + g) * last / (1 + d)
            M = max(H, ncurve)
            # S(t) for t <= M by the product
            S = u
            Ss = [S]
            for t in range(1, M + 1):
                S *= self.r(spec, n, t)
                Ss.append(S)
            term = lambda t: (1 + g) ** (t - 1) * Ss[t] * (1 + d) ** (-t) * mid
            head = mp.fsum(term(t) for t in range(H + 1, M + 1))
            TM = term(M)
            if q >= 1 and self.opts.get('strict_divergence'):
                raise InfiniteTail()
            if zero_cash or TM == 0:    # no cash after M (u = 0, m R = 0, or a curve value 0)
                return head
            if q >= 1:
                raise InfiniteTail()
            tail = head + TM * q / (1 - q)
            if do_check:
                with mp.workdps(CHECK_DPS):
                    def f(t):
                        t = int(t)
                        if t <= M:
                            return term(t)
                        return (1 + g) ** (t - 1) * Ss[M] * last ** (t - M) * (1 + d) ** (-t) * mid
                    ns = mp.nsum(f, [H + 1, mp.inf])
                self.check('nsum %s tail' % spec[0], tail, ns)
            return tail
        # sBG
        al, be = spec[1], spec[2]
        x = (1 + g) / (1 + d)
        if not zero_cash and (x > 1 or (x == 1 and al <= 1)):
            raise InfiniteTail()
        if zero_cash:
            return mp.mpf(0)
        b0 = be + n
        c0 = al + be + n
        pref = u / (1 + g) * mid
        tail = pref * x ** (H + 1) * mp.rf(b0, H + 1) / mp.rf(c0, H + 1) * \
            mp.hyp2f1(1, b0 + H + 1, c0 + H + 1, x)
        if do_check:
            with mp.workdps(CHECK_DPS):
                if x <= NSUM_X_MAX:
                    cache = {}

                    def term(t):    # x^t (b0)_t / (c0)_t, by the ratio from the nearest cached t
                        t = int(t)
                        if t not in cache:
                            below = [k for k in cache if k < t]
                            if below:
                                k = max(below)
                                v = cache[k]
                                for j in range(k + 1, t + 1):
                                    v = v * x * (b0 + j - 1) / (c0 + j - 1)
                            else:
                                v = x ** t * mp.rf(b0, t) / mp.rf(c0, t)
                            cache[t] = v
                        return cache[t]
                    ns = pref * mp.nsum(term, [H + 1, mp.inf])
                    self.check('nsum sbg tail', tail, ns)
                qd = pref * beta_tail_quad(al, b0, x, H + 1)
                self.check('quad sbg tail', tail, qd)
        return tail


# ----------------------------------------------------------------------------------------

def main(argv):
    global DOUBLE_INPUTS
    args = argv[1:]
    sets = []
    opts = {'check': 'sample'}
    scenario = None
    i = 0
    while i < len(args):
        a = args[i]
        if a == '--set' and i + 1 < len(args):
            sets.append(args[i + 1])
            i += 2
            continue
        if a.startswith('--set='):
            sets.append(a[len('--set='):])
        elif a == '--double-inputs':
            DOUBLE_INPUTS = True
        elif a == '--active-only':
            opts['active_only'] = True
        elif a == '--strict-divergence':
            opts['strict_divergence'] = True
        elif a == '--check' and i + 1 < len(args) and args[i + 1] in ('full', 'sample', 'none'):
            opts['check'] = args[i + 1]
            i += 1
        elif a in ('--check=full', '--check=sample', '--check=none'):
            opts['check'] = a.split('=')[1]
        elif a == '--verbose':
            opts['log'] = lambda s: print(s, file=sys.stderr)
        elif a in ('-h', '--help'):
            print(__doc__)
            return 0
        elif a.startswith('-') or scenario is not None:
            print('usage: dcf_reference.py SCENARIO.yaml [--set PATH=VALUE ...] [--double-inputs] '
                  '[--active-only] [--strict-divergence] [--check sample|full|none] [--verbose]', file=sys.stderr)
            return 2
        else:
            scenario = a
        i += 1
    if scenario is None:
        print('usage: dcf_reference.py SCENARIO.yaml [--set PATH=VALUE ...]', file=sys.stderr)
        return 2
    try:
        tree = load_resolved(scenario)
        for s in sets:
            if '=' not in s:
                raise InputError('--set %s: expected PATH=VALUE' % s)
            path, text = s.split('=', 1)
            comps = path.split('.')
            if not all(comps):
                raise InputError('--set %s: bad path' % s)
            tree = apply_set(tree, comps, load_yaml_text(text, '--set ' + path))
        res = Valuation(tree, os.path.dirname(os.path.abspath(scenario)), opts).run()
    except InputError as e:
        print('dcf_reference: error: %s' % e, file=sys.stderr)
        return 2
    except InfiniteTail:
        print(json.dumps({'error': 'infinite tail'}))
        return 3
    except CrossCheckError as e:
        print('dcf_reference: CROSS-CHECK FAILED: %s' % e, file=sys.stderr)
        return 4
    out = {}
    for k in ('value', 'horizon_value', 'tail_value', 'annual_revenue'):
        out[k] = fmt(res[k])
    out['clients'] = res['clients']
    for k in ('value', 'horizon_value', 'tail_value', 'annual_revenue'):
        out[k + '_float'] = float(res[k])
    out['tail'] = tree.get('tail', 'none')
    out['timing'] = tree.get('timing', 'end_of_year')
    out['groups'] = res['groups']
    print(json.dumps(out))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
