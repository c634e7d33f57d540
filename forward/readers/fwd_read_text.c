/* SPDX-License-Identifier: MIT */
/*
 * fwd_read_text.c - delimited text soundings (docs/formats.md, "Sounding text files").
 *
 * The columns are named by a header row, or by a whole-line comment just above the first
 * reading; without either they are the method's columns by position (x, MN/2 when given,
 * then the method's values). The x column names of each method come from its table entry
 * (fwd_method.h); the value columns are those below.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward/readers/fwd_readers_internal.h"

/* The columns a sounding can use; COL_FREQ holds 1 / x (MT frequencies). */
enum { COL_X, COL_MN2, COL_RHO, COL_PHASE, COL_SDL, COL_SDP, COL_FREQ, COL_N };

/* Most fields of a line that are looked at. */
#define MAX_FIELDS 64

/* The column of each value kind (fwd_value_kind) and of its standard error. */
static const struct {
    int col, sd;
} value_cols[] = {[FWD_VALUE_RHO_A] = {COL_RHO, COL_SDL}, [FWD_VALUE_PHASE] = {COL_PHASE, COL_SDP}};

#define N_VALUE_KINDS (sizeof value_cols / sizeof value_cols[0])

/* Whether a sounding of method mi has a column of kind `kind` (x: always). */
static int
has_column(const fwd_method_info *mi, int kind)
{
    size_t v;

    if (kind == COL_MN2)
        return mi->has_mn2;
    if (kind == COL_FREQ)
        return mi->x_recip_aliases != NULL;
    for (v = 0; v < N_VALUE_KINDS; v++)
        if (kind == value_cols[v].col || kind == value_cols[v].sd)
            return fwd_method_value_index(mi->method, (fwd_value_kind)v) >= 0;
    return 1;
}

/* The one method that has a column of kind `kind` (MN/2: Schlumberger; a phase: MT); -1
 * when several have it. */
static int
column_method(int kind)
{
    int m, found = -1;

    for (m = 0; m < FWD_N_METHODS; m++)
        if (has_column(fwd_method_get((fwd_method)m), kind)) {
            if (found >= 0)
                return -1;
            found = m;
        }
    return found;
}

/* The recognised column names (lower case, units in parentheses dropped): the methods' x
 * columns, then these. A column that only one method has sets *m to it. */
static int
column_kind(const char *name, fwd_method *m)
{
    static const struct {
        const char *name;
        int kind;
    } names[] = {{"mn2", COL_MN2},     {"mn2_m", COL_MN2},          {"mn/2", COL_MN2},
                 {"rho_a", COL_RHO},   {"rho_a_ohmm", COL_RHO},     {"rhoa", COL_RHO},
                 {"app_res", COL_RHO}, {"phase", COL_PHASE},        {"phase_deg", COL_PHASE},
                 {"phi", COL_PHASE},   {"sd_log10_rho_a", COL_SDL}, {"sd_phase_deg", COL_SDP}};
    const char *const *a;
    size_t k;
    int only;

    for (k = 0; k < FWD_N_METHODS; k++) {
        const fwd_method_info *mi = fwd_method_get((fwd_method)k);

        for (a = mi->x_aliases; *a != NULL; a++)
            if (strcmp(name, *a) == 0) {
                *m = mi->method;
                return COL_X;
            }
        for (a = mi->x_recip_aliases; a != NULL && *a != NULL; a++)
            if (strcmp(name, *a) == 0) {
                *m = mi->method;
                return COL_FREQ;
            }
    }
    for (k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(name, names[k].name) == 0) {
            only = column_method(names[k].kind);
            if (only >= 0)
                *m = (fwd_method)only;
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

/* The columns method m needs are all there: x and each of its values. */
static int
complete(const int *col, fwd_method m)
{
    const fwd_method_info *mi = fwd_method_get(m);
    size_t k;

    if (col[COL_X] < 0)
        return 0;
    for (k = 0; k < mi->nvalues; k++)
        if (col[value_cols[mi->values[k]->kind].col] < 0)
            return 0;
    return 1;
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

/* Appends a then b to the string in buf (cap bytes), cut short to fit. */
static void
append(char *buf, size_t cap, const char *a, const char *b)
{
    size_t len = strlen(buf);

    snprintf(buf + len, cap - len, "%s%s", a, b);
}

/* A text file being read. */
struct text {
    const char *path;
    fwd_method m; /* the method expected */
    const fwd_method_info *mi;
    int col[COL_N];             /* field of each column; -1: none */
    const char *colname[COL_N]; /* the columns' names in messages */
    int header;                 /* the columns are named (a header row or comment) */
    char comment[1024];         /* the last whole-line comment before the data */
    size_t comment_line;        /* its line */
    size_t lineno, need, nf0;   /* line; fields needed; fields of the first reading */
    size_t cap;                 /* room in s */
    fwd_sounding *s;            /* made at the first reading */
};

static void
text_init(struct text *t, const char *path, fwd_method expect)
{
    size_t k;

    memset(t, 0, sizeof *t);
    t->path = path;
    t->m = expect;
    t->mi = fwd_method_get(expect);
    t->cap = 64;
    for (k = 0; k < COL_N; k++) {
        t->col[k] = -1;
        t->colname[k] = "";
    }
    t->colname[COL_X] = t->mi->x_column;
    t->colname[COL_MN2] = "mn2_m";
    if (t->mi->x_recip_column != NULL)
        t->colname[COL_FREQ] = t->mi->x_recip_column;
    for (k = 0; k < t->mi->nvalues; k++) {
        const fwd_value_info *v = t->mi->values[k];

        t->colname[value_cols[v->kind].col] = v->column;
        t->colname[value_cols[v->kind].sd] = v->sd_column;
    }
}

/* Checks a line read (len bytes) and cuts off its comment; a whole-line comment before the
 * data is kept, as it may name the columns. */
static int
text_line(struct text *t, char *buf, ssize_t len, fwd_error *err)
{
    char *hash, *q;

    if (len > FWD_SOUNDING_MAX_LINE)
        return fwd_fail(err, FWD_EFORMAT,
                        "%s:%zu: expected a line of at most %d bytes, got %zd bytes", t->path,
                        t->lineno, FWD_SOUNDING_MAX_LINE, len);
    if (memchr(buf, '\0', (size_t)len) != NULL)
        return fwd_fail(err, FWD_EFORMAT, "%s:%zu: expected text, got a NUL byte (a binary file?)",
                        t->path, t->lineno);
    if ((hash = strchr(buf, '#')) != NULL) {
        q = buf;
        while (q < hash && (*q == ' ' || *q == '\t'))
            q++;
        if (q == hash && t->s == NULL && !t->header) {
            /* a whole-line comment before the data: maybe the column names */
            snprintf(t->comment, sizeof t->comment, "%s", hash + 1);
            t->comment_line = t->lineno;
            t->comment[strcspn(t->comment, "\r\n")] = '\0';
        }
        *hash = '\0';
    }
    buf[strcspn(buf, "\n")] = '\0';
    return FWD_OK;
}

/* A header row that lacks a column the method needs: says which. */
static int
header_incomplete(const struct text *t, char **f, size_t nf, fwd_error *err)
{
    const fwd_method_info *mi = t->mi;
    char got[160], miss[64] = "", want[128] = "";
    size_t k;

    append(want, sizeof want, "", mi->x_column);
    if (mi->x_recip_column != NULL) {
        append(want, sizeof want, " (or ", mi->x_recip_column);
        append(want, sizeof want, ")", "");
    }
    if (t->col[COL_X] < 0)
        append(miss, sizeof miss, ", ", mi->x_column);
    for (k = 0; k < mi->nvalues; k++) {
        append(want, sizeof want, ", ", mi->values[k]->column);
        if (t->col[value_cols[mi->values[k]->kind].col] < 0)
            append(miss, sizeof miss, ", ", mi->values[k]->column);
    }
    return fwd_fail(err, FWD_EFORMAT, "%s:%zu: header: expected columns %s; got \"%s\", without %s",
                    t->path, t->lineno, want, join_fields(got, sizeof got, f, nf), miss + 2);
}

/* A header row: the columns by name. */
static int
header_row(struct text *t, char **f, size_t nf, fwd_error *err)
{
    fwd_method hm = header_columns(f, nf, t->m, t->col);

    t->header = 1;
    if (hm != t->m)
        return fwd_fail(err, FWD_EINVAL,
                        "%s:%zu: columns: this is %s %s sounding (its header names %s "
                        "columns), expected %s",
                        t->path, t->lineno, fwd_method_article(hm), fwd_method_name(hm),
                        fwd_method_name(hm), fwd_method_name(t->m));
    if (!complete(t->col, t->m))
        return header_incomplete(t, f, nf, err);
    return FWD_OK;
}

/*
 * The comment line just above the first reading, if it names the columns (as the files of
 * docs/examples do: "# period_s rho_a_ohmm phase_deg ..."): they are the columns, unless
 * they are another method's.
 */
static int
comment_header(struct text *t, fwd_error *err)
{
    char *cf[MAX_FIELDS];
    size_t cn = split(t->comment, cf, MAX_FIELDS);
    int ccol[COL_N];
    fwd_method cm = cn > 0 ? header_columns(cf, cn, t->m, ccol) : t->m;

    if (cn > 0 && cm == t->m && complete(ccol, t->m)) {
        memcpy(t->col, ccol, sizeof t->col);
        t->header = 1;
    } else if (cn > 0 && cm != t->m && complete(ccol, cm)) {
        return fwd_fail(err, FWD_EINVAL,
                        "%s:%zu: columns: this is %s %s sounding (the comment above its "
                        "first reading names %s columns), expected %s",
                        t->path, t->comment_line, fwd_method_article(cm), fwd_method_name(cm),
                        fwd_method_name(cm), fwd_method_name(t->m));
    }
    return FWD_OK;
}

/* No header: the columns of the method, by position: x, MN/2 when the reading has room for
 * it, then the method's values. */
static void
default_columns(struct text *t, size_t nf)
{
    const fwd_method_info *mi = t->mi;
    size_t k, first = 1;

    t->col[COL_X] = 0;
    if (mi->has_mn2 && nf >= mi->nvalues + 2) {
        t->col[COL_MN2] = 1;
        first = 2;
    }
    for (k = 0; k < mi->nvalues; k++)
        t->col[value_cols[mi->values[k]->kind].col] = (int)(first + k);
}

/* At the first reading: makes the sounding for the columns found. */
static int
start_sounding(struct text *t, fwd_error *err)
{
    int k;

    /* a header may also name another method's columns (a DC file with IP phases): they are
     * extra columns, and the sounding has no array for them */
    for (k = 0; k < COL_N; k++)
        if (k != COL_X && k != COL_FREQ && !has_column(t->mi, k))
            t->col[k] = -1;
    t->s = fwd_sounding_make(t->path, t->m, t->cap, t->col[COL_MN2] >= 0, t->col[COL_SDL] >= 0,
                             t->col[COL_SDP] >= 0);
    if (t->s == NULL)
        return fwd_fail(err, FWD_ENOMEM, "%s: out of memory", t->path);
    for (k = 0; k < COL_N; k++)
        if (t->col[k] >= 0 && (size_t)t->col[k] + 1 > t->need)
            t->need = (size_t)t->col[k] + 1;
    if (t->col[COL_FREQ] >= 0)
        t->colname[COL_X] = t->colname[COL_FREQ];
    return FWD_OK;
}

/* A reading has the fields it needs, and the sounding room for it. */
static int
check_fields(struct text *t, size_t nf, fwd_error *err)
{
    if (!t->header && t->nf0 < t->need) /* the first reading itself lacks a column */
        return fwd_fail(err, FWD_EFORMAT,
                        "%s:%zu: expected %zu fields (%s %s sounding without a header), got %zu",
                        t->path, t->lineno, t->need, fwd_method_article(t->m),
                        fwd_method_name(t->m), nf);
    if (nf < t->need || (!t->header && nf != t->nf0))
        return fwd_fail(err, FWD_EFORMAT, "%s:%zu: expected %zu fields%s, got %zu", t->path,
                        t->lineno, t->header ? t->need : t->nf0,
                        t->header ? "" : " (as the first reading)", nf);
    if (t->s->n == t->cap) {
        if (t->cap >= FWD_MAX_POINTS)
            return fwd_fail(err, FWD_EFORMAT, "%s:%zu: expected at most %d points", t->path,
                            t->lineno, FWD_MAX_POINTS);
        if (fwd_sounding_grow(t->s, 2 * t->cap) != 0)
            return fwd_fail(err, FWD_ENOMEM, "%s: out of memory", t->path);
        t->cap *= 2;
    }
    return FWD_OK;
}

/* The values of one reading into the sounding. */
static int
read_row(struct text *t, char **f, fwd_error *err)
{
    fwd_sounding *s = t->s;
    int c;

    for (c = 0; c < COL_N; c++) {
        double v;
        int positive = c != COL_PHASE;

        if (t->col[c] < 0 || c == COL_FREQ)
            continue;
        if (!parse_number(f[t->col[c]], &v) || (positive && v <= 0))
            return fwd_fail(err, FWD_EFORMAT, "%s:%zu: %s: expected a finite number%s, got \"%s\"",
                            t->path, t->lineno, t->colname[c], positive ? " > 0" : "",
                            f[t->col[c]]);
        switch (c) {
        case COL_X:
            s->x[s->n] = t->col[COL_FREQ] >= 0 ? 1 / v : v;
            break;
        case COL_MN2:
            s->mn2[s->n] = v;
            break;
        case COL_RHO:
            s->rho_a[s->n] = v;
            break;
        case COL_PHASE:
            if (v < -180 || v > 180)
                return fwd_fail(err, FWD_EFORMAT,
                                "%s:%zu: phase_deg: expected degrees in [-180, 180], got \"%s\"",
                                t->path, t->lineno, f[t->col[c]]);
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
    if (s->mn2 != NULL && s->mn2[s->n] >= s->x[s->n])
        return fwd_fail(err, FWD_EFORMAT, "%s:%zu: mn2_m: expected less than AB/2 = %g m, got %g",
                        t->path, t->lineno, s->x[s->n], s->mn2[s->n]);
    s->line[s->n++] = t->lineno;
    return FWD_OK;
}

/* One line's fields f[0..nf), nf >= 1: a header row, or a reading (the first one settles the
 * columns and makes the sounding). */
static int
text_fields(struct text *t, char **f, size_t nf, fwd_error *err)
{
    double v;
    int rc;

    if (t->s == NULL && !t->header) {
        if (!parse_number(f[0], &v))
            return header_row(t, f, nf, err);
        if (t->comment[0] != '\0' && (rc = comment_header(t, err)) != FWD_OK)
            return rc;
    }
    if (t->s == NULL && !t->header)
        default_columns(t, nf);
    if (t->s == NULL && (rc = start_sounding(t, err)) != FWD_OK)
        return rc;
    if (t->nf0 == 0)
        t->nf0 = nf;
    rc = check_fields(t, nf, err);
    return rc != FWD_OK ? rc : read_row(t, f, err);
}

fwd_sounding *
fwd_read_text(const char *path, FILE *fp, fwd_method expect, fwd_error *err)
{
    struct text t;
    char *buf = NULL, *f[MAX_FIELDS];
    size_t bufcap = 0, nf;
    ssize_t len;
    int rc = FWD_OK;

    text_init(&t, path, expect);
    errno = 0;
    while (rc == FWD_OK && (len = getline(&buf, &bufcap, fp)) >= 0) {
        t.lineno++;
        rc = text_line(&t, buf, len, err);
        if (rc == FWD_OK && (nf = split(buf, f, MAX_FIELDS)) > 0)
            rc = text_fields(&t, f, nf, err);
    }
    if (rc == FWD_OK && (ferror(fp) || (errno == ENOMEM && !feof(fp))))
        rc = fwd_fail(err, FWD_EIO, "%s: read error", path);
    if (rc == FWD_OK && t.s == NULL)
        rc = fwd_fail(err, FWD_EFORMAT, "%s: expected at least %d points, got none%s", path,
                      FWD_SOUNDING_MIN_POINTS, t.lineno == 0 ? " (an empty file)" : "");
    if (rc == FWD_OK)
        rc = fwd_sounding_finish(t.s, err);
    free(buf);
    if (rc != FWD_OK) {
        fwd_sounding_free(t.s);
        return NULL;
    }
    return t.s;
}
