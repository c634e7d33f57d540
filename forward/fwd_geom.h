/* SPDX-License-Identifier: MIT */
/*
 * fwd_geom.h - survey geometries and the geometry SPEC syntax (the methods: fwd_method.h).
 *
 * A geometry is a method and the points it measures at: AB/2 in metres (and optionally
 * MN/2 in metres) for Schlumberger, the electrode spacing a in metres for Wenner, periods
 * in seconds for magnetotellurics (MT). Points are kept in the order given.
 */
#ifndef FWD_GEOM_H
#define FWD_GEOM_H

#include <stddef.h>

#include "forward/base/fwd_error.h"
#include "forward/fwd_method.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest number of points of one geometry. */
#define FWD_MAX_POINTS 100000

/* The field (fwd_error.field) of a geometry error: the method, MN/2; an error in the points
 * names the method's x_key ("ab2", "a", "period"). */
#define FWD_FIELD_METHOD "method"
#define FWD_FIELD_MN2    "mn2"

typedef struct fwd_geom fwd_geom;

/* MN/2 is at least this share of AB/2: below, the finite-MN response is the ideal array's
 * to 12 digits (measured down to 1e-15), and below about 1e-16 its quadrature, which takes
 * log(AB/2 - MN/2) - log(AB/2 + MN/2), has no digits left (a NaN, before 2026-12-06). */
#define FWD_MN2_MIN_SHARE 1e-9

/*
 * Makes a geometry of n points x (AB/2 m, a m, or period s). mn2 (n values of MN/2, m) is
 * only for a method that takes it (has_mn2: Schlumberger) and may be NULL for the ideal array (MN
 * -> 0). Every value must be finite and > 0, and FWD_MN2_MIN_SHARE AB/2 <= MN/2 < AB/2. The
 * arrays are copied. Returns NULL
 * with err set (FWD_EINVAL naming the point, with err->field FWD_FIELD_METHOD, the method's x_key
 * or FWD_FIELD_MN2; FWD_ENOMEM).
 */
fwd_geom *fwd_geom_alloc(fwd_method m, size_t n, const double *x, const double *mn2,
                         fwd_error *err);

/* Frees g; NULL is a no-op. */
void fwd_geom_free(fwd_geom *g);

fwd_method fwd_geom_method(const fwd_geom *g);

/* Number of points (spacings or periods). */
size_t fwd_geom_size(const fwd_geom *g);

/* Number of data values per model: values per point (fwd_method_info) times points. */
size_t fwd_geom_ndata(const fwd_geom *g);

/* The points, borrowed from g and valid until fwd_geom_free(g). */
const double *fwd_geom_x(const fwd_geom *g);

/* MN/2 per point (m), borrowed; NULL for an ideal Schlumberger and the other methods. */
const double *fwd_geom_mn2(const fwd_geom *g);

/* 1 if a and b are one geometry (method, points and MN/2, bit for bit), else 0. */
int fwd_geom_equal(const fwd_geom *a, const fwd_geom *b);

/* FWD_OK when no point of g is given twice (the same x, with the same MN/2), else FWD_EINVAL
 * naming both ("ab2_m: value 3: 5 is given twice (also value 2)"); any order is fine. */
int fwd_geom_check_distinct(const fwd_geom *g, fwd_error *err);

/*
 * Parses a geometry SPEC into a new array of values, all finite and > 0:
 *   "1,2,5,10"          a comma list;
 *   "START:STOP:COUNT"  COUNT log-spaced values, both ends included (STOP > START);
 *   "@FILE"             one value per line, '#' starts a comment, blank lines skipped.
 * name is the option the SPEC came from, used in messages ("--ab2: expected ...").
 * On success *values (free() it) holds *n >= 1 values; on failure *values is NULL and err
 * says what was wrong, with file:line for @FILE.
 */
int fwd_spec_parse(const char *spec, const char *name, double **values, size_t *n, fwd_error *err);

/*
 * Makes a geometry of method m from SPECs: xspec for the points and, for a method that takes
 * it, mn2spec for MN/2 (NULL: the ideal array), one value for every point or one per point.
 * xname and mn2name name the two inputs in messages, as fwd_spec_parse's name (NULL: the
 * method's x_key, "mn2"). A point given twice (the same x with the same MN/2) is an error.
 * Returns NULL with err set: FWD_EINVAL (or FWD_EIO, FWD_EFORMAT for @FILE) with
 * err->field the method's x_key or FWD_FIELD_MN2, the message starting with that input's
 * name (after "FILE:LINE: " for @FILE); FWD_ENOMEM.
 */
fwd_geom *fwd_geom_parse(fwd_method m, const char *xspec, const char *mn2spec, const char *xname,
                         const char *mn2name, fwd_error *err);

#ifdef __cplusplus
}
#endif

#endif /* FWD_GEOM_H */
