/* SPDX-License-Identifier: MIT */
/*
 * test_split.c - training with the rows split between processes (invnet_dataset_load_part,
 * invnet_trainer_set_split) against one process with all of them. The processes are
 * threads here, their sum and exchange what MPI_Allreduce and MPI_Alltoallv do, so the
 * library's side of `mpirun bpinv train` is tested without MPI; tests/cli/test_mpi.sh
 * runs the real thing.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tests/common.h"
#include <hdf5.h>

#include "invnet/invnet_fit.h"
#include "invnet/invnet_stats.h"
#include "tests/invnet/helpers.h"

#define MAX_RANKS 4

static char dir[64];

static void
setup(void)
{
    tst_mkdtemp(dir, sizeof dir, "split");
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void
teardown(void)
{
    tst_rmtree(dir);
}

/* a process that fails alone would leave the others waiting: a hang is a failure */
TestSuite(invnet_split, .init = setup, .fini = teardown, .timeout = 120);

/* The processes of a run, as threads: what each posts for a sum or an exchange. */
struct world {
    int size;
    pthread_barrier_t bar;
    double *v[MAX_RANKS];
    const double *send[MAX_RANKS];
    const size_t *send_n[MAX_RANKS], *send_at[MAX_RANKS];
    size_t exchanges; /* rows exchanged, in doubles, by all */
};

struct proc {
    struct world *w;
    int rank;
    const char *path;
    invnet_fit_params p;
    invnet_file *out;
    int rc;
};

/* MPI_Allreduce's sum: every process posts v, reads every other's, then writes its own. */
static void
sum(void *ud, double *v, size_t n)
{
    struct proc *me = ud;
    struct world *w = me->w;
    double *s = calloc(n > 0 ? n : 1, sizeof *s);
    size_t i;
    int r;

    cr_assert_not_null(s);
    w->v[me->rank] = v;
    pthread_barrier_wait(&w->bar);
    for (r = 0; r < w->size; r++)
        for (i = 0; i < n; i++)
            s[i] += w->v[r][i];
    pthread_barrier_wait(&w->bar);
    memcpy(v, s, n * sizeof *s);
    free(s);
}

/* MPI_Alltoallv: every process posts what it sends, then takes its share of each. */
static void
exchange(void *ud, const double *send, const size_t *send_n, const size_t *send_at, double *recv,
         const size_t *recv_n, const size_t *recv_at)
{
    struct proc *me = ud;
    struct world *w = me->w;
    int p;

    w->send[me->rank] = send;
    w->send_n[me->rank] = send_n;
    w->send_at[me->rank] = send_at;
    pthread_barrier_wait(&w->bar);
    for (p = 0; p < w->size; p++) {
        cr_assert_eq(w->send_n[p][me->rank], recv_n[p],
                     "rank %d expects %zu doubles of %d, sent %zu", me->rank, recv_n[p], p,
                     w->send_n[p][me->rank]);
        memcpy(recv + recv_at[p], w->send[p] + w->send_at[p][me->rank], recv_n[p] * sizeof *recv);
        if (p != me->rank)
            __atomic_add_fetch(&w->exchanges, recv_n[p], __ATOMIC_RELAXED);
    }
    pthread_barrier_wait(&w->bar);
}

static void *
run(void *arg)
{
    struct proc *me = arg;
    invnet_dataset *d;
    fwd_error err;

    d = invnet_dataset_load_part(me->path, me->p.noisy, me->p.max_samples, me->p.val,
                                 me->p.head_rows, me->rank, me->w->size, &err);
    cr_assert_not_null(d, "%s", err.msg);
    me->rc = invnet_fit_dataset(me->path, d, &me->p, NULL, NULL, &me->out, NULL, &err);
    invnet_dataset_free(d);
    return NULL;
}

/* The same doubles, n of them. */
static void
expect_same(const double *a, const double *b, size_t n, const char *what, int size)
{
    cr_expect_arr_eq(a, b, n * sizeof *a, "%s: %d processes differ from one", what, size);
}

static void
expect_same_net(const invnet_file *a, const invnet_file *b, int size)
{
    size_t ni = a->env->n, k;

    expect_same(invnet_net_params_const(a->net), invnet_net_params_const(b->net),
                invnet_net_nparams(a->net), "weights", size);
    for (k = 0; k < 4; k++)
        expect_same(invnet_net_norm_const(a->net, (int)k), invnet_net_norm_const(b->net, (int)k),
                    k < 2 ? invnet_net_n_in(a->net) : invnet_net_n_out(a->net), "normalisation",
                    size);
    expect_same(a->env->min, b->env->min, ni, "envelope min", size);
    expect_same(a->env->max, b->env->max, ni, "envelope max", size);
    expect_same(a->env->mean, b->env->mean, ni, "envelope mean", size);
    expect_same(a->env->pc, b->env->pc, ni * ni, "envelope components", size);
    cr_expect_eq(a->env->d2_q99, b->env->d2_q99);
    cr_expect_eq(a->n_epochs, b->n_epochs);
    cr_expect_eq(a->best_epoch, b->best_epoch);
    expect_same(a->val_loss, b->val_loss, a->n_epochs, "validation losses", size);
    expect_same(a->train_loss, b->train_loss, a->n_epochs, "training losses", size);
    expect_same(a->val_rmse, b->val_rmse, invnet_net_n_out(a->net), "validation RMSE", size);
}

/* Trains on path with p split between size processes; rank 0's net, and the doubles moved
 * between them into *moved. */
static invnet_file *
train_split(const char *path, const invnet_fit_params *p, int size, size_t *moved)
{
    struct world w = {.size = size};
    struct proc pr[MAX_RANKS];
    pthread_t th[MAX_RANKS];
    int r;

    pthread_barrier_init(&w.bar, NULL, (unsigned)size);
    for (r = 0; r < size; r++) {
        pr[r] = (struct proc){&w, r, path, *p, NULL, -1};
        pr[r].p.rank = r;
        pr[r].p.ranks = size;
        pr[r].p.reduce = sum;
        pr[r].p.reduce_ud = &pr[r];
        pr[r].p.exchange = exchange;
        pr[r].p.exchange_ud = &pr[r];
        cr_assert_eq(pthread_create(&th[r], NULL, run, &pr[r]), 0);
    }
    for (r = 0; r < size; r++)
        pthread_join(th[r], NULL);
    pthread_barrier_destroy(&w.bar);
    for (r = 0; r < size; r++) {
        cr_assert_eq(pr[r].rc, FWD_OK, "rank %d failed", r);
        if (r > 0) { /* every process ends with the same net, envelope and history */
            expect_same_net(pr[0].out, pr[r].out, size);
            invnet_file_free(pr[r].out);
        }
    }
    *moved = w.exchanges;
    return pr[0].out;
}

/* A small, quick recipe: a masked net (the span is 3 decades), and a data stage. */
static invnet_fit_params
recipe(void)
{
    invnet_fit_params p = invnet_fit_default();

    p.hidden[0] = 16;
    p.n_hidden = 1;
    p.train.epochs = 3;
    p.train.batch = 300; /* 3 shards, the last of 44 rows */
    p.train.nthreads = 1;
    p.data_epochs = 1;
    p.masked = 1;
    p.head_rows = 400;
    return p;
}

Test(invnet_split, any_number_of_processes_trains_the_one_process_net)
{
    char path[512];
    invnet_fit_params p = recipe();
    invnet_file *one, *many;
    fwd_error err;
    size_t moved;
    int size;

    tst_make_samples(dir, "s.h5", 1500, 0.05, 0, path);
    cr_assert_eq(invnet_fit(path, &p, NULL, NULL, &one, NULL, &err), FWD_OK, "%s", err.msg);
    cr_assert(one->masked);
    for (size = 2; size <= MAX_RANKS; size++) {
        many = train_split(path, &p, size, &moved);
        expect_same_net(one, many, size);
        /* each step brings each process the rows of its shards it does not hold */
        cr_expect_gt(moved, 0);
        cr_expect_lt(moved, (size_t)(one->n_epochs + 1) * one->n_train * 21);
        invnet_file_free(many);
    }
    invnet_file_free(one);
}

Test(invnet_split, without_validation_and_with_processes_holding_no_rows)
{
    char path[512];
    invnet_fit_params p = recipe();
    invnet_file *one, *many;
    size_t moved;

    /* 200 rows, none validating: 2 blocks of rows for 4 processes, 2 of which hold none;
     * the RMSE is then measured on the split training rows */
    tst_make_samples(dir, "s.h5", 200, 0.05, 0, path);
    p.val = 0;
    p.train.batch = 256;
    p.mask.min_span = 3; /* a plain net */
    cr_assert_eq(invnet_fit(path, &p, NULL, NULL, &one, NULL, NULL), FWD_OK);
    cr_assert(!one->masked);
    many = train_split(path, &p, 4, &moved);
    expect_same_net(one, many, 4);
    invnet_file_free(many);
    invnet_file_free(one);
}

Test(invnet_split, statistics_from_the_head_bounds_from_every_row)
{
    char path[512];
    invnet_fit_params p = recipe();
    invnet_dataset *d;
    invnet_file *f;
    size_t nt, n, j, i, wider = 0;
    double *mean, *sd, lo, hi;

    tst_make_samples(dir, "s.h5", 1000, 0.05, 0, path);
    p.train.epochs = 1;
    p.data_epochs = 0;
    p.head_rows = 100;
    cr_assert_eq(invnet_fit(path, &p, NULL, NULL, &f, NULL, NULL), FWD_OK);
    d = invnet_dataset_load(path, 1, 0, NULL);
    cr_assert_not_null(d);
    nt = d->rows - invnet_n_val(d->rows, p.val);
    cr_assert_eq(nt, 900);
    n = d->n_in;
    mean = malloc(n * sizeof *mean);
    sd = malloc(n * sizeof *sd);
    cr_assert(mean != NULL && sd != NULL);
    /* the normalisation: of the first 100 training rows, not all 900; a masked net's
     * pooled over the points (the mean and sd of all their values) */
    invnet_colstats(100, n, d->x, mean, sd);
    cr_expect_arr_eq(f->env->mean, mean, n * sizeof *mean);
    invnet_colstats(100 * n, 1, d->x, &lo, &hi);
    for (j = 0; j < n; j++) {
        cr_expect(fabs(invnet_net_norm_const(f->net, 0)[j] - lo) < 1e-12 * fabs(lo),
                  "mean of feature %zu: %.17g, expected %.17g", j,
                  invnet_net_norm_const(f->net, 0)[j], lo);
        /* the points' sds over 99, the whole's over 999: 1 % apart at most */
        cr_expect(fabs(invnet_net_norm_const(f->net, 1)[j] / hi - 1) < 0.01,
                  "sd of feature %zu: %.17g, expected %.17g", j,
                  invnet_net_norm_const(f->net, 1)[j], hi);
    }
    /* the bounds: every training row's, wider than the head's for some feature */
    for (j = 0; j < n; j++) {
        double hlo = INFINITY, hhi = -INFINITY;

        lo = INFINITY, hi = -INFINITY;
        for (i = 0; i < nt; i++) {
            double v = d->x[i * n + j];

            lo = fmin(lo, v), hi = fmax(hi, v);
            if (i < 100)
                hlo = fmin(hlo, v), hhi = fmax(hhi, v);
        }
        cr_expect_eq(f->env->min[j], lo, "feature %zu", j);
        cr_expect_eq(f->env->max[j], hi, "feature %zu", j);
        wider += lo < hlo || hi > hhi;
    }
    cr_expect_gt(wider, n / 2);
    free(mean);
    free(sd);
    invnet_dataset_free(d);
    invnet_file_free(f);
}

Test(invnet_split, a_part_without_its_processes_is_refused)
{
    char path[512];
    invnet_fit_params p = recipe();
    invnet_dataset *d;
    invnet_file *f = NULL;
    fwd_error err;

    tst_make_samples(dir, "s.h5", 600, 0.05, 0, path);
    d = invnet_dataset_load_part(path, 1, 0, 0.1, 0, 1, 2, &err);
    cr_assert_not_null(d);
    cr_expect(d->part);
    cr_expect_eq(d->n_val, 60);
    cr_expect_eq(d->train_first + d->train_held, 540); /* the second of 2: to the end */
    cr_expect_eq(d->val_held, 60);                     /* 60 rows are 1 block: the last process's */
    cr_expect_eq(d->n_head, 540);
    cr_expect_eq(d->val_at, d->train_held); /* the head is process 0's */
    cr_expect_eq(invnet_fit_dataset(path, d, &p, NULL, NULL, &f, NULL, &err), FWD_EINVAL);
    cr_expect_null(f);
    cr_expect(strstr(err.msg, "a part of the rows") != NULL, "%s", err.msg);
    invnet_dataset_free(d);
    /* process 0 of 3 holds 128 rows of its own, and reads on to the head's end */
    d = invnet_dataset_load_part(path, 1, 0, 0.1, 300, 0, 3, &err);
    cr_assert_not_null(d);
    cr_expect_eq(d->train_first, 0);
    cr_expect_eq(d->train_held, 128);
    cr_expect_eq(d->val_at, 300);
    cr_expect_eq(d->val_held, 0);
    invnet_dataset_free(d);
}
