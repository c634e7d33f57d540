/* SPDX-License-Identifier: MIT */
/*
 * invert.c - inverting sounding files with a trained net through an installed bpinv
 * (docs/install.md), as `bpinv invert NET FILE...` does:
 *
 *     cc invert.c $(pkg-config --cflags --libs bpinv) -lgsl -o invert
 *     ./invert net.h5 site1.csv site2.csv
 *
 * Prints the CSV `bpinv invert` prints (refined, every check), then, on stderr, the best
 * model of each sounding that could be inverted.
 */
#include <stdio.h>

#include <gsl/gsl_errno.h>

#include "invnet/invnet_file.h"
#include "invnet/invert/invnet_batch.h"
#include "invnet/invert/invnet_output.h"

int
main(int argc, char **argv)
{
    invnet_batch_params p = invnet_batch_default();
    invnet_batch *b = NULL;
    invnet_set *nets;
    fwd_error err;
    size_t i, k;

    if (argc < 3) {
        fprintf(stderr, "usage: invert NET.h5 FILE...\n");
        return 2;
    }
    /* GSL's own error handler aborts; the library reports every error itself */
    gsl_set_error_handler_off();
    /* bpinv invert refines each answer by default; the library's default does not */
    p.check.refine_iter = 30;
    p.threads = 2;
    /* a net file, or a set of nets (one per layer count): one call reads both */
    if ((nets = invnet_set_load(argv[1], &err)) == NULL ||
        invnet_batch_invert_set(nets, &p, (const char *const *)argv + 2, (size_t)argc - 2, &b,
                                &err) != FWD_OK) {
        fprintf(stderr, "invert: %s\n", err.msg);
        invnet_set_free(nets);
        return 1;
    }
    if (invnet_output_csv(stdout, b) != FWD_OK || fflush(stdout) != 0) {
        perror("invert: the standard output");
        invnet_batch_free(b);
        invnet_set_free(nets);
        return 1;
    }
    for (i = 0; i < b->n; i++) { /* a file or station that failed has no candidate */
        const invnet_candidate *c = invnet_batch_best(&b->item[i]);

        if (c == NULL) {
            fprintf(stderr, "%s: %s\n", b->item[i].path, b->item[i].err);
            continue;
        }
        fprintf(stderr, "%s: misfit %.2f %%,", b->item[i].path, c->r.misfit_rms_pct);
        for (k = 0; k < c->r.n_layers; k++)
            if (k + 1 < c->r.n_layers)
                fprintf(stderr, " %.4g ohm-m %.4g m /", c->r.rho_ohmm[k], c->r.thick_m[k]);
            else
                fprintf(stderr, " %.4g ohm-m\n", c->r.rho_ohmm[k]);
    }
    invnet_batch_free(b);
    invnet_set_free(nets);
    return 0;
}
