/* SPDX-License-Identifier: MIT */
/*
 * fuzz_samples_h5.c - libFuzzer target of the samples file readers on mutated HDF5
 * files: smp_file_read_header() (with the geometry), then smp_reader_open() and
 * smp_reader_read() of the first and the last few rows of each row set (models, clean
 * and noisy data), as `bpinv info` and `bpinv train` read a samples file. Inputs are
 * mutated through the HDF5 API (fuzz_h5mut.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "forward/fwd_geom.h"
#include "samples/smp_file.h"
#include "tests/fuzz/fuzz_h5mut.h"
#include "tests/fuzz/fuzz_tmp.h"

/* Rows read from each end of a row set. */
#define ROWS 4

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const smp_rows sets[] = {SMP_MODELS, SMP_CLEAN, SMP_NOISY};
    const char *path;
    smp_header h;
    fwd_geom *g = NULL;
    smp_reader *r;
    fwd_error err;
    size_t k, ncol;
    double *out;

    fuzz_h5_quiet();
    path = fuzz_tmp_write("samples.h5", data, size);
    if (smp_file_read_header(path, &h, &g, &err) == FWD_OK)
        fwd_geom_free(g);
    fuzz_h5_check_closed("smp_file_read_header");
    g = NULL;
    r = smp_reader_open(path, &h, &g, &err);
    if (r == NULL) {
        fuzz_h5_check_closed("smp_reader_open");
        return 0;
    }
    /* the widest row: the data of the geometry or the model's parameters */
    ncol = fwd_geom_ndata(g);
    if (ncol < FWD_MODEL_NPARAMS(h.prior.n_layers))
        ncol = FWD_MODEL_NPARAMS(h.prior.n_layers);
    out = malloc(ROWS * ncol * sizeof *out);
    for (k = 0; out != NULL && k < sizeof sets / sizeof sets[0]; k++) {
        uint64_t n = h.n_complete, c = n < ROWS ? n : ROWS;

        smp_reader_read(r, sets[k], 0, (size_t)c, out, &err);
        smp_reader_read(r, sets[k], n - c, (size_t)c, out, &err);
        smp_reader_read(r, sets[k], n, 1, out, &err); /* past the end: an error */
    }
    free(out);
    fwd_geom_free(g);
    smp_reader_close(r);
    fuzz_h5_check_closed("smp_reader_close");
    return 0;
}
