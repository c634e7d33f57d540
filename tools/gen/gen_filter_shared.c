/* SPDX-License-Identifier: MIT */
/*
 * gen_filter_shared.c - writes forward/fwd_filter_shared.c, the table of the shared-grid
 * J1 filter W(u) (fwd_hankel.c, docs/methods.md) that every DC workspace interpolates.
 * Run by `make filter-table` after a change to the filter's design; the test suite checks
 * the table against fwd_dlf_sample() (tests/forward/test_filter.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include "forward/fwd_internal.h"

int
main(void)
{
    fwd_dlf f;
    fwd_error err;
    double w[FWD_DLF_TABLE_N];
    size_t i;

    if (fwd_dlf_init(&f, &err) != FWD_OK) {
        fprintf(stderr, "gen_filter_shared: %s\n", err.msg);
        return 1;
    }
    fwd_dlf_sample(&f, FWD_DLF_TABLE_U0, FWD_DLF_TABLE_H, FWD_DLF_TABLE_N, w);
    printf("/* SPDX-License-Identifier: MIT */\n"
           "/*\n"
           " * fwd_filter_shared.c - the shared-grid J1 filter W(u) of fwd_hankel.c, tabulated:\n"
           " * fwd_dlf_table[i] = W(%g + i * %g), %d points per filter step of %g in\n"
           " * ln(lambda), up to u = %g: the window [%g, %g], %g more each side for the terms\n"
           " * of a datum, and %d points each side for the interpolation. Written by\n"
           " * tools/gen/gen_filter_shared.c (`make filter-table`); do not edit.\n"
           " */\n"
           "#include \"forward/fwd_internal.h\"\n\n"
           "/* clang-format off */\n"
           "const double fwd_dlf_table[FWD_DLF_TABLE_N] = {\n",
           FWD_DLF_TABLE_U0, FWD_DLF_TABLE_H, FWD_DLF_OVERSAMPLE, FWD_DLF_STEP,
           FWD_DLF_TABLE_U0 + (FWD_DLF_TABLE_N - 1) * FWD_DLF_TABLE_H, FWD_DLF_ULO, FWD_DLF_UHI,
           FWD_DLF_MARGIN, FWD_DLF_INTERP / 2);
    for (i = 0; i < FWD_DLF_TABLE_N; i++)
        printf("%s%.16e,%s", i % 4 == 0 ? "    " : " ", w[i],
               i % 4 == 3 || i + 1 == FWD_DLF_TABLE_N ? "\n" : "");
    printf("};\n/* clang-format on */\n");
    return ferror(stdout) ? 1 : 0;
}
