/* SPDX-License-Identifier: MIT */
/*
 * invnet_output.c - the CSV and JSON of a batch, both written from one list of columns.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forward/base/fwd_io.h"
#include "forward/fwd_model.h"
#include "invnet/invert/invnet_output.h"

/* What a column holds. */
enum kind {
    K_TEXT,      /* a string: CSV quoted where needed, JSON string */
    K_COUNT,     /* a whole number */
    K_NUM,       /* a number, in the column's format */
    K_BOOL,      /* true or false */
    K_FLAGS,     /* the flag names: CSV joined by ';', JSON a list of strings */
    K_RANGES,    /* JSON: the object of the equivalent models' intervals */
    K_COUNTS,    /* the layer counts compared: CSV "N:weight;..." , JSON a list of objects */
    K_SEGMENTS,  /* the Schlumberger segments' factors as joined: CSV "mn2:factor;...", JSON a
                    list of objects */
    K_EXIT,      /* JSON: the object of the fit outside the prior */
    K_UNRESOLVED /* CSV: the parameters the ranges leave unresolved, joined by ';' */
};

/* How many values: one, one per layer, one per interface (layers - 1). */
enum shape { S_ONE, S_LAYER, S_INTERFACE };

/* Number formats. */
enum fmt { F_6G, F_4G, F_3F, F_10G };

/* Where a column is written. */
enum {
    IN_CSV = 1,          /* a CSV column */
    IN_JSON = 2,         /* a key of a sounding's object */
    IN_ERROR = 4,        /* a key of the object of a sounding that could not be read or inverted */
    OPTIONAL = 8,        /* JSON: null where it does not apply (every object has every key) */
    RANGE = 16,          /* CSV: two columns per value, the low and high ends of its interval,
                            written only when ranges were asked for */
    WITH_RANGES = 32,    /* CSV: written only when ranges were asked for */
    WITH_COUNTS = 64,    /* CSV: written only when several layer counts were compared */
    CSV_ERROR = 128,     /* CSV: filled in the row of a sounding that could not be read or
                            inverted (the others are empty there) */
    WITH_SEGMENTS = 256, /* CSV: written only when a sounding of the batch was joined from
                            Schlumberger segments */
    WITH_DOI = 512       /* CSV: written only when the depths of investigation were computed */
};

/* One value of a column. */
struct value {
    const char *text;
    size_t count;
    double num;
    int yes;
    unsigned flags;
    const invnet_ranges *ranges;
    const invnet_batch_item *item;
    const invnet_result *result;
};

/* The candidate reported: the item's best (c may be NULL only for IN_ERROR columns). */
typedef const invnet_candidate cand;

struct column {
    const char *header; /* CSV header; per layer or interface: before K (1-based) */
    const char *suffix; /* per layer or interface: after K */
    const char *key;    /* JSON key */
    unsigned char kind, shape, fmt;
    unsigned short where;
    /* whether the column applies to the sounding (NULL: always) */
    int (*has)(const invnet_batch_item *it, cand *c);
    /* value k (layer or interface k, 0 for a single value) */
    void (*get)(const invnet_batch_item *it, cand *c, size_t k, struct value *v);
};

static int
has_model(const invnet_batch_item *it, cand *c)
{
    (void)it;
    return c->r.inverted;
}

static int
has_chi2(const invnet_batch_item *it, cand *c)
{
    (void)it;
    return isfinite(c->r.chi2);
}

static void
get_source(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)c, (void)k;
    v->text = it->path;
}

static void
get_error(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)c, (void)k;
    v->text = it->err;
}

/* The station's position: each coordinate a column (JSON only, where the file gives it),
 * its test and its getter made by one macro. */
#define STATION_COLUMN(has, get, field)                                                            \
    static int has(const invnet_batch_item *it, cand *c)                                           \
    {                                                                                              \
        (void)c;                                                                                   \
        return isfinite(it->station.field);                                                        \
    }                                                                                              \
    static void get(const invnet_batch_item *it, cand *c, size_t k, struct value *v)               \
    {                                                                                              \
        (void)c, (void)k;                                                                          \
        v->num = it->station.field;                                                                \
    }
STATION_COLUMN(has_x, get_x, x_m)
STATION_COLUMN(has_y, get_y, y_m)
STATION_COLUMN(has_elev, get_elev, elevation_m)
STATION_COLUMN(has_lat, get_lat, lat_deg)
STATION_COLUMN(has_lon, get_lon, lon_deg)

/* The depth of the top of each layer below the first, m. */
static void
get_depth(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    size_t j;

    (void)it;
    v->num = 0;
    for (j = 0; j <= k; j++)
        v->num += c->r.thick_m[j];
}

static int
has_error(const invnet_batch_item *it, cand *c)
{
    (void)c;
    return it->status != FWD_OK;
}

/* The station's name, known when its file was read (a survey's station that could not be
 * inverted is told apart by it). */
static int
has_name(const invnet_batch_item *it, cand *c)
{
    (void)c;
    return it->s != NULL;
}

static void
get_name(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)c, (void)k;
    v->text = it->s->name;
}

/* What the reader assumed about the sounding's file (fwd_sounding.note), where it did. */
static int
has_note(const invnet_batch_item *it, cand *c)
{
    (void)c;
    return it->note != NULL || (it->s != NULL && it->s->note[0] != '\0');
}

static void
get_note(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)c, (void)k;
    v->text = it->note != NULL ? it->note : it->s->note;
}

/* The columns of a sounding's text file that were not read (fwd_sounding.unused), where
 * some were: a remark or a column misnamed, said beside each answer of a batch, not only
 * on standard error. */
static int
has_unused(const invnet_batch_item *it, cand *c)
{
    (void)c;
    return it->s != NULL && it->s->unused[0] != '\0';
}

static void
get_unused(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)c, (void)k;
    v->text = it->s->unused;
}

static void
get_method(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)c, (void)k;
    v->text = fwd_method_name(it->s->method);
}

static int
has_component(const invnet_batch_item *it, cand *c)
{
    (void)c;
    return it->s != NULL && it->s->component[0] != '\0';
}

static void
get_component(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)c, (void)k;
    v->text = it->s->component;
}

static void
get_n_layers(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it, (void)k;
    v->count = c->r.n_layers;
}

static void
get_rho(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it;
    v->num = c->r.rho_ohmm[k];
}

static void
get_thick(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it;
    v->num = c->r.thick_m[k];
}

static void
get_misfit(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it, (void)k;
    v->num = c->r.misfit_rms_pct;
}

static void
get_misfit_net(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it, (void)k;
    v->num = c->r.misfit_net_pct;
}

static void
get_refined(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it, (void)k;
    v->yes = c->r.refined;
}

static void
get_chi2(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it, (void)k;
    v->num = c->r.chi2;
}

static void
get_chi2_given(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it, (void)k;
    v->num = c->r.chi2_given;
}

static void
get_error_floor(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it, (void)k;
    v->num = c->r.error_floor_pct;
}

/* The data's noise in units of their errors: with a model whose fit has one. */
static int
has_noise_scale(const invnet_batch_item *it, cand *c)
{
    return c->r.inverted && isfinite(it->noise_scale);
}

static void
get_noise_scale(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)c, (void)k;
    v->num = it->noise_scale;
}

static void
get_d2(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it, (void)k;
    v->num = c->r.d2;
}

static void
get_span(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it, (void)k;
    v->num = c->r.span_decades;
}

static void
get_n_observed(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it, (void)k;
    v->count = c->r.n_observed;
}

static int
has_outside(const invnet_batch_item *it, cand *c)
{
    (void)it;
    return (c->r.flags & INVNET_FLAG_OUTSIDE) != 0;
}

/* The refined fit's reading that stands out most: with a refined model. */
static int
has_outlier(const invnet_batch_item *it, cand *c)
{
    (void)it;
    return c->r.inverted && isfinite(c->r.outlier_sigmas);
}

static void
get_outlier_x(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it, (void)k;
    v->num = c->r.outlier_x;
}

static void
get_outlier_sigmas(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it, (void)k;
    v->num = c->r.outlier_sigmas;
}

/* The reading left out before the answer (drop_outlier): with one. */
static int
has_dropped(const invnet_batch_item *it, cand *c)
{
    (void)c;
    return it->dropped;
}

static void
get_dropped_x(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)c, (void)k;
    v->num = it->dropped_x;
}

static void
get_dropped_line(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)c, (void)k;
    v->count = it->dropped_line;
}

static void
get_dropped_sigmas(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)c, (void)k;
    v->num = it->dropped_sigmas;
}

static void
get_worst_x(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it, (void)k;
    v->num = c->r.worst_x;
}

static void
get_worst_share(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it, (void)k;
    v->num = c->r.worst_share;
}

static void
get_in_range(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it, (void)k;
    v->yes = c->r.in_range;
}

static void
get_flags(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it, (void)k;
    v->flags = c->r.flags;
}

static int
has_ranges(const invnet_batch_item *it, cand *c)
{
    (void)it;
    return c->ranges != NULL;
}

static void
get_ranges(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it, (void)k;
    v->ranges = c->ranges;
}

/* Value k of a RANGE column: the low (k even) or high end of interval k / 2. */
#define RANGE_GETTER(fn, field)                                                                    \
    static void fn(const invnet_batch_item *it, cand *c, size_t k, struct value *v)                \
    {                                                                                              \
        (void)it;                                                                                  \
        v->num = c->ranges->field[k / 2][k % 2 ? 2 : 0];                                           \
    }
RANGE_GETTER(get_rho_range, rho_ohmm)
RANGE_GETTER(get_thick_range, thick_m)
RANGE_GETTER(get_depth_range, depth_m)
RANGE_GETTER(get_cond_range, conductance_s)
RANGE_GETTER(get_trans_range, transverse_ohmm2)

/* The depth of investigation computed for the model reported (invnet_batch_params.doi),
 * else its ranges' (a candidate made by hand may have set only those); NaN: none (a
 * candidate made elsewhere, all zeros). */
static double
doi_of(const cand *c)
{
    double d = c->doi_m;

    if (!(isfinite(d) && d > 0) && c->ranges != NULL)
        d = c->ranges->doi_m;
    return isfinite(d) && d > 0 ? d : NAN;
}

static int
has_doi_m(const invnet_batch_item *it, cand *c)
{
    (void)it;
    return !isnan(doi_of(c));
}

static void
get_doi_m(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it, (void)k;
    v->num = doi_of(c);
}

/* The depth of investigation across the ranges' equivalent models (their interval). */
static int
has_doi_range(const invnet_batch_item *it, cand *c)
{
    (void)it;
    return c->ranges != NULL && isfinite(c->ranges->doi_interval_m[1]);
}

static void
get_doi_range(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it;
    v->num = c->ranges->doi_interval_m[k % 2 ? 2 : 0];
}

static int
has_counts(const invnet_batch_item *it, cand *c)
{
    return it->n_candidates > 1 && c != NULL && c->r.inverted;
}

/* Whether the sounding has a model (the JSON's n_layers: the net's count, or the one
 * chosen). */
static int
has_count(const invnet_batch_item *it, cand *c)
{
    return it->n_candidates > 0 && c->r.inverted;
}

static void
get_counts(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)c, (void)k;
    v->item = it;
}

/* Whether the sounding was measured in Schlumberger segments (several MN/2) and joined. */
static int
has_segments(const invnet_batch_item *it, cand *c)
{
    (void)c;
    return invnet_batch_joined(it);
}

static int
has_exit(const invnet_batch_item *it, cand *c)
{
    (void)it;
    return c->r.exit_run;
}

static void
get_exit(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)it, (void)k;
    v->result = &c->r;
}

static void
get_segments(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)c, (void)k;
    v->item = it;
}

static void
get_time(const invnet_batch_item *it, cand *c, size_t k, struct value *v)
{
    (void)c, (void)k;
    v->num = it->time_ms;
}

/*
 * The output fields, in order. A new field is one entry here (and its getter above);
 * docs/ describe the fields.
 */
static const struct column columns[] = {
    {"source", NULL, "source", K_TEXT, S_ONE, 0, IN_CSV | IN_JSON | IN_ERROR | CSV_ERROR, NULL,
     get_source},
    {"error", NULL, "error", K_TEXT, S_ONE, 0, IN_ERROR, NULL, get_error},
    {"name", NULL, "name", K_TEXT, S_ONE, 0, IN_CSV | IN_JSON | IN_ERROR | CSV_ERROR, has_name,
     get_name},
    {"method", NULL, "method", K_TEXT, S_ONE, 0, IN_CSV | IN_JSON, NULL, get_method},
    {NULL, NULL, "component", K_TEXT, S_ONE, 0, IN_JSON | OPTIONAL, has_component, get_component},
    {NULL, NULL, "x_m", K_NUM, S_ONE, F_10G, IN_JSON | OPTIONAL, has_x, get_x},
    {NULL, NULL, "y_m", K_NUM, S_ONE, F_10G, IN_JSON | OPTIONAL, has_y, get_y},
    {NULL, NULL, "elevation_m", K_NUM, S_ONE, F_6G, IN_JSON | OPTIONAL, has_elev, get_elev},
    {NULL, NULL, "lat_deg", K_NUM, S_ONE, F_10G, IN_JSON | OPTIONAL, has_lat, get_lat},
    {NULL, NULL, "lon_deg", K_NUM, S_ONE, F_10G, IN_JSON | OPTIONAL, has_lon, get_lon},
    {NULL, NULL, "note", K_TEXT, S_ONE, 0, IN_JSON | OPTIONAL, has_note, get_note},
    {NULL, NULL, "columns_not_read", K_TEXT, S_ONE, 0, IN_JSON | OPTIONAL, has_unused, get_unused},
    {"n_layers", NULL, "n_layers", K_COUNT, S_ONE, 0, IN_CSV | IN_JSON | OPTIONAL, has_count,
     get_n_layers},
    {"layer_weights", NULL, "layer_counts", K_COUNTS, S_ONE, 0,
     IN_CSV | IN_JSON | OPTIONAL | WITH_COUNTS, has_counts, get_counts},
    {"rho_", "_ohmm", "rho_ohmm", K_NUM, S_LAYER, F_6G, IN_CSV | IN_JSON, has_model, get_rho},
    {"thick_", "_m", "thick_m", K_NUM, S_INTERFACE, F_6G, IN_CSV | IN_JSON, has_model, get_thick},
    {NULL, NULL, "depth_m", K_NUM, S_INTERFACE, F_6G, IN_JSON, has_model, get_depth},
    {"rho_", "_ohmm", NULL, K_NUM, S_LAYER, F_6G, IN_CSV | RANGE, has_ranges, get_rho_range},
    {"thick_", "_m", NULL, K_NUM, S_INTERFACE, F_6G, IN_CSV | RANGE, has_ranges, get_thick_range},
    {"depth_", "_m", NULL, K_NUM, S_INTERFACE, F_6G, IN_CSV | RANGE, has_ranges, get_depth_range},
    {"conductance_", "_siemens", NULL, K_NUM, S_INTERFACE, F_6G, IN_CSV | RANGE, has_ranges,
     get_cond_range},
    {"transverse_", "_ohmm2", NULL, K_NUM, S_INTERFACE, F_6G, IN_CSV | RANGE, has_ranges,
     get_trans_range},
    {"doi_m", NULL, NULL, K_NUM, S_ONE, F_4G, IN_CSV | WITH_DOI, has_doi_m, get_doi_m},
    {"doi_m", NULL, NULL, K_NUM, S_ONE, F_4G, IN_CSV | RANGE, has_doi_range, get_doi_range},
    {NULL, NULL, "doi_m", K_NUM, S_ONE, F_4G, IN_JSON | OPTIONAL, has_doi_m, get_doi_m},
    {"misfit_rms_pct", NULL, "misfit_rms_pct", K_NUM, S_ONE, F_4G, IN_CSV | IN_JSON, has_model,
     get_misfit},
    {"misfit_net_pct", NULL, "misfit_net_pct", K_NUM, S_ONE, F_4G, IN_CSV | IN_JSON | OPTIONAL,
     has_model, get_misfit_net},
    {"refined", NULL, "refined", K_BOOL, S_ONE, 0, IN_CSV | IN_JSON | OPTIONAL, has_model,
     get_refined},
    {"chi2", NULL, "chi2", K_NUM, S_ONE, F_4G, IN_CSV | IN_JSON | OPTIONAL, has_chi2, get_chi2},
    {"chi2_given", NULL, "chi2_given", K_NUM, S_ONE, F_4G, IN_CSV | IN_JSON | OPTIONAL, has_chi2,
     get_chi2_given},
    {NULL, NULL, "error_floor_pct", K_NUM, S_ONE, F_4G, IN_JSON | OPTIONAL, has_chi2,
     get_error_floor},
    {NULL, NULL, "noise_scale", K_NUM, S_ONE, F_4G, IN_JSON | OPTIONAL, has_noise_scale,
     get_noise_scale},
    {"mahalanobis_d2", NULL, "mahalanobis_d2", K_NUM, S_ONE, F_4G, IN_CSV | IN_JSON | OPTIONAL,
     has_model, get_d2},
    {"span_decades", NULL, "span_decades", K_NUM, S_ONE, F_4G, IN_CSV | IN_JSON, NULL, get_span},
    {NULL, NULL, "net_points_observed", K_COUNT, S_ONE, 0, IN_JSON, NULL, get_n_observed},
    {NULL, NULL, "d2_worst_point", K_NUM, S_ONE, F_6G, IN_JSON | OPTIONAL, has_outside,
     get_worst_x},
    {NULL, NULL, "d2_worst_share", K_NUM, S_ONE, F_4G, IN_JSON | OPTIONAL, has_outside,
     get_worst_share},
    {NULL, NULL, "outlier_point", K_NUM, S_ONE, F_6G, IN_JSON | OPTIONAL, has_outlier,
     get_outlier_x},
    {NULL, NULL, "outlier_sigmas", K_NUM, S_ONE, F_4G, IN_JSON | OPTIONAL, has_outlier,
     get_outlier_sigmas},
    {NULL, NULL, "dropped_point", K_NUM, S_ONE, F_6G, IN_JSON | OPTIONAL, has_dropped,
     get_dropped_x},
    {NULL, NULL, "dropped_line", K_COUNT, S_ONE, 0, IN_JSON | OPTIONAL, has_dropped,
     get_dropped_line},
    {NULL, NULL, "dropped_sigmas", K_NUM, S_ONE, F_4G, IN_JSON | OPTIONAL, has_dropped,
     get_dropped_sigmas},
    {NULL, NULL, "segments", K_SEGMENTS, S_ONE, 0, IN_JSON | OPTIONAL, has_segments, get_segments},
    {"in_range", NULL, "in_range", K_BOOL, S_ONE, 0, IN_CSV | IN_JSON, NULL, get_in_range},
    {"flags", NULL, "flags", K_FLAGS, S_ONE, 0, IN_CSV | IN_JSON, NULL, get_flags},
    {"unresolved", NULL, NULL, K_UNRESOLVED, S_ONE, 0, IN_CSV | WITH_RANGES, has_ranges,
     get_ranges},
    {"segment_factors", NULL, NULL, K_SEGMENTS, S_ONE, 0, IN_CSV | WITH_SEGMENTS, has_segments,
     get_segments},
    {NULL, NULL, "prior_exit", K_EXIT, S_ONE, 0, IN_JSON | OPTIONAL, has_exit, get_exit},
    {NULL, NULL, "ranges", K_RANGES, S_ONE, 0, IN_JSON | OPTIONAL, has_ranges, get_ranges},
    {"time_ms", NULL, "time_ms", K_NUM, S_ONE, F_3F, IN_CSV | IN_JSON, NULL, get_time},
    {"error", NULL, NULL, K_TEXT, S_ONE, 0, IN_CSV | CSV_ERROR, has_error, get_error},
};
#define NCOLUMNS (sizeof columns / sizeof columns[0])

/* Values of column col for a model of nl layers. */
static size_t
values(const struct column *col, size_t nl)
{
    return col->shape == S_ONE ? 1 : col->shape == S_LAYER ? nl : nl > 0 ? nl - 1 : 0;
}

/* Prints s as a JSON string: valid UTF-8 whatever s holds. */
static void
json_str(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    fputc('"', f);
    while (*p != '\0') {
        size_t n = fwd_utf8_length((const char *)p);

        if (n > 1) { /* a whole, valid UTF-8 character */
            fwrite(p, 1, n, f);
            p += n;
        } else if (*p == '"' || *p == '\\') {
            fprintf(f, "\\%c", *p++);
        } else if (*p < 0x20) {
            fprintf(f, "\\u%04x", *p++);
        } else if (*p < 0x80) {
            fputc(*p++, f);
        } else { /* a byte that is not UTF-8 (a file name in Latin-1): as Python's
                  * surrogateescape writes it, so os.fsencode() gives the byte back */
            fprintf(f, "\\udc%02x", *p++);
        }
    }
    fputc('"', f);
}

/* Prints s as a CSV field (quoted when it holds a comma, quote or newline). */
static void
csv_str(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s != '\0'; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* x in the format fmt (F_*); in JSON (csv 0), null when it is not finite */
static void
put_num(FILE *f, int fmt, double x, int csv)
{
    if (!csv && !isfinite(x))
        fputs("null", f);
    else if (fmt == F_6G)
        fprintf(f, "%.6g", x);
    else if (fmt == F_4G)
        fprintf(f, "%.4g", x);
    else if (fmt == F_10G) /* coordinates: to the centimetre in UTM, 1e-5 " in degrees */
        fprintf(f, "%.10g", x);
    else
        fprintf(f, "%.3f", x);
}

/* pre, then x in JSON: %.{digits}g, or %.{-digits}f when digits < 0; null when x is not
 * finite (JSON has no inf or nan; Python's json module would refuse the whole output). */
static void
json_num(FILE *f, const char *pre, int digits, double x)
{
    fputs(pre, f);
    if (!isfinite(x))
        fputs("null", f);
    else if (digits > 0)
        fprintf(f, "%.*g", digits, x);
    else
        fprintf(f, "%.*f", -digits, x);
}

/* A JSON list of the n intervals iv: [[low, median, high], ...]. */
static void
put_intervals(FILE *f, const invnet_interval *iv, size_t n)
{
    size_t k;

    fputc('[', f);
    for (k = 0; k < n; k++) {
        json_num(f, k ? ", [" : "[", 6, iv[k][0]);
        json_num(f, ", ", 6, iv[k][1]);
        json_num(f, ", ", 6, iv[k][2]);
        fputc(']', f);
    }
    fputc(']', f);
}

/* The number (from 1) of the first of g's kept models that model d repeats, parameter for
 * parameter (a chain of the sampler that stayed put), or 0 when none before it is the
 * same. */
static size_t
draw_same_as(const invnet_ranges *g, size_t d)
{
    size_t e, np = FWD_MODEL_NPARAMS(g->n_layers);

    for (e = 0; e < d; e++)
        if (memcmp(g->draws + e * np, g->draws + d * np, np * sizeof *g->draws) == 0)
            return e + 1;
    return 0;
}

/* Kept model d of g (log10 parameters) in ohm-m and m: its n_layers resistivities into
 * rho, its thicknesses into thick. */
static void
draw_model(const invnet_ranges *g, size_t d, double *rho, double *thick)
{
    size_t j, nl = g->n_layers;
    const double *p = g->draws + d * FWD_MODEL_NPARAMS(nl);

    for (j = 0; j < nl; j++)
        rho[j] = pow(10, p[j]);
    for (j = 0; j + 1 < nl; j++)
        thick[j] = pow(10, p[nl + j]);
}

/* A model as JSON keys: "rho_ohmm": [...], "thick_m": [...] (ohm-m, m), of nl layers. */
static void
put_model_keys(FILE *f, size_t nl, const double *rho_ohmm, const double *thick_m)
{
    size_t j;

    fputs("\"rho_ohmm\": [", f);
    for (j = 0; j < nl; j++)
        json_num(f, j > 0 ? ", " : "", 6, rho_ohmm[j]);
    fputs("], \"thick_m\": [", f);
    for (j = 0; j + 1 < nl; j++)
        json_num(f, j > 0 ? ", " : "", 6, thick_m[j]);
    fputc(']', f);
}

/* The JSON list of g's kept models with their fits (check.equivalent): [{"rho_ohmm",
 * "thick_m", "misfit_rms_pct", "chi2", "same_as"}, ...], same_as the index in this list
 * (from 0) of the first model it repeats (draw_same_as less 1: the table numbers the
 * models from 1, its model 0 the answer), else null. */
static void
put_models(FILE *f, const invnet_ranges *g)
{
    size_t d, nl = g->n_layers, same;
    double rho[FWD_MAX_LAYERS], thick[FWD_MAX_LAYERS];

    fputc('[', f);
    for (d = 0; d < g->n_draws; d++) {
        draw_model(g, d, rho, thick);
        fputs(d > 0 ? ", {" : "{", f);
        put_model_keys(f, nl, rho, thick);
        json_num(f, ", \"misfit_rms_pct\": ", 4, g->draws_fit[d]);
        json_num(f, ", \"chi2\": ", 4, g->draws_fit[g->n_draws + d]);
        if ((same = draw_same_as(g, d)) > 0)
            fprintf(f, ", \"same_as\": %zu}", same - 1);
        else
            fputs(", \"same_as\": null}", f);
    }
    fputc(']', f);
}

/* The resistivity-depth envelope: {"depth_m": [...], "rho_ohmm": [[low, median, high], ...],
 * "conductance_siemens": [...], "transverse_ohmm2": [...]}, the last two from the surface to
 * each depth; null for a half-space. */
static void
put_envelope(FILE *f, const invnet_ranges *g)
{
    size_t d;

    if (g->n_envelope == 0) {
        fputs("null", f);
        return;
    }
    fputs("{\"depth_m\": [", f);
    for (d = 0; d < g->n_envelope; d++)
        json_num(f, d > 0 ? ", " : "", 6, g->envelope_depth_m[d]);
    fputs("], \"rho_ohmm\": ", f);
    put_intervals(f, g->envelope_rho_ohmm, g->n_envelope);
    fputs(", \"conductance_siemens\": ", f);
    put_intervals(f, g->envelope_conductance_s, g->n_envelope);
    fputs(", \"transverse_ohmm2\": ", f);
    put_intervals(f, g->envelope_transverse_ohmm2, g->n_envelope);
    fputc('}', f);
}

/* The JSON object of the equivalent models. */
static void
put_ranges(FILE *f, const invnet_ranges *g)
{
    size_t nl = g->n_layers, j, first = 1;
    char name[32];

    fprintf(f, "{\"level_pct\": %g, \"rho_ohmm\": ", g->level);
    put_intervals(f, g->rho_ohmm, nl);
    fputs(", \"thick_m\": ", f);
    put_intervals(f, g->thick_m, nl - 1);
    fputs(", \"depth_m\": ", f);
    put_intervals(f, g->depth_m, nl - 1);
    fputs(", \"conductance_siemens\": ", f);
    put_intervals(f, g->conductance_s, nl - 1);
    fputs(", \"transverse_ohmm2\": ", f);
    put_intervals(f, g->transverse_ohmm2, nl - 1);
    fputs(", \"unresolved\": [", f);
    for (j = 0; j < FWD_MODEL_NPARAMS(nl); j++)
        if (g->unresolved[j]) {
            fprintf(f, "%s\"%s\"", first ? "" : ", ", invnet_param_name(nl, j, name, sizeof name));
            first = 0;
        }
    fputs("], \"held\": [", f); /* a borehole's: --fix, --bound */
    for (j = 0, first = 1; j < FWD_MODEL_NPARAMS(nl); j++)
        if (g->held[j]) {
            fprintf(f, "%s\"%s\"", first ? "" : ", ", invnet_param_name(nl, j, name, sizeof name));
            first = 0;
        }
    for (j = 0; j + 1 < nl; j++)
        if (g->held_depth[j]) {
            fprintf(f, "%s\"depth_%zu\"", first ? "" : ", ", j + 1);
            first = 0;
        }
    json_num(f, "], \"doi_m\": ", 4, g->doi_m);
    fputs(", \"doi_interval_m\": ", f);
    if (isfinite(g->doi_interval_m[1])) {
        json_num(f, "[", 4, g->doi_interval_m[0]);
        json_num(f, ", ", 4, g->doi_interval_m[1]);
        json_num(f, ", ", 4, g->doi_interval_m[2]);
        fputc(']', f);
    } else {
        fputs("null", f);
    }
    json_num(f, ", \"noise_scale\": ", 4, g->noise_scale);
    fprintf(
        f,
        ", \"groups\": %zu, \"equivalent_models\": %zu, \"evaluations\": %zu, \"halves_share\": ",
        g->n_groups, g->n_fit, g->evaluations);
    json_num(f, "", -3, g->halves_share);
    json_num(f, ", \"ess_min\": ", 4, g->ess_min);
    json_num(f, ", \"rhat_max\": ", 4, g->rhat_max);
    json_num(f, ", \"acceptance\": ", -3, g->acceptance);
    fputs(", \"depth_envelope\": ", f);
    put_envelope(f, g);
    if (g->draws_fit != NULL) { /* check.equivalent: the models themselves */
        fputs(", \"models\": ", f);
        put_models(f, g);
    }
    fputc('}', f);
}

/* The fit outside the prior: {"misfit_rms_pct", "chi2", "rho_ohmm": [...], "thick_m": [...],
 * "parameter": the one furthest beyond the prior (null when none left it), "beyond_decades":
 * how far (0 then)}. */
static void
put_exit(FILE *f, const invnet_result *r)
{
    size_t j, nl = r->n_layers;
    char name[32];

    json_num(f, "{\"misfit_rms_pct\": ", 4, r->exit_misfit_pct);
    json_num(f, ", \"chi2\": ", 4, r->exit_chi2);
    fputs(", \"rho_ohmm\": [", f);
    for (j = 0; j < nl; j++)
        json_num(f, j > 0 ? ", " : "", 6, r->exit_rho_ohmm[j]);
    fputs("], \"thick_m\": [", f);
    for (j = 0; j + 1 < nl; j++)
        json_num(f, j > 0 ? ", " : "", 6, r->exit_thick_m[j]);
    if (r->exit_beyond > 0)
        fprintf(f, "], \"parameter\": \"%s\"",
                invnet_param_name(nl, r->exit_param, name, sizeof name));
    else /* the wider fit stayed inside the prior: no parameter to name */
        fputs("], \"parameter\": null", f);
    json_num(f, ", \"beyond_decades\": ", 3, r->exit_beyond);
    fputc('}', f);
}

/* The layer counts compared for it: CSV "2:0.012;3:0.975;4:0.013" (count: weight), JSON
 * [{"n_layers", "misfit_rms_pct", "chi2", "criterion", "weight"}, ...]. */
static void
put_counts(FILE *f, const invnet_batch_item *it, int csv)
{
    size_t k;

    if (!csv)
        fputc('[', f);
    for (k = 0; k < it->n_candidates; k++) {
        const invnet_candidate *c = &it->candidates[k];
        /* a weight below 1e-9 is none: "2:1.89e-277" read as a number a user had to parse */
        double w = c->weight < 1e-9 ? 0 : c->weight;

        if (csv) {
            fprintf(f, "%s%zu:%.3g", k ? ";" : "", c->r.n_layers, w);
            continue;
        }
        fprintf(f, "%s{\"n_layers\": %zu, \"misfit_rms_pct\": ", k ? ", " : "", c->r.n_layers);
        if (c->r.inverted && isfinite(c->chi2)) {
            json_num(f, "", 4, c->r.misfit_rms_pct);
            json_num(f, ", \"chi2\": ", 4, c->chi2);
            json_num(f, ", \"criterion\": ", 4, c->criterion);
            json_num(f, ", \"weight\": ", 4, w);
            fputc('}', f);
        } else
            fputs("null, \"chi2\": null, \"criterion\": null, \"weight\": 0}", f);
    }
    if (!csv)
        fputc(']', f);
}

/* The factor each Schlumberger segment was multiplied by to join the others, by increasing
 * MN/2 (the joined data over the measured): JSON [{"mn2_m", "factor"}, ...] (6 digits),
 * CSV "MN2:FACTOR;..." ("1:1;5:1.595"). */
static void
put_segments(FILE *f, const invnet_batch_item *it, int csv)
{
    const fwd_sounding *s = it->s;
    double l;
    size_t i, n = 0;

    if (!csv)
        fputc('[', f);
    for (l = fwd_sounding_next_mn2(s, 0); l < INFINITY; l = fwd_sounding_next_mn2(s, l)) {
        for (i = 0; s->mn2[i] != l; i++) /* the segment's first point: its factor */
            continue;
        fputs(csv ? (n++ ? ";" : "") : (n++ ? ", {\"mn2_m\": " : "{\"mn2_m\": "), f);
        put_num(f, F_6G, l, csv);
        fputs(csv ? ":" : ", \"factor\": ", f);
        /* the JSON's to 6 digits: a program recomputes the misfit with them */
        put_num(f, csv ? F_4G : F_6G, it->observed[i] / s->rho_a[i], csv);
        if (!csv)
            fputc('}', f);
    }
    if (!csv)
        fputc(']', f);
}

/* One value, in CSV (csv non-zero) or JSON. */
static void
put_value(FILE *f, const struct column *col, const struct value *v, int csv)
{
    char buf[512];
    int k, first = 1;

    switch (col->kind) {
    case K_TEXT:
        if (csv)
            csv_str(f, v->text);
        else
            json_str(f, v->text);
        break;
    case K_COUNT:
        fprintf(f, "%zu", v->count);
        break;
    case K_NUM:
        put_num(f, col->fmt, v->num, csv);
        break;
    case K_BOOL:
        fputs(v->yes ? "true" : "false", f);
        break;
    case K_RANGES:
        put_ranges(f, v->ranges);
        break;
    case K_COUNTS:
        put_counts(f, v->item, csv);
        break;
    case K_SEGMENTS:
        put_segments(f, v->item, csv);
        break;
    case K_EXIT:
        put_exit(f, v->result);
        break;
    case K_UNRESOLVED: /* the JSON's "unresolved" of the ranges object */
        for (k = 0; k < (int)FWD_MODEL_NPARAMS(v->ranges->n_layers); k++)
            if (v->ranges->unresolved[k]) {
                fprintf(f, "%s%s", first ? "" : ";",
                        invnet_param_name(v->ranges->n_layers, (size_t)k, buf, sizeof buf));
                first = 0;
            }
        break;
    default: /* K_FLAGS */
        if (csv) {
            fputs(invnet_flag_list(v->flags, ";", buf, sizeof buf), f);
            break;
        }
        fputc('[', f);
        for (k = 0; k < INVNET_NFLAGS; k++)
            if (v->flags & (1u << k)) {
                fprintf(f, "%s\"%s\"", first ? "" : ", ", invnet_flag_name(k));
                first = 0;
            }
        fputc(']', f);
        break;
    }
}

/* What a batch's CSV holds: nl columns per layer; ranges at level (0: none); counts layer
 * counts compared; the segments' factors when a sounding was joined from segments; the
 * depths of investigation when they were computed. */
struct csv_shape {
    size_t nl;
    double level;
    size_t counts;
    int segments, doi;
};

/* Whether column col is in the CSV of shape sh. */
static int
in_csv(const struct column *col, const struct csv_shape *sh)
{
    return (col->where & IN_CSV) && (sh->level > 0 || !(col->where & (RANGE | WITH_RANGES))) &&
           (sh->counts > 1 || !(col->where & WITH_COUNTS)) &&
           (sh->segments || !(col->where & WITH_SEGMENTS)) && (sh->doi || !(col->where & WITH_DOI));
}

/* CSV columns of col for nl layers: a RANGE column has two per value. */
static size_t
csv_values(const struct column *col, size_t nl)
{
    return (col->where & RANGE ? 2 : 1) * values(col, nl);
}

/*
 * The percentile an interval of the central level % ends at, low or high end, as a column
 * name's suffix: "p05" and "p95" at 90 %; at 95 % "p2_5" and "p97_5", an underscore for the
 * point, which tools that take column names for identifiers (R, pandas' attributes, SQL)
 * refuse or rewrite.
 */
static void
put_percentile(FILE *f, double level, int high)
{
    char buf[32], *q;

    snprintf(buf, sizeof buf, "%02g", (high ? 100 + level : 100 - level) / 2);
    for (q = buf; *q != '\0'; q++)
        if (*q == '.')
            *q = '_';
    fprintf(f, "_p%s", buf);
}

static void
csv_header(FILE *f, const struct csv_shape *sh)
{
    size_t i, k, sep = 0;

    for (i = 0; i < NCOLUMNS; i++) {
        const struct column *col = &columns[i];

        if (!in_csv(col, sh))
            continue;
        for (k = 0; k < csv_values(col, sh->nl); k++) {
            fputs(sep++ ? "," : "", f);
            if (col->shape == S_ONE && (col->where & RANGE)) { /* doi_m_p05 */
                fputs(col->header, f);
                put_percentile(f, sh->level, k % 2);
            } else if (col->shape == S_ONE)
                fputs(col->header, f);
            else if (col->where & RANGE) { /* with the percentile: rho_1_ohmm_p05 */
                fprintf(f, "%s%zu%s", col->header, k / 2 + 1, col->suffix);
                put_percentile(f, sh->level, k % 2);
            } else {
                fprintf(f, "%s%zu%s", col->header, k + 1, col->suffix);
            }
        }
    }
    fputc('\n', f);
}

/* The CSV row of an inverted sounding: sh->nl columns per layer, empty where none applies. */
static void
csv_row(FILE *f, const invnet_batch_item *it, cand *c, const struct csv_shape *sh)
{
    size_t i, k, sep = 0;

    for (i = 0; i < NCOLUMNS; i++) {
        const struct column *col = &columns[i];
        int has;

        if (!in_csv(col, sh))
            continue;
        if (c == NULL) /* a sounding not read or not inverted: its source, name and why */
            has = (col->where & CSV_ERROR) && (col->has == NULL || col->has(it, c));
        else
            has = col->has == NULL || col->has(it, c);
        for (k = 0; k < csv_values(col, sh->nl); k++) {
            struct value v;

            fputs(sep++ ? "," : "", f);
            if (!has || (c != NULL && k >= csv_values(col, c->r.n_layers)))
                continue;
            memset(&v, 0, sizeof v);
            col->get(it, c, k, &v);
            put_value(f, col, &v, 1);
        }
    }
    fputc('\n', f);
}

/* The CSV of items [first, end), after the header when head. */
static void
csv_part(FILE *f, const invnet_batch *b, size_t first, size_t end, int head)
{
    /* ranges always come with their doi_m, also in a batch built by hand */
    struct csv_shape sh = {b->n_layers, b->ranges_level, b->n_counts, b->segments,
                           b->doi || b->ranges_level > 0};
    size_t i;

    /* a batch made by hand may not say: its own soundings tell (a batch in parts says) */
    for (i = first; i < end && !sh.segments; i++)
        sh.segments = invnet_batch_best(&b->item[i]) != NULL && has_segments(&b->item[i], NULL);
    if (head)
        csv_header(f, &sh);
    for (i = first; i < end; i++)
        csv_row(f, &b->item[i], invnet_batch_best(&b->item[i]), &sh);
}

int
invnet_output_csv(FILE *f, const invnet_batch *b)
{
    return invnet_output_part(f, b, INVNET_CSV, NULL, 0, b->n, 1, 1);
}

/* The JSON object of one sounding: every key of a sounding (the same in every object), null
 * where it does not apply; one that could not be read or inverted has its IN_ERROR keys. */
static void
json_object(FILE *f, const invnet_batch_item *it, cand *c)
{
    unsigned want = c != NULL ? IN_JSON : IN_ERROR;
    size_t i, k, sep = 0;

    fputc('{', f);
    for (i = 0; i < NCOLUMNS; i++) {
        const struct column *col = &columns[i];
        int has;

        if (!(col->where & (IN_JSON | IN_ERROR)))
            continue;
        has = (col->where & want) && (col->has == NULL || col->has(it, c));
        fprintf(f, "%s\"%s\": ", sep++ ? ", " : "", col->key);
        if (!has) {
            fputs("null", f);
            continue;
        }
        if (col->shape != S_ONE)
            fputc('[', f);
        for (k = 0; k < values(col, c != NULL ? c->r.n_layers : 0); k++) {
            struct value v;

            memset(&v, 0, sizeof v);
            col->get(it, c, k, &v);
            fputs(k > 0 ? ", " : "", f);
            put_value(f, col, &v, 0);
        }
        if (col->shape != S_ONE)
            fputc(']', f);
    }
    fputc('}', f);
}

/* The JSON document {"net": net_path, "soundings": [...]} of items [first, end), each
 * object written by object, with the document's opening when head and its closing when
 * tail: the results' (result_object) and the equivalent models' (equivalent_object). */
static void
json_part(FILE *f, const invnet_batch *b, const char *net_path, size_t first, size_t end, int head,
          int tail, void (*object)(FILE *, const invnet_batch_item *))
{
    size_t i;

    if (head) {
        fputs("{\"net\": ", f);
        json_str(f, net_path);
        fputs(", \"soundings\": [", f);
    }
    for (i = first; i < end; i++) {
        fputs(i ? ",\n  " : "\n  ", f);
        object(f, &b->item[i]);
    }
    if (tail)
        fputs("\n]}\n", f);
}

/* A sounding's object of the results' JSON: its reported answer's. */
static void
result_object(FILE *f, const invnet_batch_item *it)
{
    json_object(f, it, invnet_batch_best(it));
}

int
invnet_output_json(FILE *f, const invnet_batch *b, const char *net_path)
{
    return invnet_output_part(f, b, INVNET_JSON, net_path, 0, b->n, 1, 1);
}

/* A number of the XYZ table (in put_num's format fmt), or nothing when it is not known. */
static void
xyz_num(FILE *f, double x, int fmt)
{
    fputc(',', f);
    if (isfinite(x))
        put_num(f, fmt, x, 1);
}

/* The XYZ rows of items [first, end), after the header when head. */
/* The station's position cells of the XYZ and envelope tables: ",x_m,y_m,lat_deg,lon_deg,
 * elevation_m", each empty where the sounding file does not give it. */
static void
station_cells(FILE *f, const invnet_batch_item *it)
{
    xyz_num(f, it->station.x_m, F_10G);
    xyz_num(f, it->station.y_m, F_10G);
    xyz_num(f, it->station.lat_deg, F_10G);
    xyz_num(f, it->station.lon_deg, F_10G);
    xyz_num(f, it->station.elevation_m, F_6G);
}

static void
xyz_part(FILE *f, const invnet_batch *b, size_t first, size_t end, int head)
{
    char flags[512];
    size_t i, k;

    if (head) {
        fputs("station,x_m,y_m,lat_deg,lon_deg,elevation_m,layer,top_m,bottom_m,rho_ohmm", f);
        if (b->ranges_level > 0) {
            fputs(",rho_ohmm", f);
            put_percentile(f, b->ranges_level, 0);
            fputs(",rho_ohmm", f);
            put_percentile(f, b->ranges_level, 1);
        }
        fputs(",doi_m", f);
        if (b->ranges_level > 0) { /* the depth of investigation across the equivalent models */
            fputs(",doi_m", f);
            put_percentile(f, b->ranges_level, 0);
            fputs(",doi_m", f);
            put_percentile(f, b->ranges_level, 1);
        }
        fputs(",misfit_rms_pct,flags\n", f);
    }
    for (i = first; i < end; i++) {
        const invnet_batch_item *it = &b->item[i];
        const invnet_candidate *c = invnet_batch_best(it);
        double top = 0;

        if (c == NULL || !c->r.inverted)
            continue;
        for (k = 0; k < c->r.n_layers; k++) {
            int last = k + 1 == c->r.n_layers;

            csv_str(f, it->s->name);
            station_cells(f, it);
            fprintf(f, ",%zu,%.6g", k + 1, top);
            xyz_num(f, last ? NAN : top + c->r.thick_m[k], F_6G);
            fprintf(f, ",%.6g", c->r.rho_ohmm[k]);
            if (b->ranges_level > 0) {
                xyz_num(f, c->ranges != NULL ? c->ranges->rho_ohmm[k][0] : NAN, F_6G);
                xyz_num(f, c->ranges != NULL ? c->ranges->rho_ohmm[k][2] : NAN, F_6G);
            }
            xyz_num(f, doi_of(c), F_4G);
            if (b->ranges_level > 0) {
                xyz_num(f, has_doi_range(it, c) ? c->ranges->doi_interval_m[0] : NAN, F_4G);
                xyz_num(f, has_doi_range(it, c) ? c->ranges->doi_interval_m[2] : NAN, F_4G);
            }
            xyz_num(f, c->r.misfit_rms_pct, F_4G);
            fprintf(f, ",%s\n", invnet_flag_list(c->r.flags, ";", flags, sizeof flags));
            if (!last)
                top += c->r.thick_m[k];
        }
    }
}

/* The envelopes' table (invnet_output.h, INVNET_ENVELOPE): a row per depth of each
 * sounding's answer's envelope. */
static void
envelope_part(FILE *f, const invnet_batch *b, size_t first, size_t end, int head)
{
    static const char *const col[3] = {"rho_ohmm", "conductance_s", "transverse_ohmm2"};
    size_t i, d, q;

    if (head) {
        fputs("source,name,x_m,y_m,lat_deg,lon_deg,elevation_m,depth_m,z_m", f);
        for (q = 0; q < 3; q++) {
            fprintf(f, ",%s", col[q]);
            put_percentile(f, b->ranges_level, 0);
            fprintf(f, ",%s_p50,%s", col[q], col[q]);
            put_percentile(f, b->ranges_level, 1);
        }
        fputs(",seen\n", f);
    }
    for (i = first; i < end; i++) {
        const invnet_batch_item *it = &b->item[i];
        const invnet_candidate *c = invnet_batch_best(it);
        const invnet_ranges *g = c != NULL && c->r.inverted ? c->ranges : NULL;
        double doi = c != NULL ? doi_of(c) : NAN;

        for (d = 0; g != NULL && d < g->n_envelope; d++) {
            const invnet_interval *iv[3] = {&g->envelope_rho_ohmm[d], &g->envelope_conductance_s[d],
                                            &g->envelope_transverse_ohmm2[d]};
            double z = g->envelope_depth_m[d];

            csv_str(f, it->path);
            fputc(',', f);
            csv_str(f, it->s->name);
            station_cells(f, it);
            xyz_num(f, z, F_6G);
            xyz_num(f, it->station.elevation_m - z, F_6G); /* NAN without an elevation */
            for (q = 0; q < 9; q++)
                xyz_num(f, (*iv[q / 3])[q % 3], F_6G);
            if (isfinite(doi))
                fprintf(f, ",%d\n", z <= doi);
            else
                fputs(",\n", f);
        }
    }
}

/* One row of the equivalent models' table: item it's model number model (0: the answer)
 * of cl layers (rho, thick: ohm-m, m), its misfit and chi2, the model it repeats (0: none),
 * the table nl layers wide. */
static void
equivalent_row(FILE *f, const invnet_batch_item *it, size_t model, size_t cl, size_t nl,
               const double *rho, const double *thick, double misfit, double chi2, size_t same)
{
    size_t k;

    csv_str(f, it->path);
    fputc(',', f);
    csv_str(f, it->s->name);
    fprintf(f, ",%zu,%zu", cl, model);
    for (k = 0; k < nl; k++) /* a count of fewer layers: its columns beyond empty */
        xyz_num(f, k < cl ? rho[k] : NAN, F_6G);
    for (k = 0; k + 1 < nl; k++)
        xyz_num(f, k + 1 < cl ? thick[k] : NAN, F_6G);
    xyz_num(f, misfit, F_4G);
    xyz_num(f, chi2, F_4G);
    if (same > 0)
        fprintf(f, ",%zu\n", same);
    else
        fputs(",\n", f);
}

/* The equivalent models' rows of items [first, end), after the header when head: of each
 * sounding whose reported answer has ranges with their fits (check.equivalent), its answer
 * (model 0) and a row per model, the table as wide as the batch's most layers. */
static void
equivalent_part(FILE *f, const invnet_batch *b, size_t first, size_t end, int head)
{
    size_t i, k, d, nl = b->n_layers;
    double rho[FWD_MAX_LAYERS], thick[FWD_MAX_LAYERS];

    if (head) {
        fputs("source,name,n_layers,model", f);
        for (k = 0; k < nl; k++)
            fprintf(f, ",rho_%zu_ohmm", k + 1);
        for (k = 0; k + 1 < nl; k++)
            fprintf(f, ",thick_%zu_m", k + 1);
        fputs(",misfit_rms_pct,chi2,same_as\n", f);
    }
    for (i = first; i < end; i++) {
        const invnet_batch_item *it = &b->item[i];
        const invnet_candidate *c = invnet_batch_best(it);
        const invnet_ranges *g = c != NULL ? c->ranges : NULL;
        size_t cl = g != NULL ? g->n_layers : 0;

        if (g == NULL || g->draws_fit == NULL)
            continue;
        equivalent_row(f, it, 0, cl, nl, c->r.rho_ohmm, c->r.thick_m, c->r.misfit_rms_pct,
                       c->r.chi2, 0);
        for (d = 0; d < g->n_draws; d++) {
            draw_model(g, d, rho, thick);
            equivalent_row(f, it, d + 1, cl, nl, rho, thick, g->draws_fit[d],
                           g->draws_fit[g->n_draws + d], draw_same_as(g, d));
        }
    }
}

/* A sounding's object of the equivalent models' JSON (--equivalent NAME.json): {"source",
 * "name", "n_layers", "answer": {"rho_ohmm", "thick_m", "misfit_rms_pct", "chi2"}, "models":
 * [...] (put_models)}; "models" null (and no answer) where the sounding has no ranges with
 * their fits, the name null where it was not read. */
static void
equivalent_object(FILE *f, const invnet_batch_item *it)
{
    const invnet_candidate *c = invnet_batch_best(it);
    const invnet_ranges *g = c != NULL ? c->ranges : NULL;

    fputs("{\"source\": ", f);
    json_str(f, it->path);
    fputs(", \"name\": ", f);
    if (it->s != NULL)
        json_str(f, it->s->name);
    else
        fputs("null", f);
    if (g == NULL || g->draws_fit == NULL) {
        fputs(", \"models\": null}", f);
        return;
    }
    fprintf(f, ", \"n_layers\": %zu, \"answer\": {", g->n_layers);
    put_model_keys(f, g->n_layers, c->r.rho_ohmm, c->r.thick_m);
    json_num(f, ", \"misfit_rms_pct\": ", 4, c->r.misfit_rms_pct);
    json_num(f, ", \"chi2\": ", 4, c->r.chi2);
    fputs("}, \"models\": ", f);
    put_models(f, g);
    fputc('}', f);
}

int
invnet_output_equivalent(FILE *f, const invnet_batch *b)
{
    return invnet_output_part(f, b, INVNET_EQUIVALENT, NULL, 0, b->n, 1, 1);
}

int
invnet_output_xyz(FILE *f, const invnet_batch *b)
{
    return invnet_output_part(f, b, INVNET_XYZ, NULL, 0, b->n, 1, 1);
}

int
invnet_output_part(FILE *f, const invnet_batch *b, invnet_format fmt, const char *net_path,
                   size_t first, size_t count, int head, int tail)
{
    size_t end = first < b->n ? first + (count < b->n - first ? count : b->n - first) : b->n;
    void *old = fwd_locale_c();

    first = first < b->n ? first : b->n;
    if (fmt == INVNET_JSON)
        json_part(f, b, net_path, first, end, head, tail, result_object);
    else if (fmt == INVNET_XYZ)
        xyz_part(f, b, first, end, head);
    else if (fmt == INVNET_EQUIVALENT)
        equivalent_part(f, b, first, end, head);
    else if (fmt == INVNET_EQUIVALENT_JSON)
        json_part(f, b, net_path, first, end, head, tail, equivalent_object);
    else if (fmt == INVNET_ENVELOPE)
        envelope_part(f, b, first, end, head);
    else
        csv_part(f, b, first, end, head);
    fwd_locale_restore(old);
    return ferror(f) ? FWD_EIO : FWD_OK;
}

int
invnet_format_parse(const char *s, invnet_format *fmt, fwd_error *err)
{
    if (strcmp(s, "csv") == 0)
        *fmt = INVNET_CSV;
    else if (strcmp(s, "json") == 0)
        *fmt = INVNET_JSON;
    else
        return fwd_error_set_field(err, FWD_EINVAL, "format",
                                   "format: expected csv or json, got \"%s\"", s);
    return FWD_OK;
}

int
invnet_output_write(const invnet_batch *b, invnet_format fmt, const char *net_path,
                    const char *path, FILE *f, int overwrite, fwd_error *err)
{
    char *tmp = NULL;
    int rc;

    if (path != NULL && (f = fwd_io_open_temp(path, &tmp, err)) == NULL)
        return err != NULL ? err->code : FWD_EIO;
    /* a failed write is found, with its reason, by the flush or close that follows */
    (void)invnet_output_part(f, b, fmt, net_path, 0, b->n, 1, 1);
    if (path != NULL) {
        rc = fwd_io_close_publish(f, tmp, path, overwrite, err);
        free(tmp);
        return rc;
    }
    if (fflush(f) != 0 || ferror(f))
        return fwd_error_set(err, FWD_EIO, "error writing the output: %s", strerror(errno));
    return FWD_OK;
}

char *
invnet_output_string(const invnet_batch *b, invnet_format fmt, const char *net_path, fwd_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int bad;

    if (f == NULL) {
        fwd_error_set(err, FWD_ENOMEM, "output: out of memory");
        return NULL;
    }
    bad = invnet_output_part(f, b, fmt, net_path, 0, b->n, 1, 1) != FWD_OK;
    bad = fclose(f) != 0 || bad;
    if (bad || buf == NULL) {
        free(buf);
        fwd_error_set(err, FWD_ENOMEM, "output: out of memory");
        return NULL;
    }
    return buf;
}

void
invnet_output_string_free(char *s)
{
    free(s);
}
