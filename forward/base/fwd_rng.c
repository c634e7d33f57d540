/* SPDX-License-Identifier: MIT */
/*
 * fwd_rng.c - xoshiro256** as a GSL generator, seeded per stream by splitmix64.
 */
#include "forward/base/fwd_rng.h"

typedef struct {
    uint64_t s[4];
} xoshiro_state;

uint64_t
fwd_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t
next(xoshiro_state *st)
{
    uint64_t *s = st->s, r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

static void
seed_words(xoshiro_state *st, uint64_t x)
{
    int i;

    for (i = 0; i < 4; i++)
        st->s[i] = fwd_splitmix64(&x);
}

static void
x_set(void *vstate, unsigned long seed)
{
    seed_words(vstate, (uint64_t)seed);
}

/* 32 random bits: GSL's integer interface assumes max - min < 2^32 in places. */
static unsigned long
x_get(void *vstate)
{
    return (unsigned long)(next(vstate) >> 32);
}

/* 53 random bits in [0, 1). */
static double
x_get_double(void *vstate)
{
    return (double)(next(vstate) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type xoshiro_type = {
    "xoshiro256**", 0xffffffffUL, 0, sizeof(xoshiro_state), x_set, x_get, x_get_double};

const gsl_rng_type *fwd_rng_xoshiro256ss = &xoshiro_type;

void
fwd_rng_set_stream(gsl_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t z = stream;

    seed_words(r->state, seed ^ fwd_splitmix64(&z));
}

uint64_t
fwd_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    size_t k;

    for (k = 0; k < n; k++)
        h = (h ^ c[k]) * 1099511628211ull;
    return h;
}
