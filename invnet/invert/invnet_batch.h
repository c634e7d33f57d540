/* SPDX-License-Identifier: MIT */
/*
 * invnet_batch.h - a batch of field soundings inverted with one net, or with a set of nets
 * of several layer counts, in parallel: each file read, inverted (invnet_invert.h) and
 * returned with everything a writer or a plot needs.
 *
 * With a set, every count's net inverts (and refines) each sounding, and the count chosen
 * minimises the Bayesian information criterion BIC = chi2 / s^2 + k ln n: chi2 of the
 * refined model with the sounding's errors (each raised to the training noise) or the
 * training noise, k = 2 N - 1 parameters of N layers, n data, and s the data's noise in
 * units of those errors, estimated from the fits (the item's noise_scale, 1 unless the
 * misfit is beyond chance: data noisier than assumed would otherwise buy layers that fit
 * their noise). Each count's
 * weight is
 * exp(-(BIC - BIC_min) / 2) over their sum (Schwarz weights). Ranges, when asked, are
 * those of the chosen count only.
 *
 * The result owns all it holds: the soundings, the models and their checks, the data as
 * compared, the models' responses, and (when asked) a smooth response curve for plots.
 * Soundings are inverted by an OpenMP loop (dynamic schedule, one inverter per thread) into
 * the result by index: the result is the same for any thread count. Nothing is printed.
 */
#ifndef INVNET_BATCH_H
#define INVNET_BATCH_H

#include <signal.h>
#include <stddef.h>

#include "forward/base/fwd_error.h"
#include "forward/readers/fwd_sounding.h"
#include "invnet/invnet_file.h"
#include "invnet/invert/invnet_invert.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct invnet_batch_params {
    invnet_check_params check; /* the checks and refinement of each sounding */
    fwd_component component;   /* the MT impedance read from EDI files [det] */
    size_t threads;            /* soundings inverted at once, >= 1; never more threads than
                                  soundings are started [1] */
    int curves;                /* non-zero: compute each model's response curve for plots, and
                                  its depth of investigation (doi below) [0] */
    int doi;                   /* non-zero: the depth of investigation of the model reported,
                                  into its candidate's doi_m (for sections and XYZ tables) [0] */
    size_t curve_points;       /* points of that curve, >= 2 [120] */
    double curve_pad_decades;  /* it spans the sounding's points (a plain net: and the net's
                                  together), widened by this on each side, log-spaced [0.1] */
    size_t layers;             /* with a set: 0 chooses each sounding's count, else this
                                  count's net alone (it must be in the set) [0] */
    const char *stations;      /* NULL, or the soundings to invert, by name, comma-separated
                                  (borrowed; invnet_batch_params_set_stations): a survey
                                  table's stations or files' names, with or without the
                                  suffix (.csv, .txt, .dat, .tsv, .edi); the others are left
                                  out of the batch, and a name that matches none is an error
                                  (FWD_EINVAL, field "stations") [NULL] */
    int drop_outlier;          /* non-zero: a sounding whose refined answer is flagged
                                  outlier_reading is inverted again without that reading
                                  (its answer flagged outlier_dropped, the item's dropped_*
                                  say which), once, when 3 readings or more are left [0] */
    const char *columns;       /* text files' header names mapped to bpinv's, borrowed
                                  (fwd_sounding_read_columns) [NULL] */
    size_t part, parts;        /* invert only the soundings of block `part` of `parts`, the
                                  others being inverted elsewhere (an MPI rank each): the
                                  soundings, in order, cut into `parts` blocks, as even as
                                  can be (invnet_batch_part); every file is still read, so
                                  that each part knows every sounding [0, 1] */
    void (*progress)(size_t done, size_t total, void *arg); /* called once a sounding of
                                  this part is inverted: done of total (1 to the part's
                                  count, each once, in order; fewer after a stop), from one
                                  thread at a time, any of them; it must return quickly;
                                  NULL: none [NULL] */
    void *progress_arg;                                     /* its arg [NULL] */
    const volatile sig_atomic_t *stop; /* when not NULL: once *stop is non-zero (a signal
                                  handler sets it), no sounding starts any more; those
                                  that did finish, the others get status FWD_ESTOPPED
                                  ("not inverted: the run was stopped"; their time_ms the
                                  read's) and count in the batch's n_stopped [NULL] */
} invnet_batch_params;

/* The block of n soundings that part `part` of `parts` inverts: [*first, *first + *count). */
void invnet_batch_part(size_t n, size_t part, size_t parts, size_t *first, size_t *count);

/* The defaults above, with invnet_check_default() for the checks. */
invnet_batch_params invnet_batch_default(void);

/*
 * The parameters as an opaque object, for bindings that cannot hold the struct (a new
 * invnet_batch_default(), freed by invnet_batch_params_free; NULL when out of memory), and one
 * setting of it by name, as bpinv invert's options set them: "refine" (Levenberg-Marquardt
 * iterations, 0 none), "ranges" (the level of the ranges in percent, 1 to 99.9; 0 none), "layers"
 * (0: every count of a set), "threads" (1 to 1024), "misfit_max" (the high_misfit threshold,
 * percent > 0), "curves" (0 or 1), "doi" (0 or 1), "segment_ref" (invnet_check_params: 0, -1 or an
 * MN/2 in m), "starts", "fit_to", "equivalent" (0 or 1: the fit of each equivalent model
 * kept, invnet_check_params.equivalent). FWD_EINVAL naming the setting for an unknown name
 * or a value out of its range.
 */
invnet_batch_params *invnet_batch_params_alloc(void);
int invnet_batch_params_set(invnet_batch_params *p, const char *name, double value, fwd_error *err);
void invnet_batch_params_free(invnet_batch_params *p);
/* Sets the parameters held in the refinement (invnet_check_params.hold), as bpinv invert's
 * --fix and --bound do: fix "rho2=50,h1=3.5", bound "h2=10:20,depth2=30:40", either NULL;
 * they replace any held before. Parsed as invnet_holds_parse does, p unchanged on error;
 * checked against the nets when a batch is run (invnet_holds_check). */
int invnet_batch_params_set_holds(invnet_batch_params *p, const char *fix, const char *bound,
                                  fwd_error *err);
/* Sets p->columns (borrowed: it must outlive the batches run with p); checked as
 * fwd_sounding_columns_check does, p unchanged on error. */
int invnet_batch_params_set_columns(invnet_batch_params *p, const char *columns, fwd_error *err);

/* The length of name without a sounding file's suffix (".csv", ".txt", ".dat", ".tsv" or
 * ".edi", any case, after at least one character: those a directory operand stands for),
 * else its whole length. */
size_t invnet_batch_stem(const char *name);

/* Sets p->stations (borrowed: keep it until the batch is made): FWD_OK, or FWD_EINVAL for an
 * empty list or an empty name in it ("A,,B"), naming it. */
int invnet_batch_params_set_stations(invnet_batch_params *p, const char *stations, fwd_error *err);

/* Where the station is, as its sounding file says (fwd_sounding); NAN where it does not. */
typedef struct invnet_station {
    double x_m, y_m;         /* easting and northing */
    double elevation_m;      /* of the surface at the station */
    double lat_deg, lon_deg; /* latitude and longitude, degrees (north, east positive) */
} invnet_station;

/*
 * One model found for a sounding: the net's model for its layer count (refined when asked).
 * With a set of nets, one candidate per count, by increasing count.
 */
typedef struct invnet_candidate {
    invnet_result r;       /* the model and its checks; r.response and r.observed are NULL (the
                              arrays below own copies) */
    double *response;      /* f(m) at the sounding's own points: n rho_a (then n phases for MT);
                              NULL when no model was predicted (r.inverted 0) */
    double *curve;         /* f(m) at the item's curve_x: n_curve rho_a (then n_curve phases for
                              MT); NULL when curves were not asked for, no model was predicted, or
                              the forward model failed there */
    invnet_ranges *ranges; /* the equivalent models, when the check asked for them and the
                              sounding had as many data as parameters; else NULL */
    double chi2;           /* of the model against the data (see above); NAN if none */
    double criterion;      /* its BIC; NAN if none */
    double weight;         /* its Schwarz weight among the candidates, 0 to 1 */
    double doi_m;          /* with ranges, curves or doi, the candidate reported: its depth of
                              investigation (the ranges' where they were sampled, else
                              invnet_ranges_doi at 90 %); NAN otherwise or where none */
    invnet_interval doi_interval_m; /* with ranges, theirs (across the equivalent models);
                              NAN otherwise */
    double *band;                   /* with curves and ranges: the envelope of the responses of the
                                       ranges' draws at curve_x, per value (rho_a, then phase for MT)
                                       n_curve lows then n_curve highs; else NULL */
} invnet_candidate;

/* One sounding of the batch. */
typedef struct invnet_batch_item {
    char *path;                   /* the file read */
    fwd_sounding *s;              /* what was read; NULL when the file could not be read */
    int status;                   /* FWD_OK, or the error code of the read or the inversion */
    char err[FWD_ERROR_MSG_SIZE]; /* "" or why it could not be read or inverted (one line) */
    double *observed;    /* the n apparent resistivities the model was compared with: the data,
                            Schlumberger segments shifted as joined; NULL when not inverted */
    size_t n_candidates; /* one per count inverted when status is FWD_OK, 0 otherwise */
    invnet_candidate *candidates; /* n_candidates */
    size_t best;                  /* the candidate reported: the count chosen */
    size_t n_curve;               /* points of the curve, 0 when there is none */
    double *curve_x;              /* n_curve x (m or s), log-spaced, ascending */
    invnet_station station;       /* where the sounding was measured (NAN: not given) */
    double noise_scale;           /* the data's noise in units of their errors (each
                                     raised to the training noise) or of that noise:
                                     invnet_lm_noise_scale() of the count of least chi2
                                     per degree of freedom; the criterion divides each
                                     chi2 by its square. NAN when no count has more data
                                     than parameters */
    double time_ms;               /* reading and inverting it (0 when either failed); a
                                     survey table's read is shared among its stations */
    char *why;          /* NULL, or what the answer needs said, one sentence a line ('\n' between):
                           why it was not inverted, where its fit with the prior widened went, that
                           it fits the training noise but not its own errors */
    char *note;         /* NULL, or the sounding's note and those, "; " between (the JSON's note) */
    int dropped;        /* 1 when its reading that stood out was left out (drop_outlier):
                           s no longer holds it */
    double dropped_x;   /* that reading's AB/2 (m), a (m) or period (s) */
    double dropped_rho; /* and its apparent resistivity as read (ohm-m) */
    double dropped_sigmas; /* how far the reading the first answer's fit flagged stood out
                              (outlier_sigmas) */
    double flagged_x;      /* that reading's x: dropped_x, or a neighbour's when the fit
                              without dropped_x's reading fitted better than without it */
    size_t dropped_line;   /* its line in the file (0: not known) */
    int given;             /* a sounding given in memory (invnet_batch_invert_soundings): its
                              "lines" are its points' places in the arrays */
} invnet_batch_item;

typedef struct invnet_batch {
    size_t n;                /* soundings, in the order of the paths given (a survey table's
                                stations each, in the order of their first readings) */
    invnet_batch_item *item; /* n */
    size_t n_layers;         /* the most layers of any candidate's model */
    size_t n_counts;         /* layer counts compared for each sounding (1: one net) */
    double ranges_level;     /* the level of the ranges, percent; 0 when none were asked */
    size_t first, count;     /* the items inverted here (p->part): [first, first + count);
                                the others hold their sounding (or the error of its read)
                                and no candidate */
    int segments;            /* 1 when a sounding inverted here was joined from Schlumberger
                                segments (the CSV then has their factors); a batch in parts
                                takes the largest of its parts' before writing */
    int doi;                 /* 1 when the depths of investigation were computed (ranges,
                                curves or doi asked for): the CSV has doi_m */
    size_t n_stopped;        /* items of this part not inverted because p->stop was set */
} invnet_batch;

/* The candidate reported for an item that was inverted (status FWD_OK), else NULL. */
const invnet_candidate *invnet_batch_best(const invnet_batch_item *it);
/* 1 when the item was inverted from Schlumberger segments (several MN/2) joined into one
 * curve (its segments' factors are reported), else 0. */
int invnet_batch_joined(const invnet_batch_item *it);

/*
 * Reads and inverts the soundings of the n files at paths with the net nf (borrowed during
 * the call): the files read in parallel as the net's method (fwd_sounding_read_stations
 * with p->component and p->columns), each station inverted with invnet_invert (p->check),
 * one item per station in the order of the paths (a file of one sounding: one item, its
 * item[].path the path). A file that cannot be read is one item holding the status and
 * message, and a sounding that cannot be inverted too: neither is an error of the batch.
 * *out is a new batch (invnet_batch_free it; n of 0 gives one of no items), NULL on error.
 * Errors: FWD_EINVAL (bad parameters: p's own, its holds, its ranges' when it samples
 * them), FWD_ENOMEM (err "out of memory").
 */
int invnet_batch_invert(const invnet_file *nf, const invnet_batch_params *p,
                        const char *const *paths, size_t n, invnet_batch **out, fwd_error *err);

/* The same with a set of nets (invnet_file.h): the layer count chosen per sounding (or
 * p->layers); FWD_EINVAL also when p->layers is not a count of the set. */
int invnet_batch_invert_set(const invnet_set *ns, const invnet_batch_params *p,
                            const char *const *paths, size_t n, invnet_batch **out, fwd_error *err);

/*
 * As invnet_batch_invert_set, for soundings already in memory (fwd_sounding_read,
 * fwd_sounding_from_arrays, or made by the caller) instead of files: each is copied, its
 * item's path is its source. A sounding that fails fwd_sounding_check, or of another method
 * than the nets', is an item's error (status and message), as an unreadable file is.
 * p->component does not apply. Errors of the call: FWD_EINVAL for a NULL sounding pointer,
 * a bad p or a layer count the set has not; FWD_ENOMEM.
 */
int invnet_batch_invert_soundings(const invnet_set *ns, const invnet_batch_params *p,
                                  const fwd_sounding *const *s, size_t n, invnet_batch **out,
                                  fwd_error *err);

/* Frees b and all it owns; NULL is a no-op. */
void invnet_batch_free(invnet_batch *b);

/*
 * The sounding files that operands stand for, in order: an operand that is a directory
 * stands for its regular files named *.csv, *.txt, *.dat, *.tsv or *.edi (any case; names
 * starting with '.' skipped) in the natural order of their names (runs of digits compare as
 * numbers: L1-200 before L1-1000), or, holding none, for itself (invnet_batch_invert of it
 * gives its error, naming a few files it holds: not passed over in silence); any other
 * operand, a missing file included, stands for itself. *paths is a new array of *n new strings
 * (invnet_batch_paths_free), possibly empty; a directory that cannot be read stands for
 * itself too (its item's error: "DIR: cannot read the directory: REASON"), and the others
 * are inverted. Errors: FWD_ENOMEM; then *paths is NULL.
 */
int invnet_batch_expand(const char *const *operands, size_t n_operands, char ***paths, size_t *n,
                        fwd_error *err);

/*
 * invnet_batch_expand for a net of method (a fwd_method; -1: any, as invnet_batch_expand): a
 * directory that holds .edi files and files of other names stands for its .edi files alone
 * for an MT net, for the others alone for a DC one (an MT survey's folder holds notes and
 * station tables: they failed the run). What was left out is said in a note: on success
 * err->msg, "DIR: its .edi files only, for an MT net; 3 other files left out (junk.dat,
 * notes.txt, stations.csv): give them as operands to read them", empty when nothing was.
 */
int invnet_batch_expand_for(const char *const *operands, size_t n_operands, int method,
                            char ***paths, size_t *n, fwd_error *err);

/* Frees the n paths and the array; NULL is a no-op. */
void invnet_batch_paths_free(char **paths, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* INVNET_BATCH_H */
