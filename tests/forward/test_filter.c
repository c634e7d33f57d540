/* SPDX-License-Identifier: MIT */
/*
 * test_filter.c - the shared-grid J1 filter's table (fwd_filter_shared.c) is W as its
 * design sums it (fwd_hankel.c), and the workspace's weights read W from it to 1e-9.
 */
#include <math.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include "forward/fwd_internal.h"

static fwd_dlf dlf;

static double
peak(const double *w, size_t n)
{
    double m = 0;
    size_t i;

    for (i = 0; i < n; i++)
        m = fabs(w[i]) > m ? fabs(w[i]) : m;
    return m;
}

static void
setup(void)
{
    fwd_error err;

    cr_assert_eq(fwd_dlf_init(&dlf, &err), FWD_OK, "%s", err.msg);
}

Test(fwd_filter, table_is_the_designs_W, .init = setup)
{
    static double w[FWD_DLF_TABLE_N];
    double top, worst = 0, outside = 0;
    size_t i;

    /* the table spans the cut window, the margin each side, and half the stencil */
    cr_assert_eq(lround((FWD_DLF_UHI - FWD_DLF_ULO + 2 * FWD_DLF_MARGIN) / FWD_DLF_TABLE_H) + 1 +
                     FWD_DLF_INTERP,
                 FWD_DLF_TABLE_N);
    fwd_dlf_sample(&dlf, FWD_DLF_TABLE_U0, FWD_DLF_TABLE_H, FWD_DLF_TABLE_N, w);
    top = peak(w, FWD_DLF_TABLE_N);
    cr_assert(top > 5 && top < 6, "W peaks at 5.6 near u = 2.7, got %g", top);
    for (i = 0; i < FWD_DLF_TABLE_N; i++) {
        double u = FWD_DLF_TABLE_U0 + (double)i * FWD_DLF_TABLE_H;

        worst = fmax(worst, fabs(fwd_dlf_table[i] - w[i]));
        if (u < FWD_DLF_ULO || u > FWD_DLF_UHI)
            outside = fmax(outside, fabs(w[i]));
    }
    cr_assert_leq(worst, 1e-12 * top,
                  "the table differs from the design by %.3g (peak %.3g): run make filter-table",
                  worst, top);
    /* beyond the window W is negligible: a datum of one term is cut there */
    cr_assert_leq(outside, 1e-10 * top, "W outside the window: %.3g", outside);
}

Test(fwd_filter, weights_read_W_from_the_table, .init = setup)
{
    enum { LEN = 170, NT = 3 };
    double w[LEN], ref[LEN], one[LEN], u0[NT], scale[NT] = {0.5, -1.25, 2.0}, top = 0, worst = 0;
    size_t k, q, trial;

    srand(11);
    for (trial = 0; trial < 50; trial++) {
        /* a datum's first sample lies within one step above the window's start */
        u0[0] = FWD_DLF_ULO + FWD_DLF_STEP * rand() / (double)RAND_MAX;
        fwd_dlf_weights(1, u0, scale + 2, LEN, w);
        fwd_dlf_sample(&dlf, u0[0], FWD_DLF_STEP, LEN, ref);
        for (k = 0; k < LEN; k++) {
            worst = fmax(worst, fabs(w[k] - 2.0 * ref[k]));
            top = fmax(top, fabs(ref[k]));
        }
        /* the terms of a finite-MN or Wenner datum: those of smaller radius start below the
         * window, by up to the spread of their ln r; the weights are their W's scaled sum */
        for (q = 1; q < NT; q++)
            u0[q] = u0[0] - FWD_DLF_MARGIN * rand() / (double)RAND_MAX;
        if (trial % 10 == 0) /* and a term past the margin: read where the table has it */
            u0[NT - 1] = FWD_DLF_TABLE_U0 - 1.0;
        fwd_dlf_weights(NT, u0, scale, LEN, w);
        for (k = 0; k < LEN; k++)
            ref[k] = 0;
        for (q = 0; q < NT; q++) {
            fwd_dlf_sample(&dlf, u0[q], FWD_DLF_STEP, LEN, one);
            for (k = 0; k < LEN; k++)        /* off the table W is below 1e-11 of its peak: */
                ref[k] += scale[q] * one[k]; /* the weights take it as 0 */
        }
        for (k = 0; k < LEN; k++)
            worst = fmax(worst, fabs(w[k] - ref[k]));
    }
    cr_assert_leq(worst, 1e-9 * top, "interpolated W off by %.3g (peak %.3g)", worst, top);
    /* wholly past the table: nothing */
    u0[0] = FWD_DLF_UHI + FWD_DLF_MARGIN + 1;
    fwd_dlf_weights(1, u0, scale, LEN, w);
    cr_assert_eq(peak(w, LEN), 0.0);
}
