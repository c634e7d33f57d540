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

#ifdef __cplusplus
extern "C" {
#endif

typedef struct invnet_dataset {
    smp_header h;   /* the samples file's header */
    fwd_geom *geom; /* its geometry (owned) */
    size_t rows;    /* rows read: the file's n_complete, or fewer if asked */
    size_t n_in;    /* features per row (fwd_geom_ndata) */
    size_t n_out;   /* log10 parameters per row (FWD_MODEL_NPARAMS) */
    double *x;      /* rows x n_in features (invnet_features) */
    double *t;      /* rows x n_out log10 parameters */
    /* A part (invnet_dataset_load_part() on one process of several): rows, and the split
     * between the n_train first rows and the n_val last, are the whole set's; x and t hold
     * this process's part of each (invnet_rows_part), the training rows first. */
    int part;                       /* 1 for a part, 0 when x and t hold all the rows */
    size_t n_val;                   /* a part's validation rows (of the set) */
    size_t train_first, train_held; /* training rows [train_first, + train_held) held */
    size_t val_first, val_held;     /* then validation rows, counted from the first of them */
    size_t n_head; /* a part's head: the first n_head training rows, for the statistics, which
                      process 0 computes from the first rows of its x and t */
    size_t val_at; /* where the validation rows start in x and t: after the training rows,
                      or, on process 0 when it holds fewer, after the head */
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
 * The training rows the statistics (normalisation, envelope) are computed from: the first
 * ones, at most this many (2^20, which measure means and spreads to 0.1 %). Every process
 * of a distributed run can then hold them.
 */
#define INVNET_HEAD_ROWS ((size_t)1 << 20)

/* Validation rows of a set of `rows`: the last fraction val (0 <= val < 1) rounded, at least
 * 1 when val > 0. */
size_t invnet_n_val(size_t rows, double val);

/*
 * invnet_dataset_load() for process `rank` of `size` (invnet_trainer_set_split): of the
 * first max_rows rows (all when 0), split into training rows and the last fraction val
 * validating, it reads its part of each; process 0 reads on to the end of the head, the
 * first n_head = min(n_train, head_rows) training rows (head_rows 0: INVNET_HEAD_ROWS). With size
 * 1 it is invnet_dataset_load(), the whole set (part 0).
 */
invnet_dataset *invnet_dataset_load_part(const char *path, int noisy, size_t max_rows, double val,
                                         size_t head_rows, int rank, int size, fwd_error *err);

/*
 * Sets net's normalisation from the first n_fit training rows (means and standard
 * deviations of features and parameters), or keeps it as it is when
 * n_fit is 0; then standardises all the rows d holds in place.
 */
void invnet_dataset_standardise(invnet_dataset *d, size_t n_fit, invnet_net *net);

#ifdef __cplusplus
}
#endif

#endif /* INVNET_DATA_H */
