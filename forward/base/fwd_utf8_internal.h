/* SPDX-License-Identifier: MIT */
/*
 * fwd_utf8_internal.h - the UTF-8 sequence at a byte: what the text reader asks of a
 * header (is it UTF-8, or a Windows code page's?) and what fwd_error_set asks of a
 * message it makes printable.
 */
#ifndef FWD_UTF8_INTERNAL_H
#define FWD_UTF8_INTERNAL_H

#include <stddef.h>

/* The length (1-4) of the valid UTF-8 sequence at p (RFC 3629: no overlong forms, no UTF-16
 * surrogates, nothing above U+10FFFF; a Windows code page's "°", byte 0xb0, is none), 0 where
 * none starts. A byte below 0x80, NUL included, is one of 1. */
static inline size_t
fwd_utf8_len(const unsigned char *p)
{
    unsigned char c = p[0], lo = 0x80, hi = 0xbf;
    size_t n, k;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80; /* not overlong */
        hi = c == 0xed ? 0x9f : 0xbf; /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf; /* at most U+10FFFF */
    } else {
        return 0;
    }
    if (p[1] < lo || p[1] > hi) /* a NUL fails here, and below: nothing past it is read */
        return 0;
    for (k = 2; k < n; k++)
        if ((p[k] & 0xc0) != 0x80)
            return 0;
    return n;
}

#endif /* FWD_UTF8_INTERNAL_H */
