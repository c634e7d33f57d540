/* SPDX-License-Identifier: MIT */
/*
 * fwd_method.h - the survey methods: one table entry per method holding what the other
 * layers ask about it.
 *
 * An entry gives the method's name, the quantity its points are (AB/2, a, period: column
 * name, prose, unit, the header names a text sounding may use), whether it takes MN/2, the
 * values measured at each point and the forward evaluator. Each value (apparent
 * resistivity, phase) says how it is written, how it becomes a net feature, how a misfit
 * compares it and what noise does to it. Data of one model hold the values value by value:
 * value 0 at every point, then value 1 at every point (fwd_forward.h).
 *
 * Adding a method: an entry in the table of fwd_method.c, an evaluator (fwd_internal.h,
 * struct fwd_evaluator) and the methods' docs; the layers above read the table.
 */
#ifndef FWD_METHOD_H
#define FWD_METHOD_H

#include <stddef.h>

#include "forward/base/fwd_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* pi, for every rule below and the libraries above. */
#define FWD_PI 3.14159265358979323846

typedef enum fwd_method { FWD_SCHLUMBERGER = 0, FWD_WENNER = 1, FWD_MT = 2 } fwd_method;

/* Number of methods: every fwd_method is in 0 .. FWD_N_METHODS - 1. */
#define FWD_N_METHODS 3

/* Most values per point of any method. */
#define FWD_MAX_VALUES 2

/*
 * Degrees of phase standard deviation per unit of relative noise on apparent resistivity:
 * 90 / pi. rho_a ~ |Z|^2, so relative noise e on rho_a is e / 2 on |Z|, which turns the
 * phase by e / 2 radians = e 90 / pi degrees. The samples' phase noise is
 * noise * FWD_PHASE_DEG_PER_NOISE * z (this constant rounded once).
 */
#define FWD_PHASE_DEG_PER_NOISE (90.0 / FWD_PI)

/*
 * The phase standard deviation, degrees, that goes with relative noise `noise` on apparent
 * resistivity, computed as noise * 90 / FWD_PI in that order (the floor of a phase error).
 */
double fwd_phase_sd_deg(double noise);

/* What a value measured at a point is. */
typedef enum fwd_value_kind {
    FWD_VALUE_RHO_A = 0, /* apparent resistivity, ohm-m */
    FWD_VALUE_PHASE = 1  /* impedance phase, degrees (0 .. 90 for a 1D earth) */
} fwd_value_kind;

/* One value per point of a method, and the rules every layer applies to it. */
typedef struct fwd_value_info {
    fwd_value_kind kind;
    const char *column;    /* CSV and HDF5 column name: "rho_a_ohmm", "phase_deg" */
    const char *name;      /* in prose: "apparent resistivity", "phase" */
    const char *unit;      /* in prose: "ohm-m", "degrees" */
    const char *unit_attr; /* the HDF5 `units` attribute of its data columns: "ohm-m", "degree" */
    const char *feature;   /* name stem of its net features: "log10_rho_a", "phase_over_90" */
    const char *sd_column; /* column of its standard error: "sd_log10_rho_a", "sd_phase_deg" */
    int positive;          /* 1: a value must be > 0 (else only finite) */
    /* The net feature of value v: log10 v; v / 90. */
    double (*to_feature)(double v);
    /* How a misfit compares a computed value with an observed one: (calc - obs) / obs
     * (relative); (calc - obs) / 90 (degrees over 90). */
    double (*misfit)(double calc, double obs);
    /* The difference a standard error in sd_column measures: log10 calc - log10 obs;
     * calc - obs (degrees). */
    double (*residual)(double calc, double obs);
    /* A noisy copy of clean with relative noise `noise` and a standard normal draw z:
     * clean exp(noise z) (log-normal); clean + noise * FWD_PHASE_DEG_PER_NOISE * z. */
    double (*noisy)(double clean, double noise, double z);
    /* The standard error, in sd_column's units, that relative noise `noise` implies:
     * noise / ln 10 (of log10 rho_a); fwd_phase_sd_deg(noise). */
    double (*sd_floor)(double noise);
} fwd_value_info;

/* The forward evaluator of a method (libfwd's own: fwd_internal.h). */
struct fwd_evaluator;

/* One survey method. */
typedef struct fwd_method_info {
    fwd_method method;
    const char *name;    /* "schlumberger", "wenner", "mt" */
    const char *article; /* before the name in prose: "a", or "an" for mt */
    /* The points of a geometry, x: */
    const char *x_key;    /* short name: "ab2", "a", "period" (a program's option name) */
    const char *x_column; /* CSV and HDF5 column name: "ab2_m", "a_m", "period_s" */
    const char *x_name;   /* in prose: "AB/2", "electrode spacing a", "period" */
    const char *x_plural; /* several of them: "AB/2 values", "spacings a", "periods" */
    const char *x_unit;   /* "m", "s" */
    /* Header names of a text sounding's x column (lower case, units dropped), NULL ends;
     * of a column holding 1 / x instead (MT: frequencies, Hz), NULL for none; and the
     * column name of 1 / x in messages ("freq_hz"), NULL for none. */
    const char *const *x_aliases;
    const char *const *x_recip_aliases;
    const char *x_recip_column;
    int has_mn2; /* takes MN/2 per point (m): a Schlumberger array with finite MN */
    int hankel;  /* its response uses the DC Hankel transform (fwd_params.hankel applies) */
    /* The depth (m) that point x sees in a half-space of rho_a ohm-m: the spacing for DC
     * arrays, the skin depth 503 sqrt(rho_a T) for MT (a start for the layer depths). */
    double (*depth_m)(double x, double rho_a);
    /* The values measured at each point, in the order of the data. */
    size_t nvalues;
    const fwd_value_info *values[FWD_MAX_VALUES];
    /* Computes the response of a model at a geometry of this method (libfwd's own). */
    const struct fwd_evaluator *eval;
    /* (Last, so that the members before keep their offsets.) The geometric factor K (m) of the
     * array at point x with MN/2 mn2 (0 where a file gives none), rho_a = K dV / I: what a file of
     * resistances or of dV and I is read with. NULL for a method not measured so (MT): such a file
     * is refused. */
    double (*geometric_factor)(double x, double mn2);
} fwd_method_info;

/* The table entry of method m (static, never freed); NULL when m is not a method. */
const fwd_method_info *fwd_method_get(fwd_method m);

/* "schlumberger", "wenner" or "mt"; "unknown" for any other value. */
const char *fwd_method_name(fwd_method m);

/* The article before the method's name in prose: "an" for mt, "a" for the others. */
const char *fwd_method_article(fwd_method m);

/* Parses a method name (exact, lower case). FWD_EINVAL names the accepted values. */
int fwd_method_parse(const char *s, fwd_method *m, fwd_error *err);

/* CSV column name of the geometry variable: "ab2_m", "a_m" or "period_s"; "x" otherwise. */
const char *fwd_method_xname(fwd_method m);

/* Data values of npts points of method m: values per point times npts; 0 when m is not a
 * method. */
size_t fwd_method_ndata(fwd_method m, size_t npts);

/* Index of the value of kind `kind` among method m's values; -1 when m does not measure it
 * (or is not a method). */
int fwd_method_value_index(fwd_method m, fwd_value_kind kind);

/*
 * Writes the method names as a list, "schlumberger, wenner or mt", into buf (cap bytes,
 * cut short to fit) and returns buf: for messages naming the accepted methods.
 */
const char *fwd_method_list(char *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* FWD_METHOD_H */
