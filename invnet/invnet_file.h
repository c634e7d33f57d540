/* SPDX-License-Identifier: MIT */
/*
 * invnet_file.h - the net file: everything `bpinv invert` needs, in one HDF5 file.
 *
 * Layout (docs/formats.md): root attributes format = "bpinv-net", format_version, the
 * training set's method, n_layers, prior, noise and provenance, and the training settings
 * and outcome; /geometry as in the samples file; /layers/<l>/weights (units_l x
 * units_{l-1}) and /layers/<l>/bias for l = 1 .. depth; /normalisation (input and output
 * mean and sd, with column names); /envelope (per-feature min and max, mean, principal
 * components and variances, distance quantiles); /history (loss per epoch, validation RMSE
 * per parameter). The file is written under a temporary name in the same directory,
 * synced, then renamed: a crash leaves the old file or the new one, never half of one.
 */
#ifndef INVNET_FILE_H
#define INVNET_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "forward/base/fwd_error.h"
#include "forward/fwd_geom.h"
#include "forward/fwd_model.h"
#include "invnet/invnet_mask.h"
#include "invnet/invnet_net.h"
#include "invnet/invnet_stats.h"
#include "invnet/invnet_train.h"
#include "samples/smp_file.h"

#ifdef __cplusplus
extern "C" {
#endif

#define INVNET_FORMAT         "bpinv-net"
#define INVNET_FORMAT_VERSION 1
/* A set: one net per layer count, each a version-1 net in the group nets/<n_layers>. */
#define INVNET_FORMAT_VERSION_SET 2
#define INVNET_SET_MAX            16
/* Most weights and biases a net file may declare (a damaged file must not allocate more). */
#define INVNET_FILE_MAX_PARAMS 100000000

typedef struct invnet_file {
    invnet_net *net;           /* owned */
    fwd_geom *geom;            /* owned: the geometry the net was trained for */
    invnet_envelope *env;      /* owned: the training envelope */
    int masked;                /* the net reads features and observed points, and inverts any
                                  part of its span (invnet_mask.h); 0: all its points, always */
    invnet_mask_params mask;   /* the masks it was trained with (masked nets) */
    smp_header samples;        /* method, prior, noise, seed of the training set */
    char samples_path[1024];   /* the samples file trained on (as given) */
    char data[8];              /* "noisy" or "clean": which data it was trained on */
    invnet_train_params train; /* the settings used (nthreads is not stored) */
    uint64_t n_train, n_val;   /* rows trained and validated on */
    size_t n_epochs;           /* epochs run: the length of the loss history */
    size_t best_epoch;         /* the epoch whose weights were kept */
    size_t data_epochs;        /* most epochs of the data-misfit stage (invnet_misfit.h); 0:
                                  the net was trained on the parameters' error alone */
    size_t data_first_epoch;   /* the history's first epoch of that stage (1-based; 0: none) */
    double param_weight;       /* the parameters' weight in that stage's loss */
    double data_lr;            /* its learning rate, at the start */
    double *train_loss;        /* owned, n_epochs: the mean loss (train.huber), standardised */
    double *val_loss;          /* owned, n_epochs */
    double val_rmse[FWD_MODEL_NPARAMS(FWD_MAX_LAYERS)]; /* per parameter, log10 units */
    double train_seconds;
    char bpinv_version[32];
    size_t n_data_halved; /* times the data stage halved its rate on a plateau (0 to
                             INVNET_TRAIN_HALVINGS; 0 also in files from before 2026-12-04,
                             which did not record it) */
    size_t data_halved_at[INVNET_TRAIN_HALVINGS]; /* the history's epochs (1-based) that ran
                                                     first at each halved rate */
    char init_net[1024];  /* a warm start's: the net file training began from (as given; ""
                             for a net trained from the seed) */
    double init_val_loss; /* ... and its validation loss on these rows, which an epoch had to
                             beat (best_epoch 0: none did, and these are its weights) */
} invnet_file;

/*
 * Writes f to path atomically. Fails, leaving path as it was, with FWD_EEXIST ("PATH:
 * exists") if path exists and overwrite is 0, with FWD_EINVAL if the net does not fit its
 * geometry, and with FWD_EIO if anything cannot be written (e.g. a full disk).
 */
int invnet_file_save(const char *path, const invnet_file *f, int overwrite, fwd_error *err);

/*
 * Reads a net file into a new invnet_file (invnet_file_free() it). Every part is checked:
 * format and version, method, geometry, layer shapes against the geometry and the number
 * of layers, finite weights, positive standard deviations. Errors name the path and part.
 */
invnet_file *invnet_file_load(const char *path, fwd_error *err);

/*
 * Nets of one survey for several layer counts (bpinv train S2.h5 S3.h5 ...): the same
 * method, geometry, training noise and inputs; one net per count, by increasing count. A
 * file of one net (format_version 1) loads as a set of one.
 */
typedef struct invnet_set {
    size_t n;                         /* 1 to INVNET_SET_MAX */
    invnet_file *net[INVNET_SET_MAX]; /* owned, by increasing n_layers */
} invnet_set;

/* Writes the n nets f as a set (n == 1: as a plain net file, exactly as
 * invnet_file_save()). FWD_EINVAL for two nets of one count, or nets that differ in method,
 * geometry, noise or inputs (the message says which); else as invnet_file_save(). */
int invnet_set_save(const char *path, const invnet_file *const *f, size_t n, int overwrite,
                    fwd_error *err);

/* Reads a set, or a plain net file as a set of one; errors as invnet_file_load(), naming
 * the group (PATH:/nets/3) of a net of a set. invnet_file_load() refuses a set. */
invnet_set *invnet_set_load(const char *path, fwd_error *err);

/* What differs between two nets that a set needs alike ("method", "training noise", ...),
 * or NULL. */
const char *invnet_set_mismatch(const invnet_file *a, const invnet_file *b);

/* The net of n_layers layers of s, or NULL. */
const invnet_file *invnet_set_find(const invnet_set *s, size_t n_layers);

/* Frees s and its nets; NULL is a no-op. */
void invnet_set_free(invnet_set *s);

/* For bindings that do not hold invnet_file: the method of the set's nets, and the layer
 * count of its net k (0 .. s->n - 1, by increasing count; 0 when k is not a net of s). */
fwd_method invnet_set_method(const invnet_set *s);
size_t invnet_set_layers(const invnet_set *s, size_t k);

/* The number of the net's inputs for f's geometry: its features, twice that if masked. */
size_t invnet_file_n_in(const invnet_file *f);

/*
 * How much the validation loss of f's last stage (the data stage when f has one; the
 * training loss when f was trained without validation rows) fell in its last *epochs
 * epochs, as a fraction: 1 - the stage's best loss / its best loss before those epochs
 * (counting, in the first stage of a warm start, the start's loss init_val_loss).
 * *epochs is cut to the stage's epochs but one, all of them in a warm start's first stage
 * (0 when the stage ran fewer than two, one, or f has no history): on return, the epochs
 * the fall is over. NaN losses are passed over. 0
 * when *epochs is 0 on return, or either best loss is not finite and positive.
 */
double invnet_file_late_fall(const invnet_file *f, size_t *epochs);

/* Frees f and what it owns; NULL is a no-op. */
void invnet_file_free(invnet_file *f);

#ifdef __cplusplus
}
#endif

#endif /* INVNET_FILE_H */
