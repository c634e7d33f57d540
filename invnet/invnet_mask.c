/* SPDX-License-Identifier: MIT */
/*
 * invnet_mask.c - the observed points of a masked net's input (invnet_mask.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forward/base/fwd_rng.h"
#include "invnet/invnet_mask.h"

invnet_mask_params
invnet_mask_default(void)
{
    invnet_mask_params p;

    p.layout = INVNET_MASK_ALIGNED;
    p.min_span = 1;
    p.max_missing = 0.3;
    p.p_full = 0.2;
    p.p_missing = 0.5;
    return p;
}

int
invnet_mask_check(const invnet_mask_params *p, fwd_error *err)
{
    if (invnet_mask_layout_name(p->layout) == NULL)
        return fwd_error_set_field(err, FWD_EINVAL, "layout",
                                   "layout: expected absolute (0) or aligned (1), got %d",
                                   (int)p->layout);
    if (!(p->min_span > 0 && p->min_span <= 20))
        return fwd_error_set_field(err, FWD_EINVAL, "min_span",
                                   "min_span: expected decades from 0 to 20, got %g", p->min_span);
    if (!(p->max_missing >= 0 && p->max_missing < 1))
        return fwd_error_set_field(err, FWD_EINVAL, "max_missing",
                                   "max_missing: expected 0 <= fraction < 1, got %g",
                                   p->max_missing);
    if (!(p->p_full >= 0 && p->p_full <= 1))
        return fwd_error_set_field(err, FWD_EINVAL, "p_full",
                                   "p_full: expected a probability from 0 to 1, got %g", p->p_full);
    if (!(p->p_missing >= 0 && p->p_missing <= 1))
        return fwd_error_set_field(err, FWD_EINVAL, "p_missing",
                                   "p_missing: expected a probability from 0 to 1, got %g",
                                   p->p_missing);
    return FWD_OK;
}

/* A uniform number in [0, 1) from the stream *s. */
static double
uniform(uint64_t *s)
{
    return (double)(fwd_splitmix64(s) >> 11) * 0x1.0p-53;
}

static size_t
count(size_t n, const unsigned char *obs)
{
    size_t k, c = 0;

    for (k = 0; k < n; k++)
        c += obs[k] != 0;
    return c;
}

void
invnet_mask_draw(const invnet_mask_params *p, size_t npts, const double *logx, uint64_t seed,
                 uint64_t epoch, uint64_t row, unsigned char *obs)
{
    /* a stream of its own per (seed, epoch, row): the same mask on any thread */
    uint64_t s = seed ^ fwd_splitmix64(&(uint64_t){epoch * 0x9E3779B97F4A7C15u + row});
    double lo = INFINITY, hi = -INFINITY, w, a, q;
    size_t k, left;

    (void)fwd_splitmix64(&s);
    for (k = 0; k < npts; k++) {
        lo = logx[k] < lo ? logx[k] : lo;
        hi = logx[k] > hi ? logx[k] : hi;
        obs[k] = 1;
    }
    if (npts <= 2)
        return;
    if (hi - lo > p->min_span && uniform(&s) >= p->p_full) {
        w = p->min_span + uniform(&s) * (hi - lo - p->min_span);
        a = lo + uniform(&s) * (hi - lo - w);
        for (k = 0; k < npts; k++)
            obs[k] = logx[k] >= a - 1e-9 && logx[k] <= a + w + 1e-9;
        if (count(npts, obs) < 2) /* a window between two points: the whole span */
            memset(obs, 1, npts);
    }
    if (uniform(&s) >= p->p_missing)
        return;
    q = uniform(&s) * p->max_missing;
    left = count(npts, obs);
    for (k = 0; k < npts && left > 2; k++)
        if (obs[k] && uniform(&s) < q) {
            obs[k] = 0;
            left--;
        }
}

size_t
invnet_mask_n_in(invnet_mask_layout l, size_t nvalues, size_t npts)
{
    return l == INVNET_MASK_ALIGNED ? 4 * nvalues * npts + 1 : 2 * nvalues * npts;
}

/* The first and last observed points of obs[npts] (0 and npts - 1 when none is). */
static void
edges(size_t npts, const unsigned char *obs, size_t *first, size_t *last)
{
    size_t a = 0, b = npts > 0 ? npts - 1 : 0;

    while (a < b && !obs[a])
        a++;
    while (b > a && !obs[b])
        b--;
    *first = a;
    *last = b;
}

void
invnet_mask_input(invnet_mask_layout l, size_t nvalues, size_t npts, const double *z,
                  const unsigned char *obs, double *in)
{
    size_t f = nvalues * npts, j, k, v, a, b;

    if (l != INVNET_MASK_ALIGNED) {
        for (j = 0; j < f; j++) {
            in[j] = obs[j % npts] ? z[j] : 0;
            in[f + j] = obs[j % npts] ? 1 : 0;
        }
        return;
    }
    edges(npts, obs, &a, &b);
    memset(in, 0, (4 * f + 1) * sizeof *in);
    for (v = 0; v < nvalues; v++)
        for (k = a; k <= b; k++)
            if (obs[k]) {
                size_t s = v * npts + k - a, e = 2 * f + v * npts + k + (npts - 1 - b);

                in[s] = in[e] = z[v * npts + k];
                in[f + s] = in[f + e] = 1;
            }
    in[4 * f] = npts > 1 ? (double)a / (double)(npts - 1) : 0;
}

void
invnet_mask_unpack(invnet_mask_layout l, size_t nvalues, size_t npts, const double *in, double *z,
                   unsigned char *obs)
{
    size_t f = nvalues * npts, a = 0, j, k, v;

    if (l == INVNET_MASK_ALIGNED && npts > 1) {
        double t = in[4 * f] * (double)(npts - 1);

        a = t > 0 ? (size_t)(t + 0.5) : 0;
        a = a < npts ? a : npts - 1;
    }
    for (k = 0; k < npts; k++)
        obs[k] = l == INVNET_MASK_ALIGNED ? k >= a && in[f + k - a] > 0.5 : in[f + k] > 0.5;
    for (v = 0; v < nvalues; v++)
        for (k = 0; k < npts; k++) {
            j = v * npts + k;
            z[j] = !obs[k] ? 0 : l == INVNET_MASK_ALIGNED ? in[j - a] : in[j];
        }
}

const char *
invnet_mask_layout_name(invnet_mask_layout l)
{
    return l == INVNET_MASK_ABSOLUTE ? "masked" : l == INVNET_MASK_ALIGNED ? "aligned" : NULL;
}

int
invnet_mask_layout_parse(const char *name)
{
    return strcmp(name, "masked") == 0    ? INVNET_MASK_ABSOLUTE
           : strcmp(name, "aligned") == 0 ? INVNET_MASK_ALIGNED
                                          : -1;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

size_t
invnet_mask_observed(size_t npts, const double *logx, size_t ns, const double *slog, double tol,
                     double gap, unsigned char *obs, double *work)
{
    double *own = NULL, *d = work, g = gap;
    size_t k, i, n = 0;

    if (ns > 1 && d == NULL)
        d = own = malloc((ns - 1) * sizeof *d);
    if (ns > 1 && d != NULL) { /* out of memory: the gap alone */
        for (i = 0; i + 1 < ns; i++)
            d[i] = slog[i + 1] - slog[i];
        qsort(d, ns - 1, sizeof *d, cmp_double);
        g = 2 * d[(ns - 2) / 2] > gap ? 2 * d[(ns - 2) / 2] : gap;
        free(own);
    }
    for (k = 0; k < npts; k++) {
        double x = logx[k];

        obs[k] = ns > 0 && x >= slog[0] - tol && x <= slog[ns - 1] + tol;
        /* strictly inside an interval wider than the gap: not observed */
        for (i = 0; obs[k] && i + 1 < ns; i++)
            if (slog[i + 1] - slog[i] > g && x > slog[i] + tol && x < slog[i + 1] - tol)
                obs[k] = 0;
        n += obs[k];
    }
    return n;
}

double
invnet_mask_span(size_t npts, const double *logx, const unsigned char *obs)
{
    double lo = INFINITY, hi = -INFINITY;
    size_t k, n = 0;

    for (k = 0; k < npts; k++)
        if (obs[k]) {
            lo = logx[k] < lo ? logx[k] : lo;
            hi = logx[k] > hi ? logx[k] : hi;
            n++;
        }
    return n >= 2 ? hi - lo : 0;
}
