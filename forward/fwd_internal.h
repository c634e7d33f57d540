/* SPDX-License-Identifier: MIT */
/*
 * fwd_internal.h - helpers shared by the libfwd sources; not part of the public API.
 */
#ifndef FWD_INTERNAL_H
#define FWD_INTERNAL_H

#include "forward/base/fwd_error.h"
#include "forward/fwd_forward.h"
#include "forward/fwd_method.h"

/* Not exported from libbpinv.so: libfwd's own (static links are not affected). */
#pragma GCC visibility push(hidden)

#define FWD_KEY201_N 201

#define FWD_SQRT2   1.41421356237309504880
#define FWD_SQRT1_2 0.70710678118654752440
#define FWD_LN10    2.30258509299404568402

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
} fwd_dlf;

/* Computes the filter's spectrum; FWD_ENOMEM or FWD_ENUMERIC on failure. */
int fwd_dlf_init(fwd_dlf *f, fwd_error *err);

/* Sets w[i] = W(u0 + i h) for i = 0 .. n-1, each a direct sum over the nodes. */
void fwd_dlf_sample(const fwd_dlf *f, double u0, double h, size_t n, double *w);

/*
 * W tabulated (fwd_filter_shared.c, made by tools/gen/gen_filter_shared.c from
 * fwd_dlf_sample): fwd_dlf_table[i] = W(FWD_DLF_TABLE_U0 + i FWD_DLF_TABLE_H), at
 * FWD_DLF_OVERSAMPLE points per STEP, read by FWD_DLF_INTERP-point Lagrange interpolation
 * (about 4e-10 of W's peak; docs/methods.md). It reaches FWD_DLF_MARGIN beyond the window
 * [ULO, UHI] at both ends (and half the stencil more): a datum of several terms (finite MN,
 * Wenner) reads each term over the datum's whole range, which runs past the window by the
 * spread of the terms' ln r (ln 2 for Wenner; ln 19 for MN/2 = 0.9 AB/2).
 */
#define FWD_DLF_OVERSAMPLE 8
#define FWD_DLF_INTERP     10
#define FWD_DLF_MARGIN     3.0
#define FWD_DLF_TABLE_H    (FWD_DLF_STEP / FWD_DLF_OVERSAMPLE)
#define FWD_DLF_TABLE_U0   (FWD_DLF_ULO - FWD_DLF_MARGIN - (FWD_DLF_INTERP / 2) * FWD_DLF_TABLE_H)
#define FWD_DLF_TABLE_N    1851 /* (170 + 2 x 30) STEPs of 8 points, 1, and 2 x 5 more */
extern const double fwd_dlf_table[FWD_DLF_TABLE_N];

/* Sets w[k] = sum over q < nterm of scale[q] W(u0[q] + k STEP), for k = 0 .. len-1, from
 * the table. */
void fwd_dlf_weights(size_t nterm, const double *u0, const double *scale, size_t len, double *w);

/*
 * The forward evaluator of a method (fwd_method_info.eval), defined in fwd_forward.c.
 * fwd_workspace_alloc checks the geometry and the parameters, sets the workspace's common
 * fields (geometry, method, Hankel choice, number of points), then calls setup; fwd_eval
 * loads a model into the workspace, calls eval, and checks every datum against its value's
 * rules (finite; > 0 where the value must be).
 */
struct fwd_evaluator {
    /* Fills the method's part of workspace w: FWD_ENOMEM (or FWD_ENUMERIC) on failure,
     * after which w is freed with fwd_workspace_free. */
    int (*setup)(fwd_workspace *w, const fwd_params *p, fwd_error *err);
    /* The response of the n-layer model loaded in w into d (fwd_geom_ndata values). */
    void (*eval)(fwd_workspace *w, size_t n, double *d);
    /* The same into d, and d d_i / d log10 p_k into J (fwd_geom_ndata rows of
     * FWD_MODEL_NPARAMS(n)); approx: as fwd_jacobian_approx may. FWD_ENOMEM if its scratch
     * cannot be made. */
    int (*jac)(fwd_workspace *w, size_t n, double *d, double *J, int approx, fwd_error *err);
};

extern const struct fwd_evaluator fwd_evaluator_schlumberger;
extern const struct fwd_evaluator fwd_evaluator_wenner;
extern const struct fwd_evaluator fwd_evaluator_mt;

/* Short name inside libfwd. */
#define fwd_fail fwd_error_set

#pragma GCC visibility pop

#endif /* FWD_INTERNAL_H */
