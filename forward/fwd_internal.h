/* SPDX-License-Identifier: MIT */
/*
 * fwd_internal.h - helpers shared by the libfwd sources; not part of the public API.
 */
#ifndef FWD_INTERNAL_H
#define FWD_INTERNAL_H

#include "forward/base/fwd_error.h"

#define FWD_KEY201_N 201

#define FWD_PI      3.14159265358979323846
#define FWD_SQRT2   1.41421356237309504880
#define FWD_SQRT1_2 0.70710678118654752440

/* Key (2012) 201-point J1 filter: abscissae and weights (fwd_filter_key201.c). */
extern const double fwd_key201_base[FWD_KEY201_N];
extern const double fwd_key201_j1[FWD_KEY201_N];

/*
 * The shared-grid J1 filter (fwd_hankel.c): sample step in ln(lambda), window of
 * u = ln(lambda r), erfc taper centre (fraction of pi/STEP) and width, quadrature nodes.
 * Chosen by measuring the error on two-layer image series: about 1e-7 for contrasts 1e4.
 */
#define FWD_DLF_STEP         0.1
#define FWD_DLF_ULO          (-8.0)
#define FWD_DLF_UHI          9.0
#define FWD_DLF_TAPER_CENTER 0.72
#define FWD_DLF_TAPER_WIDTH  2.0
#define FWD_DLF_NQ           256

typedef struct fwd_dlf {
    double omega[FWD_DLF_NQ];
    double _Complex a[FWD_DLF_NQ];
    double step_r[FWD_DLF_NQ], step_i[FWD_DLF_NQ]; /* e^{i w_n STEP} */
} fwd_dlf;

/* Computes the filter's spectrum; FWD_ENOMEM or FWD_ENUMERIC on failure. */
int fwd_dlf_init(fwd_dlf *f, fwd_error *err);

/* Sets w[k] = sum over q < nterm of scale[q] W(u0[q] + k STEP), for k = 0 .. len-1. */
void fwd_dlf_weights(const fwd_dlf *f, size_t nterm, const double *u0, const double *scale,
                     size_t len, double *w);

/* Short name inside libfwd. */
#define fwd_fail fwd_error_set

#endif /* FWD_INTERNAL_H */
