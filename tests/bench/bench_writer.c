/* SPDX-License-Identifier: MIT */
/*
 * bench_writer.c - the three stages of making samples, timed apart on one thread, for the
 * model of an MPI run (docs/scaling.md): computing rows (smp_gen_run), packing them as the
 * file stores them (smp_pack_rows: deflate), and writing packs into the file
 * (smp_file_append_pack: what rank 0 alone does under mpirun). 4 layers, 30 AB/2.
 * usage: bench_writer [ROWS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "forward/base/fwd_time.h"
#include "forward/fwd_geom.h"
#include "forward/fwd_model.h"
#include "samples/smp_file.h"
#include "samples/smp_gen.h"

#define BLOCK 16384

int
main(int argc, char **argv)
{
    size_t rows = argc > 1 ? (size_t)atol(argv[1]) : 262144, np, nd, done, nblk;
    char path[] = "/tmp/bench_writer_XXXXXX";
    smp_config c = {0};
    fwd_geom *geom;
    fwd_error err;
    smp_gen *g;
    smp_file *f;
    smp_pack *pk;
    double *p, *cl, *no, t_gen = 0, t_pack = 0, t_write, t0, bytes = 0;
    int fd;

    rows = (rows + BLOCK - 1) / BLOCK * BLOCK;
    nblk = rows / BLOCK;
    c.geom = geom = fwd_geom_parse(FWD_SCHLUMBERGER, "1:1000:30", NULL, "ab2", "mn2", &err);
    if (geom == NULL || smp_prior_parse(&c.prior, 4, "1:1000", "1:100", &err) != FWD_OK) {
        fprintf(stderr, "bench_writer: %s\n", err.msg);
        return 1;
    }
    c.noise = 0.02;
    c.seed = 3;
    np = FWD_MODEL_NPARAMS(4);
    nd = fwd_geom_ndata(c.geom);
    g = smp_gen_alloc(&c, 1, &err);
    p = malloc(BLOCK * np * sizeof *p);
    cl = malloc(BLOCK * nd * sizeof *cl);
    no = malloc(BLOCK * nd * sizeof *no);
    pk = calloc(nblk, sizeof *pk);
    fd = mkstemp(path);
    if (g == NULL || p == NULL || cl == NULL || no == NULL || pk == NULL || fd < 0)
        return 1;
    close(fd);
    for (done = 0; done < nblk; done++) {
        t0 = fwd_time_seconds();
        if (smp_gen_run(g, done * BLOCK, BLOCK, p, cl, no, &err) != FWD_OK)
            return 1;
        t_gen += fwd_time_seconds() - t0;
        t0 = fwd_time_seconds();
        if (smp_pack_rows(&pk[done], &c, 1, done * BLOCK, BLOCK, p, cl, no, &err) != FWD_OK)
            return 1;
        t_pack += fwd_time_seconds() - t0;
        bytes += (double)pk[done].len;
    }
    f = smp_file_create(path, &c, rows, "bench", 1, &err);
    if (f == NULL) {
        fprintf(stderr, "bench_writer: %s\n", err.msg);
        return 1;
    }
    t0 = fwd_time_seconds();
    for (done = 0; done < nblk; done++)
        if (smp_file_append_pack(f, pk[done].buf, pk[done].len, &err) != FWD_OK) {
            fprintf(stderr, "bench_writer: %s\n", err.msg);
            return 1;
        }
    if (smp_file_close(f, &err) != FWD_OK)
        return 1;
    t_write = fwd_time_seconds() - t0;
    unlink(path);
    printf("### samples: the stages on one thread (%zu rows, 4 layers, 30 AB/2)\n\n", rows);
    printf("| stage | seconds | samples/s | who does it under mpirun |\n|---|---:|---:|---|\n");
    printf("| compute (smp_gen_run) | %.2f | %.0f | every rank |\n", t_gen, (double)rows / t_gen);
    printf("| pack: deflate (smp_pack_rows) | %.2f | %.0f | every rank |\n", t_pack,
           (double)rows / t_pack);
    printf("| write (smp_file_append_pack) | %.2f | %.0f | rank 0 alone |\n", t_write,
           (double)rows / t_write);
    printf("\nPacked: %.0f bytes per sample; rank 0 wrote %.0f MB/s.\n", bytes / (double)rows,
           bytes / t_write / 1e6);
    for (done = 0; done < nblk; done++)
        smp_pack_free(&pk[done]);
    free(pk);
    free(no);
    free(cl);
    free(p);
    smp_gen_free(g);
    fwd_geom_free(geom);
    return 0;
}
