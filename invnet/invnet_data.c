/* SPDX-License-Identifier: MIT */
/*
 * invnet_data.c - loading a training set from a samples file.
 */
#include <stdint.h>
#include <stdlib.h>

#include "forward/fwd_model.h"
#include "invnet/invnet_data.h"
#include "invnet/invnet_stats.h"

void
invnet_dataset_free(invnet_dataset *d)
{
    if (d == NULL)
        return;
    free(d->t);
    free(d->x);
    fwd_geom_free(d->geom);
    free(d);
}

invnet_dataset *
invnet_dataset_load(const char *path, int noisy, size_t max_rows, fwd_error *err)
{
    invnet_dataset *d = calloc(1, sizeof *d);
    smp_reader *r = NULL;
    double *blk = NULL;
    size_t first, m;
    fwd_error e2;
    int rc = FWD_OK;

    if (d == NULL) {
        fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    r = smp_reader_open(path, &d->h, &d->geom, err);
    if (r == NULL)
        goto fail;
    if (d->h.n_complete == 0) {
        fwd_error_set(err, FWD_EFORMAT, "%s: n_complete: expected >= 1 samples, got 0", path);
        goto fail;
    }
    if (d->h.n_complete > SIZE_MAX / 2)
        d->h.n_complete = SIZE_MAX / 2;
    d->rows = max_rows > 0 && max_rows < d->h.n_complete ? max_rows : (size_t)d->h.n_complete;
    d->n_in = fwd_geom_ndata(d->geom);
    d->n_out = FWD_MODEL_NPARAMS(d->h.prior.n_layers);
    if (d->rows > SIZE_MAX / sizeof(double) / d->n_in) {
        fwd_error_set(err, FWD_ENOMEM, "%s: %zu rows of %zu values do not fit in memory", path,
                      d->rows, d->n_in);
        goto fail;
    }
    d->x = malloc(d->rows * d->n_in * sizeof(double));
    d->t = malloc(d->rows * d->n_out * sizeof(double));
    blk = malloc(INVNET_READ_ROWS * d->n_in * sizeof(double));
    if (d->x == NULL || d->t == NULL || blk == NULL) {
        fwd_error_set(err, FWD_ENOMEM, "%s: out of memory for %zu rows of %zu values", path,
                      d->rows, d->n_in + d->n_out);
        goto fail;
    }
    for (first = 0; first < d->rows && rc == FWD_OK; first += m) {
        m = d->rows - first < INVNET_READ_ROWS ? d->rows - first : INVNET_READ_ROWS;
        rc = smp_reader_read(r, noisy ? SMP_NOISY : SMP_CLEAN, first, m, blk, err);
        rc = rc ? rc : smp_reader_read(r, SMP_MODELS, first, m, d->t + first * d->n_out, err);
        if (rc == FWD_OK && invnet_features(d->h.method, fwd_geom_size(d->geom), m, blk,
                                            d->x + first * d->n_in, &e2) != FWD_OK)
            rc = fwd_error_set(err, FWD_EFORMAT, "%s: data from row %zu: %s", path, first, e2.msg);
    }
    if (rc != FWD_OK)
        goto fail;
    free(blk);
    smp_reader_close(r);
    return d;
fail:
    free(blk);
    smp_reader_close(r);
    invnet_dataset_free(d);
    return NULL;
}

void
invnet_dataset_standardise(invnet_dataset *d, size_t n_fit, invnet_net *net)
{
    double *im = invnet_net_in_mean(net), *is = invnet_net_in_sd(net);
    double *om = invnet_net_out_mean(net), *os = invnet_net_out_sd(net);
    size_t i, j;

    invnet_colstats(n_fit, d->n_in, d->x, im, is);
    invnet_colstats(n_fit, d->n_out, d->t, om, os);
    for (i = 0; i < d->rows; i++) {
        for (j = 0; j < d->n_in; j++)
            d->x[i * d->n_in + j] = (d->x[i * d->n_in + j] - im[j]) / is[j];
        for (j = 0; j < d->n_out; j++)
            d->t[i * d->n_out + j] = (d->t[i * d->n_out + j] - om[j]) / os[j];
    }
}
