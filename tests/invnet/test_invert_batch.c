/* SPDX-License-Identifier: MIT */
/*
 * test_invert_batch.c - invnet_batch: the batch gives what reading and inverting each file
 * one by one gives, for any thread count; its response curve is the forward model's; the
 * expansion of directory operands.
 *
 * The net: 3-layer Schlumberger, 20 AB/2 over 1..1000 m (tests/invnet/helpers.h), trained
 * briefly (its quality does not matter here: the batch is compared with invnet_invert).
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <criterion/criterion.h>

#include "tests/common.h"
#include <hdf5.h>

#include "forward/fwd_forward.h"
#include "invnet/invert/invnet_batch.h"
#include "invnet/invert/invnet_output.h"
#include "tests/invnet/helpers.h"

static char dir[64];
static invnet_file *nf;

static void
setup(void)
{
    char path[128];

    tst_mkdtemp(dir, sizeof dir, "batch");
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    tst_make_samples(dir, "s.h5", 3000, 0.03, 0, path);
    nf = tst_train(path, 5, 1, 0.1, 1);
}

static void
teardown(void)
{
    invnet_file_free(nf);
    tst_rmtree(dir);
}

TestSuite(invnet_batch, .init = setup, .fini = teardown, .timeout = 300);

/*
 * Writes dir/name: the response of (rho, h) at n AB/2 log-spaced over [x0, x1] m; with
 * segments, the points from the middle on a second time with a larger MN/2, times 1.3.
 */
static void
write_sounding(const char *name, const double *rho, const double *h, size_t n, double x0, double x1,
               int segments)
{
    double x[64], d[64];
    char path[256];
    size_t k;
    FILE *f;
    fwd_geom *g;
    fwd_workspace *w;

    cr_assert_leq(n, 64);
    for (k = 0; k < n; k++)
        x[k] = x0 * pow(x1 / x0, (double)k / (double)(n - 1));
    g = fwd_geom_alloc(FWD_SCHLUMBERGER, n, x, NULL, NULL);
    w = fwd_workspace_alloc(g, NULL, NULL);
    cr_assert_eq(fwd_eval(w, 3, rho, h, d, NULL), FWD_OK);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(segments ? "ab2,mn2,rho_a\n" : "ab2,rho_a\n", f);
    for (k = 0; k < n; k++) {
        if (!segments) {
            fprintf(f, "%.10g,%.10g\n", x[k], d[k]);
            continue;
        }
        fprintf(f, "%.10g,%.10g,%.10g\n", x[k], 0.1 * x0, d[k]);
        if (k >= n / 2)
            fprintf(f, "%.10g,%.10g,%.10g\n", x[k], 0.5 * x0, 1.3 * d[k]);
    }
    cr_assert_eq(fclose(f), 0);
    fwd_workspace_free(w);
    fwd_geom_free(g);
}

/* Nine soundings: in the prior, with segments, far outside it, too short to invert, not a
 * file, not a Schlumberger file. Their paths into path[]. */
static size_t
make_soundings(char path[][256])
{
    static const char *const names[] = {"a.csv", "b.csv", "c.csv",    "d.csv", "e.csv",
                                        "f.csv", "g.csv", "none.csv", "w.csv"};
    double rho[][3] = {{100, 10, 500}, {20, 300, 5}, {500, 50, 50},
                       {80, 8, 400},   {5000, 1, 1}, {30, 30, 30}};
    double h[][2] = {{5, 20}, {2, 30}, {10, 10}, {5, 20}, {1, 1}, {3, 3}};
    size_t k;
    FILE *f;

    for (k = 0; k < 3; k++)
        write_sounding(names[k], rho[k], h[k], 20, 1, 1000, 0);
    write_sounding(names[3], rho[3], h[3], 16, 1, 1000, 1);
    write_sounding(names[4], rho[4], h[4], 20, 1, 1000, 0);
    write_sounding(names[5], rho[5], h[5], 8, 1, 10, 0);     /* 1..10 m of a 1..1000 m net */
    write_sounding(names[6], rho[1], h[1], 25, 1.5, 700, 0); /* other spacings */
    snprintf(path[8], 256, "%s/%s", dir, names[8]);
    f = fopen(path[8], "w");
    cr_assert_not_null(f);
    fputs("a,rho_a\n1,10\n2,12\n4,15\n", f);
    cr_assert_eq(fclose(f), 0);
    for (k = 0; k < 9; k++)
        snprintf(path[k], 256, "%s/%s", dir, names[k]);
    return 9;
}

/* a and b the same result, field by field (their borrowed pointers aside). */
static void
expect_same_result(const invnet_result *a, const invnet_result *b, size_t i)
{
    size_t j;

    cr_expect_eq(a->flags, b->flags, "item %zu", i);
    cr_expect_eq(a->inverted, b->inverted, "item %zu", i);
    cr_expect_eq(a->in_range, b->in_range, "item %zu", i);
    cr_expect_eq(a->n_layers, b->n_layers, "item %zu", i);
    for (j = 0; j < a->n_layers; j++)
        cr_expect(a->rho_ohmm[j] == b->rho_ohmm[j], "item %zu rho %zu", i, j);
    for (j = 0; j + 1 < a->n_layers; j++)
        cr_expect(a->thick_m[j] == b->thick_m[j], "item %zu thick %zu", i, j);
    cr_expect(a->misfit_rms_pct == b->misfit_rms_pct, "item %zu", i);
    cr_expect(a->misfit_net_pct == b->misfit_net_pct, "item %zu", i);
    cr_expect_eq(a->refined, b->refined, "item %zu", i);
    cr_expect_eq(a->lm_iterations, b->lm_iterations, "item %zu", i);
    cr_expect(a->misfit_max_pct == b->misfit_max_pct, "item %zu", i);
    cr_expect(a->chi2 == b->chi2 || (isnan(a->chi2) && isnan(b->chi2)), "item %zu", i);
    cr_expect(a->d2 == b->d2, "item %zu", i);
    cr_expect(a->d2_max == b->d2_max, "item %zu", i);
    cr_expect_eq(a->n_outside, b->n_outside, "item %zu", i);
    cr_expect_eq(a->n_extrapolated, b->n_extrapolated, "item %zu", i);
    cr_expect(a->max_jump == b->max_jump, "item %zu", i);
}

/* Each item of b against reading its file and inverting it with a new inverter of cp. */
static void
expect_one_by_one(const invnet_batch *b, char path[][256], const invnet_check_params *cp)
{
    invnet_inverter *v = invnet_inverter_alloc(nf, cp, NULL);
    size_t i;

    cr_assert_not_null(v);
    for (i = 0; i < b->n; i++) {
        const invnet_batch_item *it = &b->item[i];
        const invnet_candidate *c = invnet_batch_best(it);
        fwd_sounding *s;
        invnet_result r;
        fwd_error e;

        cr_expect_str_eq(it->path, path[i]);
        s = fwd_sounding_read(path[i], FWD_SCHLUMBERGER, FWD_COMP_DET, &e);
        if (s == NULL) {
            fwd_sounding *w = fwd_sounding_read(path[i], FWD_WENNER, FWD_COMP_DET, NULL);
            char other[600];

            cr_expect_null(it->s, "item %zu", i);
            cr_expect_null(c, "item %zu", i);
            if (w != NULL) { /* a file of another method: said to be one */
                snprintf(other, sizeof other,
                         "%s: a wenner sounding, but the net is for schlumberger", path[i]);
                cr_expect_eq(it->status, FWD_EINVAL, "item %zu", i);
                cr_expect_str_eq(it->err, other, "item %zu", i);
                fwd_sounding_free(w);
            } else {
                cr_expect_eq(it->status, e.code, "item %zu", i);
                cr_expect_str_eq(it->err, e.msg, "item %zu", i);
            }
            cr_expect_eq(it->n_candidates, 0);
            continue;
        }
        cr_assert_eq(invnet_invert(v, s, &r, &e), FWD_OK, "item %zu: %s", i, e.msg);
        cr_assert_not_null(c, "item %zu: %s", i, it->err);
        cr_expect_eq(it->status, FWD_OK);
        cr_expect_str_eq(it->err, "");
        cr_expect_eq(it->n_candidates, 1);
        cr_expect_eq(it->s->n, s->n);
        cr_expect_str_eq(it->s->name, s->name);
        expect_same_result(&c->r, &r, i);
        cr_expect_null(c->r.response);
        cr_expect_null(c->r.observed);
        cr_expect_null(c->ranges);
        cr_expect(isnan(it->station.x_m) && isnan(it->station.elevation_m));
        cr_assert_eq(r.response != NULL, c->response != NULL, "item %zu", i);
        if (r.response != NULL) {
            cr_expect_arr_eq(c->response, r.response, s->n * sizeof(double), "item %zu", i);
            cr_assert_not_null(it->observed);
            cr_expect_arr_eq(it->observed, r.observed, s->n * sizeof(double), "item %zu", i);
        }
        fwd_sounding_free(s);
    }
    invnet_inverter_free(v);
}

/* The batch equals the files inverted one by one, on 1 and on 3 threads, with the
 * refinement; and the 3-thread batch is bit for bit the 1-thread one. */
Test(invnet_batch, same_as_one_by_one_for_any_thread_count)
{
    char path[9][256];
    const char *pp[9];
    size_t n = make_soundings(path), i, k;
    invnet_batch_params p = invnet_batch_default();
    invnet_batch *b1, *b3;
    int seen_refused = 0, seen_flagged = 0, seen_joined = 0, seen_refined = 0;

    for (i = 0; i < n; i++)
        pp[i] = path[i];
    p.check.refine_iter = 30;
    p.curves = 1;
    p.threads = 1;
    cr_assert_eq(invnet_batch_invert(nf, &p, pp, n, &b1, NULL), FWD_OK);
    p.threads = 3;
    cr_assert_eq(invnet_batch_invert(nf, &p, pp, n, &b3, NULL), FWD_OK);
    cr_assert_eq(b1->n, n);
    cr_assert_eq(b3->n, n);
    cr_expect_eq(b1->n_layers, 3);
    expect_one_by_one(b1, path, &p.check);
    expect_one_by_one(b3, path, &p.check);
    for (i = 0; i < n; i++) {
        const invnet_batch_item *a = &b1->item[i], *b = &b3->item[i];
        const invnet_candidate *ca = invnet_batch_best(a), *cb = invnet_batch_best(b);

        cr_expect_eq(a->status, b->status);
        cr_expect_str_eq(a->err, b->err);
        cr_expect_eq(a->n_curve, b->n_curve, "item %zu", i);
        if (ca == NULL)
            continue;
        expect_same_result(&ca->r, &cb->r, i);
        if (a->n_curve > 0) {
            cr_expect_arr_eq(a->curve_x, b->curve_x, a->n_curve * sizeof(double));
            cr_expect_arr_eq(ca->curve, cb->curve, a->n_curve * sizeof(double));
        }
        seen_refused += !ca->r.inverted;
        seen_flagged += ca->r.inverted && !ca->r.in_range;
        seen_refined += ca->r.refined;
        if (a->s->mn2 != NULL && a->observed != NULL)
            for (k = 0; k < a->s->n; k++)
                seen_joined += a->observed[k] != a->s->rho_a[k];
    }
    /* the cases meant to be covered were */
    cr_expect_eq(b1->item[7].status, FWD_EIO, "%s", b1->item[7].err);
    cr_expect_neq(b1->item[8].status, FWD_OK);
    cr_expect(strstr(b1->item[8].err, "w.csv") != NULL, "%s", b1->item[8].err);
    cr_expect_eq(seen_refused, 1);
    cr_expect_geq(seen_flagged, 1);
    cr_expect_gt(seen_joined, 0);
    cr_expect_geq(seen_refined, 1);
    invnet_batch_free(b3);
    invnet_batch_free(b1);
}

/* The curve: 120 points log-spaced over the sounding's and the net's span +-0.1 decade,
 * and there the forward model of the item's model. None unless asked for. */
Test(invnet_batch, curve_is_the_forward_model)
{
    char path[9][256];
    const char *pp[9];
    size_t n = make_soundings(path), i, k, nc = 120, checked = 0;
    invnet_batch_params p = invnet_batch_default();
    const double *xn = fwd_geom_x(nf->geom);
    invnet_batch *b;

    for (i = 0; i < n; i++)
        pp[i] = path[i];
    p.curves = 1;
    p.threads = 2;
    cr_assert_eq(invnet_batch_invert(nf, &p, pp, n, &b, NULL), FWD_OK);
    for (i = 0; i < n; i++) {
        const invnet_batch_item *it = &b->item[i];
        const invnet_candidate *c = invnet_batch_best(it);
        double lo, hi, d[240];
        fwd_geom *g;
        fwd_workspace *w;

        if (c == NULL || !c->r.inverted) {
            cr_expect_eq(it->n_curve, 0, "item %zu", i);
            cr_expect(c == NULL || c->curve == NULL);
            continue;
        }
        cr_assert_eq(it->n_curve, nc, "item %zu", i);
        lo = log10(fmin(it->s->x[0], xn[0])) - 0.1;
        hi = log10(fmax(it->s->x[it->s->n - 1], xn[TST_NPTS - 1])) + 0.1;
        for (k = 0; k < nc; k++)
            cr_expect_float_eq(log10(it->curve_x[k]), lo + (hi - lo) * (double)k / 119.0, 1e-12,
                               "item %zu point %zu", i, k);
        g = fwd_geom_alloc(FWD_SCHLUMBERGER, nc, it->curve_x, NULL, NULL);
        w = fwd_workspace_alloc(g, NULL, NULL);
        cr_assert_eq(fwd_eval(w, 3, c->r.rho_ohmm, c->r.thick_m, d, NULL), FWD_OK);
        cr_expect_arr_eq(c->curve, d, nc * sizeof(double), "item %zu", i);
        fwd_workspace_free(w);
        fwd_geom_free(g);
        checked++;
    }
    cr_expect_geq(checked, 5);
    invnet_batch_free(b);
    /* not asked for: none */
    p.curves = 0;
    cr_assert_eq(invnet_batch_invert(nf, &p, pp, n, &b, NULL), FWD_OK);
    for (i = 0; i < n; i++) {
        const invnet_candidate *c = invnet_batch_best(&b->item[i]);

        cr_expect_eq(b->item[i].n_curve, 0);
        cr_expect_null(b->item[i].curve_x);
        cr_expect(c == NULL || c->curve == NULL);
    }
    invnet_batch_free(b);
}

/* What the progress callback saw. */
struct seen {
    size_t calls, done[16], total[16];
};

static void
on_progress(size_t done, size_t total, void *arg)
{
    struct seen *v = arg;

    if (v->calls < 16)
        v->done[v->calls] = done, v->total[v->calls] = total;
    v->calls++;
}

/* The progress callback: once per sounding of the part, done 1, 2, .. its count, whatever
 * the threads; a part's total is its own count; without a callback, the same results. */
Test(invnet_batch, progress_once_per_sounding)
{
    char path[9][256];
    const char *pp[9];
    size_t n = make_soundings(path), i, part;
    invnet_batch_params p = invnet_batch_default();
    invnet_batch *b;

    for (i = 0; i < n; i++)
        pp[i] = path[i];
    cr_assert_geq(n, 3);
    for (part = 0; part < 2; part++) {
        struct seen v = {0};

        p.threads = 2;
        p.parts = part == 0 ? 1 : 3;
        p.part = part == 0 ? 0 : 1;
        p.progress = on_progress;
        p.progress_arg = &v;
        cr_assert_eq(invnet_batch_invert(nf, &p, pp, n, &b, NULL), FWD_OK);
        cr_expect_eq(v.calls, b->count, "%zu calls for %zu soundings", v.calls, b->count);
        cr_expect(part == 0 ? b->count == b->n : b->count < b->n);
        for (i = 0; i < v.calls && i < 16; i++)
            cr_expect(v.done[i] == i + 1 && v.total[i] == b->count, "call %zu: %zu of %zu", i,
                      v.done[i], v.total[i]);
        invnet_batch_free(b);
    }
}

/* A stop raised by the progress callback after the third sounding (one thread): those three
 * are inverted as without a stop; each later one that could be read says it was stopped
 * (FWD_ESTOPPED, no candidate) and is counted, the ones that could not be read keep their
 * error; the CSV writes every row. Without a stop: none counted. */
struct stop_after {
    volatile sig_atomic_t flag;
    size_t after;
};

static void
stop_progress(size_t done, size_t total, void *arg)
{
    struct stop_after *st = arg;

    (void)total;
    if (done >= st->after)
        st->flag = 1;
}

Test(invnet_batch, a_stop_leaves_the_rest_not_begun)
{
    char path[9][256], csv[300];
    const char *pp[9];
    size_t n = make_soundings(path), i, stopped = 0, lines = 0;
    invnet_batch_params p = invnet_batch_default();
    struct stop_after st = {0, 3};
    invnet_batch *b, *whole;
    FILE *f;
    int c;

    for (i = 0; i < n; i++)
        pp[i] = path[i];
    cr_assert_eq(invnet_batch_invert(nf, &p, pp, n, &whole, NULL), FWD_OK);
    cr_expect_eq(whole->n_stopped, 0);
    p.progress = stop_progress;
    p.progress_arg = &st;
    p.stop = &st.flag;
    cr_assert_eq(invnet_batch_invert(nf, &p, pp, n, &b, NULL), FWD_OK);
    for (i = 0; i < n; i++) {
        const invnet_batch_item *it = &b->item[i], *w = &whole->item[i];

        if (i < 3) {
            cr_expect_eq(it->status, w->status, "item %zu", i);
            if (w->status == FWD_OK)
                expect_same_result(&invnet_batch_best(it)->r, &invnet_batch_best(w)->r, i);
        } else if (w->status == FWD_OK) {
            cr_expect_eq(it->status, FWD_ESTOPPED, "item %zu", i);
            cr_expect_eq(it->n_candidates, 0, "item %zu", i);
            cr_expect_str_eq(it->err, "not inverted: the run was stopped");
            stopped++;
        } else {
            cr_expect_eq(it->status, w->status, "item %zu", i);
            cr_expect_str_eq(it->err, w->err);
        }
    }
    cr_expect_gt(stopped, 0);
    cr_expect_eq(b->n_stopped, stopped);
    snprintf(csv, sizeof csv, "%s/stopped.csv", dir);
    cr_assert_eq(invnet_output_write(b, INVNET_CSV, "net.h5", csv, NULL, 0, NULL), FWD_OK);
    f = fopen(csv, "r");
    cr_assert_not_null(f);
    while ((c = fgetc(f)) != EOF)
        lines += c == '\n';
    fclose(f);
    cr_expect_eq(lines, n + 1);
    invnet_batch_free(b);
    invnet_batch_free(whole);
}

/* With doi (no curves): each model reported has the depth of investigation that
 * invnet_ranges_doi gives for it against the data as compared (the segments joined), at 90 %
 * with the net's noise; and no curve. Without: none. */
Test(invnet_batch, doi_is_the_models)
{
    char path[9][256];
    const char *pp[9];
    size_t n = make_soundings(path), i, checked = 0;
    invnet_batch_params p = invnet_batch_default();
    invnet_batch *b;

    for (i = 0; i < n; i++)
        pp[i] = path[i];
    p.doi = 1;
    p.threads = 2;
    cr_assert_eq(invnet_batch_invert(nf, &p, pp, n, &b, NULL), FWD_OK);
    for (i = 0; i < n; i++) {
        const invnet_batch_item *it = &b->item[i];
        const invnet_candidate *c = invnet_batch_best(it);
        fwd_sounding sv;
        double m[2 * FWD_MAX_LAYERS], want = NAN;
        fwd_geom *g;
        fwd_workspace *w;

        if (c == NULL || !c->r.inverted) {
            cr_expect(c == NULL || isnan(c->doi_m), "item %zu", i);
            continue;
        }
        cr_expect_eq(it->n_curve, 0, "item %zu", i);
        sv = *it->s;
        if (it->observed != NULL)
            sv.rho_a = it->observed;
        g = fwd_sounding_geom(&sv, NULL);
        cr_assert_not_null(g);
        w = fwd_workspace_alloc(g, NULL, NULL);
        fwd_model_to_log10(c->r.n_layers, c->r.rho_ohmm, c->r.thick_m, m);
        cr_assert_eq(
            invnet_ranges_doi(w, &sv, c->r.n_layers, m, nf->samples.noise, 0, 90, &want, NULL),
            FWD_OK);
        cr_expect(c->doi_m == want || (isnan(want) && isnan(c->doi_m)), "item %zu: %g, want %g", i,
                  c->doi_m, want);
        fwd_workspace_free(w);
        fwd_geom_free(g);
        checked += want > 0;
    }
    cr_expect_geq(checked, 4);
    invnet_batch_free(b);
    p.doi = 0;
    cr_assert_eq(invnet_batch_invert(nf, &p, pp, n, &b, NULL), FWD_OK);
    for (i = 0; i < n; i++) {
        const invnet_candidate *c = invnet_batch_best(&b->item[i]);

        cr_expect(c == NULL || isnan(c->doi_m), "item %zu", i);
    }
    invnet_batch_free(b);
}

/* Soundings in memory give what their files give: read by the caller, or rebuilt from their
 * arrays (fwd_sounding_from_arrays); one net passed as a set of one. The JSON of a batch
 * as a string is what invnet_output_json writes to a file. */
Test(invnet_batch, soundings_in_memory_same_as_files)
{
    char path[9][256], tmp[300], name[32];
    const char *pp[7];
    const fwd_sounding *mem[7];
    fwd_sounding *owned[14];
    size_t n = 7, i;
    invnet_set set = {1, {nf}};
    invnet_batch_params p = invnet_batch_default();
    invnet_batch *bf, *bm, *ba;
    fwd_error e;
    char *json, *text;
    FILE *f;
    long len;

    make_soundings(path); /* the first 7 are readable Schlumberger soundings */
    for (i = 0; i < n; i++) {
        pp[i] = path[i];
        owned[i] = fwd_sounding_read(path[i], FWD_SCHLUMBERGER, FWD_COMP_DET, &e);
        cr_assert_not_null(owned[i], "%s", e.msg);
        snprintf(name, sizeof name, "in-memory %zu", i); /* no such file */
        owned[n + i] = fwd_sounding_from_arrays(name, owned[i]->method, owned[i]->n, owned[i]->x,
                                                owned[i]->mn2, owned[i]->rho_a, NULL,
                                                owned[i]->sd_log10, NULL, &e);
        cr_assert_not_null(owned[n + i], "%s", e.msg);
    }
    p.check.refine_iter = 30;
    p.threads = 2;
    cr_assert_eq(invnet_batch_invert_set(&set, &p, pp, n, &bf, &e), FWD_OK, "%s", e.msg);
    for (i = 0; i < n; i++)
        mem[i] = owned[i];
    cr_assert_eq(invnet_batch_invert_soundings(&set, &p, mem, n, &bm, &e), FWD_OK, "%s", e.msg);
    for (i = 0; i < n; i++)
        mem[i] = owned[n + i];
    cr_assert_eq(invnet_batch_invert_soundings(&set, &p, mem, n, &ba, &e), FWD_OK, "%s", e.msg);
    for (i = 0; i < n; i++) {
        const invnet_candidate *cf = invnet_batch_best(&bf->item[i]);

        cr_assert_not_null(cf, "item %zu: %s", i, bf->item[i].err);
        cr_expect_str_eq(bm->item[i].path, path[i]);
        snprintf(name, sizeof name, "in-memory %zu", i);
        cr_expect_str_eq(ba->item[i].path, name);
        cr_expect_str_eq(ba->item[i].s->name, name);
        cr_assert_not_null(invnet_batch_best(&bm->item[i]), "%s", bm->item[i].err);
        cr_assert_not_null(invnet_batch_best(&ba->item[i]), "%s", ba->item[i].err);
        expect_same_result(&cf->r, &invnet_batch_best(&bm->item[i])->r, i);
        expect_same_result(&cf->r, &invnet_batch_best(&ba->item[i])->r, i);
    }
    /* the string is the file's JSON, byte for byte */
    json = invnet_output_string(bm, INVNET_JSON, "net.h5", &e);
    cr_assert_not_null(json, "%s", e.msg);
    snprintf(tmp, sizeof tmp, "%s/out.json", dir);
    cr_assert_eq(invnet_output_write(bm, INVNET_JSON, "net.h5", tmp, NULL, 0, &e), FWD_OK);
    f = fopen(tmp, "r");
    cr_assert_not_null(f);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    rewind(f);
    text = calloc((size_t)len + 1, 1);
    cr_assert_eq(fread(text, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    cr_expect_str_eq(json, text);
    cr_expect(strstr(json, "\"soundings\": [") != NULL);
    free(text);
    invnet_output_string_free(json);
    /* the batch owns copies: the caller's soundings may go before the batch is read */
    for (i = n; i < 2 * n; i++) {
        fwd_sounding_free(owned[i]);
        owned[i] = NULL;
    }
    for (i = 0; i < n; i++)
        cr_expect_eq(ba->item[i].s->x[0], owned[i]->x[0]);
    /* CSV as a string too: a header and a row per sounding */
    json = invnet_output_string(bm, INVNET_CSV, "net.h5", &e);
    cr_assert_not_null(json, "%s", e.msg);
    cr_expect(strncmp(json, "source,name,method,n_layers,", 28) == 0, "%.40s", json);
    for (i = 0, len = 0; json[i] != '\0'; i++)
        len += json[i] == '\n';
    cr_expect_eq(len, (long)n + 1);
    invnet_output_string_free(json);
    /* one made by hand and wrong (unsorted), one of another method: their items' errors */
    invnet_batch_free(bm);
    {
        double hx[3] = {1, 10, 5}, hr[3] = {10, 20, 30}, ph[3] = {45, 45, 45};
        size_t line[3] = {1, 2, 3};
        fwd_sounding hand;
        fwd_sounding *mt =
            fwd_sounding_from_arrays("mt site", FWD_MT, 3, hx, NULL, hr, ph, NULL, NULL, &e);
        const fwd_sounding *three[3];

        cr_assert_not_null(mt, "%s", e.msg);
        memset(&hand, 0, sizeof hand);
        hand.method = FWD_SCHLUMBERGER;
        hand.n = 3;
        hand.x = hx;
        hand.rho_a = hr;
        hand.line = line;
        snprintf(hand.name, sizeof hand.name, "by hand");
        snprintf(hand.source, sizeof hand.source, "by hand");
        three[0] = &hand;
        three[1] = mt;
        three[2] = owned[0];
        cr_assert_eq(invnet_batch_invert_soundings(&set, &p, three, 3, &bm, &e), FWD_OK);
        cr_expect_eq(bm->item[0].status, FWD_EINVAL);
        cr_expect_str_eq(bm->item[0].err, "by hand: ab2_m[2]: expected the points in increasing "
                                          "AB/2, got 5 after 10");
        cr_expect_null(invnet_batch_best(&bm->item[0]));
        cr_expect_neq(bm->item[1].status, FWD_OK);
        cr_expect(strstr(bm->item[1].err, "the net is for schlumberger") != NULL, "%s",
                  bm->item[1].err);
        cr_expect_eq(bm->item[2].status, FWD_OK, "%s", bm->item[2].err);
        invnet_batch_free(bm);
        fwd_sounding_free(mt);
    }
    /* no soundings: an empty batch; a NULL one: refused */
    cr_assert_eq(invnet_batch_invert_soundings(&set, &p, mem, 0, &bm, &e), FWD_OK);
    cr_expect_eq(bm->n, 0);
    invnet_batch_free(bm);
    mem[1] = NULL;
    cr_expect_eq(invnet_batch_invert_soundings(&set, &p, mem, 2, &bm, &e), FWD_EINVAL);
    cr_expect_null(bm);
    cr_expect_str_eq(e.msg, "soundings: [1] is NULL");
    /* a count the set has not */
    p.layers = 4;
    cr_expect_eq(invnet_batch_invert_soundings(&set, &p, mem, 1, &bm, &e), FWD_EINVAL);
    cr_expect_str_eq(e.field, "layers");
    /* ranges asked at a level out of (0, 100): the call's error, not each sounding's */
    p.layers = 0;
    p.check.ranges = 1;
    p.check.range.level = 150;
    cr_expect_eq(invnet_batch_invert_soundings(&set, &p, mem, 1, &bm, &e), FWD_EINVAL);
    cr_expect_null(bm);
    cr_expect_str_eq(e.field, "level");
    for (i = 0; i < 2 * n; i++)
        fwd_sounding_free(owned[i]);
    invnet_batch_free(ba);
    invnet_batch_free(bf);
}

/* The parameters by name set what the CLI's options set; bad names and values are
 * refused naming the setting, and leave the parameters as they were. */
Test(invnet_batch, parameters_by_name)
{
    invnet_batch_params *p = invnet_batch_params_alloc(), d = invnet_batch_default();
    fwd_error e;

    cr_assert_not_null(p);
    cr_expect_eq(p->check.refine_iter, d.check.refine_iter);
    cr_expect_eq(p->threads, d.threads);
    cr_expect_eq(invnet_batch_params_set(p, "refine", 30, &e), FWD_OK);
    cr_expect_eq(p->check.refine_iter, 30);
    cr_expect_eq(invnet_batch_params_set(p, "ranges", 95, &e), FWD_OK);
    cr_expect(p->check.ranges && p->check.range.level == 95);
    cr_expect_eq(invnet_batch_params_set(p, "ranges", 0, &e), FWD_OK);
    cr_expect(!p->check.ranges && p->check.range.level == 95);
    cr_expect_eq(invnet_batch_params_set(p, "layers", 3, &e), FWD_OK);
    cr_expect_eq(p->layers, 3);
    cr_expect_eq(invnet_batch_params_set(p, "threads", 4, &e), FWD_OK);
    cr_expect_eq(p->threads, 4);
    cr_expect_eq(invnet_batch_params_set(p, "misfit_max", 7.5, &e), FWD_OK);
    cr_expect(p->check.misfit_floor_pct == 7.5 && p->check.misfit_noise_factor == 0);
    cr_expect_eq(invnet_batch_params_set(p, "curves", 1, &e), FWD_OK);
    cr_expect_eq(p->curves, 1);
    cr_expect_eq(invnet_batch_params_set(p, "doi", 1, &e), FWD_OK);
    cr_expect_eq(p->doi, 1);
    cr_expect_eq(invnet_batch_params_set(p, "starts", 3, &e), FWD_OK);
    cr_expect_eq(p->check.refine_starts, 3);
    cr_expect_eq(invnet_batch_params_set(p, "fit_to", 0, &e), FWD_OK);
    cr_expect(p->check.refit_factor == 0);
    cr_expect_eq(invnet_batch_params_set(p, "starts", 0, &e), FWD_EINVAL);
    cr_expect_str_eq(e.msg, "starts: expected a whole number from 1 to 100, got 0");
    cr_expect_eq(invnet_batch_params_set(p, "fit_to", NAN, &e), FWD_EINVAL);
    cr_expect_str_eq(e.msg, "fit_to: expected a factor from 0 to 100, got nan");
    cr_expect(p->check.refit_factor == 0 && p->check.refine_starts == 3);

    cr_expect_eq(invnet_batch_params_set(p, "refine", 2.5, &e), FWD_EINVAL);
    cr_expect_str_eq(e.field, "refine");
    cr_expect_str_eq(e.msg, "refine: expected a whole number from 0 to 10000, got 2.5");
    cr_expect_eq(p->check.refine_iter, 30);
    cr_expect_eq(invnet_batch_params_set(p, "ranges", 0.5, &e), FWD_EINVAL);
    cr_expect_str_eq(e.field, "ranges");
    cr_expect_eq(invnet_batch_params_set(p, "threads", 0, &e), FWD_EINVAL);
    cr_expect_eq(invnet_batch_params_set(p, "layers", 65, &e), FWD_EINVAL);
    cr_expect_eq(invnet_batch_params_set(p, "misfit_max", NAN, &e), FWD_EINVAL);
    cr_expect_eq(invnet_batch_params_set(p, "curves", 2, &e), FWD_EINVAL);
    cr_expect_str_eq(e.msg, "curves: expected 0 or 1, got 2");
    cr_expect_eq(invnet_batch_params_set(p, "doi", 0.5, &e), FWD_EINVAL);
    cr_expect_str_eq(e.msg, "doi: expected 0 or 1, got 0.5");
    cr_expect_eq(invnet_batch_params_set(p, "misfit_max", INFINITY, &e), FWD_EINVAL);
    cr_expect_str_eq(e.msg, "misfit_max: expected a finite percentage > 0, got inf");
    cr_expect_eq(invnet_batch_params_set(p, "layers", 65, &e), FWD_EINVAL);
    cr_expect_str_eq(e.msg, "layers: expected a whole number from 0 to 64, got 65");
    cr_expect_eq(invnet_batch_params_set(p, "ranges", 100, &e), FWD_EINVAL);
    cr_expect_str_eq(e.msg, "ranges: expected 0 (none) or a level from 1 to 99.9 percent, got 100");
    cr_expect_eq(invnet_batch_params_set(p, "threads", 2000, &e), FWD_EINVAL);
    cr_expect_str_eq(e.msg, "threads: expected a whole number from 1 to 1024, got 2000");
    cr_expect_eq(invnet_batch_params_set(p, "refine_iter", 3, &e), FWD_EINVAL);
    cr_expect_str_eq(e.field, "setting");
    cr_expect_str_eq(e.msg,
                     "setting: expected refine, ranges, layers, threads, misfit_max, "
                     "curves, doi, segment_ref, starts, fit_to, equivalent or drop_outlier, got "
                     "\"refine_iter\"");
    cr_expect_eq(invnet_batch_params_set(p, "equivalent", 2, &e), FWD_EINVAL);
    cr_expect_str_eq(e.msg, "equivalent: expected 0 or 1, got 2");
    cr_expect_eq(invnet_batch_params_set(p, "segment_ref", -2, &e), FWD_EINVAL);
    cr_expect_str_eq(e.msg,
                     "segment_ref: expected 0 (the first segment), -1 (auto) or an MN/2 > 0, "
                     "got -2");
    cr_expect_eq(invnet_batch_params_set(p, "segment_ref", 5, &e), FWD_OK);
    cr_expect_eq(p->check.segment_ref, 5);
    cr_expect_eq(p->threads, 4);
    invnet_batch_params_free(p);
    invnet_batch_params_free(NULL);
}

/* With ranges and curves: the band is the envelope of the responses of the ranges' draws,
 * each computed here on its own; the ranges are the batch's own copy. Without ranges, no
 * band. */
Test(invnet_batch, band_is_the_envelope_of_the_draws)
{
    char path[9][256];
    const char *pp[9];
    size_t n = make_soundings(path), i, k, d, nc = 120, checked = 0;
    invnet_batch_params p = invnet_batch_default();
    invnet_batch *b;

    for (i = 0; i < n; i++)
        pp[i] = path[i];
    p.curves = 1;
    p.threads = 2;
    p.check.refine_iter = 30;
    p.check.ranges = 1;
    p.check.range.draws = 20;
    cr_assert_eq(invnet_batch_invert(nf, &p, pp, n, &b, NULL), FWD_OK);
    for (i = 0; i < n; i++) {
        const invnet_candidate *c = invnet_batch_best(&b->item[i]);
        double lo[120], hi[120], f[120], rho[3], th[2];
        fwd_geom *g;
        fwd_workspace *w;

        if (c == NULL || c->ranges == NULL || b->item[i].n_curve == 0)
            continue;
        cr_assert_eq(c->ranges->n_draws, 20);
        cr_assert_not_null(c->band, "item %zu", i);
        g = fwd_geom_alloc(FWD_SCHLUMBERGER, nc, b->item[i].curve_x, NULL, NULL);
        w = fwd_workspace_alloc(g, NULL, NULL);
        for (k = 0; k < nc; k++) {
            lo[k] = INFINITY;
            hi[k] = -INFINITY;
        }
        for (d = 0; d < 20; d++) {
            const double *q = c->ranges->draws + d * 5;

            for (k = 0; k < 3; k++)
                rho[k] = pow(10, q[k]);
            th[0] = pow(10, q[3]);
            th[1] = pow(10, q[4]);
            cr_assert_eq(fwd_eval(w, 3, rho, th, f, NULL), FWD_OK);
            for (k = 0; k < nc; k++) {
                lo[k] = fmin(lo[k], f[k]);
                hi[k] = fmax(hi[k], f[k]);
            }
        }
        cr_expect_arr_eq(c->band, lo, nc * sizeof(double), "item %zu", i);
        cr_expect_arr_eq(c->band + nc, hi, nc * sizeof(double), "item %zu", i);
        fwd_workspace_free(w);
        fwd_geom_free(g);
        checked++;
    }
    cr_expect_geq(checked, 4);
    invnet_batch_free(b);
    p.check.ranges = 0;
    cr_assert_eq(invnet_batch_invert(nf, &p, pp, n, &b, NULL), FWD_OK);
    for (i = 0; i < n; i++) {
        const invnet_candidate *c = invnet_batch_best(&b->item[i]);

        cr_expect(c == NULL || (c->band == NULL && c->ranges == NULL));
    }
    invnet_batch_free(b);
}

/* The misfit (percent) of the 3-layer model of log10 parameters m against the sounding s
 * (no errors), computed here: its forward model at s's points (and MN/2), each MN/2
 * segment but the first (the smallest) moved by its least-squares level in log10 against
 * the model, as the ranges take the levels of segments. */
static double
misfit_here(const fwd_sounding *s, const double *m)
{
    double f[64], rho[3], th[2], obs[64], sum = 0, l, shift, cnt;
    fwd_geom *g = fwd_geom_alloc(FWD_SCHLUMBERGER, s->n, s->x, s->mn2, NULL);
    fwd_workspace *w = fwd_workspace_alloc(g, NULL, NULL);
    size_t k;

    cr_assert(s->n <= 64 && w != NULL);
    for (k = 0; k < 3; k++)
        rho[k] = pow(10, m[k]);
    th[0] = pow(10, m[3]);
    th[1] = pow(10, m[4]);
    cr_assert_eq(fwd_eval(w, 3, rho, th, f, NULL), FWD_OK);
    memcpy(obs, s->rho_a, s->n * sizeof *obs);
    for (l = s->mn2 != NULL ? fwd_sounding_next_mn2(s, fwd_sounding_next_mn2(s, 0)) : INFINITY;
         l < INFINITY; l = fwd_sounding_next_mn2(s, l)) {
        for (k = 0, shift = cnt = 0; k < s->n; k++)
            if (s->mn2[k] == l) {
                shift += log10(f[k] / obs[k]);
                cnt++;
            }
        for (k = 0; k < s->n; k++)
            if (s->mn2[k] == l)
                obs[k] *= pow(10, shift / cnt);
    }
    for (k = 0; k < s->n; k++)
        sum += pow((f[k] - obs[k]) / obs[k], 2);
    fwd_workspace_free(w);
    fwd_geom_free(g);
    return 100 * sqrt(sum / (double)s->n);
}

/* With equivalent: each of the ranges' draws with its fit, computed here on its own (the
 * misfit of the forward model at the sounding's points, a segment's level fitted to each
 * model); the answers the same as without, refined or not (the inverter's response and
 * levels put back); the table and the JSON hold the draws. Without it, no fits. */
Test(invnet_batch, equivalent_models_are_the_draws_with_their_fit)
{
    char path[9][256];
    const char *pp[9];
    size_t n = make_soundings(path), i, k, d, pass, checked = 0, segmented = 0;
    invnet_batch_params p = invnet_batch_default();
    invnet_batch *b0, *b1;
    char *csv, *json, *q;
    static const char head[] = "source,name,n_layers,model,rho_1_ohmm,rho_2_ohmm,rho_3_ohmm,"
                               "thick_1_m,thick_2_m,misfit_rms_pct,chi2,same_as\n";

    for (i = 0; i < n; i++)
        pp[i] = path[i];
    p.threads = 2;
    p.check.ranges = 1;
    p.check.range.draws = 20;
    for (pass = 0; pass < 2; pass++) {
        size_t rows = 0, lines = 0;

        p.check.refine_iter = pass == 0 ? 30 : 0;
        p.check.equivalent = 0;
        cr_assert_eq(invnet_batch_invert(nf, &p, pp, n, &b0, NULL), FWD_OK);
        cr_assert_eq(invnet_batch_params_set(&p, "equivalent", 1, NULL), FWD_OK);
        cr_assert_eq(invnet_batch_invert(nf, &p, pp, n, &b1, NULL), FWD_OK);
        for (i = 0; i < n; i++) {
            const invnet_candidate *c0 = invnet_batch_best(&b0->item[i]);
            const invnet_candidate *c1 = invnet_batch_best(&b1->item[i]);
            const fwd_sounding *s = b1->item[i].s;

            cr_assert_eq(c0 == NULL, c1 == NULL, "item %zu", i);
            if (c1 == NULL || c1->ranges == NULL)
                continue;
            expect_same_result(&c0->r, &c1->r, i); /* the fits leave the answer as it was */
            cr_expect(b0->item[i].noise_scale == b1->item[i].noise_scale, "item %zu: %g, %g", i,
                      b0->item[i].noise_scale, b1->item[i].noise_scale);
            cr_expect_null(c0->ranges->draws_fit);
            cr_assert_not_null(c1->ranges->draws_fit, "item %zu", i);
            cr_assert_eq(c1->ranges->n_draws, 20);
            cr_expect_arr_eq(c0->ranges->draws, c1->ranges->draws, 20 * 5 * sizeof(double));
            rows += 21; /* the answer's (model 0), then the draws' */
            for (d = 0; d < 20; d++) {
                double got = c1->ranges->draws_fit[d],
                       want = misfit_here(b1->item[i].s, c1->ranges->draws + d * 5);

                cr_expect(isnan(c1->ranges->draws_fit[20 + d]), "item %zu: chi2 without errors", i);
                /* with --no-refine the answer is the net's and its levels merge_curve's; the
                 * models' levels are fitted all the same */
                cr_expect(fabs(got - want) <= 1e-9 * want,
                          "refine %zu, item %zu draw %zu: misfit %.12g, computed here %.12g",
                          p.check.refine_iter, i, d, got, want);
            }
            checked++;
            segmented += s->mn2 != NULL;
        }
        /* the table: its header and a row a draw; the JSON: the models in each ranges object */
        csv = invnet_output_string(b1, INVNET_EQUIVALENT, "net.h5", NULL);
        json = invnet_output_string(b1, INVNET_JSON, "net.h5", NULL);
        cr_assert(csv != NULL && json != NULL);
        cr_expect(strncmp(csv, head, strlen(head)) == 0, "%.120s", csv);
        for (q = csv; *q != '\0'; q++)
            lines += *q == '\n';
        cr_expect_eq(lines, rows + 1);
        for (k = 0, q = json; (q = strstr(q, "\"misfit_rms_pct\": ")) != NULL; q++)
            k++;
        cr_expect_geq(k, rows); /* each model's, beside each sounding's own */
        invnet_output_string_free(csv);
        invnet_output_string_free(json);
        csv = invnet_output_string(b0, INVNET_EQUIVALENT, "net.h5", NULL);
        cr_assert_not_null(csv);
        cr_expect_str_eq(csv, head, "without equivalent, only the header: %.200s", csv);
        invnet_output_string_free(csv);
        invnet_batch_free(b0);
        invnet_batch_free(b1);
    }
    cr_expect_geq(checked, 8);
    cr_expect_geq(segmented, 2);
}

Test(invnet_batch, empty_batch_and_bad_parameters)
{
    invnet_batch_params p = invnet_batch_default();
    invnet_batch dummy, *b = &dummy;
    fwd_error err;

    cr_assert_eq(invnet_batch_invert(nf, &p, NULL, 0, &b, NULL), FWD_OK);
    cr_assert_not_null(b);
    cr_expect_eq(b->n, 0);
    invnet_batch_free(b);
    p.threads = 0;
    cr_expect_eq(invnet_batch_invert(nf, &p, NULL, 0, &b, &err), FWD_EINVAL);
    cr_expect_null(b);
    p.threads = 1;
    p.curves = 1;
    p.curve_points = 1;
    cr_expect_eq(invnet_batch_invert(nf, &p, NULL, 0, &b, &err), FWD_EINVAL);
    invnet_batch_free(NULL);
}

/* Creates dir/name as an empty file. */
static void
touch(const char *sub, const char *name)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
    f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fclose(f);
}

/* A directory stands for its .csv .txt .dat .tsv .edi files (any case), in name order,
 * hidden files, other names, short names and subdirectories skipped; other operands, a
 * missing file included, stand for themselves; no double slash after a trailing one. */
Test(invnet_batch, directory_operands_expand)
{
    static const char *const want[] = {"A.TXT", "b.csv", "c.dat", "d.Tsv", "e.edi", "z.csv"};
    char sub[128], sub_slash[130], sub2[160], missing[160];
    const char *ops[4];
    char **paths;
    size_t n, k;
    fwd_error err;

    snprintf(sub, sizeof sub, "%s/snd", dir);
    cr_assert_eq(mkdir(sub, 0777), 0);
    for (k = 0; k < 6; k++)
        touch("snd", want[5 - k]);
    touch("snd", ".hidden.csv");
    touch("snd", "notes.md");
    touch("snd", "csv");
    touch("snd", "x.csvx");
    snprintf(sub2, sizeof sub2, "%s/y.csv", sub);
    cr_assert_eq(mkdir(sub2, 0777), 0); /* a directory, not a file */
    snprintf(sub_slash, sizeof sub_slash, "%s/", sub);
    snprintf(missing, sizeof missing, "%s/missing.csv", dir);
    ops[0] = sub;
    ops[1] = missing;
    ops[2] = sub_slash;
    cr_assert_eq(invnet_batch_expand(ops, 3, &paths, &n, &err), FWD_OK);
    cr_assert_eq(n, 13);
    for (k = 0; k < 6; k++) {
        char p[256];

        snprintf(p, sizeof p, "%s/%s", sub, want[k]);
        cr_expect_str_eq(paths[k], p);
        cr_expect_str_eq(paths[7 + k], p);
    }
    cr_expect_str_eq(paths[6], missing);
    invnet_batch_paths_free(paths, n);

    /* a directory of no sounding file stands for itself (its read says what it holds):
     * not passed over in silence */
    snprintf(sub2, sizeof sub2, "%s/y.csv", sub);
    ops[0] = sub2;
    cr_assert_eq(invnet_batch_expand(ops, 1, &paths, &n, &err), FWD_OK);
    cr_expect_eq(n, 1);
    cr_expect_str_eq(paths[0], sub2);
    invnet_batch_paths_free(paths, n);
    invnet_batch_paths_free(NULL, 0);
}

/* For a net's method, a directory of .edi files and others stands for one kind: the .edi
 * files for MT (an MT survey's folder holds notes and station tables too), the others for DC;
 * what was left out in the note (err.msg on success). A directory of one kind, and -1 (any
 * method), as before, without a note. */
Test(invnet_batch, directory_operands_for_a_method)
{
    static const char *const files[] = {"a.edi", "b.EDI", "c.csv", "notes.txt"};
    static const struct {
        int method;
        size_t n, first;
        const char *note;
    } want[] = {
        {FWD_MT, 2, 0,
         "/mixed: its .edi files only, for an MT net; 2 other files left out (c.csv, "
         "notes.txt): give them as operands to read them"},
        {FWD_SCHLUMBERGER, 2, 2,
         "/mixed: no .edi files, for a DC net; 2 other files left out (a.edi, b.EDI): give "
         "them as operands to read them"},
        {-1, 4, 0, ""},
    };
    char sub[128], one[128], p[256];
    const char *ops[2];
    char **paths;
    size_t n, k, j;
    fwd_error err;

    snprintf(sub, sizeof sub, "%s/mixed", dir);
    cr_assert_eq(mkdir(sub, 0777), 0);
    for (k = 0; k < 4; k++)
        touch("mixed", files[k]);
    ops[0] = sub;
    for (k = 0; k < 3; k++) {
        cr_assert_eq(invnet_batch_expand_for(ops, 1, want[k].method, &paths, &n, &err), FWD_OK);
        cr_expect_eq(n, want[k].n, "method %d: %zu files", want[k].method, n);
        for (j = 0; j < n && j < want[k].n; j++) {
            snprintf(p, sizeof p, "%s/%s", sub, files[want[k].first + j]);
            cr_expect_str_eq(paths[j], p);
        }
        if (want[k].note[0] == '\0')
            cr_expect_str_eq(err.msg, "");
        else
            cr_expect(strstr(err.msg, want[k].note) != NULL &&
                          strncmp(err.msg, dir, strlen(dir)) == 0,
                      "method %d: %s", want[k].method, err.msg);
        invnet_batch_paths_free(paths, n);
    }
    /* one kind: all of it, whatever the net (the batch then names a file of the other
     * method); two directories' notes joined */
    snprintf(one, sizeof one, "%s/edis", dir);
    cr_assert_eq(mkdir(one, 0777), 0);
    touch("edis", "x.edi");
    ops[1] = one;
    cr_assert_eq(invnet_batch_expand_for(ops, 2, FWD_WENNER, &paths, &n, &err), FWD_OK);
    cr_expect_eq(n, 3);
    cr_expect(strstr(paths[2], "/edis/x.edi") != NULL, "%s", paths[2]);
    cr_expect(strstr(err.msg, "/mixed: no .edi files") != NULL && strstr(err.msg, "/edis") == NULL,
              "%s", err.msg);
    invnet_batch_paths_free(paths, n);
    ops[1] = sub;
    cr_assert_eq(invnet_batch_expand_for(ops, 2, FWD_MT, &paths, &n, &err), FWD_OK);
    cr_expect_eq(n, 4);
    cr_expect(strstr(err.msg, "read them; ") != NULL, "%s", err.msg);
    invnet_batch_paths_free(paths, n);
}

/* A directory's files come in the natural order of their names, a profile's station order:
 * numbers as numbers (L1-200 before L1-1000), leading zeros a tie broken by bytes. */
Test(invnet_batch, directory_in_natural_order)
{
    static const char *const want[] = {"L1-9.edi",   "L1-10.edi",   "L1-100.edi", "L1-0200.edi",
                                       "L1-200.edi", "L1-1000.edi", "L2-5.edi",   "l1-1.edi"};
    char sub[128];
    const char *ops[1];
    char **paths;
    size_t n, k;
    fwd_error err;

    snprintf(sub, sizeof sub, "%s/line", dir);
    cr_assert_eq(mkdir(sub, 0777), 0);
    for (k = 0; k < 8; k++)
        touch("line", want[(k * 3) % 8]); /* created out of order */
    ops[0] = sub;
    cr_assert_eq(invnet_batch_expand(ops, 1, &paths, &n, &err), FWD_OK);
    cr_assert_eq(n, 8);
    for (k = 0; k < 8; k++) {
        char p[256];

        snprintf(p, sizeof p, "%s/%s", sub, want[k]);
        cr_expect_str_eq(paths[k], p);
    }
    invnet_batch_paths_free(paths, n);
}

/* The output of b in format fmt, its times zeroed (they differ from run to run), as a string. */
static char *
text_of(invnet_batch *b, invnet_format fmt, size_t first, size_t count, int head, int tail)
{
    char *buf = NULL;
    size_t len = 0, i;
    FILE *f = open_memstream(&buf, &len);

    cr_assert_not_null(f);
    for (i = 0; i < b->n; i++)
        b->item[i].time_ms = 0;
    cr_assert_eq(invnet_output_part(f, b, fmt, "net.h5", first, count, head, tail), FWD_OK);
    cr_assert_eq(fclose(f), 0);
    return buf;
}

/* A batch cut into parts (the ranks of an MPI run): each part inverts its block of items,
 * as the whole does, and leaves the others; the blocks tile the items; the parts' outputs,
 * once they agree on the segments column, join into the whole's, in every format. */
Test(invnet_batch, parts_join_into_the_whole)
{
    static const invnet_format fmts[] = {INVNET_CSV, INVNET_JSON, INVNET_XYZ};
    char path[9][256];
    const char *pp[9];
    size_t n = make_soundings(path), i, k, parts, f;
    invnet_batch_params p = invnet_batch_default();
    invnet_batch *whole, *b[4];
    fwd_error e;

    for (i = 0; i < n; i++)
        pp[i] = path[i];
    p.check.refine_iter = 30;
    cr_assert_eq(invnet_batch_invert(nf, &p, pp, n, &whole, NULL), FWD_OK);
    cr_expect_eq(whole->first, 0);
    cr_expect_eq(whole->count, n);
    cr_expect_eq(whole->segments, 1); /* d.csv */
    for (parts = 1; parts <= 4; parts++) {
        size_t next = 0;
        int segments = 0;

        for (k = 0; k < parts; k++) {
            p.part = k;
            p.parts = parts;
            cr_assert_eq(invnet_batch_invert(nf, &p, pp, n, &b[k], NULL), FWD_OK);
            cr_expect_eq(b[k]->n, n);
            cr_expect_eq(b[k]->first, next, "part %zu of %zu", k, parts);
            cr_expect_eq(b[k]->count, (n * (k + 1)) / parts - (n * k) / parts);
            next += b[k]->count;
            segments |= b[k]->segments;
            for (i = 0; i < n; i++) {
                const invnet_candidate *c = invnet_batch_best(&b[k]->item[i]);
                const invnet_candidate *w = invnet_batch_best(&whole->item[i]);
                int mine = i >= b[k]->first && i < b[k]->first + b[k]->count;

                cr_expect_str_eq(b[k]->item[i].path, whole->item[i].path);
                if (!mine) {
                    cr_expect_eq(b[k]->item[i].n_candidates, 0, "item %zu", i);
                    continue;
                }
                cr_expect_eq(b[k]->item[i].status, whole->item[i].status, "item %zu", i);
                cr_expect_eq(c == NULL, w == NULL, "item %zu", i);
                if (c != NULL && w != NULL)
                    expect_same_result(&c->r, &w->r, i);
            }
        }
        cr_expect_eq(next, n);
        cr_expect_eq(segments, whole->segments);
        for (f = 0; f < 3; f++) {
            char *all = text_of(whole, fmts[f], 0, n, 1, 1), *joined = calloc(1, 1);

            for (k = 0; k < parts; k++) {
                char *t;

                b[k]->segments = segments;
                t = text_of(b[k], fmts[f], b[k]->first, b[k]->count, k == 0, k + 1 == parts);
                joined = realloc(joined, strlen(joined) + strlen(t) + 1);
                strcat(joined, t);
                free(t);
            }
            cr_expect_str_eq(joined, all, "%zu parts, format %zu", parts, f);
            free(joined);
            free(all);
        }
        for (k = 0; k < parts; k++)
            invnet_batch_free(b[k]);
    }
    /* a part that is not one of the parts */
    p.part = 4;
    p.parts = 4;
    cr_expect_eq(invnet_batch_invert(nf, &p, pp, n, &b[0], &e), FWD_EINVAL);
    cr_expect(strstr(e.msg, "part: expected 0 <= part < parts, got 4 of 4") != NULL, "%s", e.msg);
    p.part = 0;
    p.parts = 0;
    cr_expect_eq(invnet_batch_invert(nf, &p, pp, n, &b[0], &e), FWD_EINVAL);
    invnet_batch_free(whole);
}

/* The blocks: floor(n k / parts), without overflow for n near SIZE_MAX. */
Test(invnet_batch, part_blocks)
{
    size_t n, parts, k, first, count;
    const size_t big = (size_t)-1 / 2;

    for (n = 0; n < 40; n++)
        for (parts = 1; parts <= 7; parts++)
            for (k = 0; k < parts; k++) {
                invnet_batch_part(n, k, parts, &first, &count);
                cr_expect_eq(first, n * k / parts);
                cr_expect_eq(first + count, n * (k + 1) / parts);
            }
    for (k = 0; k < 3; k++) { /* against 128-bit arithmetic */
        __extension__ typedef unsigned __int128 u128;

        invnet_batch_part(big + k, k, 3, &first, &count);
        cr_expect(first == (size_t)((u128)(big + k) * k / 3), "%zu", first);
        cr_expect(first + count == (size_t)((u128)(big + k) * (k + 1) / 3), "%zu", count);
    }
}

/*
 * --drop-outlier: a sounding with a spike (one reading x 3) is flagged outlier_reading
 * without it; with it, that reading is taken out and the rest inverted again: the answer is
 * the one of the file without that row (bit for bit), flagged outlier_dropped and not
 * outlier_reading, the item naming the reading (its AB/2, value as read, line); a clean
 * sounding is untouched; and a sounding of 3 readings keeps its reading (too few left).
 */
Test(invnet_batch, drop_outlier_inverts_without_the_spike)
{
    static const double rho[3] = {100, 10, 500}, h[2] = {5, 20};
    char spike[256], clean[256], line[256], *pp[3];
    invnet_batch_params p = invnet_batch_default();
    invnet_batch *b0, *b1, *bc;
    const invnet_candidate *c0, *c1, *cc;
    double x = 0, v = 0;
    FILE *in, *out, *outc;
    size_t k = 0, spike_line = 9;

    write_sounding("base.csv", rho, h, 20, 1, 1000, 0);
    snprintf(line, sizeof line, "%s/base.csv", dir);
    snprintf(spike, sizeof spike, "%s/spike.csv", dir);
    snprintf(clean, sizeof clean, "%s/clean.csv", dir);
    in = fopen(line, "r");
    out = fopen(spike, "w");
    outc = fopen(clean, "w");
    cr_assert(in != NULL && out != NULL && outc != NULL);
    while (fgets(line, sizeof line, in) != NULL) { /* line k + 1 of the file */
        if (++k == spike_line) {
            cr_assert_eq(sscanf(line, "%lg,%lg", &x, &v), 2);
            fprintf(out, "%.10g,%.10g\n", x, 3 * v); /* the spike; clean.csv lacks the row */
            continue;
        }
        fputs(line, out);
        fputs(line, outc);
    }
    fclose(in);
    cr_assert_eq(fclose(out), 0);
    cr_assert_eq(fclose(outc), 0);
    pp[0] = spike;
    pp[1] = clean;
    p.check.refine_iter = 30;
    cr_assert_eq(invnet_batch_invert(nf, &p, (const char *const *)pp, 2, &b0, NULL), FWD_OK);
    cr_assert_eq(invnet_batch_params_set(&p, "drop_outlier", 1, NULL), FWD_OK);
    cr_assert_eq(invnet_batch_invert(nf, &p, (const char *const *)pp, 2, &b1, NULL), FWD_OK);
    cr_assert_eq(invnet_batch_invert(nf, &p, (const char *const *)pp + 1, 1, &bc, NULL), FWD_OK);
    c0 = invnet_batch_best(&b0->item[0]);
    c1 = invnet_batch_best(&b1->item[0]);
    cc = invnet_batch_best(&bc->item[0]);
    cr_assert(c0 != NULL && c1 != NULL && cc != NULL);
    cr_expect(c0->r.flags & INVNET_FLAG_OUTLIER, "the spike not flagged: %u", c0->r.flags);
    cr_expect(fabs(c0->r.outlier_x - x) <= 1e-9 * x, "%g, the spike at %g", c0->r.outlier_x, x);
    cr_expect_not(b0->item[0].dropped);
    cr_expect(b1->item[0].dropped && b1->item[0].dropped_x == x &&
                  fabs(b1->item[0].dropped_rho - 3 * v) <= 1e-9 * v &&
                  b1->item[0].dropped_line == spike_line,
              "%d %g %g %zu", b1->item[0].dropped, b1->item[0].dropped_x, b1->item[0].dropped_rho,
              b1->item[0].dropped_line);
    cr_expect_eq(b1->item[0].s->n, 19);
    cr_expect(c1->r.flags & INVNET_FLAG_DROPPED);
    cr_expect_not(c1->r.flags & INVNET_FLAG_OUTLIER);
    cr_expect_eq(c1->r.flags & ~INVNET_FLAG_DROPPED, cc->r.flags);
    for (k = 0; k < 3; k++)
        cr_expect(c1->r.rho_ohmm[k] == cc->r.rho_ohmm[k], "rho %zu: %.17g, clean.csv's %.17g", k,
                  c1->r.rho_ohmm[k], cc->r.rho_ohmm[k]);
    cr_expect(c1->r.misfit_rms_pct == cc->r.misfit_rms_pct);
    cr_expect(strstr(b1->item[0].why, "its reading at ab2_m ") != NULL &&
                  strstr(b1->item[0].why, "(line 9, ") != NULL &&
                  strstr(b1->item[0].why, "left out (--drop-outlier): the answer is of the other "
                                          "19") != NULL,
              "%s", b1->item[0].why);
    /* the clean file beside it: as without the setting */
    cr_expect_not(b1->item[1].dropped);
    expect_same_result(&invnet_batch_best(&b0->item[1])->r, &invnet_batch_best(&b1->item[1])->r, 1);
    invnet_batch_free(b0);
    invnet_batch_free(b1);
    invnet_batch_free(bc);
    /* 3 readings, one off: too few would be left; its answer as without the setting */
    out = fopen(spike, "w");
    cr_assert_not_null(out);
    fputs("ab2,rho_a\n1,100\n10,300\n100,120\n", out);
    cr_assert_eq(fclose(out), 0);
    cr_assert_eq(invnet_batch_invert(nf, &p, (const char *const *)pp, 1, &b1, NULL), FWD_OK);
    cr_expect_not(b1->item[0].dropped);
    cr_expect_eq(b1->item[0].s->n, 3);
    invnet_batch_free(b1);
    cr_expect_eq(invnet_batch_params_set(&p, "drop_outlier", 2, NULL), FWD_EINVAL);
}

/* --drop-outlier at the ends: a spike at the first or last reading bends the fit, and its
 * neighbour may stand out most (a tester's 4 of 36); the reading left out is the one whose
 * removal fits best: the spike, each time it is left out. */
Test(invnet_batch, drop_outlier_at_the_ends)
{
    static const double rho[3] = {100, 10, 500}, h[2] = {5, 20}, fac[2] = {0.3, 3};
    static const size_t at[2] = {0, 19};
    invnet_batch_params p = invnet_batch_default();
    char base[256], path[4][256], line[256], *pp[4];
    double spike_x[4];
    invnet_batch *b;
    size_t k, i, dropped = 0;

    write_sounding("ends.csv", rho, h, 20, 1, 1000, 0);
    snprintf(base, sizeof base, "%s/ends.csv", dir);
    for (k = 0; k < 4; k++) {
        FILE *in = fopen(base, "r"), *out;
        size_t n = 0;

        snprintf(path[k], sizeof path[k], "%s/end%zu.csv", dir, k);
        out = fopen(path[k], "w");
        cr_assert(in != NULL && out != NULL);
        while (fgets(line, sizeof line, in) != NULL) {
            double x, v;

            if (n++ == at[k / 2] + 1 && sscanf(line, "%lg,%lg", &x, &v) == 2) {
                fprintf(out, "%.10g,%.10g\n", x, fac[k % 2] * v);
                spike_x[k] = x;
            } else {
                fputs(line, out);
            }
        }
        fclose(in);
        cr_assert_eq(fclose(out), 0);
        pp[k] = path[k];
    }
    p.check.refine_iter = 30;
    p.drop_outlier = 1;
    cr_assert_eq(invnet_batch_invert(nf, &p, (const char *const *)pp, 4, &b, NULL), FWD_OK);
    for (i = 0; i < 4; i++) {
        if (!b->item[i].dropped)
            continue;
        dropped++;
        cr_expect(b->item[i].dropped_x == spike_x[i], "%s: left out %g, the spike at %g", path[i],
                  b->item[i].dropped_x, spike_x[i]);
    }
    cr_expect_geq(dropped, 3, "%zu of 4 spikes at the ends left out", dropped);
    invnet_batch_free(b);
}

/* stations: the items named (a file's name with or without its suffix; one that could not
 * be read by its path's last name), in the batch's order, their results those of the whole
 * batch; a name none has, or an empty one, refused. */
Test(invnet_batch, stations_by_name)
{
    char path[9][256];
    const char *pp[9];
    size_t n = make_soundings(path), i;
    invnet_batch_params p = invnet_batch_default();
    invnet_batch *whole, *some;
    fwd_error e;

    for (i = 0; i < n; i++)
        pp[i] = path[i];
    p.check.refine_iter = 30;
    cr_assert_eq(invnet_batch_invert(nf, &p, pp, n, &whole, NULL), FWD_OK);
    cr_assert_eq(invnet_batch_params_set_stations(&p, "e,none.csv,b.csv", NULL), FWD_OK);
    cr_assert_eq(invnet_batch_invert(nf, &p, pp, n, &some, NULL), FWD_OK);
    cr_assert_eq(some->n, 3);
    cr_expect_str_eq(some->item[0].path, path[1]); /* b.csv, e.csv, none.csv: in order */
    cr_expect_str_eq(some->item[1].path, path[4]);
    cr_expect_str_eq(some->item[2].path, path[7]);
    cr_expect_neq(some->item[2].status, FWD_OK); /* none.csv: not read, kept with its error */
    for (i = 0; i < 2; i++)
        expect_same_result(&invnet_batch_best(&some->item[i])->r,
                           &invnet_batch_best(&whole->item[i == 0 ? 1 : 4])->r, i);
    invnet_batch_free(some);
    cr_assert_eq(invnet_batch_params_set_stations(&p, "b,zz", NULL), FWD_OK);
    cr_expect_eq(invnet_batch_invert(nf, &p, pp, n, &some, &e), FWD_EINVAL);
    cr_expect_null(some);
    cr_expect_str_eq(e.field, "stations");
    cr_expect(strstr(e.msg, "stations: no sounding named \"zz\" among the 9 read (\"a.csv\", "
                            "\"b.csv\", \"c.csv\", ...)") != NULL,
              "%s", e.msg);
    cr_expect_eq(invnet_batch_params_set_stations(&p, "a,,b", &e), FWD_EINVAL);
    cr_expect_eq(invnet_batch_params_set_stations(&p, ",a", &e), FWD_EINVAL);
    cr_expect_eq(invnet_batch_params_set_stations(&p, "a,", &e), FWD_EINVAL);
    cr_expect_eq(invnet_batch_params_set_stations(&p, "", &e), FWD_EINVAL);
    invnet_batch_free(whole);
}
