/* SPDX-License-Identifier: MIT */
/*
 * invnet_fit.h - training as one call: a net file made from a samples file.
 *
 * The recipe, the one `bpinv train` follows: the last fraction `val` of the rows (rounded,
 * at least 1 when val > 0) are kept for validation, the others train. The training
 * envelope is computed from the training rows' features in physical units (its bounds
 * from all of them, its shape from the head: the first head_rows); the net is initialised
 * from the seed; inputs and outputs are standardised by the head's means and standard
 * deviations; the trainer (invnet_train.h) runs epochs until it is done
 * or the progress callback asks to stop; every epoch's losses go into the history; the
 * best weights are restored. With data_epochs > 0 a second stage follows from them: up to
 * data_epochs epochs of param_weight times the parameters' loss (invnet_huber) plus the data
 * misfit of the net's models (invnet_misfit.h), its best weights restored in turn. The
 * validation RMSE of each parameter is then measured on the validation rows, or on the
 * training rows when there are none.
 *
 * Distributed (rank, ranks, reduce, and exchange): each process holds its part of the rows
 * (invnet_dataset_load_part()); process 0 computes the head's statistics and sends them to
 * the others; every process trains the same net, bit for bit the one of one process.
 *
 * Three entry points, from the whole to its parts: invnet_fit() reads the samples file
 * and trains; invnet_fit_dataset() trains on rows already read (so a program can watch
 * the read by itself); invnet_fit_prepare() only splits, standardises and sets up the net
 * file, for a caller that runs the trainer itself (a benchmark).
 */
#ifndef INVNET_FIT_H
#define INVNET_FIT_H

#include <stddef.h>
#include <stdint.h>

#include "forward/base/fwd_error.h"
#include "invnet/invnet_ckpt.h"
#include "invnet/invnet_data.h"
#include "invnet/invnet_file.h"
#include "invnet/invnet_mask.h"
#include "invnet/invnet_net.h"
#include "invnet/invnet_train.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct invnet_fit_params {
    size_t hidden[INVNET_MAX_HIDDEN]; /* units per hidden layer [64] */
    size_t n_hidden;                  /* hidden layers, 1..INVNET_MAX_HIDDEN [1] */
    invnet_activation act;            /* hidden units [INVNET_TANH] */
    double val;                       /* fraction of the rows, the last ones, validating;
                                         0 <= val < 1 [0.1] */
    int noisy;                        /* train on the noisy data (1) or the clean (0) [1] */
    size_t max_samples;               /* read the first max_samples complete rows; 0: all [0] */
    invnet_train_params train;        /* the trainer's settings [invnet_train_default()] */
    const char *version;              /* the program's version, stored in the file [""] */
    int masked;                       /* train a masked net, which inverts any part of its
                                         span of at least mask.min_span decades [0]; a
                                         min_span as wide as the span makes a plain net */
    invnet_mask_params mask;          /* its masks [invnet_mask_default()] */
    size_t data_epochs;               /* most epochs of the data-misfit stage that follows
                                         (invnet_misfit.h); 0: none [0] */
    double param_weight;              /* the parameters' loss's weight in it [1] */
    double data_lr;                   /* its learning rate; 0: the settings' [0] */
    int rank, ranks;                  /* this process of the `ranks` sharing each step, as
                                         invnet_trainer_set_ranks() [0, 1] */
    invnet_reduce_fn reduce;          /* their sum, when ranks > 1 [NULL] */
    void *reduce_ud;                  /* passed to it [NULL] */
    size_t head_rows;                 /* the first training rows the normalisation and the
                                         envelope's shape are computed from; 0 is the
                                         default [INVNET_HEAD_ROWS] */
    invnet_exchange_fn exchange;      /* with it, each process reads and holds only its
                                         part of the rows (invnet_dataset_load_part,
                                         invnet_trainer_set_split) [NULL] */
    void *exchange_ud;                /* passed to it [NULL] */
    /* once non-zero (a signal handler's flag, on any process), training ends after the
     * step in flight and keeps the best net of the epochs that ended
     * (invnet_trainer_set_stop) [NULL] */
    const volatile sig_atomic_t *stop;
    /* called at the end of every epoch with a checkpoint of the training (its n_done 0, for
     * the caller to fill), and once more when the stop flag or the progress callback stops it
     * (stopped 1; the checkpoint of the last epoch that ended) [NULL: none] */
    void (*checkpoint)(void *ud, const invnet_ckpt *c, int stopped);
    void *checkpoint_ud; /* passed to it [NULL] */
    /* continue the training this checkpoint holds (invnet_ckpt_load()): the same settings
     * and rows (invnet_fit_settings(), the normalisation, the envelope), then on from its
     * last epoch as though never stopped, to the same net bit for bit [NULL] */
    const invnet_ckpt *resume;
    const char *resume_name; /* its name in messages [NULL: "the checkpoint"] */
    /* a warm start: training begins from this net's weights and normalisation instead of
     * the seed's and the rows' (invnet_fit_init_check(): a net of the same method, layer
     * count, points, layers of units and inputs), and keeps them unless an epoch validates
     * better (invnet_trainer_keep_start(); validation rows needed); the envelope, the prior
     * and everything else are the rows' as without it [NULL] */
    const invnet_file *init;
    const char *init_name; /* its file, in messages and in the net file's init_net [NULL] */
} invnet_fit_params;

/*
 * Whether a training with p of samples of geometry g makes a net of any part of its span
 * (1: p->masked, and g's points span more than p->mask.min_span decades) or one of its
 * whole span (0): a program calls it to refuse the options of masks (max_missing) that a
 * net of the whole span would not use.
 */
int invnet_fit_masked(const invnet_fit_params *p, const fwd_geom *g);

/* The width of g's points (at least one, in any order) in decades: the span
 * invnet_fit_masked compares with mask.min_span. */
double invnet_fit_span(const fwd_geom *g);

/*
 * Whether p->init can start a training with p of the samples file samples_path, whose
 * header is h and geometry g: FWD_OK, or FWD_EINVAL naming what differs (err->field):
 * "method", "layers", "geometry" (the points, MN/2), "masked" (a net of any part of its
 * span against one of the whole span, which p's mask.min_span and the span decide),
 * "layout" (the masked inputs' layout), "hidden" (the hidden layers' units) or
 * "activation". FWD_OK without p->init. invnet_fit_prepare() checks it too; a program
 * calls it first to refuse before reading rows.
 */
int invnet_fit_init_check(const invnet_fit_params *p, const char *samples_path, const smp_header *h,
                          const fwd_geom *g, fwd_error *err);

/*
 * The settings of a training of `rows` complete rows with p, as a string of "name=value"
 * separated by spaces (into buf, cap bytes; INVNET_CKPT_SETTINGS is enough): everything its
 * net depends on but the rows' values, so that two trainings of one string on the same rows
 * make the same net; with p->init, last, init= a hash of its weights and normalisation
 * (invnet_fit_init_hash()). Not in it: the samples file's name, max_samples (the rows
 * count), the threads and processes. A resumed training's must be its checkpoint's (a refusal's
 * err->field is the first name that differs). The length written, or the length it needs
 * when that is cap or more.
 */
size_t invnet_fit_settings(const invnet_fit_params *p, size_t rows, char *buf, size_t cap);

/* The defaults in brackets above. */
invnet_fit_params invnet_fit_default(void);

/* A number that names a net's weights and normalisation, bit for bit (fwd_hash()). */
uint64_t invnet_fit_init_hash(const invnet_net *net);

/* What a program reports about a training run. */
typedef struct invnet_fit_info {
    size_t rows;          /* complete rows read */
    size_t n_train;       /* rows trained on: the first ones */
    size_t n_val;         /* rows validated on: the last ones */
    size_t n_in, n_out;   /* the net's inputs (features; twice that for a masked net) and
                             parameters per row */
    double best_val_loss; /* the best epoch's validation loss; INFINITY when none ran */
    invnet_epoch last;    /* the last epoch run; all zero when none ran */
    int stage;            /* the stage running: 1 the parameters' loss, 2 the data misfit's */
    int stopped;          /* 1 if the progress callback or the stop flag stopped it */
} invnet_fit_info;

/*
 * Called once when everything is ready to train (e == NULL), then after each epoch with
 * its figures (e; the history in the file already holds it). info is the run so far.
 * Returns 0 to go on, non-zero to stop at once (the best weights so far are kept).
 */
typedef int (*invnet_fit_progress_fn)(const invnet_fit_info *info, const invnet_epoch *e, void *ud);

/*
 * Reads the samples file samples_path (invnet_dataset_load() with p->noisy and
 * p->max_samples; with p->exchange, this process's part, invnet_dataset_load_part()) and
 * trains on it as invnet_fit_dataset() does. On success (FWD_OK, also
 * when stopped by cb) *out is a new net file, complete for invnet_file_save()
 * (invnet_file_free() it); on failure *out is NULL and err says why: the read's errors,
 * then those of invnet_fit_dataset(). cb may be NULL (train to the end); ud is passed to
 * it. info (may be NULL) receives the run's figures.
 */
int invnet_fit(const char *samples_path, const invnet_fit_params *p, invnet_fit_progress_fn cb,
               void *ud, invnet_file **out, invnet_fit_info *info, fwd_error *err);

/*
 * Trains a net on d, rows read from samples_path by invnet_dataset_load(samples_path,
 * p->noisy, p->max_samples, ...), or a part by invnet_dataset_load_part() with p->val and
 * p->head_rows (then every process of p calls it, collectively): invnet_fit_prepare(), then the
 * trainer with the progress callback, the loss history, the best weights restored, the validation
 * RMSE and the training time (seconds of wall clock, from after the first call of cb). d is
 * standardised in place and its geometry moves into the file; the caller still frees d.
 * Errors: those of invnet_fit_prepare(); a non-finite loss (FWD_ENUMERIC); out of memory
 * (on any process of a part: all then fail); a part whose batch of rows is more than one
 * exchange takes (INT_MAX values, FWD_EINVAL, field "batch"). Messages do not name a
 * program's options.
 */
int invnet_fit_dataset(const char *samples_path, invnet_dataset *d, const invnet_fit_params *p,
                       invnet_fit_progress_fn cb, void *ud, invnet_file **out,
                       invnet_fit_info *info, fwd_error *err);

/*
 * The recipe's set-up without the training: splits d's rows (info->n_train, n_val),
 * makes *out with the samples header, the provenance (samples_path, data, version), the
 * settings (the learning rate resolved by invnet_train_lr()), the net initialised from
 * p->train.seed with its normalisation, and the envelope of the training rows; then
 * standardises all of d's rows in place and moves d's geometry into *out. No history yet.
 * Errors (*out NULL, d untouched): val out of 0..1 (FWD_EINVAL, field "val"); fewer than
 * 2 training rows (FWD_EINVAL, "PATH: N complete samples leave M for training; expected
 * >= 2"); a part (d->part) without p's processes, or split for another val (FWD_EINVAL,
 * "PATH: a part of the rows ..."); a bad net layout (invnet_net_alloc()); an envelope
 * that cannot be computed ("PATH: envelope: ...", on process 0 of a part, the others
 * "... failed (process 0 says why)"); out of memory. The processes of a part fail
 * together, but for a part or val that differs between them (then some wait).
 */
int invnet_fit_prepare(const char *samples_path, invnet_dataset *d, const invnet_fit_params *p,
                       invnet_file **out, invnet_fit_info *info, fwd_error *err);

#ifdef __cplusplus
}
#endif

#endif /* INVNET_FIT_H */
