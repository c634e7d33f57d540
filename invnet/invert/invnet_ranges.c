/* SPDX-License-Identifier: MIT */
/*
 * invnet_ranges.c - Metropolis sampling of a sounding's equivalent models (invnet_ranges.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "forward/base/fwd_rng.h"
#include "forward/fwd_method.h"
#include "invnet/invert/invnet_lm.h"
#include "invnet/invert/invnet_ranges.h"

#define NPMAX (2 * FWD_MAX_LAYERS)

invnet_ranges_params
invnet_ranges_default(void)
{
    invnet_ranges_params p;

    p.level = 90;
    p.chains = 2;
    p.burn = 800;
    p.steps = 1600;
    p.seed = 1;
    p.unresolved_share = 0.5;
    return p;
}

int
invnet_ranges_check(const invnet_ranges_params *p, fwd_error *err)
{
    if (!(p->level > 0 && p->level < 100))
        return fwd_error_set_field(err, FWD_EINVAL, "level",
                                   "level: expected a percentage between 0 and 100, got %g",
                                   p->level);
    if (p->chains < 2 || p->chains > 64)
        return fwd_error_set_field(err, FWD_EINVAL, "chains", "chains: expected 2 to 64, got %zu",
                                   p->chains);
    if (p->steps < 100 || p->steps > 10000000 || p->burn > 10000000)
        return fwd_error_set_field(err, FWD_EINVAL, "steps",
                                   "steps: expected 100 to 1e7 kept and at most 1e7 burnt, "
                                   "got %zu and %zu",
                                   p->steps, p->burn);
    if (!(p->unresolved_share > 0 && p->unresolved_share <= 1))
        return fwd_error_set_field(err, FWD_EINVAL, "unresolved_share",
                                   "unresolved_share: expected 0 < share <= 1, got %g",
                                   p->unresolved_share);
    return FWD_OK;
}

const char *
invnet_param_name(size_t n_layers, size_t j, char *buf, size_t cap)
{
    if (j < n_layers)
        snprintf(buf, cap, "rho_%zu", j + 1);
    else
        snprintf(buf, cap, "thick_%zu", j - n_layers + 1);
    return buf;
}

/* What one evaluation needs. */
struct post {
    fwd_workspace *w;
    const fwd_sounding *s;
    size_t nl, np, nd;
    const double *lo, *hi;
    invnet_lm_params lp;
    double scale; /* 1 / noise^2 where the sounding gives no errors, else 1 */
    double *resp, *f;
    size_t evals;
};

/* chi2 of the log10 parameters p; +inf outside the box or where the forward model fails. */
static double
chi2(struct post *q, const double *p)
{
    double c = 0;
    size_t j;

    for (j = 0; j < q->np; j++)
        if (!(p[j] >= q->lo[j] && p[j] <= q->hi[j]))
            return INFINITY;
    q->evals++;
    if (invnet_lm_residuals(q->w, q->s, q->nl, p, &q->lp, q->resp, q->f) != FWD_OK)
        return INFINITY;
    for (j = 0; j < q->nd; j++)
        c += q->f[j] * q->f[j];
    return isfinite(c) ? c * q->scale : INFINITY;
}

/*
 * The Cholesky factor L (lower, np x np, row-major) of the proposal covariance at p:
 * (J'J + D)^-1 with J by forward differences of the scaled residuals. FWD_OK, or
 * FWD_ENUMERIC when the forward model fails at p.
 */
static int
proposal(struct post *q, const double *p, double *L)
{
    size_t np = q->np, nd = q->nd, i, j, k;
    double *J = malloc(nd * np * sizeof *J), *f0 = malloc(nd * sizeof *f0), pp[NPMAX];
    double sc = sqrt(q->scale), h = 1e-4;
    gsl_matrix_view A = gsl_matrix_view_array(L, np, np);
    int rc = FWD_OK;

    if (J == NULL || f0 == NULL) {
        rc = FWD_ENOMEM;
        goto done;
    }
    if (!isfinite(chi2(q, p))) {
        rc = FWD_ENUMERIC;
        goto done;
    }
    memcpy(f0, q->f, nd * sizeof *f0);
    memcpy(pp, p, np * sizeof *pp);
    for (j = 0; j < np; j++) {
        /* a step into the box */
        double d = pp[j] + h <= q->hi[j] ? h : -h;

        pp[j] = p[j] + d;
        q->evals++;
        if (invnet_lm_residuals(q->w, q->s, q->nl, pp, &q->lp, q->resp, q->f) != FWD_OK) {
            rc = FWD_ENUMERIC;
            goto done;
        }
        for (i = 0; i < nd; i++)
            J[i * np + j] = sc * (q->f[i] - f0[i]) / d;
        pp[j] = p[j];
    }
    for (j = 0; j < np; j++)
        for (k = 0; k <= j; k++) {
            double a = 0;

            for (i = 0; i < nd; i++)
                a += J[i * np + j] * J[i * np + k];
            if (j == k)
                a += 4 / ((q->hi[j] - q->lo[j]) * (q->hi[j] - q->lo[j]));
            L[j * np + k] = L[k * np + j] = a;
        }
    /* the inverse of the precision, then its factor */
    if (gsl_linalg_cholesky_decomp1(&A.matrix) != GSL_SUCCESS ||
        gsl_linalg_cholesky_invert(&A.matrix) != GSL_SUCCESS ||
        gsl_linalg_cholesky_decomp1(&A.matrix) != GSL_SUCCESS) {
        rc = FWD_ENUMERIC;
        goto done;
    }
    for (j = 0; j < np; j++) /* keep the lower triangle */
        for (k = j + 1; k < np; k++)
            L[j * np + k] = 0;
done:
    free(f0);
    free(J);
    return rc;
}

/* x + lambda L z, z standard normal, into y. */
static void
propose(const double *x, const double *L, size_t np, double lambda, gsl_rng *r, double *y)
{
    double z[NPMAX];
    size_t j, k;

    for (j = 0; j < np; j++)
        z[j] = gsl_ran_gaussian_ziggurat(r, 1);
    for (j = 0; j < np; j++) {
        double a = 0;

        for (k = 0; k <= j; k++)
            a += L[j * np + k] * z[k];
        y[j] = x[j] + lambda * a;
    }
}

/*
 * The proposal's factor L from the covariance of the states B[first, last) (np each), the
 * ridge 1e-6 of each box width squared keeping it definite; unchanged when that fails.
 * C: np x np of scratch.
 */
static void
adapt(const struct post *q, const double *B, size_t first, size_t last, double *L, double *C)
{
    size_t np = q->np, n = last - first, i, j, k;
    double mu[NPMAX] = {0};
    gsl_matrix_view A = gsl_matrix_view_array(C, np, np);

    for (i = first; i < last; i++)
        for (j = 0; j < np; j++)
            mu[j] += B[i * np + j] / (double)n;
    for (j = 0; j < np; j++)
        for (k = 0; k <= j; k++) {
            double c = 0;

            for (i = first; i < last; i++)
                c += (B[i * np + j] - mu[j]) * (B[i * np + k] - mu[k]);
            c /= (double)(n - 1);
            if (j == k)
                c += 1e-6 * (q->hi[j] - q->lo[j]) * (q->hi[j] - q->lo[j]);
            C[j * np + k] = C[k * np + j] = c;
        }
    if (gsl_linalg_cholesky_decomp1(&A.matrix) != GSL_SUCCESS)
        return;
    for (j = 0; j < np; j++)
        for (k = 0; k < np; k++)
            L[j * np + k] = k <= j ? C[j * np + k] : 0;
}

/*
 * One chain of burn + keep steps from x (chi2 c) with the proposal factor L (its own copy,
 * adapted). During the burn the step scale adapts (Robbins-Monro towards an acceptance of
 * 0.25), and at each quarter of it the covariance is re-estimated from the second half of
 * the states so far (Haario's adaptive Metropolis, stopped before the kept steps): the
 * equivalence valley's real extent and direction, where the local approximation at one
 * model sees only its tangent. The kept states go to out (keep x np), the burn's to B
 * (burn x np); C is np x np of scratch. Returns the accepted kept steps.
 */
static size_t
chain(struct post *q, double *L, double *x, double c, size_t burn, size_t keep, gsl_rng *r,
      double *B, double *out, double *C)
{
    double y[NPMAX], ll0 = log(2.38 / sqrt((double)q->np)), ll = ll0;
    size_t t, acc = 0, quarter = burn / 4;

    for (t = 0; t < burn + keep; t++) {
        double cy, a;
        int ok;

        if (t < burn && quarter >= 20 && t > 0 && t % quarter == 0 && t / quarter < 4) {
            adapt(q, B, t / 2, t, L, C);
            ll = ll0;
        }
        propose(x, L, q->np, exp(ll), r, y);
        cy = chi2(q, y);
        a = isfinite(cy) ? exp(fmin(0, -0.5 * (cy - c))) : 0;
        ok = gsl_rng_uniform(r) < a;
        if (ok) {
            memcpy(x, y, q->np * sizeof *x);
            c = cy;
        }
        if (t < burn) {
            ll += (a - 0.25) / sqrt((double)(t % (quarter > 0 ? quarter : 1)) + 10);
            memcpy(B + t * q->np, x, q->np * sizeof *x);
        } else {
            acc += (size_t)ok;
            memcpy(out + (t - burn) * q->np, x, q->np * sizeof *x);
        }
    }
    return acc;
}

/* Autocorrelations beyond this lag are not summed: a chain still correlated there has an
 * effective sample size of a few dozen at most, which is said. */
#define MAX_LAG 256

/*
 * Split R-hat and the effective sample size of parameter j over m chains of n states
 * (S: m x n x np). ESS as Stan computes it: the autocorrelation rho_t = 1 - (W - mean over
 * chains of their autocovariance at t) / var+, summed in pairs (rho_2k + rho_2k+1) while
 * the pairs stay positive, each pair at most the one before (Geyer's initial monotone
 * sequence); tau = -1 + 2 sum of the pairs, ESS = m n / tau.
 */
static void
diagnose(const double *S, size_t m, size_t n, size_t np, size_t j, double *rhat, double *ess)
{
    size_t h = n / 2, c, t;
    double W = 0, mean_all = 0, B = 0, var_plus, tau = -1, prev = INFINITY;
    double means[2 * 64], cmean[64];

    for (c = 0; c < 2 * m; c++) {
        const double *v = S + ((c / 2) * n + (c % 2) * h) * np + j;

        means[c] = gsl_stats_mean(v, np, h);
        W += gsl_stats_variance_m(v, np, h, means[c]) / (double)(2 * m);
        mean_all += means[c] / (double)(2 * m);
    }
    for (c = 0; c < 2 * m; c++)
        B += (means[c] - mean_all) * (means[c] - mean_all) * (double)h / (double)(2 * m - 1);
    var_plus = (double)(h - 1) / (double)h * W + B / (double)h;
    *rhat = W > 0 ? sqrt(var_plus / W) : 1;
    *ess = (double)(m * n);
    if (!(W > 0))
        return; /* a parameter that never moved (pinned): nothing to say */
    for (c = 0; c < m; c++)
        cmean[c] = gsl_stats_mean(S + c * n * np + j, np, n);
    for (t = 0; t + 1 < n && t < MAX_LAG; t += 2) {
        double pair = 0;
        size_t k, i;

        for (k = t; k <= t + 1; k++) {
            double acov = 0;

            for (c = 0; c < m; c++) {
                const double *v = S + c * n * np + j;
                double s = 0;

                for (i = 0; i + k < n; i++)
                    s += (v[i * np] - cmean[c]) * (v[(i + k) * np] - cmean[c]);
                acov += s / (double)n / (double)m;
            }
            pair += 1 - (W - acov) / var_plus;
        }
        if (pair <= 0)
            break;
        pair = fmin(pair, prev);
        prev = pair;
        tau += 2 * pair;
    }
    *ess = (double)(m * n) / fmax(tau, 1.0 / (double)(m * n));
}

/* A seed from the sounding's numbers (FNV-1a over their bytes) and the user's. */
static uint64_t
sounding_hash(const fwd_sounding *s, uint64_t seed)
{
    const double *arr[3] = {s->x, s->rho_a, s->phase};
    uint64_t h = 1469598103934665603u ^ seed;
    size_t a, i, b;

    for (a = 0; a < 3; a++)
        for (i = 0; arr[a] != NULL && i < s->n; i++) {
            unsigned char by[sizeof(double)];

            memcpy(by, &arr[a][i], sizeof by);
            for (b = 0; b < sizeof by; b++)
                h = (h ^ by[b]) * 1099511628211u;
        }
    return h;
}

/* The percentiles of the n values v (sorted here) at level into iv. */
static void
interval(double *v, size_t n, double level, double *iv)
{
    gsl_sort(v, 1, n);
    iv[0] = gsl_stats_quantile_from_sorted_data(v, 1, n, (100 - level) / 200);
    iv[1] = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.5);
    iv[2] = gsl_stats_quantile_from_sorted_data(v, 1, n, (100 + level) / 200);
}

/*
 * The intervals of out from the N states S (log10 parameters): of each parameter, from
 * its log10 values (a quantile commutes with 10^x, up to the interpolation between two
 * draws), which also say whether it is resolved inside the box [lo, hi]; then of the
 * depths, conductances and transverse resistances. v: N doubles of scratch.
 */
static void
summarise(const double *S, size_t N, size_t nl, const double *lo, const double *hi,
          const invnet_ranges_params *par, double *v, invnet_ranges *out)
{
    size_t np = FWD_MODEL_NPARAMS(nl), j, k, i, q;

    for (j = 0; j < np; j++) {
        double iv[3], wj = hi[j] - lo[j];
        invnet_interval *dst = j < nl ? &out->rho_ohmm[j] : &out->thick_m[j - nl];

        for (i = 0; i < N; i++)
            v[i] = S[i * np + j];
        interval(v, N, par->level, iv);
        for (q = 0; q < 3; q++)
            (*dst)[q] = pow(10, iv[q]);
        out->unresolved[j] = iv[2] - iv[0] > par->unresolved_share * wj ||
                             iv[0] < lo[j] + 0.01 * wj || iv[2] > hi[j] - 0.01 * wj;
        out->n_unresolved += out->unresolved[j];
    }
    for (k = 0; k + 1 < nl; k++)
        for (q = 0; q < 3; q++) {
            invnet_interval *dst[3] = {out->depth_m, out->conductance_s, out->transverse_ohmm2};

            for (i = 0; i < N; i++) {
                const double *p = S + i * np;
                double z = 0;
                size_t u;

                if (q == 0)
                    for (u = 0; u <= k; u++)
                        z += pow(10, p[nl + u]);
                v[i] = q == 0 ? z : pow(10, q == 1 ? p[nl + k] - p[k] : p[nl + k] + p[k]);
            }
            interval(v, N, par->level, dst[q][k]);
        }
}

/* x moved inside the box [lo, hi] by a thousandth of its width (np parameters). */
static void
inside_box(size_t np, const double *lo, const double *hi, double *x)
{
    size_t j;

    for (j = 0; j < np; j++)
        x[j] = fmin(fmax(x[j], lo[j] + 1e-3 * (hi[j] - lo[j])), hi[j] - 1e-3 * (hi[j] - lo[j]));
}

int
invnet_ranges_sample(fwd_workspace *w, const fwd_sounding *s, size_t n_layers, const double *p,
                     const double *lo, const double *hi, double noise,
                     const invnet_ranges_params *rp, invnet_ranges *out, fwd_error *err)
{
    invnet_ranges_params par = rp != NULL ? *rp : invnet_ranges_default();
    size_t np = FWD_MODEL_NPARAMS(n_layers), nd = fwd_method_ndata(s->method, s->n), m, j, acc = 0;
    double x0[NPMAX], x[NPMAX], *S = NULL, *v = NULL, *B = NULL, *L = NULL, *Lc = NULL, *C = NULL;
    struct post q;
    gsl_rng *r = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = invnet_ranges_check(&par, err)) != FWD_OK)
        return rc;
    if (n_layers < 1 || n_layers > FWD_MAX_LAYERS || !(noise > 0))
        return fwd_error_set(err, FWD_EINVAL, "%s: ranges: %zu layers, noise %g", s->source,
                             n_layers, noise);
    if (nd < np)
        return fwd_error_set(err, FWD_EINVAL, "%s: %zu data cannot determine %zu parameters",
                             s->source, nd, np);
    memset(&q, 0, sizeof q);
    q.w = w;
    q.s = s;
    q.nl = n_layers;
    q.np = np;
    q.nd = nd;
    q.lo = lo;
    q.hi = hi;
    q.lp = invnet_lm_default();
    q.lp.sd_log10_floor = noise / log(10.0);
    q.lp.sd_phase_floor = fwd_phase_sd_deg(noise);
    q.scale = s->sd_log10 != NULL || s->sd_phase != NULL ? 1 : 1 / (noise * noise);
    q.resp = malloc(nd * sizeof(double));
    q.f = malloc(nd * sizeof(double));
    S = malloc(par.chains * par.steps * np * sizeof *S);
    v = malloc(par.chains * par.steps * sizeof *v);
    B = malloc((par.burn + 1) * np * sizeof *B);
    L = malloc(3 * np * np * sizeof *L); /* L, a chain's copy Lc, and scratch C */
    Lc = L != NULL ? L + np * np : NULL;
    C = L != NULL ? L + 2 * np * np : NULL;
    r = gsl_rng_alloc(fwd_rng_xoshiro256ss);
    if (q.resp == NULL || q.f == NULL || S == NULL || v == NULL || B == NULL || L == NULL ||
        r == NULL) {
        rc = fwd_error_set(err, FWD_ENOMEM, "%s: out of memory for the ranges", s->source);
        goto done;
    }
    fwd_rng_set_stream(r, par.seed, sounding_hash(s, par.seed));
    memcpy(x0, p, np * sizeof *x0);
    inside_box(np, lo, hi, x0);
    rc = proposal(&q, x0, L);
    if (rc != FWD_OK) {
        rc =
            fwd_error_set(err, rc, "%s: ranges: %s", s->source,
                          rc == FWD_ENOMEM ? "out of memory" : "no finite response near the model");
        goto done;
    }
    for (m = 0; m < par.chains; m++) {
        double c;

        memcpy(x, x0, np * sizeof *x);
        if (m > 0) { /* over-dispersed: a draw of the local approximation, inside the box */
            propose(x0, L, np, 1, r, x);
            inside_box(np, lo, hi, x);
        }
        c = chi2(&q, x);
        if (!isfinite(c)) { /* the draw fails: from the model itself */
            memcpy(x, x0, np * sizeof *x);
            c = chi2(&q, x);
        }
        memcpy(Lc, L, np * np * sizeof *Lc);
        acc += chain(&q, Lc, x, c, par.burn, par.steps, r, B, S + m * par.steps * np, C);
    }
    out->n_layers = n_layers;
    out->level = par.level;
    out->evaluations = q.evals;
    out->acceptance = (double)acc / (double)(par.chains * par.steps);
    out->ess_min = INFINITY;
    out->rhat_max = 0;
    for (j = 0; j < np; j++) {
        double rh, es;

        diagnose(S, par.chains, par.steps, np, j, &rh, &es);
        out->rhat_max = fmax(out->rhat_max, rh);
        out->ess_min = fmin(out->ess_min, es);
    }
    summarise(S, par.chains * par.steps, n_layers, lo, hi, &par, v, out);
    rc = FWD_OK;
done:
    gsl_rng_free(r);
    free(L);
    free(B);
    free(v);
    free(S);
    free(q.f);
    free(q.resp);
    return rc;
}
