/* SPDX-License-Identifier: MIT */
/*
 * invnet_train.c - minibatch backpropagation with Adam or SGD with momentum.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <omp.h>

#include "invnet/invnet_train.h"
#include "forward/base/fwd_rng.h"

/* How the processes of a distributed run share the work (one process: rank 0 of 1). */
struct share {
    int rank, size;
    int split; /* each holds only its part of the rows (invnet_rows_part) */
    invnet_reduce_fn reduce;
    void *reduce_ud;
};

/* The steps' thread count, chosen by their speed (invnet_train_params.pace). */
enum { PACE_RUN, PACE_TRY }; /* running; trying the other count */
struct pace {
    int n;             /* threads of the next step */
    int chosen;        /* the count chosen, n but during a try (invnet_epoch.threads) */
    int phase;         /* PACE_* */
    size_t left;       /* steps left in this window */
    double secs, rows; /* the window's steps so far: their time and rows */
    double last;       /* seconds a row of the last window run */
    double fastest;    /* seconds a row of the fastest window since the last choice */
    size_t windows;    /* run since the last choice */
    size_t next_try;   /* windows before the next try (SIZE_MAX: none unless slower) */
    size_t backoff;    /* on one thread: windows before the next try of nthreads */
};

struct invnet_trainer {
    invnet_net *net, *best;
    invnet_train_params p;
    size_t n_train, n_val, n_in, n_out, np, nshards;
    const double *xt, *tt, *xv, *tv;
    size_t n_x;            /* values per stored training row (n_in without input_fn) */
    invnet_input_fn input; /* makes a training row the net's input; NULL: as stored */
    const void *input_ud;
    size_t *perm;
    double *xb, *tb;             /* the gathered minibatch */
    double *gsh;                 /* nshards x np shard gradients */
    double *g, *m, *v;           /* gradient and optimiser moments */
    double *shard_loss;          /* per shard (and per validation block) */
    invnet_work **w;             /* one per thread */
    struct share sh;             /* this process of those sharing each step */
    invnet_exchange_fn exchange; /* split rows: each step's rows to their shards */
    void *exchange_ud;
    size_t *t_starts;    /* split rows: the first training row of each process, and n_train */
    size_t *cnt;         /* split rows: 4 x size: doubles sent and received, their offsets */
    double *sbuf, *rbuf; /* split rows: a step's rows sent, and received */
    const double **src;  /* split rows: where each row of this process's shards is */
    int *own;            /* split rows: the process that holds each row of the step */
    invnet_loss_fn loss; /* the stage's extra loss (NULL: the parameters' alone) */
    void *loss_ud;
    double pweight;  /* the parameters' weight in the stage's loss */
    double *yb, *dy; /* per thread, INVNET_SHARD_ROWS x n_out: outputs, their gradient */
    gsl_rng *r;
    size_t epoch, best_epoch, since_best, last_epoch;
    size_t halvings; /* the stage's learning rate halved on a plateau so far */
    int halved;      /* ... and the last time after the last epoch */
    double best_loss, lr;
    uint64_t step;
    double *avg, *tmp; /* the weights' moving average (p.average), room to swap it in */
    const volatile sig_atomic_t *stop; /* non-zero: end the epoch after this step */
    struct pace pace;
};

/* A try of the other thread count runs PACE_TRY_STEPS steps (as does the first window,
 * after the first step): under contention a step of nthreads threads can take 50 times one
 * thread's */
#define PACE_TRY_STEPS 4
/* On one thread, nthreads is tried again after PACE_BACKOFF windows, twice as many each
 * time it loses, at most PACE_BACKOFF_MAX */
#define PACE_BACKOFF     8
#define PACE_BACKOFF_MAX 256

static void
pace_init(struct pace *pc, const invnet_train_params *p)
{
    memset(pc, 0, sizeof *pc);
    pc->n = pc->chosen = p->nthreads;
    pc->phase = PACE_RUN;
    pc->left = PACE_TRY_STEPS;
    pc->fastest = INFINITY;
    pc->next_try = 1;
    pc->backoff = PACE_BACKOFF;
}

/* A window begins: steps steps with n threads, in the phase. */
static void
pace_window(struct pace *pc, int phase, int n, size_t steps)
{
    pc->phase = phase;
    pc->n = n;
    pc->left = steps;
    pc->secs = pc->rows = 0;
}

/* The step of rows rows took secs seconds: the next step's thread count in pc->n. */
static void
pace_step(struct pace *pc, const invnet_train_params *p, size_t rows, double secs)
{
    int other = pc->n == 1 ? p->nthreads : 1, keep;
    double per;

    if (p->pace == 0 || p->nthreads == 1)
        return;
    pc->secs += secs;
    pc->rows += (double)rows;
    if (--pc->left > 0)
        return;
    per = pc->secs / pc->rows;
    if (p->pace == INVNET_PACE_ALTERNATE) {
        pace_window(pc, PACE_RUN, other, INVNET_PACE_STEPS);
        pc->chosen = other;
        return;
    }
    if (pc->phase == PACE_TRY) { /* n was tried against the window run before: the faster */
        keep = per < pc->last ? pc->n : other;
        if (keep == 1) { /* one thread: nthreads again later, and later each time */
            pc->next_try = pc->backoff;
            pc->backoff = pc->backoff < PACE_BACKOFF_MAX ? 2 * pc->backoff : pc->backoff;
        } else {
            pc->next_try = SIZE_MAX;
            pc->backoff = PACE_BACKOFF;
        }
        pc->fastest = keep == pc->n ? per : pc->last;
        pc->windows = 0;
        pc->chosen = keep;
        pace_window(pc, PACE_RUN, keep, INVNET_PACE_STEPS);
        return;
    }
    pc->last = per;
    pc->fastest = fmin(pc->fastest, per);
    pc->windows++;
    if (pc->windows >= pc->next_try || per > 2 * pc->fastest)
        pace_window(pc, PACE_TRY, other, PACE_TRY_STEPS);
    else
        pace_window(pc, PACE_RUN, pc->n, INVNET_PACE_STEPS);
}

const char *
invnet_optimizer_name(invnet_optimizer o)
{
    return o == INVNET_ADAM ? "adam" : o == INVNET_SGD ? "sgd" : "unknown";
}

int
invnet_optimizer_parse(const char *s, invnet_optimizer *o, fwd_error *err)
{
    if (strcmp(s, "adam") == 0)
        *o = INVNET_ADAM;
    else if (strcmp(s, "sgd") == 0)
        *o = INVNET_SGD;
    else
        return fwd_error_set(err, FWD_EINVAL, "optimizer: expected adam or sgd, got \"%s\"", s);
    return FWD_OK;
}

invnet_train_params
invnet_train_default(void)
{
    invnet_train_params p;

    memset(&p, 0, sizeof p);
    p.epochs = 200;
    p.batch = 256;
    p.opt = INVNET_ADAM;
    p.lr = 0;
    p.momentum = 0.9;
    p.beta1 = 0.9;
    p.beta2 = 0.999;
    p.adam_eps = 1e-8;
    p.lr_decay = 1;
    p.patience = 20;
    p.min_delta = 1e-4;
    p.huber = 0.1;
    p.average = 0.999;
    p.seed = 42;
    p.nthreads = 1;
    p.pace = 1;
    return p;
}

double
invnet_train_lr(const invnet_train_params *p)
{
    return p->lr != 0 ? p->lr : p->opt == INVNET_ADAM ? 1e-3 : 1e-2;
}

int
invnet_train_check(const invnet_train_params *p, fwd_error *err)
{
    if (p->epochs < 1)
        return fwd_error_set(err, FWD_EINVAL, "epochs: expected >= 1, got %zu", p->epochs);
    if (p->batch < 1 || p->batch > 1000000)
        return fwd_error_set(err, FWD_EINVAL, "batch: expected 1 to 1000000 rows, got %zu",
                             p->batch);
    if (p->opt != INVNET_ADAM && p->opt != INVNET_SGD)
        return fwd_error_set(err, FWD_EINVAL, "optimizer: expected adam or sgd");
    if (!isfinite(p->lr) || p->lr < 0 || p->lr > 10)
        return fwd_error_set(err, FWD_EINVAL, "learning rate: expected 0 to 10, got %g", p->lr);
    if (!(p->momentum >= 0 && p->momentum < 1))
        return fwd_error_set(err, FWD_EINVAL, "momentum: expected 0 <= m < 1, got %g", p->momentum);
    if (!(p->beta1 >= 0 && p->beta1 < 1) || !(p->beta2 >= 0 && p->beta2 < 1))
        return fwd_error_set(err, FWD_EINVAL, "Adam betas: expected 0 <= b < 1, got %g, %g",
                             p->beta1, p->beta2);
    if (!(p->adam_eps > 0 && isfinite(p->adam_eps)))
        return fwd_error_set(err, FWD_EINVAL, "Adam epsilon: expected > 0, got %g", p->adam_eps);
    if (!(p->lr_decay > 0 && p->lr_decay <= 1))
        return fwd_error_set(err, FWD_EINVAL, "learning-rate decay: expected 0 < d <= 1, got %g",
                             p->lr_decay);
    if (!(p->min_delta >= 0 && p->min_delta < 1))
        return fwd_error_set(err, FWD_EINVAL, "min_delta: expected 0 <= d < 1, got %g",
                             p->min_delta);
    if (!(p->huber >= 0 && p->huber <= INVNET_TRAIN_HUBER_MAX))
        return fwd_error_set(err, FWD_EINVAL,
                             "huber: expected 0 (squared error) to %d standard deviations, got %g",
                             INVNET_TRAIN_HUBER_MAX, p->huber);
    if (!(p->average >= 0 && p->average <= INVNET_TRAIN_AVERAGE_MAX))
        return fwd_error_set(err, FWD_EINVAL, "average: expected 0 (none) to %g per step, got %g",
                             INVNET_TRAIN_AVERAGE_MAX, p->average);
    if (p->nthreads < 1 || p->nthreads > 1024)
        return fwd_error_set(err, FWD_EINVAL, "threads: expected 1 to 1024, got %d", p->nthreads);
    if (p->pace < 0 || p->pace > INVNET_PACE_ALTERNATE)
        return fwd_error_set(err, FWD_EINVAL, "pace: expected 0, 1 or %d, got %d",
                             INVNET_PACE_ALTERNATE, p->pace);
    return FWD_OK;
}

void
invnet_trainer_free(invnet_trainer *tr)
{
    int k;

    if (tr == NULL)
        return;
    if (tr->w != NULL)
        for (k = tr->p.nthreads; k-- > 0;)
            invnet_work_free(tr->w[k]);
    free(tr->w);
    free(tr->own);
    free(tr->src);
    free(tr->rbuf);
    free(tr->sbuf);
    free(tr->cnt);
    free(tr->t_starts);
    free(tr->dy);
    free(tr->yb);
    gsl_rng_free(tr->r);
    free(tr->shard_loss);
    free(tr->v);
    free(tr->m);
    free(tr->g);
    free(tr->gsh);
    free(tr->tb);
    free(tr->xb);
    free(tr->perm);
    free(tr->avg);
    free(tr->tmp);
    invnet_net_free(tr->best);
    free(tr);
}

invnet_trainer *
invnet_trainer_alloc(invnet_net *net, const invnet_train_params *p, size_t n_train,
                     const double *x_train, const double *t_train, size_t n_val,
                     const double *x_val, const double *t_val, fwd_error *err)
{
    invnet_trainer *tr;
    size_t i, nblk;
    int k, bad;

    if (invnet_train_check(p, err) != FWD_OK)
        return NULL;
    if (n_train < 1) {
        fwd_error_set(err, FWD_EINVAL, "training rows: expected >= 1, got 0");
        return NULL;
    }
    tr = calloc(1, sizeof *tr);
    if (tr == NULL) {
        fwd_error_set(err, FWD_ENOMEM, "out of memory");
        return NULL;
    }
    tr->net = net;
    tr->p = *p;
    pace_init(&tr->pace, p);
    tr->p.lr = invnet_train_lr(p);
    tr->lr = tr->p.lr;
    tr->n_train = n_train;
    tr->n_val = n_val;
    tr->xt = x_train;
    tr->tt = t_train;
    tr->xv = x_val;
    tr->tv = t_val;
    tr->n_in = invnet_net_n_in(net);
    tr->n_x = tr->n_in;
    tr->n_out = invnet_net_n_out(net);
    tr->np = invnet_net_nparams(net);
    if (tr->p.batch > n_train)
        tr->p.batch = n_train;
    tr->nshards = (tr->p.batch + INVNET_SHARD_ROWS - 1) / INVNET_SHARD_ROWS;
    nblk = (n_val + INVNET_SHARD_ROWS - 1) / INVNET_SHARD_ROWS;
    if (nblk < tr->nshards)
        nblk = tr->nshards;
    tr->best_loss = INFINITY;
    bad = (tr->best = invnet_net_clone(net)) == NULL;
    bad = bad || (tr->perm = malloc(n_train * sizeof *tr->perm)) == NULL;
    bad = bad || (tr->xb = malloc(tr->p.batch * tr->n_in * sizeof(double))) == NULL;
    bad = bad || (tr->tb = malloc(tr->p.batch * tr->n_out * sizeof(double))) == NULL;
    /* the shards' gradients, then their losses and the stop flag: what a distributed step
     * sums */
    bad = bad || (tr->gsh = malloc((tr->nshards * (tr->np + 1) + 1) * sizeof(double))) == NULL;
    bad = bad || (tr->g = calloc(tr->np, sizeof(double))) == NULL;
    bad = bad || (tr->m = calloc(tr->np, sizeof(double))) == NULL;
    bad = bad || (tr->v = calloc(tr->np, sizeof(double))) == NULL;
    bad = bad || (tr->shard_loss = malloc(nblk * sizeof(double))) == NULL;
    bad = bad || (tr->r = gsl_rng_alloc(fwd_rng_xoshiro256ss)) == NULL;
    bad = bad || (tr->w = calloc((size_t)tr->p.nthreads, sizeof *tr->w)) == NULL;
    bad = bad || (tr->yb = malloc((size_t)tr->p.nthreads * INVNET_SHARD_ROWS * tr->n_out *
                                  sizeof(double))) == NULL;
    bad = bad || (tr->dy = malloc((size_t)tr->p.nthreads * INVNET_SHARD_ROWS * tr->n_out *
                                  sizeof(double))) == NULL;
    if (p->average > 0) {
        bad = bad || (tr->avg = malloc(tr->np * sizeof(double))) == NULL;
        bad = bad || (tr->tmp = malloc(tr->np * sizeof(double))) == NULL;
    }
    for (k = 0; !bad && k < tr->p.nthreads; k++)
        bad = (tr->w[k] = invnet_work_alloc(net, INVNET_SHARD_ROWS, err)) == NULL;
    if (bad) {
        invnet_trainer_free(tr);
        fwd_error_set(err, FWD_ENOMEM, "out of memory for training");
        return NULL;
    }
    if (tr->avg != NULL)
        memcpy(tr->avg, invnet_net_params(net), tr->np * sizeof(double));
    for (i = 0; i < n_train; i++)
        tr->perm[i] = i;
    tr->sh.size = 1;
    tr->pweight = 1;
    tr->last_epoch = tr->p.epochs;
    return tr;
}

void
invnet_trainer_set_loss(invnet_trainer *tr, size_t epochs, double lr, double param_weight,
                        invnet_loss_fn fn, void *ud)
{
    tr->loss = fn;
    tr->loss_ud = ud;
    tr->pweight = fn != NULL ? param_weight : 1;
    tr->last_epoch = tr->epoch + epochs;
    tr->lr = lr > 0 ? lr : tr->p.lr;
    tr->step = 0;
    if (tr->avg != NULL) /* the stage's average starts from the net it starts from */
        memcpy(tr->avg, invnet_net_params(tr->net), tr->np * sizeof(double));
    memset(tr->m, 0, tr->np * sizeof(double));
    memset(tr->v, 0, tr->np * sizeof(double));
    /* the stage's best until one of its epochs ends: the net it starts from */
    memcpy(invnet_net_params(tr->best), invnet_net_params(tr->net), tr->np * sizeof(double));
    tr->best_loss = INFINITY;
    tr->best_epoch = 0;
    tr->since_best = 0;
    tr->halvings = 0;
    tr->halved = 0;
}

/*
 * The stage's loss of rows rows (inputs x, targets t) times scale, with an extra loss: the
 * net's outputs into thread k's buffer, the parameters' loss (invnet_huber), then the extra
 * loss's value and gradient; with grad not NULL, backpropagated into grad.
 */
static double
stage_loss(const invnet_trainer *tr, invnet_work *wk, int k, size_t rows, const double *x,
           const double *t, double scale, double *grad)
{
    size_t n = rows * tr->n_out, i;
    double *y = tr->yb + (size_t)k * INVNET_SHARD_ROWS * tr->n_out;
    double *dy = tr->dy + (size_t)k * INVNET_SHARD_ROWS * tr->n_out, sq = 0, g;

    if (invnet_net_forward(tr->net, wk, rows, x, y) != FWD_OK) {
        if (grad != NULL) /* no step from it: the epoch ends with a non-finite loss */
            memset(grad, 0, invnet_net_nparams(tr->net) * sizeof(double));
        return NAN;
    }
    for (i = 0; i < n; i++) {
        sq += invnet_huber(y[i] - t[i], tr->p.huber, &g);
        dy[i] = scale / (double)tr->n_out * tr->pweight * g;
    }
    sq *= tr->pweight * scale / (double)tr->n_out;
    sq += tr->loss(tr->loss_ud, k, rows, x, y, scale, grad != NULL ? dy : NULL);
    if (grad != NULL)
        invnet_net_backward(tr->net, wk, rows, x, dy, grad);
    return sq;
}

void
invnet_trainer_set_ranks(invnet_trainer *tr, int rank, int size, invnet_reduce_fn fn, void *ud)
{
    int many = size > 1 && fn != NULL && rank >= 0 && rank < size;

    tr->sh.rank = many ? rank : 0; /* otherwise one process, which computes every shard */
    tr->sh.size = many ? size : 1;
    tr->sh.reduce = fn;
    tr->sh.reduce_ud = ud;
}

void
invnet_rows_part(size_t n, int rank, int size, size_t *first, size_t *count)
{
    size_t nb = (n + INVNET_SHARD_ROWS - 1) / INVNET_SHARD_ROWS, lo, hi;

    if (size < 1 || rank < 0 || rank >= size) {
        *first = 0;
        *count = n;
        return;
    }
    lo = nb * (size_t)rank / (size_t)size * INVNET_SHARD_ROWS;
    hi = nb * (size_t)(rank + 1) / (size_t)size * INVNET_SHARD_ROWS;
    *first = lo < n ? lo : n;
    *count = (hi < n ? hi : n) - *first;
}

int
invnet_trainer_set_split(invnet_trainer *tr, invnet_exchange_fn fn, void *ud)
{
    size_t size = (size_t)tr->sh.size, rw = tr->n_x + tr->n_out, n, q;

    if (size < 2 || fn == NULL)
        return 0;
    tr->t_starts = malloc((size + 1) * sizeof *tr->t_starts);
    tr->cnt = calloc(4 * size, sizeof *tr->cnt);
    tr->sbuf = malloc(tr->p.batch * rw * sizeof *tr->sbuf);
    tr->rbuf = malloc(tr->p.batch * rw * sizeof *tr->rbuf);
    tr->src = malloc(tr->p.batch * sizeof *tr->src);
    tr->own = malloc(tr->p.batch * sizeof *tr->own);
    if (tr->t_starts == NULL || tr->cnt == NULL || tr->sbuf == NULL || tr->rbuf == NULL ||
        tr->src == NULL || tr->own == NULL)
        return -1;
    for (q = 0; q < size; q++)
        invnet_rows_part(tr->n_train, (int)q, (int)size, &tr->t_starts[q], &n);
    tr->t_starts[size] = tr->n_train;
    tr->exchange = fn;
    tr->exchange_ud = ud;
    tr->sh.split = 1;
    return 0;
}

void
invnet_trainer_set_input(invnet_trainer *tr, size_t n_x, invnet_input_fn fn, const void *ud)
{
    tr->n_x = n_x;
    tr->input = fn;
    tr->input_ud = ud;
}

/* bad (0 or 1) summed over the processes of sh: how many of them failed. */
static double
total_bad(const struct share *sh, int bad)
{
    double v = bad;

    if (sh->size > 1)
        sh->reduce(sh->reduce_ud, &v, 1);
    return v;
}

/*
 * The loss (invnet_huber, squared error when tr is NULL) summed over a set of rows in blocks of
 * INVNET_SHARD_ROWS, computed in parallel and added in block order: each block's into block_sq (the
 * set's blocks), its per-output sums into sq (n_out) if not NULL. The processes of sh share the
 * blocks: in turn (block b to process b mod size), each holding all the rows at x and t; or, split,
 * each its own part of them (invnet_rows_part), which x and t start at. With tr, the
 * stage's loss when it has an extra one.
 */
static double
eval_sq(invnet_work **w, const invnet_net *net, int nthreads, size_t rows, const double *x,
        const double *t, double *block_sq, double *sq, const struct share *sh,
        const invnet_trainer *tr)
{
    int rank = sh->rank, size = sh->size, split = sh->split;
    size_t nblk = (rows + INVNET_SHARD_ROWS - 1) / INVNET_SHARD_ROWS;
    size_t n_in = invnet_net_n_in(net), n_out = invnet_net_n_out(net), b, j, lo = 0, held = rows;
    double total = 0, *bsq = NULL;
    long sb;

    if (sq != NULL) { /* every process goes on, or none does: each waits for the others */
        bsq = calloc(nblk * n_out, sizeof *bsq);
        if (total_bad(sh, bsq == NULL) > 0) {
            free(bsq);
            return NAN;
        }
    }
    if (split) /* the blocks held: [lo, lo + held / INVNET_SHARD_ROWS, rounded up) */
        invnet_rows_part(rows, rank, size, &lo, &held);
    lo /= INVNET_SHARD_ROWS;
#pragma omp parallel for schedule(static) num_threads(nthreads) default(none)                      \
    shared(w, net, rows, x, t, block_sq, bsq, nblk, n_in, n_out, rank, size, split, lo, held, tr)
    for (sb = 0; sb < (long)nblk; sb++) {
        size_t first = (size_t)sb * INVNET_SHARD_ROWS, at;
        size_t m = rows - first < INVNET_SHARD_ROWS ? rows - first : INVNET_SHARD_ROWS;
        int mine =
            split ? (size_t)sb >= lo && first < lo * INVNET_SHARD_ROWS + held : sb % size == rank;

        if (!mine) { /* another process's block */
            block_sq[sb] = 0;
            continue;
        }
        at = split ? first - lo * INVNET_SHARD_ROWS : first; /* where x and t hold it */
        if (tr != NULL && tr->loss != NULL) /* the mean loss per output, as below */
            block_sq[sb] = stage_loss(tr, w[omp_get_thread_num()], omp_get_thread_num(), m,
                                      x + at * n_in, t + at * n_out, (double)n_out, NULL);
        else
            block_sq[sb] = invnet_net_sq_error(net, w[omp_get_thread_num()], m, x + at * n_in,
                                               t + at * n_out, tr != NULL ? tr->p.huber : 0,
                                               bsq != NULL ? bsq + (size_t)sb * n_out : NULL);
    }
    if (size > 1) { /* a block's figures, 0 on every other process: exact sums */
        sh->reduce(sh->reduce_ud, block_sq, nblk);
        if (bsq != NULL)
            sh->reduce(sh->reduce_ud, bsq, nblk * n_out);
    }
    for (b = 0; b < nblk; b++) {
        total += block_sq[b];
        if (sq != NULL)
            for (j = 0; j < n_out; j++)
                sq[j] += bsq[b * n_out + j];
    }
    free(bsq);
    return total;
}

double
invnet_evaluate_split(const invnet_net *net, int nthreads, size_t rows, const double *x,
                      const double *t, double *rmse, int rank, int size, invnet_reduce_fn fn,
                      void *ud)
{
    size_t n_out = invnet_net_n_out(net), nblk = (rows + INVNET_SHARD_ROWS - 1) / INVNET_SHARD_ROWS;
    const double *os = invnet_net_norm_const(net, 3);
    invnet_work **w = calloc((size_t)nthreads, sizeof *w);
    double *blk = malloc((nblk > 0 ? nblk : 1) * sizeof *blk), total = NAN;
    int k, bad = w == NULL || blk == NULL || rows == 0;
    struct share sh = {0, 1, 0, NULL, NULL};
    size_t j;

    if (size > 1 && fn != NULL && rank >= 0 && rank < size)
        sh = (struct share){rank, size, 1, fn, ud};
    for (k = 0; !bad && k < nthreads; k++)
        bad = (w[k] = invnet_work_alloc(net, INVNET_SHARD_ROWS, NULL)) == NULL;
    bad = total_bad(&sh, bad) > 0; /* every process fails alike, or none does */
    if (!bad) {
        if (rmse != NULL)
            for (j = 0; j < n_out; j++)
                rmse[j] = 0;
        total =
            eval_sq(w, net, nthreads, rows, x, t, blk, rmse, &sh, NULL) / (double)(rows * n_out);
        if (rmse != NULL)
            for (j = 0; j < n_out; j++)
                rmse[j] = os[j] * sqrt(rmse[j] / (double)rows);
    }
    for (k = nthreads; w != NULL && k-- > 0;)
        invnet_work_free(w[k]);
    free(w);
    free(blk);
    return total;
}

double
invnet_evaluate(const invnet_net *net, int nthreads, size_t rows, const double *x, const double *t,
                double *rmse)
{
    return invnet_evaluate_split(net, nthreads, rows, x, t, rmse, 0, 1, NULL, NULL);
}

/* Fisher-Yates shuffle of the training order from the epoch's stream of the seed. */
static void
shuffle(invnet_trainer *tr)
{
    size_t i, j, tmp;

    fwd_rng_set_stream(tr->r, tr->p.seed, tr->epoch);
    for (i = tr->n_train; i-- > 1;) {
        j = (size_t)gsl_rng_uniform_int(tr->r, (unsigned long)i + 1);
        tmp = tr->perm[i];
        tr->perm[i] = tr->perm[j];
        tr->perm[j] = tmp;
    }
}

/*
 * The optimiser's step for parameters [lo, hi): the shards' gradients summed in shard order
 * into the first, then Adam or momentum. Element-wise, so any split of the parameters
 * between threads gives the same bits; vectorised (IEEE division and square root, no FMA
 * contraction under -std=c11), so every clone gives the same bits too.
 */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
static void
update(invnet_trainer *tr, double *theta, size_t nsh, size_t lo, size_t hi)
{
    double *restrict g = tr->gsh, *restrict m = tr->m, *restrict v = tr->v;
    double *restrict th = theta;
    const double b1 = tr->p.beta1, b2 = tr->p.beta2, eps = tr->p.adam_eps, lr = tr->lr;
    const double mu = tr->p.momentum;
    size_t np = tr->np, k, q;

    for (k = 1; k < nsh; k++) {
        const double *gk = g + k * np;

#pragma omp simd
        for (q = lo; q < hi; q++)
            g[q] += gk[q];
    }
    if (tr->p.opt == INVNET_ADAM) {
        const double t1 = 1 - pow(b1, (double)tr->step), t2 = 1 - pow(b2, (double)tr->step);

#pragma omp simd
        for (q = lo; q < hi; q++) {
            double mq = m[q] = b1 * m[q] + (1 - b1) * g[q];
            double vq = v[q] = b2 * v[q] + (1 - b2) * g[q] * g[q];

            th[q] -= lr * (mq / t1) / (sqrt(vq / t2) + eps);
        }
    } else {
#pragma omp simd
        for (q = lo; q < hi; q++) {
            m[q] = mu * m[q] - lr * g[q];
            th[q] += m[q];
        }
    }
    if (tr->avg != NULL) { /* a short memory at first, as the start is no guide */
        double *restrict a = tr->avg;
        const double w = (1.0 + (double)tr->step) / (10.0 + (double)tr->step);
        const double be = w < tr->p.average ? w : tr->p.average;

#pragma omp simd
        for (q = lo; q < hi; q++)
            a[q] = be * a[q] + (1 - be) * th[q];
    }
}

/* The process that holds training row r when the rows are split. */
static int
owner(const invnet_trainer *tr, size_t r)
{
    int lo = 0, hi = tr->sh.size - 1;

    while (lo < hi) { /* the last process whose first row is r or before */
        int mid = (lo + hi + 1) / 2;

        if (tr->t_starts[mid] <= r)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/*
 * Split rows: brings this process the rows of its shards of the minibatch perm[first ..
 * first + b) (shard s is process s mod size's) from the processes that hold them, in one
 * exchange, and points tr->src[i] at each row i of its shards (n_x values, then n_out).
 */
static void
fetch_rows(invnet_trainer *tr, size_t first, size_t b)
{
    size_t size = (size_t)tr->sh.size, rank = (size_t)tr->sh.rank, rw = tr->n_x + tr->n_out;
    size_t *sn = tr->cnt, *sat = sn + size, *rn = sat + size, *rat = rn + size, i, q;

    for (q = 0; q < size; q++)
        sn[q] = rn[q] = 0;
    for (i = 0; i < b; i++) { /* what goes where: row i is for shard i / INVNET_SHARD_ROWS */
        size_t p = (size_t)(tr->own[i] = owner(tr, tr->perm[first + i]));

        q = i / INVNET_SHARD_ROWS % size;
        if (p == rank)
            sn[q] += rw;
        if (q == rank)
            rn[p] += rw;
    }
    for (q = 0; q < size; q++) {
        sat[q] = q > 0 ? sat[q - 1] + sn[q - 1] : 0;
        rat[q] = q > 0 ? rat[q - 1] + rn[q - 1] : 0;
    }
    for (i = 0; i < b; i++) { /* this process's rows, for each process in its order */
        size_t l;
        double *to;

        if ((size_t)tr->own[i] != rank)
            continue;
        l = tr->perm[first + i] - tr->t_starts[rank]; /* where this process holds it */
        q = i / INVNET_SHARD_ROWS % size;
        to = tr->sbuf + sat[q];
        memcpy(to, tr->xt + l * tr->n_x, tr->n_x * sizeof(double));
        memcpy(to + tr->n_x, tr->tt + l * tr->n_out, tr->n_out * sizeof(double));
        sat[q] += rw;
    }
    for (q = 0; q < size; q++)
        sat[q] -= sn[q];
    tr->exchange(tr->exchange_ud, tr->sbuf, sn, sat, tr->rbuf, rn, rat);
    for (i = 0; i < b; i++) /* received from each process in the order of the shards */
        if (i / INVNET_SHARD_ROWS % size == rank) {
            size_t p = (size_t)tr->own[i];

            tr->src[i] = tr->rbuf + rat[p];
            rat[p] += rw;
        }
}

/* One minibatch of rows perm[first .. first + b): gradient, then the optimiser's step. */
static double
step(invnet_trainer *tr, size_t first, size_t b)
{
    size_t n_in = tr->n_in, n_out = tr->n_out, np = tr->np, nsh, nown, s;
    size_t rank = (size_t)tr->sh.rank, size = (size_t)tr->sh.size;
    double *theta = invnet_net_params(tr->net), loss = 0;
    const invnet_net *net = tr->net;
    double scale = 1.0 / (double)(b * n_out);

    nsh = (b + INVNET_SHARD_ROWS - 1) / INVNET_SHARD_ROWS;
    /* this process's shards: s = rank, rank + size, ... (all of them on one process) */
    nown = nsh > rank ? (nsh - rank + size - 1) / size : 0;
    if (size > 1) /* the other processes' shards are 0 here, for the sum */
        memset(tr->gsh, 0, nsh * (np + 1) * sizeof(double));
    if (tr->sh.split)
        fetch_rows(tr, first, b);
#pragma omp parallel num_threads(tr->pace.n) default(none)                                         \
    shared(tr, net, first, b, nsh, nown, n_in, n_out, np, scale, theta, rank, size)
    {
        invnet_work *wk = tr->w[omp_get_thread_num()];
        long j;

#pragma omp for schedule(static)
        for (j = 0; j < (long)nown; j++) {
            size_t sh = rank + (size_t)j * size;
            size_t f = sh * INVNET_SHARD_ROWS;
            size_t m = b - f < INVNET_SHARD_ROWS ? b - f : INVNET_SHARD_ROWS, i;

            /* each shard gathers its own rows of the shuffled order */
            for (i = f; i < f + m; i++) {
                size_t r = tr->perm[first + i];
                const double *x = tr->sh.split ? tr->src[i] : tr->xt + r * tr->n_x;
                const double *t = tr->sh.split ? tr->src[i] + tr->n_x : tr->tt + r * n_out;

                if (tr->input != NULL)
                    tr->input(tr->input_ud, tr->epoch, r, x, tr->xb + i * n_in);
                else
                    memcpy(tr->xb + i * n_in, x, n_in * sizeof(double));
                memcpy(tr->tb + i * n_out, t, n_out * sizeof(double));
            }
            if (tr->loss != NULL) /* scale per output: per row, times n_out */
                tr->gsh[nsh * np + sh] =
                    stage_loss(tr, wk, omp_get_thread_num(), m, tr->xb + f * n_in,
                               tr->tb + f * n_out, scale * (double)n_out, tr->gsh + sh * np);
            else
                tr->gsh[nsh * np + sh] =
                    invnet_net_loss_grad(net, wk, m, tr->xb + f * n_in, tr->tb + f * n_out, scale,
                                         tr->p.huber, tr->gsh + sh * np);
        }
#pragma omp master
        if (size > 1) { /* one sum over the processes per step, their stop flags with it */
            tr->gsh[nsh * (np + 1)] = tr->stop != NULL && *tr->stop != 0;
            tr->sh.reduce(tr->sh.reduce_ud, tr->gsh, nsh * (np + 1) + 1);
        }
#pragma omp barrier
        {
            int nth = omp_get_num_threads(), th = omp_get_thread_num();

            update(tr, theta, nsh, np * (size_t)th / (size_t)nth,
                   np * (size_t)(th + 1) / (size_t)nth);
        }
    }
    for (s = 0; s < nsh; s++)
        loss += tr->gsh[nsh * np + s];
    return loss; /* the mean loss of the batch (scale included) */
}

void
invnet_trainer_set_stop(invnet_trainer *tr, const volatile sig_atomic_t *flag)
{
    tr->stop = flag;
}

/* After the step of b rows: the stop flag, this process's or (distributed) any process's. */
static int
stop_asked(const invnet_trainer *tr, size_t b)
{
    size_t nsh = (b + INVNET_SHARD_ROWS - 1) / INVNET_SHARD_ROWS;

    if (tr->sh.size > 1)
        return tr->gsh[nsh * (tr->np + 1)] != 0;
    return tr->stop != NULL && *tr->stop != 0;
}

/* The net's validation loss: the stage's mean loss per output over the validation rows. */
static double
val_loss(const invnet_trainer *tr)
{
    return eval_sq(tr->w, tr->net, tr->pace.n, tr->n_val, tr->xv, tr->tv, tr->shard_loss, NULL,
                   &tr->sh, tr) /
           (double)(tr->n_val * tr->n_out);
}

int
invnet_trainer_iterate(invnet_trainer *tr, invnet_epoch *e, fwd_error *err)
{
    size_t first, b, batch = tr->p.batch;
    double sum = 0, val;
    int bad;

    memset(e, 0, sizeof *e);
    tr->epoch++;
    shuffle(tr);
    for (first = 0; first < tr->n_train; first += b) {
        b = tr->n_train - first < batch ? tr->n_train - first : batch;
        double t0 = omp_get_wtime();

        tr->step++;
        sum += step(tr, first, b) * (double)b;
        if (tr->sh.size == 1 && tr->step > 1) /* distributed, a step waits for the others:
                                               * not paced; the first warms the caches */
            pace_step(&tr->pace, &tr->p, b, omp_get_wtime() - t0);
        if (stop_asked(tr, b) && first + b < tr->n_train) {
            tr->epoch--; /* not an epoch: the best weights stay those of the last ones */
            e->stopped = 1;
            return FWD_OK;
        }
    }
    e->epoch = tr->epoch;
    e->threads = tr->pace.chosen;
    e->lr = tr->lr;
    e->halved = tr->halved;
    tr->halved = 0;
    e->train_loss = sum / (double)tr->n_train;
    if (tr->avg != NULL) { /* the average is what is validated, kept and returned */
        memcpy(tr->tmp, invnet_net_params(tr->net), tr->np * sizeof(double));
        memcpy(invnet_net_params(tr->net), tr->avg, tr->np * sizeof(double));
    }
    val = tr->n_val > 0 ? val_loss(tr) : e->train_loss;
    e->val_loss = val;
    bad = !isfinite(e->train_loss) || !isfinite(val);
    e->improved = !bad && val < tr->best_loss * (1 - tr->p.min_delta);
    if (!bad && val < tr->best_loss) {
        /* keep the lowest loss even when the decrease is too small to reset patience */
        memcpy(invnet_net_params(tr->best), invnet_net_params(tr->net), tr->np * sizeof(double));
        tr->best_loss = val;
        tr->best_epoch = tr->epoch;
    }
    if (tr->avg != NULL) /* the steps' own weights back, whatever the loss */
        memcpy(invnet_net_params(tr->net), tr->tmp, tr->np * sizeof(double));
    if (bad)
        return fwd_error_set(err, FWD_ENUMERIC,
                             "epoch %zu: the loss is not finite (training diverged; try a "
                             "smaller learning rate than %g)",
                             tr->epoch, tr->lr);
    tr->since_best = e->improved ? 0 : tr->since_best + 1;
    tr->lr *= tr->p.lr_decay;
    if (tr->loss != NULL && tr->p.patience > 0 && 2 * tr->since_best >= tr->p.patience &&
        tr->halvings < INVNET_TRAIN_HALVINGS) {
        tr->lr *= 0.5;
        tr->halvings++;
        tr->halved = 1;
        tr->since_best = 0;
    }
    return FWD_OK;
}

invnet_train_state *
invnet_train_state_alloc(size_t np, size_t n_train, int average)
{
    invnet_train_state *s = calloc(1, sizeof *s);
    int bad;

    if (s == NULL)
        return NULL;
    s->np = np;
    s->n_train = n_train;
    bad = (s->weights = malloc(np * sizeof(double))) == NULL;
    bad = bad || (s->best = malloc(np * sizeof(double))) == NULL;
    bad = bad || (s->m = malloc(np * sizeof(double))) == NULL;
    bad = bad || (s->v = malloc(np * sizeof(double))) == NULL;
    bad = bad || (average && (s->avg = malloc(np * sizeof(double))) == NULL);
    bad = bad || (s->perm = malloc((n_train ? n_train : 1) * sizeof *s->perm)) == NULL;
    if (bad) {
        invnet_train_state_free(s);
        return NULL;
    }
    return s;
}

void
invnet_train_state_free(invnet_train_state *s)
{
    if (s == NULL)
        return;
    free(s->weights);
    free(s->best);
    free(s->m);
    free(s->v);
    free(s->avg);
    free(s->perm);
    free(s);
}

invnet_train_state *
invnet_train_state_clone(const invnet_train_state *s)
{
    invnet_train_state *t = invnet_train_state_alloc(s->np, s->n_train, s->avg != NULL), own;
    size_t b = s->np * sizeof(double);

    if (t == NULL)
        return NULL;
    own = *t; /* t's arrays; then s's sizes and counters, and s's values in t's arrays */
    *t = *s;
    t->weights = memcpy(own.weights, s->weights, b);
    t->best = memcpy(own.best, s->best, b);
    t->m = memcpy(own.m, s->m, b);
    t->v = memcpy(own.v, s->v, b);
    t->avg = s->avg != NULL ? memcpy(own.avg, s->avg, b) : NULL;
    t->perm = memcpy(own.perm, s->perm, s->n_train * sizeof *s->perm);
    return t;
}

void
invnet_trainer_get_state(const invnet_trainer *tr, invnet_train_state *s)
{
    size_t i, np = tr->np * sizeof(double);

    memcpy(s->weights, invnet_net_params_const(tr->net), np);
    memcpy(s->best, invnet_net_params_const(tr->best), np);
    memcpy(s->m, tr->m, np);
    memcpy(s->v, tr->v, np);
    if (tr->avg != NULL && s->avg != NULL)
        memcpy(s->avg, tr->avg, np);
    for (i = 0; i < tr->n_train; i++)
        s->perm[i] = tr->perm[i];
    s->epoch = tr->epoch;
    s->best_epoch = tr->best_epoch;
    s->since_best = tr->since_best;
    s->last_epoch = tr->last_epoch;
    s->halvings = tr->halvings;
    s->halved = tr->halved;
    s->best_loss = tr->best_loss;
    s->lr = tr->lr;
    s->step = tr->step;
}

int
invnet_trainer_set_state(invnet_trainer *tr, const invnet_train_state *s, fwd_error *err)
{
    size_t i, np = tr->np * sizeof(double);

    if (s->np != tr->np || s->n_train != tr->n_train || (s->avg != NULL) != (tr->avg != NULL))
        return fwd_error_set_field(err, FWD_EINVAL, "state",
                                   "the state is of a net of %zu weights, %zu training rows and "
                                   "%s average; expected %zu, %zu and %s",
                                   s->np, s->n_train, s->avg != NULL ? "an" : "no", tr->np,
                                   tr->n_train, tr->avg != NULL ? "an" : "no");
    for (i = 0; i < tr->n_train; i++)
        if (s->perm[i] >= tr->n_train)
            return fwd_error_set_field(err, FWD_EINVAL, "state",
                                       "the state's training order holds row %llu of %zu",
                                       (unsigned long long)s->perm[i], tr->n_train);
    memcpy(invnet_net_params(tr->net), s->weights, np);
    memcpy(invnet_net_params(tr->best), s->best, np);
    memcpy(tr->m, s->m, np);
    memcpy(tr->v, s->v, np);
    if (tr->avg != NULL)
        memcpy(tr->avg, s->avg, np);
    for (i = 0; i < tr->n_train; i++)
        tr->perm[i] = (size_t)s->perm[i];
    tr->epoch = s->epoch;
    tr->best_epoch = s->best_epoch;
    tr->since_best = s->since_best;
    tr->last_epoch = s->last_epoch;
    tr->halvings = s->halvings;
    tr->halved = s->halved;
    tr->best_loss = s->best_loss;
    tr->lr = s->lr;
    tr->step = s->step;
    return FWD_OK;
}

int
invnet_trainer_test(const invnet_trainer *tr)
{
    if (tr->epoch >= tr->last_epoch)
        return 1;
    return tr->p.patience > 0 && tr->since_best >= tr->p.patience;
}

const double *
invnet_trainer_average(const invnet_trainer *tr)
{
    return tr->avg;
}

int
invnet_trainer_keep_start(invnet_trainer *tr, double *loss, fwd_error *err)
{
    double val;

    *loss = NAN;
    if (tr->n_val == 0)
        return fwd_error_set_field(err, FWD_EINVAL, "val",
                                   "a warm start needs validation rows: the weights it starts "
                                   "from are kept unless an epoch validates better");
    val = val_loss(tr); /* as an epoch validates */
    if (!isfinite(val))
        return fwd_error_set(err, FWD_ENUMERIC,
                             "the validation loss of the weights training starts from is %g: "
                             "not a net of these rows' scale",
                             val);
    memcpy(invnet_net_params(tr->best), invnet_net_params_const(tr->net), tr->np * sizeof(double));
    if (tr->avg != NULL)
        memcpy(tr->avg, invnet_net_params_const(tr->net), tr->np * sizeof(double));
    tr->best_loss = val;
    tr->best_epoch = 0;
    tr->since_best = 0;
    *loss = val;
    return FWD_OK;
}

size_t
invnet_trainer_restore_best(invnet_trainer *tr, double *best_val_loss)
{
    if (best_val_loss != NULL)
        *best_val_loss = tr->best_loss;
    memcpy(invnet_net_params(tr->net), invnet_net_params_const(tr->best), tr->np * sizeof(double));
    return tr->best_epoch;
}
