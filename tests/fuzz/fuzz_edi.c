/* SPDX-License-Identifier: MIT */
/*
 * fuzz_edi.c - libFuzzer target of the SEG EDI reader: fwd_sounding_read() on a file
 * named *.edi, as an MT sounding with each impedance choice (determinant, xy, yx, Berdichevsky),
 * and once as a Schlumberger sounding (the "this is an EDI file" refusal); a sounding it accepts is
 * also turned into its geometry (fwd_sounding_geom).
 */
#include <stddef.h>
#include <stdint.h>

#include "forward/fwd_geom.h"
#include "forward/readers/fwd_sounding.h"
#include "tests/fuzz/fuzz_tmp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fwd_component comps[] = {FWD_COMP_DET, FWD_COMP_XY, FWD_COMP_YX, FWD_COMP_BERD};
    const char *path = fuzz_tmp_write("station.edi", data, size);
    fwd_error err;
    fwd_sounding *s;
    size_t k;

    for (k = 0; k < sizeof comps / sizeof comps[0]; k++) {
        s = fwd_sounding_read(path, FWD_MT, comps[k], &err);
        if (s != NULL) {
            fwd_geom_free(fwd_sounding_geom(s, &err));
            fwd_sounding_free(s);
        }
    }
    fwd_sounding_free(fwd_sounding_read(path, FWD_SCHLUMBERGER, FWD_COMP_DET, &err));
    return 0;
}
