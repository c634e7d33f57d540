/* SPDX-License-Identifier: MIT */
/*
 * invnet_ranges.c - Metropolis sampling of a sounding's equivalent models (invnet_ranges.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
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

    memset(&p, 0, sizeof p); /* no parameter held */
    p.level = 90;
    p.starts = 48;
    p.start_iter = 8;
    p.chains = 64;
    p.burn = 30;
    p.steps = 50;
    p.draws = 100;
    p.seed = 1;
    p.unresolved_share = 0.5;
    p.unresolved_decades = 1;
    p.noise_scale = 0;
    p.segment_ref_mn2 = 0;
    return p;
}

int
invnet_ranges_check(const invnet_ranges_params *p, fwd_error *err)
{
    size_t k;

    if (!(p->level > 0 && p->level < 100))
        return fwd_error_set_field(err, FWD_EINVAL, "level",
                                   "level: expected a percentage between 0 and 100, got %g",
                                   p->level);
    if (p->chains < 2 || p->chains > 64)
        return fwd_error_set_field(err, FWD_EINVAL, "chains", "chains: expected 2 to 64, got %zu",
                                   p->chains);
    if (p->starts > 1000 || p->start_iter < 1 || p->start_iter > 1000)
        return fwd_error_set_field(err, FWD_EINVAL, "starts",
                                   "starts: expected at most 1000 fits of 1 to 1000 iterations, "
                                   "got %zu of %zu",
                                   p->starts, p->start_iter);
    if (p->steps < 20 || p->steps > 10000000 || p->burn > 10000000)
        return fwd_error_set_field(err, FWD_EINVAL, "steps",
                                   "steps: expected 20 to 1e7 kept and at most 1e7 burnt, "
                                   "got %zu and %zu",
                                   p->steps, p->burn);
    if (p->draws > 100000)
        return fwd_error_set_field(err, FWD_EINVAL, "draws", "draws: expected at most 1e5, got %zu",
                                   p->draws);
    if (!(p->unresolved_share > 0 && p->unresolved_share <= 1))
        return fwd_error_set_field(err, FWD_EINVAL, "unresolved_share",
                                   "unresolved_share: expected 0 < share <= 1, got %g",
                                   p->unresolved_share);
    if (!(p->unresolved_decades > 0))
        return fwd_error_set_field(err, FWD_EINVAL, "unresolved_decades",
                                   "unresolved_decades: expected more than 0, got %g",
                                   p->unresolved_decades);
    if (!(p->noise_scale == 0 || (p->noise_scale >= 1 && p->noise_scale <= 1e6)))
        return fwd_error_set_field(err, FWD_EINVAL, "noise_scale",
                                   "noise_scale: expected 0 (from the fit) or 1 to 1e6, got %g",
                                   p->noise_scale);
    if (p->n_depth > INVNET_LM_MAX_DEPTHS)
        return fwd_error_set_field(err, FWD_EINVAL, "n_depth",
                                   "n_depth: expected at most %d depths held, got %zu",
                                   INVNET_LM_MAX_DEPTHS, p->n_depth);
    for (k = 0; k < p->n_depth; k++)
        if (p->depth_layer[k] < 1 || p->depth_layer[k] >= FWD_MAX_LAYERS ||
            (k > 0 && p->depth_layer[k] <= p->depth_layer[k - 1]) ||
            !(p->depth_lo[k] <= p->depth_hi[k]) || !isfinite(p->depth_lo[k]) ||
            !isfinite(p->depth_hi[k]))
            return fwd_error_set_field(err, FWD_EINVAL, "depth_layer",
                                       "depth %zu held: expected the bottom of a layer 1 to %d, "
                                       "by increasing layer, within finite log10 bounds low <= "
                                       "high, got layer %zu within %g .. %g",
                                       k + 1, FWD_MAX_LAYERS - 1, p->depth_layer[k], p->depth_lo[k],
                                       p->depth_hi[k]);
    if (!(p->segment_ref_mn2 >= 0 && p->segment_ref_mn2 < INFINITY))
        return fwd_error_set_field(err, FWD_EINVAL, "segment_ref_mn2",
                                   "segment_ref_mn2: expected 0 (levels as given) or an MN/2 "
                                   "in m, got %g",
                                   p->segment_ref_mn2);
    return FWD_OK;
}

void
invnet_ranges_release(invnet_ranges *g)
{
    if (g == NULL)
        return;
    free(g->draws);
    free(g->draws_fit);
    g->draws = NULL;
    g->draws_fit = NULL;
    g->n_draws = 0;
}

int
invnet_ranges_copy(invnet_ranges *dst, const invnet_ranges *src)
{
    size_t n = src->n_draws * FWD_MODEL_NPARAMS(src->n_layers);

    *dst = *src;
    dst->draws = NULL;
    dst->draws_fit = NULL;
    dst->n_draws = 0;
    if (src->draws == NULL || n == 0)
        return FWD_OK;
    if ((dst->draws = malloc(n * sizeof(double))) == NULL)
        return FWD_ENOMEM;
    memcpy(dst->draws, src->draws, n * sizeof(double));
    if (src->draws_fit != NULL) {
        if ((dst->draws_fit = malloc(2 * src->n_draws * sizeof(double))) == NULL) {
            invnet_ranges_release(dst);
            return FWD_ENOMEM;
        }
        memcpy(dst->draws_fit, src->draws_fit, 2 * src->n_draws * sizeof(double));
    }
    dst->n_draws = src->n_draws;
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
    /* segments whose level is free (levels()): nfree of them, seg[i] point i's (1 to
     * nfree; 0 the reference's), wt[i] its residual's weight (invnet_lm_point_weight) */
    size_t nfree, *seg;
    double *wt;
    /* parameters that do not move: fixed by the box (lo == hi) or, a thickness, by a depth
     * held fixed (q->lp's depth bounds, held()); npin of them */
    unsigned char pinned[NPMAX];
    size_t npin;
};

/* q for s, n_layers layers, the box [lo, hi] and the training noise: the errors as the
 * refinement's (the sounding's raised to the noise, or the noise), no buffers yet. */
static void
post_init(struct post *q, fwd_workspace *w, const fwd_sounding *s, size_t n_layers,
          const double *lo, const double *hi, double noise)
{
    memset(q, 0, sizeof *q);
    q->w = w;
    q->s = s;
    q->nl = n_layers;
    q->np = FWD_MODEL_NPARAMS(n_layers);
    q->nd = fwd_method_ndata(s->method, s->n);
    q->lo = lo;
    q->hi = hi;
    q->lp = invnet_lm_noise(noise);
    q->scale = s->sd_log10 != NULL || s->sd_phase != NULL ? 1 : 1 / (noise * noise);
}

/*
 * The thickness (its parameter's index) that depth k held at one value sets (held()): the
 * deepest one above that depth, below the layer of the fixed depth above it, that the box
 * does not fix; q->np where there is none (the depth then holds or not as the box's).
 */
static size_t
derived(const struct post *q, size_t k)
{
    size_t top = 0, i, u;

    for (u = 0; u < k; u++) /* depth_layer is increasing: the last fixed one above */
        if (q->lp.depth_lo[u] == q->lp.depth_hi[u])
            top = q->lp.depth_layer[u];
    for (i = q->lp.depth_layer[k]; i > top; i--)
        if (q->lo[q->nl + i - 1] != q->hi[q->nl + i - 1])
            return q->nl + i - 1;
    return q->np;
}

/* rp's depths held into q->lp, as the refinement's fit holds them, and the parameters they
 * and the box pin. */
static void
post_holds(struct post *q, const invnet_ranges_params *rp)
{
    size_t j, k;

    q->lp.n_depth = rp->n_depth;
    memcpy(q->lp.depth_layer, rp->depth_layer, sizeof rp->depth_layer);
    memcpy(q->lp.depth_lo, rp->depth_lo, sizeof rp->depth_lo);
    memcpy(q->lp.depth_hi, rp->depth_hi, sizeof rp->depth_hi);
    for (j = 0; j < q->np; j++)
        q->pinned[j] = q->lo[j] == q->hi[j];
    for (k = 0; k < rp->n_depth; k++) /* a thickness above it follows (held()) */
        if (rp->depth_lo[k] == rp->depth_hi[k] && derived(q, k) < q->np)
            q->pinned[derived(q, k)] = 1;
    for (j = 0, q->npin = 0; j < q->np; j++)
        q->npin += q->pinned[j];
}

/*
 * x held as q says: a parameter the box fixes set to it, and, for a depth held at one
 * value, the thickness derived() names set so that the depth is there (top down; onto the
 * box's bound when rounding left it outside by less than 1e-9 decades); the other depths
 * held are checked in chi2(). Where the other layers above reach that depth already, or
 * the box fixes every thickness that could move it, nothing is set: chi2() refuses a
 * state that misses the depth.
 */
static void
held(const struct post *q, double *x)
{
    size_t j, k;

    for (j = 0; j < q->np; j++)
        if (q->lo[j] == q->hi[j])
            x[j] = q->lo[j];
    for (k = 0; k < q->lp.n_depth; k++) {
        size_t layer = q->lp.depth_layer[k], i = derived(q, k);
        double above = 0, t;

        if (q->lp.depth_lo[k] != q->lp.depth_hi[k] || i == q->np)
            continue;
        for (j = 0; j < layer; j++)
            if (q->nl + j != i)
                above += pow(10, x[q->nl + j]);
        t = pow(10, q->lp.depth_lo[k]) - above;
        if (t > 0) {
            x[i] = log10(t);
            if (x[i] < q->lo[i] && x[i] > q->lo[i] - 1e-9)
                x[i] = q->lo[i];
            if (x[i] > q->hi[i] && x[i] < q->hi[i] + 1e-9)
                x[i] = q->hi[i];
        }
    }
}

/* Whether parameter j (a thickness pinned by a depth held at one value) is the same in
 * every state: every thickness above it fixed by the box or pinned so, in turn. */
static int
constant_above(const struct post *q, size_t j)
{
    size_t i;

    for (i = q->nl; i < j; i++)
        if (!(q->lo[i] == q->hi[i] || (q->pinned[i] && constant_above(q, i))))
            return 0;
    return 1;
}

/* The log10 parameters p inside the box and within the depths held (those held at one depth
 * to 1e-9 decades). */
static int
admissible(const struct post *q, const double *p)
{
    size_t j, k;

    for (j = 0; j < q->np; j++)
        if (!(p[j] >= q->lo[j] && p[j] <= q->hi[j]))
            return 0;
    for (k = 0; k < q->lp.n_depth; k++) {
        double z = 0;

        for (j = 0; j < q->lp.depth_layer[k]; j++)
            z += pow(10, p[q->nl + j]);
        z = log10(z);
        if (!(z >= q->lp.depth_lo[k] - 1e-9 && z <= q->lp.depth_hi[k] + 1e-9))
            return 0;
    }
    return 1;
}

/*
 * The free segments of q's sounding: each MN/2 but ref's (m; 1e-6 relative), its points'
 * weights; q->seg and q->wt room for s->n values. FWD_OK with none when ref is 0 or the
 * sounding is of one MN/2; FWD_EINVAL (err) when it has no segment of MN/2 ref.
 */
static int
free_segments(struct post *q, double ref, fwd_error *err)
{
    const fwd_sounding *s = q->s;
    double l;
    size_t i, k = 0;
    int found = 0;

    q->nfree = 0;
    if (ref == 0 || s->mn2 == NULL ||
        fwd_sounding_next_mn2(s, fwd_sounding_next_mn2(s, 0)) == INFINITY)
        return FWD_OK;
    for (l = fwd_sounding_next_mn2(s, 0); l < INFINITY; l = fwd_sounding_next_mn2(s, l)) {
        int is_ref = fabs(l - ref) <= 1e-6 * ref;

        found |= is_ref;
        k += !is_ref;
        for (i = 0; i < s->n; i++)
            if (s->mn2[i] == l) {
                q->seg[i] = is_ref ? 0 : k;
                q->wt[i] = invnet_lm_point_weight(s, &q->lp, i);
            }
    }
    if (!found)
        return fwd_error_set_field(err, FWD_EINVAL, "segment_ref_mn2",
                                   "%s: segment_ref_mn2: expected an MN/2 of the sounding, got "
                                   "%g m",
                                   s->source, ref);
    q->nfree = k;
    return FWD_OK;
}

/* The least-squares level l of free segment k for residuals f (the one that minimises
 * sum (f_i - l wt_i)^2 over its points); NAN when it has no weight. */
static double
level_of(const struct post *q, const double *f, size_t k)
{
    double a = 0, b = 0;
    size_t i;

    for (i = 0; i < q->s->n; i++)
        if (q->seg[i] == k) {
            a += f[i] * q->wt[i];
            b += q->wt[i] * q->wt[i];
        }
    return b > 0 ? a / b : NAN;
}

/*
 * The residuals f of the apparent resistivities with each free segment's level taken out: a
 * level e^d on its data moves its residuals by -d wt; the least-squares d leaves them
 * orthogonal to wt. The Gaussian integral of exp(-chi2 / 2) over d under a flat prior is a
 * constant (the data's errors, not the model, set its width) times exp(-min chi2 / 2): the
 * level integrated out is these residuals' chi2.
 */
static void
levels(const struct post *q, double *f)
{
    size_t k, i, n = q->s->n;

    for (k = 1; k <= q->nfree; k++) {
        double l = level_of(q, f, k);

        for (i = 0; isfinite(l) && i < n; i++)
            if (q->seg[i] == k)
                f[i] -= l * q->wt[i];
    }
}

/* The residuals of p into q->f (levels() taken out): FWD_OK, or FWD_ENUMERIC where the
 * forward model fails. */
static int
residuals(struct post *q, const double *p)
{
    q->evals++;
    if (invnet_lm_residuals(q->w, q->s, q->nl, p, &q->lp, q->resp, q->f) != FWD_OK)
        return FWD_ENUMERIC;
    levels(q, q->f);
    return FWD_OK;
}

/* chi2 of the log10 parameters p (levels() taken out); +inf outside the box or the depths
 * held (admissible()) or where the forward model fails. */
static double
chi2(struct post *q, const double *p)
{
    double c = 0;
    size_t j;

    if (!admissible(q, p))
        return INFINITY;
    if (residuals(q, p) != FWD_OK)
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

        if (q->pinned[j]) { /* no step: decoupled, unit variance, its factor zeroed below */
            for (i = 0; i < nd; i++)
                J[i * np + j] = 0;
            continue;
        }
        pp[j] = p[j] + d;
        if (residuals(q, pp) != FWD_OK) {
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
                a += q->pinned[j] ? 1 : 4 / ((q->hi[j] - q->lo[j]) * (q->hi[j] - q->lo[j]));
            L[j * np + k] = L[k * np + j] = a;
        }
    /* the inverse of the precision, then its factor */
    if (gsl_linalg_cholesky_decomp1(&A.matrix) != GSL_SUCCESS ||
        gsl_linalg_cholesky_invert(&A.matrix) != GSL_SUCCESS ||
        gsl_linalg_cholesky_decomp1(&A.matrix) != GSL_SUCCESS) {
        rc = FWD_ENUMERIC;
        goto done;
    }
    for (j = 0; j < np; j++) { /* keep the lower triangle; a pinned parameter does not move */
        for (k = j + 1; k < np; k++)
            L[j * np + k] = 0;
        if (q->pinned[j])
            for (k = 0; k < np; k++)
                L[j * np + k] = L[k * np + j] = 0;
    }
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

/* x moved inside the box [lo, hi] by a thousandth of its width (np parameters). */
static void
inside_box(size_t np, const double *lo, const double *hi, double *x)
{
    size_t j;

    for (j = 0; j < np; j++)
        x[j] = fmin(fmax(x[j], lo[j] + 1e-3 * (hi[j] - lo[j])), hi[j] - 1e-3 * (hi[j] - lo[j]));
}

/* x moved inside q's box (inside_box) and held as q says (held()). */
static void
settle(const struct post *q, double *x)
{
    inside_box(q->np, q->lo, q->hi, x);
    held(q, x);
}

/*
 * A draw of the local approximation x0 + L z inside the box, held (held()): redrawn up to
 * 20 times while it is not admissible, then moved inside (settle()).
 */
static void
draw_inside(const struct post *q, const double *x0, const double *L, gsl_rng *r, double *y)
{
    size_t tries;

    for (tries = 0; tries < 20; tries++) {
        propose(x0, L, q->np, 1, r, y);
        held(q, y);
        if (admissible(q, y))
            return;
    }
    settle(q, y);
}

/*
 * Differential-evolution Markov chains with a past archive (DE-MCz, ter Braak & Vrugt
 * 2008): m chains step together; chain i proposes x_i + g (z1 - z2) + e, z1 and z2 two
 * states of the archive Z, g = 2.38 / sqrt(2 np) (1 every tenth step, to jump between
 * modes), e a jitter of 1e-4 of each box width. Z starts with draws of the local
 * approximation (zn of them, already in Z) and gains every chain's state every THIN steps.
 * The difference of two states lies along the valley they share, however long or tilted
 * it is: no covariance to estimate. Kept states to S (chain c at S + c keep np).
 */
#define THIN 5

static size_t
demcz(struct post *q, double *X, double *c, size_t m, size_t burn, size_t keep, gsl_rng *r,
      double *Z, size_t zn, double *S, double *K)
{
    size_t np = q->np, t, i, j, acc = 0;
    double g0 = 2.38 / sqrt(2.0 * (double)np), y[NPMAX];

    for (t = 0; t < burn + keep; t++) {
        for (i = 0; i < m; i++) {
            double *x = X + i * np, g = t % 10 == 9 ? 1 : g0, cy, a;
            size_t a1 = gsl_rng_uniform_int(r, zn), a2 = gsl_rng_uniform_int(r, zn - 1);
            int ok;

            a2 += a2 >= a1;
            for (j = 0; j < np; j++)
                y[j] = x[j] + g * (Z[a1 * np + j] - Z[a2 * np + j]) +
                       1e-4 * (q->hi[j] - q->lo[j]) * gsl_ran_gaussian_ziggurat(r, 1);
            held(q, y);
            cy = chi2(q, y);
            a = isfinite(cy) ? exp(fmin(0, -0.5 * (cy - c[i]))) : 0;
            ok = gsl_rng_uniform(r) < a;
            if (ok) {
                memcpy(x, y, np * sizeof *x);
                c[i] = cy;
            }
            if (t >= burn) {
                acc += (size_t)ok;
                memcpy(S + (i * keep + t - burn) * np, x, np * sizeof *x);
                K[i * keep + t - burn] = c[i];
            }
        }
        if (t % THIN == THIN - 1)
            for (i = 0; i < m; i++)
                memcpy(Z + zn++ * np, X + i * np, np * sizeof *Z);
    }
    return acc;
}

/* Autocorrelations beyond this lag are not summed: a chain still correlated there has an
 * effective sample size of a few dozen at most, which is said. */
#define MAX_LAG 256

/*
 * Split R-hat and the effective sample size of parameter j over m chains of n states
 * (S: m x n x np), each split in two halves. ESS as Stan computes it: the autocorrelation
 * rho_t = 1 - (W - mean over the halves of their autocovariance at t) / var+, summed in pairs
 * (rho_2k + rho_2k+1) while the pairs stay positive, each pair at most the one before (Geyer's
 * initial monotone sequence); tau = -1 + 2 sum of the pairs, ESS = m n / tau.
 */
static void
diagnose(const double *S, size_t m, size_t n, size_t np, size_t j, double *rhat, double *ess)
{
    size_t h = n / 2, c, t;
    double W = 0, mean_all = 0, B = 0, var_plus, tau = -1, prev = INFINITY;
    double means[2 * 64];

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
    for (t = 0; t + 1 < h && t < MAX_LAG; t += 2) {
        double pair = 0;
        size_t k, i;

        for (k = t; k <= t + 1; k++) {
            double acov = 0;

            for (c = 0; c < 2 * m; c++) { /* the split halves, as for W */
                const double *v = S + ((c / 2) * n + (c % 2) * h) * np + j;
                double s = 0;

                for (i = 0; i + k < h; i++)
                    s += (v[i * np] - means[c]) * (v[(i + k) * np] - means[c]);
                acov += s / (double)h / (double)(2 * m);
            }
            pair += 1 - (W - acov) / var_plus;
        }
        if (pair <= 0)
            break;
        pair = fmin(pair, prev);
        prev = pair;
        tau += 2 * pair;
    }
    *ess = (double)(2 * m * h) / fmax(tau, 1.0 / (double)(2 * m * h));
}

/*
 * The quantile f of the n values v as gsl_stats_quantile_from_sorted_data gives it from
 * them sorted (the same formula, so the same bits), its one or two order statistics found by
 * selection (gsl_stats_select, which reorders v): O(n), not a sort's O(n log n). A sort of
 * each parameter's 3,200 states (heapsort) was 26 % of a --ranges run.
 */
static double
quantile(double *v, size_t n, double f)
{
    const double index = f * (double)(n - 1);
    const size_t lhs = (size_t)index;
    const double delta = index - (double)lhs;
    double a;

    if (n == 0)
        return 0.0;
    a = gsl_stats_select(v, 1, n, lhs);
    if (lhs == n - 1)
        return a;
    return (1 - delta) * a + delta * gsl_stats_select(v, 1, n, lhs + 1);
}

/* The smallest of the n values v. */
static double
least(const double *v, size_t n)
{
    double m = v[0];
    size_t i;

    for (i = 1; i < n; i++)
        m = v[i] < m ? v[i] : m;
    return m;
}

/*
 * The quantile f of v[0..n) as quantile() gives it, where v is partitioned about v[b]
 * (nothing before it above it, nothing after it below it; b < n) and the order statistic
 * wanted lies on b's side that side holds: selected within that side alone, the next one
 * up as the least after it (the partition gives it for free). The same order statistics,
 * so the same bits.
 */
static double
quantile_beside(double *v, size_t n, size_t b, double f)
{
    const double index = f * (double)(n - 1);
    const size_t lhs = (size_t)index;
    const double delta = index - (double)lhs;
    double a, next;

    if (lhs == b) {
        a = v[b];
    } else if (lhs < b) {
        a = gsl_stats_select(v, 1, b, lhs);
    } else {
        a = gsl_stats_select(v + b + 1, 1, n - b - 1, lhs - b - 1);
    }
    if (lhs == n - 1)
        return a;
    /* the next order statistic: the least of what lies above lhs within its side, or v[b] */
    if (lhs < b)
        next = lhs + 1 < b ? fmin(least(v + lhs + 1, b - lhs - 1), v[b]) : v[b];
    else
        next = least(v + lhs + 1, n - lhs - 1);
    return (1 - delta) * a + delta * next;
}

/*
 * The percentiles of the n values v (reordered here) at level into iv: the median by
 * selection over all of them, the ends within its two sides (about 2 passes of selection
 * instead of 6: the resistivity-depth envelope takes 192 intervals of some 3,000 states).
 */
static void
interval(double *v, size_t n, double level, double *iv)
{
    const double index = 0.5 * (double)(n - 1);
    const size_t b = (size_t)index;

    if (n < 3) {
        iv[0] = quantile(v, n, (100 - level) / 200);
        iv[1] = quantile(v, n, 0.5);
        iv[2] = quantile(v, n, (100 + level) / 200);
        return;
    }
    (void)gsl_stats_select(v, 1, n, b); /* v partitioned about v[b] */
    iv[0] = quantile_beside(v, n, b, (100 - level) / 200);
    iv[2] = quantile_beside(v, n, b, (100 + level) / 200);
    iv[1] = quantile_beside(v, n, b, 0.5);
}

/*
 * An end of a parameter's interval is the prior's, not the data's, when its bound lies
 * beyond it by less than tail_cut(level) of the interval's half on that side: for a
 * Gaussian posterior, a bound that cuts the whole tail the interval leaves out ((100 -
 * level) / 2 %, c) puts the cut sample's end at the quantile 2c - c^2 and its median at
 * c + (1 - c) / 2, so the end lies above the bound by this share of its half (0.257 at
 * 90 %, 0.107 at 99 %, 1.09 at 50 %): nearer, the bound took more than that tail. A
 * helper's MT conductor, rho 1.155-7.19 ohm-m in a prior from 1 ohm-m, its median 2.9: 0.14,
 * and 0.325-7.64 with the prior from 0.1 (S unchanged); a K-type resistor's 95.9-878
 * ohm-m under a bound of 1000: 0.11.
 */
static double
tail_cut(double level)
{
    double c = (100 - level) / 200, zb = gsl_cdf_ugaussian_Pinv(c);
    double ze = gsl_cdf_ugaussian_Pinv(2 * c - c * c), zm = gsl_cdf_ugaussian_Pinv(0.5 + c / 2);

    return (ze - zb) / (zm - ze);
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
    double cut = tail_cut(par->level);

    for (j = 0; j < np; j++) {
        double iv[3], wj = hi[j] - lo[j];
        invnet_interval *dst = j < nl ? &out->rho_ohmm[j] : &out->thick_m[j - nl];

        for (i = 0; i < N; i++)
            v[i] = S[i * np + j];
        interval(v, N, par->level, iv);
        for (q = 0; q < 3; q++)
            (*dst)[q] = pow(10, iv[q]);
        /* a parameter held (a borehole's) is known, within its bounds, whatever its width */
        out->unresolved[j] =
            !par->held[j] && wj > 0 &&
            (iv[2] - iv[0] > fmin(par->unresolved_share * wj, par->unresolved_decades) ||
             iv[0] < lo[j] + 0.01 * wj || iv[2] > hi[j] - 0.01 * wj ||
             iv[0] - lo[j] < cut * (iv[1] - iv[0]) || hi[j] - iv[2] < cut * (iv[2] - iv[1]));
        out->n_unresolved += out->unresolved[j];
        out->held[j] = par->held[j];
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

/*
 * The order statistic k (from 0) of the values val of u distinct states, state perm[r] the
 * r-th smallest, repeated cnt[perm[r]] times; *r0 and *c0 a place to start the walk from
 * (the rank and the count below it), moved there.
 */
static double
order_stat(const double *val, const size_t *perm, const size_t *cnt, size_t k, size_t *r0,
           size_t *c0)
{
    while (*c0 + cnt[perm[*r0]] <= k) {
        *c0 += cnt[perm[*r0]];
        ++*r0;
    }
    return val[perm[*r0]];
}

/*
 * The percentiles at level (iv) of the values val of u distinct states repeated cnt times,
 * n in all, as interval() gives them of the n values (the same order statistics, the same
 * arithmetic: the same bits), perm sorted here from its last order: by insertion, the order
 * changing little from one depth to the next, or, past 8 u moves (the first depth, states
 * in no order), by GSL's index sort (heapsort).
 */
static void
interval_counted(const double *val, size_t *perm, const size_t *cnt, size_t u, size_t n,
                 double level, double *iv)
{
    const double f[3] = {(100 - level) / 200, 0.5, (100 + level) / 200};
    size_t r, q, r0 = 0, c0 = 0, moves = 0;

    for (r = 1; r < u && moves <= 8 * u; r++) {
        size_t x = perm[r], t = r;

        for (; t > 0 && val[perm[t - 1]] > val[x]; t--, moves++)
            perm[t] = perm[t - 1];
        perm[t] = x;
    }
    if (moves > 8 * u)
        gsl_sort_index(perm, val, 1, u);
    for (q = 0; q < 3; q++) { /* increasing ranks: one walk */
        const double index = f[q] * (double)(n - 1);
        const size_t lhs = (size_t)index;
        const double delta = index - (double)lhs;
        double a = order_stat(val, perm, cnt, lhs, &r0, &c0);
        size_t r1 = r0, c1 = c0; /* the next one up, without moving the walk */

        iv[q] = lhs == n - 1
                    ? a
                    : (1 - delta) * a + delta * order_stat(val, perm, cnt, lhs + 1, &r1, &c1);
    }
}

int
invnet_ranges_envelope(const double *S, size_t N, size_t nl, double level, double deepest,
                       invnet_ranges *out, fwd_error *err)
{
    size_t np = FWD_MODEL_NPARAMS(nl), i, k, d, u = 0, q;
    double *rho, *base, *lrho, *val, zmin = INFINITY, zmax = 0;
    size_t *cnt, *perm;

    out->n_envelope = 0;
    if (nl < 1 || nl > FWD_MAX_LAYERS || !(level > 0 && level < 100) || (S == NULL && N > 0) ||
        !(deepest >= 0 && deepest < 1e30))
        return fwd_error_set(err, FWD_EINVAL,
                             "envelope: %zu layers (expected 1 to %d), level %g %% (expected "
                             "between 0 and 100), %zu models%s, deepest %g m (expected 0 or "
                             "more)",
                             nl, FWD_MAX_LAYERS, level, N, S == NULL ? " at NULL" : "", deepest);
    for (i = 0; i < N * np; i++)
        if (!(fabs(S[i]) <= 30)) /* 1e30 ohm-m or m: none of this world's, and no overflow */
            return fwd_error_set(err, FWD_EINVAL,
                                 "envelope: model %zu, parameter %zu: expected a log10 value "
                                 "from -30 to 30, found %g",
                                 i / np + 1, i % np + 1, S[i]);
    if (nl < 2 || N == 0)
        return FWD_OK;
    rho = malloc(N * (3 * nl + 4) * sizeof *rho);
    cnt = malloc(N * 4 * sizeof *cnt);
    if (rho == NULL || cnt == NULL) {
        free(rho);
        free(cnt);
        return fwd_error_set(err, FWD_ENOMEM, "envelope: out of memory for %zu models", N);
    }
    base = rho + N * nl;  /* the depth of each layer's base; the half-space's unused */
    lrho = base + N * nl; /* their log10 resistivities, as S has them */
    val = lrho + N * nl;  /* 3 N: each distinct state's log10 resistivity, S and T there */
    perm = cnt + N;       /* 3 N: their orders */
    /* the distinct states, each with how many times it is there: a chain that stays put
     * repeats its state (about 9 kept states in 10 at the sampler's acceptance) */
    for (i = 0; i < N; i++) {
        double z = 0;

        if (u > 0 && memcmp(S + i * np, S + (i - 1) * np, np * sizeof *S) == 0) {
            cnt[u - 1]++;
            continue;
        }
        cnt[u] = 1;
        for (k = 0; k < nl; k++) {
            lrho[u * nl + k] = S[i * np + k];
            rho[u * nl + k] = pow(10, S[i * np + k]);
            if (k + 1 < nl)
                base[u * nl + k] = z += pow(10, S[i * np + nl + k]);
        }
        zmin = fmin(zmin, base[u * nl]);
        zmax = fmax(zmax, base[u * nl + nl - 2]);
        u++;
    }
    for (q = 0; q < 3; q++)
        for (i = 0; i < u; i++)
            perm[q * N + i] = i;
    zmin *= 0.5;
    zmax = fmax(2 * zmax, deepest);
    for (d = 0; d < INVNET_ENVELOPE_DEPTHS; d++) {
        double z = zmin * pow(zmax / zmin, (double)d / (INVNET_ENVELOPE_DEPTHS - 1)), iv[3];

        out->envelope_depth_m[d] = z;
        for (i = 0; i < u; i++) {
            const double *r = rho + i * nl, *b = base + i * nl;
            double top = 0, s = 0, t = 0;

            for (k = 0; k < nl; k++) {
                double dz = (k + 1 < nl ? fmin(z, b[k]) : z) - top;

                if (dz <= 0)
                    break;
                s += dz / r[k];
                t += dz * r[k];
                val[i] = lrho[i * nl + k]; /* the layer z is in: the last one begun */
                top = k + 1 < nl ? b[k] : top;
            }
            val[N + i] = s;
            val[2 * N + i] = t;
        }
        for (q = 0; q < 3; q++) {
            double *dst = q == 0   ? iv
                          : q == 1 ? out->envelope_conductance_s[d]
                                   : out->envelope_transverse_ohmm2[d];

            if (2 * u <= N) { /* most states repeat: sorted, counted */
                interval_counted(val + q * N, perm + q * N, cnt, u, N, level, dst);
            } else { /* few repeat: expanded, selected among all (the same bits) */
                double *e = val + 3 * N;
                size_t m, c;

                for (i = 0, m = 0; i < u; i++)
                    for (c = 0; c < cnt[i]; c++)
                        e[m++] = val[q * N + i];
                interval(e, N, level, dst);
            }
        }
        for (q = 0; q < 3; q++)
            out->envelope_rho_ohmm[d][q] = pow(10, iv[q]);
    }
    out->n_envelope = INVNET_ENVELOPE_DEPTHS;
    free(cnt);
    free(rho);
    return FWD_OK;
}

/*
 * The equivalent models: the kept states within the chi-square quantile FIT_P (np degrees
 * of freedom) of the best one, at least the MIN_FIT best. The posterior puts 0.1 % of its
 * mass beyond (for a linear problem): what is cut are states of chains still on their way,
 * models that do not fit.
 */
#define FIT_P   0.999
#define MIN_FIT 20

/* Fits within this chi2 of the best start a group of their own. */
#define GROUP_DCHI2 20
/* Fits closer than this in every log10 parameter are the same group. */
#define GROUP_APART 0.1

/* Rounds of level_fit at most. */
#define LEVEL_ROUNDS 6

/*
 * The fit of y[1..np] (chi2 y[0], levels() taken out) taken to the minimum over the free
 * segments' levels too: the fits ran at the levels as given, whose chi2 can be far above it
 * when they are off (the noise scale is of that minimum). In turn: each free segment's
 * data multiplied by its least-squares level (on a copy of the sounding), the fit refined
 * there; kept while chi2 falls by more than 1e-6 of it. FWD_OK, or FWD_ENOMEM.
 */
static int
level_fit(struct post *q, invnet_lm_workspace *lw, const invnet_lm_params *lp, double *y)
{
    const fwd_sounding *s = q->s;
    fwd_sounding sv = *s;
    double *d = malloc(2 * s->n * sizeof *d), *f, p[NPMAX], c;
    size_t n = s->n, i, k, r;
    int rc = FWD_OK;

    if (d == NULL)
        return FWD_ENOMEM;
    f = d + n;
    memcpy(d, s->rho_a, n * sizeof *d);
    sv.rho_a = d;
    memcpy(p, y + 1, q->np * sizeof *p);
    for (r = 0; r < LEVEL_ROUNDS; r++) {
        invnet_lm_count cnt;

        q->evals++;
        if (invnet_lm_residuals(q->w, &sv, q->nl, p, &q->lp, q->resp, f) != FWD_OK)
            break;
        for (k = 1; k <= q->nfree; k++) { /* f - l wt at the least-squares l: data times e^l */
            double l = level_of(q, f, k);

            for (i = 0; isfinite(l) && i < n; i++)
                if (q->seg[i] == k)
                    d[i] *= exp(l);
        }
        rc = invnet_lm_fit_in(lw, q->w, &sv, q->nl, p, q->lo, q->hi, lp, &cnt, NULL);
        q->evals += cnt.evaluations + INVNET_LM_JACOBIAN_MODELS * cnt.jacobians;
        if (rc == FWD_ENOMEM)
            break;
        rc = FWD_OK;
        settle(q, p);
        c = chi2(q, p);
        if (!(c < y[0] * (1 - 1e-6)))
            break;
        y[0] = c;
        memcpy(y + 1, p, q->np * sizeof *p);
    }
    free(d);
    return rc;
}

/*
 * The groups of equivalent models: x0 (the given model, inside the box) and the fits from
 * rp->starts uniform draws of the box, of rp->start_iter iterations each; the distinct ones
 * within GROUP_DCHI2 of the best, at most cap, best first, into G (cap x np) with the
 * factors of their local approximations in L (cap x np x np). Before those are computed,
 * the errors are scaled (q->scale divided by the square of the factor, into *noise_scale):
 * by rp->noise_scale, or where that is 0 by the best fit's misfit (invnet_lm_noise_scale).
 * The best of x0 and the fits into best (np; x0 when none is finite). Returns
 * how many (0: the forward model fails at x0 and no fit found a finite response).
 * *err_rc: FWD_ENOMEM when a fit ran out of memory.
 */
static size_t
groups(struct post *q, const double *x0, const invnet_ranges_params *rp, gsl_rng *r, size_t cap,
       double *G, double *L, double *noise_scale, double *best_p, int *err_rc)
{
    size_t np = q->np, n = 0, k, j, u, best;
    double *cand = malloc((rp->starts + 1) * (np + 1) * sizeof *cand), *y;
    invnet_lm_params lp = q->lp;
    invnet_lm_workspace *lw = invnet_lm_workspace_alloc(); /* one for all the starts */

    *err_rc = FWD_OK;
    if (cand == NULL || lw == NULL) {
        free(cand);
        invnet_lm_workspace_free(lw);
        *err_rc = FWD_ENOMEM;
        return 0;
    }
    lp.max_iter = rp->start_iter;
    /* every fit, as (chi2, parameters) rows */
    for (k = 0; k <= rp->starts; k++) {
        invnet_lm_count cnt;

        y = cand + n * (np + 1);
        if (k == 0) {
            memcpy(y + 1, x0, np * sizeof *y);
        } else {
            for (j = 0; j < np; j++)
                y[1 + j] = q->lo[j] + (q->hi[j] - q->lo[j]) * gsl_rng_uniform(r);
            int rc = invnet_lm_fit_in(lw, q->w, q->s, q->nl, y + 1, q->lo, q->hi, &lp, &cnt, NULL);

            q->evals += cnt.evaluations + INVNET_LM_JACOBIAN_MODELS * cnt.jacobians;
            if (rc == FWD_ENOMEM) {
                *err_rc = rc;
                break;
            }
            if (rc != FWD_OK) /* no finite response at this start */
                continue;
            settle(q, y + 1);
        }
        y[0] = chi2(q, y + 1);
        if (isfinite(y[0]))
            n++;
    }
    /* best first (a stable selection sort: few rows) */
    for (k = 0; k < n; k++) {
        best = k;
        for (u = k + 1; u < n; u++)
            if (cand[u * (np + 1)] < cand[best * (np + 1)])
                best = u;
        for (j = 0; best != k && j <= np; j++) {
            double t = cand[k * (np + 1) + j];

            cand[k * (np + 1) + j] = cand[best * (np + 1) + j];
            cand[best * (np + 1) + j] = t;
        }
    }
    /* the best fit at its segments' levels too: the noise scale is of the lowest chi2 */
    if (n > 0 && q->nfree > 0 && level_fit(q, lw, &lp, cand) == FWD_ENOMEM) {
        *err_rc = FWD_ENOMEM;
        n = 0;
    }
    memcpy(best_p, n > 0 ? cand + 1 : x0, np * sizeof *best_p);
    /* the errors scaled, the fits' chi2 with them */
    *noise_scale = rp->noise_scale > 0 ? rp->noise_scale
                   : n > 0 ? invnet_lm_noise_scale(cand[0], q->nd, q->np - q->npin + q->nfree)
                           : 1;
    q->scale /= *noise_scale * *noise_scale;
    for (k = 0; k < n; k++)
        cand[k * (np + 1)] /= *noise_scale * *noise_scale;
    k = n;
    n = 0;
    for (u = 0; u < k && n < cap; u++) {
        const double *c = cand + u * (np + 1);
        size_t g;
        int prc;

        if (c[0] > cand[0] + GROUP_DCHI2)
            break;
        for (g = 0; g < n; g++) {
            double d = 0;

            for (j = 0; j < np; j++)
                d = fmax(d, fabs(c[1 + j] - G[g * np + j]));
            if (d < GROUP_APART)
                break;
        }
        if (g < n)
            continue;
        prc = proposal(q, c + 1, L + n * np * np);
        if (prc == FWD_ENOMEM) {
            *err_rc = prc;
            break;
        }
        if (prc != FWD_OK)
            continue; /* no finite Jacobian there: not a group to start from */
        memcpy(G + n * np, c + 1, np * sizeof *G);
        n++;
    }
    free(cand);
    invnet_lm_workspace_free(lw);
    return n;
}

/* Readings denser than this many a decade count as this many (the depth of investigation). */
#define DOI_PER_DECADE 10

/*
 * The weight of each of the n readings at x in the depth of investigation: the decades
 * it stands for (half the way to the next distinct spacing or period on each side, the
 * whole way at the ends; shared by readings at one x) times DOI_PER_DECADE, at most 1.
 */
static void
doi_weights(const double *x, size_t n, double *wt)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        double lx = log10(x[i]), below = -INFINITY, above = INFINITY, span;
        size_t same = 0;

        for (j = 0; j < n; j++) {
            double d = log10(x[j]) - lx;

            if (fabs(d) < 1e-9)
                same++;
            else if (d < 0)
                below = fmax(below, d);
            else
                above = fmin(above, d);
        }
        span = isfinite(below) && isfinite(above) ? (above - below) / 2
               : isfinite(below)                  ? -below
               : isfinite(above)                  ? above
                                                  : 1;
        wt[i] = fmin(1, DOI_PER_DECADE * span / (double)same);
    }
}

/*
 * The change, in chi2 with the readings weighted by wt (doi_weights), that multiplying
 * every resistivity of the model p (n_layers, log10) below depth z by f makes to the
 * model's response (the layer that z cuts becomes two): the weighted sum of the squared
 * differences of the residuals from f0, those of p. +inf when the forward model fails.
 */
static double
change_scaled_below(struct post *q, const double *p, double z, double f, const double *f0,
                    const double *wt)
{
    double t[NPMAX + 2], top = 0;
    size_t nl = q->nl, k, m = 0, j;

    /* layers: resistivities first, then thicknesses; at most nl + 1 of them */
    double rho[FWD_MAX_LAYERS], th[FWD_MAX_LAYERS];

    for (k = 0; k < nl; k++) {
        double h = k + 1 < nl ? pow(10, p[nl + k]) : INFINITY, bottom = top + h;

        if (top < z && z < bottom) { /* split */
            rho[m] = p[k];
            th[m++] = log10(z - top);
            rho[m] = p[k] + log10(f);
            if (k + 1 < nl)
                th[m] = log10(bottom - z);
            m++;
        } else {
            rho[m] = top >= z ? p[k] + log10(f) : p[k];
            if (k + 1 < nl)
                th[m] = p[nl + k];
            m++;
        }
        top = bottom;
    }
    for (j = 0; j < m; j++)
        t[j] = rho[j];
    for (j = 0; j + 1 < m; j++)
        t[m + j] = th[j];
    q->evals++;
    if (invnet_lm_residuals(q->w, q->s, m, t, &q->lp, q->resp, q->f) != FWD_OK)
        return INFINITY;
    top = 0;
    for (j = 0; j < q->nd; j++)
        top += wt[j % q->s->n] * (q->f[j] - f0[j]) * (q->f[j] - f0[j]);
    return isfinite(top) ? top * q->scale : INFINITY;
}

/*
 * The depth of investigation of p (invnet_ranges.h): below it, halving or doubling
 * everything changes the response by less than dchi2, the readings weighted by
 * doi_weights. The change need not fall steadily with depth, so: the deepest depth on a
 * grid of 4 a decade from 1 cm to 1000 km where it is seen, then bisection in log depth to
 * the next grid depth, to 1 %. f0: nd + n doubles of scratch (n readings). NAN when the
 * model has FWD_MAX_LAYERS layers, nothing is seen at any depth, or the data see deeper
 * than 1000 km.
 */
static double
depth_of_investigation(struct post *q, const double *p, double dchi2, double *f0)
{
    double a, b, *wt = f0 + q->nd;
    int k, it;

    size_t j;

    if (q->nl >= FWD_MAX_LAYERS || !isfinite(chi2(q, p)))
        return NAN;
    memcpy(f0, q->f, q->nd * sizeof *f0);
    if (q->nfree > 0) { /* the responses as measured: the segments' levels as given (not
                         * levels()), as invnet_ranges_doi compares them */
        q->evals++;
        if (invnet_lm_residuals(q->w, q->s, q->nl, p, &q->lp, q->resp, f0) != FWD_OK)
            return NAN;
        for (j = 0; j < q->nd; j++)
            if (!isfinite(f0[j]))
                return NAN;
    }
    doi_weights(q->s->x, q->s->n, wt);
#define SEEN(lz)                                                                                   \
    (fmax(change_scaled_below(q, p, pow(10, lz), 0.5, f0, wt),                                     \
          change_scaled_below(q, p, pow(10, lz), 2, f0, wt)) >= dchi2)
    for (k = 32; k >= 0 && !SEEN(-2 + 0.25 * k); k--)
        ;
    if (k < 0 || k == 32)
        return NAN;
    a = -2 + 0.25 * k;
    b = a + 0.25;
    for (it = 0; it < 40 && b - a > 0.004; it++) {
        double m = 0.5 * (a + b);

        if (SEEN(m))
            a = m;
        else
            b = m;
    }
#undef SEEN
    return pow(10, 0.5 * (a + b));
}

/*
 * How far apart the intervals of the two halves of the chains (the first m / 2, the others:
 * independent runs) are: the largest difference of an end, in decades (*dec) and as a
 * share of the width of the interval of all the chains (*share), over the parameters. S: m
 * chains of n states; v: m n doubles of scratch.
 */
static void
halves(const double *S, const double *K, double cut, size_t m, size_t n, size_t np, double level,
       double *v, double *dec, double *share)
{
    size_t j, c, i, h, k, nh[2];

    *dec = *share = 0;
    for (j = 0; j < np; j++) {
        double iv[2][3], all[3];

        for (h = 0; h < 2; h++) {
            k = 0;
            for (c = h == 0 ? 0 : m / 2; c < (h == 0 ? m / 2 : m); c++)
                for (i = 0; i < n; i++)
                    if (K[c * n + i] <= cut)
                        v[k++] = S[(c * n + i) * np + j];
            nh[h] = k;
            if (k > 0)
                interval(v, k, level, iv[h]);
        }
        if (nh[0] == 0 || nh[1] == 0) { /* a half with no model that fits: they disagree */
            *share = INFINITY;
            *dec = INFINITY;
            return;
        }
        k = 0;
        for (i = 0; i < m * n; i++)
            if (K[i] <= cut)
                v[k++] = S[i * np + j];
        interval(v, k, level, all);
        for (i = 0; i < 3; i += 2) {
            double d = fabs(iv[0][i] - iv[1][i]);

            *dec = fmax(*dec, d);
            *share = fmax(*share, d / fmax(all[2] - all[0], 1e-12));
        }
    }
}

/*
 * The depth of investigation across the nfit equivalent models S (log10 parameters, np
 * each): INVNET_DOI_MODELS of them spread evenly, each's depth_of_investigation, into the
 * interval iv at the level (NAN where none is found). v: nfit doubles of scratch; f0 as
 * depth_of_investigation's.
 */
static void
doi_across(struct post *q, const double *S, size_t nfit, double dchi2, double level, double *f0,
           double *v, invnet_interval iv)
{
    size_t n = nfit < INVNET_DOI_MODELS ? nfit : INVNET_DOI_MODELS, m, k = 0;

    for (m = 0; m < n; m++) {
        double d = depth_of_investigation(q, S + (m * nfit / n) * q->np, dchi2, f0);

        if (isfinite(d))
            v[k++] = d;
    }
    iv[0] = iv[1] = iv[2] = NAN;
    if (k > 0)
        interval(v, k, level, iv);
}

int
invnet_ranges_doi(fwd_workspace *w, const fwd_sounding *s, size_t n_layers, const double *p,
                  double noise, double noise_scale, double level, double *doi_m, fwd_error *err)
{
    size_t np = FWD_MODEL_NPARAMS(n_layers), nd = fwd_method_ndata(s->method, s->n), j;
    double lo[NPMAX], hi[NPMAX], c, *f0;
    struct post q;

    *doi_m = NAN;
    if (n_layers < 1 || n_layers > FWD_MAX_LAYERS || !(noise > 0) || !(level > 0 && level < 100) ||
        !(noise_scale == 0 || (noise_scale >= 1 && noise_scale <= 1e6)))
        return fwd_error_set(err, FWD_EINVAL,
                             "%s: depth of investigation: %zu layers, noise %g, noise scale %g, "
                             "level %g",
                             s->source, n_layers, noise, noise_scale, level);
    if (fwd_sounding_geom_check(s, fwd_workspace_geom(w), err) != FWD_OK)
        return FWD_EINVAL;
    for (j = 0; j < np; j++) {
        lo[j] = -INFINITY;
        hi[j] = INFINITY;
    }
    post_init(&q, w, s, n_layers, lo, hi, noise);
    q.resp = malloc(nd * sizeof(double));
    q.f = malloc(nd * sizeof(double));
    f0 = malloc((nd + s->n) * sizeof *f0);
    if (q.resp == NULL || q.f == NULL || f0 == NULL) {
        free(f0);
        free(q.f);
        free(q.resp);
        return fwd_error_set(err, FWD_ENOMEM, "%s: out of memory for the depth of investigation",
                             s->source);
    }
    if (isfinite(c = chi2(&q, p))) {
        double ns = noise_scale > 0 ? noise_scale : invnet_lm_noise_scale(c, nd, np);

        q.scale /= ns * ns;
        *doi_m = depth_of_investigation(&q, p, gsl_cdf_chisq_Pinv(level / 100, 1), f0);
    }
    free(f0);
    free(q.f);
    free(q.resp);
    return FWD_OK;
}

/* About 140 lines, over style.md's 120 on purpose: a dozen work arrays are allocated, used
 * and freed in one place (one cleanup label); the steps are functions of their own
 * (groups, demcz, halves, summarise, doi_across). */
int
invnet_ranges_sample(fwd_workspace *w, const fwd_sounding *s, size_t n_layers, const double *p,
                     const double *lo, const double *hi, double noise,
                     const invnet_ranges_params *rp, invnet_ranges *out, fwd_error *err)
{
    invnet_ranges_params par = rp != NULL ? *rp : invnet_ranges_default();
    size_t np = FWD_MODEL_NPARAMS(n_layers), nd = fwd_method_ndata(s->method, s->n), m, j, acc;
    size_t ng = 0, cap, m0, zcap, total, h, nfit;
    double x0[NPMAX], *S = NULL, *K = NULL, *v = NULL, *G = NULL, *L = NULL, *Z = NULL;
    double *X = NULL, *F0 = NULL, cut;
    double cc[64];
    struct post q;
    gsl_rng *r = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = invnet_ranges_check(&par, err)) != FWD_OK)
        return rc;
    if (n_layers < 1 || n_layers > FWD_MAX_LAYERS || !(noise > 0))
        return fwd_error_set(err, FWD_EINVAL, "%s: ranges: %zu layers, noise %g", s->source,
                             n_layers, noise);
    for (j = 0; j < np; j++)
        if (!(lo[j] <= hi[j]))
            return fwd_error_set(err, FWD_EINVAL, "%s: ranges: parameter %zu: bounds %g > %g",
                                 s->source, j + 1, lo[j], hi[j]);
    if (par.n_depth > 0 && par.depth_layer[par.n_depth - 1] >= n_layers)
        return fwd_error_set(err, FWD_EINVAL, "%s: ranges: a depth held below layer %zu of %zu",
                             s->source, par.depth_layer[par.n_depth - 1], n_layers);
    if (fwd_sounding_geom_check(s, fwd_workspace_geom(w), err) != FWD_OK)
        return FWD_EINVAL;
    post_init(&q, w, s, n_layers, lo, hi, noise);
    post_holds(&q, &par);
    if (nd < np - q.npin)
        return fwd_error_set(err, FWD_EINVAL, "%s: %zu data cannot determine %zu parameters",
                             s->source, nd, np - q.npin);
    for (j = 0; j < np; j++) /* a thickness that a fixed depth and fixed layers above pin */
        par.held[j] |= q.pinned[j] && (lo[j] == hi[j] || constant_above(&q, j));
    cap = par.chains;
    m0 = 10 * np > 2 * cap ? 10 * np : 2 * cap; /* the archive's first states */
    zcap = m0 + (par.chains - par.chains / 2) * ((par.burn + par.steps) / THIN + 1); /* a half's */
    total = par.chains * par.steps;
    q.resp = malloc(nd * sizeof(double));
    q.f = malloc(nd * sizeof(double));
    S = malloc(total * np * sizeof *S);
    K = malloc(total * sizeof *K);
    v = malloc(total * sizeof *v);
    G = malloc(cap * np * sizeof *G);
    L = malloc(cap * np * np * sizeof *L);
    Z = malloc(2 * zcap * np * sizeof *Z);
    X = malloc(par.chains * np * sizeof *X);
    F0 = malloc((nd + s->n) * sizeof *F0);
    q.seg = malloc(s->n * sizeof *q.seg);
    q.wt = malloc(s->n * sizeof *q.wt);
    r = gsl_rng_alloc(fwd_rng_xoshiro256ss);
    if (q.resp == NULL || q.f == NULL || S == NULL || K == NULL || v == NULL || G == NULL ||
        L == NULL || Z == NULL || X == NULL || F0 == NULL || q.seg == NULL || q.wt == NULL ||
        r == NULL)
        goto nomem;
    if ((rc = free_segments(&q, par.segment_ref_mn2, err)) != FWD_OK)
        goto done;
    fwd_rng_set_stream(r, par.seed, fwd_sounding_hash(s, par.seed));
    memcpy(x0, p, np * sizeof *x0);
    settle(&q, x0);
    ng = groups(&q, x0, &par, r, cap, G, L, &out->noise_scale, out->best, &rc);
    if (rc == FWD_ENOMEM)
        goto nomem;
    if (ng == 0) {
        rc = fwd_error_set(err, FWD_ENUMERIC, "%s: ranges: no finite response near the model",
                           s->source);
        goto done;
    }
    /* two independent halves of the chains, each with its own archive: draws of the groups'
     * local approximations, in turn; chain c of a half starts at its archive's state c
     * (around group c mod ng), or at that group's fit */
    acc = 0;
    for (h = 0; h < 2; h++) {
        size_t c0 = h == 0 ? 0 : par.chains / 2, mh = h == 0 ? par.chains / 2 : par.chains - c0;
        double *Zh = Z + h * zcap * np;

        for (m = 0; m < m0; m++)
            draw_inside(&q, G + (m % ng) * np, L + (m % ng) * np * np, r, Zh + m * np);
        for (m = 0; m < mh; m++) {
            double *x = X + (c0 + m) * np;

            memcpy(x, Zh + m * np, np * sizeof *X);
            cc[c0 + m] = chi2(&q, x);
            if (!isfinite(cc[c0 + m])) {
                memcpy(x, G + (m % ng) * np, np * sizeof *X);
                cc[c0 + m] = chi2(&q, x);
            }
        }
        acc += demcz(&q, X + c0 * np, cc + c0, mh, par.burn, par.steps, r, Zh, m0,
                     S + c0 * par.steps * np, K + c0 * par.steps);
    }
    out->n_layers = n_layers;
    out->level = par.level;
    out->n_groups = ng;
    out->acceptance = (double)acc / (double)total;
    out->ess_min = INFINITY;
    out->rhat_max = 0;
    for (j = 0; j < np; j++) {
        double rh, es;

        diagnose(S, par.chains, par.steps, np, j, &rh, &es);
        out->rhat_max = fmax(out->rhat_max, rh);
        out->ess_min = fmin(out->ess_min, es);
    }
    /* the equivalent models: the kept states that fit within the chi-square quantile
     * (FIT_P, np degrees of freedom) of the best; at least the MIN_FIT best */
    memcpy(v, K, total * sizeof *v);
    cut = gsl_stats_select(v, 1, total, 0) + gsl_cdf_chisq_Pinv(FIT_P, (double)(np - q.npin));
    cut = fmax(cut, gsl_stats_select(v, 1, total, total < MIN_FIT ? total - 1 : MIN_FIT - 1));
    halves(S, K, cut, par.chains, par.steps, np, par.level, v, &out->halves_decades,
           &out->halves_share);
    for (m = 0, nfit = 0; m < total; m++) /* in place, in order: chain after chain */
        if (K[m] <= cut)
            memmove(S + nfit++ * np, S + m * np, np * sizeof *S);
    out->n_fit = nfit;
    out->doi_m = depth_of_investigation(&q, x0, gsl_cdf_chisq_Pinv(par.level / 100, 1), F0);
    out->evaluations = q.evals;
    /* the pictures' draws: evenly over them, so from every chain that has some */
    out->n_draws = par.draws < nfit ? par.draws : nfit;
    if (out->n_draws > 0) {
        out->draws = malloc(out->n_draws * np * sizeof *out->draws);
        if (out->draws == NULL)
            goto nomem;
        for (m = 0; m < out->n_draws; m++)
            memcpy(out->draws + m * np, S + (m * nfit / out->n_draws) * np, np * sizeof *S);
    }
    summarise(S, nfit, n_layers, lo, hi, &par, v, out);
    for (j = 0; j < par.n_depth; j++)
        out->held_depth[par.depth_layer[j] - 1] = 1;
    doi_across(&q, S, nfit, gsl_cdf_chisq_Pinv(par.level / 100, 1), par.level, F0, v,
               out->doi_interval_m);
    /* down to the depths of investigation too: the conductance above them */
    rc = invnet_ranges_envelope(S, nfit, n_layers, par.level,
                                fmax(isfinite(out->doi_m) ? out->doi_m : 0,
                                     isfinite(out->doi_interval_m[2]) ? out->doi_interval_m[2] : 0),
                                out, err);
    if (rc != FWD_OK) {
        invnet_ranges_release(out);
        goto done;
    }
    out->evaluations = q.evals;
    rc = FWD_OK;
    goto done;
nomem:
    invnet_ranges_release(out);
    rc = fwd_error_set(err, FWD_ENOMEM, "%s: out of memory for the ranges", s->source);
done:
    gsl_rng_free(r);
    free(F0);
    free(X);
    free(Z);
    free(L);
    free(G);
    free(v);
    free(K);
    free(S);
    free(q.wt);
    free(q.seg);
    free(q.f);
    free(q.resp);
    return rc;
}
