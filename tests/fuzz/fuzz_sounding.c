/* SPDX-License-Identifier: MIT */
/*
 * fuzz_sounding.c - libFuzzer target of the text sounding reader, fwd_sounding_read() on
 * a file named *.txt, read as each method (Schlumberger, Wenner, MT); a sounding it
 * accepts is also turned into its geometry (fwd_sounding_geom). An input that starts
 * with ">HEAD" goes to the EDI reader, which fuzz_edi.c covers in full.
 */
#include <stddef.h>
#include <stdint.h>

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

        if (s != NULL) {
            fwd_geom_free(fwd_sounding_geom(s, &err));
            fwd_sounding_free(s);
        }
    }
    return 0;
}
