/* SPDX-License-Identifier: MIT */
/*
 * fwd_read_edi.c - SEG EDI files: an MT sounding from the impedance blocks (ZXYR ...) or
 * the apparent resistivity and phase blocks (RHOXY, PHSXY ...).
 *
 * Reading goes in three steps: the blocks of the file (edi_parse), the blocks the sounding
 * is made from (edi_select), then one point per frequency (edi_points).
 */
#include <complex.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "forward/base/fwd_io.h"
#include "forward/readers/fwd_readers_internal.h"

/* Most blocks an EDI file may have. */
#define EDI_MAX_BLOCKS 256

/* SEG's EMPTY marker, the default. A marker of EDI_EMPTY_HUGE or more marks the values at or
 * beyond 0.99 of it in size as EMPTY too (1.0E32 written in single precision is
 * 9.9999998E+31); a smaller one (999, -999: an impedance of 1500 (mV/km)/nT is a reading at
 * 10 kHz) only the values equal to it. Values at or beyond 0.99 x 1.0E32 in size are no
 * measurement: EMPTY whatever the file's marker. */
#define EDI_EMPTY_SEG  1.0e32
#define EDI_EMPTY_HUGE 1.0e30

struct edi_block {
    char name[32];
    size_t line; /* of the '>' line */
    size_t n;    /* values read */
    size_t cap;  /* room in v and vl */
    double *v;
    size_t *vl; /* the line of each value */
};

struct edi {
    struct edi_block b[EDI_MAX_BLOCKS];
    size_t nb;
    struct edi_block *cur; /* the block the lines being read belong to */
    int has_end;           /* an >END line was read */
    size_t lines;          /* lines read */
    size_t first_line;     /* the first line that is not blank, and its text (cut short) */
    char first[48];
    double empty;       /* finite, not 0 */
    size_t empty_line;  /* of an EMPTY not used (0, not a number), 0 when none */
    char empty_say[32]; /* its value */
    char dataid[FWD_SOUNDING_NAME_MAX];
    double lat, lon, elev;             /* the station's from >HEAD, NAN when not given */
    double ref_lat, ref_lon, ref_elev; /* from >=DEFINEMEAS (REFLAT ...), NAN when not given */
};

static void
edi_free(struct edi *e)
{
    size_t k;

    for (k = 0; k < e->nb; k++) {
        free(e->b[k].v);
        free(e->b[k].vl);
    }
}

static const struct edi_block *
edi_find(const struct edi *e, const char *name)
{
    size_t k;

    for (k = 0; k < e->nb; k++)
        if (strcmp(e->b[k].name, name) == 0)
            return &e->b[k];
    return NULL;
}

/* The blocks whose values bpinv reads (of some component, or for a note: ZROT, RHOROT). The
 * values of the other data blocks (tippers, TXR.EXP ...; ZXX.VAR ...) are not parsed: what
 * they hold (NaN, text) does not stop the file from being read. */
static const char *const edi_read_names[] = {
    "FREQ",  "ZROT",  "RHOROT", "ZXXR",      "ZXXI",      "ZXYR",      "ZXYI",
    "ZYXR",  "ZYXI",  "ZYYR",   "ZYYI",      "ZXY.VAR",   "ZYX.VAR",   "RHOXY",
    "RHOYX", "PHSXY", "PHSYX",  "RHOXY.ERR", "RHOYX.ERR", "PHSXY.ERR", "PHSYX.ERR"};

static int
edi_read_block(const char *name)
{
    size_t k;

    for (k = 0; k < sizeof edi_read_names / sizeof edi_read_names[0]; k++)
        if (strcmp(name, edi_read_names[k]) == 0)
            return 1;
    return 0;
}

/* ---- the blocks of the file ------------------------------------------------------------- */

/* A '>' line of line number lineno, p just after the '>': starts a block. A block that is
 * not read (INFO, SPECTRA, a tipper ...) given again goes on where it was: a file of spectra
 * has one >SPECTRA block per frequency. */
static int
edi_block_start(struct edi *e, const char *path, size_t lineno, const char *p, fwd_error *err)
{
    char name[sizeof e->b[0].name];
    struct edi_block *seen = NULL;
    size_t k = 0, j;

    if (*p == '=')
        p++;
    /* the name ends at a space or at the "//" of the count: ">FREQ//56" is FREQ */
    while (*p != '\0' && !isspace((unsigned char)*p) && *p != '/' && k + 1 < sizeof name)
        name[k++] = (char)toupper((unsigned char)*p++);
    name[k] = '\0';
    if (strcmp(name, "END") == 0)
        e->has_end = 1;
    for (j = 0; j < e->nb && seen == NULL; j++)
        if (strcmp(e->b[j].name, name) == 0)
            seen = &e->b[j];
    if (seen != NULL && edi_read_block(name))
        /* which of the two would be the data? */
        return fwd_fail(err, FWD_EFORMAT, "%s:%zu: block >%s: given twice (also on line %zu)", path,
                        lineno, name, seen->line);
    if (seen != NULL) {
        e->cur = seen;
        return FWD_OK;
    }
    if (e->nb == EDI_MAX_BLOCKS)
        return fwd_fail(err, FWD_EFORMAT, "%s:%zu: expected at most %d blocks", path, lineno,
                        EDI_MAX_BLOCKS);
    e->cur = &e->b[e->nb++];
    memcpy(e->cur->name, name, sizeof name);
    e->cur->line = lineno;
    return FWD_OK;
}

/* A number of the file at p (a data block's, EMPTY, an elevation), end just after it as strtod's:
 * also with a Fortran exponent (1.0D+03, 1.0d-3), as older EDI writers print doubles. */
static double
edi_strtod(const char *p, char **end)
{
    double v = fwd_strtod(p, end);
    char buf[64], *e2;
    size_t t;

    if ((**end != 'D' && **end != 'd') || *end == p)
        return v;
    t = strcspn(p, " \t\r\n");
    if (t >= sizeof buf)
        return v;
    memcpy(buf, p, t);
    buf[t] = '\0';
    buf[*end - p] = 'E';
    v = fwd_strtod(buf, &e2);
    if (e2 == buf + t)
        *end += p + t - *end; /* past the exponent (end points into p) */
    return v;
}

/* An EDI angle, degrees: decimal (-37.43) or D:M:S (-37:25:48.84), minutes and seconds
 * below 60 or 60 itself (an exporter's 59.996 rounded: "140:35:60.00" lost a tester's
 * station); NAN if neither. */
static double
edi_angle(const char *v)
{
    double part[3] = {0, 0, 0}, sign = 1;
    char *end;
    int k;

    while (*v == ' ' || *v == '"')
        v++;
    if (*v == '-' || *v == '+')
        sign = *v++ == '-' ? -1 : 1;
    for (k = 0; k < 3; k++) {
        part[k] = fwd_strtod(v, &end);
        if (end == v || !isfinite(part[k]) || part[k] < 0)
            return NAN;
        v = end;
        if (*v != ':')
            break;
        v++;
    }
    while (*v == ' ' || *v == '"' || *v == '\r' || *v == '\n')
        v++;
    if (*v != '\0' || k == 3 || part[1] > 60 || part[2] > 60 || (part[1] == 60 && part[2] > 0))
        return NAN; /* 60 minutes only as 59.996 rounded: with no seconds after them */
    return sign * (part[0] + part[1] / 60 + part[2] / 3600);
}

/* The value of keyword key on line p, "KEY=value" with spaces allowed around the '=' (any
 * case): just after the '=' and its spaces; NULL when the line is not key's. */
static const char *
edi_keyword(const char *p, const char *key)
{
    size_t n = strlen(key);

    if (strncasecmp(p, key, n) != 0)
        return NULL;
    p += n;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != '=')
        return NULL;
    p++;
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* The text of a keyword's value v: *v moved past spaces and an opening quote, its length up
 * to a closing quote or the line's end returned. */
static size_t
edi_text(const char **v)
{
    while (**v == ' ' || **v == '"')
        (*v)++;
    return strcspn(*v, "\"\r\n");
}

/*
 * The angle v of keyword key (LAT, LONG, REFLAT, REFLONG) on line lineno into *out: none
 * (NAN) when v is empty; degrees north in [-90, 90] for a latitude, east in [-180, 180] for
 * a longitude (0 to 360 brought there). Anything else is an error naming the value.
 */
static int
edi_position(const char *path, size_t lineno, const char *key, const char *v, double *out,
             fwd_error *err)
{
    int is_lat = strstr(key, "LAT") != NULL;
    double a = edi_angle(v);
    size_t t;

    *out = NAN;
    t = edi_text(&v);
    if (t == 0)
        return FWD_OK;
    if (isnan(a))
        return fwd_fail(err, FWD_EFORMAT,
                        "%s:%zu: %s: expected degrees, decimal (-37.43) or D:M:S (-37:25:48.84, "
                        "minutes and seconds at most 60), got \"%.*s\"",
                        path, lineno, key, (int)(t < 40 ? t : 40), v);
    if (is_lat ? fabs(a) > 90 : a < -180 || a > 360)
        return fwd_fail(err, FWD_EFORMAT, "%s:%zu: %s: expected degrees in %s, got \"%.*s\"", path,
                        lineno, key, is_lat ? "[-90, 90]" : "[-180, 180] (or 0 to 360)",
                        (int)(t < 40 ? t : 40), v);
    *out = !is_lat && a > 180 ? a - 360 : a;
    return FWD_OK;
}

/*
 * The elevation of line lineno (key=v), m, into *out: NAN when v is empty; a number, quoted
 * or not, with "m" after it or nothing. Anything else is an error naming the value.
 */
static int
edi_elevation(const char *path, size_t lineno, const char *key, const char *v, double *out,
              fwd_error *err)
{
    char *end;
    size_t t;
    double a;

    *out = NAN;
    t = edi_text(&v);
    while (t > 0 && v[t - 1] == ' ')
        t--;
    if (t == 0)
        return FWD_OK;
    a = edi_strtod(v, &end);
    while (end < v + t && *end == ' ')
        end++;
    if (end < v + t && (*end == 'm' || *end == 'M'))
        end++;
    if (end == v || end != v + t || !isfinite(a))
        return fwd_fail(err, FWD_EFORMAT, "%s:%zu: %s: expected metres (45.0), got \"%.*s\"", path,
                        lineno, key, (int)(t < 40 ? t : 40), v);
    *out = a;
    return FWD_OK;
}

/* Line lineno of the HEAD block: DATAID, EMPTY, LAT, LONG and ELEV are used. */
static int
edi_head_line(struct edi *e, const char *path, size_t lineno, const char *p, fwd_error *err)
{
    const char *v;
    char *end;

    if ((v = edi_keyword(p, "LAT")) != NULL)
        return edi_position(path, lineno, "LAT", v, &e->lat, err);
    if ((v = edi_keyword(p, "LONG")) != NULL)
        return edi_position(path, lineno, "LONG", v, &e->lon, err);
    if ((v = edi_keyword(p, "ELEV")) != NULL)
        return edi_elevation(path, lineno, "ELEV", v, &e->elev, err);
    if ((v = edi_keyword(p, "DATAID")) != NULL) {
        size_t t = edi_text(&v);
        int rc = fwd_name_fits(v, t, path, lineno, "DATAID", "a name", "", err);

        if (rc != FWD_OK)
            return rc;
        snprintf(e->dataid, sizeof e->dataid, "%.*s", (int)t, v);
    } else if ((v = edi_keyword(p, "EMPTY")) != NULL) {
        size_t t = edi_text(&v);
        double x = edi_strtod(v, &end);

        while (t > 0 && isspace((unsigned char)v[t - 1]))
            t--;
        /* any number but 0 (1.0E32, -999): 0 would make every zero a missing value */
        if (end == v + t && t > 0 && isfinite(x) && x != 0) {
            e->empty = x;
        } else if (t > 0) { /* said in the note; 1.0E32 kept */
            e->empty_line = lineno;
            snprintf(e->empty_say, sizeof e->empty_say, "%.*s", (int)(t < 24 ? t : 24), v);
        }
    }
    return FWD_OK;
}

/* Line lineno of the DEFINEMEAS block: REFLAT, REFLONG and REFELEV are used. */
static int
edi_definemeas_line(struct edi *e, const char *path, size_t lineno, const char *p, fwd_error *err)
{
    const char *v;

    if ((v = edi_keyword(p, "REFLAT")) != NULL)
        return edi_position(path, lineno, "REFLAT", v, &e->ref_lat, err);
    if ((v = edi_keyword(p, "REFLONG")) != NULL)
        return edi_position(path, lineno, "REFLONG", v, &e->ref_lon, err);
    if ((v = edi_keyword(p, "REFELEV")) != NULL)
        return edi_elevation(path, lineno, "REFELEV", v, &e->ref_elev, err);
    return FWD_OK;
}

/* The numbers of line lineno (from p) appended to data block cur: a NaN ("nan", "NaN",
 * "+NAN") is a value missing (edi_missing), but for a frequency (which one would the
 * values be of?). */
static int
edi_values(struct edi_block *cur, const char *path, size_t lineno, const char *p, fwd_error *err)
{
    char *end;

    while (*p != '\0') {
        double v;

        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            break;
        errno = 0;
        v = edi_strtod(p, &end);
        if (end == p || (!isspace((unsigned char)*end) && *end != '\0') || isinf(v) ||
            (isnan(v) && strcmp(cur->name, "FREQ") == 0)) {
            char tok[32];
            size_t t = strcspn(p, " \t\r\n");

            snprintf(tok, sizeof tok, "%.*s", (int)(t < 31 ? t : 31), p);
            return fwd_fail(err, FWD_EFORMAT, "%s:%zu: %s: expected a number, got \"%s\"", path,
                            lineno, cur->name, tok);
        }
        if (cur->n == cur->cap) {
            double *nv;
            size_t *nl;

            if (cur->cap >= FWD_MAX_POINTS)
                return fwd_fail(err, FWD_EFORMAT, "%s:%zu: %s: expected at most %d values", path,
                                lineno, cur->name, FWD_MAX_POINTS);
            cur->cap = cur->cap ? 2 * cur->cap : 64;
            nv = realloc(cur->v, cur->cap * sizeof *nv);
            if (nv != NULL)
                cur->v = nv;
            nl = nv != NULL ? realloc(cur->vl, cur->cap * sizeof *nl) : NULL;
            if (nl == NULL)
                return fwd_fail(err, FWD_ENOMEM, "%s: out of memory", path);
            cur->vl = nl;
        }
        cur->vl[cur->n] = lineno;
        cur->v[cur->n++] = v;
        p = end;
    }
    return FWD_OK;
}

/* Reads the blocks of an EDI file: every '>' line starts one; the numbers after it (until
 * the next '>') are its values (of the blocks bpinv reads, edi_read_block); HEAD lines give
 * DATAID, EMPTY and the position, DEFINEMEAS lines the position too (REFLAT ...). */
static int
edi_parse(const char *path, FILE *fp, struct edi *e, fwd_error *err)
{
    char *buf = NULL, *p;
    size_t bufcap = 0, lineno = 0;
    struct edi_block *cur;
    int rc = FWD_OK;
    ssize_t len;

    memset(e, 0, sizeof *e);
    e->empty = EDI_EMPTY_SEG;
    e->lat = e->lon = e->elev = NAN;
    e->ref_lat = e->ref_lon = e->ref_elev = NAN;
    while (rc == FWD_OK && (len = fwd_read_line(&buf, &bufcap, fp)) >= 0) {
        lineno++;
        if (len > FWD_SOUNDING_MAX_LINE || memchr(buf, '\0', (size_t)len) != NULL) {
            rc = fwd_fail(err, FWD_EFORMAT, "%s:%zu: expected a text line of at most %d bytes",
                          path, lineno, FWD_SOUNDING_MAX_LINE);
            break;
        }
        e->lines = lineno;
        p = buf;
        while (isspace((unsigned char)*p))
            p++;
        if (e->first_line == 0 && *p != '\0') {
            size_t t = strcspn(p, "\r\n");

            e->first_line = lineno;
            snprintf(e->first, sizeof e->first, "%.*s", (int)fwd_utf8_cut(p, t < 40 ? t : 40), p);
        }
        cur = e->cur;
        if (*p == '>')
            rc = edi_block_start(e, path, lineno, p + 1, err);
        else if (cur == NULL || *p == '\0')
            continue;
        else if (strcmp(cur->name, "HEAD") == 0)
            rc = edi_head_line(e, path, lineno, p, err);
        else if (strcmp(cur->name, "DEFINEMEAS") == 0)
            rc = edi_definemeas_line(e, path, lineno, p, err);
        else if (edi_read_block(cur->name))
            /* the text of other blocks (INFO, MTSECT, tippers ...) is not ours to read */
            rc = edi_values(cur, path, lineno, p, err);
    }
    free(buf);
    if (rc == FWD_OK && ferror(fp))
        rc = fwd_fail(err, FWD_EIO, "%s: read error", path);
    return rc;
}

/* ---- the blocks of the sounding --------------------------------------------------------- */

/* The blocks a sounding is read from. */
struct edi_sel {
    fwd_component comp;
    double empty; /* the file's EMPTY: values equal to it are missing */
    double big;   /* and values at or beyond this in size (edi_missing) */
    const struct edi_block *fb;
    int use_z, has_diag, has_err;
    /* impedances: ZXXR ZXXI ZXYR ZXYI ZYXR ZYXI ZYYR ZYYI; variances of ZXY and ZYX */
    const struct edi_block *zb[8], *var[2];
    /* or apparent resistivities and phases, xy and yx, and their errors; use[k] for the
     * components combined (the others' blocks are checked and give EMPTY values only) */
    const struct edi_block *rho[2], *phs[2], *rerr[2], *perr[2];
    int use[2];
    char skipped[160]; /* blocks not used that hold another count of values than FREQ */
};

/* A block that must be there with nf values, into *b. */
static int
edi_need(const struct edi *e, const char *path, const char *name, size_t nf,
         const struct edi_block **b, fwd_error *err)
{
    *b = edi_find(e, name);
    if (*b == NULL)
        return fwd_fail(err, FWD_EFORMAT, "%s: block >%s: missing", path, name);
    if ((*b)->n != nf) {
        size_t line = (*b)->line, n = (*b)->n;

        *b = NULL;
        return fwd_fail(err, FWD_EFORMAT,
                        "%s:%zu: %s: expected %zu values (one per frequency), got %zu", path, line,
                        name, nf, n);
    }
    return FWD_OK;
}

/*
 * A block the component does not use into *b (NULL when absent): checked for its EMPTY
 * values when it holds one per frequency, else left out and named in d->skipped (a note):
 * a yx variance block cut short does not stop a file from being read as xy.
 */
static void
edi_unused(const struct edi *e, const char *name, size_t nf, const struct edi_block **b,
           struct edi_sel *d)
{
    char say[48];

    *b = edi_find(e, name);
    if (*b != NULL && (*b)->n != nf) {
        snprintf(say, sizeof say, ">%s (%zu values)", name, (*b)->n);
        fwd_list_append(d->skipped, sizeof d->skipped, ", ", "", say);
        *b = NULL;
    }
}

/* An optional block into *b: NULL when absent; one of another length than nf is an error, as
 * a needed block's is (a block cut short says the file is). */
static int
edi_optional(const struct edi *e, const char *path, const char *name, size_t nf,
             const struct edi_block **b, fwd_error *err)
{
    *b = NULL;
    return edi_find(e, name) != NULL ? edi_need(e, path, name, nf, b, err) : FWD_OK;
}

/* Whether component c is made of the off-diagonal impedance k (0: xy, 1: yx): det and berd
 * are of both. */
static int
edi_uses(fwd_component c, size_t k)
{
    return c == FWD_COMP_DET || c == FWD_COMP_BERD || c == (k == 0 ? FWD_COMP_XY : FWD_COMP_YX);
}

/* The impedance blocks: those of the component asked for needed (xy: ZXYR, ZXYI; yx: ZYXR,
 * ZYXI; berd: the four; det: the four, and the diagonal ones when all four are there), with
 * its variances
 * of one value per frequency; the others, when there, used for their EMPTY values only
 * (edi_unused). */
static int
edi_select_z(const struct edi *e, const char *path, struct edi_sel *d, fwd_error *err)
{
    static const char *zn[8] = {"ZXXR", "ZXXI", "ZXYR", "ZXYI", "ZYXR", "ZYXI", "ZYYR", "ZYYI"};
    const char *cn = fwd_component_name(d->comp);
    size_t nf = d->fb->n, k;
    int rc;

    for (k = 2; k < 6; k++) {
        /* k 2, 3: xy; 4, 5: yx */
        fwd_component own = k < 4 ? FWD_COMP_XY : FWD_COMP_YX;
        size_t o = k < 4 ? 4 : 2; /* the other pair's first block */

        if (edi_find(e, zn[k]) == NULL) {
            if (d->comp != own && (d->comp == FWD_COMP_XY || d->comp == FWD_COMP_YX))
                continue;
            if (edi_find(e, zn[o]) != NULL && edi_find(e, zn[o + 1]) != NULL)
                return fwd_fail(err, FWD_EFORMAT,
                                "%s: block >%s: expected for component %s, got no such block; "
                                "the file has >%s and >%s: component %s reads them",
                                path, zn[k], cn, zn[o], zn[o + 1], k < 4 ? "yx" : "xy");
            return fwd_fail(err, FWD_EFORMAT,
                            "%s: block >%s: expected for component %s, got no such block", path,
                            zn[k], cn);
        }
        if (!edi_uses(d->comp, own == FWD_COMP_YX))
            edi_unused(e, zn[k], nf, &d->zb[k], d);
        else if ((rc = edi_need(e, path, zn[k], nf, &d->zb[k], err)) != FWD_OK)
            return rc;
    }
    /* the diagonal: used by det when all four are there; checked for EMPTY values anyway */
    d->has_diag = 1;
    for (k = 0; k < 8; k += 1 + 4 * (k == 1)) /* 0, 1, 6, 7 */
        d->has_diag = d->has_diag && edi_find(e, zn[k]) != NULL;
    for (k = 0; k < 8; k += 1 + 4 * (k == 1)) {
        if (d->comp != FWD_COMP_DET || !d->has_diag)
            edi_unused(e, zn[k], nf, &d->zb[k], d);
        else if ((rc = edi_need(e, path, zn[k], nf, &d->zb[k], err)) != FWD_OK)
            return rc;
        d->has_diag = d->has_diag && d->zb[k] != NULL;
    }
    for (k = 0; k < 2; k++) {
        const char *name = k == 0 ? "ZXY.VAR" : "ZYX.VAR";

        if (d->comp == (k == 0 ? FWD_COMP_YX : FWD_COMP_XY))
            edi_unused(e, name, nf, &d->var[k], d);
        else if ((rc = edi_optional(e, path, name, nf, &d->var[k], err)) != FWD_OK)
            return rc;
    }
    d->has_err = d->comp == FWD_COMP_XY   ? d->var[0] != NULL
                 : d->comp == FWD_COMP_YX ? d->var[1] != NULL
                                          : d->var[0] != NULL && d->var[1] != NULL;
    return FWD_OK;
}

/* The apparent resistivity and phase blocks: those of the components asked for needed (and
 * their errors of one value per frequency), the other's, when there, used for their EMPTY
 * values (edi_unused). */
static int
edi_select_rho(const struct edi *e, const char *path, struct edi_sel *d, fwd_error *err)
{
    static const char *rn[2] = {"RHOXY", "RHOYX"}, *pn[2] = {"PHSXY", "PHSYX"},
                      *ren[2] = {"RHOXY.ERR", "RHOYX.ERR"}, *pen[2] = {"PHSXY.ERR", "PHSYX.ERR"};
    size_t nf = d->fb->n, k;
    int rc;

    d->has_err = 1;
    for (k = 0; k < 2; k++) {
        d->use[k] = edi_uses(d->comp, k);
        if (d->use[k] && edi_find(e, rn[k]) == NULL && edi_find(e, rn[1 - k]) != NULL &&
            edi_find(e, pn[1 - k]) != NULL)
            return fwd_fail(err, FWD_EFORMAT,
                            "%s: expected impedance blocks (>ZXYR ...) or apparent resistivity "
                            "blocks (>%s, >%s) for component %s, got neither; the file has >%s "
                            "and >%s: component %s reads them",
                            path, rn[k], pn[k], fwd_component_name(d->comp), rn[1 - k], pn[1 - k],
                            k ? "xy" : "yx");
        if (d->use[k] && edi_find(e, rn[k]) == NULL)
            return fwd_fail(err, FWD_EFORMAT,
                            "%s: expected impedance blocks (>ZXYR ...) or apparent resistivity "
                            "blocks (>%s, >%s), got neither",
                            path, rn[k], pn[k]);
        if (!d->use[k]) {
            edi_unused(e, rn[k], nf, &d->rho[k], d);
            edi_unused(e, pn[k], nf, &d->phs[k], d);
            edi_unused(e, ren[k], nf, &d->rerr[k], d);
            edi_unused(e, pen[k], nf, &d->perr[k], d);
            continue;
        }
        if ((rc = edi_need(e, path, rn[k], nf, &d->rho[k], err)) != FWD_OK ||
            (rc = edi_need(e, path, pn[k], nf, &d->phs[k], err)) != FWD_OK ||
            (rc = edi_optional(e, path, ren[k], nf, &d->rerr[k], err)) != FWD_OK ||
            (rc = edi_optional(e, path, pen[k], nf, &d->perr[k], err)) != FWD_OK)
            return rc;
        d->has_err = d->has_err && d->rerr[k] != NULL && d->perr[k] != NULL;
    }
    return FWD_OK;
}

/*
 * A >FREQ block of another count than every block of values read that the file holds (two
 * at least) is the one cut short (or long): an error naming it, rather than the first
 * impedance block, which holds what the others do.
 */
static int
edi_freq_count(const struct edi *e, const char *path, const struct edi_block *fb, fwd_error *err)
{
    size_t k, n = 0, agree = 0;
    const struct edi_block *b, *first = NULL;

    for (k = 0; k < sizeof edi_read_names / sizeof edi_read_names[0]; k++) {
        if ((b = edi_find(e, edi_read_names[k])) == NULL || b == fb ||
            strstr(b->name, "ROT") != NULL)
            continue;
        if (first == NULL) {
            first = b;
            n = b->n;
        }
        if (b->n != n)
            return FWD_OK;
        agree++;
    }
    if (agree < 2 || n == 0 || n == fb->n)
        return FWD_OK;
    return fwd_fail(err, FWD_EFORMAT,
                    "%s:%zu: FREQ: expected %zu values, as each block of values holds (>%s on line "
                    "%zu ...), got %zu: %s",
                    path, fb->line, n, first->name, first->line, fb->n,
                    fb->n > n ? "more frequencies than values?" : "is >FREQ cut short?");
}

/* The frequencies, then the impedance blocks if there are any, else the apparent resistivity
 * and phase blocks. */
static int
edi_select(const struct edi *e, const char *path, fwd_component comp, struct edi_sel *d,
           fwd_error *err)
{
    int rc;

    memset(d, 0, sizeof *d);
    d->comp = comp;
    d->empty = e->empty;
    d->big = 0.99 * (e->empty >= EDI_EMPTY_HUGE ? fmin(e->empty, EDI_EMPTY_SEG) : EDI_EMPTY_SEG);
    d->fb = edi_find(e, "FREQ");
    if (edi_find(e, "HEAD") == NULL && d->fb == NULL && e->first_line == 0)
        return fwd_fail(err, FWD_EFORMAT,
                        "%s: expected an EDI file, its first line >HEAD, got blank lines only",
                        path);
    if (edi_find(e, "HEAD") == NULL && d->fb == NULL)
        /* a file named .edi that is none: "no >FREQ" would not say so (one of >FREQ and
         * values but no >HEAD is read, as it was) */
        return fwd_fail(err, FWD_EFORMAT,
                        "%s:%zu: expected an EDI file, its first line >HEAD, got \"%s\"%s", path,
                        e->first_line, e->first,
                        e->nb == 0 ? " (no block in the file: a text sounding named .edi?)" : "");
    if (d->fb == NULL && !e->has_end)
        return fwd_fail(err, FWD_EFORMAT,
                        "%s:%zu: expected >FREQ and the blocks of values, then >END, got the end "
                        "of the file in block >%s: is the file cut short?",
                        path, e->lines, e->cur->name);
    if (d->fb == NULL || d->fb->n == 0)
        return fwd_fail(err, FWD_EFORMAT,
                        "%s: block >FREQ: expected the frequencies (Hz), got %s%s", path,
                        d->fb == NULL ? "no such block" : "no values",
                        edi_find(e, "SPECTRASECT") != NULL || edi_find(e, "SPECTRA") != NULL
                            ? " (the file holds spectra, >=SPECTRASECT, which bpinv does not "
                              "read: export its impedances, >ZXYR ..., from the processing "
                              "software)"
                            : "");
    if ((rc = edi_freq_count(e, path, d->fb, err)) != FWD_OK)
        return rc;
    d->use_z = edi_find(e, "ZXYR") != NULL || edi_find(e, "ZXYI") != NULL ||
               edi_find(e, "ZYXR") != NULL || edi_find(e, "ZYXI") != NULL;
    return d->use_z ? edi_select_z(e, path, d, err) : edi_select_rho(e, path, d, err);
}

/* ---- the points ------------------------------------------------------------------------- */

/* One point of the sounding: period (s), apparent resistivity (ohm-m), phase (degrees), and
 * the standard errors of log10 rho_a and of the phase (degrees), 0 for none (a variance or
 * error of 0: not estimated); what was wrong with its values, for the note: a value missing
 * (the frequency skipped), an apparent resistivity not > 0 (the point left out), a negative
 * variance (read as its absolute value). */
struct edi_point {
    double T, r, ph, sdl, sdp;
    int not_positive, negative_var;
    int same_side;          /* Zxy and Zyx less than 90 degrees apart (a 1D earth's: 180) */
    size_t bad_k, bad_line; /* the first value not > 0: RHOXY (0) or RHOYX, its line */
    double bad_v;
    const char *miss_block, *miss_what; /* the first value missing: its block, what it is */
};

/* A value that is no reading: EMPTY (equal to the file's, or at or beyond d->big in size),
 * or NaN (as mtpy writes for one). */
static int
edi_missing(const struct edi_sel *d, double v)
{
    return isnan(v) || fabs(v) >= d->big || v == d->empty;
}

/* *skip set when value i of block b (NULL: none) is missing; the first such said in pt. A
 * block the component does not use (used 0) skips the frequency for its EMPTY values, not
 * for a NaN: mtpy writes NaN for a component not measured, which leaves the other whole. */
static void
edi_miss(const struct edi_sel *d, const struct edi_block *b, size_t i, int used, int *skip,
         struct edi_point *pt)
{
    if (b == NULL || !edi_missing(d, b->v[i]) || (!used && isnan(b->v[i])))
        return;
    if (!*skip) {
        pt->miss_block = b->name;
        pt->miss_what = isnan(b->v[i]) ? "NaN" : "EMPTY";
    }
    *skip = 1;
}

/* Whether the off-diagonal pair k (0: xy, 1: yx) is there and 0 + 0i at every frequency. */
static int
edi_pair_zero(const struct edi_sel *d, size_t k)
{
    const struct edi_block *re = d->zb[2 + 2 * k], *im = d->zb[3 + 2 * k];
    size_t i;

    if (re == NULL || im == NULL)
        return 0;
    for (i = 0; i < re->n; i++)
        if (re->v[i] != 0 || im->v[i] != 0)
            return 0;
    return 1;
}

/* Point i from the impedances at frequency f (Hz); *skip when a value is missing: EMPTY,
 * NaN, or an off-diagonal impedance 0 + 0i (what some programs write for none). */
static int
edi_point_z(const char *path, const struct edi_sel *d, size_t i, double f, int *skip,
            struct edi_point *pt, fwd_error *err)
{
    const struct edi_block *const *zb = d->zb;
    double complex zxy = 0, zyx = 0, z;
    double rel = 0;
    size_t k, line;

    for (k = 0; k < 8; k++) /* ZXX ZXY ZYX ZYY, real and imaginary: xy uses 2-3, yx 4-5 */
        if (k >= 2 && k < 6 ? 1 : d->has_diag)
            edi_miss(d, zb[k], i,
                     k >= 2 && k < 6 ? edi_uses(d->comp, k >= 4) : d->comp == FWD_COMP_DET, skip,
                     pt);
    for (k = 0; k < 2; k++)
        edi_miss(d, d->var[k], i, d->comp != (k == 0 ? FWD_COMP_YX : FWD_COMP_XY), skip, pt);
    for (k = 2; k < 6 && !*skip; k += 2) /* of the pairs the component uses: a yx not
                                          * measured (0 throughout) leaves xy whole */
        if (d->comp != (k == 2 ? FWD_COMP_YX : FWD_COMP_XY) && zb[k] != NULL && zb[k + 1] != NULL &&
            zb[k]->v[i] == 0 && zb[k + 1]->v[i] == 0) {
            pt->miss_block = k == 2 ? "ZXY" : "ZYX";
            pt->miss_what = "0";
            *skip = 1;
        }
    if (*skip)
        return FWD_OK;
    /* the pairs of the component asked for are there (edi_select_z); of the other, half a
     * pair may be (a file of ZXYR alone read as yx) */
    if (zb[2] != NULL && zb[3] != NULL)
        zxy = zb[2]->v[i] + I * zb[3]->v[i];
    if (zb[4] != NULL && zb[5] != NULL)
        zyx = zb[4]->v[i] + I * zb[5]->v[i];
    pt->same_side = creal(zxy * conj(zyx)) > 0;
    if (d->comp == FWD_COMP_XY)
        z = zxy;
    else if (d->comp == FWD_COMP_YX)
        z = -zyx; /* the yx impedance lies in the third quadrant */
    else if (d->comp == FWD_COMP_BERD)
        z = 0.5 * (zxy - zyx);
    else {
        double complex zxx = d->has_diag ? zb[0]->v[i] + I * zb[1]->v[i] : 0;
        double complex zyy = d->has_diag ? zb[6]->v[i] + I * zb[7]->v[i] : 0;

        double complex ref =
            (cabs(zxy) > 0 ? zxy / cabs(zxy) : 0) - (cabs(zyx) > 0 ? zyx / cabs(zyx) : 0);

        /* of the two roots, the one on the side of Zxy and -Zyx: the principal root of a
         * product whose phase passes 180 degrees would read -89 for 91 */
        z = csqrt(zxx * zyy - zxy * zyx);
        if (creal(z * conj(ref)) < 0)
            z = -z;
    }
    line = d->comp == FWD_COMP_YX || zb[2] == NULL ? zb[4]->line : zb[2]->line;
    if (!(cabs(z) > 0)) /* det, where Zxx Zyy = Zxy Zyx; berd, where Zxy = Zyx */
        return fwd_fail(err, FWD_EFORMAT,
                        "%s:%zu: %s ...: expected a non-zero impedance at %g Hz, got 0", path, line,
                        d->comp == FWD_COMP_YX ? "ZYXR" : "ZXYR", f);
    pt->T = 1 / f;
    /* field units (mV/km)/nT: rho_a = 0.2 T |Z|^2 ohm-m */
    pt->r = 0.2 * pt->T * cabs(z) * cabs(z);
    pt->ph = carg(z) * 180 / FWD_PI;
    if (d->has_err) {
        double rx = d->var[0] != NULL ? sqrt(fabs(d->var[0]->v[i])) / cabs(zxy) : 0;
        double ry = d->var[1] != NULL ? sqrt(fabs(d->var[1]->v[i])) / cabs(zyx) : 0;
        int none = 0; /* a variance of 0 the point's error is made of: not estimated */

        for (k = 0; k < 2; k++) {
            pt->negative_var |= d->var[k] != NULL && d->var[k]->v[i] < 0;
            none |= d->comp != (k == 0 ? FWD_COMP_YX : FWD_COMP_XY) && d->var[k]->v[i] == 0;
        }
        if (d->comp == FWD_COMP_BERD) /* var (Zxy - Zyx) / 2 = (var Zxy + var Zyx) / 4 */
            rel = 0.5 * sqrt(fabs(d->var[0]->v[i]) + fabs(d->var[1]->v[i])) / cabs(z);
        else
            rel = d->comp == FWD_COMP_XY ? rx : d->comp == FWD_COMP_YX ? ry : 0.5 * (rx + ry);
        /* rho_a ~ |Z|^2: relative error 2 rel; phase error asin(rel) ~ rel radians */
        pt->sdl = none ? 0 : 2 * rel / log(10.0);
        pt->sdp = none ? 0 : (rel < 1 ? asin(rel) : FWD_PI / 2) * 180 / FWD_PI;
    }
    return FWD_OK;
}

/* Point i from the apparent resistivities and phases at frequency f (Hz): for det the
 * geometric mean and the mean of xy and yx, the errors the means of theirs; for berd those
 * of the mean of the two impedances they stand for (|Z| = sqrt(rho_a / 0.2 T), the factor
 * common to both), the errors propagated to it; *skip when a value is missing (EMPTY,
 * NaN). */
static void
edi_point_rho(const struct edi_sel *d, size_t i, double f, int *skip, struct edi_point *pt)
{
    double rr[2] = {0, 0}, pp[2] = {0, 0}, re = 0;
    int have = 0, nol = 0, nop = 0;
    size_t k, j;

    for (k = 0; k < 2; k++) {
        const struct edi_block *b[4] = {d->rho[k], d->phs[k], d->rerr[k], d->perr[k]};

        for (j = 0; j < 4; j++)
            edi_miss(d, b[j], i, d->use[k], skip, pt);
        if (!d->use[k])
            continue;
        if (!(d->rho[k]->v[i] > 0)) { /* a missing one is not said */
            *skip = 1;
            if (!pt->not_positive && !edi_missing(d, d->rho[k]->v[i])) { /* said */
                pt->not_positive = 1;
                pt->bad_k = k;
                pt->bad_v = d->rho[k]->v[i];
                pt->bad_line = d->rho[k]->vl[i];
            }
        }
        rr[k] = d->rho[k]->v[i];
        /* an angle of any turn (225 is -135), then a yx phase in the third quadrant brought
         * to the first */
        pp[k] = remainder(d->phs[k]->v[i], 360);
        if (k == 1 && (pp[k] < -90 || pp[k] == 180)) /* 180 is -180 */
            pp[k] += pp[k] == 180 ? -180 : 180;
        have++;
    }
    if (*skip)
        return;
    pt->T = 1 / f;
    if (d->comp == FWD_COMP_BERD) {
        double complex z = 0.5 * (sqrt(rr[0]) * cexp(I * pp[0] * FWD_PI / 180) +
                                  sqrt(rr[1]) * cexp(I * pp[1] * FWD_PI / 180));

        if (!(cabs(z) > 0)) { /* opposite phases of one size: no impedance */
            *skip = 1;
            pt->miss_block = "PHSXY, PHSYX";
            pt->miss_what = "opposite";
            return;
        }
        pt->r = cabs(z) * cabs(z);
        pt->ph = carg(z) * 180 / FWD_PI;
    } else {
        pt->r = have == 2 ? sqrt(rr[0] * rr[1]) : rr[0] + rr[1];
        pt->ph = have == 2 ? 0.5 * (pp[0] + pp[1]) : pp[0] + pp[1];
    }
    if (d->has_err) {
        /* berd: each impedance's relative error e from its rho_a error (2 e) and, apart,
         * from its phase error (asin e), propagated as the impedance path's var =
         * (var Zxy + var Zyx) / 4 with |Z| = sqrt(rho_a) (the common factor cancels) */
        double vr = 0, vp = 0, zz = pt->r;

        pt->sdp = 0;
        for (k = 0; k < 2; k++)
            if (d->use[k]) {
                double er = 0.5 * d->rerr[k]->v[i] / rr[k];
                double ep = sin(fmin(90, d->perr[k]->v[i]) * FWD_PI / 180);

                re += d->rerr[k]->v[i] / rr[k] / have; /* relative error of rho_a */
                pt->sdp += d->perr[k]->v[i] / have;
                vr += 0.25 * rr[k] * er * er;
                vp += 0.25 * rr[k] * ep * ep;
                /* an error not > 0 the point's is made of: none (not estimated) */
                nol |= !(d->rerr[k]->v[i] > 0);
                nop |= !(d->perr[k]->v[i] > 0);
            }
        if (d->comp == FWD_COMP_BERD) {
            re = 2 * sqrt(vr / zz);
            pt->sdp = asin(fmin(1, sqrt(vp / zz))) * 180 / FWD_PI;
        }
        pt->sdl = nol ? 0 : re / log(10.0);
        pt->sdp = nop ? 0 : pt->sdp;
    }
}

/* A frequency of the FREQ block (f) and its index there (i). */
struct edi_fi {
    double f;
    size_t i;
};

static int
edi_fi_cmp(const void *a, const void *b)
{
    const struct edi_fi *x = a, *y = b;

    if (x->f != y->f)
        return x->f < y->f ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * The n points kept (kept[k] their indices in the FREQ block fb) are at distinct
 * frequencies, or an error naming the first frequency repeated (in the order of the block),
 * where the two are in the block and their lines. Not averaged: which of the two (merged
 * bands often overlap) is right is not for the reader to say.
 */
static int
edi_distinct(const char *path, const struct edi_block *fb, const size_t *kept, size_t n,
             fwd_error *err)
{
    struct edi_fi *a;
    size_t k, first = 0, second = 0;

    if (n < 2)
        return FWD_OK;
    a = malloc(n * sizeof *a);
    if (a == NULL)
        return fwd_fail(err, FWD_ENOMEM, "%s: out of memory", path);
    for (k = 0; k < n; k++) {
        a[k].f = fb->v[kept[k]];
        a[k].i = kept[k];
    }
    qsort(a, n, sizeof *a, edi_fi_cmp);
    for (k = 1; k < n; k++)
        if (a[k].f == a[k - 1].f && (second == 0 || a[k].i < second)) {
            first = a[k - 1].i;
            second = a[k].i;
        }
    free(a);
    if (second == 0)
        return FWD_OK;
    return fwd_fail(err, FWD_EFORMAT,
                    "%s:%zu: FREQ: expected distinct frequencies, got %g Hz twice: values %zu and "
                    "%zu of the block, lines %zu and %zu",
                    path, fb->vl[second], fb->v[second], first + 1, second + 1, fb->vl[first],
                    fb->vl[second]);
}

/*
 * One point per frequency that has all its values into s, at distinct frequencies. The
 * frequencies skipped for a value missing are said in the note, or, when too few points are
 * left, in the error. A little over style.md's 120 lines: each point's checks and the
 * counts of what they dropped, which the note then reports together.
 */
static int
edi_points(const char *path, const struct edi_sel *d, fwd_sounding *s, fwd_error *err)
{
    const struct edi_block *fb = d->fb;
    size_t i, *kept = malloc(fb->n * sizeof *kept); /* of point k, its index in fb */
    size_t n_out = 0, n_var = 0, n_big = 0, n_miss = 0, n_zero[2] = {0, 0}, n_same = 0;
    char out[160] = "", miss[160] = "", say[480];
    int rc = FWD_OK;

    if (kept == NULL)
        return fwd_fail(err, FWD_ENOMEM, "%s: out of memory", path);

    for (i = 0; i < fb->n; i++) {
        double f = fb->v[i];
        struct edi_point pt = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL};
        int skip = 0;

        edi_miss(d, fb, i, 1, &skip, &pt);
        if (!skip && !(f > 0)) {
            rc = fwd_fail(err, FWD_EFORMAT, "%s:%zu: FREQ: expected frequencies > 0 Hz, got %g",
                          path, fb->vl[i], f);
            break;
        }
        if (d->use_z)
            rc = edi_point_z(path, d, i, f, &skip, &pt, err);
        else
            edi_point_rho(d, i, f, &skip, &pt);
        if (rc != FWD_OK)
            break;
        if (pt.miss_block != NULL) { /* said in the note */
            char hz[64];

            if (strcmp(pt.miss_block, "FREQ") == 0)
                snprintf(hz, sizeof hz, "FREQ %s (line %zu)", pt.miss_what, fb->vl[i]);
            else
                snprintf(hz, sizeof hz, "%s %s at %g Hz", pt.miss_block, pt.miss_what, f);
            fwd_list_append(miss, sizeof miss, ", ", "", hz);
            n_miss++;
            if (strcmp(pt.miss_what, "0") == 0 && strncmp(pt.miss_block, "ZXY", 3) == 0)
                n_zero[0]++;
            else if (strcmp(pt.miss_what, "0") == 0 && strncmp(pt.miss_block, "ZYX", 3) == 0)
                n_zero[1]++;
        } else if (pt.not_positive) { /* said in the note */
            char hz[64];

            snprintf(hz, sizeof hz, "%s %g at %g Hz (line %zu)", pt.bad_k ? "RHOYX" : "RHOXY",
                     pt.bad_v, f, pt.bad_line);
            fwd_list_append(out, sizeof out, ", ", "", hz);
            n_out++;
        }
        if (skip)
            continue;
        n_var += (size_t)pt.negative_var;
        n_same += (size_t)pt.same_side;
        if (d->has_err && (pt.sdl > FWD_SD_LOG10_MAX || pt.sdp > FWD_SD_PHASE_MAX)) {
            /* a dead band's error beyond any measurement's: as large as a sounding's may be
             * (fwd_sounding_finish refuses larger), the frequency kept, the note says so */
            pt.sdl = fmin(pt.sdl, FWD_SD_LOG10_MAX);
            pt.sdp = fmin(pt.sdp, FWD_SD_PHASE_MAX);
            n_big++;
        }
        if (!isfinite(pt.r) || !(pt.r > 0) || !isfinite(pt.ph)) {
            rc = fwd_fail(err, FWD_EFORMAT, "%s: frequency %g Hz: no finite apparent resistivity",
                          path, f);
            break;
        }
        s->x[s->n] = pt.T;
        s->rho_a[s->n] = pt.r;
        s->phase[s->n] = pt.ph;
        if (d->has_err) {
            s->sd_log10[s->n] = pt.sdl;
            s->sd_phase[s->n] = pt.sdp;
        }
        s->line[s->n] = fb->vl[i];
        kept[s->n++] = i;
    }
    if (rc == FWD_OK)
        rc = edi_distinct(path, fb, kept, s->n, err);
    if (rc == FWD_OK && n_miss > 0) {
        snprintf(say, sizeof say, "%zu of %zu frequencies skipped, a value missing: %s", n_miss,
                 fb->n, miss);
        for (i = 0; i < 2; i++) /* a pair 0 throughout: one not measured (the other not) */
            if (n_zero[i] == fb->n && n_zero[1 - i] == 0 && !edi_pair_zero(d, 1 - i))
                snprintf(say + strlen(say), sizeof say - strlen(say),
                         "; %s is 0 at every frequency (not measured?): --component %s reads "
                         "the %s impedance alone",
                         i ? "ZYX" : "ZXY", i ? "xy" : "yx", i ? "xy" : "yx");
        if (s->n < FWD_SOUNDING_MIN_POINTS) /* fwd_sounding_finish would not say why */
            rc = fwd_fail(err, FWD_EFORMAT, "%s: expected at least %d points, got %zu: %s", path,
                          FWD_SOUNDING_MIN_POINTS, s->n, say);
        else
            fwd_sounding_note(s, say);
    }
    if (rc == FWD_OK && n_out > 0) {
        snprintf(say, sizeof say, "%zu frequenc%s left out, an apparent resistivity not > 0: %s",
                 n_out, n_out == 1 ? "y" : "ies", out);
        fwd_sounding_note(s, say);
    }
    if (rc == FWD_OK && n_big > 0) {
        snprintf(say, sizeof say,
                 "%zu frequenc%s with an error beyond %d decades of rho_a, read as %d", n_big,
                 n_big == 1 ? "y" : "ies", FWD_SD_LOG10_MAX, FWD_SD_LOG10_MAX);
        fwd_sounding_note(s, say);
    }
    /* Zyx with Zxy's sign, as some converters write it: det's and berd's phases go past 90
     * degrees and yx's below 0, and the phase note's conjugate would not mend it */
    if (rc == FWD_OK && 2 * n_same > s->n && d->comp != FWD_COMP_XY) {
        snprintf(say, sizeof say,
                 "Zxy and Zyx on the same side at %zu of %zu frequencies, where a 1D earth's are "
                 "opposite (Zyx = -Zxy; bpinv's Zyx in the third quadrant): does the file write "
                 "Zyx with Zxy's sign? Then its ZYXR and ZYXI negated read it (--component xy "
                 "reads Zxy alone)",
                 n_same, s->n);
        fwd_sounding_note(s, say);
    }
    if (rc == FWD_OK && n_var > 0) {
        snprintf(say, sizeof say,
                 "%zu frequenc%s with a negative impedance variance (ZXY.VAR, ZYX.VAR), read "
                 "as its absolute value",
                 n_var, n_var == 1 ? "y" : "ies");
        fwd_sounding_note(s, say);
    }
    free(kept);
    return rc;
}

/* The rotation angles of block name (ZROT, RHOROT) other than 0, said in the note: xy and
 * yx are of axes so rotated (det and berd do not depend on them). */
static void
edi_rotation_note(const struct edi *e, const struct edi_sel *d, const char *name, fwd_sounding *s)
{
    const struct edi_block *rot = edi_find(e, name);
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    size_t i, n = 0, all = 0;
    char say[160];

    if (rot == NULL || d->comp == FWD_COMP_DET || d->comp == FWD_COMP_BERD)
        return;
    for (i = 0; i < rot->n; i++)
        if (!edi_missing(d, rot->v[i])) {
            all++;
            if (rot->v[i] != 0) {
                n++;
                lo = fmin(lo, rot->v[i]);
                hi = fmax(hi, rot->v[i]);
            }
        }
    if (n == 0)
        return;
    if (lo < hi)
        snprintf(say, sizeof say, "%s %.3g to %.3g degrees", name, lo, hi);
    else
        snprintf(say, sizeof say, "%s %.3g degrees", name, lo);
    if (n < all)
        snprintf(say + strlen(say), sizeof say - strlen(say), " at %zu of %zu frequencies", n, all);
    snprintf(say + strlen(say), sizeof say - strlen(say), ": %s is of axes so rotated",
             fwd_component_name(d->comp));
    fwd_sounding_note(s, say);
}

/*
 * What the user should know of how the file was read, in s->note: a file without >END (cut
 * short?), an EMPTY not used, blocks not used that were left out, det without errors because one
 * component's errors are missing, xy or yx of rotated axes (ZROT, RHOROT), impedances that look
 * like ohm (SI) rather than (mV/km)/nT.
 */
static void
edi_notes(const struct edi *e, const struct edi_sel *d, fwd_sounding *s)
{
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    char say[224];
    size_t i;
    int err[2];

    if (!e->has_end)
        fwd_sounding_note(s, "no >END line: is the file cut short?");
    if (e->empty_line > 0) {
        snprintf(say, sizeof say,
                 "EMPTY=%s (line %zu) not used, expected a number other than 0: 1.0E32 used",
                 e->empty_say, e->empty_line);
        fwd_sounding_note(s, say);
    }
    if (d->skipped[0] != '\0') {
        snprintf(say, sizeof say, "not one value per frequency, so not read: %s", d->skipped);
        fwd_sounding_note(s, say);
    }
    err[0] = d->use_z ? d->var[0] != NULL : d->rerr[0] != NULL && d->perr[0] != NULL;
    err[1] = d->use_z ? d->var[1] != NULL : d->rerr[1] != NULL && d->perr[1] != NULL;
    if ((d->comp == FWD_COMP_DET || d->comp == FWD_COMP_BERD) && err[0] != err[1]) {
        snprintf(say, sizeof say, "no %s errors: %s read without errors (%s has them)",
                 err[0] ? "yx" : "xy", fwd_component_name(d->comp), err[0] ? "xy" : "yx");
        fwd_sounding_note(s, say);
    }
    edi_rotation_note(e, d, d->use_z ? "ZROT" : "RHOROT", s);
    for (i = 0; i < s->n; i++) {
        lo = fmin(lo, s->rho_a[i]);
        hi = fmax(hi, s->rho_a[i]);
    }
    /* Z in ohm is 795.8 (1 / 4 pi 1e-4) times smaller than in (mV/km)/nT: rho_a 633,000 */
    if (d->use_z && s->n > 0 && hi < 1e-2) {
        snprintf(say, sizeof say,
                 "apparent resistivities %.3g to %.3g ohm-m: impedances in ohm (SI)? EDI's are "
                 "(mV/km)/nT, 795.8 times larger",
                 lo, hi);
        fwd_sounding_note(s, say);
    }
}

/* Point i's error of one kind from its other, when only one is > 0: one relative impedance
 * error e gives both (sd log10 rho_a = 2 e / ln 10, sd phase = asin e). 1 when it did. */
static int
edi_error_from_other(fwd_sounding *s, size_t i)
{
    if ((s->sd_log10[i] > 0) == (s->sd_phase[i] > 0))
        return 0;
    if (s->sd_log10[i] > 0)
        s->sd_phase[i] = asin(fmin(1, s->sd_log10[i] * log(10.0) / 2)) * 180 / FWD_PI;
    else
        s->sd_log10[i] = 2 * sin(fmin(90, s->sd_phase[i]) * FWD_PI / 180) / log(10.0);
    return 1;
}

/*
 * A file of apparent resistivities whose errors of one kind (rho_a's or the phases') are not
 * > 0 at any frequency: each point's from its error of the other kind, as one relative
 * impedance error e gives both (sd log10 rho_a = 2 e / ln 10, sd phase = asin e), said in the
 * note. A sounding has both kinds or none: the measured ones were dropped with the others.
 */
static void
edi_other_errors(fwd_sounding *s, int have_rho)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        edi_error_from_other(s, i);
    fwd_sounding_note(s, have_rho ? "no phase errors (no .ERR value > 0): each from its rho_a "
                                    "error, sd(phase) = asin(sd ln 10 / 2)"
                                  : "no rho_a errors (no .ERR value > 0): each from its phase "
                                    "error, sd(log10 rho_a) = 2 sin(sd) / ln 10");
}

/*
 * The points without an error (of 0: a variance or .ERR value of 0, not estimated) given the
 * largest of the others' (of log10 rho_a and of the phase apart), the note naming their
 * frequencies: a sounding has errors at every point or none (fwd_sounding_check), and one
 * error unknown should neither take the others' away nor weigh its point more than any
 * measured one. Without an error at any point, the sounding has none, and the note says so.
 */
static void
edi_missing_errors(const struct edi_sel *d, fwd_sounding *s)
{
    double hl = 0, hp = 0;
    char hz[160] = "", say[320], f[32];
    size_t i, n = 0;

    if (s->sd_log10 == NULL)
        return;
    for (i = 0; i < s->n; i++) {
        hl = fmax(hl, s->sd_log10[i]);
        hp = fmax(hp, s->sd_phase[i]);
    }
    if ((hl > 0) != (hp > 0)) { /* one kind given, the other not > 0 anywhere */
        edi_other_errors(s, hl > 0);
        hl = hp = 0;
        for (i = 0; i < s->n; i++) {
            hl = fmax(hl, s->sd_log10[i]);
            hp = fmax(hp, s->sd_phase[i]);
        }
    } else { /* a point of one kind: the other from it, as one impedance error gives both */
        char one[160] = "";
        size_t n1 = 0;

        for (i = 0; i < s->n; i++) {
            if (!edi_error_from_other(s, i))
                continue;
            snprintf(f, sizeof f, "%g", 1 / s->x[i]);
            fwd_list_append(one, sizeof one, ", ", "", f);
            n1++;
        }
        if (n1 > 0) {
            snprintf(say, sizeof say,
                     "%zu frequenc%s with an .ERR value of one kind not > 0, taken from the "
                     "other (one impedance error e: 2 e / ln 10 decades, asin e): %s Hz",
                     n1, n1 == 1 ? "y" : "ies", one);
            fwd_sounding_note(s, say);
        }
    }
    for (i = 0; i < s->n; i++)
        if (!(s->sd_log10[i] > 0) || !(s->sd_phase[i] > 0)) {
            snprintf(f, sizeof f, "%g", 1 / s->x[i]);
            fwd_list_append(hz, sizeof hz, ", ", "", f);
            n++;
            s->sd_log10[i] = s->sd_log10[i] > 0 ? s->sd_log10[i] : hl;
            s->sd_phase[i] = s->sd_phase[i] > 0 ? s->sd_phase[i] : hp;
        }
    if (n == 0)
        return;
    if (!(hl > 0) || !(hp > 0)) {
        free(s->sd_log10);
        free(s->sd_phase);
        s->sd_log10 = s->sd_phase = NULL;
        snprintf(say, sizeof say, "no errors: %s at every frequency",
                 d->use_z ? "a variance of 0" : "an .ERR value not > 0");
    } else {
        snprintf(say, sizeof say,
                 "%zu frequenc%s without an error (%s), given the largest of the others' "
                 "(%.3g decades of rho_a, %.3g degrees): %s Hz",
                 n, n == 1 ? "y" : "ies", d->use_z ? "a variance of 0" : "an .ERR value not > 0",
                 hl, hp, hz);
    }
    fwd_sounding_note(s, say);
}

fwd_sounding *
fwd_read_edi(const char *path, FILE *fp, fwd_component comp, fwd_error *err)
{
    struct edi e;
    struct edi_sel d;
    fwd_sounding *s = NULL;
    int rc;

    rc = edi_parse(path, fp, &e, err);
    if (rc == FWD_OK)
        rc = edi_select(&e, path, comp, &d, err);
    if (rc == FWD_OK) {
        s = fwd_sounding_make(path, FWD_EDI_METHOD, d.fb->n, 0, d.has_err, d.has_err);
        if (s == NULL)
            rc = fwd_fail(err, FWD_ENOMEM, "%s: out of memory", path);
    }
    if (rc == FWD_OK && e.dataid[0] != '\0') /* a cut file name's note goes */
        fwd_sounding_rename(s, path, e.dataid);
    if (rc == FWD_OK) {
        /* each from >HEAD, else from >=DEFINEMEAS */
        s->lat_deg = isnan(e.lat) ? e.ref_lat : e.lat;
        s->lon_deg = isnan(e.lon) ? e.ref_lon : e.lon;
        s->elevation_m = isnan(e.elev) ? e.ref_elev : e.elev;
    }
    if (rc == FWD_OK)
        rc = edi_points(path, &d, s, err);
    if (rc == FWD_OK) {
        edi_notes(&e, &d, s);
        edi_missing_errors(&d, s);
        rc = fwd_sounding_finish(s, err);
    }
    edi_free(&e);
    if (rc != FWD_OK) {
        fwd_sounding_free(s);
        return NULL;
    }
    return s;
}
