/* SPDX-License-Identifier: MIT */
/*
 * bench_util.h - what the benchmarks that train nets in memory share.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>

#include "forward/base/fwd_error.h"
#include "invnet/invnet_data.h"
#include "invnet/invnet_file.h"
#include "samples/smp_gen.h"

/* Prints "PROG: WHAT: why" on stderr and exits 1. */
void bench_die(const char *prog, const char *what, const fwd_error *err);

/* The q quantile of the finite values of v[n] (NAN when none). */
double bench_pct(const double *v, size_t n, double q);

/* n samples of config c (its seed), as a training set in memory: noisy features, log10
 * models. */
invnet_dataset *bench_dataset(const smp_config *c, size_t n);

/* A net trained on n samples of c for epochs epochs on 2 threads: masked (any part of the
 * span) or plain. */
invnet_file *bench_train(const smp_config *c, size_t n, size_t epochs, int masked);

#endif /* BENCH_UTIL_H */
