/* SPDX-License-Identifier: MIT */
/*
 * invnet_misfit.c - the data misfit of a net's models and its gradient, for training.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forward/fwd_forward.h"
#include "forward/fwd_method.h"
#include "forward/fwd_model.h"
#include "invnet/invnet_misfit.h"

/* One thread's scratch: a forward workspace, the response and its Jacobian; a masked
 * row's standardised features and observed points. */
struct misfit_thread {
    fwd_workspace *w;
    double *resp, *jac, *z;
    unsigned char *obs;
    size_t failures;
};

struct invnet_misfit {
    const invnet_file *f;
    const fwd_method_info *mi;
    size_t nl, np, npts, nf; /* layers, parameters, points, features */
    double weight, sigma, sd_phase;
    double lo[2 * FWD_MAX_LAYERS], hi[2 * FWD_MAX_LAYERS]; /* log10 bounds of a model */
    int nthreads;
    struct misfit_thread *t;
};

void
invnet_misfit_free(invnet_misfit *m)
{
    int k;

    if (m == NULL)
        return;
    for (k = 0; m->t != NULL && k < m->nthreads; k++) {
        fwd_workspace_free(m->t[k].w);
        free(m->t[k].resp);
        free(m->t[k].jac);
        free(m->t[k].z);
        free(m->t[k].obs);
    }
    free(m->t);
    free(m);
}

invnet_misfit *
invnet_misfit_alloc(const invnet_file *f, double weight, int nthreads, fwd_error *err)
{
    const smp_prior *pr = &f->samples.prior;
    invnet_misfit *m;
    size_t k;
    int i, bad;

    if (!(weight >= 0 && isfinite(weight))) {
        fwd_error_set(err, FWD_EINVAL, "data weight: expected a finite value >= 0, got %g", weight);
        return NULL;
    }
    m = calloc(1, sizeof *m);
    if (m == NULL) {
        fwd_error_set(err, FWD_ENOMEM, "out of memory for the data misfit");
        return NULL;
    }
    m->f = f;
    m->mi = fwd_method_get(f->samples.method);
    m->nl = pr->n_layers;
    m->np = FWD_MODEL_NPARAMS(m->nl);
    m->npts = fwd_geom_size(f->geom);
    m->nf = fwd_geom_ndata(f->geom);
    m->weight = weight;
    m->sigma =
        f->samples.noise > INVNET_MISFIT_MIN_NOISE ? f->samples.noise : INVNET_MISFIT_MIN_NOISE;
    m->sd_phase = fwd_phase_sd_deg(m->sigma);
    for (k = 0; k < m->np; k++) {
        double lo = k < m->nl ? pr->rho_min[k] : pr->thick_min[k - m->nl];
        double hi = k < m->nl ? pr->rho_max[k] : pr->thick_max[k - m->nl];

        m->lo[k] = log10(lo) - INVNET_MISFIT_MARGIN;
        m->hi[k] = log10(hi) + INVNET_MISFIT_MARGIN;
    }
    m->nthreads = nthreads;
    m->t = calloc((size_t)nthreads, sizeof *m->t);
    bad = m->t == NULL;
    for (i = 0; !bad && i < nthreads; i++) {
        m->t[i].w = fwd_workspace_alloc(f->geom, NULL, NULL);
        m->t[i].resp = malloc(m->nf * sizeof(double));
        m->t[i].jac = malloc(m->nf * m->np * sizeof(double));
        m->t[i].z = malloc(m->nf * sizeof(double));
        m->t[i].obs = malloc(m->npts);
        bad = m->t[i].w == NULL || m->t[i].resp == NULL || m->t[i].jac == NULL ||
              m->t[i].z == NULL || m->t[i].obs == NULL;
    }
    if (bad) {
        invnet_misfit_free(m);
        fwd_error_set(err, FWD_ENOMEM, "out of memory for the data misfit");
        return NULL;
    }
    return m;
}

size_t
invnet_misfit_failures(const invnet_misfit *m)
{
    size_t n = 0;
    int k;

    for (k = 0; k < m->nthreads; k++)
        n += m->t[k].failures;
    return n;
}

/* The loss of one row (net input in, output y) times scale; its gradient into dy. */
static double
row_loss(const invnet_misfit *m, struct misfit_thread *th, const double *in, const double *y,
         double scale, double *dy)
{
    const double *im = invnet_net_norm_const(m->f->net, 0),
                 *is = invnet_net_norm_const(m->f->net, 1);
    const double *om = invnet_net_norm_const(m->f->net, 2),
                 *os = invnet_net_norm_const(m->f->net, 3);
    double p[2 * FWD_MAX_LAYERS], g[2 * FWD_MAX_LAYERS];
    unsigned char held[2 * FWD_MAX_LAYERS];
    double sum = 0, r, dr, obs, c;
    size_t k, v, t, j, n = 0;

    for (k = 0; k < m->np; k++) {
        p[k] = om[k] + os[k] * y[k];
        held[k] = p[k] < m->lo[k] || p[k] > m->hi[k];
        p[k] = p[k] < m->lo[k] ? m->lo[k] : p[k] > m->hi[k] ? m->hi[k] : p[k];
        g[k] = 0;
    }
    if (m->f->masked) { /* where each feature is, and whether it is observed */
        invnet_mask_unpack(m->f->mask.layout, m->mi->nvalues, m->npts, in, th->z, th->obs);
        in = th->z;
    }
    if ((dy != NULL ? fwd_jacobian_approx(th->w, m->nl, p, th->resp, th->jac, NULL)
                    : fwd_eval_batch(th->w, m->nl, 1, p, th->resp, NULL)) != FWD_OK) {
        th->failures++;
        return 0;
    }
    for (v = 0, j = 0; v < m->mi->nvalues; v++) {
        int phase = m->mi->values[v]->kind == FWD_VALUE_PHASE;

        for (t = 0; t < m->npts; t++, j++) {
            if (m->f->masked && !th->obs[t])
                continue;                /* not observed */
            obs = im[j] + is[j] * in[j]; /* the feature: log10 rho_a, or phase / 90 */
            if (phase) {
                r = (th->resp[j] - 90 * obs) / m->sd_phase;
                c = 1 / m->sd_phase;
            } else {
                r = (log(th->resp[j]) - log(10.0) * obs) / m->sigma;
                c = 1 / (th->resp[j] * m->sigma);
            }
            for (k = 0; dy != NULL && k < m->np; k++) {
                dr = c * th->jac[j * m->np + k];
                g[k] += r * dr;
            }
            sum += r * r;
            n++;
        }
    }
    if (n == 0)
        return 0;
    for (k = 0; dy != NULL && k < m->np; k++)
        if (!held[k])
            dy[k] += scale * m->weight * 2 / (double)n * g[k] * os[k];
    return scale * m->weight * sum / (double)n;
}

double
invnet_misfit_loss(void *ud, int thread, size_t rows, const double *in, const double *y,
                   double scale, double *dy)
{
    invnet_misfit *m = ud;
    size_t ni = invnet_net_n_in(m->f->net), i;
    double total = 0;

    for (i = 0; i < rows; i++)
        total += row_loss(m, &m->t[thread], in + i * ni, y + i * m->np, scale,
                          dy != NULL ? dy + i * m->np : NULL);
    return total;
}
