/* SPDX-License-Identifier: MIT */
/*
 * cmd_info.c - `bpinv info FILE.h5`: what a bpinv HDF5 file holds, for a person.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "forward/fwd_geom.h"
#include "samples/smp_file.h"
#include "tools/cli.h"

static const char *const info_usage = "usage: bpinv info FILE.h5\n"
                                      "\n"
                                      "Describes a bpinv samples file: method, geometry, "
                                      "prior, noise, counts, seed, size.\n";

static void
print_samples(const char *path, const smp_header *h, const fwd_geom *g)
{
    const double *x = fwd_geom_x(g);
    size_t n = fwd_geom_size(g), j;
    struct stat st;

    printf("%s: bpinv samples file (format version %llu, written by bpinv %s)\n", path,
           (unsigned long long)h->format_version, h->bpinv_version);
    printf("  method      %s\n", fwd_method_name(h->method));
    printf("  geometry    %zu points, %s %g .. %g%s\n", n, fwd_method_xname(h->method), x[0],
           x[n - 1],
           h->method != FWD_SCHLUMBERGER ? ""
           : fwd_geom_mn2(g) != NULL     ? " (finite MN/2)"
                                         : " (ideal, MN -> 0)");
    printf("  layers      %zu\n", h->prior.n_layers);
    for (j = 0; j < h->prior.n_layers; j++) {
        printf("  %s layer %zu: rho %g .. %g ohm-m", j == 0 ? "prior  " : "       ", j + 1,
               h->prior.rho_min[j], h->prior.rho_max[j]);
        if (j + 1 < h->prior.n_layers)
            printf(", thickness %g .. %g m\n", h->prior.thick_min[j], h->prior.thick_max[j]);
        else
            printf(" (half-space)\n");
    }
    printf("  noise       %g (log-normal on apparent resistivity", h->noise);
    if (h->method == FWD_MT)
        printf("; %.3g degrees on phase", h->noise * SMP_PHASE_DEG_PER_NOISE);
    printf(")\n");
    printf("  samples     %llu of %llu complete%s\n", (unsigned long long)h->n_complete,
           (unsigned long long)h->n_requested,
           h->n_complete < h->n_requested ? " (interrupted: continue with --resume)" : "");
    printf("  seed        %llu\n", (unsigned long long)h->seed);
    if (h->method != FWD_MT)
        printf("  forward     %s Hankel filter\n", h->forward_filter);
    if (stat(path, &st) == 0)
        printf("  file size   %.1f MiB\n", (double)st.st_size / 1048576.0);
}

int
cmd_info(int argc, char **argv)
{
    smp_header h;
    fwd_geom *g = NULL;
    fwd_error err;

    if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        fputs(info_usage, stdout);
        return cli_close_stdout("info") ? CLI_FAIL : CLI_OK;
    }
    if (argc == 2 && argv[1][0] == '-') {
        cli_error("info", "unknown option \"%s\"; try 'bpinv info --help'", argv[1]);
        return CLI_USAGE;
    }
    if (argc != 2) {
        cli_error("info", "expected one file, got %d arguments; try 'bpinv info --help'", argc - 1);
        return CLI_USAGE;
    }
    /* The reader checks that it is an HDF5 file, and a bpinv samples file, and says which
     * it is not. */
    if (smp_file_read_header(argv[1], &h, &g, &err) != FWD_OK) {
        cli_error("info", "%s", err.msg);
        return CLI_FAIL;
    }
    print_samples(argv[1], &h, g);
    fwd_geom_free(g);
    return cli_close_stdout("info") ? CLI_FAIL : CLI_OK;
}
