/* SPDX-License-Identifier: MIT */
/*
 * example.c - a program built against an installed bpinv (docs/install.md):
 *
 *     cc example.c $(pkg-config --cflags --libs bpinv) -lm -o example
 *
 * Prints the Schlumberger response of a three-layer earth at AB/2 = 1 .. 1000 m as CSV, as
 * `bpinv forward -m schlumberger --rho 100,10,1000 --thick 5,20 --ab2 1:1000:13` does, then
 * the message of the library for a sounding with a negative apparent resistivity.
 */
#include <math.h>
#include <stdio.h>

#include "forward/fwd_forward.h"
#include "forward/readers/fwd_sounding.h"

int
main(void)
{
    double ab2[13], d[13], rho[3] = {100, 10, 1000}, thick[2] = {5, 20};
    double bad[3] = {50, -3, 40};
    fwd_error err;
    fwd_method m;
    fwd_geom *g = NULL;
    fwd_workspace *w = NULL;
    fwd_sounding *s;
    size_t k;
    int rc = 1;

    for (k = 0; k < 13; k++) /* 1 to 1000 m, log-spaced */
        ab2[k] = pow(10, 3.0 * (double)k / 12);
    if (fwd_method_parse("schlumberger", &m, &err) != FWD_OK ||
        (g = fwd_geom_alloc(m, 13, ab2, NULL, &err)) == NULL ||
        (w = fwd_workspace_alloc(g, NULL, &err)) == NULL ||
        fwd_eval(w, 3, rho, thick, d, &err) != FWD_OK) {
        fprintf(stderr, "example: %s\n", err.msg);
        goto done;
    }
    printf("ab2_m,rho_a_ohmm\n");
    for (k = 0; k < 13; k++)
        printf("%.12g,%.12g\n", ab2[k], d[k]);
    s = fwd_sounding_from_arrays("field", m, 3, ab2, NULL, bad, NULL, NULL, NULL, &err);
    if (s != NULL) {
        fprintf(stderr, "example: a negative resistivity was accepted\n");
        fwd_sounding_free(s);
        goto done;
    }
    fprintf(stderr, "%s\n", err.msg);
    rc = 0;
done:
    fwd_workspace_free(w);
    fwd_geom_free(g);
    return rc;
}
