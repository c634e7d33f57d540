/* SPDX-License-Identifier: MIT */
/*
 * fwd_geom.c - survey geometries and the SPEC syntax.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward/base/fwd_io.h"
#include "forward/fwd_geom.h"
#include "forward/fwd_internal.h"

struct fwd_geom {
    fwd_method method;
    size_t n;
    double *x;
    double *mn2; /* NULL unless a finite-MN Schlumberger geometry */
};

fwd_geom *
fwd_geom_alloc(fwd_method m, size_t n, const double *x, const double *mn2, fwd_error *err)
{
    const fwd_method_info *mi = fwd_method_get(m);
    fwd_geom *g = NULL;
    char list[128];
    const char *xname;
    size_t i;

    if (mi == NULL) {
        fwd_error_set_field(err, FWD_EINVAL, FWD_FIELD_METHOD, "method: expected %s, got %d",
                            fwd_method_list(list, sizeof list), (int)m);
        return NULL;
    }
    xname = mi->x_column;
    if (n < 1 || n > FWD_MAX_POINTS || x == NULL) {
        fwd_error_set_field(err, FWD_EINVAL, mi->x_key, "%s: expected 1 to %d points, got %zu",
                            xname, FWD_MAX_POINTS, x == NULL ? (size_t)0 : n);
        return NULL;
    }
    if (mn2 != NULL && !mi->has_mn2) {
        fwd_error_set_field(err, FWD_EINVAL, FWD_FIELD_MN2,
                            "mn2_m: only a schlumberger geometry has MN/2, not %s", mi->name);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !(x[i] > 0)) {
            fwd_error_set_field(err, FWD_EINVAL, mi->x_key,
                                "%s: point %zu: expected finite > 0, got %g", xname, i + 1, x[i]);
            return NULL;
        }
        if (mn2 != NULL && (!isfinite(mn2[i]) || !(mn2[i] > 0) || !(mn2[i] < x[i]))) {
            fwd_error_set_field(err, FWD_EINVAL, FWD_FIELD_MN2,
                                "mn2_m: point %zu: expected finite > 0 and < AB/2 = %g m, got %g",
                                i + 1, x[i], mn2[i]);
            return NULL;
        }
        if (mn2 != NULL && mn2[i] < FWD_MN2_MIN_SHARE * x[i]) {
            fwd_error_set_field(err, FWD_EINVAL, FWD_FIELD_MN2,
                                "mn2_m: point %zu: expected at least %g x AB/2 = %g m (smaller is "
                                "the ideal array: give no MN/2), got %g",
                                i + 1, FWD_MN2_MIN_SHARE, FWD_MN2_MIN_SHARE * x[i], mn2[i]);
            return NULL;
        }
    }
    g = calloc(1, sizeof *g);
    if (g == NULL)
        goto nomem;
    g->method = m;
    g->n = n;
    g->x = malloc(n * sizeof *g->x);
    if (g->x == NULL)
        goto nomem;
    memcpy(g->x, x, n * sizeof *g->x);
    if (mn2 != NULL) {
        g->mn2 = malloc(n * sizeof *g->mn2);
        if (g->mn2 == NULL)
            goto nomem;
        memcpy(g->mn2, mn2, n * sizeof *g->mn2);
    }
    return g;

nomem:
    fwd_geom_free(g);
    fwd_fail(err, FWD_ENOMEM, "geometry: out of memory for %zu points", n);
    return NULL;
}

void
fwd_geom_free(fwd_geom *g)
{
    if (g == NULL)
        return;
    free(g->mn2);
    free(g->x);
    free(g);
}

fwd_method
fwd_geom_method(const fwd_geom *g)
{
    return g->method;
}

size_t
fwd_geom_size(const fwd_geom *g)
{
    return g->n;
}

size_t
fwd_geom_ndata(const fwd_geom *g)
{
    return fwd_method_ndata(g->method, g->n);
}

const double *
fwd_geom_x(const fwd_geom *g)
{
    return g->x;
}

const double *
fwd_geom_mn2(const fwd_geom *g)
{
    return g->mn2;
}

int
fwd_geom_equal(const fwd_geom *a, const fwd_geom *b)
{
    return a->method == b->method && a->n == b->n &&
           memcmp(a->x, b->x, a->n * sizeof(double)) == 0 && (a->mn2 == NULL) == (b->mn2 == NULL) &&
           (a->mn2 == NULL || memcmp(a->mn2, b->mn2, a->n * sizeof(double)) == 0);
}

/* Parses one positive finite number filling the whole of s; 0 on success. */
static int
parse_positive(const char *s, double *v)
{
    char *end = NULL;

    if (strpbrk(s, "xX") != NULL) /* not hexadecimal, which strtod reads */
        return -1;
    errno = 0;
    *v = fwd_strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(*v) || !(*v > 0))
        return -1;
    return 0;
}

/* Why tok is not a number > 0 where its form says (parse_positive failed), for a message:
 * " (a decimal comma: ...)", or "". */
static const char *
number_hint(const char *tok)
{
    char *end = NULL;
    double v;
    size_t a = strspn(tok, "0123456789"), b = 0;

    if (a > 0 && tok[a] == ',') /* digits, a comma, digits: written in a comma locale */
        b = strspn(tok + a + 1, "0123456789");

    if (b > 0 && tok[a + 1 + b] == '\0') /* 1,500: a thousand and a half, or 1.5 */
        return b == 3 ? " (a decimal comma or a thousands separator? write 1.5 or 1500)"
                      : " (a decimal comma: write it with a point)";
    errno = 0;
    v = fwd_strtod(tok, &end);
    if (end != tok && *end == '\0' && errno == ERANGE && v >= 0) /* -1e400: its sign */
        return v > 1 ? " (beyond the largest number, about 1.8e308)"
                     : " (below the least number > 0, about 2.2e-308)";
    if (end != tok && *end != '\0' && isalpha((unsigned char)end[strspn(end, " ")]) &&
        strpbrk(tok, "xX") == NULL && !((*end == 'e' || *end == 'E') && end[1] == '\0'))
        return " (the number alone, without a unit)";
    return "";
}

/* Appends v to a growing array. */
static int
push(double **a, size_t *n, size_t *cap, double v)
{
    double *t;
    size_t c;

    if (*n == *cap) {
        c = *cap ? 2 * *cap : 16;
        t = realloc(*a, c * sizeof *t);
        if (t == NULL)
            return -1;
        *a = t;
        *cap = c;
    }
    (*a)[(*n)++] = v;
    return 0;
}

/* Copies s without leading and trailing blanks into buf (size cap); -1 if too long. */
static int
trim_copy(char *buf, size_t cap, const char *s, size_t len)
{
    while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
        s++;
        len--;
    }
    while (len > 0 &&
           (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
        len--;
    if (len >= cap)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return 0;
}

/* Longest line of an @FILE list, bytes. */
#define SPEC_LINE_MAX 510

/* Line lineno of an @FILE list (NUL-terminated, without its end): its value, if any,
 * appended to values. */
static int
spec_line(const char *path, const char *name, size_t lineno, char *line, double **values, size_t *n,
          size_t *cap, fwd_error *err)
{
    char tok[SPEC_LINE_MAX + 1], *hash;
    double v;

    if (lineno == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0) /* a UTF-8 byte-order mark */
        line += 3;
    if ((hash = strchr(line, '#')) != NULL)
        *hash = '\0';
    if (trim_copy(tok, sizeof tok, line, strlen(line)) != 0 || tok[0] == '\0')
        return FWD_OK;
    if (parse_positive(tok, &v) != 0)
        return fwd_fail(err, FWD_EFORMAT, "%s:%zu: %s: expected a number > 0, got \"%s\"%s", path,
                        lineno, name, tok, number_hint(tok));
    if (*n >= FWD_MAX_POINTS)
        return fwd_fail(err, FWD_EFORMAT, "%s:%zu: %s: more than %d values", path, lineno, name,
                        FWD_MAX_POINTS);
    if (push(values, n, cap, v) != 0)
        return fwd_fail(err, FWD_ENOMEM, "%s: out of memory", name);
    return FWD_OK;
}

/* The values of an @FILE list: one a line (lines ended by LF, CRLF or a lone CR), '#'
 * comments; a NUL byte is an error, not the end of its line. Read a byte at a time, not by
 * fwd_read_line, which would hold a line whole: @/dev/zero is one endless line, refused
 * here at its first byte. */
static int
spec_file(const char *path, const char *name, double **values, size_t *n, fwd_error *err)
{
    char line[SPEC_LINE_MAX + 1];
    size_t lineno = 1, cap = 0, len = 0;
    int c, rc = FWD_OK;
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        return fwd_fail(err, FWD_EIO, "%s: cannot open \"%s\": %s", name, path, strerror(errno));
    while (rc == FWD_OK) {
        c = getc(f);
        if (c == '\0') {
            rc = fwd_fail(err, FWD_EFORMAT,
                          "%s:%zu: %s: expected text, got a NUL byte (a binary file?)", path,
                          lineno, name);
        } else if (c == EOF || c == '\n' || c == '\r') {
            line[len] = '\0';
            if ((rc = spec_line(path, name, lineno, line, values, n, &cap, err)) != FWD_OK ||
                c == EOF)
                break;
            if (c == '\r' && (c = getc(f)) != '\n' && c != EOF)
                ungetc(c, f);
            lineno++;
            len = 0;
        } else if (len == SPEC_LINE_MAX) {
            rc = fwd_fail(err, FWD_EFORMAT, "%s:%zu: %s: line longer than %d characters", path,
                          lineno, name, SPEC_LINE_MAX);
        } else {
            line[len++] = (char)c;
        }
    }
    if (rc == FWD_OK && ferror(f))
        rc = fwd_fail(err, FWD_EIO, "%s: error reading \"%s\"", name, path);
    else if (rc == FWD_OK && *n == 0)
        rc = fwd_fail(err, FWD_EFORMAT, "%s: \"%s\" holds no values", name, path);
    fclose(f);
    return rc;
}

static int
spec_range(const char *spec, const char *name, double **values, size_t *n, fwd_error *err)
{
    char part[3][128];
    const char *p = spec, *c;
    double start, stop, cnt;
    size_t k, i, count;
    char *end = NULL;
    long lc;

    for (k = 0; k < 3; k++) {
        c = (k < 2) ? strchr(p, ':') : p + strlen(p);
        if (c == NULL || trim_copy(part[k], sizeof part[k], p, (size_t)(c - p)) != 0)
            return fwd_fail(err, FWD_EINVAL, "%s: expected START:STOP:COUNT, got \"%s\"", name,
                            spec);
        p = c + 1;
    }
    if (strchr(part[2], ':') != NULL)
        return fwd_fail(err, FWD_EINVAL, "%s: expected START:STOP:COUNT, got \"%s\"", name, spec);
    if (parse_positive(part[0], &start) != 0)
        return fwd_fail(err, FWD_EINVAL, "%s: START: expected a number > 0, got \"%s\"", name,
                        part[0]);
    if (parse_positive(part[1], &stop) != 0)
        return fwd_fail(err, FWD_EINVAL, "%s: STOP: expected a number > 0, got \"%s\"", name,
                        part[1]);
    errno = 0;
    lc = strtol(part[2], &end, 10);
    if (end == part[2] || *end != '\0' || errno == ERANGE || lc < 1 || lc > FWD_MAX_POINTS)
        return fwd_fail(err, FWD_EINVAL, "%s: COUNT: expected an integer from 1 to %d, got \"%s\"",
                        name, FWD_MAX_POINTS, part[2]);
    count = (size_t)lc;
    if (count == 1 ? stop != start : !(stop > start))
        return fwd_fail(err, FWD_EINVAL,
                        "%s: expected STOP > START (or STOP == START with COUNT 1), got "
                        "\"%s\"",
                        name, spec);
    *values = malloc(count * sizeof **values);
    if (*values == NULL)
        return fwd_fail(err, FWD_ENOMEM, "%s: out of memory", name);
    cnt = (double)(count > 1 ? count - 1 : 1);
    /* in logarithms: stop / start may not be representable, the values are */
    for (i = 0; i < count; i++)
        (*values)[i] = exp(log(start) + (log(stop) - log(start)) * ((double)i / cnt));
    (*values)[0] = start;
    (*values)[count - 1] = stop;
    *n = count;
    return FWD_OK;
}

static int
spec_list(const char *spec, const char *name, double **values, size_t *n, fwd_error *err)
{
    char tok[128];
    const char *p = spec, *c;
    size_t cap = 0;
    double v;

    for (;;) {
        c = strchr(p, ',');
        if (c == NULL)
            c = p + strlen(p);
        if (trim_copy(tok, sizeof tok, p, (size_t)(c - p)) != 0)
            return fwd_fail(err, FWD_EINVAL,
                            "%s: value %zu: expected a number > 0, got %zu characters", name,
                            *n + 1, (size_t)(c - p));
        if (parse_positive(tok, &v) != 0)
            return fwd_fail(err, FWD_EINVAL, "%s: value %zu: expected a number > 0, got \"%s\"%s",
                            name, *n + 1, tok, number_hint(tok));
        if (*n >= FWD_MAX_POINTS)
            return fwd_fail(err, FWD_EINVAL, "%s: more than %d values", name, FWD_MAX_POINTS);
        if (push(values, n, &cap, v) != 0)
            return fwd_fail(err, FWD_ENOMEM, "%s: out of memory", name);
        if (*c == '\0')
            break;
        p = c + 1;
    }
    return FWD_OK;
}

int
fwd_spec_parse(const char *spec, const char *name, double **values, size_t *n, fwd_error *err)
{
    int rc;

    *values = NULL;
    *n = 0;
    if (name == NULL)
        name = "SPEC";
    if (spec == NULL || spec[0] == '\0')
        return fwd_fail(err, FWD_EINVAL, "%s: expected a list, START:STOP:COUNT or @FILE, got \"\"",
                        name);
    if (spec[0] == '@')
        rc = spec_file(spec + 1, name, values, n, err);
    else if (strchr(spec, ':') != NULL)
        rc = spec_range(spec, name, values, n, err);
    else
        rc = spec_list(spec, name, values, n, err);
    if (rc != FWD_OK) {
        free(*values);
        *values = NULL;
        *n = 0;
    }
    return rc;
}

struct point {
    double x, mn2;
    size_t i;
};

static int
point_cmp(const void *a, const void *b)
{
    const struct point *p = a, *q = b;

    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->mn2 != q->mn2)
        return p->mn2 < q->mn2 ? -1 : 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

/* The same point given twice (the same x with the same MN/2): FWD_EINVAL naming both values
 * of xname; FWD_OK when every point is distinct. Any order is fine. */
static int
duplicate_point(const char *xname, size_t n, const double *x, const double *mn2, fwd_error *err)
{
    struct point *p = malloc(n * sizeof *p);
    size_t i;
    int rc = FWD_OK;

    if (p == NULL)
        return fwd_fail(err, FWD_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        p[i].x = x[i];
        p[i].mn2 = mn2 != NULL ? mn2[i] : 0;
        p[i].i = i;
    }
    qsort(p, n, sizeof *p, point_cmp);
    for (i = 1; i < n && rc == FWD_OK; i++)
        if (p[i].x == p[i - 1].x && p[i].mn2 == p[i - 1].mn2)
            rc = fwd_fail(err, FWD_EINVAL, "%s: value %zu: %g is given twice (also value %zu)%s",
                          xname, p[i].i + 1, x[p[i].i], p[i - 1].i + 1,
                          mn2 != NULL ? " with the same MN/2" : "");
    free(p);
    return rc;
}

int
fwd_geom_check_distinct(const fwd_geom *g, fwd_error *err)
{
    return duplicate_point(fwd_method_xname(g->method), g->n, g->x, g->mn2, err);
}

/* MN/2 as given (nmn2 values) for nx points: one value is repeated for all. */
static int
spread_mn2(const char *mn2name, size_t nx, double **mn2, size_t nmn2, fwd_error *err)
{
    double v, *all;
    size_t i;

    if (nmn2 == nx)
        return FWD_OK;
    if (nmn2 != 1)
        return fwd_fail(err, FWD_EINVAL, "%s: expected 1 value or %zu (one per AB/2), got %zu",
                        mn2name, nx, nmn2);
    v = (*mn2)[0];
    all = malloc(nx * sizeof *all);
    if (all == NULL)
        return fwd_fail(err, FWD_ENOMEM, "out of memory");
    for (i = 0; i < nx; i++)
        all[i] = v;
    free(*mn2);
    *mn2 = all;
    return FWD_OK;
}

fwd_geom *
fwd_geom_parse(fwd_method m, const char *xspec, const char *mn2spec, const char *xname,
               const char *mn2name, fwd_error *err)
{
    const fwd_method_info *mi = fwd_method_get(m);
    double *x = NULL, *mn2 = NULL;
    size_t nx = 0, nmn2 = 0;
    const char *field = mi != NULL ? mi->x_key : FWD_FIELD_METHOD;
    fwd_geom *g = NULL;
    fwd_error e;
    char msg[FWD_ERROR_MSG_SIZE + 16];
    int rc;

    if (mi == NULL) {
        fwd_error_set_field(err, FWD_EINVAL, FWD_FIELD_METHOD, "method: unknown method %d", (int)m);
        return NULL;
    }
    xname = xname != NULL ? xname : mi->x_key;
    mn2name = mn2name != NULL ? mn2name : FWD_FIELD_MN2;
    if (mn2spec != NULL && !mi->has_mn2) {
        fwd_error_set_field(err, FWD_EINVAL, FWD_FIELD_MN2, "%s: not an input of method %s",
                            mn2name, mi->name);
        return NULL;
    }
    rc = fwd_spec_parse(xspec, xname, &x, &nx, &e);
    if (rc == FWD_OK && mn2spec != NULL) {
        rc = fwd_spec_parse(mn2spec, mn2name, &mn2, &nmn2, &e);
        if (rc == FWD_OK)
            rc = spread_mn2(mn2name, nx, &mn2, nmn2, &e);
        field = FWD_FIELD_MN2;
    }
    if (rc == FWD_OK) {
        field = mi->x_key;
        rc = duplicate_point(xname, nx, x, mn2, &e);
    }
    if (rc == FWD_OK && (g = fwd_geom_alloc(m, nx, x, mn2, &e)) == NULL) {
        /* the point's own message, after the name of the input it came from */
        field = strcmp(e.field, FWD_FIELD_MN2) == 0 ? FWD_FIELD_MN2 : mi->x_key;
        snprintf(msg, sizeof msg, "%s: %s", field == mi->x_key ? xname : mn2name, e.msg);
        snprintf(e.msg, sizeof e.msg, "%.*s", (int)sizeof e.msg - 1, msg); /* cut to fit */
    }
    if (g == NULL)
        snprintf(e.field, sizeof e.field, "%s", field);
    if (g == NULL && err != NULL)
        *err = e;
    free(mn2);
    free(x);
    return g;
}
