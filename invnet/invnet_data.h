/* SPDX-License-Identifier: MIT */
/*
 * invnet_data.h - a training set in memory: features and log10 model parameters read
 * from a samples file block by block, and their standardisation.
 */
#ifndef INVNET_DATA_H
#define INVNET_DATA_H

#include <stddef.h>

#include "forward/base/fwd_error.h"
#include "forward/fwd_geom.h"
#include "invnet/invnet_net.h"
#include "samples/smp_file.h"

typedef struct invnet_dataset {
    smp_header h;   /* the samples file's header */
    fwd_geom *geom; /* its geometry (owned) */
    size_t rows;    /* rows read: the file's n_complete, or fewer if asked */
    size_t n_in;    /* features per row (fwd_geom_ndata) */
    size_t n_out;   /* log10 parameters per row (FWD_MODEL_NPARAMS) */
    double *x;      /* rows x n_in features (invnet_features) */
    double *t;      /* rows x n_out log10 parameters */
} invnet_dataset;

/* Rows read per block: the memory used besides the set itself. */
#define INVNET_READ_ROWS 8192

/*
 * Reads the first max_rows complete rows (all when 0) of a samples file: its noisy data
 * (noisy != 0) or its clean data, as features, and its models. Errors name the file: not a
 * samples file, no complete rows, damaged rows.
 */
invnet_dataset *invnet_dataset_load(const char *path, int noisy, size_t max_rows, fwd_error *err);
void invnet_dataset_free(invnet_dataset *d);

/*
 * Sets net's normalisation from the first n_fit rows (means and standard deviations of
 * features and parameters), then standardises all rows of d in place.
 */
void invnet_dataset_standardise(invnet_dataset *d, size_t n_fit, invnet_net *net);

#endif /* INVNET_DATA_H */
