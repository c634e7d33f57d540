/* SPDX-License-Identifier: MIT */
/*
 * fwd_internal.h - helpers shared by the libfwd sources; not part of the public API.
 */
#ifndef FWD_INTERNAL_H
#define FWD_INTERNAL_H

#include "forward/fwd_error.h"

#define FWD_KEY201_N 201

#define FWD_PI      3.14159265358979323846
#define FWD_SQRT2   1.41421356237309504880
#define FWD_SQRT1_2 0.70710678118654752440

/* Key (2012) 201-point J1 filter: abscissae and weights (fwd_filter_key201.c). */
extern const double fwd_key201_base[FWD_KEY201_N];
extern const double fwd_key201_j1[FWD_KEY201_N];

#if defined(__GNUC__)
#define FWD_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FWD_PRINTF(a, b)
#endif

/* Sets err->code and formats err->msg; returns code so callers can `return fwd_fail(...)`. */
int fwd_fail(fwd_error *err, int code, const char *fmt, ...) FWD_PRINTF(3, 4);

#endif /* FWD_INTERNAL_H */
