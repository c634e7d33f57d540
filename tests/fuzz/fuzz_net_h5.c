/* SPDX-License-Identifier: MIT */
/*
 * fuzz_net_h5.c - libFuzzer target of the net file loader on mutated HDF5 files:
 * invnet_file_load(); a net it accepts then inverts one sounding (a 100 ohm-m half-space
 * measured at the net's own points), as `bpinv invert` uses a loaded net, so that a file
 * the loader passes but the inverter cannot use is found too. Inputs are mutated through
 * the HDF5 API (fuzz_h5mut.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "forward/fwd_geom.h"
#include "forward/readers/fwd_sounding.h"
#include "invnet/invnet_file.h"
#include "invnet/invert/invnet_invert.h"
#include "tests/fuzz/fuzz_h5mut.h"
#include "tests/fuzz/fuzz_tmp.h"

/* OpenBLAS's own switch (bpinv links OpenBLAS, tools/cli.c). */
void openblas_set_num_threads(int num_threads);

/* Orders points by x, as fwd_sounding_read() does. */
static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/*
 * Inverts a sounding of a 100 ohm-m half-space (MT phase 45 degrees) at the points of nf's
 * geometry, sorted and each once, as the sounding reader gives them (ideal MN/2).
 */
static void
invert_one(const invnet_file *nf)
{
    invnet_check_params p = invnet_check_default();
    invnet_inverter *v;
    invnet_result res;
    fwd_sounding s = {0};
    fwd_error err;
    size_t n = fwd_geom_size(nf->geom), i, k;

    s.method = fwd_geom_method(nf->geom);
    s.x = malloc(n * sizeof *s.x);
    s.rho_a = malloc(n * sizeof *s.rho_a);
    s.phase = s.method == FWD_MT ? malloc(n * sizeof *s.phase) : NULL;
    s.line = malloc(n * sizeof *s.line);
    if (s.x == NULL || s.rho_a == NULL || s.line == NULL || (s.method == FWD_MT && !s.phase))
        goto done;
    memcpy(s.x, fwd_geom_x(nf->geom), n * sizeof *s.x);
    qsort(s.x, n, sizeof *s.x, cmp_double);
    for (i = k = 0; i < n; i++)
        if (k == 0 || s.x[i] > s.x[k - 1])
            s.x[k++] = s.x[i];
    s.n = k;
    for (i = 0; i < s.n; i++) {
        s.rho_a[i] = 100.0;
        if (s.phase != NULL)
            s.phase[i] = 45.0;
        s.line[i] = i + 1;
    }
    snprintf(s.name, sizeof s.name, "fuzz");
    snprintf(s.source, sizeof s.source, "fuzz");
    v = invnet_inverter_alloc(nf, &p, &err);
    if (v != NULL) {
        invnet_invert(v, &s, &res, &err);
        invnet_inverter_free(v);
    }
done:
    free(s.line);
    free(s.phase);
    free(s.rho_a);
    free(s.x);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int blas_serial;
    const char *path;
    invnet_file *f;
    fwd_error err;

    fuzz_h5_quiet();
    if (!blas_serial) {
        openblas_set_num_threads(1); /* as bpinv runs it */
        gsl_set_error_handler_off(); /* as every main() does (STYLE.md) */
        blas_serial = 1;
    }
    path = fuzz_tmp_write("net.h5", data, size);
    f = invnet_file_load(path, &err);
    if (f != NULL) {
        invert_one(f);
        invnet_file_free(f);
    }
    fuzz_h5_check_closed("invnet_file_load");
    return 0;
}
