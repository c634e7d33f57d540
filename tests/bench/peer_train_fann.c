/* SPDX-License-Identifier: MIT */
/*
 * peer_train_fann.c - the FANN peer of bench_train: the same 30-64-7 MLP (tanh hidden,
 * linear output, double precision: doublefann) on the same samples file, split and
 * standardisation, trained for the same epochs. FANN has no Adam: it is run with its
 * incremental (per-sample) backpropagation, lr 1e-3, and with its default iRPROP- on the
 * whole training set, the two ways its users train; sample-passes/s and the validation MSE
 * of the standardised outputs. Built only when libfann-dev is installed (make bench-peers).
 * usage: peer_train_fann SAMPLES.h5 [EPOCHS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <doublefann.h>
#include <hdf5.h>

#include "invnet/invnet_data.h"

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
    size_t epochs = argc > 2 ? (size_t)atol(argv[2]) : 5, nv, nt, i, j, k;
    struct fann_train_data *tr, *va;
    invnet_dataset *d;
    fwd_error err;
    int alg;

    if (argc < 2) {
        fprintf(stderr, "usage: peer_train_fann SAMPLES.h5 [EPOCHS]\n");
        return 2;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    d = invnet_dataset_load(argv[1], 1, 0, &err);
    if (d == NULL) {
        fprintf(stderr, "peer_train_fann: %s\n", err.msg);
        return 1;
    }
    nv = d->rows / 10;
    nt = d->rows - nv;
    {
        size_t h[1] = {64};
        invnet_net *norm = invnet_net_alloc(d->n_in, 1, h, d->n_out, INVNET_TANH, NULL);

        invnet_dataset_standardise(d, nt, norm);
        invnet_net_free(norm);
    }
    tr = fann_create_train((unsigned)nt, (unsigned)d->n_in, (unsigned)d->n_out);
    va = fann_create_train((unsigned)nv, (unsigned)d->n_in, (unsigned)d->n_out);
    for (i = 0; i < d->rows; i++) {
        struct fann_train_data *t = i < nt ? tr : va;
        size_t r = i < nt ? i : i - nt;

        for (j = 0; j < d->n_in; j++)
            t->input[r][j] = d->x[i * d->n_in + j];
        for (j = 0; j < d->n_out; j++)
            t->output[r][j] = d->t[i * d->n_out + j];
    }
    for (alg = 0; alg < 2; alg++) {
        struct fann *ann = fann_create_standard(3, (unsigned)d->n_in, 64u, (unsigned)d->n_out);
        double t0, el, mse;

        fann_set_activation_function_hidden(ann, FANN_SIGMOID_SYMMETRIC);
        fann_set_activation_function_output(ann, FANN_LINEAR);
        fann_set_training_algorithm(ann, alg == 0 ? FANN_TRAIN_INCREMENTAL : FANN_TRAIN_RPROP);
        if (alg == 0)
            fann_set_learning_rate(ann, 1e-3f);
        srand(42);
        fann_randomize_weights(ann, -0.2, 0.2);
        t0 = now();
        for (k = 0; k < epochs; k++)
            fann_train_epoch(ann, tr);
        el = now() - t0;
        fann_reset_MSE(ann);
        mse = fann_test_data(ann, va);
        /* FANN's MSE of linear outputs is the mean of (y - t)^2 over rows and outputs, as
         * ours (it halves the error of symmetric output units only) */
        printf("| FANN 2.2 (double, %s) | %zu-64-%zu | 1 | %zu | %.2f | %.0f | %.5f |\n",
               alg == 0 ? "incremental backprop, lr 1e-3" : "iRPROP-, batch", d->n_in, d->n_out,
               epochs, el, (double)(nt * epochs) / el, mse);
        fann_destroy(ann);
    }
    fann_destroy_train(va);
    fann_destroy_train(tr);
    invnet_dataset_free(d);
    return 0;
}
