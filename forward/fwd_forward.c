/* SPDX-License-Identifier: MIT */
/*
 * fwd_forward.c - DC resistivity (Schlumberger, Wenner) and MT responses of a layered earth.
 *
 * DC: the resistivity transform T(lambda) is computed by Pekeris' recursion, written with
 * a = 1 - exp(-2 lambda h) and E = exp(-2 lambda h) so that every term is positive:
 *     T_j = rho_j (a s + 2 E T_{j+1}) / (a s + 2 E rho_j),   s = rho_j + T_{j+1},
 * which cannot overflow or cancel for any positive thickness (docs/methods.md). The ideal
 * Schlumberger apparent resistivity
 *     rho_S(r) = r^2 int_0^inf T(lambda) lambda J1(lambda r) dlambda
 * is computed with the 201-point J1 filter of Key (2012) applied to T - rho_1, so that the
 * filter only sees a kernel that decays exponentially at large lambda:
 *     rho_S(r) = rho_1 + sum_i b_i w_i (T(b_i / r) - rho_1).
 * A potential-difference array (Wenner; Schlumberger with finite MN) is
 *     rho_a = (L^2 - b^2) / (2 b) int_{L-b}^{L+b} rho_S(r) r^-2 dr
 * with L = AB/2, b = MN/2 (Wenner: L = 1.5 a, b = 0.5 a), integrated by Gauss-Legendre
 * quadrature in ln r; the J0 filters tried instead failed the accuracy target.
 *
 * MT: the impedance recursion, written the same way with complex a = -expm1(-2 k h).
 *
 * Each method is an evaluator (struct fwd_evaluator, fwd_internal.h: a workspace setup and
 * an evaluation) named by its entry in the table of methods (fwd_method.c); the workspace
 * and the checks of the results are shared.
 */
#include <complex.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_integration.h>

#include "forward/base/fwd_exp_internal.h"
#include "forward/fwd_forward.h"
#include "forward/fwd_model.h"
#include "forward/fwd_internal.h"

/*
 * Beyond x = 2 lambda h = 40, exp(-x) < 4.3e-18: a layer that thick looks like a
 * half-space to double precision, so the recursion starts there, and filter taps where the
 * first layer is that thick contribute T - rho_1 = 0 exactly in floating point.
 */
#define FWD_THICK_X 40.0

struct fwd_workspace {
    const fwd_geom *g;
    const fwd_method_info *mi;
    fwd_hankel hankel;
    size_t npts;
    /* Shared grid: lambda_i = exp((jmin + i) STEP), i < ngrid; datum t reads the weights
     * wts[woff[t] ..] against f[wlo[t] .. wlo[t] + wlen[t]) */
    long jmin;
    size_t ngrid;
    double *lam, *f, *wts;
    size_t *wlo, *wlen, *woff;
    /* DC: each datum t is sum over entries e in [off[t], off[t+1]) of coef[e] rho_S(r[e]) */
    size_t nent;
    size_t *off;
    double *r, *inv_r, *log_r, *coef;
    double c[FWD_KEY201_N]; /* b_i w_i */
    double log_b0, dlog_b;
    /* key201: the shared filter's data and Jacobian, for the data beyond its reach */
    double *kd, *kJ;
    /* MT: omega mu0 per period */
    double *omu;
    /* per-model scratch: resistivities, thicknesses and twice the thicknesses */
    double rho[FWD_MAX_LAYERS], h[FWD_MAX_LAYERS], h2[FWD_MAX_LAYERS];
    /* Jacobian scratch of the shared grid: d f / d ln p_k at grid point i in
     * df[k ngrid + i], made by the first fwd_jacobian() call that needs more (df_cap) */
    double *df;
    size_t df_cap;
    /* fwd_jacobian_approx: datum t reads awts[aoff[t] ..], alen[t] weights, against
     * f[wlo[t] + acut[t] ..]; the grid points they read are [aglo, aghi); made by its first
     * call (approx_setup; acut NULL until then) */
    double *awts;
    size_t *acut, *alen, *aoff;
    size_t aglo, aghi;
};

/*
 * The weights fwd_jacobian_approx leaves out: below this fraction of the datum's largest.
 * W(u) falls below 1e-7 of its peak outside u in [-4, 7] (105-110 of its 170 taps kept).
 * Measured at 1e-5, 1e-6, 1e-7: the worst error in J over the datum 1e-2, 4.7e-4, 1.0e-4
 * (300 models of contrasts to 1e4, a first layer of 0.1 m: test_jacobian.c); the refined
 * batch as fast at 1e-6 as at 1e-7; at 1e-6 classical fits from a half-space (bench_invert)
 * fail a little more often (p90 misfit 18.8 -> 22.0 %; 19.8 at 1e-7).
 */
#define FWD_APPROX_CUT 1e-7

/*
 * The largest contrast of the layers' resistivities (the largest over the smallest) that
 * fwd_jacobian_approx approximates: its error grows with the contrast, since the weights
 * folded multiply the kernel's change (up to the contrast), about tenfold a decade:
 * 6e-4 of the datum at 1e3-1e4 (the worst of 10,000 random models), 6e-2 at 1e5-1e6,
 * where the approximate response can even be negative (a review's trial, 2026-12-06).
 * Beyond it, the exact Jacobian.
 */
#define FWD_APPROX_CONTRAST 1e4

fwd_params
fwd_params_default(void)
{
    fwd_params p;

    p.hankel = FWD_HANKEL_SHARED;
    p.gl_nodes_per_ln = 11.6; /* 8 nodes over the ln 2 of a Wenner array */
    p.gl_min_nodes = 4;
    p.gl_max_nodes = 128;
    return p;
}

const char *
fwd_hankel_name(fwd_hankel h)
{
    switch (h) {
    case FWD_HANKEL_SHARED:
        return "shared";
    case FWD_HANKEL_KEY201:
        return "key201";
    }
    return "unknown";
}

const fwd_geom *
fwd_workspace_geom(const fwd_workspace *w)
{
    return w->g;
}

void
fwd_workspace_free(fwd_workspace *w)
{
    if (w == NULL)
        return;
    free(w->kd);
    free(w->kJ);
    free(w->df);
    free(w->awts);
    free(w->aoff);
    free(w->alen);
    free(w->acut);
    free(w->woff);
    free(w->wlen);
    free(w->wlo);
    free(w->wts);
    free(w->f);
    free(w->lam);
    free(w->omu);
    free(w->coef);
    free(w->log_r);
    free(w->inv_r);
    free(w->r);
    free(w->off);
    free(w);
}

/* Number of Gauss-Legendre nodes for an integral over `width` units of ln r. */
static size_t
gl_count(const fwd_params *p, double width)
{
    double v = ceil(p->gl_nodes_per_ln * width);
    size_t n;

    if (!(v < (double)p->gl_max_nodes))
        return p->gl_max_nodes;
    n = (size_t)v;
    return n < p->gl_min_nodes ? p->gl_min_nodes : n;
}

/*
 * The electrodes of DC point t of geometry g: the current half-spacing L = AB/2 and the
 * potential half-spacing b = MN/2, m; 0 for an ideal Schlumberger point (MN -> 0), 1 else.
 */
typedef int (*dc_electrodes)(const fwd_geom *g, size_t t, double *L, double *b);

static int
schlumberger_electrodes(const fwd_geom *g, size_t t, double *L, double *b)
{
    const double *x = fwd_geom_x(g), *mn2 = fwd_geom_mn2(g);

    if (mn2 == NULL)
        return 0;
    *L = x[t];
    *b = mn2[t];
    return 1;
}

/* Wenner: A M N B spaced a apart, so AB/2 = 1.5 a and MN/2 = 0.5 a. */
static int
wenner_electrodes(const fwd_geom *g, size_t t, double *L, double *b)
{
    const double *x = fwd_geom_x(g);

    *L = 1.5 * x[t];
    *b = 0.5 * x[t];
    return 1;
}

/* Fills the DC entries: one radius per ideal point, a quadrature otherwise. */
static int
dc_entries(fwd_workspace *w, const fwd_params *p, dc_electrodes electrodes, fwd_error *err)
{
    const double *x = fwd_geom_x(w->g);
    size_t t, q, e, nq, cap = 0;
    double L, b, lo, hi, xi, wi, sum;
    gsl_integration_glfixed_table *tab = NULL;
    int rc = FWD_OK;

    for (t = 0; t < w->npts; t++) {
        if (!electrodes(w->g, t, &L, &b)) {
            cap += 1;
            continue;
        }
        cap += gl_count(p, log((L + b) / (L - b)));
    }
    w->off = malloc((w->npts + 1) * sizeof *w->off);
    w->r = malloc(cap * sizeof *w->r);
    w->inv_r = malloc(cap * sizeof *w->inv_r);
    w->log_r = malloc(cap * sizeof *w->log_r);
    w->coef = malloc(cap * sizeof *w->coef);
    if (!w->off || !w->r || !w->inv_r || !w->log_r || !w->coef)
        return fwd_fail(err, FWD_ENOMEM, "forward workspace: out of memory");

    e = 0;
    for (t = 0; t < w->npts; t++) {
        w->off[t] = e;
        if (!electrodes(w->g, t, &L, &b)) {
            w->r[e] = x[t];
            w->coef[e] = 1.0;
            e++;
            continue;
        }
        lo = log(L - b);
        hi = log(L + b);
        nq = gl_count(p, hi - lo);
        tab = gsl_integration_glfixed_table_alloc(nq);
        if (tab == NULL)
            return fwd_fail(err, FWD_ENOMEM, "forward workspace: out of memory");
        /* rho_a = (L^2-b^2)/(2b) int rho_S(e^u) e^-u du; the weights are normalised so a
         * half-space (rho_S constant) gives rho exactly. */
        sum = 0.0;
        for (q = 0; q < nq; q++) {
            gsl_integration_glfixed_point(lo, hi, q, &xi, &wi, tab);
            w->r[e + q] = exp(xi);
            w->coef[e + q] = wi * exp(-xi);
            sum += w->coef[e + q];
        }
        for (q = 0; q < nq; q++)
            w->coef[e + q] /= sum;
        gsl_integration_glfixed_table_free(tab);
        tab = NULL;
        e += nq;
    }
    w->off[w->npts] = e;
    w->nent = e;
    for (e = 0; e < w->nent; e++) {
        w->inv_r[e] = 1.0 / w->r[e];
        w->log_r[e] = log(w->r[e]);
    }
    for (t = 0; t < FWD_KEY201_N; t++)
        w->c[t] = fwd_key201_base[t] * fwd_key201_j1[t];
    w->log_b0 = log(fwd_key201_base[0]);
    w->dlog_b = (log(fwd_key201_base[FWD_KEY201_N - 1]) - w->log_b0) / (FWD_KEY201_N - 1);
    return rc;
}

/*
 * The weights from the table: W(u) by Lagrange interpolation through the FWD_DLF_INTERP
 * table points around u, offsets -INTERP/2 + 1 .. INTERP/2 from the one below it. Every
 * u0[q] + k STEP of one term lies the same fraction t past a table point (STEP is
 * FWD_DLF_OVERSAMPLE table steps), so a term's Lagrange coefficients are computed once.
 * Outside the table W is below 1e-11 of its peak and is taken as 0.
 */
void
fwd_dlf_weights(size_t nterm, const double *u0, const double *scale, size_t len, double *w)
{
    enum { P = FWD_DLF_INTERP, LO = FWD_DLF_INTERP / 2 - 1 };
    size_t k, q;
    int i, l;

    for (k = 0; k < len; k++)
        w[k] = 0;
    for (q = 0; q < nterm; q++) {
        double x = (u0[q] - FWD_DLF_TABLE_U0) / FWD_DLF_TABLE_H, t, c[P];
        long j = (long)floor(x), first;

        t = x - (double)j;
        for (i = 0; i < P; i++) {
            double num = scale[q], den = 1;

            for (l = 0; l < P; l++)
                if (l != i) {
                    num *= t - (double)(l - LO);
                    den *= (double)(i - l);
                }
            c[i] = num / den;
        }
        first = j - LO; /* the first table point of k = 0 */
        for (k = 0; k < len; k++, first += FWD_DLF_OVERSAMPLE) {
            double sum = 0;

            if (first < 0)
                continue;
            if (first + P > (long)FWD_DLF_TABLE_N)
                break;
            for (i = 0; i < P; i++)
                sum += c[i] * fwd_dlf_table[first + i];
            w[k] += sum;
        }
    }
}

/*
 * The weights of fwd_jacobian_approx: each datum's without its runs at either end below
 * FWD_APPROX_CUT of its largest, each run added to the nearest weight kept. The kernel
 * changes slowly across a run (at small lambda T tends to the basement's resistivity, at
 * large lambda to rho_1 over a scale set by h_1), so the error is the run's weights times
 * the kernel's change, not times the kernel, and the weights keep their sum (1: a uniform
 * earth stays exact). Left out, not added, the runs cost 3e-2 of the datum at a contrast
 * of 1e4 (the left run) and 1.8e-3 (the right one, under a first layer of 0.1 m).
 * Made by the first fwd_jacobian_approx() call, not with the workspace: a workspace that
 * never needs them (--no-refine; a sounding of its own spacings) would take 70 % longer
 * to make (Schlumberger 0.011 -> 0.019 ms, bench_forward).
 */
static int
approx_setup(fwd_workspace *w, fwd_error *err)
{
    size_t t, i, a, b, total = 0;

    w->acut = malloc(w->npts * sizeof *w->acut);
    w->alen = malloc(w->npts * sizeof *w->alen);
    w->aoff = malloc(w->npts * sizeof *w->aoff);
    w->awts = malloc((w->woff[w->npts - 1] + w->wlen[w->npts - 1]) * sizeof *w->awts);
    if (!w->acut || !w->alen || !w->aoff || !w->awts) { /* none, for a later call */
        free(w->acut);
        free(w->alen);
        free(w->aoff);
        free(w->awts);
        w->acut = NULL;
        w->alen = w->aoff = NULL;
        w->awts = NULL;
        return fwd_fail(err, FWD_ENOMEM, "forward Jacobian: out of memory");
    }
    w->aglo = w->ngrid;
    w->aghi = 0;
    for (t = 0; t < w->npts; t++) {
        const double *wt = w->wts + w->woff[t];
        double big = 0, fold = 0, fold_hi = 0;

        for (i = 0; i < w->wlen[t]; i++)
            big = fmax(big, fabs(wt[i]));
        for (a = 0; a + 1 < w->wlen[t] && fabs(wt[a]) < FWD_APPROX_CUT * big; a++)
            fold += wt[a];
        for (b = w->wlen[t]; b > a + 1 && fabs(wt[b - 1]) < FWD_APPROX_CUT * big; b--)
            fold_hi += wt[b - 1];
        w->acut[t] = a;
        w->alen[t] = b - a;
        w->aoff[t] = total;
        for (i = a; i < b; i++)
            w->awts[total++] = wt[i];
        w->awts[w->aoff[t]] += fold;
        w->awts[total - 1] += fold_hi;
        w->aglo = w->wlo[t] + a < w->aglo ? w->wlo[t] + a : w->aglo;
        w->aghi = w->wlo[t] + b > w->aghi ? w->wlo[t] + b : w->aghi;
    }
    return FWD_OK;
}

/*
 * Builds the shared grid from the DC entries: each radius r reads the samples with
 * u = ln r + ln lambda_j in [FWD_DLF_ULO, FWD_DLF_UHI]; a datum's weights are the sum of
 * its entries' weights, each scaled by the entry's coefficient.
 */
static int
shared_setup(fwd_workspace *w, fwd_error *err)
{
    long jl, jh, *tl = NULL, th, jmin = LONG_MAX, jmax = LONG_MIN;
    double *u0 = NULL;
    size_t t, e, total = 0;
    int rc = FWD_OK;

    w->wlo = malloc(w->npts * sizeof *w->wlo);
    w->wlen = malloc(w->npts * sizeof *w->wlen);
    w->woff = malloc(w->npts * sizeof *w->woff);
    tl = malloc(w->npts * sizeof *tl);
    u0 = malloc(w->nent * sizeof *u0);
    if (!w->wlo || !w->wlen || !w->woff || !tl || !u0) {
        rc = fwd_fail(err, FWD_ENOMEM, "forward workspace: out of memory");
        goto done;
    }
    /* Index range of each datum, in steps from lambda = 1, and of all of them. */
    for (t = 0; t < w->npts; t++) {
        tl[t] = LONG_MAX;
        th = LONG_MIN;
        for (e = w->off[t]; e < w->off[t + 1]; e++) {
            jl = (long)ceil((FWD_DLF_ULO - w->log_r[e]) / FWD_DLF_STEP);
            jh = (long)floor((FWD_DLF_UHI - w->log_r[e]) / FWD_DLF_STEP);
            tl[t] = jl < tl[t] ? jl : tl[t];
            th = jh > th ? jh : th;
        }
        w->wlen[t] = (size_t)(th - tl[t] + 1);
        w->woff[t] = total;
        total += w->wlen[t];
        jmin = tl[t] < jmin ? tl[t] : jmin;
        jmax = th > jmax ? th : jmax;
    }
    w->jmin = jmin;
    w->ngrid = (size_t)(jmax - jmin + 1);
    w->lam = malloc(w->ngrid * sizeof *w->lam);
    w->f = malloc(w->ngrid * sizeof *w->f);
    w->wts = malloc(total * sizeof *w->wts);
    if (!w->lam || !w->f || !w->wts) {
        rc = fwd_fail(err, FWD_ENOMEM, "forward workspace: out of memory");
        goto done;
    }
    for (t = 0; t < w->ngrid; t++)
        w->lam[t] = exp((double)(jmin + (long)t) * FWD_DLF_STEP);
    /* u of each entry at its datum's first grid point */
    for (t = 0; t < w->npts; t++) {
        w->wlo[t] = (size_t)(tl[t] - jmin);
        for (e = w->off[t]; e < w->off[t + 1]; e++)
            u0[e] = w->log_r[e] + (double)tl[t] * FWD_DLF_STEP;
        fwd_dlf_weights(w->off[t + 1] - w->off[t], u0 + w->off[t], w->coef + w->off[t], w->wlen[t],
                        w->wts + w->woff[t]);
    }
done:
    free(u0);
    free(tl);
    return rc;
}

fwd_workspace *
fwd_workspace_alloc(const fwd_geom *g, const fwd_params *p, fwd_error *err)
{
    fwd_workspace *w = NULL;
    fwd_params def = fwd_params_default();

    if (g == NULL) {
        fwd_fail(err, FWD_EINVAL, "forward workspace: no geometry");
        return NULL;
    }
    if (p == NULL)
        p = &def;
    if (p->hankel != FWD_HANKEL_SHARED && p->hankel != FWD_HANKEL_KEY201) {
        fwd_fail(err, FWD_EINVAL, "forward parameters: hankel: expected shared or key201, got %d",
                 (int)p->hankel);
        return NULL;
    }
    if (!(p->gl_nodes_per_ln > 0) || !isfinite(p->gl_nodes_per_ln) || p->gl_min_nodes < 1 ||
        p->gl_max_nodes < p->gl_min_nodes) {
        fwd_fail(err, FWD_EINVAL,
                 "forward parameters: expected gl_nodes_per_ln > 0 and 1 <= gl_min_nodes <= "
                 "gl_max_nodes, got %g, %zu, %zu",
                 p->gl_nodes_per_ln, p->gl_min_nodes, p->gl_max_nodes);
        return NULL;
    }
    w = calloc(1, sizeof *w);
    if (w == NULL) {
        fwd_fail(err, FWD_ENOMEM, "forward workspace: out of memory");
        return NULL;
    }
    w->g = g;
    w->hankel = p->hankel;
    w->mi = fwd_method_get(fwd_geom_method(g));
    w->npts = fwd_geom_size(g);
    if (w->mi->eval->setup(w, p, err) != FWD_OK) {
        fwd_workspace_free(w);
        return NULL;
    }
    return w;
}

/* x where the mask m is all ones, else y: a blend of the bits, which the compiler cannot turn
 * into a branch (a branch stops a loop from vectorising). */
static inline double
pick(uint64_t m, double x, double y)
{
    uint64_t xb, yb;

    memcpy(&xb, &x, sizeof xb);
    memcpy(&yb, &y, sizeof yb);
    xb = (xb & m) | (yb & ~m);
    memcpy(&x, &xb, sizeof x);
    return x;
}

/*
 * One step of the recursion, T_j = rho_j (a s + 2 E T) / (a s + 2 E rho_j), s = rho_j + T,
 * written with the ratio of the two resistivities so that no product of resistivities is
 * formed: with t = T / rho_j <= 1 the result is rho_j times a ratio in [t, 1], otherwise
 * T times a ratio in [1/t, 1]. No overflow or underflow for any representable pair. The two
 * cases share their operations and are told apart by pick(), not a branch, so that loops
 * over grid points vectorise; each gives the bits of its own formula.
 */
static inline double
dc_step(double rho, double T, double a, double E)
{
    uint64_t lo = -(uint64_t)(T <= rho);
    double base = pick(lo, rho, T), t = pick(lo, T, rho) / base;
    double b = a * (1.0 + t), P = b + 2.0 * E * t, Q = b + 2.0 * E;

    return base * (pick(lo, P, t * Q) / pick(lo, Q, P));
}

/*
 * a = 1 - exp(-x) and E = exp(-x) of one layer, x = 2 lambda h in [0, FWD_THICK_X], from one
 * reduction (fwd_exp_internal.h): E = 2^k (1 + p) and a = -(2^k p + (2^k - 1)), in which nothing
 * cancels for any k (k = 0 near x = 0, where a = -p). Branch-free, so that loops over grid
 * points vectorise; the scalar paths use the same code, so all give the same bits. Outside
 * [0, 708] the result is meaningless (callers select it away).
 */
static inline void
dc_decay(double x, double *a, double *E)
{
    double s, p;

    fwd_exp_split(-x, &s, &p);
    *E = s * p + s;
    *a = -(s * p + (s - 1));
}

/* The shallowest layer thick enough at lambda to hide everything below it: the recursion
 * starts there (n - 1 when none is). h2 holds twice the thicknesses. */
static inline size_t
dc_bottom(const double *h2, size_t n, double lambda)
{
    size_t k;

    for (k = 0; k + 1 < n; k++)
        if (lambda * h2[k] > FWD_THICK_X)
            return k;
    return n - 1;
}

/* Resistivity transform T(lambda) of an n-layer model; h2 holds twice the thicknesses. */
static double
dc_transform(const double *rho, const double *h2, size_t n, double lambda)
{
    size_t k = dc_bottom(h2, n, lambda);
    double T = rho[k], a, E;

    while (k-- > 0) {
        dc_decay(lambda * h2[k], &a, &E);
        T = dc_step(rho[k], T, a, E);
    }
    return T;
}

/*
 * T(lambda) as dc_transform computes it, and its logarithmic derivatives
 * g[k] = d ln T / d ln p_k for the 2n-1 parameters [rho_1 .. rho_n, h_1 .. h_{n-1}], by
 * reverse mode through the recursion. Of one step T' = rho (a s + 2 E T) / (a s + 2 E rho)
 * = rho N / D, s = rho + T, with x = 2 lambda h, da/dx = E, dE/dx = -E:
 *     d ln T' / d ln rho = 1 + rho (a / N - (a + 2E) / D),
 *     d ln T' / d ln T   = T ((a + 2E) / N - a / D),
 *     d ln T' / d ln h   = x E (rho - T) (1 / N + 1 / D),
 * each at most 1 in magnitude, so no step can overflow. Layers below the one that starts
 * the recursion get 0 (their effect is below exp(-FWD_THICK_X)).
 */
static double
dc_transform_grad(const double *rho, const double *h2, size_t n, double lambda, double *g)
{
    double Tin[FWD_MAX_LAYERS], av[FWD_MAX_LAYERS], Ev[FWD_MAX_LAYERS];
    double T, x, a, E, iN, iD, L, r;
    size_t j = dc_bottom(h2, n, lambda), k;

    T = rho[j];
    for (k = j; k-- > 0;) {
        dc_decay(lambda * h2[k], &av[k], &Ev[k]);
        Tin[k] = T;
        T = dc_step(rho[k], T, av[k], Ev[k]);
    }
    for (k = 0; k < FWD_MODEL_NPARAMS(n); k++)
        g[k] = 0.0;
    L = 1.0; /* d ln T(top) / d ln T at the top of layer k + 1 */
    for (k = 0; k < j; k++) {
        a = av[k];
        E = Ev[k];
        r = rho[k];
        x = lambda * h2[k];
        iN = 1.0 / (a * (r + Tin[k]) + 2.0 * E * Tin[k]); /* two divisions, not six */
        iD = 1.0 / (a * (r + Tin[k]) + 2.0 * E * r);
        g[k] = L * (1.0 + r * (a * iN - (a + 2.0 * E) * iD));
        g[n + k] = L * (x * E * (r - Tin[k]) * (iN + iD));
        L *= Tin[k] * ((a + 2.0 * E) * iN - a * iD);
    }
    g[j] = L;
    return T;
}

/* The taps of Key's filter at radius entry e that see T != rho_1: those below it have
 * 2 lambda h_1 <= FWD_THICK_X (0 for a half-space). */
static size_t
key201_top(const fwd_workspace *w, size_t n, size_t e)
{
    double lim;

    if (n == 1)
        return 0;
    lim = (log(FWD_THICK_X / (2.0 * w->h[0])) + w->log_r[e] - w->log_b0) / w->dlog_b;
    return lim < 0 ? 0 : lim >= FWD_KEY201_N - 2 ? FWD_KEY201_N : (size_t)lim + 2;
}

/*
 * Whether datum t lies beyond the reach of Key's filter: at one of its radii the kernel
 * T - rho_1 is still alive at the filter's last tap (2 lambda h_1 < FWD_THICK_X there, so at
 * r above about 1.2e4 h_1): the filter then misses part of the integral (3.7e-3 at r = 1e8
 * h_1 over a contrast of 1e4). Such data are the shared filter's (about 1e-7).
 */
static int
key201_beyond(const fwd_workspace *w, size_t n, size_t t)
{
    size_t e;

    if (n == 1)
        return 0;
    for (e = w->off[t]; e < w->off[t + 1]; e++)
        if ((log(FWD_THICK_X / (2.0 * w->h[0])) + w->log_r[e] - w->log_b0) / w->dlog_b >=
            FWD_KEY201_N - 1)
            return 1;
    return 0;
}

/* Ideal Schlumberger apparent resistivity at radius entry e. */
static double
dc_rhos(const fwd_workspace *w, size_t n, size_t e)
{
    const double *rho = w->rho;
    double rho1 = rho[0], inv_r = w->inv_r[e], sum = 0.0;
    size_t i, top = key201_top(w, n, e);

    for (i = 0; i < top; i++)
        sum += w->c[i] * (dc_transform(rho, w->h2, n, fwd_key201_base[i] * inv_r) - rho1);
    return rho1 + sum;
}

/*
 * sum of a[i] b[i], i < len, in eight interleaved partial sums added in a fixed order, then
 * the tail: the loop is bound by the machine's throughput, not by the latency of one
 * addition (a filter's dot product is about 170 long, and Jacobians take np + 1 of them per
 * point), and every clone, whatever its vector width, gives the same bits.
 */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
static double
dot(const double *a, const double *b, size_t len)
{
    double s[8] = {0, 0, 0, 0, 0, 0, 0, 0}, r;
    size_t i, k, m = len - len % 8;

    for (i = 0; i < m; i += 8)
        for (k = 0; k < 8; k++)
            s[k] += a[i + k] * b[i + k];
    r = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    for (; i < len; i++)
        r += a[i] * b[i];
    return r;
}

/*
 * out[k] = dot(a, b + k * stride, len) for k < rows, each summed in dot's order (the same
 * bits), four rows at a time, reading each weight once for the four: a Jacobian takes np
 * rows per datum. A refined batch 3 % faster; four dot products of different weights at
 * once (the data's) were not faster: consecutive dot products already overlap in the CPU.
 */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
static void
dot_rows(const double *a, const double *b, size_t stride, size_t rows, size_t len, double *out)
{
    size_t i, k, r, m = len - len % 8;

    for (r = 0; r + 4 <= rows; r += 4) {
        const double *b0 = b + r * stride, *b1 = b0 + stride, *b2 = b1 + stride, *b3 = b2 + stride;
        double s0[8] = {0}, s1[8] = {0}, s2[8] = {0}, s3[8] = {0}, t[4];

        for (i = 0; i < m; i += 8)
            for (k = 0; k < 8; k++) {
                s0[k] += a[i + k] * b0[i + k];
                s1[k] += a[i + k] * b1[i + k];
                s2[k] += a[i + k] * b2[i + k];
                s3[k] += a[i + k] * b3[i + k];
            }
        t[0] = ((s0[0] + s0[1]) + (s0[2] + s0[3])) + ((s0[4] + s0[5]) + (s0[6] + s0[7]));
        t[1] = ((s1[0] + s1[1]) + (s1[2] + s1[3])) + ((s1[4] + s1[5]) + (s1[6] + s1[7]));
        t[2] = ((s2[0] + s2[1]) + (s2[2] + s2[3])) + ((s2[4] + s2[5]) + (s2[6] + s2[7]));
        t[3] = ((s3[0] + s3[1]) + (s3[2] + s3[3])) + ((s3[4] + s3[5]) + (s3[6] + s3[7]));
        for (; i < len; i++) {
            t[0] += a[i] * b0[i];
            t[1] += a[i] * b1[i];
            t[2] += a[i] * b2[i];
            t[3] += a[i] * b3[i];
        }
        for (k = 0; k < 4; k++)
            out[r + k] = t[k];
    }
    for (; r < rows; r++)
        out[r] = dot(a, b + r * stride, len);
}

/* Grid points from this one on have 2 lambda h_1 > FWD_THICK_X: T - rho_1 == 0 there. */
static size_t
shared_top(const fwd_workspace *w)
{
    double lim = log(FWD_THICK_X / (2.0 * w->h[0])) / FWD_DLF_STEP - (double)w->jmin;

    return lim < 0 ? 0 : lim >= (double)w->ngrid ? w->ngrid : (size_t)lim + 1;
}

/*
 * f[i] = T(lam[i]) - rho_1 for i < m, as dc_transform computes each (the same bits), all
 * grid points at once: the recursion runs up from the basement in every lane, and a layer
 * thick enough to hide what lies below restarts it at its own resistivity, which is where
 * dc_transform starts. Vectorised over the grid points (AVX-512, AVX2 and SSE2 clones).
 */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
static void
dc_transform_grid(const double *rho, const double *h2, size_t n, const double *lam, size_t m,
                  double *f)
{
    size_t i, k;

    for (i = 0; i < m; i++)
        f[i] = rho[n - 1];
    for (k = n - 1; k-- > 0;) {
        const double rk = rho[k], hk = h2[k];

#pragma omp simd
        for (i = 0; i < m; i++) {
            double x = lam[i] * hk, a, E;

            dc_decay(x, &a, &E);
            /* rk where the layer hides what lies below, else the step */
            f[i] = pick(-(uint64_t)(x > FWD_THICK_X), rk, dc_step(rk, f[i], a, E));
        }
    }
    for (i = 0; i < m; i++)
        f[i] -= rho[0];
}

/*
 * dc_transform_grid and the derivatives of dc_transform_grad at once, for grid points
 * i < m: f[i] = T(lam[i]) - rho_1 (the bits of dc_transform) and the rows of df (np rows
 * of ng) df[k][i] = T dT/d ln p_k, less rho_1 in the row of rho_1. The forward pass keeps
 * each layer's input T in the row of its thickness; the reverse pass runs down from the
 * top with the chain factor L of each grid point in the row of the basement. A grid point
 * whose recursion restarts at a hiding layer j gets L there for rho_j and 0 below, as in
 * dc_transform_grad: "covered" tells that a layer above hides it (the largest 2h above
 * times lambda exceeds FWD_THICK_X). Vectorised over the grid points.
 */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
static void
dc_grad_grid(const double *rho, const double *h2, size_t n, const double *lam, size_t m, double *f,
             double *df, size_t ng)
{
    double *Lrow = df + (n - 1) * ng, hmax = 0;
    size_t i, k;

    for (i = 0; i < m; i++)
        f[i] = rho[n - 1];
    for (k = n - 1; k-- > 0;) {
        const double rk = rho[k], hk = h2[k];
        double *tin = df + (n + k) * ng;

#pragma omp simd
        for (i = 0; i < m; i++) {
            double x = lam[i] * hk, a, E;

            dc_decay(x, &a, &E);
            tin[i] = f[i];
            f[i] = pick(-(uint64_t)(x > FWD_THICK_X), rk, dc_step(rk, f[i], a, E));
        }
    }
    for (i = 0; i < m; i++)
        Lrow[i] = 1.0;
    for (k = 0; k + 1 < n; k++) {
        const double r = rho[k], hk = h2[k], hm = hmax;
        double *gr = df + k * ng, *gh = df + (n + k) * ng;

#pragma omp simd
        for (i = 0; i < m; i++) {
            double x = lam[i] * hk, a, E, iN, iD, L = Lrow[i], Tin = gh[i], T = f[i];
            uint64_t hide = -(uint64_t)(x > FWD_THICK_X);
            uint64_t covered = -(uint64_t)(lam[i] * hm > FWD_THICK_X);
            double g_r, g_h, L_next;

            dc_decay(x, &a, &E);
            iN = 1.0 / (a * (r + Tin) + 2.0 * E * Tin);
            iD = 1.0 / (a * (r + Tin) + 2.0 * E * r);
            g_r = L * (1.0 + r * (a * iN - (a + 2.0 * E) * iD));
            g_h = L * (x * E * (r - Tin) * (iN + iD));
            L_next = L * Tin * ((a + 2.0 * E) * iN - a * iD);
            g_r = pick(hide, L, g_r); /* the recursion starts here: d ln T / d ln rho_k = L */
            g_h = pick(hide, 0.0, g_h);
            L_next = pick(hide, 0.0, L_next);
            gr[i] = pick(covered, 0.0, T * g_r);
            gh[i] = pick(covered, 0.0, T * g_h);
            Lrow[i] = pick(covered, 0.0, L_next);
        }
        hmax = hk > hmax ? hk : hmax;
    }
    for (i = 0; i < m; i++) {
        Lrow[i] *= f[i];
        df[i] -= rho[0];
        f[i] -= rho[0];
    }
}

/* All DC data from the shared grid: the kernel once per grid point, then one dot
 * product per datum. */
static void
dc_eval_shared(fwd_workspace *w, size_t n, double *d)
{
    const double *rho = w->rho;
    double rho1 = rho[0], *f = w->f;
    size_t i, t, top;

    if (n == 1) {
        for (t = 0; t < w->npts; t++)
            d[t] = rho1;
        return;
    }
    top = shared_top(w);
    dc_transform_grid(rho, w->h2, n, w->lam, top, f);
    for (i = top; i < w->ngrid; i++)
        f[i] = 0.0;
    for (t = 0; t < w->npts; t++)
        d[t] = rho1 + dot(w->wts + w->woff[t], w->f + w->wlo[t], w->wlen[t]);
}

static void
dc_eval(fwd_workspace *w, size_t n, double *d)
{
    size_t t, e;
    double v;

    int shared = 0;

    if (w->hankel == FWD_HANKEL_SHARED) {
        dc_eval_shared(w, n, d);
        return;
    }
    for (t = 0; t < w->npts; t++) {
        if (key201_beyond(w, n, t)) { /* the shared filter's, computed once */
            if (!shared)
                dc_eval_shared(w, n, w->kd);
            shared = 1;
            d[t] = w->kd[t];
            continue;
        }
        v = 0.0;
        for (e = w->off[t]; e < w->off[t + 1]; e++)
            v += w->coef[e] * dc_rhos(w, n, e);
        d[t] = v;
    }
}

/*
 * The DC data of the model loaded in w and their Jacobian on the shared grid: the kernel
 * f = T - rho_1 and its derivatives d f / d ln p_k at each grid point, then one dot
 * product per datum and parameter (the same weights as the data). approx: each datum's
 * weights as approx_setup cut them, and the grid points they read.
 */
static int
dc_jac_shared(fwd_workspace *w, size_t n, double *d, double *J, int approx, fwd_error *err)
{
    size_t np = FWD_MODEL_NPARAMS(n), ng = w->ngrid, i, k, t, top, lo, hi;
    double rho1 = w->rho[0], *f = w->f, *df;

    if (n == 1) { /* a half-space: rho_a = rho_1 */
        for (t = 0; t < w->npts; t++) {
            d[t] = rho1;
            J[t] = FWD_LN10 * rho1;
        }
        return FWD_OK;
    }
    top = shared_top(w);
    if (approx && w->acut == NULL && approx_setup(w, err) != FWD_OK)
        return FWD_ENOMEM;
    if (np * ng > w->df_cap) {
        df = realloc(w->df, np * ng * sizeof *df);
        if (df == NULL)
            return fwd_fail(err, FWD_ENOMEM, "forward Jacobian: out of memory");
        w->df = df;
        w->df_cap = np * ng;
    }
    df = w->df;
    lo = approx ? w->aglo : 0;
    hi = approx ? w->aghi : ng;
    top = top < lo ? lo : top > hi ? hi : top;
    dc_grad_grid(w->rho, w->h2, n, w->lam + lo, top - lo, f + lo, df + lo, ng);
    for (i = top; i < hi; i++) {
        f[i] = 0.0;
        for (k = 0; k < np; k++)
            df[k * ng + i] = 0.0;
    }
    for (t = 0; t < w->npts; t++) {
        size_t a = approx ? w->acut[t] : 0, len = approx ? w->alen[t] : w->wlen[t];
        const double *wt = approx ? w->awts + w->aoff[t] : w->wts + w->woff[t];

        d[t] = rho1 + dot(wt, f + w->wlo[t] + a, len);
        dot_rows(wt, df + w->wlo[t] + a, ng, np, len, J + t * np);
        for (k = 0; k < np; k++)
            J[t * np + k] *= FWD_LN10;
        J[t * np] += FWD_LN10 * rho1;
    }
    return FWD_OK;
}

/* The same with Key's filter at each radius: rho_S = rho_1 + sum_i c_i (T_i - rho_1). */
static int
dc_jac_key201(fwd_workspace *w, size_t n, double *d, double *J, fwd_error *err)
{
    size_t np = FWD_MODEL_NPARAMS(n), t, e, i, k, top;
    double rho1 = w->rho[0], g[2 * FWD_MAX_LAYERS], gs[2 * FWD_MAX_LAYERS], T, v;

    int shared = 0;

    for (t = 0; t < w->npts; t++) {
        if (key201_beyond(w, n, t)) { /* the shared filter's (key201_beyond) */
            if (!shared && dc_jac_shared(w, n, w->kd, w->kJ, 0, err) != FWD_OK)
                return err != NULL ? err->code : FWD_ENOMEM;
            shared = 1;
            d[t] = w->kd[t];
            for (k = 0; k < np; k++)
                J[t * np + k] = w->kJ[t * np + k];
            continue;
        }
        d[t] = 0.0;
        for (k = 0; k < np; k++)
            J[t * np + k] = 0.0;
        for (e = w->off[t]; e < w->off[t + 1]; e++) {
            top = key201_top(w, n, e);
            v = 0.0;
            for (k = 0; k < np; k++)
                gs[k] = 0.0;
            for (i = 0; i < top; i++) {
                T = dc_transform_grad(w->rho, w->h2, n, fwd_key201_base[i] * w->inv_r[e], g);
                v += w->c[i] * (T - rho1);
                for (k = 0; k < np; k++)
                    gs[k] += w->c[i] * T * g[k];
                gs[0] -= w->c[i] * rho1;
            }
            d[t] += w->coef[e] * (rho1 + v);
            for (k = 0; k < np; k++)
                J[t * np + k] += w->coef[e] * FWD_LN10 * gs[k];
            J[t * np] += w->coef[e] * FWD_LN10 * rho1;
        }
    }
    return FWD_OK;
}

static int
dc_jac(fwd_workspace *w, size_t n, double *d, double *J, int approx, fwd_error *err)
{
    if (w->hankel == FWD_HANKEL_SHARED)
        return dc_jac_shared(w, n, d, J, approx, err);
    return dc_jac_key201(w, n, d, J, err);
}

/* -expm1(z) for complex z, accurate for small |z|. */
static double complex
cneg_expm1(double complex z)
{
    double x = creal(z), y = cimag(z), s = sin(0.5 * y);
    double re = expm1(x) * cos(y) - 2.0 * s * s;
    double im = exp(x) * sin(y);

    return -(re + I * im);
}

/* Impedances are scaled by 1/sqrt(omega mu0): zeta_j = sqrt(i rho_j); then rho_a = |Z|^2
 * and the phase is arg Z. 2 k h = 2 sqrt(omega mu0 / rho) h sqrt(i). */
static const double complex mt_e45 = (1.0 + I) * FWD_SQRT1_2; /* sqrt(i) */

/* The layer that starts the recursion at omega mu0 = om (cf. dc_bottom). */
static inline size_t
mt_bottom(const double *rho, const double *h, size_t n, double om)
{
    size_t k;

    for (k = 0; k + 1 < n; k++)
        if (FWD_SQRT2 * sqrt(om / rho[k]) * h[k] > FWD_THICK_X)
            return k;
    return n - 1;
}

/* One step of the impedance recursion: layer k over a surface impedance Z below. */
static inline double complex
mt_step(const double *rho, const double *h, size_t k, double om, double complex Z,
        double complex *a_out, double complex *x_out)
{
    double complex x = 2.0 * sqrt(om / rho[k]) * h[k] * mt_e45, a = cneg_expm1(-x), E = 1.0 - a;
    double complex zeta = sqrt(rho[k]) * mt_e45, s = zeta + Z;

    *a_out = a;
    *x_out = x;
    return zeta * (a * s + 2.0 * E * Z) / (a * s + 2.0 * E * zeta);
}

static void
mt_eval(fwd_workspace *w, size_t n, double *d)
{
    double complex Z, a, x;
    size_t t, k;

    for (t = 0; t < w->npts; t++) {
        k = mt_bottom(w->rho, w->h, n, w->omu[t]);
        Z = sqrt(w->rho[k]) * mt_e45;
        while (k-- > 0)
            Z = mt_step(w->rho, w->h, k, w->omu[t], Z, &a, &x);
        d[t] = creal(Z) * creal(Z) + cimag(Z) * cimag(Z);
        d[w->npts + t] = atan2(cimag(Z), creal(Z)) * (180.0 / FWD_PI);
    }
}

/*
 * MT data and their Jacobian: the recursion, then reverse mode through it as in
 * dc_transform_grad, with zeta = sqrt(i rho) for rho and the complex x = 2 k h, whose
 * logarithmic derivatives are 1/2 and -1/2 in rho and 1 in h. With g_k = d ln Z / d ln p_k,
 * d ln rho_a = 2 Re g and d phase = Im g radians.
 */
static int
mt_jac(fwd_workspace *w, size_t n, double *d, double *J, int approx, fwd_error *err)
{
    double complex Zin[FWD_MAX_LAYERS], av[FWD_MAX_LAYERS], xv[FWD_MAX_LAYERS];
    double complex g[2 * FWD_MAX_LAYERS], Z, L, a, E, zeta, N, D, dz, dx;
    size_t np = FWD_MODEL_NPARAMS(n), t, j, k;
    double *Jr, *Jp;

    (void)approx; /* no filter: exact either way */
    (void)err;
    for (t = 0; t < w->npts; t++) {
        j = mt_bottom(w->rho, w->h, n, w->omu[t]);
        Z = sqrt(w->rho[j]) * mt_e45;
        for (k = j; k-- > 0;) {
            Zin[k] = Z;
            Z = mt_step(w->rho, w->h, k, w->omu[t], Z, &av[k], &xv[k]);
        }
        for (k = 0; k < np; k++)
            g[k] = 0.0;
        L = 1.0;
        for (k = 0; k < j; k++) {
            a = av[k];
            E = 1.0 - a;
            zeta = sqrt(w->rho[k]) * mt_e45;
            N = a * (zeta + Zin[k]) + 2.0 * E * Zin[k];
            D = a * (zeta + Zin[k]) + 2.0 * E * zeta;
            dz = 1.0 + zeta * (a / N - (a + 2.0 * E) / D);
            dx = xv[k] * E * (zeta - Zin[k]) * (1.0 / N + 1.0 / D);
            g[k] = L * 0.5 * (dz - dx);
            g[n + k] = L * dx;
            L *= Zin[k] * ((a + 2.0 * E) / N - a / D);
        }
        g[j] += 0.5 * L;
        d[t] = creal(Z) * creal(Z) + cimag(Z) * cimag(Z);
        d[w->npts + t] = atan2(cimag(Z), creal(Z)) * (180.0 / FWD_PI);
        Jr = J + t * np;
        Jp = J + (w->npts + t) * np;
        for (k = 0; k < np; k++) {
            Jr[k] = FWD_LN10 * d[t] * 2.0 * creal(g[k]);
            Jp[k] = FWD_LN10 * (180.0 / FWD_PI) * cimag(g[k]);
        }
    }
    return FWD_OK;
}

/* The DC part of a workspace: the entries of the array, then the shared grid if used. */
static int
dc_setup(fwd_workspace *w, const fwd_params *p, dc_electrodes electrodes, fwd_error *err)
{
    int rc = dc_entries(w, p, electrodes, err);

    if (rc == FWD_OK) /* key201 too: the data beyond its reach (key201_beyond) */
        rc = shared_setup(w, err);
    if (rc == FWD_OK && w->hankel == FWD_HANKEL_KEY201) {
        w->kd = malloc(w->npts * sizeof *w->kd);
        w->kJ = malloc(w->npts * 2 * FWD_MAX_LAYERS * sizeof *w->kJ);
        if (w->kd == NULL || w->kJ == NULL)
            rc = fwd_fail(err, FWD_ENOMEM, "forward workspace: out of memory");
    }
    return rc;
}

static int
schlumberger_setup(fwd_workspace *w, const fwd_params *p, fwd_error *err)
{
    return dc_setup(w, p, schlumberger_electrodes, err);
}

static int
wenner_setup(fwd_workspace *w, const fwd_params *p, fwd_error *err)
{
    return dc_setup(w, p, wenner_electrodes, err);
}

/* MT: omega mu0 per period. */
static int
mt_setup(fwd_workspace *w, const fwd_params *p, fwd_error *err)
{
    const double *x = fwd_geom_x(w->g);
    size_t i;

    (void)p;
    w->omu = malloc(w->npts * sizeof *w->omu);
    if (w->omu == NULL)
        return fwd_fail(err, FWD_ENOMEM, "forward workspace: out of memory");
    for (i = 0; i < w->npts; i++)
        w->omu[i] = 2.0 * FWD_PI / x[i] * FWD_MU0;
    return FWD_OK;
}

const struct fwd_evaluator fwd_evaluator_schlumberger = {schlumberger_setup, dc_eval, dc_jac};
const struct fwd_evaluator fwd_evaluator_wenner = {wenner_setup, dc_eval, dc_jac};
const struct fwd_evaluator fwd_evaluator_mt = {mt_setup, mt_eval, mt_jac};

/* Checks a response: every datum finite, and > 0 where its value must be. */
static int
check_data(const fwd_workspace *w, const double *d, fwd_error *err)
{
    size_t i, k, t;
    int positive;

    for (k = 0, i = 0; k < w->mi->nvalues; k++) {
        positive = w->mi->values[k]->positive;
        for (t = 0; t < w->npts; t++, i++)
            if (!isfinite(d[i]) || (!(d[i] > 0) && positive))
                return fwd_fail(err, FWD_ENUMERIC,
                                "response: datum %zu is not a finite positive value (%g)", i + 1,
                                d[i]);
    }
    return FWD_OK;
}

/* Twice the thicknesses of the n-layer model in w, which the recursions read. */
static void
set_h2(fwd_workspace *w, size_t n)
{
    size_t i;

    for (i = 0; i + 1 < n; i++)
        w->h2[i] = 2.0 * w->h[i];
}

/* Evaluates the model already in w->rho, w->h and checks the output. */
static int
eval_loaded(fwd_workspace *w, size_t n, double *d, fwd_error *err)
{
    set_h2(w, n);
    w->mi->eval->eval(w, n, d);
    return check_data(w, d, err);
}

int
fwd_eval(fwd_workspace *w, size_t n, const double *rho, const double *thick_m, double *d,
         fwd_error *err)
{
    size_t i;
    int rc;

    rc = fwd_model_check(n, rho, thick_m, err);
    if (rc != FWD_OK)
        return rc;
    for (i = 0; i < n; i++)
        w->rho[i] = rho[i];
    for (i = 0; i + 1 < n; i++)
        w->h[i] = thick_m[i];
    return eval_loaded(w, n, d, err);
}

int
fwd_eval_batch(fwd_workspace *w, size_t n, size_t count, const double *p, double *d, fwd_error *err)
{
    size_t m, np = FWD_MODEL_NPARAMS(n), nd = w->mi->nvalues * w->npts;
    fwd_error e2;
    int rc;

    if (n < 1 || n > FWD_MAX_LAYERS)
        return fwd_fail(err, FWD_EINVAL, "layers: expected 1 to %d, got %zu", FWD_MAX_LAYERS, n);
    for (m = 0; m < count; m++) {
        rc = fwd_model_from_log10(n, p + m * np, w->rho, w->h, &e2);
        if (rc == FWD_OK)
            rc = eval_loaded(w, n, d + m * nd, &e2);
        if (rc != FWD_OK)
            return fwd_fail(err, rc, "model %zu: %s", m + 1, e2.msg);
    }
    return FWD_OK;
}

static int
jacobian(fwd_workspace *w, size_t n, const double *p, double *d, double *J, int approx,
         fwd_error *err)
{
    size_t i, np = FWD_MODEL_NPARAMS(n), nd = w->mi->nvalues * w->npts;
    double lo, hi;
    int rc;

    if (n < 1 || n > FWD_MAX_LAYERS)
        return fwd_fail(err, FWD_EINVAL, "layers: expected 1 to %d, got %zu", FWD_MAX_LAYERS, n);
    rc = fwd_model_from_log10(n, p, w->rho, w->h, err);
    if (rc != FWD_OK)
        return rc;
    lo = hi = w->rho[0];
    set_h2(w, n);
    for (i = 1; approx && i < n; i++) { /* beyond the contrast it is made for: exact */
        lo = fmin(lo, w->rho[i]);
        hi = fmax(hi, w->rho[i]);
    }
    approx = approx && hi <= FWD_APPROX_CONTRAST * lo;
    rc = w->mi->eval->jac(w, n, d, J, approx, err);
    if (rc != FWD_OK)
        return rc;
    rc = check_data(w, d, approx ? NULL : err);
    if (rc != FWD_OK && approx) { /* never a failure the exact Jacobian would not have */
        rc = w->mi->eval->jac(w, n, d, J, 0, err);
        if (rc != FWD_OK)
            return rc;
        rc = check_data(w, d, err);
    }
    for (i = 0; rc == FWD_OK && i < nd * np; i++)
        if (!isfinite(J[i]))
            rc = fwd_fail(err, FWD_ENUMERIC,
                          "response: derivative of datum %zu in parameter %zu "
                          "is not finite (%g)",
                          i / np + 1, i % np + 1, J[i]);
    return rc;
}

int
fwd_jacobian(fwd_workspace *w, size_t n, const double *p, double *d, double *J, fwd_error *err)
{
    return jacobian(w, n, p, d, J, 0, err);
}

int
fwd_jacobian_approx(fwd_workspace *w, size_t n, const double *p, double *d, double *J,
                    fwd_error *err)
{
    return jacobian(w, n, p, d, J, 1, err);
}
