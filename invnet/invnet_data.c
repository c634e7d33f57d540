/* SPDX-License-Identifier: MIT */
/*
 * invnet_data.c - loading a training set from a samples file.
 */
#include <stdint.h>
#include <stdlib.h>

#include "forward/fwd_model.h"
#include "invnet/invnet_data.h"
#include "invnet/invnet_stats.h"
#include "invnet/invnet_train.h"

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

size_t
invnet_n_val(size_t rows, double val)
{
    size_t n_val;

    if (!(val > 0 && val < 1))
        return 0;
    n_val = (size_t)(val * (double)rows + 0.5);
    return n_val > 0 ? n_val : 1;
}

/* Rows [first, first + n) of the file into x (features) and t, in blocks through blk. */
static int
read_rows(smp_reader *r, const invnet_dataset *d, const char *path, int noisy, size_t first,
          size_t n, double *blk, double *x, double *t, fwd_error *err)
{
    size_t k, m;
    fwd_error e2;
    int rc = FWD_OK;

    for (k = 0; k < n && rc == FWD_OK; k += m) {
        m = n - k < INVNET_READ_ROWS ? n - k : INVNET_READ_ROWS;
        rc = smp_reader_read(r, noisy ? SMP_NOISY : SMP_CLEAN, first + k, m, blk, err);
        rc = rc ? rc : smp_reader_read(r, SMP_MODELS, first + k, m, t + k * d->n_out, err);
        if (rc == FWD_OK && invnet_features(d->h.method, fwd_geom_size(d->geom), m, blk,
                                            x + k * d->n_in, &e2) != FWD_OK)
            rc = fwd_error_set(err, FWD_EFORMAT, "%s: data from row %zu: %s", path, first + k,
                               e2.msg);
    }
    return rc;
}

/* Room for n rows of d's features and parameters, at *x and *t; 0, or -1 out of memory. */
static int
rows_alloc(const invnet_dataset *d, size_t n, double **x, double **t)
{
    n = n > 0 ? n : 1;
    *x = malloc(n * d->n_in * sizeof(double));
    *t = malloc(n * d->n_out * sizeof(double));
    return *x != NULL && *t != NULL ? 0 : -1;
}

invnet_dataset *
invnet_dataset_load_part(const char *path, int noisy, size_t max_rows, double val, size_t head_rows,
                         int rank, int size, fwd_error *err)
{
    invnet_dataset *d = calloc(1, sizeof *d);
    smp_reader *r = NULL;
    double *blk = NULL;
    size_t n_train, held;
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
    d->part = size > 1 && rank >= 0 && rank < size;
    if (d->part) { /* this process's training rows, then its validation rows */
        d->n_val = invnet_n_val(d->rows, val);
        n_train = d->rows - d->n_val;
        invnet_rows_part(n_train, rank, size, &d->train_first, &d->train_held);
        invnet_rows_part(d->n_val, rank, size, &d->val_first, &d->val_held);
        head_rows = head_rows > 0 ? head_rows : INVNET_HEAD_ROWS;
        d->n_head = n_train < head_rows ? n_train : head_rows;
        /* the head is the first process's: its rows start the set, and it reads on to the
         * head's end when it holds fewer */
        d->val_at = rank == 0 && d->train_held < d->n_head ? d->n_head : d->train_held;
        held = d->val_at + d->val_held;
    } else {
        held = d->rows;
    }
    if (held > SIZE_MAX / sizeof(double) / d->n_in) {
        fwd_error_set(err, FWD_ENOMEM, "%s: %zu rows of %zu values do not fit in memory", path,
                      held, d->n_in);
        goto fail;
    }
    blk = malloc(INVNET_READ_ROWS * d->n_in * sizeof(double));
    if (blk == NULL || rows_alloc(d, held, &d->x, &d->t) != 0) {
        fwd_error_set(err, FWD_ENOMEM, "%s: out of memory for %zu rows of %zu values", path, held,
                      d->n_in + d->n_out);
        goto fail;
    }
    if (!d->part) {
        rc = read_rows(r, d, path, noisy, 0, d->rows, blk, d->x, d->t, err);
    } else {
        rc = read_rows(r, d, path, noisy, d->train_first, d->val_at, blk, d->x, d->t, err);
        rc = rc ? rc
                : read_rows(r, d, path, noisy, d->rows - d->n_val + d->val_first, d->val_held, blk,
                            d->x + d->val_at * d->n_in, d->t + d->val_at * d->n_out, err);
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

invnet_dataset *
invnet_dataset_load(const char *path, int noisy, size_t max_rows, fwd_error *err)
{
    return invnet_dataset_load_part(path, noisy, max_rows, 0, 0, 0, 1, err);
}

void
invnet_dataset_standardise(invnet_dataset *d, size_t n_fit, invnet_net *net)
{
    double *im = invnet_net_in_mean(net), *is = invnet_net_in_sd(net);
    double *om = invnet_net_out_mean(net), *os = invnet_net_out_sd(net);
    size_t held = d->part ? d->val_at + d->val_held : d->rows, i, j;

    if (n_fit > 0) {
        invnet_colstats(n_fit, d->n_in, d->x, im, is);
        invnet_colstats(n_fit, d->n_out, d->t, om, os);
    }
    for (i = 0; i < held; i++) {
        for (j = 0; j < d->n_in; j++)
            d->x[i * d->n_in + j] = (d->x[i * d->n_in + j] - im[j]) / is[j];
        for (j = 0; j < d->n_out; j++)
            d->t[i * d->n_out + j] = (d->t[i * d->n_out + j] - om[j]) / os[j];
    }
}
