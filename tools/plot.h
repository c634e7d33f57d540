/* SPDX-License-Identifier: MIT */
/*
 * plot.h - a picture of one inverted sounding, and a profile's section (PLplot, PNG, SVG or
 * PDF through its cairo drivers).
 */
#ifndef BPINV_PLOT_H
#define BPINV_PLOT_H

#include <stddef.h>

#include "forward/readers/fwd_sounding.h"
#include "invnet/invert/invnet_batch.h"
#include "invnet/invert/invnet_ranges.h"

/* What a sounding's picture shows. */
struct plot_sounding {
    const fwd_sounding *s;  /* the observed points */
    const double *rho_obs;  /* their apparent resistivities as joined (segments shifted), or
                               NULL for s->rho_a */
    size_t n_curve;         /* the model's response on a dense set of points */
    const double *curve_x;  /* n_curve points */
    const double *curve;    /* n_curve rho_a (then n_curve phases for MT) */
    size_t n_layers;        /* the model; 0 when there is none */
    const double *rho_ohmm; /* n_layers */
    const double *thick_m;  /* n_layers - 1 */
    double misfit_pct;
    const char *flags;     /* "" or a list of flag names */
    double worst_x;        /* > 0: outside the training range, the point weighing most */
    const char *ref_label; /* a second model to draw (e.g. a published one), or NULL */
    size_t ref_layers;
    const double *ref_rho, *ref_thick;
    const invnet_ranges *ranges; /* the equivalent models: their resistivity-depth envelope
                                    under the model, their intervals in a table; or NULL */
    double doi_m;       /* the depth of investigation: dashed, what lies below shaded grey (the
                           data do not see it); NAN or 0: none */
    const double *band; /* the envelope of their responses at curve_x (invnet_candidate.band),
                           or NULL */
    double weight;      /* with several layer counts compared: the chosen one's weight; the
                           next-best count's model is drawn faintly, dashed (0: none) */
    size_t alt_layers;
    const double *alt_rho, *alt_thick;
    double alt_weight;
    size_t exit_layers; /* the fit outside the prior (invnet_result.exit_*), drawn dashed
                           with its misfit; 0: none */
    const double *exit_rho, *exit_thick;
    double exit_misfit_pct;
    double dropped_x, dropped_rho; /* a reading left out (--drop-outlier), drawn as an x;
                                      0: none */
    int forward; /* a model's response (bpinv forward), not a sounding inverted: s holds the
                    points computed, the curve the response between them; no misfit or
                    flags */
};

/* A picture's name whose suffix is none of .png, .svg and .pdf (any case): that suffix
 * (".jpg", drawn as a PNG under that name before it was refused); NULL for a good name or
 * one without a suffix (a PNG). */
const char *plot_bad_suffix(const char *path);

/* Loads PLplot, once (the drawing functions do it too): 0, or -1 with a message in msg (cap
 * bytes) naming the Debian packages it needs. */
int plot_load(char *msg, size_t cap);

/* Writes the picture file path (PNG; SVG or PDF when path ends in .svg or .pdf); returns 0,
 * or -1 with a message in msg (cap bytes). */
int plot_sounding_png(const char *path, const struct plot_sounding *p, char *msg, size_t cap);

/* A second model drawn beside bpinv's (e.g. a published interpretation). */
struct plot_ref {
    size_t n;                  /* layers; 0 for none */
    const double *rho, *thick; /* n resistivities (ohm-m), n - 1 thicknesses (m) */
    const char *label;         /* its name in the picture, or NULL for "reference" */
};

/*
 * Writes the picture file path (as plot_sounding_png) of an inverted sounding of a batch
 * (status FWD_OK): its data (as joined, for Schlumberger segments), its model and the
 * model's response curve as the batch computed it (invnet_batch_params.curves), and ref when
 * ref->n > 0. Returns 0, or -1 with a message in msg (cap bytes).
 */
int plot_item_png(const char *path, const invnet_batch_item *it, const struct plot_ref *ref,
                  char *msg, size_t cap);

/*
 * Writes a section of the batch's inverted soundings to path (PNG; SVG or PDF when path
 * ends in .svg or .pdf): their layered models
 * side by side along the profile (the distance from x and y, else from latitude and
 * longitude, else the stations' order), resistivity on a log colour scale with its bar, the
 * elevation up when every station has one (else the depth down), the misfit of each station
 * above and flagged stations in red. -1 with msg set when PLplot cannot be loaded, the file
 * cannot be made, or no sounding was inverted; else 0, msg a note on the distances ("" when
 * none): stations of which some have no position (all drawn in the order given), or that
 * lie off one line (two profiles side by side). depth_m > 0: drawn down to that depth below
 * the stations (else twice the deepest interface, or a little below the deepest depth of
 * investigation), each column no deeper than its sounding sees.
 */
int plot_section_png(const char *path, const invnet_batch *b, double depth_m, char *msg,
                     size_t cap);

#endif /* BPINV_PLOT_H */
