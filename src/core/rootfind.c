/*
 * rootfind.c — grid scan plus GSL's Brent solver, with a named outcome (rootfind.h).
 */
#include "rootfind.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>

static RootResult result_of(RootStatus status, double root, double lower, double upper,
                            int iterations)
{
    return (RootResult){status, root, lower, upper, iterations, false};
}

/* Brent on [lower, upper], whose ends are known to be finite and of strictly opposite signs.
 * `*solver` is allocated on first use and kept for the caller's next bracket. */
static RootResult solve_bracket(gsl_root_fsolver **solver, gsl_function *F, double lower,
                                double upper, const RootOptions *o)
{
    if (!*solver && !(*solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent)))
        return result_of(ROOT_NOMEM, (double)NAN, (double)NAN, (double)NAN, 0);
    gsl_root_fsolver *s = *solver;
    double a = lower < upper ? lower : upper, b = lower < upper ? upper : lower;
    RootResult failed = result_of(ROOT_NOT_CONVERGED, (double)NAN, a, b, 0);
    failed.not_finite = true;
    if (gsl_root_fsolver_set(s, F, a, b) != GSL_SUCCESS) /* f changed between two calls */
        return failed;
    for (int i = 1; i <= o->max_iterations; i++) {
        if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS) { /* a non-finite value inside */
            failed.lower = a;
            failed.upper = b;
            failed.iterations = i;
            return failed;
        }
        a = gsl_root_fsolver_x_lower(s);
        b = gsl_root_fsolver_x_upper(s);
        if (gsl_root_test_interval(a, b, o->epsabs, o->epsrel) == GSL_SUCCESS)
            return result_of(ROOT_FOUND, gsl_root_fsolver_root(s), a, b, i);
    }
    return result_of(ROOT_NOT_CONVERGED, (double)NAN, a, b, o->max_iterations);
}

RootResult rootfind_brent(double (*f)(double x, void *params), void *params, double lower,
                          double upper, const RootOptions *options)
{
    double grid[2] = {lower, upper};
    return rootfind_scan(f, params, grid, 2, options);
}

/* Is `candidate` a better root than `best` under the options' pick? */
static bool better(const RootResult *candidate, const RootResult *best, const RootOptions *o)
{
    if (best->status != ROOT_FOUND)
        return true;
    return fabs(candidate->root - o->target) < fabs(best->root - o->target);
}

RootResult rootfind_scan(double (*f)(double x, void *params), void *params, const double *grid,
                         size_t n, const RootOptions *options)
{
    gsl_function F = {f, params};
    gsl_root_fsolver *solver = NULL;
    RootResult best = result_of(ROOT_NONE_IN_RANGE, (double)NAN, (double)NAN, (double)NAN, 0);
    double prev_x = (double)NAN, prev = (double)NAN;
    for (size_t i = 0; i < n; i++) {
        double x = grid[i], v = f(x, params);
        RootResult r = result_of(ROOT_NONE_IN_RANGE, (double)NAN, (double)NAN, (double)NAN, 0);
        if (v == 0)
            r = result_of(ROOT_FOUND, x, x, x, 0);
        else if (isfinite(v) && isfinite(prev) && prev != 0 && (prev < 0) != (v < 0))
            r = solve_bracket(&solver, &F, prev_x, x, options);
        prev_x = x;
        prev = v;
        if (r.status == ROOT_NOT_CONVERGED || r.status == ROOT_NOMEM) {
            best = r;
            break;
        }
        if (r.status == ROOT_FOUND && better(&r, &best, options))
            best = r;
        if (best.status == ROOT_FOUND && options->pick == ROOT_PICK_FIRST)
            break;
    }
    if (solver)
        gsl_root_fsolver_free(solver);
    return best;
}

BvStatus rootfind_check(const RootResult *r, const char *what, BvErrors *errors)
{
    switch (r->status) {
    case ROOT_FOUND:
    case ROOT_NONE_IN_RANGE:
        return BV_OK;
    case ROOT_NOMEM:
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    case ROOT_NOT_CONVERGED:
    default:
        if (r->not_finite)
            return bv_error(errors, BV_ERR_NUMERIC, NULL, NULL,
                            "%s met a value that is not finite in [%.17g, %.17g]", what,
                            r->lower, r->upper);
        return bv_error(errors, BV_ERR_NUMERIC, NULL, NULL,
                        "%s did not converge in %d iterations; last bracket [%.17g, %.17g]",
                        what, r->iterations, r->lower, r->upper);
    }
}
