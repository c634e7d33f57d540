/* SPDX-License-Identifier: MIT */
/*
 * smp_gen.h - parallel generation of (model, data) pairs.
 *
 * Sample i of a run is a function of (seed, i) alone: its model is drawn from the prior,
 * its clean data are the forward response, its noisy data the clean data with noise, all
 * from random stream i (fwd_rng.h). Any range of samples can be computed by any number of
 * threads with bit-identical results, which is what makes --resume and -j safe.
 */
#ifndef SMP_GEN_H
#define SMP_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "forward/base/fwd_error.h"
#include "forward/fwd_geom.h"
#include "samples/smp_prior.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct smp_config {
    const fwd_geom *geom; /* borrowed; must outlive what is made from the config */
    smp_prior prior;
    /* Noise: each value made noisy by its rule (fwd_value_info.noisy), with its own
     * z ~ N(0, 1): apparent resistivity is multiplied by exp(noise z) (log-normal, relative
     * standard deviation ~ noise); MT phase gets noise * 90 / pi degrees times z, the phase
     * error of an impedance with the same relative error. */
    double noise;
    uint64_t seed;
} smp_config;

/* Degrees of MT phase noise per unit of relative apparent-resistivity noise: 90 / pi
 * (the name libfwd gives it: FWD_PHASE_DEG_PER_NOISE, fwd_method.h). */
#define SMP_PHASE_DEG_PER_NOISE FWD_PHASE_DEG_PER_NOISE

/*
 * Checks a config: geometry present, prior valid (smp_prior_check), 0 <= noise <= 1,
 * finite (else err->field "noise", message "noise: expected ...").
 */
int smp_config_check(const smp_config *c, fwd_error *err);

typedef struct smp_gen smp_gen;

/*
 * Makes a generator for config c (copied; c->geom borrowed) that runs on nthreads OpenMP
 * threads (>= 1), with one forward workspace and one random generator per thread.
 */
smp_gen *smp_gen_alloc(const smp_config *c, int nthreads, fwd_error *err);

/* Frees g; NULL is a no-op. */
void smp_gen_free(smp_gen *g);

/* The config g was made from (its copy, owned by g; geom borrowed as given). */
const smp_config *smp_gen_config(const smp_gen *g);

/*
 * Computes samples first .. first + count - 1 into rows of params
 * (FWD_MODEL_NPARAMS(n_layers) log10 values), clean and noisy (fwd_geom_ndata values).
 * Returns 0, or the error of the lowest failing sample ("sample 17: ...").
 */
int smp_gen_run(smp_gen *g, uint64_t first, size_t count, double *params, double *clean,
                double *noisy, fwd_error *err);

#ifdef __cplusplus
}
#endif

#endif /* SMP_GEN_H */
