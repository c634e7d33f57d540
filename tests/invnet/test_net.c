/* SPDX-License-Identifier: MIT */
/*
 * test_net.c - the BP network: gradients against finite differences, known functions
 * learnt, thread-count independence.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>

#include "invnet/invnet_net.h"
#include "invnet/invnet_train.h"
#include "forward/base/fwd_rng.h"

/* Fills v with uniform values in [lo, hi) from stream `stream` of seed 7. */
static void
fill(double *v, size_t n, double lo, double hi, uint64_t stream)
{
    gsl_rng *r = gsl_rng_alloc(fwd_rng_xoshiro256ss);
    size_t i;

    fwd_rng_set_stream(r, 7, stream);
    for (i = 0; i < n; i++)
        v[i] = lo + (hi - lo) * gsl_rng_uniform(r);
    gsl_rng_free(r);
}

/*
 * Backpropagated gradient of every weight and bias against the central difference
 * (L(theta + h) - L(theta - h)) / 2h, whose error is O(h^2) ~ 1e-12 relative with h = 1e-5,
 * far below the 1e-6 asked. With huber set, the loss is Huber's, its threshold halfway
 * between the two middle residuals (in magnitude): half of them on each side, none within
 * the step of it (checked).
 */
static void
check_gradient(invnet_activation act, size_t nh, const size_t *hidden, int huber)
{
    enum { ROWS = 7, NI = 4, NO = 3 };
    invnet_net *net = invnet_net_alloc(NI, nh, hidden, NO, act, NULL);
    invnet_work *w;
    size_t np, k;
    double x[ROWS * NI], t[ROWS * NO], *g, *g2, *theta, worst = 0, hb = 0;

    cr_assert_not_null(net);
    w = invnet_work_alloc(net, ROWS, NULL);
    np = invnet_net_nparams(net);
    g = malloc(np * sizeof *g);
    g2 = malloc(np * sizeof *g2);
    theta = invnet_net_params(net);
    fill(theta, np, -0.9, 0.9, 1); /* biases too: every parameter is non-zero */
    fill(x, ROWS * NI, -2, 2, 2);
    fill(t, ROWS * NO, -1, 1, 3);
    if (huber) {
        double y[ROWS * NO], a[ROWS * NO];
        size_t i, m = ROWS * NO / 2;

        cr_assert_eq(invnet_net_forward(net, w, ROWS, x, y), FWD_OK);
        for (i = 0; i < ROWS * NO; i++)
            a[i] = fabs(y[i] - t[i]);
        gsl_sort(a, 1, ROWS * NO);
        hb = 0.5 * (a[m - 1] + a[m]);
        cr_assert_gt(a[m] - a[m - 1], 2e-3, "no room for the threshold");
    }
    invnet_net_loss_grad(net, w, ROWS, x, t, 1.0 / (ROWS * NO), hb, g);
    for (k = 0; k < np; k++) {
        double keep = theta[k], h = 1e-5, lp, lm, fd, rel;

        theta[k] = keep + h;
        lp = invnet_net_loss_grad(net, w, ROWS, x, t, 1.0 / (ROWS * NO), hb, g2);
        theta[k] = keep - h;
        lm = invnet_net_loss_grad(net, w, ROWS, x, t, 1.0 / (ROWS * NO), hb, g2);
        theta[k] = keep;
        fd = (lp - lm) / (2 * h);
        rel = fabs(fd - g[k]) / fmax(fmax(fabs(fd), fabs(g[k])), 1e-7);
        if (rel > worst)
            worst = rel;
        cr_expect_lt(rel, 1e-6, "%s, parameter %zu: backprop %.12g, finite difference %.12g",
                     invnet_activation_name(act), k, g[k], fd);
    }
    cr_log_info("%s, %zu hidden layers, %zu parameters: worst relative error %.2e",
                invnet_activation_name(act), nh, np, worst);
    free(g2);
    free(g);
    invnet_work_free(w);
    invnet_net_free(net);
}

Test(invnet_net, gradient_tanh)
{
    size_t h[] = {5};
    check_gradient(INVNET_TANH, 1, h, 0);
}

Test(invnet_net, gradient_sigmoid)
{
    size_t h[] = {5};
    check_gradient(INVNET_SIGMOID, 1, h, 0);
}

Test(invnet_net, gradient_two_hidden_layers)
{
    size_t h[] = {6, 4};
    check_gradient(INVNET_TANH, 2, h, 0);
    check_gradient(INVNET_SIGMOID, 2, h, 0);
}

Test(invnet_net, gradient_of_the_huber_loss)
{
    size_t h[] = {5}, h2[] = {6, 4};
    check_gradient(INVNET_TANH, 1, h, 1);
    check_gradient(INVNET_SIGMOID, 2, h2, 1);
}

/* Huber's loss from its definition: r^2 inside the threshold, 2 h |r| - h^2 beyond, the
 * same value and slope on both sides of it; the square when h is 0. */
Test(invnet_net, huber_loss_values)
{
    static const double r[] = {0, 0.05, -0.05, 0.1, -0.1, 0.5, -0.5, 3};
    size_t i;
    double d, dl, dr;

    for (i = 0; i < sizeof r / sizeof r[0]; i++) {
        double a = fabs(r[i]), want = a <= 0.1 ? r[i] * r[i] : 0.2 * a - 0.01;
        double slope = a <= 0.1 ? 2 * r[i] : r[i] > 0 ? 0.2 : -0.2;

        cr_expect_float_eq(invnet_huber(r[i], 0.1, &d), want, 1e-15, "r = %g", r[i]);
        cr_expect_float_eq(d, slope, 1e-15, "r = %g", r[i]);
        cr_expect_eq(invnet_huber(r[i], 0, &d), r[i] * r[i]);
        cr_expect_eq(d, 2 * r[i]);
    }
    /* continuous, with a continuous slope, at the threshold */
    cr_expect_float_eq(invnet_huber(0.1 - 1e-12, 0.1, &dl), invnet_huber(0.1 + 1e-12, 0.1, &dr),
                       1e-12);
    cr_expect_float_eq(dl, dr, 1e-10);
    cr_expect_eq(invnet_huber(2, 0.1, NULL), 0.2 * 2 - 0.01);
}

/*
 * What the loss estimates: y = x on [-1, 1] with 2 % noise, but 30 % of the targets 3
 * higher (readings of another population). Least squares learns their mean, x + 0.9;
 * Huber's loss with threshold h learns the point where 0.7 of the slope inside balances 0.3
 * at the bound, x + 0.3 h / 0.7 (0.043 for h = 0.1), near the median, x.
 */
static double
outlier_offset(double huber)
{
    enum { N = 4000 };
    static double x[N], t[N];
    double u[N], y[64], off = 0;
    size_t h[] = {8}, i;
    invnet_net *net = invnet_net_alloc(1, 1, h, 1, INVNET_TANH, NULL);
    invnet_train_params p = invnet_train_default();
    invnet_trainer *tr;
    invnet_work *w = invnet_work_alloc(net, 64, NULL);
    invnet_epoch e;

    fill(x, N, -1, 1, 20);
    fill(u, N, 0, 1, 21);
    fill(t, N, -0.02, 0.02, 22);
    for (i = 0; i < N; i++)
        t[i] += x[i] + (u[i] < 0.3 ? 3 : 0);
    invnet_net_init(net, 5);
    p.epochs = 60;
    p.lr = 0.01;
    p.patience = 0;
    p.huber = huber;
    tr = invnet_trainer_alloc(net, &p, N, x, t, 0, NULL, NULL, NULL);
    cr_assert_not_null(tr);
    while (!invnet_trainer_test(tr))
        cr_assert_eq(invnet_trainer_iterate(tr, &e, NULL), FWD_OK);
    for (i = 0; i < 64; i++)
        u[i] = -0.9 + 1.8 * (double)i / 63;
    cr_assert_eq(invnet_net_forward(net, w, 64, u, y), FWD_OK);
    for (i = 0; i < 64; i++)
        off += (y[i] - u[i]) / 64;
    invnet_work_free(w);
    invnet_trainer_free(tr);
    invnet_net_free(net);
    return off;
}

Test(invnet_net, huber_loss_resists_outlying_targets)
{
    double sq = outlier_offset(0), hub = outlier_offset(0.1);

    cr_log_info("mean offset from y = x: squared error %.3f, Huber %.3f", sq, hub);
    cr_expect(fabs(sq - 0.9) < 0.1, "squared error: offset %.3f, expected the mean, 0.9", sq);
    cr_expect(fabs(hub - 0.043) < 0.05, "Huber: offset %.3f, expected 0.043", hub);
}

/* y = x on [-1, 1], 30 % of the targets 3 higher (as above), n rows from streams s.. */
static void
outlier_set(size_t n, double *x, double *t, uint64_t s)
{
    double *u = malloc(n * sizeof *u);
    size_t i;

    fill(x, n, -1, 1, s);
    fill(u, n, 0, 1, s + 1);
    fill(t, n, -0.02, 0.02, s + 2);
    for (i = 0; i < n; i++)
        t[i] += x[i] + (u[i] < 0.3 ? 3 : 0);
    free(u);
}

/* The mean of invnet_huber(y - t, h) of net on n rows of one input and one output. */
static double
mean_huber(const invnet_net *net, size_t n, const double *x, const double *t, double h)
{
    invnet_work *w = invnet_work_alloc(net, n, NULL);
    double *y = malloc(n * sizeof *y), sum = 0;
    size_t i;

    cr_assert_eq(invnet_net_forward(net, w, n, x, y), FWD_OK);
    for (i = 0; i < n; i++)
        sum += invnet_huber(y[i] - t[i], h, NULL);
    free(y);
    invnet_work_free(w);
    return sum / (double)n;
}

/* An extra loss of 0, which leaves the gradient as it is. */
static double
zero_loss(void *ud, int thread, size_t rows, const double *in, const double *y, double scale,
          double *dy)
{
    (void)ud, (void)thread, (void)rows, (void)in, (void)y, (void)scale, (void)dy;
    return 0;
}

/*
 * Huber's loss in every part of training: the validation loss, which picks the best epoch,
 * is the mean loss of the net's outputs recomputed here from its forward pass, in the first
 * stage and in a stage with an extra loss (the data stage's parameter term, times its
 * weight); with an extra loss of 0 and weight 1, such a stage steps as the first stage does.
 */
Test(invnet_net, huber_loss_in_validation_and_stages)
{
    enum { N = 512, NV = 256 };
    static double x[N], t[N], xv[NV], tv[NV];
    size_t h[] = {8}, np, k;
    invnet_net *a = invnet_net_alloc(1, 1, h, 1, INVNET_TANH, NULL), *b, *c;
    invnet_train_params p = invnet_train_default();
    invnet_trainer *ta, *tb, *tc;
    invnet_epoch e;
    double want, worst = 0, big = 0;

    outlier_set(N, x, t, 30);
    outlier_set(NV, xv, tv, 40);
    invnet_net_init(a, 5);
    b = invnet_net_clone(a);
    c = invnet_net_clone(a);
    p.epochs = 5;
    p.lr = 0.01;
    p.patience = 0;
    p.average = 0; /* the net's own weights are validated */
    cr_assert_eq(p.huber, 0.1);
    ta = invnet_trainer_alloc(a, &p, N, x, t, NV, xv, tv, NULL);
    cr_assert_eq(invnet_trainer_iterate(ta, &e, NULL), FWD_OK);
    want = mean_huber(a, NV, xv, tv, 0.1);
    cr_expect_float_eq(e.val_loss, want, 1e-12 * want, "validation %.15g, Huber %.15g", e.val_loss,
                       want);
    cr_expect_gt(fabs(e.val_loss - mean_huber(a, NV, xv, tv, 0)), 0.5, "not the squared error");
    invnet_trainer_set_loss(ta, 1, 0.01, 0.5, zero_loss, NULL);
    cr_assert_eq(invnet_trainer_iterate(ta, &e, NULL), FWD_OK);
    want = 0.5 * mean_huber(a, NV, xv, tv, 0.1);
    cr_expect_float_eq(e.val_loss, want, 1e-12 * want, "stage: validation %.15g, 0.5 Huber %.15g",
                       e.val_loss, want);
    /* one epoch of a stage (extra loss 0, weight 1) against one of the first stage */
    tb = invnet_trainer_alloc(b, &p, N, x, t, NV, xv, tv, NULL);
    tc = invnet_trainer_alloc(c, &p, N, x, t, NV, xv, tv, NULL);
    invnet_trainer_set_loss(tb, 1, 0.01, 1, zero_loss, NULL);
    cr_assert_eq(invnet_trainer_iterate(tb, &e, NULL), FWD_OK);
    cr_assert_eq(invnet_trainer_iterate(tc, &e, NULL), FWD_OK);
    np = invnet_net_nparams(b);
    for (k = 0; k < np; k++) {
        worst = fmax(worst, fabs(invnet_net_params(b)[k] - invnet_net_params(c)[k]));
        big = fmax(big, fabs(invnet_net_params(c)[k]));
    }
    cr_expect_lt(worst, 1e-10 * big, "a stage's weights differ by %.3g (largest %.3g)", worst, big);
    invnet_trainer_free(tc);
    invnet_trainer_free(tb);
    invnet_trainer_free(ta);
    invnet_net_free(c);
    invnet_net_free(b);
    invnet_net_free(a);
}

/* tanh and sigmoid units: values from the closed forms, far tails without overflow. */
Test(invnet_net, activations_match_libm)
{
    size_t h[] = {1};
    double xs[] = {-800, -30, -3.5, -0.2, -1e-9, 0, 2e-12, 0.7, 4.25, 19.9, 25, 800};
    size_t i, a;

    for (a = 0; a < 2; a++) {
        invnet_net *net = invnet_net_alloc(1, 1, h, 1, (invnet_activation)a, NULL);
        invnet_work *w = invnet_work_alloc(net, 1, NULL);
        double *th = invnet_net_params(net), y;

        th[0] = 1; /* W1 */
        th[2] = 1; /* W2; biases 0: y = f(x) */
        for (i = 0; i < sizeof xs / sizeof xs[0]; i++) {
            double want = a == 0 ? tanh(xs[i]) : 1 / (1 + exp(-xs[i]));

            cr_assert_eq(invnet_net_forward(net, w, 1, &xs[i], &y), FWD_OK);
            cr_expect(fabs(y - want) <= 1e-15 * fmax(fabs(want), 1e-300) || y == want,
                      "%s(%g) = %.17g, libm %.17g", a ? "sigmoid" : "tanh", xs[i], y, want);
        }
        invnet_work_free(w);
        invnet_net_free(net);
    }
}

/*
 * tanh on many rows at once runs the vectorised body of the loop (AVX-512, AVX2 or SSE2,
 * whichever clone the CPU picks); one row at a time runs its scalar remainder. Both give
 * the same bits, and both stay within 1e-15 of libm over [-25, 25].
 */
Test(invnet_net, tanh_vector_and_scalar_paths_agree)
{
    enum { N = 4099 }; /* not a multiple of any vector width */
    size_t h[] = {1}, i, differ = 0;
    invnet_net *net = invnet_net_alloc(1, 1, h, 1, INVNET_TANH, NULL);
    invnet_work *w = invnet_work_alloc(net, N, NULL);
    double *th = invnet_net_params(net), *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    double one, worst = 0;

    cr_assert(net != NULL && w != NULL && x != NULL && y != NULL);
    th[0] = 1;
    th[2] = 1;
    for (i = 0; i < N; i++)
        x[i] = -25 + 50.0 * (double)i / (N - 1) + 1e-7 * (double)(i % 5);
    x[N / 2] = 0;
    cr_assert_eq(invnet_net_forward(net, w, N, x, y), FWD_OK);
    for (i = 0; i < N; i++) {
        double want = tanh(x[i]), e = fabs(y[i] - want) / fmax(fabs(want), 1e-300);

        cr_assert_eq(invnet_net_forward(net, w, 1, &x[i], &one), FWD_OK);
        differ += memcmp(&one, &y[i], sizeof one) != 0;
        worst = e > worst ? e : worst;
    }
    cr_expect_eq(differ, 0, "%zu of %d values differ between the vector and scalar paths", differ,
                 N);
    cr_expect(worst <= 1e-15, "worst relative error against libm %.3g", worst);
    free(y);
    free(x);
    invnet_work_free(w);
    invnet_net_free(net);
}

/* XOR needs the hidden layer: a linear model cannot do better than 0.25 MSE. */
Test(invnet_net, learns_xor_with_sigmoid_units)
{
    double x[] = {0, 0, 0, 1, 1, 0, 1, 1}, t[] = {0, 1, 1, 0}, y[4];
    size_t h[] = {4}, i;
    invnet_net *net = invnet_net_alloc(2, 1, h, 1, INVNET_SIGMOID, NULL);
    invnet_train_params p = invnet_train_default();
    invnet_trainer *tr;
    invnet_work *w;
    invnet_epoch e;

    invnet_net_init(net, 3);
    p.batch = 4;
    p.epochs = 3000;
    p.lr = 0.05;
    p.patience = 0;
    tr = invnet_trainer_alloc(net, &p, 4, x, t, 0, NULL, NULL, NULL);
    cr_assert_not_null(tr);
    while (!invnet_trainer_test(tr))
        cr_assert_eq(invnet_trainer_iterate(tr, &e, NULL), FWD_OK);
    invnet_trainer_restore_best(tr, NULL);
    w = invnet_work_alloc(net, 4, NULL);
    cr_assert_eq(invnet_net_forward(net, w, 4, x, y), FWD_OK);
    for (i = 0; i < 4; i++)
        cr_expect_lt(fabs(y[i] - t[i]), 0.05, "XOR(%g, %g) = %g", x[2 * i], x[2 * i + 1], y[i]);
    invnet_work_free(w);
    invnet_trainer_free(tr);
    invnet_net_free(net);
}

/* f(x) = sin(2 x1) + x2 x3 + 0.5 x1^2 on [-1, 1]^3 */
static void
smooth_set(size_t n, double *x, double *t, uint64_t stream)
{
    size_t i;

    fill(x, 3 * n, -1, 1, stream);
    for (i = 0; i < n; i++)
        t[i] = sin(2 * x[3 * i]) + x[3 * i + 1] * x[3 * i + 2] + 0.5 * x[3 * i] * x[3 * i];
}

/* Trains a 3-16-1 net on 4,000 rows of f for `epochs` (its steps' threads paced by pace);
 * returns it, and in *seen the thread counts its epochs ended with (bits 1 << n). */
static invnet_net *
train_paced(int nthreads, int pace, size_t epochs, invnet_optimizer opt, double *val_mse,
            unsigned *seen)
{
    enum { N = 4000, NV = 1000 };
    static double x[N * 3], t[N], xv[NV * 3], tv[NV];
    size_t h[] = {16};
    invnet_net *net = invnet_net_alloc(3, 1, h, 1, INVNET_TANH, NULL);
    invnet_train_params p = invnet_train_default();
    invnet_trainer *tr;
    invnet_epoch e;

    smooth_set(N, x, t, 10);
    smooth_set(NV, xv, tv, 11);
    invnet_net_init(net, 5);
    p.epochs = epochs;
    p.batch = 300; /* not a multiple of the shard size */
    p.nthreads = nthreads;
    p.pace = pace;
    p.opt = opt;
    p.lr = opt == INVNET_ADAM ? 0.01 : 0.05;
    tr = invnet_trainer_alloc(net, &p, N, x, t, NV, xv, tv, NULL);
    cr_assert_not_null(tr);
    *seen = 0;
    while (!invnet_trainer_test(tr)) {
        cr_assert_eq(invnet_trainer_iterate(tr, &e, NULL), FWD_OK);
        *seen |= 1u << e.threads;
    }
    invnet_trainer_restore_best(tr, NULL);
    *val_mse = invnet_evaluate(net, 1, NV, xv, tv, NULL); /* squared error, whatever the loss */
    invnet_trainer_free(tr);
    return net;
}

static invnet_net *
train_smooth(int nthreads, size_t epochs, invnet_optimizer opt, double *val_mse)
{
    unsigned seen;

    return train_paced(nthreads, 1, epochs, opt, val_mse, &seen);
}

/* The target's variance over the cube is about 0.67: a 1e-3 MSE is 0.15 % of it. */
Test(invnet_net, learns_a_smooth_regression)
{
    double adam, sgd;
    invnet_net *a = train_smooth(1, 300, INVNET_ADAM, &adam);
    invnet_net *s = train_smooth(1, 300, INVNET_SGD, &sgd);

    cr_log_info("3-input regression: validation MSE adam %.2e, sgd %.2e", adam, sgd);
    cr_expect_lt(adam, 1e-3);
    cr_expect_lt(sgd, 3e-3);
    invnet_net_free(a);
    invnet_net_free(s);
}

Test(invnet_net, same_net_for_any_thread_count)
{
    double l1, l3;
    invnet_net *a = train_smooth(1, 5, INVNET_ADAM, &l1);
    invnet_net *b = train_smooth(3, 5, INVNET_ADAM, &l3);

    cr_assert_eq(
        memcmp(invnet_net_params(a), invnet_net_params(b), invnet_net_nparams(a) * sizeof(double)),
        0, "weights differ between 1 and 3 threads");
    cr_assert_eq(l1, l3);
    invnet_net_free(a);
    invnet_net_free(b);
}

/* The steps' thread count changed as the training goes (invnet_train_params.pace: here 1
 * and 3 threads in turn, a window of steps each, as a busy machine can make it): the same
 * net as on one thread; without pacing, the epochs end on the threads asked for. */
Test(invnet_net, same_net_when_the_steps_change_their_thread_count)
{
    double l1, l3;
    unsigned seen;
    invnet_net *a = train_paced(1, 1, 12, INVNET_ADAM, &l1, &seen);
    invnet_net *b = train_paced(3, INVNET_PACE_ALTERNATE, 12, INVNET_ADAM, &l3, &seen);

    cr_assert_eq(seen, (1u << 1) | (1u << 3), "the epochs ended on threads %#x", seen);
    cr_assert_eq(
        memcmp(invnet_net_params(a), invnet_net_params(b), invnet_net_nparams(a) * sizeof(double)),
        0, "weights differ between 1 thread and 1 and 3 in turn");
    cr_assert_eq(l1, l3);
    invnet_net_free(b);
    b = train_paced(3, 0, 12, INVNET_ADAM, &l3, &seen);
    cr_assert_eq(seen, 1u << 3, "unpaced, the epochs ended on threads %#x", seen);
    invnet_net_free(a);
    invnet_net_free(b);
}

/*
 * The weights' average: the trainer's steps are those it takes without one (the average
 * only watches), the average is the moving average of the steps' weights computed here
 * (a short memory over the first steps, then `average`), and it is what is validated
 * and kept: the best epoch's weights are the average of then, and their validation loss
 * the one reported. One step per epoch (a batch of all the rows).
 */
Test(invnet_net, the_weights_kept_are_a_moving_average_of_the_steps)
{
    enum { N = 256, NV = 200, E = 40 };
    static double x[N * 3], t[N], xv[NV * 3], tv[NV];
    static double raw[E][64], avg[E][64], val[E];
    size_t h[] = {8}, q, k, best = 0;
    invnet_net *a = invnet_net_alloc(3, 1, h, 1, INVNET_TANH, NULL);
    invnet_net *b = invnet_net_alloc(3, 1, h, 1, INVNET_TANH, NULL);
    invnet_train_params p = invnet_train_default();
    invnet_trainer *ta, *tb;
    double want[64], be, bestv = INFINITY;
    size_t np = invnet_net_nparams(a);
    invnet_epoch e;

    cr_assert(np <= 64);
    smooth_set(N, x, t, 12);
    smooth_set(NV, xv, tv, 13);
    invnet_net_init(a, 9);
    invnet_net_init(b, 9);
    memcpy(want, invnet_net_params(a), np * sizeof(double));
    p.batch = N;
    p.epochs = E;
    p.patience = 0;
    p.lr = 0.03;
    p.huber = 0; /* the validation loss is the squared error, as invnet_evaluate's */
    p.average = 0;
    ta = invnet_trainer_alloc(a, &p, N, x, t, NV, xv, tv, NULL);
    p.average = 0.9;
    tb = invnet_trainer_alloc(b, &p, N, x, t, NV, xv, tv, NULL);
    cr_assert(ta != NULL && tb != NULL);
    cr_expect_null(invnet_trainer_average(ta));
    for (k = 0; k < E; k++) {
        cr_assert_eq(invnet_trainer_iterate(ta, &e, NULL), FWD_OK);
        cr_assert_eq(invnet_trainer_iterate(tb, &e, NULL), FWD_OK);
        memcpy(raw[k], invnet_net_params(a), np * sizeof(double));
        cr_expect_eq(memcmp(invnet_net_params(b), raw[k], np * sizeof(double)), 0,
                     "epoch %zu: the steps differ with an average kept", k + 1);
        memcpy(avg[k], invnet_trainer_average(tb), np * sizeof(double));
        val[k] = e.val_loss;
        if (val[k] < bestv) {
            bestv = val[k];
            best = k;
        }
    }
    /* the average, computed here from the steps' weights */
    for (k = 0; k < E; k++) {
        be = fmin((2.0 + (double)k) / (11.0 + (double)k), 0.9);
        for (q = 0; q < np; q++) {
            want[q] = be * want[q] + (1 - be) * raw[k][q];
            cr_expect(fabs(avg[k][q] - want[q]) <= 1e-13 * (1 + fabs(want[q])),
                      "epoch %zu, weight %zu: average %.17g, expected %.17g", k + 1, q, avg[k][q],
                      want[q]);
        }
    }
    /* validated: the loss of the average; kept: the best epoch's average */
    memcpy(invnet_net_params(a), avg[E - 1], np * sizeof(double));
    cr_expect_float_eq(val[E - 1], invnet_evaluate(a, 1, NV, xv, tv, NULL), 1e-12);
    cr_expect_eq(invnet_trainer_restore_best(tb, NULL), best + 1);
    cr_expect_eq(memcmp(invnet_net_params(b), avg[best], np * sizeof(double)), 0);
    /* it moved: not the last step's weights */
    cr_expect_neq(memcmp(avg[E - 1], raw[E - 1], np * sizeof(double)), 0);
    invnet_trainer_free(ta);
    invnet_trainer_free(tb);
    invnet_net_free(a);
    invnet_net_free(b);
}

Test(invnet_net, bad_arguments)
{
    size_t h[] = {4}, big[] = {INVNET_MAX_UNITS + 1}, five[] = {1, 1, 1, 1, 1};
    invnet_train_params p = invnet_train_default();
    invnet_activation a;
    invnet_optimizer o;
    fwd_error err;

    cr_expect_null(invnet_net_alloc(0, 1, h, 1, INVNET_TANH, &err));
    cr_expect(strstr(err.msg, "layer 0") != NULL, "%s", err.msg);
    cr_expect_null(invnet_net_alloc(3, 1, big, 1, INVNET_TANH, &err));
    cr_expect_null(invnet_net_alloc(3, 5, five, 1, INVNET_TANH, &err));
    cr_expect(strstr(err.msg, "hidden layers") != NULL, "%s", err.msg);
    cr_expect_null(invnet_net_alloc(3, 0, h, 1, INVNET_TANH, &err));
    cr_expect_null(invnet_net_alloc(3, 1, h, 1, (invnet_activation)7, &err));
    cr_expect_eq(invnet_activation_parse("relu", &a, &err), FWD_EINVAL);
    cr_expect(strstr(err.msg, "\"relu\"") != NULL, "%s", err.msg);
    cr_expect_eq(invnet_optimizer_parse("rmsprop", &o, &err), FWD_EINVAL);
    p.batch = 0;
    cr_expect_eq(invnet_train_check(&p, &err), FWD_EINVAL);
    p = invnet_train_default();
    p.lr = NAN;
    cr_expect_eq(invnet_train_check(&p, &err), FWD_EINVAL);
    p = invnet_train_default();
    p.lr_decay = 0;
    cr_expect_eq(invnet_train_check(&p, &err), FWD_EINVAL);
    p = invnet_train_default();
    p.momentum = 1;
    cr_expect_eq(invnet_train_check(&p, &err), FWD_EINVAL);
    p = invnet_train_default();
    p.nthreads = 0;
    cr_expect_eq(invnet_train_check(&p, &err), FWD_EINVAL);
    p = invnet_train_default();
    p.pace = 3;
    cr_expect_eq(invnet_train_check(&p, &err), FWD_EINVAL);
    cr_expect(strstr(err.msg, "pace") != NULL && strstr(err.msg, "got 3") != NULL, "%s", err.msg);
    p = invnet_train_default();
    p.huber = -0.1;
    cr_expect_eq(invnet_train_check(&p, &err), FWD_EINVAL);
    cr_expect(strstr(err.msg, "huber") != NULL && strstr(err.msg, "-0.1") != NULL, "%s", err.msg);
    p.huber = NAN;
    cr_expect_eq(invnet_train_check(&p, &err), FWD_EINVAL);
    p.huber = 101;
    cr_expect_eq(invnet_train_check(&p, &err), FWD_EINVAL);
    p.huber = 0;
    cr_expect_eq(invnet_train_check(&p, &err), FWD_OK);
    p.average = 1;
    cr_expect_eq(invnet_train_check(&p, &err), FWD_EINVAL);
    cr_expect(strstr(err.msg, "average") != NULL && strstr(err.msg, "got 1") != NULL, "%s",
              err.msg);
    p.average = -0.1;
    cr_expect_eq(invnet_train_check(&p, &err), FWD_EINVAL);
    p.average = NAN;
    cr_expect_eq(invnet_train_check(&p, &err), FWD_EINVAL);
    p.average = 0;
    cr_expect_eq(invnet_train_check(&p, &err), FWD_OK);
}

/* A learning rate far too large: the loss stops being finite and training says so (with
 * the squared error: Huber's bounds each residual's slope). */
Test(invnet_net, divergence_is_reported)
{
    enum { N = 256 };
    static double x[N * 3], t[N];
    size_t h[] = {8};
    invnet_net *net = invnet_net_alloc(3, 1, h, 1, INVNET_TANH, NULL);
    invnet_train_params p = invnet_train_default();
    invnet_trainer *tr;
    invnet_epoch e;
    fwd_error err;
    int rc = FWD_OK, k;

    smooth_set(N, x, t, 12);
    for (k = 0; k < N; k++)
        t[k] *= 1e150;
    invnet_net_init(net, 1);
    p.opt = INVNET_SGD;
    p.lr = 10;
    p.huber = 0;
    tr = invnet_trainer_alloc(net, &p, N, x, t, 0, NULL, NULL, &err);
    for (k = 0; k < 20 && rc == FWD_OK; k++)
        rc = invnet_trainer_iterate(tr, &e, &err);
    cr_expect_eq(rc, FWD_ENUMERIC);
    cr_expect(strstr(err.msg, "not finite") != NULL, "%s", err.msg);
    invnet_trainer_free(tr);
    /* with an average kept, the net holds the steps' own weights after the error too (the
     * average is in it only while being validated): those of an identical run without one */
    {
        invnet_net *b = invnet_net_clone(net);
        invnet_trainer *tb;
        int rb = FWD_OK;

        invnet_net_init(net, 1);
        invnet_net_init(b, 1);
        p.average = 0.5;
        tr = invnet_trainer_alloc(net, &p, N, x, t, 0, NULL, NULL, &err);
        p.average = 0;
        tb = invnet_trainer_alloc(b, &p, N, x, t, 0, NULL, NULL, &err);
        cr_assert(tr != NULL && tb != NULL);
        for (k = 0, rc = FWD_OK; k < 20 && rc == FWD_OK; k++) {
            rc = invnet_trainer_iterate(tr, &e, &err);
            rb = invnet_trainer_iterate(tb, &e, &err);
        }
        cr_expect(rc == FWD_ENUMERIC && rb == FWD_ENUMERIC);
        cr_expect_eq(memcmp(invnet_net_params(net), invnet_net_params(b),
                            invnet_net_nparams(b) * sizeof(double)),
                     0, "the average left in the net after the error");
        invnet_trainer_free(tb);
        invnet_trainer_free(tr);
        invnet_net_free(b);
    }
    invnet_net_free(net);
}

/* An extra loss that no step can lower: its value 3 a row (above the first stage's plateau,
 * so that only a stage that starts its own best loss afresh counts its first epoch as
 * better), its gradient 0. */
static double
flat_loss(void *ud, int thread, size_t rows, const double *in, const double *y, double scale,
          double *dy)
{
    (void)ud, (void)thread, (void)in, (void)y, (void)dy;
    return 3 * scale * (double)rows;
}

/*
 * Trains on a plateau with patience P: the first stage (up to `first` epochs) at its own
 * rate, then a stage with an extra loss (up to `data` epochs, rate 0.01) whose rate of each
 * epoch must be 0.01 want[k], halved exactly where want falls, and which must stop after
 * n_want epochs.
 */
static void
plateau(size_t P, size_t first, size_t first_run, size_t data, const double *want, size_t n_want)
{
    enum { N = 256, NV = 64 };
    static double x[N * 3], t[N], xv[NV * 3], tv[NV];
    size_t h[] = {8}, k = 0;
    invnet_net *net = invnet_net_alloc(3, 1, h, 1, INVNET_TANH, NULL);
    invnet_train_params p = invnet_train_default();
    invnet_trainer *tr;
    invnet_epoch e;

    smooth_set(N, x, t, 13);
    smooth_set(NV, xv, tv, 14);
    invnet_net_init(net, 2);
    p.lr = 1e-12; /* too small to lower the loss by min_delta: a plateau */
    p.patience = P;
    p.epochs = first;
    tr = invnet_trainer_alloc(net, &p, N, x, t, NV, xv, tv, NULL);
    cr_assert_not_null(tr);
    while (!invnet_trainer_test(tr)) {
        cr_assert_eq(invnet_trainer_iterate(tr, &e, NULL), FWD_OK);
        cr_expect_eq(e.lr, 1e-12, "P %zu, first stage, epoch %zu: rate %g", P, e.epoch, e.lr);
        cr_expect_eq(e.halved, 0, "P %zu, first stage, epoch %zu: halved", P, e.epoch);
        k++;
    }
    cr_expect_eq(k, first_run, "P %zu, first stage: %zu epochs, not %zu", P, k, first_run);
    invnet_trainer_set_loss(tr, data, 0.01, 0, flat_loss, NULL);
    for (k = 0; !invnet_trainer_test(tr); k++) {
        cr_assert_eq(invnet_trainer_iterate(tr, &e, NULL), FWD_OK);
        cr_assert_lt(k, n_want, "P %zu: the stage did not stop", P);
        cr_expect_eq(e.lr, 0.01 * want[k], "P %zu, second stage, its epoch %zu: rate %g, not %g", P,
                     k + 1, e.lr, 0.01 * want[k]);
        cr_expect_eq(e.halved, k > 0 && want[k] < want[k - 1],
                     "P %zu, second stage, its epoch %zu: halved %d", P, k + 1, e.halved);
    }
    cr_expect_eq(k, n_want, "P %zu, second stage: %zu epochs, not %zu", P, k, n_want);
    invnet_trainer_free(tr);
    invnet_net_free(net);
}

/* On a plateau the first stage stops after the patience at its own rate; a stage with an
 * extra loss halves its rate after half the patience (rounded up) without a better loss, 3
 * times, then stops after a whole one. Its first epoch sets the best loss. */
Test(invnet_net, a_stage_with_an_extra_loss_halves_its_rate_on_a_plateau)
{
    const double p4[] = {1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.125, 0.125};
    const double p3[] = {1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.125};
    const double p1[] = {1, 1, 0.5, 0.25, 0.125};
    const double p0[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

    plateau(4, 100, 5, 100, p4, sizeof p4 / sizeof p4[0]);
    plateau(3, 100, 4, 100, p3, sizeof p3 / sizeof p3[0]); /* half of 3 is 2 */
    plateau(1, 100, 2, 100, p1, sizeof p1 / sizeof p1[0]);
    /* patience 0: neither stage stops early, and the rate never halves */
    plateau(0, 7, 7, sizeof p0 / sizeof p0[0], p0, sizeof p0 / sizeof p0[0]);
}
