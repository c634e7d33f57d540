/* SPDX-License-Identifier: MIT */
/*
 * invnet_ckpt.h - a training checkpoint: what a training run has made so far, so that a run
 * killed, out of time or interrupted can be continued (bpinv train --resume) to the net an
 * uninterrupted run makes, bit for bit.
 *
 * Layout (docs/formats.md): root attributes format = "bpinv-train-checkpoint",
 * format_version, bpinv_version, settings (invnet_fit_settings(): the run's settings and its
 * row count), n_done, stage, seconds; /nets/<k>, k = 0 .. n_done - 1: the nets the run
 * has finished, each a whole net as a net file's root holds it; /training: the net being
 * trained, its history so far, with the weights of the best epoch of its stage; and
 * /training/state: the trainer's state (invnet_train_state: the last step's weights,
 * the optimiser's moments, the weights' average, the training order as datasets; the
 * counters as attributes). Written atomically, as net files are.
 */
#ifndef INVNET_CKPT_H
#define INVNET_CKPT_H

#include <stddef.h>

#include "forward/base/fwd_error.h"
#include "invnet/invnet_file.h"
#include "invnet/invnet_train.h"

#ifdef __cplusplus
extern "C" {
#endif

#define INVNET_CKPT_FORMAT         "bpinv-train-checkpoint"
#define INVNET_CKPT_FORMAT_VERSION 1
/* The longest settings string (invnet_fit_settings). */
#define INVNET_CKPT_SETTINGS 2048

typedef struct invnet_ckpt {
    char settings[INVNET_CKPT_SETTINGS]; /* the settings of the net in training */
    size_t n_done;                       /* nets finished: the first samples files' */
    invnet_file *done[INVNET_SET_MAX];
    invnet_file *training;     /* the net in training: its history, its stage's best weights
                                  (never NULL in a checkpoint read or written) */
    invnet_train_state *state; /* its trainer's state at the end of its last epoch */
    int stage;                 /* the stage of that epoch: 1 the parameters', 2 the data's */
    double seconds;            /* the training's time so far, of every run, in s */
} invnet_ckpt;

/*
 * Writes c to path atomically (over a file there; path is as it was on failure). c's nets
 * and state are borrowed. FWD_EIO naming path and the system's reason; FWD_EINVAL for a net
 * that does not fit its geometry, or without a net in training and its state.
 */
int invnet_ckpt_save(const char *path, const invnet_ckpt *c, fwd_error *err);

/*
 * Reads a checkpoint into a new invnet_ckpt (invnet_ckpt_free() it), everything checked: its
 * format (a net or samples file is named as one), each net as invnet_file_load() checks it,
 * the state's sizes against the net in training (before anything is allocated for it), its
 * counters and stage against the net's history and settings, the training order (each row
 * once). Errors
 * name path and the part.
 */
invnet_ckpt *invnet_ckpt_load(const char *path, fwd_error *err);

/*
 * Whether the nets of s are what the training of c saved when it was stopped (a stop saves
 * the best net so far, and the nets made before it): each of them one of c's trainings, the
 * nets made and the one in training, matched by layer count, of the same samples file,
 * seed, split and settings. 1 or 0.
 */
int invnet_ckpt_saved(const invnet_ckpt *c, const invnet_set *s);

/* Frees a checkpoint read by invnet_ckpt_load() and all it holds; NULL is a no-op. */
void invnet_ckpt_free(invnet_ckpt *c);

#ifdef __cplusplus
}
#endif

#endif /* INVNET_CKPT_H */
