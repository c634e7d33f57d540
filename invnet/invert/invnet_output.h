/* SPDX-License-Identifier: MIT */
/*
 * invnet_output.h - a batch of inverted soundings (invnet_batch.h) as a CSV table or a JSON
 * document, written to a caller's stream.
 *
 * Both formats come from one list of columns (invnet_output.c): a column's CSV header, JSON
 * key, kind (text, number, flag, list, per layer) and where its value comes from. Adding an
 * output field is adding one entry there. Numbers: models %.6g, misfits and distances %.4g,
 * time_ms %.3f. A value that does not apply (no model predicted, no chi-square) is an empty
 * CSV field, and in JSON null or, for the fields listed as optional, no key at all.
 */
#ifndef INVNET_OUTPUT_H
#define INVNET_OUTPUT_H

#include <stdio.h>

#include "invnet/invert/invnet_batch.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Writes b as CSV to f: a header row, then one row per sounding, in order; the row of a
 * sounding that could not be read or inverted has its source and its error (the last
 * column, empty in the others) and nothing else. One column per layer for rho_K_ohmm and
 * thick_K_m, b->n_layers of them; flags joined by ';'. Returns FWD_OK, or
 * FWD_EIO when f reports an error (ferror); the caller's flush and close find the reason.
 */
int invnet_output_csv(FILE *f, const invnet_batch *b);

/*
 * Writes b as JSON to f: {"net": net_path, "soundings": [...]}, one object per sounding in
 * order; a sounding that could not be read or inverted is {"source": PATH, "error": MESSAGE}.
 * Valid UTF-8 whatever the names hold: a byte that is not UTF-8 is written "\udcXX", as
 * Python's surrogateescape (os.fsencode gives the file name back).
 * Returns as invnet_output_csv.
 */
int invnet_output_json(FILE *f, const invnet_batch *b, const char *net_path);

/*
 * Writes b as an XYZ table to f, for GIS and 3D viewers: one row per layer of each sounding
 * inverted, "station,x_m,y_m,lat_deg,lon_deg,elevation_m,layer,top_m,bottom_m,rho_ohmm",
 * then (with ranges) "rho_ohmm_pLO,rho_ohmm_pHI", the ends of the resistivity's interval,
 * and "doi_m", the station's depth of investigation (invnet_batch_params.doi; empty where
 * not computed), "misfit_rms_pct" and "flags" (;-separated) of its model; top and bottom are depths
 * below the surface, the half-space's bottom empty; a coordinate the sounding file does not give is
 * empty. Returns as invnet_output_csv.
 */
int invnet_output_xyz(FILE *f, const invnet_batch *b);

/*
 * Writes the equivalent models of b's soundings to f, for bpinv invert --equivalent: of each
 * sounding whose answer has ranges sampled with check.equivalent, its answer (model 0) and
 * one row per model kept (invnet_ranges.draws, 100 by default, spread evenly over the models
 * that fit), "source,name,n_layers,model,rho_1_ohmm,...,thick_1_m,...,misfit_rms_pct,chi2,
 * same_as": the models numbered from 1, as many rho and thick columns as b->n_layers (a
 * count of fewer layers leaves the others empty), its misfit and chi2 computed as the
 * answer's (chi2 empty where the sounding gives no errors), same_as the number of the first
 * model it repeats parameter for parameter (a chain of the sampler that stayed put), empty
 * when none before it is the same. The JSON has the same models in its ranges object
 * ("models": [{"rho_ohmm", "thick_m", "misfit_rms_pct", "chi2", "same_as"}, ...], same_as
 * there an index into that list, from 0, null for none). Returns as invnet_output_csv.
 */
int invnet_output_equivalent(FILE *f, const invnet_batch *b);

/* The output formats (INVNET_XYZ: invnet_output_xyz, for bpinv invert --xyz;
 * INVNET_EQUIVALENT: invnet_output_equivalent, for --equivalent; INVNET_EQUIVALENT_JSON:
 * the same models as JSON, for --equivalent NAME.json: {"net", "soundings": [{"source",
 * "name", "n_layers", "answer": {"rho_ohmm", "thick_m", "misfit_rms_pct", "chi2"},
 * "models": [...]}, ...]}, every sounding in order, "models" null (and no answer) where it
 * has none). INVNET_ENVELOPE: the resistivity-depth envelopes of the answers' ranges
 * (invnet_ranges.h), for --envelope: a row per depth of each sounding that has one,
 * "source,name,x_m,y_m,lat_deg,lon_deg,elevation_m,depth_m,z_m,rho_ohmm_pLO,rho_ohmm_p50,
 * rho_ohmm_pHI,conductance_s_pLO,...,transverse_ohmm2_pLO,...,seen": z_m the elevation of
 * that depth (elevation_m - depth_m, empty without an elevation), the conductance and
 * transverse resistance from the surface down to it, seen 1 at or above the answer's depth
 * of investigation and 0 below (empty where none was found); a coordinate the sounding file
 * does not give is empty. */
typedef enum invnet_format {
    INVNET_CSV,
    INVNET_JSON,
    INVNET_XYZ,
    INVNET_EQUIVALENT,
    INVNET_EQUIVALENT_JSON,
    INVNET_ENVELOPE
} invnet_format;

/* Reads "csv" or "json" into *fmt; FWD_EINVAL naming the choices otherwise. */
int invnet_format_parse(const char *s, invnet_format *fmt, fwd_error *err);

/*
 * The part of b's output in format fmt that items [first, first + count) make (clipped to
 * b->n), after the lines before the first item when head (the CSV or XYZ header, the JSON
 * opening) and with those after the last when tail (the JSON closing). The parts of
 * consecutive blocks joined in order are the whole output: a batch inverted in parts (an
 * MPI run, invnet_batch_params.part) is written so, once its parts agree on b->segments.
 * Returns as invnet_output_csv.
 */
int invnet_output_part(FILE *f, const invnet_batch *b, invnet_format fmt, const char *net_path,
                       size_t first, size_t count, int head, int tail);

/*
 * Writes b in format fmt to path, published whole (fwd_io: a temporary file renamed, so
 * path is never half-written), or to f when path is NULL (f is flushed, not closed). An
 * existing path is replaced only when overwrite; otherwise it is kept and the write fails
 * (a caller checks first, with fwd_io_check_output). Returns FWD_OK, or FWD_EIO and the
 * like with err naming the file and the reason.
 */
int invnet_output_write(const invnet_batch *b, invnet_format fmt, const char *net_path,
                        const char *path, FILE *f, int overwrite, fwd_error *err);

/*
 * b in format fmt as one malloc'd string (what invnet_output_write would write), for
 * programs and bindings that want it in memory; free it with invnet_output_string_free. NULL
 * with err set when out of memory.
 */
char *invnet_output_string(const invnet_batch *b, invnet_format fmt, const char *net_path,
                           fwd_error *err);
void invnet_output_string_free(char *s);

#ifdef __cplusplus
}
#endif

#endif /* INVNET_OUTPUT_H */
