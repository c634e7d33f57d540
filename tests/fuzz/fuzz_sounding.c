/* SPDX-License-Identifier: MIT */
/*
 * fuzz_sounding.c - libFuzzer target of the text sounding reader, fwd_sounding_read() on
 * a file named *.txt, read as each method (Schlumberger, Wenner, MT); a sounding it
 * accepts is also turned into its geometry (fwd_sounding_geom). The same file read as a
 * survey (fwd_sounding_read_survey: a station may fail alone), each station read turned
 * into its geometry. An input that starts with ">HEAD" goes to the EDI reader, which
 * fuzz_edi.c covers in full.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "forward/fwd_geom.h"
#include "forward/readers/fwd_sounding.h"
#include "tests/fuzz/fuzz_tmp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fwd_method methods[] = {FWD_SCHLUMBERGER, FWD_WENNER, FWD_MT};
    const char *path = fuzz_tmp_write("sounding.txt", data, size);
    size_t k;

    for (k = 0; k < sizeof methods / sizeof methods[0]; k++) {
        fwd_error err;
        fwd_sounding *s = fwd_sounding_read(path, methods[k], FWD_COMP_DET, &err);

        fwd_sounding **st;
        fwd_error *se;
        size_t n, i;

        if (s != NULL) {
            fwd_geom_free(fwd_sounding_geom(s, &err));
            fwd_sounding_free(s);
        }
        if (fwd_sounding_read_survey(path, methods[k], FWD_COMP_DET, NULL, &st, &se, &n, &err) ==
            FWD_OK) {
            for (i = 0; i < n; i++)
                if (se[i].code == FWD_OK)
                    fwd_geom_free(fwd_sounding_geom(st[i], &err));
            fwd_sounding_free_stations(st, n);
            free(se);
        }
    }
    return 0;
}
