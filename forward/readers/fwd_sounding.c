/* SPDX-License-Identifier: MIT */
/*
 * fwd_sounding.c - reading field soundings: delimited text and SEG EDI.
 */
#include <complex.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward/fwd_internal.h"
#include "forward/readers/fwd_sounding.h"

/* Most blocks an EDI file may have. */
#define EDI_MAX_BLOCKS 256

int
fwd_component_parse(const char *s, fwd_component *c, fwd_error *err)
{
    if (strcmp(s, "det") == 0)
        *c = FWD_COMP_DET;
    else if (strcmp(s, "xy") == 0)
        *c = FWD_COMP_XY;
    else if (strcmp(s, "yx") == 0)
        *c = FWD_COMP_YX;
    else
        return fwd_fail(err, FWD_EINVAL, "component: expected det, xy or yx, got \"%s\"", s);
    return FWD_OK;
}

void
fwd_sounding_free(fwd_sounding *s)
{
    if (s == NULL)
        return;
    free(s->line);
    free(s->sd_phase);
    free(s->sd_log10);
    free(s->phase);
    free(s->rho_a);
    free(s->mn2);
    free(s->x);
    free(s);
}

/* A sounding with room for cap points; the optional arrays as asked. */
static fwd_sounding *
sounding_new(const char *path, fwd_method m, size_t cap, int mn2, int sd_log10, int sd_phase)
{
    fwd_sounding *s = calloc(1, sizeof *s);
    const char *base;
    int bad;

    if (s == NULL)
        return NULL;
    s->method = m;
    bad = (s->x = malloc(cap * sizeof(double))) == NULL;
    bad = bad || (s->rho_a = malloc(cap * sizeof(double))) == NULL;
    bad = bad || (s->line = malloc(cap * sizeof(size_t))) == NULL;
    bad = bad || (mn2 && (s->mn2 = malloc(cap * sizeof(double))) == NULL);
    bad = bad || (m == FWD_MT && (s->phase = malloc(cap * sizeof(double))) == NULL);
    bad = bad || (sd_log10 && (s->sd_log10 = malloc(cap * sizeof(double))) == NULL);
    bad = bad || (sd_phase && (s->sd_phase = malloc(cap * sizeof(double))) == NULL);
    if (bad) {
        fwd_sounding_free(s);
        return NULL;
    }
    snprintf(s->source, sizeof s->source, "%s", path);
    base = strrchr(path, '/');
    snprintf(s->name, sizeof s->name, "%s", base != NULL ? base + 1 : path);
    return s;
}

/* Gives every array of s room for cap points; -1 when out of memory (s stays valid). */
static int
sounding_grow(fwd_sounding *s, size_t cap)
{
    double **arr[] = {&s->x, &s->mn2, &s->rho_a, &s->phase, &s->sd_log10, &s->sd_phase};
    size_t k, *line;

    for (k = 0; k < sizeof arr / sizeof arr[0]; k++)
        if (*arr[k] != NULL) {
            double *p = realloc(*arr[k], cap * sizeof(double));

            if (p == NULL)
                return -1;
            *arr[k] = p;
        }
    line = realloc(s->line, cap * sizeof *line);
    if (line == NULL)
        return -1;
    s->line = line;
    return 0;
}

/* Sorts the points by x, then MN/2 (insertion sort: soundings are short and nearly sorted),
 * then rejects a point given twice and too few points. */
static int
sort_and_check(fwd_sounding *s, fwd_error *err)
{
    size_t i, j;

#define SWAP(a)                                                                                    \
    do {                                                                                           \
        if ((a) != NULL) {                                                                         \
            double t_ = (a)[j];                                                                    \
            (a)[j] = (a)[j - 1];                                                                   \
            (a)[j - 1] = t_;                                                                       \
        }                                                                                          \
    } while (0)
    for (i = 1; i < s->n; i++)
        for (j = i; j > 0; j--) {
            double m0 = s->mn2 != NULL ? s->mn2[j - 1] : 0, m1 = s->mn2 != NULL ? s->mn2[j] : 0;
            size_t tl;

            if (s->x[j - 1] < s->x[j] || (s->x[j - 1] == s->x[j] && m0 <= m1))
                break;
            SWAP(s->x);
            SWAP(s->mn2);
            SWAP(s->rho_a);
            SWAP(s->phase);
            SWAP(s->sd_log10);
            SWAP(s->sd_phase);
            tl = s->line[j];
            s->line[j] = s->line[j - 1];
            s->line[j - 1] = tl;
        }
#undef SWAP
    for (i = 1; i < s->n; i++)
        if (s->x[i] == s->x[i - 1] && (s->mn2 == NULL || s->mn2[i] == s->mn2[i - 1])) {
            if (s->line[i] == s->line[i - 1]) /* an EDI file: both from its >FREQ block */
                return fwd_fail(err, FWD_EFORMAT,
                                "%s:%zu: FREQ: expected distinct frequencies, got %g Hz twice",
                                s->source, s->line[i], 1 / s->x[i]);
            return fwd_fail(err, FWD_EFORMAT, "%s:%zu: %s: %g is given twice (also on line %zu)%s",
                            s->source, s->line[i], fwd_method_xname(s->method), s->x[i],
                            s->line[i - 1], s->mn2 != NULL ? " with the same MN/2" : "");
        }
    if (s->n < FWD_SOUNDING_MIN_POINTS)
        return fwd_fail(err, FWD_EFORMAT, "%s: expected at least %d points, got %zu", s->source,
                        FWD_SOUNDING_MIN_POINTS, s->n);
    return FWD_OK;
}

/* ---- text ------------------------------------------------------------------------------ */

enum { COL_X, COL_MN2, COL_RHO, COL_PHASE, COL_SDL, COL_SDP, COL_FREQ, COL_N };

/* The recognised column names (lower case, units in parentheses dropped). */
static int
column_kind(const char *name, fwd_method *m)
{
    static const struct {
        const char *name;
        int kind, method; /* method -1: any */
    } names[] = {{"ab2", COL_X, FWD_SCHLUMBERGER},
                 {"ab2_m", COL_X, FWD_SCHLUMBERGER},
                 {"ab/2", COL_X, FWD_SCHLUMBERGER},
                 {"a", COL_X, FWD_WENNER},
                 {"a_m", COL_X, FWD_WENNER},
                 {"spacing_m", COL_X, FWD_WENNER},
                 {"period", COL_X, FWD_MT},
                 {"period_s", COL_X, FWD_MT},
                 {"t_s", COL_X, FWD_MT},
                 {"freq", COL_FREQ, FWD_MT},
                 {"freq_hz", COL_FREQ, FWD_MT},
                 {"frequency", COL_FREQ, FWD_MT},
                 {"frequency_hz", COL_FREQ, FWD_MT},
                 {"mn2", COL_MN2, FWD_SCHLUMBERGER},
                 {"mn2_m", COL_MN2, FWD_SCHLUMBERGER},
                 {"mn/2", COL_MN2, FWD_SCHLUMBERGER},
                 {"rho_a", COL_RHO, -1},
                 {"rho_a_ohmm", COL_RHO, -1},
                 {"rhoa", COL_RHO, -1},
                 {"app_res", COL_RHO, -1},
                 {"phase", COL_PHASE, FWD_MT},
                 {"phase_deg", COL_PHASE, FWD_MT},
                 {"phi", COL_PHASE, FWD_MT},
                 {"sd_log10_rho_a", COL_SDL, -1},
                 {"sd_phase_deg", COL_SDP, FWD_MT}};
    size_t k;

    for (k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(name, names[k].name) == 0) {
            if (names[k].method >= 0)
                *m = (fwd_method)names[k].method;
            return names[k].kind;
        }
    return -1;
}

/*
 * Splits line (modified) into at most cap fields: at commas if it has one, else at tabs if
 * it has one, else at runs of spaces; fields are trimmed of spaces. So a header name may
 * hold spaces ("rho_a (ohm-m)") in a comma- or tab-separated file.
 */
static size_t
split(char *line, char **f, size_t cap)
{
    char sep = strchr(line, ',') != NULL ? ',' : strchr(line, '\t') != NULL ? '\t' : ' ';
    size_t n = 0;
    char *p = line, *end;

    for (;;) {
        while (*p == ' ' || *p == '\r' || (sep == ' ' && *p == '\t'))
            p++;
        if (*p == '\0' || n == cap)
            return n;
        f[n++] = p;
        while (*p != '\0' && *p != sep && !(sep == ' ' && *p == '\t'))
            p++;
        end = p;
        if (*p != '\0')
            *p++ = '\0';
        while (end > f[n - 1] && (end[-1] == ' ' || end[-1] == '\r'))
            *--end = '\0';
    }
}

static int
parse_number(const char *s, double *v)
{
    char *end;

    errno = 0;
    *v = strtod(s, &end);
    return end != s && *end == '\0' && errno != ERANGE && isfinite(*v);
}

/* Lower-cases a header name and drops a trailing unit in parentheses or brackets. */
static void
normalise_name(const char *in, char *out, size_t cap)
{
    size_t k = 0;

    for (; *in != '\0' && *in != '(' && *in != '[' && k + 1 < cap; in++)
        out[k++] = (char)tolower((unsigned char)*in);
    while (k > 0 && (out[k - 1] == '_' || out[k - 1] == ' '))
        k--;
    out[k] = '\0';
}

#define MAX_FIELDS 64

/* Finds the columns named in fields f into col; returns the method the names imply: that
 * of the spacing or period column, else of the last method's column (mn2_m, phase_deg), else
 * expect. */
static fwd_method
header_columns(char **f, size_t nf, fwd_method expect, int *col)
{
    fwd_method hm = expect, xm = expect, fm = expect;
    char name[64];
    size_t k;

    for (k = 0; k < COL_N; k++)
        col[k] = -1;
    for (k = 0; k < nf && k < MAX_FIELDS; k++) {
        fwd_method cm = hm;
        int kind;

        normalise_name(f[k], name, sizeof name);
        kind = column_kind(name, &cm);
        if (kind < 0 || col[kind] >= 0)
            continue;
        if (kind == COL_X || kind == COL_FREQ || kind == COL_MN2 || kind == COL_PHASE)
            hm = cm;
        if (kind == COL_X)
            xm = cm;
        if (kind == COL_FREQ)
            fm = cm;
        col[kind] = (int)k;
    }
    if (col[COL_FREQ] >= 0 && col[COL_X] < 0)
        col[COL_X] = col[COL_FREQ];
    else
        col[COL_FREQ] = -1;
    return col[COL_FREQ] >= 0 ? fm : col[COL_X] >= 0 ? xm : hm;
}

/* The columns method m needs are all there. */
static int
complete(const int *col, fwd_method m)
{
    return col[COL_X] >= 0 && col[COL_RHO] >= 0 && (m != FWD_MT || col[COL_PHASE] >= 0);
}

/* The fields f[0..nf) joined by ", " into buf (cut short at cap, with "..."), for a message. */
static const char *
join_fields(char *buf, size_t cap, char *const *f, size_t nf)
{
    size_t k, len = 0;
    int n;

    buf[0] = '\0';
    for (k = 0; k < nf; k++) {
        n = snprintf(buf + len, cap - len, "%s%s", k > 0 ? ", " : "", f[k]);
        if (n < 0 || (size_t)n >= cap - len) {
            if (cap > 4)
                strcpy(buf + cap - 4, "...");
            break;
        }
        len += (size_t)n;
    }
    return buf;
}

static fwd_sounding *
read_text(const char *path, FILE *fp, fwd_method expect, fwd_error *err)
{
    char *buf = NULL, *f[MAX_FIELDS], comment[1024] = "";
    int col[COL_N], header = 0, c;
    size_t lineno = 0, nf, k, cap = 64, need = 0, bufcap = 0, comment_line = 0, nf0 = 0;
    ssize_t len;
    fwd_method m = expect, hm = expect;
    fwd_sounding *s = NULL;
    const char *colname[COL_N] = {
        fwd_method_xname(expect), "mn2_m",        "rho_a_ohmm", "phase_deg",
        "sd_log10_rho_a",         "sd_phase_deg", "freq_hz"};

    for (k = 0; k < COL_N; k++)
        col[k] = -1;
    errno = 0;
    while ((len = getline(&buf, &bufcap, fp)) >= 0) {
        char *hash;

        lineno++;
        if (len > FWD_SOUNDING_MAX_LINE) {
            fwd_fail(err, FWD_EFORMAT, "%s:%zu: expected a line of at most %d bytes, got %zd bytes",
                     path, lineno, FWD_SOUNDING_MAX_LINE, len);
            goto fail;
        }
        if (memchr(buf, '\0', (size_t)len) != NULL) {
            fwd_fail(err, FWD_EFORMAT, "%s:%zu: expected text, got a NUL byte (a binary file?)",
                     path, lineno);
            goto fail;
        }
        if ((hash = strchr(buf, '#')) != NULL) {
            char *q = buf;

            while (q < hash && (*q == ' ' || *q == '\t'))
                q++;
            if (q == hash && s == NULL && !header) {
                /* a whole-line comment before the data: maybe the column names */
                snprintf(comment, sizeof comment, "%s", hash + 1);
                comment_line = lineno;
                comment[strcspn(comment, "\r\n")] = '\0';
            }
            *hash = '\0';
        }
        buf[strcspn(buf, "\n")] = '\0';
        nf = split(buf, f, MAX_FIELDS);
        if (nf == 0)
            continue;
        if (s == NULL && !header) {
            double v;

            if (!parse_number(f[0], &v)) {
                /* a header row: columns by name */
                hm = header_columns(f, nf, expect, col);
                header = 1;
                if (hm != expect) {
                    fwd_fail(err, FWD_EINVAL,
                             "%s:%zu: columns: this is %s %s sounding (its header names %s "
                             "columns), expected %s",
                             path, lineno, fwd_method_article(hm), fwd_method_name(hm),
                             fwd_method_name(hm), fwd_method_name(expect));
                    goto fail;
                }
                if (!complete(col, m)) {
                    char got[160], miss[64] = "";

                    if (col[COL_X] < 0)
                        strcat(miss, m == FWD_MT       ? ", period_s"
                                     : m == FWD_WENNER ? ", a_m"
                                                       : ", ab2_m");
                    if (col[COL_RHO] < 0)
                        strcat(miss, ", rho_a_ohmm");
                    if (m == FWD_MT && col[COL_PHASE] < 0)
                        strcat(miss, ", phase_deg");
                    fwd_fail(err, FWD_EFORMAT,
                             "%s:%zu: header: expected columns %s, rho_a_ohmm%s; got \"%s\", "
                             "without %s",
                             path, lineno,
                             m == FWD_MT ? "period_s (or freq_hz)" : fwd_method_xname(m),
                             m == FWD_MT ? ", phase_deg" : "", join_fields(got, sizeof got, f, nf),
                             miss + 2);
                    goto fail;
                }
                continue;
            }
            /* the comment line just above the first row, if it names the columns (as the
             * files of docs/examples do: "# period_s rho_a_ohmm phase_deg ...") */
            if (comment[0] != '\0') {
                char *cf[MAX_FIELDS];
                size_t cn = split(comment, cf, MAX_FIELDS);
                int ccol[COL_N];

                fwd_method cm = cn > 0 ? header_columns(cf, cn, expect, ccol) : expect;

                if (cn > 0 && cm == expect && complete(ccol, m)) {
                    memcpy(col, ccol, sizeof col);
                    header = 1;
                } else if (cn > 0 && cm != expect && complete(ccol, cm)) {
                    fwd_fail(err, FWD_EINVAL,
                             "%s:%zu: columns: this is %s %s sounding (the comment above its "
                             "first reading names %s columns), expected %s",
                             path, comment_line, fwd_method_article(cm), fwd_method_name(cm),
                             fwd_method_name(cm), fwd_method_name(expect));
                    goto fail;
                }
            }
        }
        if (s == NULL && !header) {
            /* no header: the columns of the method, by position */
            col[COL_X] = 0;
            if (m == FWD_SCHLUMBERGER && nf >= 3) {
                col[COL_MN2] = 1;
                col[COL_RHO] = 2;
            } else {
                col[COL_RHO] = 1;
            }
            if (m == FWD_MT)
                col[COL_PHASE] = 2;
        }
        if (s == NULL) {
            /* a header may also name another method's columns (a DC file with IP phases):
             * they are extra columns, and the sounding has no array for them */
            if (m != FWD_MT)
                col[COL_PHASE] = col[COL_SDP] = -1;
            if (m != FWD_SCHLUMBERGER)
                col[COL_MN2] = -1;
            s = sounding_new(path, m, cap, col[COL_MN2] >= 0, col[COL_SDL] >= 0, col[COL_SDP] >= 0);
            if (s == NULL) {
                fwd_fail(err, FWD_ENOMEM, "%s: out of memory", path);
                goto fail;
            }
            for (k = 0; k < COL_N; k++)
                if (col[k] >= 0 && (size_t)col[k] + 1 > need)
                    need = (size_t)col[k] + 1;
            if (col[COL_FREQ] >= 0)
                colname[COL_X] = colname[COL_FREQ];
        }
        if (nf0 == 0)
            nf0 = nf;
        if (!header && nf0 < need) { /* the first reading itself lacks a column */
            fwd_fail(err, FWD_EFORMAT,
                     "%s:%zu: expected %zu fields (%s %s sounding without a header), got %zu", path,
                     lineno, need, fwd_method_article(m), fwd_method_name(m), nf);
            goto fail;
        }
        if (nf < need || (!header && nf != nf0)) {
            fwd_fail(err, FWD_EFORMAT, "%s:%zu: expected %zu fields%s, got %zu", path, lineno,
                     header ? need : nf0, header ? "" : " (as the first reading)", nf);
            goto fail;
        }
        if (s->n == cap) {
            if (cap >= FWD_MAX_POINTS) {
                fwd_fail(err, FWD_EFORMAT, "%s:%zu: expected at most %d points", path, lineno,
                         FWD_MAX_POINTS);
                goto fail;
            }
            if (sounding_grow(s, 2 * cap) != 0) {
                fwd_fail(err, FWD_ENOMEM, "%s: out of memory", path);
                goto fail;
            }
            cap *= 2;
        }
        for (c = 0; c < COL_N; c++) {
            double v;
            int positive = c != COL_PHASE;

            if (col[c] < 0 || c == COL_FREQ)
                continue;
            if (!parse_number(f[col[c]], &v) || (positive && v <= 0)) {
                fwd_fail(err, FWD_EFORMAT, "%s:%zu: %s: expected a finite number%s, got \"%s\"",
                         path, lineno, colname[c], positive ? " > 0" : "", f[col[c]]);
                goto fail;
            }
            switch (c) {
            case COL_X:
                s->x[s->n] = col[COL_FREQ] >= 0 ? 1 / v : v;
                break;
            case COL_MN2:
                s->mn2[s->n] = v;
                break;
            case COL_RHO:
                s->rho_a[s->n] = v;
                break;
            case COL_PHASE:
                if (v < -180 || v > 180) {
                    fwd_fail(err, FWD_EFORMAT,
                             "%s:%zu: phase_deg: expected degrees in [-180, 180], got \"%s\"", path,
                             lineno, f[col[c]]);
                    goto fail;
                }
                /* a yx phase given in the third quadrant is brought to the first */
                s->phase[s->n] = v < -90 ? v + 180 : v;
                break;
            case COL_SDL:
                s->sd_log10[s->n] = v;
                break;
            case COL_SDP:
                s->sd_phase[s->n] = v;
                break;
            }
        }
        if (s->mn2 != NULL && s->mn2[s->n] >= s->x[s->n]) {
            fwd_fail(err, FWD_EFORMAT, "%s:%zu: mn2_m: expected less than AB/2 = %g m, got %g",
                     path, lineno, s->x[s->n], s->mn2[s->n]);
            goto fail;
        }
        s->line[s->n++] = lineno;
    }
    if (ferror(fp) || (errno == ENOMEM && !feof(fp))) {
        fwd_fail(err, FWD_EIO, "%s: read error", path);
        goto fail;
    }
    if (s == NULL) {
        fwd_fail(err, FWD_EFORMAT, "%s: expected at least %d points, got none%s", path,
                 FWD_SOUNDING_MIN_POINTS, lineno == 0 ? " (an empty file)" : "");
        goto fail;
    }
    if (sort_and_check(s, err) != FWD_OK)
        goto fail;
    free(buf);
    return s;
fail:
    free(buf);
    fwd_sounding_free(s);
    return NULL;
}

/* ---- SEG EDI ---------------------------------------------------------------------------- */

struct edi_block {
    char name[32];
    size_t line; /* of the '>' line */
    size_t n;    /* values read */
    double *v;
};

struct edi {
    struct edi_block b[EDI_MAX_BLOCKS];
    size_t nb;
    double empty;
    char dataid[128];
};

static void
edi_free(struct edi *e)
{
    size_t k;

    for (k = 0; k < e->nb; k++)
        free(e->b[k].v);
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

/* A block of values: frequencies, impedances, apparent resistivities, phases, tippers,
 * rotations. */
static int
data_block(const char *name)
{
    return strncmp(name, "FREQ", 4) == 0 || name[0] == 'Z' || strncmp(name, "RHO", 3) == 0 ||
           strncmp(name, "PHS", 3) == 0 || name[0] == 'T' || strncmp(name, "ROT", 3) == 0;
}

/* Reads the blocks of an EDI file: every '>' line starts one; the numbers after it (until
 * the next '>') are its values; HEAD lines give DATAID and EMPTY. */
static int
edi_parse(const char *path, FILE *fp, struct edi *e, fwd_error *err)
{
    char *buf = NULL, *p, *end;
    size_t bufcap = 0, lineno = 0, cap = 0;
    struct edi_block *cur = NULL;
    int in_head = 0, rc = FWD_OK;
    ssize_t len;

    memset(e, 0, sizeof *e);
    e->empty = 1.0e32;
    while (rc == FWD_OK && (len = getline(&buf, &bufcap, fp)) >= 0) {
        lineno++;
        if (len > FWD_SOUNDING_MAX_LINE || memchr(buf, '\0', (size_t)len) != NULL) {
            rc = fwd_fail(err, FWD_EFORMAT, "%s:%zu: expected a text line of at most %d bytes",
                          path, lineno, FWD_SOUNDING_MAX_LINE);
            break;
        }
        p = buf;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '>') {
            size_t k = 0;

            p++;
            if (*p == '=')
                p++;
            if (e->nb == EDI_MAX_BLOCKS) {
                rc = fwd_fail(err, FWD_EFORMAT, "%s:%zu: expected at most %d blocks", path, lineno,
                              EDI_MAX_BLOCKS);
                break;
            }
            cur = &e->b[e->nb++];
            while (*p != '\0' && !isspace((unsigned char)*p) && k + 1 < sizeof cur->name)
                cur->name[k++] = (char)toupper((unsigned char)*p++);
            cur->name[k] = '\0';
            cur->line = lineno;
            cap = 0;
            if (data_block(cur->name) && edi_find(e, cur->name) != cur) {
                /* which of the two would be the data? */
                rc = fwd_fail(err, FWD_EFORMAT, "%s:%zu: block >%s: given twice (also on line %zu)",
                              path, lineno, cur->name, edi_find(e, cur->name)->line);
                break;
            }
            in_head = strcmp(cur->name, "HEAD") == 0;
            continue;
        }
        if (cur == NULL || *p == '\0')
            continue;
        if (in_head) {
            char *eq = strchr(p, '=');

            if (eq != NULL && strncmp(p, "DATAID", 6) == 0) {
                char *v = eq + 1;

                while (*v == ' ' || *v == '"')
                    v++;
                snprintf(e->dataid, sizeof e->dataid, "%s", v);
                e->dataid[strcspn(e->dataid, "\"\r\n")] = '\0';
            } else if (eq != NULL && strncmp(p, "EMPTY", 5) == 0) {
                double v = strtod(eq + 1, &end);

                if (end != eq + 1 && isfinite(v) && v > 0)
                    e->empty = v;
            }
            continue;
        }
        /* numbers of a data block; the text of other blocks (INFO, MTSECT, ...) is not
         * ours to read */
        if (!data_block(cur->name))
            continue;
        while (*p != '\0') {
            double v;

            while (isspace((unsigned char)*p))
                p++;
            if (*p == '\0')
                break;
            errno = 0;
            v = strtod(p, &end);
            if (end == p || (!isspace((unsigned char)*end) && *end != '\0') || !isfinite(v)) {
                char tok[32];
                size_t t = strcspn(p, " \t\r\n");

                snprintf(tok, sizeof tok, "%.*s", (int)(t < 31 ? t : 31), p);
                rc = fwd_fail(err, FWD_EFORMAT, "%s:%zu: %s: expected a number, got \"%s\"", path,
                              lineno, cur->name, tok);
                break;
            }
            if (cur->n == cap) {
                double *nv;

                if (cap >= FWD_MAX_POINTS) {
                    rc = fwd_fail(err, FWD_EFORMAT, "%s:%zu: %s: expected at most %d values", path,
                                  lineno, cur->name, FWD_MAX_POINTS);
                    break;
                }
                cap = cap ? 2 * cap : 64;
                nv = realloc(cur->v, cap * sizeof *nv);
                if (nv == NULL) {
                    rc = fwd_fail(err, FWD_ENOMEM, "%s: out of memory", path);
                    break;
                }
                cur->v = nv;
            }
            cur->v[cur->n++] = v;
            p = end;
        }
    }
    free(buf);
    if (rc == FWD_OK && ferror(fp))
        rc = fwd_fail(err, FWD_EIO, "%s: read error", path);
    return rc;
}

/* A block that must be there with nf values. */
static const struct edi_block *
edi_need(const struct edi *e, const char *path, const char *name, size_t nf, fwd_error *err)
{
    const struct edi_block *b = edi_find(e, name);

    if (b == NULL)
        fwd_fail(err, FWD_EFORMAT, "%s: block >%s: missing", path, name);
    else if (b->n != nf) {
        fwd_fail(err, FWD_EFORMAT, "%s:%zu: %s: expected %zu values (one per frequency), got %zu",
                 path, b->line, name, nf, b->n);
        b = NULL;
    }
    return b;
}

/* An optional block: NULL when absent or of another length. */
static const double *
edi_opt(const struct edi *e, const char *name, size_t nf)
{
    const struct edi_block *b = edi_find(e, name);

    return b != NULL && b->n == nf ? b->v : NULL;
}

static fwd_sounding *
read_edi(const char *path, FILE *fp, fwd_component comp, fwd_error *err)
{
    static const char *zn[8] = {"ZXXR", "ZXXI", "ZXYR", "ZXYI", "ZYXR", "ZYXI", "ZYYR", "ZYYI"};
    struct edi e;
    const struct edi_block *fb, *zb[8] = {NULL};
    const double *var_xy, *var_yx, *rho[2] = {NULL}, *phs[2] = {NULL}, *rerr[2] = {NULL},
                                   *perr[2] = {NULL};
    fwd_sounding *s = NULL;
    size_t nf, i, k;
    int use_z, has_diag, has_err;

    if (edi_parse(path, fp, &e, err) != FWD_OK)
        goto fail;
    fb = edi_find(&e, "FREQ");
    if (fb == NULL || fb->n == 0) {
        fwd_fail(err, FWD_EFORMAT, "%s: block >FREQ: expected the frequencies (Hz), got %s", path,
                 fb == NULL ? "no such block" : "no values");
        goto fail;
    }
    nf = fb->n;
    use_z = edi_find(&e, "ZXYR") != NULL;
    if (use_z) {
        for (k = 2; k < 6; k++)
            if ((zb[k] = edi_need(&e, path, zn[k], nf, err)) == NULL)
                goto fail;
        zb[0] = edi_find(&e, "ZXXR");
        has_diag = 1;
        for (k = 0; k < 8; k += 2 + 4 * (k == 0)) {
            zb[k] = edi_find(&e, zn[k]);
            zb[k + 1] = edi_find(&e, zn[k + 1]);
            if (zb[k] == NULL || zb[k + 1] == NULL || zb[k]->n != nf || zb[k + 1]->n != nf)
                has_diag = 0;
        }
        var_xy = edi_opt(&e, "ZXY.VAR", nf);
        var_yx = edi_opt(&e, "ZYX.VAR", nf);
        has_err = comp == FWD_COMP_XY   ? var_xy != NULL
                  : comp == FWD_COMP_YX ? var_yx != NULL
                                        : var_xy != NULL && var_yx != NULL;
    } else {
        static const char *rn[2] = {"RHOXY", "RHOYX"}, *pn[2] = {"PHSXY", "PHSYX"},
                          *ren[2] = {"RHOXY.ERR", "RHOYX.ERR"},
                          *pen[2] = {"PHSXY.ERR", "PHSYX.ERR"};
        const struct edi_block *b;

        has_diag = 0;
        var_xy = var_yx = NULL;
        has_err = 1;
        for (k = 0; k < 2; k++) {
            if ((comp == FWD_COMP_XY && k == 1) || (comp == FWD_COMP_YX && k == 0))
                continue;
            if (edi_find(&e, rn[k]) == NULL) {
                fwd_fail(err, FWD_EFORMAT,
                         "%s: expected impedance blocks (>ZXYR ...) or apparent resistivity "
                         "blocks (>%s, >%s), got neither",
                         path, rn[k], pn[k]);
                goto fail;
            }
            if ((b = edi_need(&e, path, rn[k], nf, err)) == NULL)
                goto fail;
            rho[k] = b->v;
            if ((b = edi_need(&e, path, pn[k], nf, err)) == NULL)
                goto fail;
            phs[k] = b->v;
            rerr[k] = edi_opt(&e, ren[k], nf);
            perr[k] = edi_opt(&e, pen[k], nf);
            has_err = has_err && rerr[k] != NULL && perr[k] != NULL;
        }
    }
    s = sounding_new(path, FWD_MT, nf, 0, has_err, has_err);
    if (s == NULL) {
        fwd_fail(err, FWD_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    if (e.dataid[0] != '\0')
        snprintf(s->name, sizeof s->name, "%s", e.dataid);
    for (i = 0; i < nf; i++) {
        double f = fb->v[i], T, r, ph, rel = 0, big = 0.99 * e.empty;
        int skip = f >= big;

        if (!(f > 0)) {
            fwd_fail(err, FWD_EFORMAT, "%s:%zu: FREQ: expected frequencies > 0 Hz, got %g", path,
                     fb->line, f);
            goto fail;
        }

        if (use_z) {
            double complex zxy, zyx, z;

            for (k = 0; k < 8; k++)
                if (zb[k] != NULL && (k >= 2 && k < 6 ? 1 : has_diag) && fabs(zb[k]->v[i]) >= big)
                    skip = 1;
            if (skip)
                continue;
            zxy = zb[2]->v[i] + I * zb[3]->v[i];
            zyx = zb[4]->v[i] + I * zb[5]->v[i];
            if (comp == FWD_COMP_XY)
                z = zxy;
            else if (comp == FWD_COMP_YX)
                z = -zyx; /* the yx impedance lies in the third quadrant */
            else {
                double complex zxx = has_diag ? zb[0]->v[i] + I * zb[1]->v[i] : 0;
                double complex zyy = has_diag ? zb[6]->v[i] + I * zb[7]->v[i] : 0;

                z = csqrt(zxx * zyy - zxy * zyx);
            }
            if (!(cabs(z) > 0)) {
                fwd_fail(err, FWD_EFORMAT,
                         "%s:%zu: ZXYR ...: expected a non-zero impedance at %g Hz, got 0", path,
                         zb[2]->line, f);
                goto fail;
            }
            T = 1 / f;
            /* field units (mV/km)/nT: rho_a = 0.2 T |Z|^2 ohm-m */
            r = 0.2 * T * cabs(z) * cabs(z);
            ph = carg(z) * 180 / FWD_PI;
            if (has_err) {
                double rx = var_xy != NULL ? sqrt(fabs(var_xy[i])) / cabs(zxy) : 0;
                double ry = var_yx != NULL ? sqrt(fabs(var_yx[i])) / cabs(zyx) : 0;

                rel = comp == FWD_COMP_XY ? rx : comp == FWD_COMP_YX ? ry : 0.5 * (rx + ry);
            }
        } else {
            double rr[2] = {0, 0}, pp[2] = {0, 0};
            int have = 0;

            for (k = 0; k < 2; k++) {
                if (rho[k] == NULL)
                    continue;
                if (!(rho[k][i] > 0) || rho[k][i] >= big || fabs(phs[k][i]) >= big)
                    skip = 1;
                rr[k] = rho[k][i];
                pp[k] = phs[k][i];
                /* a yx phase given in the third quadrant is brought to the first */
                if (k == 1 && pp[k] < -90)
                    pp[k] += 180;
                have++;
            }
            if (skip)
                continue;
            T = 1 / f;
            r = have == 2 ? sqrt(rr[0] * rr[1]) : rr[0] + rr[1];
            ph = have == 2 ? 0.5 * (pp[0] + pp[1]) : pp[0] + pp[1];
            if (has_err) {
                double re = 0;

                for (k = 0; k < 2; k++)
                    if (rho[k] != NULL)
                        re += rerr[k][i] / rr[k] / have; /* relative error of rho_a */
                s->sd_log10[s->n] = re / log(10.0);
                s->sd_phase[s->n] = (perr[0] != NULL && rho[0] != NULL ? perr[0][i] : 0) / have +
                                    (perr[1] != NULL && rho[1] != NULL ? perr[1][i] : 0) / have;
            }
        }
        if (!isfinite(r) || !(r > 0) || !isfinite(ph)) {
            fwd_fail(err, FWD_EFORMAT, "%s: frequency %g Hz: no finite apparent resistivity", path,
                     f);
            goto fail;
        }
        s->x[s->n] = T;
        s->rho_a[s->n] = r;
        s->phase[s->n] = ph;
        if (use_z && has_err) {
            /* rho_a ~ |Z|^2: relative error 2 rel; phase error asin(rel) ~ rel radians */
            s->sd_log10[s->n] = 2 * rel / log(10.0);
            s->sd_phase[s->n] = (rel < 1 ? asin(rel) : FWD_PI / 2) * 180 / FWD_PI;
        }
        s->line[s->n] = fb->line;
        s->n++;
    }
    if (has_err)
        for (i = 0; i < s->n; i++)
            if (!(s->sd_log10[i] > 0) || !(s->sd_phase[i] > 0)) {
                /* errors of zero say nothing: drop them all rather than divide by them */
                free(s->sd_log10);
                free(s->sd_phase);
                s->sd_log10 = s->sd_phase = NULL;
                break;
            }
    if (sort_and_check(s, err) != FWD_OK)
        goto fail;
    edi_free(&e);
    return s;
fail:
    edi_free(&e);
    fwd_sounding_free(s);
    return NULL;
}

/* An EDI file: named *.edi, or its first non-blank characters are >HEAD. */
static int
is_edi(const char *path, const char *text)
{
    size_t n = strlen(path);

    if (n > 4 && (strcmp(path + n - 4, ".edi") == 0 || strcmp(path + n - 4, ".EDI") == 0))
        return 1;
    while (isspace((unsigned char)*text))
        text++;
    return strncmp(text, ">HEAD", 5) == 0;
}

/*
 * The whole file in memory (at most FWD_SOUNDING_MAX_BYTES; a pipe works too), without a
 * UTF-8 byte-order mark; *len its length. NULL with err set.
 */
static char *
slurp(const char *path, size_t *len, fwd_error *err)
{
    FILE *fp = fopen(path, "rb");
    size_t cap = 65536, n = 0;
    char *buf = NULL, *nb;

    if (fp == NULL) {
        fwd_fail(err, FWD_EIO, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if ((nb = realloc(buf, cap + 1)) == NULL) {
            fwd_fail(err, FWD_ENOMEM, "%s: out of memory", path);
            goto fail;
        }
        buf = nb;
        n += fread(buf + n, 1, cap - n, fp);
        if (n < cap)
            break;
        if (cap >= FWD_SOUNDING_MAX_BYTES) {
            fwd_fail(err, FWD_EFORMAT,
                     "%s: expected a sounding file of at most %d MiB, got a larger one", path,
                     FWD_SOUNDING_MAX_BYTES >> 20);
            goto fail;
        }
        cap = 2 * cap < FWD_SOUNDING_MAX_BYTES ? 2 * cap : FWD_SOUNDING_MAX_BYTES;
    }
    if (ferror(fp)) {
        fwd_fail(err, FWD_EIO, "%s: read error: %s", path, strerror(errno));
        goto fail;
    }
    fclose(fp);
    buf[n] = '\0';
    if (n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        memmove(buf, buf + 3, n - 2);
        n -= 3;
    }
    *len = n;
    return buf;
fail:
    fclose(fp);
    free(buf);
    return NULL;
}

fwd_sounding *
fwd_sounding_read(const char *path, fwd_method expect, fwd_component comp, fwd_error *err)
{
    size_t len;
    char *text = slurp(path, &len, err), *nul;
    fwd_sounding *s = NULL;
    FILE *fp;

    if (text == NULL)
        return NULL;
    if (len == 0) {
        fwd_fail(err, FWD_EFORMAT, "%s: expected at least %d points, got none (an empty file)",
                 path, FWD_SOUNDING_MIN_POINTS);
        free(text);
        return NULL;
    }
    if ((nul = memchr(text, '\0', len)) != NULL) {
        /* a binary file: said before any of its bytes are quoted as a header or a value */
        size_t line = 1;
        const char *q;

        for (q = text; q < nul; q++)
            line += *q == '\n';
        fwd_fail(err, FWD_EFORMAT, "%s:%zu: expected text, got a NUL byte (a binary file?)", path,
                 line);
        free(text);
        return NULL;
    }
    fp = fmemopen(text, len, "r");
    if (fp == NULL) {
        fwd_fail(err, FWD_ENOMEM, "%s: out of memory", path);
    } else if (is_edi(path, text)) {
        if (expect != FWD_MT)
            fwd_fail(err, FWD_EINVAL,
                     "%s: this is an EDI (magnetotelluric) file, expected %s %s sounding", path,
                     fwd_method_article(expect), fwd_method_name(expect));
        else
            s = read_edi(path, fp, comp, err);
    } else {
        s = read_text(path, fp, expect, err);
    }
    if (fp != NULL)
        fclose(fp);
    free(text);
    return s;
}

fwd_geom *
fwd_sounding_geom(const fwd_sounding *s, fwd_error *err)
{
    return fwd_geom_alloc(s->method, s->n, s->x, s->mn2, err);
}
