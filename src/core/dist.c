/*
 * dist.c — parameter checks, support and means of the (D) distributions.
 * Sampling belongs to the Monte Carlo module; this file only describes the distributions.
 */
#include "dist.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {
    [DIST_FIXED] = "fixed",         [DIST_UNIFORM] = "uniform", [DIST_TRIANGULAR] = "triangular",
    [DIST_PERT] = "pert",           [DIST_NORMAL] = "normal",   [DIST_LOGNORMAL] = "lognormal",
    [DIST_BETA] = "beta",
};
_Static_assert(sizeof kind_names / sizeof kind_names[0] == DIST_KIND_COUNT,
               "kind_names must name every DistKind");

static const char *const fixed_params[] = {"value", NULL};
static const char *const range_params[] = {"min", "max", NULL};
static const char *const three_point_params[] = {"min", "mode", "max", NULL};
static const char *const normal_params[] = {"mean", "sd", "min", "max", NULL};
static const char *const moment_params[] = {"mean", "sd", NULL};
static const char *const beta_params[] = {"mean", "sd", "alpha", "beta", NULL};

static const char *const *const kind_params[] = {
    [DIST_FIXED] = fixed_params,       [DIST_UNIFORM] = range_params,
    [DIST_TRIANGULAR] = three_point_params, [DIST_PERT] = three_point_params,
    [DIST_NORMAL] = normal_params,     [DIST_LOGNORMAL] = moment_params,
    [DIST_BETA] = beta_params,
};
_Static_assert(sizeof kind_params / sizeof kind_params[0] == DIST_KIND_COUNT,
               "kind_params must list every DistKind");

Dist dist_fixed(double x)
{
    return (Dist){.kind = DIST_FIXED, .value = x};
}

const char *dist_kind_name(DistKind kind)
{
    return (unsigned)kind < DIST_KIND_COUNT ? kind_names[kind] : NULL;
}

bool dist_kind_from_name(const char *name, DistKind *kind)
{
    for (int k = 0; k < DIST_KIND_COUNT; k++) {
        if (strcmp(name, kind_names[k]) == 0) {
            *kind = (DistKind)k;
            return true;
        }
    }
    return false;
}

const char *const *dist_param_names(DistKind kind)
{
    return (unsigned)kind < DIST_KIND_COUNT ? kind_params[kind] : NULL;
}

bool dist_is_fixed(const Dist *d)
{
    return d->kind == DIST_FIXED;
}

static bool reject(char *why, size_t size, const char *msg)
{
    snprintf(why, size, "%s", msg);
    return false;
}

/* Mass of the standard normal between a and b, computed on the side of the smaller tail so
 * a truncation far out in a tail keeps its digits. */
static double normal_mass(double a, double b)
{
    if (a > 0)
        return gsl_cdf_ugaussian_Q(a) - gsl_cdf_ugaussian_Q(b);
    return gsl_cdf_ugaussian_P(b) - gsl_cdf_ugaussian_P(a);
}

bool dist_beta_from_moments(double mean, double sd, double *alpha, double *beta, char *why,
                            size_t why_size)
{
    if (!(mean > 0 && mean < 1))
        return reject(why, why_size, "beta mean must lie in (0, 1)");
    if (!(sd > 0))
        return reject(why, why_size, "beta sd must be > 0");
    double var = sd * sd, limit = mean * (1 - mean);
    if (!(var < limit)) {
        snprintf(why, why_size,
                 "beta sd is too large for its mean: sd^2 = %.6g must be below "
                 "mean*(1-mean) = %.6g",
                 var, limit);
        return false;
    }
    double k = limit / var - 1;
    *alpha = mean * k;
    *beta = (1 - mean) * k;
    return true;
}

bool dist_check(const Dist *d, char *why, size_t n)
{
    /* The parameters a kind uses are finite (a normal's truncation may be open). */
    bool ranged = d->kind == DIST_UNIFORM || d->kind == DIST_TRIANGULAR || d->kind == DIST_PERT;
    bool pointed = d->kind == DIST_TRIANGULAR || d->kind == DIST_PERT;
    bool moments = d->kind == DIST_NORMAL || d->kind == DIST_LOGNORMAL;
    if ((ranged && !(isfinite(d->min) && isfinite(d->max))) || (pointed && !isfinite(d->mode)) ||
        (moments && !(isfinite(d->mean) && isfinite(d->sd))) ||
        (d->kind == DIST_BETA && !(isfinite(d->alpha) && isfinite(d->beta))))
        return reject(why, n, "parameters must be finite numbers");
    if (d->kind == DIST_NORMAL && (isnan(d->min) || isnan(d->max)))
        return reject(why, n, "normal truncation min and max must be numbers");
    switch (d->kind) {
    case DIST_FIXED:
        return isfinite(d->value) || reject(why, n, "value must be a finite number");
    case DIST_UNIFORM:
        if (!(d->min < d->max))
            return reject(why, n, "uniform needs min < max");
        return true;
    case DIST_TRIANGULAR:
    case DIST_PERT:
        if (!(d->min < d->max))
            return reject(why, n, "needs min < max");
        if (!(d->min <= d->mode && d->mode <= d->max))
            return reject(why, n, "needs min <= mode <= max");
        return true;
    case DIST_NORMAL: {
        if (!(d->sd > 0))
            return reject(why, n, "normal sd must be > 0");
        if (!(d->min < d->max))
            return reject(why, n, "normal truncation needs min < max");
        double mass = normal_mass((d->min - d->mean) / d->sd, (d->max - d->mean) / d->sd);
        if (!(mass > 1e-6))
            return reject(why, n,
                          "normal truncation [min, max] holds almost none of the distribution "
                          "(under 1e-6 of its probability); move min/max towards the mean");
        return true;
    }
    case DIST_LOGNORMAL:
        if (!(d->mean > 0))
            return reject(why, n, "lognormal mean must be > 0 (it is the mean of the variable)");
        if (!(d->sd > 0))
            return reject(why, n, "lognormal sd must be > 0");
        return true;
    case DIST_BETA:
        if (!(d->alpha > 0 && d->beta > 0))
            return reject(why, n, "beta alpha and beta must be > 0");
        return true;
    case DIST_KIND_COUNT:
        break;
    }
    return reject(why, n, "unknown distribution");
}

void dist_support(const Dist *d, double *lo, double *hi)
{
    switch (d->kind) {
    case DIST_FIXED:
        *lo = *hi = d->value;
        return;
    case DIST_UNIFORM:
    case DIST_TRIANGULAR:
    case DIST_PERT:
    case DIST_NORMAL:
        *lo = d->min;
        *hi = d->max;
        return;
    case DIST_LOGNORMAL:
        *lo = 0;
        *hi = HUGE_VAL;
        return;
    case DIST_BETA:
        *lo = 0;
        *hi = 1;
        return;
    case DIST_KIND_COUNT:
        break;
    }
    *lo = *hi = (double)NAN;
}

double dist_mean(const Dist *d)
{
    switch (d->kind) {
    case DIST_FIXED:
        return d->value;
    case DIST_UNIFORM:
        return 0.5 * (d->min + d->max);
    case DIST_TRIANGULAR:
        return (d->min + d->mode + d->max) / 3;
    case DIST_PERT:
        return (d->min + 4 * d->mode + d->max) / 6;
    case DIST_NORMAL: {
        /* Truncated normal: mu + sd (phi(a) - phi(b)) / (Phi(b) - Phi(a)). */
        double a = (d->min - d->mean) / d->sd, b = (d->max - d->mean) / d->sd;
        double pa = isfinite(a) ? gsl_ran_ugaussian_pdf(a) : 0;
        double pb = isfinite(b) ? gsl_ran_ugaussian_pdf(b) : 0;
        return d->mean + d->sd * (pa - pb) / normal_mass(a, b);
    }
    case DIST_LOGNORMAL:
        return d->mean;
    case DIST_BETA:
        return d->alpha / (d->alpha + d->beta);
    case DIST_KIND_COUNT:
        break;
    }
    return (double)NAN;
}

/* PERT as a beta on [min, max] with the usual shape weight 4. */
static void pert_shape(const Dist *d, double *a, double *b)
{
    double range = d->max - d->min;
    *a = 1 + 4 * (d->mode - d->min) / range;
    *b = 1 + 4 * (d->max - d->mode) / range;
}

double dist_quantile(const Dist *d, double u)
{
    switch (d->kind) {
    case DIST_FIXED:
        return d->value;
    case DIST_UNIFORM:
        return d->min + u * (d->max - d->min);
    case DIST_TRIANGULAR: {
        double range = d->max - d->min, left = d->mode - d->min;
        double x = u * range < left ? d->min + sqrt(u * range * left)
                                    : d->max - sqrt((1 - u) * range * (d->max - d->mode));
        return x < d->min ? d->min : x > d->max ? d->max : x; /* rounding at the ends */
    }
    case DIST_PERT: {
        double a, b;
        pert_shape(d, &a, &b);
        return d->min + (d->max - d->min) * gsl_cdf_beta_Pinv(u, a, b);
    }
    case DIST_NORMAL: {
        /* Truncated: map u onto [Phi(lo), Phi(hi)], working in the upper tail when the
         * window lies there so that far-out truncations keep their digits. */
        double lo = (d->min - d->mean) / d->sd, hi = (d->max - d->mean) / d->sd;
        double z;
        if (lo > 0) {
            double qlo = gsl_cdf_ugaussian_Q(lo), qhi = gsl_cdf_ugaussian_Q(hi);
            z = gsl_cdf_ugaussian_Qinv(qlo - u * (qlo - qhi));
        } else {
            double plo = gsl_cdf_ugaussian_P(lo), phi = gsl_cdf_ugaussian_P(hi);
            z = gsl_cdf_ugaussian_Pinv(plo + u * (phi - plo));
        }
        double x = d->mean + d->sd * z;
        return x < d->min ? d->min : x > d->max ? d->max : x;
    }
    case DIST_LOGNORMAL: {
        /* mean m and sd s of X give ln X ~ N(zeta, sigma^2), sigma^2 = ln(1 + s^2/m^2). */
        double sigma2 = log1p(d->sd * d->sd / (d->mean * d->mean));
        double zeta = log(d->mean) - 0.5 * sigma2;
        return gsl_cdf_lognormal_Pinv(u, zeta, sqrt(sigma2));
    }
    case DIST_BETA:
        return gsl_cdf_beta_Pinv(u, d->alpha, d->beta);
    case DIST_KIND_COUNT:
        break;
    }
    return (double)NAN;
}
