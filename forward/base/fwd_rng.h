/* SPDX-License-Identifier: MIT */
/*
 * fwd_rng.h - counter-based random streams: one stream per (seed, sample index).
 *
 * A GSL generator type (xoshiro256**, Blackman and Vigna 2018) whose state is set from a
 * 64-bit seed and a 64-bit stream number through splitmix64, so sample i of a run draws
 * the same numbers whichever thread computes it and whatever the number of threads.
 */
#ifndef FWD_RNG_H
#define FWD_RNG_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The generator type; allocate with gsl_rng_alloc(fwd_rng_xoshiro256ss). */
extern const gsl_rng_type *fwd_rng_xoshiro256ss;

/* One step of splitmix64 (Steele, Lea and Flood 2014) on *state; returns the output. */
uint64_t fwd_splitmix64(uint64_t *state);

/*
 * Sets r (of type fwd_rng_xoshiro256ss) to the start of stream `stream` of `seed`:
 * state words from splitmix64 seeded with seed ^ splitmix64(stream).
 */
void fwd_rng_set_stream(gsl_rng *r, uint64_t seed, uint64_t stream);

/* The start of fwd_hash() bpinv uses (FNV-1a's offset basis without its last digit: any
 * start will do, and this one seeds the refinement's starts, fwd_sounding_hash). */
#define FWD_HASH_START 1469598103934665603ull

/* FNV-1a (Fowler, Noll and Vo) carried from h over the n bytes at p: a number that names
 * bytes (a sounding's values, a net's weights), not a random stream. */
uint64_t fwd_hash(uint64_t h, const void *p, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* FWD_RNG_H */
