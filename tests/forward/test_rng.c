/* SPDX-License-Identifier: MIT */
/*
 * test_rng.c - fwd_rng: the counter-based random streams every library draws from.
 */
#include <math.h>

#include <criterion/criterion.h>

#include "forward/base/fwd_rng.h"

Test(fwd_rng, streams_are_reproducible_and_distinct)
{
    gsl_rng *a = gsl_rng_alloc(fwd_rng_xoshiro256ss), *b = gsl_rng_alloc(fwd_rng_xoshiro256ss);
    double x[8], sum = 0;
    size_t i;
    int same = 1;

    fwd_rng_set_stream(a, 42, 7);
    for (i = 0; i < 8; i++)
        x[i] = gsl_rng_uniform(a);
    fwd_rng_set_stream(b, 42, 7);
    for (i = 0; i < 8; i++)
        cr_assert_eq(gsl_rng_uniform(b), x[i]);
    fwd_rng_set_stream(b, 42, 8);
    for (i = 0; i < 8; i++)
        same &= gsl_rng_uniform(b) == x[i];
    cr_assert(!same, "streams 7 and 8 are equal");
    fwd_rng_set_stream(b, 43, 7);
    cr_assert_neq(gsl_rng_uniform(b), x[0]);
    fwd_rng_set_stream(a, 1, 0);
    for (i = 0; i < 100000; i++) {
        double u = gsl_rng_uniform(a);
        cr_assert(u >= 0 && u < 1);
        sum += u;
    }
    cr_assert(fabs(sum / 100000 - 0.5) < 0.005, "mean %g", sum / 100000);
    cr_assert_str_eq(gsl_rng_name(a), "xoshiro256**");
    gsl_rng_free(a);
    gsl_rng_free(b);
}
