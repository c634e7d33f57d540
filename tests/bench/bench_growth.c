/* SPDX-License-Identifier: MIT */
/*
 * bench_growth.c - how the costs grow: the Schlumberger forward against the number of layers
 * and of spacings, and training against the hidden units and the number of samples, one
 * thread each, as Markdown tables. (Inversion against the batch size: bench_invert.sh.)
 * usage: bench_growth
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "forward/fwd_forward.h"
#include "forward/fwd_model.h"
#include "invnet/invnet_train.h"
#include "forward/base/fwd_rng.h"

void openblas_set_num_threads(int num_threads);

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double
uniform(uint64_t *s)
{
    return (double)(fwd_splitmix64(s) >> 11) * 0x1.0p-53;
}

/* Models/s of an nl-layer Schlumberger forward on npts spacings over 1..1000 m. */
static double
forward_rate(size_t nl, size_t npts)
{
    size_t np = FWD_MODEL_NPARAMS(nl), count = 20000, i;
    double *x = malloc(npts * sizeof *x), *p = malloc(count * np * sizeof *p),
           *d = malloc(count * npts * sizeof *d), t0, t;
    uint64_t s = 1;
    fwd_geom *g;
    fwd_workspace *w;

    for (i = 0; i < npts; i++)
        x[i] = pow(10, 3.0 * (double)i / (double)(npts - 1));
    for (i = 0; i < count * np; i++)
        p[i] = (i % np) < nl ? 3 * uniform(&s) : 2 * uniform(&s);
    g = fwd_geom_alloc(FWD_SCHLUMBERGER, npts, x, NULL, NULL);
    w = fwd_workspace_alloc(g, NULL, NULL);
    t0 = now();
    fwd_eval_batch(w, nl, count, p, d, NULL);
    t = now() - t0;
    fwd_workspace_free(w);
    fwd_geom_free(g);
    free(d);
    free(p);
    free(x);
    return (double)count / t;
}

/* Sample-passes/s of a 30-H-7 tanh net trained by Adam (batch 256) on n random rows. */
static double
train_rate(size_t hidden, size_t n)
{
    size_t h[1], i, epochs = n >= 100000 ? 1 : 200000 / n;
    double *x = malloc(n * 30 * sizeof *x), *t = malloc(n * 7 * sizeof *t), t0, el;
    invnet_train_params p = invnet_train_default();
    invnet_net *net;
    invnet_trainer *tr;
    invnet_epoch e;
    uint64_t s = 2;

    h[0] = hidden;
    for (i = 0; i < n * 30; i++)
        x[i] = 2 * uniform(&s) - 1;
    for (i = 0; i < n * 7; i++)
        t[i] = sin(x[(i / 7) * 30 + i % 7] * 3);
    net = invnet_net_alloc(30, 1, h, 7, INVNET_TANH, NULL);
    invnet_net_init(net, 1);
    p.patience = 0;
    p.epochs = epochs;
    tr = invnet_trainer_alloc(net, &p, n, x, t, 0, NULL, NULL, NULL);
    t0 = now();
    for (i = 0; i < epochs; i++)
        invnet_trainer_iterate(tr, &e, NULL);
    el = now() - t0;
    invnet_trainer_free(tr);
    invnet_net_free(net);
    free(t);
    free(x);
    return (double)(n * epochs) / el;
}

int
main(void)
{
    static const size_t layers[] = {2, 4, 8, 16}, points[] = {10, 30, 100, 300};
    static const size_t hidden[] = {16, 64, 256}, rows[] = {1000, 10000, 100000};
    size_t a, b;

    gsl_set_error_handler_off();
    openblas_set_num_threads(1);
    printf("## cost growth: Schlumberger forward, models/s on 1 thread (1-1000 m)\n\n");
    printf("| layers \\ spacings |");
    for (b = 0; b < 4; b++)
        printf(" %zu |", points[b]);
    printf("\n|---|---:|---:|---:|---:|\n");
    for (a = 0; a < 4; a++) {
        printf("| %zu |", layers[a]);
        for (b = 0; b < 4; b++)
            printf(" %.0f |", forward_rate(layers[a], points[b]));
        printf("\n");
    }
    printf("\n## cost growth: training, sample-passes/s on 1 thread (30-H-7 tanh, Adam, batch "
           "256)\n\n| hidden units \\ training rows |");
    for (b = 0; b < 3; b++)
        printf(" %zu |", rows[b]);
    printf("\n|---|---:|---:|---:|\n");
    for (a = 0; a < 3; a++) {
        printf("| %zu |", hidden[a]);
        for (b = 0; b < 3; b++)
            printf(" %.0f |", train_rate(hidden[a], rows[b]));
        printf("\n");
    }
    printf("\nTraining time is rows x epochs / rate: linear in the rows; the rate falls about "
           "as 1 / hidden units once the matrix products dominate.\n");
    return 0;
}
