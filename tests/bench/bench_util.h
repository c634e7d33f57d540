/* SPDX-License-Identifier: MIT */
/*
 * bench_util.h - what the benchmarks that train nets in memory share.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "forward/base/fwd_error.h"
#include "forward/readers/fwd_sounding.h"
#include "invnet/invnet_data.h"
#include "invnet/invnet_file.h"
#include "invnet/invnet_fit.h"
#include "samples/smp_gen.h"

/* Prints "PROG: WHAT: why" on stderr and exits 1. */
void bench_die(const char *prog, const char *what, const fwd_error *err);

/* The q quantile of the finite values of v[n] (NAN when none). */
double bench_pct(const double *v, size_t n, double q);

/* n samples of config c (its seed), as a training set in memory: noisy features, log10
 * models. */
invnet_dataset *bench_dataset(const smp_config *c, size_t n);

/* n test soundings of c's prior and geometry, other draws (seed 7) than the training's:
 * their log10 models *P, clean data *C and noisy data *Z, new arrays; exits on failure. */
void bench_test_set(const smp_config *c, size_t n, double **P, double **C, double **Z);

/* A net trained on n samples of c with the settings p. */
invnet_file *bench_fit(const smp_config *c, size_t n, const invnet_fit_params *p);

/* A net trained on n samples of c for epochs epochs on 2 threads: masked (any part of the
 * span) or plain. */
invnet_file *bench_train(const smp_config *c, size_t n, size_t epochs, int masked);

/* What every benchmark does first: GSL's and HDF5's error printing off, OpenBLAS on one
 * thread (the benchmarks time one core, or their own threads). */
void bench_init(void);

/* argv[i] as a count of at least min (dflt when absent); exits 2 with usage otherwise. */
size_t bench_count(int argc, char **argv, int i, size_t dflt, size_t min, const char *usage);

/* A sounding in s of method m at the n points x with data d (rho_a, then phases for MT),
 * borrowing them; named "bench". */
void bench_sounding(fwd_sounding *s, fwd_method m, size_t n, double *x, double *d);

/* chi2 of the nl-layer log10 model p against s as invert reports it (invnet_lm_chi2: the
 * sounding's errors, else the training noise), a multiple of the cost its fits minimise;
 * INFINITY when it cannot be computed. */
double bench_cost(fwd_workspace *w, const fwd_sounding *s, size_t nl, const double *p,
                  double noise);

/*
 * A reference fit: the best by bench_cost of bounded Levenberg-Marquardt fits of s with nl
 * layers inside the box (lo, hi) of log10 parameters, each run to 200 iterations without
 * the early stop, from the n_starts starts (log10 models, one after another), the half-space
 * start, and n_random log-uniform draws of the box (a stream seeded by seed). Every start is
 * moved 1 % of the box's width inside it. Its cost; its model into best (NULL: not wanted).
 */
double bench_best_fit(fwd_workspace *w, const fwd_sounding *s, size_t nl, const double *starts,
                      size_t n_starts, size_t n_random, const double *lo, const double *hi,
                      double noise, uint64_t seed, double *best);

#endif /* BENCH_UTIL_H */
