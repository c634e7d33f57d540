/* SPDX-License-Identifier: MIT */
/*
 * smp_gen.c - parallel, deterministic generation of (model, data) pairs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>
#include <gsl/gsl_randist.h>

#include "forward/fwd_forward.h"
#include "samples/smp_gen.h"
#include "forward/base/fwd_rng.h"

struct smp_gen {
    smp_config c;
    int nthreads;
    size_t np, nd, npts;
    const fwd_method_info *mi; /* the geometry's method: its values' noise rules */
    fwd_workspace **ws;
    gsl_rng **rng;
};

int
smp_config_check(const smp_config *c, fwd_error *err)
{
    if (c->geom == NULL)
        return fwd_error_set(err, FWD_EINVAL, "samples: no geometry");
    if (!isfinite(c->noise) || c->noise < 0 || c->noise > 1)
        return fwd_error_set_field(err, FWD_EINVAL, "noise",
                                   "noise: expected 0 to 1 (a fraction), got %g", c->noise);
    return smp_prior_check_draws(&c->prior, fwd_geom_method(c->geom), err);
}

const smp_config *
smp_gen_config(const smp_gen *g)
{
    return &g->c;
}

void
smp_gen_free(smp_gen *g)
{
    int t;

    if (g == NULL)
        return;
    for (t = 0; t < g->nthreads; t++) {
        if (g->ws != NULL)
            fwd_workspace_free(g->ws[t]);
        if (g->rng != NULL && g->rng[t] != NULL)
            gsl_rng_free(g->rng[t]);
    }
    free(g->rng);
    free(g->ws);
    free(g);
}

smp_gen *
smp_gen_alloc(const smp_config *c, int nthreads, fwd_error *err)
{
    smp_gen *g = NULL;
    int t;

    if (smp_config_check(c, err) != FWD_OK)
        return NULL;
    if (nthreads < 1 || nthreads > 1024) {
        fwd_error_set(err, FWD_EINVAL, "threads: expected 1 to 1024, got %d", nthreads);
        return NULL;
    }
    g = calloc(1, sizeof *g);
    if (g == NULL)
        goto nomem;
    g->c = *c;
    g->nthreads = nthreads;
    g->np = FWD_MODEL_NPARAMS(c->prior.n_layers);
    g->nd = fwd_geom_ndata(c->geom);
    g->npts = fwd_geom_size(c->geom);
    g->mi = fwd_method_get(fwd_geom_method(c->geom));
    g->ws = calloc((size_t)nthreads, sizeof *g->ws);
    g->rng = calloc((size_t)nthreads, sizeof *g->rng);
    if (g->ws == NULL || g->rng == NULL)
        goto nomem;
    for (t = 0; t < nthreads; t++) {
        g->ws[t] = fwd_workspace_alloc(c->geom, NULL, err);
        if (g->ws[t] == NULL)
            goto fail;
        g->rng[t] = gsl_rng_alloc(fwd_rng_xoshiro256ss);
        if (g->rng[t] == NULL)
            goto nomem;
    }
    return g;

nomem:
    fwd_error_set(err, FWD_ENOMEM, "samples: out of memory");
fail:
    smp_gen_free(g);
    return NULL;
}

/* One sample: model, forward response, noise; all from the sample's own stream. */
static int
one_sample(const smp_gen *g, fwd_workspace *w, gsl_rng *r, uint64_t index, double *p, double *clean,
           double *noisy, fwd_error *err)
{
    const smp_config *c = &g->c;
    size_t i, k, t;
    int rc;

    fwd_rng_set_stream(r, c->seed, index);
    smp_prior_draw(&c->prior, r, p);
    rc = fwd_eval_batch(w, c->prior.n_layers, 1, p, clean, err);
    if (rc != FWD_OK)
        return rc;
    /* value by value, as the data are laid out; one draw per datum, in order */
    for (k = 0, i = 0; k < g->mi->nvalues; k++) {
        const fwd_value_info *v = g->mi->values[k];

        for (t = 0; t < g->npts; t++, i++)
            noisy[i] = v->noisy(clean[i], c->noise, gsl_ran_gaussian(r, 1.0));
    }
    return FWD_OK;
}

int
smp_gen_run(smp_gen *g, uint64_t first, size_t count, double *params, double *clean, double *noisy,
            fwd_error *err)
{
    long n = (long)count, bad = -1;
    int rc = FWD_OK;
    fwd_error e1;

    e1.code = FWD_OK;
    e1.msg[0] = '\0';
#pragma omp parallel num_threads(g->nthreads) default(none)                                        \
    shared(g, first, n, params, clean, noisy, bad, rc, e1)
    {
        int t = omp_get_thread_num();
        fwd_error e2;
        long k;
        int r2;

#pragma omp for schedule(dynamic, 64)
        for (k = 0; k < n; k++) {
            r2 = one_sample(g, g->ws[t], g->rng[t], first + (uint64_t)k, params + k * g->np,
                            clean + k * g->nd, noisy + k * g->nd, &e2);
            if (r2 != FWD_OK) {
#pragma omp critical(smp_gen_error)
                if (bad < 0 || k < bad) {
                    bad = k;
                    rc = r2;
                    e1 = e2;
                }
            }
        }
    }
    if (rc != FWD_OK)
        return fwd_error_set(err, rc, "sample %llu: %s",
                             (unsigned long long)(first + (uint64_t)bad), e1.msg);
    return FWD_OK;
}
