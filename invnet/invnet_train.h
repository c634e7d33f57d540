/* SPDX-License-Identifier: MIT */
/*
 * invnet_train.h - training a net by backpropagation over shuffled minibatches.
 *
 * Loss: the mean over the standardised outputs of Huber's loss of each residual (squared
 * within `huber` standard deviations of the target, linear beyond), or of its square
 * (huber 0). Optimisers: Adam (Kingma and Ba
 * 2015) and SGD with momentum. Each epoch shuffles the training rows (a stream of the seed
 * per epoch), steps once per minibatch, then measures the validation loss; the best net so
 * far is kept, and training stops after `patience` epochs without improvement (early
 * stopping; a stage with an extra loss first halves its rate, invnet_trainer_set_loss) or
 * after `epochs`. With `average`, what is validated and kept is a moving average of the
 * weights over the last steps (about 1 / (1 - average) of them), not the weights of the
 * last step: the steps jitter about the minimum by about the learning rate, and their
 * average lies closer to it. Without validation rows, the loss that picks the best epoch
 * is the steps' mean training loss (the average is not evaluated on the training rows).
 * Use: alloc, then iterate (one epoch) until test says done, printing progress in between;
 * then restore the best weights.
 *
 * Threads: a minibatch is cut into shards of INVNET_SHARD_ROWS rows whose gradients are
 * computed in parallel and summed in shard order, so the result is identical for any
 * number of threads.
 */
#ifndef INVNET_TRAIN_H
#define INVNET_TRAIN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "forward/base/fwd_error.h"
#include "invnet/invnet_net.h"

#ifdef __cplusplus
extern "C" {
#endif

#define INVNET_SHARD_ROWS 128

typedef enum invnet_optimizer { INVNET_ADAM = 0, INVNET_SGD = 1 } invnet_optimizer;

/* "adam" or "sgd". */
const char *invnet_optimizer_name(invnet_optimizer o);
int invnet_optimizer_parse(const char *s, invnet_optimizer *o, fwd_error *err);

typedef struct invnet_train_params {
    size_t epochs;        /* most epochs [200] */
    size_t batch;         /* rows per minibatch [256] */
    invnet_optimizer opt; /* [INVNET_ADAM] */
    double lr;            /* learning rate; 0 picks the optimiser's: Adam 1e-3, SGD 1e-2 */
    double momentum;      /* SGD momentum [0.9] */
    double beta1, beta2;  /* Adam moment decays [0.9, 0.999] */
    double adam_eps;      /* Adam denominator offset [1e-8] */
    double lr_decay;      /* learning rate multiplied by this after each epoch [1: none] */
    size_t patience;      /* epochs without improvement before stopping [20]; 0: never
                             (see invnet_trainer_set_loss for a stage's halvings) */
    double min_delta;     /* relative decrease of the validation loss that counts [1e-4] */
    uint64_t seed;        /* shuffling (and, by the caller, initial weights) [42] */
    int nthreads;         /* OpenMP threads [1] */
    double huber;         /* the loss's threshold, in standard deviations of each output
                             (invnet_huber), 0 to INVNET_TRAIN_HUBER_MAX; 0: squared
                             error [0.1] */
    /* The steps' threads chosen by their speed: nthreads, or 1 where one thread runs the
     * steps faster (another process busy on the cores: the threads of a step wait for each
     * other three times a step, and one that shares its core makes the step far slower
     * than on one thread; 27.7 s instead of 0.4 for 10 epochs niced beside a busy loop,
     * docs/train.md). Windows of INVNET_PACE_STEPS steps are timed; one thread is tried
     * for a few steps after the first window and whenever a window takes twice the
     * fastest since the last choice, nthreads after 8, 16, ... 256 windows on one thread.
     * Not in a distributed training (a step waits for the other processes). The answer is
     * the same for any thread count. 1: on [1]; 0: always nthreads; INVNET_PACE_ALTERNATE:
     * 1 and nthreads in turn, a window each (for tests). */
    int pace;
    double average; /* the weights validated, kept and returned are a moving average
                       of the steps' weights, each step's average = average x the
                       last + (1 - average) x the new weights (Polyak and Juditsky
                       1992); 0 to INVNET_TRAIN_AVERAGE_MAX; 0: the weights
                       themselves [0.999] */
} invnet_train_params;

/* The steps of a timed window, and invnet_train_params.pace's setting for tests. */
#define INVNET_PACE_STEPS     16
#define INVNET_PACE_ALTERNATE 2

/* The longest memory of the weights' average (invnet_train_params.average): a million steps. */
#define INVNET_TRAIN_AVERAGE_MAX 0.999999

/* The largest threshold of the loss (invnet_train_params.huber) a net may be trained with. */
#define INVNET_TRAIN_HUBER_MAX 100

/* The defaults in brackets above. */
invnet_train_params invnet_train_default(void);
/* The learning rate p stands for: p->lr, or the optimiser's default when it is 0. */
double invnet_train_lr(const invnet_train_params *p);
/* Checks every field (FWD_EINVAL naming it). */
int invnet_train_check(const invnet_train_params *p, fwd_error *err);

/* A stage with an extra loss halves its learning rate at most this many times
 * (invnet_trainer_set_loss). */
#define INVNET_TRAIN_HALVINGS 3

/* One epoch's figures. */
typedef struct invnet_epoch {
    size_t epoch;      /* 1, 2, ... */
    double train_loss; /* mean over the epoch's minibatches, weighted by their rows */
    double val_loss;   /* after the epoch; the training loss again when there is no validation */
    double lr;         /* learning rate used in the epoch */
    int improved;      /* the best net so far */
    int halved;        /* lr was halved on a plateau before this epoch (a stage with an extra
                          loss, invnet_trainer_set_loss) */
    int threads;       /* the thread count the steps were on at the epoch's end, as chosen
                          (invnet_train_params.pace; not a few steps of a try of the other) */
    int stopped;       /* the stop flag ended the epoch before its last step
                          (invnet_trainer_set_stop): the other figures are not set */
} invnet_epoch;

typedef struct invnet_trainer invnet_trainer;

/*
 * Prepares to train net (borrowed, updated in place) on n_train rows of standardised
 * inputs x_train (n_train x n_in) and targets t_train (n_train x n_out), validating on
 * n_val rows (x_val, t_val; n_val may be 0). All arrays are borrowed for the trainer's life.
 */
invnet_trainer *invnet_trainer_alloc(invnet_net *net, const invnet_train_params *p, size_t n_train,
                                     const double *x_train, const double *t_train, size_t n_val,
                                     const double *x_val, const double *t_val, fwd_error *err);
void invnet_trainer_free(invnet_trainer *tr);

/*
 * Makes the net's input row in (n_in values) for training row `row` in epoch `epoch` from
 * its stored row x (n_x values): each row can be shown differently in each epoch (a
 * masked net, invnet_mask.h). Depends on its arguments only: it runs on several threads,
 * so the net is the same for any number of them.
 */
typedef void (*invnet_input_fn)(const void *ud, uint64_t epoch, size_t row, const double *x,
                                double *in);

/*
 * From now on the training rows x_train hold n_x values each, made into the net's inputs
 * by fn(ud, ...) as they are gathered. The validation rows stay the net's inputs. Call it
 * before the first epoch.
 */
void invnet_trainer_set_input(invnet_trainer *tr, size_t n_x, invnet_input_fn fn, const void *ud);

/*
 * Sums the n values of v over the processes of a distributed run, in place on each (an
 * MPI_Allreduce): each process holds its own values and 0 where another's go, so the sum
 * is exact whatever order the reduction takes.
 */
typedef void (*invnet_reduce_fn)(void *ud, double *v, size_t n);

/*
 * Shares each step among `size` processes, this one being `rank` (0 <= rank < size): the
 * shards of a minibatch, and the blocks of the validation, go to the processes in turn
 * (shard s to process s mod size), each computes its own, and one fn(ud, ...) call per
 * step gives every process the gradients of all shards, which each sums in shard order as
 * one process does. Every process holds all the rows and runs the same epochs: the net is
 * the same, bit for bit, for any size and any number of threads. More processes than a
 * minibatch has shards (batch / INVNET_SHARD_ROWS) leave some idle. Call it before the
 * first epoch; size 1 (the default) is one process, and so is a call without fn or with
 * a rank outside 0 .. size - 1.
 */
void invnet_trainer_set_ranks(invnet_trainer *tr, int rank, int size, invnet_reduce_fn fn,
                              void *ud);

/*
 * The rows of a set of n that process `rank` of `size` holds when the rows are split
 * between them (invnet_trainer_set_split): whole blocks of INVNET_SHARD_ROWS in turn,
 * [*first, *first + *count), process 0 first; the same cut on every process, so each
 * knows where every row is. One process holds all.
 */
void invnet_rows_part(size_t n, int rank, int size, size_t *first, size_t *count);

/*
 * Moves rows between the processes of a distributed run (an MPI_Alltoallv): this process
 * sends send_n[q] doubles from send + send_at[q] to each process q, and receives recv_n[p]
 * doubles into recv + recv_at[p] from each process p. Arrays of `size` entries.
 */
typedef void (*invnet_exchange_fn)(void *ud, const double *send, const size_t *send_n,
                                   const size_t *send_at, double *recv, const size_t *recv_n,
                                   const size_t *recv_at);

/*
 * After invnet_trainer_set_ranks() with size > 1: each process holds only its part
 * (invnet_rows_part) of the training rows, which x_train and t_train start at, and of the
 * validation rows, which x_val and t_val start at. Each step, fn brings every process the
 * rows of its shards from the processes that hold them; a validation block is computed by
 * the process that holds it. The net is the same, bit for bit, as one process's with all
 * the rows. Call it before the first epoch, after invnet_trainer_set_input() (a row is
 * n_x values then n_out); 0, or -1 out of memory.
 */
int invnet_trainer_set_split(invnet_trainer *tr, invnet_exchange_fn fn, void *ud);

/*
 * A loss of the net's outputs besides the parameters' loss (the data misfit of
 * the models they stand for, invnet_misfit.h): for `rows` rows of net inputs in
 * (rows x n_in) and standardised outputs y (rows x n_out), returns scale times the sum of
 * its values over the rows and adds scale times its gradient in y into dy (dy NULL: the
 * value alone, for the validation rows). `thread` (0 .. nthreads - 1) is the calling
 * thread, whose scratch it may use. It must depend on its arguments only, so that the net
 * is the same for any number of threads.
 */
typedef double (*invnet_loss_fn)(void *ud, int thread, size_t rows, const double *in,
                                 const double *y, double scale, double *dy);

/*
 * Starts a new stage of `epochs` more epochs whose loss per row is param_weight times the
 * parameters' mean loss (invnet_huber) plus fn's value (fn NULL: that loss alone), on
 * the training and the validation rows alike. The optimiser starts afresh (moments and
 * bias correction), the learning rate becomes lr (0: the settings' rate), and the best net
 * is now the best of this stage, whose weights invnet_trainer_restore_best() gives. With fn,
 * whose loss falls slowly and noisily (the data misfit), the rate halves each time half the
 * patience passes without a better validation loss, at most 3 times; the stage stops when a
 * whole patience passes without one after the third.
 */
void invnet_trainer_set_loss(invnet_trainer *tr, size_t epochs, double lr, double param_weight,
                             invnet_loss_fn fn, void *ud);

/*
 * From now on each step ends by reading *flag (a signal handler's, say): once it is
 * non-zero (on any process of a distributed run: each step's sum carries it, so all stop
 * after the same step), invnet_trainer_iterate() ends the epoch after that step, without
 * validating it, and sets e->stopped (a flag first seen after the epoch's last step ends
 * the epoch as usual: validated and counted; the caller's own check stops there). The epoch does
 * not count (invnet_trainer_test), the best weights stay those of the epochs that ended, and
 * invnet_trainer_restore_best() gives them. NULL (the default) never stops.
 */
void invnet_trainer_set_stop(invnet_trainer *tr, const volatile sig_atomic_t *flag);

/* Trains one epoch; FWD_ENUMERIC if the loss stops being finite (lower the rate). */
int invnet_trainer_iterate(invnet_trainer *tr, invnet_epoch *e, fwd_error *err);
/* 1 when training is over (epochs reached, or patience exhausted), 0 otherwise. */
int invnet_trainer_test(const invnet_trainer *tr);
/* The moving average of the weights (invnet_train_params.average; invnet_net_params()
 * order) as of the last step; NULL when the settings keep none. */
const double *invnet_trainer_average(const invnet_trainer *tr);
/* Copies the stage's best weights into the net (the weights it started from when no epoch
 * of it ended); returns the epoch they came from (0: none). */
size_t invnet_trainer_restore_best(invnet_trainer *tr, double *best_val_loss);

/*
 * A warm start: the weights the net holds now count as the stage's best so far (epoch 0)
 * at their validation loss, which goes into *loss. An epoch is then kept only when it does
 * better, so the net training returns is never worse on the validation rows than the one it
 * started from (invnet_trainer_restore_best() returns 0 and gives these weights when no
 * epoch did). Call it before the first epoch; under invnet_trainer_set_ranks(), on every
 * process. FWD_EINVAL without validation rows (field "val": the steps' training loss, which
 * picks the best epoch then, has no value before a step), FWD_ENUMERIC when the loss is not
 * finite (the weights are not of these rows' scale).
 */
int invnet_trainer_keep_start(invnet_trainer *tr, double *loss, fwd_error *err);

/*
 * The trainer's state at the end of an epoch: everything the epochs after it depend on but
 * the rows and the settings (a training checkpoint, invnet_ckpt.h). The
 * shuffles and the masks of an epoch are streams of the seed and the epoch's number, so a
 * trainer given this state runs on as the one it came from, bit for bit.
 */
typedef struct invnet_train_state {
    size_t np;         /* weights and biases */
    size_t n_train;    /* training rows */
    double *weights;   /* np: the last step's */
    double *best;      /* np: the stage's best so far (invnet_trainer_restore_best) */
    double *m, *v;     /* np each: Adam's moments (SGD: m its velocity, v unused) */
    double *avg;       /* np: the weights' moving average; NULL when the settings keep none */
    uint64_t *perm;    /* n_train: the training order as the last epoch shuffled it */
    size_t epoch;      /* epochs ended, over the stages */
    size_t best_epoch; /* the stage's best epoch (0: none of its epochs yet) */
    size_t since_best; /* epochs since a better validation loss */
    size_t last_epoch; /* the stage's last epoch at most */
    size_t halvings;   /* the stage's rate halved so far */
    int halved;        /* ... and at the end of the last epoch */
    double best_loss;  /* the stage's best validation loss (INFINITY: none) */
    double lr;         /* the next epoch's learning rate */
    uint64_t step;     /* the stage's steps so far (Adam's bias correction) */
} invnet_train_state;

/* A state's arrays for np weights, n_train rows and an average or not; NULL out of memory. */
invnet_train_state *invnet_train_state_alloc(size_t np, size_t n_train, int average);
void invnet_train_state_free(invnet_train_state *s);
/* A copy of s (invnet_train_state_free() it); NULL out of memory. */
invnet_train_state *invnet_train_state_clone(const invnet_train_state *s);
/* Copies tr's state into s (allocated for it: the same np, n_train and average). Call it
 * between epochs: in one, the steps have moved what the epoch's end has not yet counted. */
void invnet_trainer_get_state(const invnet_trainer *tr, invnet_train_state *s);
/* Gives tr the state s, after invnet_trainer_set_loss() for the stage s was in. FWD_EINVAL
 * when s is for another net, number of rows or average (field "state"). */
int invnet_trainer_set_state(invnet_trainer *tr, const invnet_train_state *s, fwd_error *err);

/*
 * Mean squared error of net on rows (x, t standardised; whatever loss it was trained
 * with), and, if rmse is not NULL, the
 * root-mean-square error of each output in physical units (times out_sd).
 */
double invnet_evaluate(const invnet_net *net, int nthreads, size_t rows, const double *x,
                       const double *t, double *rmse);

/*
 * invnet_evaluate() of a set of `rows` rows split between the processes of a distributed
 * run: this one, `rank` of `size`, holds its part (invnet_rows_part) at x and t, and fn sums
 * each block's errors over the processes. Every process gets the same result, bit for
 * bit that of invnet_evaluate() on all the rows. size 1 (or fn NULL) is invnet_evaluate().
 * NAN, with rmse untouched, when its workspaces cannot be had (on any process) or rows is 0.
 */
double invnet_evaluate_split(const invnet_net *net, int nthreads, size_t rows, const double *x,
                             const double *t, double *rmse, int rank, int size, invnet_reduce_fn fn,
                             void *ud);

#ifdef __cplusplus
}
#endif

#endif /* INVNET_TRAIN_H */
