/* SPDX-License-Identifier: MIT */
/*
 * fwd_forward.h - the forward response d = f(m) of a layered earth on a geometry.
 *
 * Data layout per model (fwd_geom_ndata values; each method's values: fwd_method.h):
 *   schlumberger, wenner: apparent resistivity (ohm-m) at each point;
 *   mt: apparent resistivity (ohm-m) at each period, then phase (degrees, 0..90) at each
 *       period: [rho_a(T_1) .. rho_a(T_n), phase(T_1) .. phase(T_n)].
 *
 * A workspace is made once per geometry (and per thread: a workspace is not shared) and
 * holds everything the evaluation needs, so evaluating allocates nothing. Different
 * threads may evaluate at once, each with its own workspace on the same geometry.
 * Methods: docs/methods.md.
 */
#ifndef FWD_FORWARD_H
#define FWD_FORWARD_H

#include <stddef.h>

#include "forward/base/fwd_error.h"
#include "forward/fwd_geom.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Magnetic permeability of free space used for MT, H/m. */
#define FWD_MU0 (4.0e-7 * FWD_PI)

/* How the DC Hankel transform is evaluated (docs/methods.md). */
typedef enum fwd_hankel {
    /* A J1 filter designed for any shift (Ghosh 1971), read on one grid of ln(lambda)
     * shared by every spacing: about 1e-7, and fastest. The default. */
    FWD_HANKEL_SHARED = 0,
    /* The published 201-point J1 filter of Key (2012) at each spacing: about 1e-10,
     * about 30 times slower. */
    FWD_HANKEL_KEY201 = 1
} fwd_hankel;

/* "shared" or "key201"; "unknown" otherwise. */
const char *fwd_hankel_name(fwd_hankel h);

/* Accuracy settings; fill with fwd_params_default() and change what you need. */
typedef struct fwd_params {
    /* DC Hankel transform; default FWD_HANKEL_SHARED. */
    fwd_hankel hankel;
    /* Gauss-Legendre nodes per unit of ln(r) for the potential-difference integral of
     * Wenner and finite-MN Schlumberger arrays (docs/methods.md); default 11.6. */
    double gl_nodes_per_ln;
    /* Fewest and most nodes of one such integral; defaults 4 and 128. */
    size_t gl_min_nodes;
    size_t gl_max_nodes;
} fwd_params;

/* Default settings: relative error <= 1e-5 for contrasts up to 1e4 (tested to 1e-6). */
fwd_params fwd_params_default(void);

typedef struct fwd_workspace fwd_workspace;

/*
 * Makes a workspace for geometry g with settings p (NULL: defaults). g is borrowed and
 * must outlive the workspace. Returns NULL with err set (FWD_EINVAL, FWD_ENOMEM).
 */
fwd_workspace *fwd_workspace_alloc(const fwd_geom *g, const fwd_params *p, fwd_error *err);

/* Frees w; NULL is a no-op. */
void fwd_workspace_free(fwd_workspace *w);

/* The geometry w was made for (borrowed). */
const fwd_geom *fwd_workspace_geom(const fwd_workspace *w);

/*
 * Computes the response of one n-layer model (rho in ohm-m, thick_m in m, n-1 values, may
 * be NULL for n == 1) into d (fwd_geom_ndata values). Returns 0, FWD_EINVAL for a bad
 * model (the message names the layer) or FWD_ENUMERIC if a value is not finite.
 */
int fwd_eval(fwd_workspace *w, size_t n, const double *rho, const double *thick_m, double *d,
             fwd_error *err);

/*
 * Computes count models given as rows of FWD_MODEL_NPARAMS(n) log10 parameters
 * (row-major, see fwd_model.h) into count rows of fwd_geom_ndata values in d. Stops at the
 * first bad row: the message names it ("model 17: ..."). Allocates nothing.
 */
int fwd_eval_batch(fwd_workspace *w, size_t n, size_t count, const double *p, double *d,
                   fwd_error *err);

/*
 * The response of one n-layer model given as FWD_MODEL_NPARAMS(n) log10 parameters p
 * (fwd_model.h) into d (fwd_geom_ndata values, the same as fwd_eval_batch gives), and its
 * Jacobian into J: fwd_geom_ndata rows of FWD_MODEL_NPARAMS(n), row-major,
 * J[i np + k] = d d_i / d log10 p_k, in the datum's units (ohm-m or degrees) per decade.
 * Derived analytically through the recursions (docs/methods.md), it costs about two
 * to three evaluations. The first call for a geometry and layer count may allocate
 * scratch in w (DC, FWD_ENOMEM on failure); later calls allocate nothing. Returns 0,
 * FWD_EINVAL for a bad layer count, FWD_ENUMERIC for a parameter out of range or a value
 * that is not finite.
 */
int fwd_jacobian(fwd_workspace *w, size_t n, const double *p, double *d, double *J, fwd_error *err);

/*
 * fwd_jacobian for a search direction (a Gauss-Newton or Levenberg-Marquardt step) or a
 * training gradient, where an error of 1e-3 changes nothing: DC data on the shared grid
 * fold the runs of filter weights below 1e-7 of a datum's largest into the nearest one kept
 * (a third of them go) and skip the grid points only those read: 2.2 forward models instead
 * of 3.1 (4 layers, 30 points, make bench). d and J within 1e-3 of fwd_jacobian's, relative
 * to the datum, for models whose resistivities differ by at most a factor 1e4 (the worst of
 * 3,000 random models of 1-6 layers, first layers to 0.1 m: 1.9e-4, test_jacobian.c; a
 * review found 4.2e-4 in 10,000 on another geometry); larger contrasts, other methods and
 * Key's filter, or an approximate response that fails the data's checks: fwd_jacobian's
 * bits. Its first call for a workspace also makes the folded weights in w (FWD_ENOMEM on
 * failure). Not for values reported.
 */
int fwd_jacobian_approx(fwd_workspace *w, size_t n, const double *p, double *d, double *J,
                        fwd_error *err);

#ifdef __cplusplus
}
#endif

#endif /* FWD_FORWARD_H */
