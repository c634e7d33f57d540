/* SPDX-License-Identifier: MIT */
/*
 * test_invert_output.c - invnet_output: the CSV and JSON of a small batch made by hand, in
 * the bytes `bpinv invert` has always written (formats, empty fields, null and absent keys,
 * quoting), parsed back: as many fields on every CSV row as in the header, a JSON document
 * that parses, with the keys each kind of sounding has. And invnet_flag_list.
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tests/common.h"

#include "invnet/invert/invnet_output.h"

static fwd_sounding snd[2];
static invnet_candidate cand[2];
static invnet_batch_item items[3];
static invnet_batch batch;

/*
 * Three soundings: one inverted and refined with errors (chi2), a comma in its path and a
 * quote in its name; one not inverted (too short), flagged; one that could not be read.
 */
static void
setup(void)
{
    static char path0[] = "dir/a,1.csv", path1[] = "b.csv", path2[] = "c.csv";
    invnet_result *r;

    memset(snd, 0, sizeof snd);
    memset(cand, 0, sizeof cand);
    memset(items, 0, sizeof items);
    for (size_t k = 0; k < 3; k++) { /* no position, as invnet_batch makes it */
        invnet_station *st = &items[k].station;

        st->x_m = st->y_m = st->elevation_m = st->lat_deg = st->lon_deg = NAN;
    }
    snd[0].method = snd[1].method = FWD_SCHLUMBERGER;
    strcpy(snd[0].name, "st \"1\"");
    strcpy(snd[1].name, "b");
    strcpy(snd[1].note, "\"MN (m)\" halved"); /* the reader's note, quotes escaped */
    strcpy(snd[1].unused, "\"Remarks\"");     /* a column not read, likewise */
    r = &cand[0].r;
    r->inverted = r->in_range = r->refined = 1;
    r->n_layers = 3;
    r->rho_ohmm[0] = 123.456789;
    r->rho_ohmm[1] = 10;
    r->rho_ohmm[2] = 1000;
    r->thick_m[0] = 5.5;
    r->thick_m[1] = 20;
    r->misfit_rms_pct = 2.34567;
    r->misfit_net_pct = 3.1;
    r->chi2 = 1.25;
    r->chi2_given = 5; /* errors given half the training noise */
    r->error_floor_pct = 10;
    r->outlier_x = 31.6;
    r->outlier_sigmas = 2.5;
    r->d2 = 7.5;
    r->span_decades = 2.5;
    r->n_observed = 17;
    r = &cand[1].r;
    r->span_decades = 0.4;
    r->n_observed = 3;
    r->n_layers = 3;
    r->chi2 = NAN;
    r->d2 = 99; /* computed, but not reported without a model */
    r->flags = INVNET_FLAG_EXTRAP | INVNET_FLAG_REFUSED;
    items[0].path = path0;
    items[0].s = &snd[0];
    items[0].n_candidates = 1;
    items[0].candidates = &cand[0];
    items[0].time_ms = 1.5;
    items[0].noise_scale = 1.118;
    items[1].noise_scale = NAN; /* no model */
    items[1].path = path1;
    items[1].s = &snd[1];
    items[1].n_candidates = 1;
    items[1].candidates = &cand[1];
    items[1].time_ms = 0.25;
    items[2].path = path2;
    items[2].status = FWD_EIO;
    strcpy(items[2].err, "c.csv: cannot open");
    batch.n = 3;
    batch.item = items;
    batch.n_layers = 3;
}

TestSuite(invnet_output, .init = setup);

/* Closes f, a memory stream over buf; returns buf (free() it). */
static char *
written(char **buf, FILE *f)
{
    cr_assert_eq(fclose(f), 0);
    return *buf;
}

/* The fields of one CSV line (quotes undone) into field[], at most cap; returns the count. */
static size_t
csv_fields(const char *line, char field[][64], size_t cap)
{
    size_t n = 0, k = 0;
    int quoted = 0;

    for (;; line++) {
        if (quoted) {
            if (*line == '"' && line[1] == '"') {
                field[n][k++] = '"';
                line++;
            } else if (*line == '"') {
                quoted = 0;
            } else {
                cr_assert_neq(*line, '\0', "unterminated quote");
                field[n][k++] = *line;
            }
            continue;
        }
        if (*line == '"') {
            quoted = 1;
        } else if (*line == ',' || *line == '\0') {
            field[n][k] = '\0';
            n++;
            k = 0;
            cr_assert_lt(n, cap);
            if (*line == '\0')
                return n;
        } else {
            field[n][k++] = *line;
        }
        cr_assert_lt(k, 63);
    }
}

/* The header and rows of a CSV text: each line's field count into count[]; the fields of
 * row r (0: the header) into field[]. Returns the number of lines. */
static size_t
csv_parse(const char *text, size_t row, char field[][64], size_t cap, size_t *count)
{
    char line[2048], tmp[64][64];
    size_t n = 0;
    const char *nl;

    while ((nl = strchr(text, '\n')) != NULL) {
        cr_assert_lt((size_t)(nl - text), sizeof line);
        memcpy(line, text, (size_t)(nl - text));
        line[nl - text] = '\0';
        count[n] = csv_fields(line, n == row ? field : tmp, n == row ? cap : 64);
        n++;
        text = nl + 1;
    }
    cr_expect_str_eq(text, "", "text after the last newline");
    return n;
}

/* The one change since: a sounding not inverted has no layer count (its n_layers was the
 * net's, 3; a tester's script read it as the layers found), as the JSON's n_layers null. */
Test(invnet_output, csv_in_the_old_bytes)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    cr_assert_eq(invnet_output_csv(f, &batch), FWD_OK);
    cr_expect_str_eq(
        written(&buf, f),
        "source,name,method,n_layers,rho_1_ohmm,rho_2_ohmm,rho_3_ohmm,thick_1_m,thick_2_m,"
        "misfit_rms_pct,misfit_net_pct,refined,chi2,chi2_given,mahalanobis_d2,span_decades,in_"
        "range,flags,"
        "time_ms,error\n"
        "\"dir/a,1.csv\",\"st \"\"1\"\"\",schlumberger,3,123.457,10,1000,5.5,20,2.346,3.1,true,"
        "1.25,5,7.5,2.5,true,,1.500,\n"
        "b.csv,b,schlumberger,,,,,,,,,,,,,0.4,false,extrapolated_geometry;not_inverted,0.250,\n"
        "c.csv,,,,,,,,,,,,,,,,,,,c.csv: cannot open\n");
    free(buf);
}

/* Every row as wide as the header, the values under their names; a sounding of fewer layers
 * than the widest (a batch of several layer counts) gets empty fields. */
Test(invnet_output, csv_parsed_back)
{
    char field[32][64], *buf = NULL;
    size_t len = 0, count[8], n, k;
    FILE *f;

    batch.n_layers = 4;
    f = open_memstream(&buf, &len);
    cr_assert_eq(invnet_output_csv(f, &batch), FWD_OK);
    written(&buf, f);
    n = csv_parse(buf, 1, field, 32, count);
    cr_assert_eq(n, 4, "a header and three rows (one for the error)");
    cr_expect_eq(count[0], 4 + 4 + 3 + 11);
    for (k = 1; k < n; k++)
        cr_expect_eq(count[k], count[0], "row %zu", k);
    cr_expect_str_eq(field[0], "dir/a,1.csv");
    cr_expect_str_eq(field[1], "st \"1\"");
    cr_expect_str_eq(field[3], "3");
    cr_expect_str_eq(field[4], "123.457");
    cr_expect_str_eq(field[7], "", "rho_4_ohmm of a 3-layer model");
    cr_expect_str_eq(field[8], "5.5");
    cr_expect_str_eq(field[10], "", "thick_3_m of a 3-layer model");
    free(buf);
    f = open_memstream(&buf, &len);
    cr_assert_eq(invnet_output_csv(f, &batch), FWD_OK);
    written(&buf, f);
    csv_parse(buf, 0, field, 32, count);
    cr_expect_str_eq(field[7], "rho_4_ohmm");
    cr_expect_str_eq(field[10], "thick_3_m");
    cr_expect_str_eq(field[20], "time_ms");
    cr_expect_str_eq(field[21], "error");
    free(buf);
}

Test(invnet_output, json_in_the_old_bytes)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    cr_assert_eq(invnet_output_json(f, &batch, "n\\et.h5"), FWD_OK);
    cr_expect_str_eq(
        written(&buf, f),
        "{\"net\": \"n\\\\et.h5\", \"soundings\": [\n"
        "  {\"source\": \"dir/a,1.csv\", \"error\": null, \"name\": \"st \\\"1\\\"\", "
        "\"method\": \"schlumberger\", \"component\": null, \"x_m\": null, \"y_m\": null, "
        "\"elevation_m\": null, "
        "\"lat_deg\": null, \"lon_deg\": null, \"note\": null, \"columns_not_read\": null, "
        "\"n_layers\": 3, "
        "\"layer_counts\": null, "
        "\"rho_ohmm\": [123.457, 10, 1000], \"thick_m\": [5.5, 20], \"depth_m\": [5.5, 25.5], "
        "\"doi_m\": null, "
        "\"misfit_rms_pct\": 2.346, "
        "\"misfit_net_pct\": 3.1, \"refined\": true, \"chi2\": 1.25, \"chi2_given\": 5, "
        "\"error_floor_pct\": 10, \"noise_scale\": 1.118, \"mahalanobis_d2\": 7.5, "
        "\"span_decades\": 2.5, \"net_points_observed\": 17, \"d2_worst_point\": null, "
        "\"d2_worst_share\": null, \"outlier_point\": 31.6, \"outlier_sigmas\": 2.5, "
        "\"dropped_point\": null, \"dropped_line\": null, \"dropped_sigmas\": null, "
        "\"segments\": null, \"in_range\": true, \"flags\": [], "
        "\"prior_exit\": null, \"ranges\": null, \"time_ms\": 1.500},\n"
        "  {\"source\": \"b.csv\", \"error\": null, \"name\": \"b\", \"method\": \"schlumberger\", "
        "\"component\": null, \"x_m\": null, \"y_m\": null, \"elevation_m\": null, \"lat_deg\": "
        "null, \"lon_deg\": "
        "null, \"note\": \"\\\"MN (m)\\\" halved\", "
        "\"columns_not_read\": \"\\\"Remarks\\\"\", "
        "\"n_layers\": null, \"layer_counts\": null, \"rho_ohmm\": null, \"thick_m\": null, "
        "\"depth_m\": null, \"doi_m\": null, \"misfit_rms_pct\": null, \"misfit_net_pct\": null, "
        "\"refined\": null, "
        "\"chi2\": null, \"chi2_given\": null, \"error_floor_pct\": null, \"noise_scale\": null, "
        "\"mahalanobis_d2\": null, \"span_decades\": 0.4, "
        "\"net_points_observed\": 3, \"d2_worst_point\": null, \"d2_worst_share\": null, "
        "\"outlier_point\": null, \"outlier_sigmas\": null, \"dropped_point\": null, "
        "\"dropped_line\": null, "
        "\"dropped_sigmas\": null, \"segments\": null, \"in_range\": "
        "false, \"flags\": "
        "[\"extrapolated_geometry\", \"not_inverted\"], \"prior_exit\": null, \"ranges\": null, "
        "\"time_ms\": 0.250},\n"
        "  {\"source\": \"c.csv\", \"error\": \"c.csv: cannot open\", \"name\": null, "
        "\"method\": null, \"component\": null, \"x_m\": null, \"y_m\": null, \"elevation_m\": "
        "null, \"lat_deg\": null, "
        "\"lon_deg\": null, \"note\": null, \"columns_not_read\": null, \"n_layers\": null, "
        "\"layer_counts\": null, "
        "\"rho_ohmm\": null, "
        "\"thick_m\": null, \"depth_m\": null, \"doi_m\": null, \"misfit_rms_pct\": null, "
        "\"misfit_net_pct\": null, "
        "\"refined\": null, \"chi2\": null, \"chi2_given\": null, \"error_floor_pct\": null, "
        "\"noise_scale\": null, "
        "\"mahalanobis_d2\": null, \"span_decades\": null, "
        "\"net_points_observed\": null, \"d2_worst_point\": null, \"d2_worst_share\": null, "
        "\"outlier_point\": null, \"outlier_sigmas\": null, \"dropped_point\": null, "
        "\"dropped_line\": null, "
        "\"dropped_sigmas\": null, \"segments\": null, \"in_range\": "
        "null, \"flags\": null, \"prior_exit\": null, "
        "\"ranges\": null, \"time_ms\": null}\n"
        "]}\n");
    free(buf);
}

/* A small JSON reader: checks the syntax, and keeps the keys of the objects at depth 2
 * (the soundings: in the list that is a value of the top object) in order, joined by ','. */
struct jp {
    const char *s;
    size_t n_obj;
    char keys[8][512];
};

static int j_value(struct jp *p, int depth);

static void
j_ws(struct jp *p)
{
    while (*p->s == ' ' || *p->s == '\n' || *p->s == '\t' || *p->s == '\r')
        p->s++;
}

/* A string into out (cap bytes, escapes kept as read); 0 on a syntax error. */
static int
j_string(struct jp *p, char *out, size_t cap)
{
    size_t k = 0;

    if (*p->s++ != '"')
        return 0;
    while (*p->s != '"') {
        if (*p->s == '\0' || (unsigned char)*p->s < 0x20)
            return 0;
        if (*p->s == '\\') {
            if (strchr("\"\\/bfnrtu", p->s[1]) == NULL)
                return 0;
            if (k + 1 < cap)
                out[k++] = *p->s;
            p->s++;
        }
        if (k + 1 < cap)
            out[k++] = *p->s;
        p->s++;
    }
    out[k] = '\0';
    p->s++;
    return 1;
}

static int
j_object(struct jp *p, int depth)
{
    char key[64];
    size_t obj = p->n_obj;

    p->s++;
    if (depth == 2) {
        cr_assert_lt(p->n_obj, 8);
        p->keys[p->n_obj++][0] = '\0';
    }
    j_ws(p);
    if (*p->s == '}')
        return p->s++, 1;
    for (;;) {
        j_ws(p);
        if (!j_string(p, key, sizeof key))
            return 0;
        if (depth == 2) {
            if (p->keys[obj][0] != '\0')
                strcat(p->keys[obj], ",");
            strcat(p->keys[obj], key);
        }
        j_ws(p);
        if (*p->s++ != ':' || !j_value(p, depth + 1))
            return 0;
        j_ws(p);
        if (*p->s == '}')
            return p->s++, 1;
        if (*p->s++ != ',')
            return 0;
    }
}

static int
j_value(struct jp *p, int depth)
{
    char tmp[256];

    j_ws(p);
    if (*p->s == '{')
        return j_object(p, depth);
    if (*p->s == '"')
        return j_string(p, tmp, sizeof tmp);
    if (*p->s == '[') {
        p->s++;
        j_ws(p);
        if (*p->s == ']')
            return p->s++, 1;
        for (;;) {
            if (!j_value(p, depth + 1))
                return 0;
            j_ws(p);
            if (*p->s == ']')
                return p->s++, 1;
            if (*p->s++ != ',')
                return 0;
        }
    }
    if (strncmp(p->s, "true", 4) == 0 || strncmp(p->s, "null", 4) == 0)
        return p->s += 4, 1;
    if (strncmp(p->s, "false", 5) == 0)
        return p->s += 5, 1;
    if (*p->s == '-' || isdigit((unsigned char)*p->s)) {
        char *end;

        strtod(p->s, &end);
        p->s = end;
        return 1;
    }
    return 0;
}

Test(invnet_output, json_parsed_back)
{
    static const char *const all =
        "source,error,name,method,component,x_m,y_m,elevation_m,lat_deg,lon_deg,note,"
        "columns_not_read,n_layers,"
        "layer_counts,"
        "rho_ohmm,thick_m,depth_m,doi_m,misfit_rms_pct,misfit_net_pct,refined,chi2,chi2_given,"
        "error_floor_pct,noise_scale,mahalanobis_d2,span_decades,net_points_observed,d2_worst_"
        "point,d2_worst_share,"
        "outlier_point,outlier_sigmas,dropped_point,dropped_line,dropped_sigmas,segments,in_range,"
        "flags,"
        "prior_exit,ranges,time_ms";
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct jp p;

    cr_assert_eq(invnet_output_json(f, &batch, "net.h5"), FWD_OK);
    written(&buf, f);
    memset(&p, 0, sizeof p);
    p.s = buf;
    cr_assert(j_value(&p, 0), "not JSON at: %.40s", p.s);
    j_ws(&p);
    cr_expect_eq(*p.s, '\0', "text after the document: %s", p.s);
    cr_assert_eq(p.n_obj, 3);
    cr_expect_str_eq(p.keys[0], all);
    /* without a model, or not read: the same keys, null where they do not apply */
    cr_expect_str_eq(p.keys[1], all);
    cr_expect_str_eq(p.keys[2], all);
    /* without errors: chi2 null */
    cand[0].r.chi2 = NAN;
    free(buf);
    f = open_memstream(&buf, &len);
    cr_assert_eq(invnet_output_json(f, &batch, "net.h5"), FWD_OK);
    written(&buf, f);
    memset(&p, 0, sizeof p);
    p.s = buf;
    cr_assert(j_value(&p, 0));
    cr_expect_str_eq(p.keys[0], all);
    cr_expect(strstr(buf, "\"chi2\": null, ") != NULL, "%s", buf);
    free(buf);
    /* outside the training range: the point weighing most, in JSON only */
    cand[0].r.flags = INVNET_FLAG_OUTSIDE;
    cand[0].r.worst_x = 120;
    cand[0].r.worst_share = 0.625;
    f = open_memstream(&buf, &len);
    cr_assert_eq(invnet_output_json(f, &batch, "net.h5"), FWD_OK);
    written(&buf, f);
    cr_expect(strstr(buf, "\"d2_worst_point\": 120, \"d2_worst_share\": 0.625, ") != NULL, "%s",
              buf);
    free(buf);
    f = open_memstream(&buf, &len);
    cr_assert_eq(invnet_output_csv(f, &batch), FWD_OK);
    written(&buf, f);
    cr_expect(strstr(buf, "worst") == NULL && strstr(buf, ",120,") == NULL, "%s", buf);
    free(buf);
    /* the fit outside the prior: an object in JSON, nothing in CSV */
    cand[0].r.exit_run = 1;
    cand[0].r.exit_misfit_pct = 0.25;
    cand[0].r.exit_chi2 = NAN;
    cand[0].r.exit_rho_ohmm[0] = 100;
    cand[0].r.exit_rho_ohmm[1] = 3000;
    cand[0].r.exit_rho_ohmm[2] = 50;
    cand[0].r.exit_thick_m[0] = 5;
    cand[0].r.exit_thick_m[1] = 40;
    cand[0].r.exit_param = 1;
    cand[0].r.exit_beyond = log10(3.0);
    f = open_memstream(&buf, &len);
    cr_assert_eq(invnet_output_json(f, &batch, "net.h5"), FWD_OK);
    written(&buf, f);
    cr_expect(strstr(buf, "\"prior_exit\": {\"misfit_rms_pct\": 0.25, \"chi2\": null, "
                          "\"rho_ohmm\": [100, 3000, 50], \"thick_m\": [5, 40], "
                          "\"parameter\": \"rho_2\", \"beyond_decades\": 0.477}, ") != NULL,
              "%s", buf);
    free(buf);
    /* a wider fit that stayed inside the prior names no parameter (it named the first) */
    cand[0].r.exit_beyond = 0;
    f = open_memstream(&buf, &len);
    cr_assert_eq(invnet_output_json(f, &batch, "net.h5"), FWD_OK);
    written(&buf, f);
    cr_expect(strstr(buf, "\"parameter\": null, \"beyond_decades\": 0}, ") != NULL, "%s", buf);
    free(buf);
    cand[0].r.exit_beyond = log10(3.0);
    f = open_memstream(&buf, &len);
    cr_assert_eq(invnet_output_csv(f, &batch), FWD_OK);
    written(&buf, f);
    cr_expect(strstr(buf, "3000") == NULL && strstr(buf, "exit") == NULL, "%s", buf);
    free(buf);
}

Test(invnet_output, a_failed_write_is_reported)
{
    FILE *f = fopen("/dev/full", "w");

    cr_assert_not_null(f);
    setvbuf(f, NULL, _IONBF, 0);
    cr_expect_eq(invnet_output_csv(f, &batch), FWD_EIO);
    clearerr(f);
    cr_expect_eq(invnet_output_json(f, &batch, "net.h5"), FWD_EIO);
    fclose(f);
}

Test(invnet_output, flag_list)
{
    char buf[256], small[8];

    cr_expect_str_eq(invnet_flag_list(0, ";", buf, sizeof buf), "");
    cr_expect_str_eq(
        invnet_flag_list(INVNET_FLAG_OUTSIDE | INVNET_FLAG_MISFIT, ";", buf, sizeof buf),
        "data_outside_training_range;high_misfit");
    cr_expect_str_eq(invnet_flag_list(INVNET_FLAG_JUMP | INVNET_FLAG_BOUND, ", ", buf, sizeof buf),
                     "model_at_prior_bound, segment_jump");
    cr_expect_str_eq(invnet_flag_list(INVNET_FLAG_MISFIT, ";", small, sizeof small), "high_mi");
}

/* A file's whole contents (malloc'd). */
static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *s = calloc(1, 1 << 16);

    cr_assert(f != NULL && s != NULL, "%s", path);
    fread(s, 1, (1 << 16) - 1, f);
    fclose(f);
    return s;
}

/* To a path: the same bytes as to a stream, published whole, an existing file kept unless
 * overwrite; a format by name. */
Test(invnet_output, write_publishes_a_file)
{
    char dir[64], path[96], *buf = NULL, *got;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    invnet_format fmt;
    fwd_error err;

    tst_mkdtemp(dir, sizeof dir, "output");
    snprintf(path, sizeof path, "%s/out.json", dir);
    cr_assert_eq(invnet_format_parse("json", &fmt, &err), FWD_OK);
    cr_assert_eq(fmt, INVNET_JSON);
    cr_assert_eq(invnet_format_parse("xml", &fmt, &err), FWD_EINVAL);
    cr_assert_str_eq(err.field, "format");
    cr_assert_eq(invnet_output_write(&batch, INVNET_JSON, "net.h5", NULL, f, 0, &err), FWD_OK);
    written(&buf, f);
    cr_assert_eq(invnet_output_write(&batch, INVNET_JSON, "net.h5", path, NULL, 0, &err), FWD_OK,
                 "%s", err.msg);
    got = slurp(path);
    cr_expect_str_eq(got, buf);
    free(got);
    /* exists: kept as it was */
    cr_assert_neq(invnet_output_write(&batch, INVNET_CSV, "net.h5", path, NULL, 0, &err), FWD_OK);
    cr_expect(strstr(err.msg, "exists") != NULL, "%s", err.msg);
    got = slurp(path);
    cr_expect_str_eq(got, buf, "the existing file was changed");
    free(got);
    cr_assert_eq(invnet_output_write(&batch, INVNET_CSV, "net.h5", path, NULL, 1, &err), FWD_OK);
    got = slurp(path);
    cr_expect(strncmp(got, "source,name,", 12) == 0, "%.40s", got);
    free(got);
    snprintf(path, sizeof path, "%s/no/dir/out.csv", dir);
    cr_assert_neq(invnet_output_write(&batch, INVNET_CSV, "net.h5", path, NULL, 0, &err), FWD_OK);
    cr_expect(strstr(err.msg, "cannot create") != NULL, "%s", err.msg);
    free(buf);
    tst_rmtree(dir);
}

/* JSON is valid UTF-8 whatever the names hold: UTF-8 kept, a byte that is not (a Latin-1 file
 * name, an overlong form, a lone surrogate) written as Python's surrogateescape does. */
Test(invnet_output, json_is_utf8)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"caf\xc3\xa9.csv", "\"caf\xc3\xa9.csv\""},               /* é, valid */
        {"caf\xe9.csv", "\"caf\\udce9.csv\""},                    /* Latin-1 é */
        {"\xc0\xaf", "\"\\udcc0\\udcaf\""},                       /* overlong '/' */
        {"\xed\xa0\x80", "\"\\udced\\udca0\\udc80\""},            /* a UTF-16 surrogate */
        {"\xf0\x9f\x8c\x8d", "\"\xf0\x9f\x8c\x8d\""},             /* U+1F30D, 4 bytes */
        {"\xf4\x90\x80\x80", "\"\\udcf4\\udc90\\udc80\\udc80\""}, /* beyond U+10FFFF */
        {"tab\tq\"", "\"tab\\u0009q\\\"\""},
    };
    size_t k;

    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char *buf = NULL, *text, *at;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        char *saved = items[2].path;

        items[2].path = (char *)(uintptr_t)cases[k].in;
        cr_assert_eq(invnet_output_json(f, &batch, "net.h5"), FWD_OK);
        items[2].path = saved;
        text = written(&buf, f);
        at = strstr(text, "{\"source\": \"");
        at = strstr(at + 1, "{\"source\": \"");
        at = strstr(at + 1, "{\"source\": ");
        cr_assert_not_null(at);
        cr_expect(strncmp(at + strlen("{\"source\": "), cases[k].out, strlen(cases[k].out)) == 0,
                  "case %zu: %.40s", k, at);
        free(buf);
    }
}

/* The output of items [first, first + count), as a string. */
static char *
part_text(invnet_format fmt, size_t first, size_t count, int head, int tail)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    cr_assert_eq(invnet_output_part(f, &batch, fmt, "n.h5", first, count, head, tail), FWD_OK);
    return written(&buf, f);
}

/* Cut anywhere, the parts (head on the first, tail on the last) join into the whole; a
 * part past the end is empty; the header and the closing come only when asked for. */
Test(invnet_output, parts_join_into_the_whole)
{
    static const invnet_format fmts[] = {INVNET_CSV, INVNET_JSON, INVNET_XYZ, INVNET_EQUIVALENT,
                                         INVNET_EQUIVALENT_JSON};
    size_t f, cut;

    for (f = 0; f < sizeof fmts / sizeof fmts[0]; f++) {
        char *whole = invnet_output_string(&batch, fmts[f], "n.h5", NULL);

        cr_assert_not_null(whole);
        for (cut = 0; cut <= batch.n; cut++) {
            char *a = part_text(fmts[f], 0, cut, 1, 0);
            char *b = part_text(fmts[f], cut, batch.n, 0, 1);
            char *j = malloc(strlen(a) + strlen(b) + 1);

            strcat(strcpy(j, a), b);
            cr_expect_str_eq(j, whole, "format %zu cut at %zu", f, cut);
            free(j);
            free(b);
            free(a);
        }
        invnet_output_string_free(whole);
    }
    {
        char *none = part_text(INVNET_CSV, 5, 2, 0, 0), *mid = part_text(INVNET_JSON, 1, 1, 0, 0);

        cr_expect_str_eq(none, "");
        /* the second object alone: its separator, no opening, no closing */
        cr_expect(strncmp(mid, ",\n  {\"source\": \"b.csv\"", 22) == 0, "%s", mid);
        cr_expect(strstr(mid, "soundings") == NULL && strstr(mid, "]}") == NULL, "%s", mid);
        free(mid);
        free(none);
    }
    /* the segments column follows the batch's flag, which the parts agree on */
    batch.segments = 1;
    {
        char *h = part_text(INVNET_CSV, 0, 0, 1, 0);

        cr_expect(strstr(h, ",segment_factors,") != NULL, "%s", h);
        free(h);
    }
    batch.segments = 0;
}

/*
 * With ranges: the conductance's columns and key say siemens (not "_s", which reads as
 * seconds beside period_s), and the percentiles in the column names have no point (95 %:
 * p2_5 and p97_5), in the CSV and the XYZ table; at 90 %, p05 and p95 as always.
 */
Test(invnet_output, range_columns_named_by_unit_and_percentile)
{
    static const struct {
        double level;
        const char *lo, *hi;
    } at[] = {{90, "p05", "p95"}, {95, "p2_5", "p97_5"}, {99.5, "p0_25", "p99_75"}};
    invnet_ranges g;
    size_t k, j;

    memset(&g, 0, sizeof g);
    g.n_layers = 3;
    g.doi_m = 41.5;
    g.doi_interval_m[0] = 20.5, g.doi_interval_m[1] = 40.25, g.doi_interval_m[2] = 80.75;
    for (j = 0; j < 3; j++) {
        for (k = 0; k < 3; k++) {
            g.rho_ohmm[j][k] = cand[0].r.rho_ohmm[j] * (0.8 + 0.2 * (double)k);
            g.thick_m[j][k] = g.depth_m[j][k] = 4.25 + (double)k;
            g.conductance_s[j][k] = 0.0375 * (1 + (double)k);
            g.transverse_ohmm2[j][k] = 625.5 * (1 + (double)k);
        }
    }
    cand[0].ranges = &g;
    for (k = 0; k < sizeof at / sizeof at[0]; k++) {
        char want[512], field[64][64], *csv, *xyz, *json;
        size_t count[8], n, c;

        /* a batch built by hand may not say, nor its candidate: its ranges bring doi_m */
        batch.doi = k % 2;
        cand[0].doi_m = k == 2 ? 0 : g.doi_m; /* as invnet_batch sets them, or not */
        batch.ranges_level = g.level = at[k].level;
        csv = invnet_output_string(&batch, INVNET_CSV, "n.h5", NULL);
        xyz = invnet_output_string(&batch, INVNET_XYZ, "n.h5", NULL);
        json = invnet_output_string(&batch, INVNET_JSON, "n.h5", NULL);
        cr_assert(csv != NULL && xyz != NULL && json != NULL);
        n = csv_parse(csv, 0, field, 64, count);
        cr_assert_eq(n, 4);
        for (c = 0; c < count[0]; c++)
            cr_expect(strchr(field[c], '.') == NULL, "a point in column %zu: %s", c, field[c]);
        snprintf(want, sizeof want,
                 ",rho_1_ohmm_%s,rho_1_ohmm_%s,rho_2_ohmm_%s,rho_2_ohmm_%s,rho_3_ohmm_%s,"
                 "rho_3_ohmm_%s,thick_1_m_%s,thick_1_m_%s,thick_2_m_%s,thick_2_m_%s,"
                 "depth_1_m_%s,depth_1_m_%s,depth_2_m_%s,depth_2_m_%s,conductance_1_siemens_%s,"
                 "conductance_1_siemens_%s,conductance_2_siemens_%s,conductance_2_siemens_%s,"
                 "transverse_1_ohmm2_%s,transverse_1_ohmm2_%s,transverse_2_ohmm2_%s,"
                 "transverse_2_ohmm2_%s,doi_m,doi_m_%s,doi_m_%s,",
                 at[k].lo, at[k].hi, at[k].lo, at[k].hi, at[k].lo, at[k].hi, at[k].lo, at[k].hi,
                 at[k].lo, at[k].hi, at[k].lo, at[k].hi, at[k].lo, at[k].hi, at[k].lo, at[k].hi,
                 at[k].lo, at[k].hi, at[k].lo, at[k].hi, at[k].lo, at[k].hi, at[k].lo, at[k].hi);
        cr_expect(strstr(csv, want) != NULL, "level %g: %s", at[k].level, csv);
        /* the values under them: conductance_1's ends */
        csv_parse(csv, 1, field, 64, count);
        cr_expect_str_eq(field[9 + 14], "0.0375");
        cr_expect_str_eq(field[9 + 15], "0.1125");
        /* the depth of investigation: the model's, then across the equivalent models */
        cr_expect_str_eq(field[9 + 22], "41.5");
        cr_expect_str_eq(field[9 + 23], "20.5");
        cr_expect_str_eq(field[9 + 24], "80.75");
        cr_expect(strstr(json, "\"doi_m\": 41.5, \"doi_interval_m\": [20.5, 40.25, 80.75]") != NULL,
                  "%s", json);
        snprintf(want, sizeof want,
                 ",rho_ohmm,rho_ohmm_%s,rho_ohmm_%s,doi_m,doi_m_%s,doi_m_%s,misfit_rms_pct,"
                 "flags\n",
                 at[k].lo, at[k].hi, at[k].lo, at[k].hi);
        cr_expect(strstr(xyz, want) != NULL, "level %g: %s", at[k].level, xyz);
        cr_expect(strstr(json, "\"conductance_siemens\": [[0.0375, 0.075, 0.1125], [0.0375, "
                               "0.075, 0.1125]], \"transverse_ohmm2\": ") != NULL,
                  "%s", json);
        cr_expect(strstr(json, "conductance_s\"") == NULL, "%s", json);
        invnet_output_string_free(json);
        invnet_output_string_free(xyz);
        invnet_output_string_free(csv);
    }
    cand[0].ranges = NULL;
    cand[0].doi_m = 0;
    batch.ranges_level = 0;
    batch.doi = 0;
}

/*
 * The equivalent models: the answer as model 0, then each kept model, the number of the
 * first it repeats parameter for parameter in same_as (empty when none; in the JSON its index
 * in the list, from 0, null when none), in the table
 * and as JSON (--equivalent NAME.json: the answer and the models; null models for a sounding
 * without ranges or not read). Five models by hand: A, B, A, B, C.
 */
Test(invnet_output, equivalent_models_answer_and_repeats)
{
    /* log10: A = 100, 10, 1000 ohm-m, 5, 20 m; B the same but rho_2 = 20; C thicker */
    static const double ab[3][5] = {
        {2, 1, 3, 0.69897, 1.30103}, {2, 1.30103, 3, 0.69897, 1.30103}, {2, 1, 3, 1, 1.30103}};
    static const int which[5] = {0, 1, 0, 1, 2};
    static const char *const same[5] = {"", "", "1", "2", ""};
    double draws[25], fit[10];
    invnet_ranges g;
    char field[64][64], *csv, *json;
    size_t count[8], n, d, j;

    memset(&g, 0, sizeof g);
    g.n_layers = 3;
    g.n_draws = 5;
    g.draws = draws;
    g.draws_fit = fit;
    for (d = 0; d < 5; d++) {
        memcpy(draws + 5 * d, ab[which[d]], sizeof ab[0]);
        fit[d] = 2.5 + (double)d;
        fit[5 + d] = 1.5 + (double)d;
    }
    cand[0].ranges = &g;
    csv = invnet_output_string(&batch, INVNET_EQUIVALENT, "n.h5", NULL);
    json = invnet_output_string(&batch, INVNET_EQUIVALENT_JSON, "n.h5", NULL);
    cr_assert(csv != NULL && json != NULL);
    n = csv_parse(csv, 0, field, 64, count);
    cr_assert_eq(n, 7, "%s", csv); /* the header, the answer, 5 models */
    cr_expect_str_eq(field[count[0] - 1], "same_as");
    csv_parse(csv, 1, field, 64, count); /* model 0: the answer, the results' own */
    cr_expect_str_eq(field[0], "dir/a,1.csv");
    cr_expect_str_eq(field[1], "st \"1\"");
    cr_expect_str_eq(field[3], "0");
    cr_expect_str_eq(field[4], "123.457");
    cr_expect_str_eq(field[7], "5.5");
    cr_expect_str_eq(field[9], "2.346");
    cr_expect_str_eq(field[10], "1.25");
    cr_expect_str_eq(field[11], "");
    for (d = 0; d < 5; d++) {
        char want[16];

        csv_parse(csv, 2 + d, field, 64, count);
        snprintf(want, sizeof want, "%zu", d + 1);
        cr_expect_str_eq(field[3], want);
        cr_expect_str_eq(field[5], which[d] == 1 ? "20" : "10", "model %zu", d + 1);
        cr_expect_str_eq(field[7], which[d] == 2 ? "10" : "5", "model %zu", d + 1);
        snprintf(want, sizeof want, "%.1f", 2.5 + (double)d);
        cr_expect_str_eq(field[9], want);
        cr_expect_str_eq(field[11], same[d], "model %zu", d + 1);
    }
    /* the JSON: every sounding in order, the answer and the models of the first alone */
    cr_expect(strncmp(json,
                      "{\"net\": \"n.h5\", \"soundings\": [\n  {\"source\": \"dir/a,1.csv\", "
                      "\"name\": \"st \\\"1\\\"\", \"n_layers\": 3, \"answer\": {\"rho_ohmm\": "
                      "[123.457, 10, 1000], \"thick_m\": [5.5, 20], \"misfit_rms_pct\": "
                      "2.346, \"chi2\": 1.25}, \"models\": [{\"rho_ohmm\": [100, 10, 1000], "
                      "\"thick_m\": [5, 20], \"misfit_rms_pct\": 2.5, \"chi2\": 1.5, "
                      "\"same_as\": null}, ",
                      280) == 0,
              "%s", json);
    cr_expect(strstr(json, "\"misfit_rms_pct\": 4.5, \"chi2\": 3.5, \"same_as\": 0}, ") != NULL,
              "%s", json);
    cr_expect(strstr(json,
                     "\"same_as\": 1}, {\"rho_ohmm\": [100, 10, 1000], \"thick_m\": [10, "
                     "20], \"misfit_rms_pct\": 6.5, \"chi2\": 5.5, \"same_as\": null}]}") != NULL,
              "%s", json);
    cr_expect(strstr(json,
                     ",\n  {\"source\": \"b.csv\", \"name\": \"b\", \"models\": null},\n  "
                     "{\"source\": \"c.csv\", \"name\": null, \"models\": null}\n]}\n") != NULL,
              "%s", json);
    /* the results' JSON has the same models in its ranges object */
    invnet_output_string_free(json);
    json = invnet_output_string(&batch, INVNET_JSON, "n.h5", NULL);
    cr_assert_not_null(json);
    cr_expect(strstr(json, "\"models\": [{\"rho_ohmm\": [100, 10, 1000], \"thick_m\": [5, 20], "
                           "\"misfit_rms_pct\": 2.5, \"chi2\": 1.5, \"same_as\": null}, ") != NULL,
              "%s", json);
    for (j = 0; j < 5; j++) /* the draws are the caller's, untouched */
        cr_expect_arr_eq(draws + 5 * j, ab[which[j]], sizeof ab[0]);
    invnet_output_string_free(json);
    invnet_output_string_free(csv);
    cand[0].ranges = NULL;
}
