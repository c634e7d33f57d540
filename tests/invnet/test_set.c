/* SPDX-License-Identifier: MIT */
/*
 * test_set.c - nets for several layer counts in one file (invnet_file.h, invnet_set) and
 * the count chosen per sounding by the batch (invnet_batch.h): round trip, refusals, and
 * the choice on soundings whose count is clear.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <hdf5.h>

#include "forward/fwd_forward.h"
#include "invnet/invert/invnet_batch.h"
#include "invnet/invert/invnet_batch_internal.h"
#include "invnet/invert/invnet_lm.h"
#include "samples/smp_h5.h"
#include "tests/common.h"
#include "tests/invnet/helpers.h"

static char dir[64];
static invnet_file *n2, *n3; /* 2 and 3 layers, the test geometry */
static double ab2[TST_NPTS];

static void
setup(void)
{
    char path[256];
    size_t i;

    tst_mkdtemp(dir, sizeof dir, "set");
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    for (i = 0; i < TST_NPTS; i++)
        ab2[i] = pow(10, 3.0 * (double)i / (TST_NPTS - 1));
    tst_make_samples_layers(dir, "s2.h5", 3000, 0.02, 0, TST_NPTS, ab2, 2, path);
    n2 = tst_train(path, 5, 2, 0.1, 1);
    tst_make_samples_layers(dir, "s3.h5", 3000, 0.02, 0, TST_NPTS, ab2, 3, path);
    n3 = tst_train(path, 5, 2, 0.1, 1);
}

static void
teardown(void)
{
    invnet_file_free(n3);
    invnet_file_free(n2);
    tst_rmtree(dir);
}

TestSuite(invnet_set, .init = setup, .fini = teardown, .timeout = 300);

/* Saved and read back: the nets by increasing count, their weights bit for bit. A set of
 * one is a plain net file; a set is not read as one net. */
Test(invnet_set, round_trip)
{
    const invnet_file *two[2] = {n3, n2}; /* in any order: read back by count */
    char path[256], one[256];
    invnet_set *s;
    invnet_file *f;
    fwd_error err;
    size_t k;

    snprintf(path, sizeof path, "%s/set.h5", dir);
    cr_assert_eq(invnet_set_save(path, two, 2, 0, &err), FWD_OK, "%s", err.msg);
    s = invnet_set_load(path, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_eq(s->n, 2);
    for (k = 0; k < 2; k++) {
        const invnet_file *orig = k == 0 ? n2 : n3;

        cr_expect_eq(s->net[k]->samples.prior.n_layers, k + 2);
        cr_assert_eq(invnet_net_nparams(s->net[k]->net), invnet_net_nparams(orig->net));
        cr_expect_arr_eq(invnet_net_params_const(s->net[k]->net),
                         invnet_net_params_const(orig->net),
                         invnet_net_nparams(orig->net) * sizeof(double));
    }
    cr_expect_eq(invnet_set_find(s, 3), s->net[1]);
    cr_expect_null(invnet_set_find(s, 4));
    cr_expect_eq(invnet_set_method(s), n2->samples.method);
    cr_expect_eq(invnet_set_layers(s, 0), 2);
    cr_expect_eq(invnet_set_layers(s, 1), 3);
    cr_expect_eq(invnet_set_layers(s, 2), 0);
    invnet_set_free(s);
    f = invnet_file_load(path, &err);
    cr_expect_null(f);
    cr_expect_eq(err.code, FWD_EFORMAT);
    cr_expect(strstr(err.msg, "several layer counts") != NULL, "%s", err.msg);
    /* a set of one: a plain net file, read either way */
    snprintf(one, sizeof one, "%s/one.h5", dir);
    cr_assert_eq(invnet_set_save(one, &two[1], 1, 0, &err), FWD_OK, "%s", err.msg);
    f = invnet_file_load(one, &err);
    cr_expect_not_null(f, "%s", err.msg);
    invnet_file_free(f);
    s = invnet_set_load(one, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_eq(s->n, 1);
    invnet_set_free(s);
}

/* Nets a set cannot hold together are refused, and nothing is written; a damaged set gets
 * a message naming the part. */
Test(invnet_set, refusals)
{
    const invnet_file *same[2] = {n3, n3}, *two[2] = {n2, n3};
    invnet_file *other;
    char path[256], sp[256];
    double ab2b[TST_NPTS];
    fwd_error err;
    invnet_set *s;
    hid_t f;
    size_t i;

    snprintf(path, sizeof path, "%s/bad.h5", dir);
    cr_expect_eq(invnet_set_save(path, same, 2, 0, &err), FWD_EINVAL);
    cr_expect(strstr(err.msg, "two nets of 3 layers") != NULL, "%s", err.msg);
    for (i = 0; i < TST_NPTS; i++)
        ab2b[i] = 2 * ab2[i];
    tst_make_samples_layers(dir, "g2.h5", 300, 0.02, 0, TST_NPTS, ab2b, 2, sp);
    other = tst_train(sp, 1, 1, 0.1, 1);
    two[0] = other;
    cr_expect_eq(invnet_set_save(path, two, 2, 0, &err), FWD_EINVAL);
    cr_expect(strstr(err.msg, "differ in their geometry") != NULL, "%s", err.msg);
    invnet_file_free(other);
    two[0] = n2;
    two[1] = n3;
    n3->samples.noise = 0.05;
    cr_expect_eq(invnet_set_save(path, two, 2, 0, &err), FWD_EINVAL);
    cr_expect(strstr(err.msg, "differ in their training noise") != NULL, "%s", err.msg);
    n3->samples.noise = n2->samples.noise;
    { /* the same AB/2 with a finite MN/2, and another forward filter */
        fwd_geom *g3 = (fwd_geom *)(uintptr_t)n3->geom, *gm;
        double mn2[TST_NPTS];

        for (i = 0; i < TST_NPTS; i++)
            mn2[i] = ab2[i] / 10;
        gm = fwd_geom_alloc(FWD_SCHLUMBERGER, TST_NPTS, ab2, mn2, NULL);
        cr_assert_not_null(gm);
        n3->geom = gm;
        cr_expect_eq(invnet_set_save(path, two, 2, 0, &err), FWD_EINVAL);
        cr_expect(strstr(err.msg, "differ in their geometry (MN/2)") != NULL, "%s", err.msg);
        n3->geom = g3;
        fwd_geom_free(gm);
        snprintf(n3->samples.forward_filter, sizeof n3->samples.forward_filter, "other");
        cr_expect_eq(invnet_set_save(path, two, 2, 0, &err), FWD_EINVAL);
        cr_expect(strstr(err.msg, "differ in their forward filter") != NULL, "%s", err.msg);
        snprintf(n3->samples.forward_filter, sizeof n3->samples.forward_filter, "%s",
                 n2->samples.forward_filter);
    }
    cr_expect_neq(access(path, F_OK), 0, "a refused set was written");
    /* n_nets that does not match the groups */
    two[0] = n2;
    two[1] = n3;
    cr_assert_eq(invnet_set_save(path, two, 2, 0, &err), FWD_OK, "%s", err.msg);
    f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    H5Adelete(f, "n_nets");
    cr_assert_eq(smp_h5_write_u64(f, "n_nets", 3, NULL), FWD_OK);
    H5Fclose(f);
    s = invnet_set_load(path, &err);
    cr_expect_null(s);
    cr_expect(strstr(err.msg, "n_nets: 3, but 2 nets under /nets") != NULL, "%s", err.msg);
    /* a damaged net of the set is named with its group */
    f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    H5Adelete(f, "n_nets");
    smp_h5_write_u64(f, "n_nets", 2, NULL);
    H5Ldelete(f, "nets/3/envelope/input_min", H5P_DEFAULT);
    H5Fclose(f);
    s = invnet_set_load(path, &err);
    cr_expect_null(s);
    cr_expect(strstr(err.msg, "bad.h5:/nets/3") != NULL, "%s", err.msg);
}

/* Writes the response of (rho, h) of nl layers at the test geometry to dir/name, each
 * value times exp(noise N(0, 1)) from r (none when r is NULL). */
static void
write_noisy(const char *name, size_t nl, const double *rho, const double *h, double noise,
            gsl_rng *r, char *path)
{
    fwd_geom *g = fwd_geom_alloc(FWD_SCHLUMBERGER, TST_NPTS, ab2, NULL, NULL);
    fwd_workspace *w = fwd_workspace_alloc(g, NULL, NULL);
    double d[TST_NPTS];
    FILE *f;
    size_t i;

    cr_assert_eq(fwd_eval(w, nl, rho, h, d, NULL), FWD_OK);
    snprintf(path, 256, "%s/%s", dir, name);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "ab2_m,rho_a_ohmm\n");
    for (i = 0; i < TST_NPTS; i++)
        fprintf(f, "%.12g,%.12g\n", ab2[i],
                d[i] * (r != NULL ? exp(noise * gsl_ran_gaussian(r, 1)) : 1));
    fclose(f);
    fwd_workspace_free(w);
    fwd_geom_free(g);
}

/* Writes the response of (rho, h) of nl layers at the test geometry to dir/name. */
static void
write_sounding(const char *name, size_t nl, const double *rho, const double *h, char *path)
{
    write_noisy(name, nl, rho, h, 0, NULL, path);
}

/* The set of the 2- and 3-layer test nets, saved as dir/name and loaded back. */
static invnet_set *
saved_set(const char *name)
{
    const invnet_file *nets[2] = {n2, n3};
    char path[256];
    fwd_error err;
    invnet_set *s;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    cr_assert_eq(invnet_set_save(path, nets, 2, 0, &err), FWD_OK, "%s", err.msg);
    s = invnet_set_load(path, &err);
    cr_assert_not_null(s, "%s", err.msg);
    return s;
}

/*
 * Exact data of a 2-layer earth: both counts fit it (chi2 ~ 0), and the 2 layers win by
 * the penalty of 2 parameters, weight n / (n + 1) with n = 20 data. A 3-layer earth with a
 * strong middle layer: 2 layers cannot fit it, 3 win outright. --layers forces a count; a
 * count not in the set is refused.
 */
Test(invnet_set, the_count_the_data_need)
{
    const double r2[2] = {20, 200}, h2[1] = {6}, r3[3] = {100, 5, 300}, h3[2] = {5, 10};
    char p2[256], p3[256];
    const char *paths[2] = {p2, p3};
    invnet_batch_params bp = invnet_batch_default();
    invnet_batch *b;
    invnet_set *s;
    fwd_error err;
    const invnet_batch_item *it;
    size_t k;

    write_sounding("two.csv", 2, r2, h2, p2);
    write_sounding("three.csv", 3, r3, h3, p3);
    s = saved_set("set2.h5");
    bp.check.refine_iter = 30;
    bp.threads = 2;
    cr_assert_eq(invnet_batch_invert_set(s, &bp, paths, 2, &b, &err), FWD_OK, "%s", err.msg);
    cr_expect_eq(b->n_counts, 2);
    cr_expect_eq(b->n_layers, 3);
    it = &b->item[0];
    cr_assert_eq(it->n_candidates, 2, "%s", it->err);
    cr_expect_eq(invnet_batch_best(it)->r.n_layers, 2);
    cr_expect_float_eq(it->candidates[0].weight, 20.0 / 21.0, 0.01, "weight %g",
                       it->candidates[0].weight);
    cr_expect_float_eq(it->candidates[0].weight + it->candidates[1].weight, 1, 1e-12);
    cr_expect_float_eq(it->noise_scale, 1, 1e-12, "exact data: the errors as they are");
    cr_expect_float_eq(it->candidates[1].criterion - it->candidates[0].criterion,
                       2 * log(20.0) + it->candidates[1].chi2 - it->candidates[0].chi2, 1e-9);
    it = &b->item[1];
    cr_expect_eq(invnet_batch_best(it)->r.n_layers, 3);
    for (k = 0; k < 2; k++) /* nested models: 3 layers fit at least as well as 2 */
        cr_expect_leq(b->item[k].candidates[1].chi2,
                      b->item[k].candidates[0].chi2 * (1 + 1e-6) + 1e-9,
                      "sounding %zu: chi2 %g (3 layers), %g (2)", k, b->item[k].candidates[1].chi2,
                      b->item[k].candidates[0].chi2);
    cr_expect_gt(it->candidates[1].weight, 0.999, "weight %g", it->candidates[1].weight);
    cr_expect_gt(it->candidates[0].chi2, 100, "2 layers fit a strong 3-layer earth: chi2 %g",
                 it->candidates[0].chi2);
    invnet_batch_free(b);
    /* forced */
    bp.layers = 3;
    cr_assert_eq(invnet_batch_invert_set(s, &bp, paths, 1, &b, &err), FWD_OK, "%s", err.msg);
    cr_expect_eq(b->n_counts, 1);
    cr_expect_eq(b->item[0].n_candidates, 1);
    cr_expect_eq(invnet_batch_best(&b->item[0])->r.n_layers, 3);
    invnet_batch_free(b);
    bp.layers = 4;
    cr_expect_eq(invnet_batch_invert_set(s, &bp, paths, 1, &b, &err), FWD_EINVAL);
    cr_expect_str_eq(err.field, "layers");
    cr_expect(strstr(err.msg, "(2, 3), got 4") != NULL, "%s", err.msg);
    invnet_set_free(s);
}

/* r as a fit of count nl whose chi2 against s (the nets' noise) is chi2: every response
 * the same factor off the data (resp, obs: s->n values each). */
static void
fit_of_chi2(const fwd_sounding *s, size_t nl, double chi2, double *resp, double *obs,
            invnet_result *r)
{
    double c;
    size_t i;

    memset(r, 0, sizeof *r);
    r->inverted = 1;
    r->n_layers = nl;
    r->chi2 = r->chi2_given = NAN; /* a sounding without errors */
    r->response = resp;
    r->observed = obs;
    for (i = 0; i < s->n; i++)
        obs[i] = s->rho_a[i], resp[i] = s->rho_a[i] * exp(0.01);
    c = invnet_lm_chi2(s, obs, resp, n2->samples.noise);
    for (i = 0; i < s->n; i++) /* chi2 goes with the square of the log residual */
        resp[i] = s->rho_a[i] * exp(0.01 * sqrt(chi2 / c));
}

/*
 * Which counts run all their starts once the first fits are in (invnet_batch_more_starts),
 * 20 data, noise 2 %, refit 1.5 (chi2 45 fits the noise): when the count preferred fits the
 * noise, another count runs them where its fit is above its own noise level (n - p) and,
 * there, would be preferred (BIC n - p + p ln n below the preferred one's). A count below
 * the preferred one too: 2 layers at chi2 45 against 3 layers' 18 (BIC 33.0 against 2
 * layers' 26.0 at their level), which the rule of the count above alone left at its first
 * fit; but not at 60, over 3 times the preferred chi2 (a model that does not fit). Not where
 * it could not win (3 layers at chi2 5: BIC 20.0), nor where it fits to its level already;
 * every count when the one preferred misses the noise.
 */
Test(invnet_set, counts_that_could_win_run_every_start)
{
    const invnet_file *nets[2] = {n2, n3};
    double rho[TST_NPTS], resp[2][TST_NPTS], obs[2][TST_NPTS];
    const double r2[2] = {20, 200}, h2[1] = {6};
    fwd_geom *g = fwd_geom_alloc(FWD_SCHLUMBERGER, TST_NPTS, ab2, NULL, NULL);
    fwd_workspace *w = fwd_workspace_alloc(g, NULL, NULL);
    fwd_sounding *s;
    invnet_result r[2];
    int want[2];

    cr_assert_eq(fwd_eval(w, 2, r2, h2, rho, NULL), FWD_OK);
    s = tst_sounding(TST_NPTS, ab2, rho);
    cr_assert_eq(fwd_sounding_ndata(s), 20);
    fit_of_chi2(s, 2, 45, resp[0], obs[0], &r[0]);
    fit_of_chi2(s, 3, 18, resp[1], obs[1], &r[1]);
    cr_expect_eq(invnet_batch_more_starts(nets, 2, s, r, 1.5, want), 1);
    cr_expect(want[0] && !want[1], "the count below: %d %d", want[0], want[1]);
    fit_of_chi2(s, 2, 60, resp[0], obs[0], &r[0]); /* over 3 x: a model that does not fit */
    cr_expect_eq(invnet_batch_more_starts(nets, 2, s, r, 1.5, want), 0);
    fit_of_chi2(s, 3, 5, resp[1], obs[1], &r[1]); /* 2 layers cannot win */
    cr_expect_eq(invnet_batch_more_starts(nets, 2, s, r, 1.5, want), 0);
    fit_of_chi2(s, 2, 16, resp[0], obs[0], &r[0]); /* at its level already */
    fit_of_chi2(s, 3, 1, resp[1], obs[1], &r[1]);
    cr_expect_eq(invnet_batch_more_starts(nets, 2, s, r, 1.5, want), 0);
    fit_of_chi2(s, 2, 30, resp[0], obs[0], &r[0]); /* the count above: 3 layers at 17 wins */
    fit_of_chi2(s, 3, 29, resp[1], obs[1], &r[1]);
    cr_expect_eq(invnet_batch_more_starts(nets, 2, s, r, 1.5, want), 1);
    cr_expect(!want[0] && want[1], "the count above: %d %d", want[0], want[1]);
    fit_of_chi2(s, 2, 80, resp[0], obs[0], &r[0]); /* the preferred misses the noise: all */
    fit_of_chi2(s, 3, 50, resp[1], obs[1], &r[1]);
    cr_expect_eq(invnet_batch_more_starts(nets, 2, s, r, 1.5, want), 2);
    fwd_sounding_free(s);
    fwd_workspace_free(w);
    fwd_geom_free(g);
}

/*
 * Data three times noisier than the nets' training noise (6 % against 2 %): 20 soundings
 * of a 2-layer earth. The noise scale estimates the data's noise from the fits,
 * s = sqrt(chi2 / (n - p)) of the count where that is least, when that chi2 is beyond
 * chance (above the 95th percentile of chi-square, n - p degrees of freedom; else 1), and
 * each criterion is
 * chi2 / s^2 + p ln n: 3 layers fit the noise better by chi2 of about 2 degrees of freedom
 * (mean 2 s^2), which the price 2 ln 20 = 6.0 outweighs but for a few per cent of soundings
 * (measured: 1 of 20 pick 3 layers; with the training noise as the data's, 13 of 20).
 */
Test(invnet_set, noisier_data_buy_no_layers)
{
    const double r2[2] = {20, 200}, h2[1] = {6};
    char path[20][256];
    const char *paths[20];
    invnet_batch_params bp = invnet_batch_default();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    invnet_batch *b;
    invnet_set *s;
    fwd_error err;
    size_t k, three = 0, raw_three = 0;
    double med[20];

    gsl_rng_set(rng, 7);
    for (k = 0; k < 20; k++) {
        char name[32];

        snprintf(name, sizeof name, "noisy%02zu.csv", k);
        write_noisy(name, 2, r2, h2, 0.06, rng, path[k]);
        paths[k] = path[k];
    }
    gsl_rng_free(rng);
    s = saved_set("set_noisy.h5");
    bp.check.refine_iter = 30;
    bp.threads = 2;
    cr_assert_eq(invnet_batch_invert_set(s, &bp, paths, 20, &b, &err), FWD_OK, "%s", err.msg);
    for (k = 0; k < 20; k++) {
        const invnet_batch_item *it = &b->item[k];
        const invnet_candidate *c = it->candidates;
        double n = TST_NPTS, least = INFINITY, dof = 0, sc;
        size_t j;

        cr_assert_eq(it->n_candidates, 2, "%s", it->err);
        for (j = 0; j < 2; j++) {
            double nu = n - (double)FWD_MODEL_NPARAMS(c[j].r.n_layers);

            if (c[j].chi2 / nu < least) {
                least = c[j].chi2 / nu;
                dof = nu;
            }
        }
        /* beyond chance (the 95th percentile of chi-square): the data's noise; else 1 */
        sc = least * dof > gsl_cdf_chisq_Pinv(0.95, dof) ? sqrt(least) : 1;
        cr_expect_float_eq(it->noise_scale, sc, 1e-9 * sc);
        for (j = 0; j < 2; j++)
            cr_expect_float_eq(c[j].criterion,
                               c[j].chi2 / (sc * sc) +
                                   (double)FWD_MODEL_NPARAMS(c[j].r.n_layers) * log(n),
                               1e-9 * fabs(c[j].criterion));
        three += invnet_batch_best(it)->r.n_layers == 3;
        raw_three += c[1].chi2 + 5 * log(n) < c[0].chi2 + 3 * log(n);
        med[k] = it->noise_scale;
    }
    gsl_sort(med, 1, 20);
    cr_log_info("6 %% data on 2 %% nets: 3 layers chosen for %zu of 20 (%zu with the training "
                "noise as the data's); noise scale median %.3f",
                three, raw_three, 0.5 * (med[9] + med[10]));
    cr_expect_leq(three, 3, "%zu of 20 soundings of 2 layers got 3", three);
    cr_expect_geq(raw_three, 8, "the case is one the old criterion got wrong: %zu", raw_three);
    cr_expect(med[9] > 2.4 && med[10] < 3.6, "noise scale median %.3f, expected about 3",
              0.5 * (med[9] + med[10]));
    invnet_batch_free(b);
    invnet_set_free(s);
}

/*
 * With a set, the fit outside the prior runs for the count chosen only, after the choice:
 * an earth with rho_2 = 3000 ohm-m (the prior's top is 1000) is flagged
 * data_outside_training_range in its chosen count, the other candidate carries no such fit,
 * and the answer is the one of a run without it (exit_decades 0); an in-prior earth runs
 * none; an earth whose answer fits on the prior's top (rho_3 = 1500 ohm-m) runs it in the
 * count chosen, and is flagged.
 */
Test(invnet_set, the_fit_outside_the_prior_for_the_count_chosen)
{
    const double r3[3] = {100, 3000, 100}, h3[2] = {5, 40}, r2[2] = {20, 200}, h2[1] = {6};
    char p3[256], p2[256];
    const char *paths[2] = {p3, p2};
    invnet_batch_params bp = invnet_batch_default();
    invnet_batch *b, *b0;
    invnet_set *s;
    fwd_error err;
    const invnet_candidate *c, *c0;
    size_t k;

    write_sounding("beyond.csv", 3, r3, h3, p3);
    write_sounding("two_in.csv", 2, r2, h2, p2);
    s = saved_set("set_exit.h5");
    bp.check.refine_iter = 30;
    bp.check.d2_factor = 1e6; /* the fit alone decides */
    bp.threads = 2;
    cr_assert_eq(invnet_batch_invert_set(s, &bp, paths, 2, &b, &err), FWD_OK, "%s", err.msg);
    bp.check.exit_decades = 0;
    cr_assert_eq(invnet_batch_invert_set(s, &bp, paths, 2, &b0, &err), FWD_OK, "%s", err.msg);
    c = invnet_batch_best(&b->item[0]);
    c0 = invnet_batch_best(&b0->item[0]);
    cr_expect(c->r.flags & INVNET_FLAG_MISFIT, "misfit %.1f %%", c->r.misfit_rms_pct);
    cr_expect(c->r.exit_run && (c->r.flags & INVNET_FLAG_OUTSIDE),
              "the count chosen (%zu layers): run %d, misfit outside %.2f %%", c->r.n_layers,
              c->r.exit_run, c->r.exit_misfit_pct);
    cr_expect(!c0->r.exit_run, "run with exit_decades 0 (n_outside %zu)", c0->r.n_outside);
    for (k = 0; k < b->item[0].n_candidates; k++)
        if (&b->item[0].candidates[k] != c)
            cr_expect(!b->item[0].candidates[k].r.exit_run, "count %zu ran it too", k);
    cr_expect_eq(c->r.n_layers, c0->r.n_layers);
    for (k = 0; k < c->r.n_layers; k++)
        cr_expect_eq(c->r.rho_ohmm[k], c0->r.rho_ohmm[k], "rho_%zu", k + 1);
    cr_expect_eq(c->r.misfit_rms_pct, c0->r.misfit_rms_pct);
    c = invnet_batch_best(&b->item[1]);
    cr_expect(!c->r.exit_run && c->r.flags == 0, "in the prior: flags %x", c->r.flags);
    invnet_batch_free(b0);
    invnet_batch_free(b);
    /* an answer that fits, resting on the prior's top (rho_3 = 1500 ohm-m): the count
     * chosen runs the fit too, and is flagged */
    {
        const double rb[3] = {100, 20, 1500}, hb[2] = {5, 20};
        char pb[256];
        const char *one[1] = {pb};

        write_sounding("bound.csv", 3, rb, hb, pb);
        bp.check.exit_decades = 2;
        cr_assert_eq(invnet_batch_invert_set(s, &bp, one, 1, &b, &err), FWD_OK, "%s", err.msg);
        c = invnet_batch_best(&b->item[0]);
        cr_expect(c->r.on_bound && !(c->r.flags & INVNET_FLAG_MISFIT),
                  "%zu layers: on a bound %d, misfit %.2f %%", c->r.n_layers, c->r.on_bound,
                  c->r.misfit_rms_pct);
        cr_expect(c->r.exit_run && (c->r.flags & INVNET_FLAG_OUTSIDE),
                  "on a bound, not flagged: the wider fit %.2f %% against %.2f %%",
                  c->r.exit_misfit_pct, c->r.misfit_rms_pct);
        for (k = 0; k < b->item[0].n_candidates; k++)
            if (&b->item[0].candidates[k] != c)
                cr_expect(!b->item[0].candidates[k].r.exit_run, "count %zu ran it too", k);
        invnet_batch_free(b);
    }
    invnet_set_free(s);
}

/*
 * A fit tried again from a given start (invnet_inverter_set_start, as the choice of the
 * count does from a split or merged model) runs from that start alone: the bounded fit from
 * that start (invnet_lm_fit), the same as an inverter of one start gives, on a 5-layer earth
 * that 3 layers cannot fit, from a start near the prior's corner (5 % of each range: a
 * trust region whose scale followed the box's slope down there threw parameters to the far
 * bounds and stopped at 25 times the cost of the fit from the net's model).
 * invnet_inverter_set_starts caps the starts (the net's model alone fits worse than all the
 * starts), and 0 gives the inverter's own back.
 */
Test(invnet_set, a_given_start_runs_alone)
{
    const double r5[5] = {10, 300, 3, 500, 20}, h5[4] = {3, 8, 20, 60};
    const smp_prior *pr = &n3->samples.prior;
    invnet_check_params cp = invnet_check_default();
    invnet_inverter *many, *one;
    invnet_result rm, r1, r0;
    double st[5];
    fwd_sounding *s;
    fwd_error err;
    char path[256];
    size_t k;

    write_sounding("five.csv", 5, r5, h5, path);
    s = fwd_sounding_read(path, FWD_SCHLUMBERGER, FWD_COMP_DET, &err);
    cr_assert_not_null(s, "%s", err.msg);
    for (k = 0; k < 3; k++)
        st[k] = log10(pr->rho_min[k]) + 0.05 * log10(pr->rho_max[k] / pr->rho_min[k]);
    for (k = 0; k < 2; k++)
        st[3 + k] = log10(pr->thick_min[k]) + 0.05 * log10(pr->thick_max[k] / pr->thick_min[k]);
    cp.refine_iter = 30;
    many = invnet_inverter_alloc(n3, &cp, &err);
    cp.refine_starts = 1;
    one = invnet_inverter_alloc(n3, &cp, &err);
    cr_assert(many != NULL && one != NULL, "%s", err.msg);
    cr_assert_eq(invnet_invert(many, s, &r0, &err), FWD_OK, "%s", err.msg);
    invnet_inverter_set_start(many, st);
    invnet_inverter_set_start(one, st);
    cr_assert_eq(invnet_invert(many, s, &rm, &err), FWD_OK, "%s", err.msg);
    cr_assert_eq(invnet_invert(one, s, &r1, &err), FWD_OK, "%s", err.msg);
    cr_assert(rm.refined && r1.refined);
    cr_expect_arr_eq(rm.rho_ohmm, r1.rho_ohmm, 3 * sizeof(double));
    cr_expect_arr_eq(rm.thick_m, r1.thick_m, 2 * sizeof(double));
    cr_expect_eq(rm.misfit_rms_pct, r1.misfit_rms_pct);
    /* that model is the bounded fit from st itself, as invnet_lm_fit gives it (the same
     * iterations, noise floors and prior box), not the net's own fit */
    {
        invnet_lm_params lp = invnet_lm_default();
        double lo[5], hi[5], p[5];
        fwd_geom *g = fwd_sounding_geom(s, &err);
        fwd_workspace *w = g != NULL ? fwd_workspace_alloc(g, NULL, NULL) : NULL;
        invnet_result rn;

        cr_assert_not_null(w);
        lp.max_iter = 30;
        lp.sd_log10_floor = n3->samples.noise / log(10.0);
        lp.sd_phase_floor = fwd_phase_sd_deg(n3->samples.noise);
        for (k = 0; k < 5; k++) {
            lo[k] = log10(k < 3 ? pr->rho_min[k] : pr->thick_min[k - 3]);
            hi[k] = log10(k < 3 ? pr->rho_max[k] : pr->thick_max[k - 3]);
        }
        memcpy(p, st, sizeof p);
        cr_assert_eq(invnet_lm_fit(w, s, 3, p, lo, hi, &lp, NULL, &err), FWD_OK, "%s", err.msg);
        for (k = 0; k < 3; k++)
            cr_expect_float_eq(log10(rm.rho_ohmm[k]), p[k], 1e-9, "rho %zu: %g vs %g", k,
                               log10(rm.rho_ohmm[k]), p[k]);
        for (k = 0; k < 2; k++)
            cr_expect_float_eq(log10(rm.thick_m[k]), p[3 + k], 1e-9, "h %zu: %g vs %g", k,
                               log10(rm.thick_m[k]), p[3 + k]);
        invnet_inverter_set_start(one, NULL);
        cr_assert_eq(invnet_invert(one, s, &rn, &err), FWD_OK, "%s", err.msg);
        cr_expect_gt(fabs(log10(rn.rho_ohmm[0]) - p[0]) + fabs(log10(rn.rho_ohmm[1]) - p[1]) +
                         fabs(log10(rn.thick_m[0]) - p[3]),
                     1e-3, "the net's own fit is another model");
        invnet_inverter_set_start(one, st);
        fwd_workspace_free(w);
        fwd_geom_free(g);
    }
    /* one start at most, as the choice of the count's first fits run (a screening: its fit
     * is not carried on to convergence, as one start's alone is where it misses the noise),
     * then the inverter's own again */
    invnet_inverter_set_start(many, NULL);
    invnet_inverter_set_start(one, NULL);
    invnet_inverter_set_starts(many, 1, 0);
    cr_assert_eq(invnet_invert(many, s, &rm, &err), FWD_OK, "%s", err.msg);
    cr_assert_eq(invnet_invert(one, s, &r1, &err), FWD_OK, "%s", err.msg);
    cr_expect_geq(rm.misfit_rms_pct, r1.misfit_rms_pct, "capped %g %%, one start %g %%",
                  rm.misfit_rms_pct, r1.misfit_rms_pct);
    cr_expect_lt(rm.misfit_rms_pct, 1.01 * r1.misfit_rms_pct, "capped %g %%, one start %g %%",
                 rm.misfit_rms_pct, r1.misfit_rms_pct);
    cr_expect_gt(rm.misfit_rms_pct, r0.misfit_rms_pct, "one start: %g %%, all: %g %%",
                 rm.misfit_rms_pct, r0.misfit_rms_pct);
    invnet_inverter_set_starts(many, 0, 0);
    cr_assert_eq(invnet_invert(many, s, &rm, &err), FWD_OK, "%s", err.msg);
    cr_expect_arr_eq(rm.rho_ohmm, r0.rho_ohmm, 3 * sizeof(double));
    cr_expect_arr_eq(rm.thick_m, r0.thick_m, 2 * sizeof(double));
    invnet_inverter_free(one);
    invnet_inverter_free(many);
    fwd_sounding_free(s);
}

/* The model of (rho, h) of nl layers as an invnet_result. */
static invnet_result
as_result(size_t nl, const double *rho, const double *h)
{
    invnet_result r;

    memset(&r, 0, sizeof r);
    r.n_layers = nl;
    memcpy(r.rho_ohmm, rho, nl * sizeof *rho);
    memcpy(r.thick_m, h, (nl - 1) * sizeof *h);
    r.inverted = 1;
    return r;
}

/* The largest relative difference between the responses of two log10 models at the test
 * geometry. */
static double
response_change(fwd_workspace *w, size_t na, const double *pa, size_t nb, const double *pb)
{
    double ra[8], ha[8], rb[8], hb[8], da[TST_NPTS], db[TST_NPTS], worst = 0;
    size_t i;

    for (i = 0; i < na; i++)
        ra[i] = pow(10, pa[i]);
    for (i = 0; i + 1 < na; i++)
        ha[i] = pow(10, pa[na + i]);
    for (i = 0; i < nb; i++)
        rb[i] = pow(10, pb[i]);
    for (i = 0; i + 1 < nb; i++)
        hb[i] = pow(10, pb[nb + i]);
    cr_assert_eq(fwd_eval(w, na, ra, ha, da, NULL), FWD_OK);
    cr_assert_eq(fwd_eval(w, nb, rb, hb, db, NULL), FWD_OK);
    for (i = 0; i < TST_NPTS; i++)
        worst = fmax(worst, fabs(db[i] / da[i] - 1));
    return worst;
}

/*
 * The restarts between layer counts start from the same earth: every split of a 4-layer
 * model into 5 layers (each layer in turn, the half-space too, and the thickest by default)
 * and into 6 has the same response; merging two neighbours of equal resistivity does too,
 * and merging the two of least contrast picks them.
 */
Test(invnet_set, splits_and_merges_keep_the_earth)
{
    const double rho[4] = {100, 10, 1000, 30}, h[3] = {5, 20, 40};
    const double rho5[5] = {100, 10, 10, 1000, 30}, h5[4] = {5, 8, 12, 40};
    fwd_geom *g = fwd_geom_alloc(FWD_SCHLUMBERGER, TST_NPTS, ab2, NULL, NULL);
    fwd_workspace *w = fwd_workspace_alloc(g, NULL, NULL);
    invnet_result r = as_result(4, rho, h), r5 = as_result(5, rho5, h5);
    double p4[7], p[11], q[7];
    size_t k, first;

    cr_assert_not_null(w);
    for (k = 0; k < 4; k++)
        p4[k] = log10(rho[k]);
    for (k = 0; k < 3; k++)
        p4[4 + k] = log10(h[k]);
    for (first = 0; first <= 4; first++) {
        size_t f = first == 4 ? SIZE_MAX : first;

        invnet_split_model(&r, 5, f, p);
        cr_expect_lt(response_change(w, 4, p4, 5, p), 1e-12, "split of layer %zu", first);
    }
    invnet_split_model(&r, 6, 1, p);
    cr_expect_lt(response_change(w, 4, p4, 6, p), 1e-12, "two splits");
    /* layers 2 and 3 of r5 are one layer of 10 ohm-m and 20 m: r's earth */
    invnet_merge_model(&r5, 4, 1, q);
    cr_expect_lt(response_change(w, 4, p4, 4, q), 1e-12, "merge of the equal pair");
    invnet_merge_model(&r5, 4, SIZE_MAX, q);
    cr_expect_lt(response_change(w, 4, p4, 4, q), 1e-12, "merge of least contrast");
    invnet_merge_model(&r5, 4, 2, q); /* another pair: another earth */
    cr_expect_gt(response_change(w, 4, p4, 4, q), 1e-3, "merge of a contrasted pair");
    fwd_workspace_free(w);
    fwd_geom_free(g);
}
