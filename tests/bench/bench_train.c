/* SPDX-License-Identifier: MIT */
/*
 * bench_train.c - training throughput of libinvnet: sample-passes per second of a BP net
 * trained with Adam on a samples file, on 1 and 2 threads, and the validation loss after
 * the same epochs, for comparison with a peer (tests/bench/peer_train_torch.py) on the
 * same data, split, standardisation and architecture.
 * usage: bench_train SAMPLES.h5 [EPOCHS [HIDDEN [BATCH]]]
 *        bench_train --peak
 * Prints one Markdown table row per thread count; with --peak, the BLAS the process got
 * (OpenBLAS's kernel family, and OPENBLAS_CORETYPE when the environment forces one) and the
 * DGEMM rate of 1024 x 1024 products on 1 and 2 threads, the peak a trainer is measured
 * against.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <hdf5.h>

#include "invnet/invnet_fit.h"

void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The BLAS's kernel family and its DGEMM rate (best of 5) on 1 and 2 threads. */
static int
peak(void)
{
    const size_t n = 1024;
    gsl_matrix *a = gsl_matrix_alloc(n, n), *b = gsl_matrix_alloc(n, n),
               *c = gsl_matrix_alloc(n, n);
    const char *forced = getenv("OPENBLAS_CORETYPE");
    size_t i;
    int j, k;

    if (a == NULL || b == NULL || c == NULL) {
        fprintf(stderr, "bench_train: out of memory\n");
        return 1;
    }
    for (i = 0; i < n * n; i++) {
        a->data[i] = 1.0 / (double)(1 + i % 97);
        b->data[i] = 1.0 / (double)(1 + i % 89);
    }
    printf("- BLAS: OpenBLAS, %s kernels%s%s%s\n", openblas_get_corename(),
           forced != NULL ? " (forced by OPENBLAS_CORETYPE=" : "", forced != NULL ? forced : "",
           forced != NULL ? " in the environment)" : "");
    for (j = 1; j <= 2; j++) {
        double best = 0;

        openblas_set_num_threads(j);
        for (k = 0; k < 5; k++) {
            double t0 = now(), r;

            gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, a, b, 0.0, c);
            r = 2.0 * (double)(n * n * n) / (now() - t0) / 1e9;
            best = r > best ? r : best;
        }
        printf("- DGEMM %zu x %zu, %d thread%s: %.1f GFLOP/s\n", n, n, j, j > 1 ? "s" : "", best);
    }
    gsl_matrix_free(c);
    gsl_matrix_free(b);
    gsl_matrix_free(a);
    return 0;
}

int
main(int argc, char **argv)
{
    invnet_fit_params fp = invnet_fit_default();
    size_t epochs = argc > 2 ? (size_t)atol(argv[2]) : 5;
    size_t batch = argc > 4 ? (size_t)atol(argv[4]) : 256, nv, nt, k;
    invnet_dataset *d;
    invnet_file *nf;
    invnet_fit_info info;
    fwd_error err;
    int j;

    if (argc == 2 && strcmp(argv[1], "--peak") == 0)
        return peak();
    fp.hidden[0] = argc > 3 ? (size_t)atol(argv[3]) : 64;
    fp.n_hidden = 1;
    if (argc < 2 || epochs < 1 || fp.hidden[0] < 1 || batch < 1) {
        fprintf(stderr, "usage: bench_train SAMPLES.h5 [EPOCHS [HIDDEN [BATCH]]]\n");
        return 2;
    }
    gsl_set_error_handler_off();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    openblas_set_num_threads(1);
    d = invnet_dataset_load(argv[1], fp.noisy, fp.max_samples, &err);
    /* the split, the standardisation and the initial net of `bpinv train` (seed 42) */
    if (d == NULL || invnet_fit_prepare(argv[1], d, &fp, &nf, &info, &err) != FWD_OK) {
        fprintf(stderr, "bench_train: %s\n", err.msg);
        return 1;
    }
    nv = info.n_val;
    nt = info.n_train;
    for (j = 1; j <= 2; j++) {
        invnet_net *net = invnet_net_clone(nf->net);
        invnet_train_params p = nf->train;
        invnet_trainer *tr;
        invnet_epoch e;
        double t0, t;

        if (net == NULL) {
            fprintf(stderr, "bench_train: out of memory\n");
            return 1;
        }
        p.epochs = epochs;
        p.batch = batch;
        p.huber = 0; /* the peers' loss: the mean squared error (PyTorch's MSELoss, FANN's) */
        p.patience = 0;
        p.nthreads = j;
        /* the bare trainer, timed; validation is measured after the epochs, as the peer does */
        tr = invnet_trainer_alloc(net, &p, nt, d->x, d->t, 0, NULL, NULL, &err);
        if (tr == NULL) {
            fprintf(stderr, "bench_train: %s\n", err.msg);
            return 1;
        }
        t0 = now();
        for (k = 0; k < epochs; k++)
            if (invnet_trainer_iterate(tr, &e, &err) != FWD_OK) {
                fprintf(stderr, "bench_train: %s\n", err.msg);
                return 1;
            }
        t = now() - t0;
        printf("| bpinv (GSL BLAS on OpenBLAS) | %zu-%zu-%zu | %d | %zu | %.2f | %.0f | %.5f |\n",
               d->n_in, fp.hidden[0], d->n_out, j, epochs, t, (double)(nt * epochs) / t,
               invnet_evaluate(net, j, nv, d->x + nt * d->n_in, d->t + nt * d->n_out, NULL));
        invnet_trainer_free(tr);
        invnet_net_free(net);
    }
    invnet_file_free(nf);
    invnet_dataset_free(d);
    return 0;
}
