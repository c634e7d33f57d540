/* SPDX-License-Identifier: MIT */
/*
 * invnet_net.h - the BP network: an input layer, one (or a few) hidden layers of tanh or
 * sigmoid units and a linear output layer, with the normalisation of its inputs and outputs.
 *
 * The network maps a sounding's features (invnet_features(): log10 apparent resistivities,
 * MT phases over 90 degrees) to an earth model's log10 parameters (fwd_model.h layout).
 * Inside, inputs and outputs are standardised: x_std = (x - in_mean) / in_sd and
 * m = out_mean + out_sd * y_std. All parameters live in one flat vector, layer by layer:
 * the weights W_l (n_{l+1} x n_l, row-major), then the biases b_l (n_{l+1}).
 *
 * Rows of a batch are processed with GSL BLAS matrix products (OpenBLAS underneath). The
 * libraries call BLAS from their own OpenMP threads, so BLAS must run single-threaded
 * (openblas_set_num_threads(1) or OPENBLAS_NUM_THREADS=1); the tools do that.
 * libinvnet reports errors through fwd_error and the FWD_E* codes.
 */
#ifndef INVNET_NET_H
#define INVNET_NET_H

#include <stddef.h>
#include <stdint.h>

#include "forward/base/fwd_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Most hidden layers; the reference net has one. */
#define INVNET_MAX_HIDDEN 4
/* Widest layer. */
#define INVNET_MAX_UNITS 100000

typedef enum invnet_activation { INVNET_TANH = 0, INVNET_SIGMOID = 1 } invnet_activation;

/* "tanh" or "sigmoid"; "unknown" otherwise. */
const char *invnet_activation_name(invnet_activation a);
/* Parses an activation name; FWD_EINVAL names the accepted values. */
int invnet_activation_parse(const char *s, invnet_activation *a, fwd_error *err);

typedef struct invnet_net invnet_net;

/*
 * Makes a net of n_in inputs, n_hidden hidden layers of hidden[k] units and n_out linear
 * outputs (1 <= n_hidden <= INVNET_MAX_HIDDEN, every width 1..INVNET_MAX_UNITS). Weights
 * and biases are zero and the normalisation is the identity until set.
 */
invnet_net *invnet_net_alloc(size_t n_in, size_t n_hidden, const size_t *hidden, size_t n_out,
                             invnet_activation act, fwd_error *err);
/* Frees net; NULL is a no-op. */
void invnet_net_free(invnet_net *net);
/* A copy of net (weights, normalisation); NULL when out of memory. */
invnet_net *invnet_net_clone(const invnet_net *net);

/* Number of layers of weights (hidden layers + 1). */
size_t invnet_net_depth(const invnet_net *net);
/* Units of layer l: 0 is the input, invnet_net_depth() the output. */
size_t invnet_net_units(const invnet_net *net, size_t l);
size_t invnet_net_n_in(const invnet_net *net);
size_t invnet_net_n_out(const invnet_net *net);
invnet_activation invnet_net_activation(const invnet_net *net);

/* Number of weights and biases. */
size_t invnet_net_nparams(const invnet_net *net);
/* The parameter vector (layout above), borrowed; valid until invnet_net_free(net). */
double *invnet_net_params(invnet_net *net);
const double *invnet_net_params_const(const invnet_net *net);
/* Offset of W_l and of b_l in the parameter vector. */
size_t invnet_net_weight_offset(const invnet_net *net, size_t l);
size_t invnet_net_bias_offset(const invnet_net *net, size_t l);

/*
 * The normalisation, borrowed: in_mean and in_sd have n_in values, out_mean and out_sd
 * n_out; all sd > 0. Writable, for the trainer and the file loader.
 */
double *invnet_net_in_mean(invnet_net *net);
double *invnet_net_in_sd(invnet_net *net);
double *invnet_net_out_mean(invnet_net *net);
double *invnet_net_out_sd(invnet_net *net);
const double *invnet_net_norm_const(const invnet_net *net, int which); /* 0..3 in that order */

/*
 * Draws the weights from the seed: uniform in +-sqrt(6 / (fan_in + fan_out)) (Glorot and
 * Bengio 2010), four times that for sigmoid hidden units; biases zero. Same seed, same net.
 */
void invnet_net_init(invnet_net *net, uint64_t seed);

/* Room for the activations and error terms of up to max_rows rows; one per thread. */
typedef struct invnet_work invnet_work;
invnet_work *invnet_work_alloc(const invnet_net *net, size_t max_rows, fwd_error *err);
void invnet_work_free(invnet_work *w);

/*
 * Forward pass in standardised units: rows x rows of n_in into y (rows x n_out). rows <=
 * the workspace's max_rows. Returns FWD_ENUMERIC if an output is not finite.
 */
int invnet_net_forward(const invnet_net *net, invnet_work *w, size_t rows, const double *x,
                       double *y);

/*
 * Huber's (1964) loss of a residual r with threshold h > 0: r^2 where |r| <= h, and
 * 2 h |r| - h^2 beyond it (the same value and slope at |r| = h: squared near the answer,
 * linear in the tails, so that rows the data cannot resolve do not outweigh the others);
 * h = 0: r^2. Writes its derivative into *dr when dr is not NULL.
 */
double invnet_huber(double r, double h, double *dr);

/*
 * Loss and gradient in standardised units: L = scale * sum over rows and outputs of
 * invnet_huber(y - t, huber) ((y - t)^2 when huber is 0). Writes dL/dtheta into grad
 * (invnet_net_nparams values) and returns L. Backpropagation as matrix products: for each
 * layer, from the output down, dW = D^T A, db = column sums of D, D_prev = (D W) * f'(A).
 */
double invnet_net_loss_grad(const invnet_net *net, invnet_work *w, size_t rows, const double *x,
                            const double *t, double scale, double huber, double *grad);

/*
 * Backpropagation of any loss L of the outputs: with the pass that invnet_net_forward()
 * just ran on w for inputs x (rows rows), and dy = dL/dy (rows x n_out, standardised),
 * writes dL/dtheta into grad (invnet_net_nparams values), as invnet_net_loss_grad() does.
 */
void invnet_net_backward(const invnet_net *net, invnet_work *w, size_t rows, const double *x,
                         const double *dy, double *grad);

/*
 * Errors of the forward pass in standardised units: returns the sum over rows and outputs
 * of invnet_huber(y - t, huber) (the squared errors when huber is 0) and adds each output's
 * sum of squared errors (y - t)^2 into sq (n_out values) if sq is not NULL.
 */
double invnet_net_sq_error(const invnet_net *net, invnet_work *w, size_t rows, const double *x,
                           const double *t, double huber, double *sq);

/*
 * Predicts in physical units: features (rows x n_in, invnet_features()) to log10 model
 * parameters (rows x n_out), through the normalisation. FWD_ENUMERIC if anything is not
 * finite (the row is named).
 */
int invnet_net_predict(const invnet_net *net, invnet_work *w, size_t rows, const double *features,
                       double *params, fwd_error *err);

#ifdef __cplusplus
}
#endif

#endif /* INVNET_NET_H */
