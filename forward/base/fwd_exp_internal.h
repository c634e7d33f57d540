/* SPDX-License-Identifier: MIT */
/*
 * fwd_exp_internal.h - exp and expm1 of non-positive arguments, split so that neither cancels:
 * y = k ln2 + r with |r| <= ln2 / 2, 2^k and p = expm1(r) by its Taylor series to r^12
 * (truncation error below 2e-16 relative). Then exp(y) = 2^k p + 2^k and
 * expm1(y) = 2^k p + (2^k - 1), both accurate to a few ulps for every k.
 *
 * Inline and branch-free, so that the loops calling it vectorise (the DC recursion over
 * wavenumbers, the tanh units of a net) and every clone of such a loop, of any vector width,
 * gives the same bits as the scalar code: the build keeps a * b + c two roundings
 * (-std=c11, no FMA contraction). Valid for y in [-708, 0]; outside it the result is
 * meaningless (the callers clamp, or select it away).
 */
#ifndef FWD_EXP_INTERNAL_H
#define FWD_EXP_INTERNAL_H

#include <stdint.h>
#include <string.h>

/* 2^k into *s and expm1(r) into *p, y = k ln2 + r. */
static inline void
fwd_exp_split(double y, double *s, double *p)
{
    const double shifter = 0x1.8p52, log2e = 1.4426950408889634;
    const double ln2hi = 0x1.62e42fefa39efp-1, ln2lo = 0x1.abc9e3b39803fp-56;
    uint64_t kb, sb, s_bits;
    double kd, r, q;

    memcpy(&sb, &shifter, sizeof sb);
    kd = y * log2e + shifter; /* k = round(y / ln2) in the low bits */
    memcpy(&kb, &kd, sizeof kb);
    kd -= shifter;
    r = (y - kd * ln2hi) - kd * ln2lo;
    q = 1.0 / 479001600;
    q = q * r + 1.0 / 39916800;
    q = q * r + 1.0 / 3628800;
    q = q * r + 1.0 / 362880;
    q = q * r + 1.0 / 40320;
    q = q * r + 1.0 / 5040;
    q = q * r + 1.0 / 720;
    q = q * r + 1.0 / 120;
    q = q * r + 1.0 / 24;
    q = q * r + 1.0 / 6;
    q = q * r + 0.5;
    *p = q * r * r + r;
    s_bits = (kb - sb + 1023) << 52;
    memcpy(s, &s_bits, sizeof *s);
}

#endif /* FWD_EXP_INTERNAL_H */
