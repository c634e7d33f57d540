/* SPDX-License-Identifier: MIT */
/*
 * fuzz_geom.c - libFuzzer target of the command-line value parsers: the geometry SPEC
 * parser fwd_spec_parse() (comma list, START:STOP:COUNT, @FILE), the geometry built from
 * its values (fwd_geom_alloc, with MN/2 for Schlumberger as `--mn2` gives it), and the
 * prior's MIN:MAX range parser smp_prior_parse() (`--rho`, `--thick`).
 *
 * Input: text up to the first NUL byte, whose lines are
 *   1  an AB/2 (x) SPEC,  2  an MN/2 SPEC,  3  a --rho RANGES,  4  a --thick RANGES
 * (missing lines are absent options). The bytes after the NUL are the file that a SPEC
 * starting with '@' names: "@..." becomes "@<scratch file>", so the fuzzer never reads
 * another file of the machine.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forward/fwd_geom.h"
#include "forward/fwd_model.h"
#include "samples/smp_prior.h"
#include "tests/fuzz/fuzz_tmp.h"

/* SPEC line s as parsed: "@..." reads the scratch file at at_path. */
static int
parse_spec(const char *s, const char *name, const char *at_path, double **v, size_t *n)
{
    char buf[4200];
    fwd_error err;

    if (s[0] == '@') {
        snprintf(buf, sizeof buf, "@%s", at_path);
        s = buf;
    }
    return fwd_spec_parse(s, name, v, n, &err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fwd_method methods[] = {FWD_SCHLUMBERGER, FWD_WENNER, FWD_MT};
    char *text = malloc(size + 1), *line[4] = {NULL, NULL, NULL, NULL}, *p;
    const char *at_path;
    size_t tlen, nx = 0, nm = 0, k, i, commas = 0;
    double *x = NULL, *mn2 = NULL;
    fwd_error err;

    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    tlen = strlen(text);
    at_path = fuzz_tmp_write("spec.txt", tlen < size ? data + tlen + 1 : data,
                             tlen < size ? size - tlen - 1 : 0);
    for (k = 0, p = text; k < 4 && p != NULL; k++) {
        line[k] = p;
        p = strchr(p, '\n');
        if (p != NULL)
            *p++ = '\0';
    }

    if (line[0] != NULL && parse_spec(line[0], "--ab2", at_path, &x, &nx) == FWD_OK) {
        if (line[1] != NULL && parse_spec(line[1], "--mn2", at_path, &mn2, &nm) == FWD_OK &&
            nm == 1 && nx > 1) {
            double v = mn2[0], *t = realloc(mn2, nx * sizeof *mn2);

            if (t != NULL) { /* one MN/2 for every AB/2, as bpinv's --mn2 */
                mn2 = t;
                for (i = 0; i < nx; i++)
                    mn2[i] = v;
                nm = nx;
            }
        }
        for (k = 0; k < sizeof methods / sizeof methods[0]; k++)
            fwd_geom_free(fwd_geom_alloc(
                methods[k], nx, x, methods[k] == FWD_SCHLUMBERGER && nm == nx ? mn2 : NULL, &err));
    }
    free(mn2);
    free(x);

    if (line[2] != NULL) {
        size_t layers[6];
        smp_prior pr;

        for (p = line[2]; *p != '\0'; p++)
            commas += *p == ',';
        layers[0] = 1;
        layers[1] = 2;
        layers[2] = 3;
        layers[3] = commas + 1;
        layers[4] = FWD_MAX_LAYERS;
        layers[5] = FWD_MAX_LAYERS + 1;
        for (k = 0; k < 6; k++)
            smp_prior_parse(&pr, layers[k], line[2], line[3], &err);
    }
    free(text);
    return 0;
}
