/* SPDX-License-Identifier: MIT */
/*
 * bench_train.c - training throughput of libinvnet: sample-passes per second of a BP net
 * trained with Adam on a samples file, on 1 and 2 threads, and the validation loss after
 * the same epochs, for comparison with a peer (tests/bench/peer_train_torch.py) on the
 * same data, split, standardisation and architecture.
 * usage: bench_train SAMPLES.h5 [EPOCHS [HIDDEN [BATCH]]]
 * Prints one Markdown table row per thread count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <hdf5.h>

#include "invnet/invnet_fit.h"

void openblas_set_num_threads(int num_threads);

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
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

    fp.hidden[0] = argc > 3 ? (size_t)atol(argv[3]) : 64;
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
