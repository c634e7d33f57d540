/* SPDX-License-Identifier: MIT */
/*
 * fwd_error.c - status codes and error messages of libfwd.
 */
#include <stdarg.h>
#include <stdio.h>

#include "forward/base/fwd_error.h"
#include "forward/fwd_internal.h"

const char *
fwd_strerror(int code)
{
    switch (code) {
    case FWD_OK:
        return "success";
    case FWD_EINVAL:
        return "invalid argument";
    case FWD_ENOMEM:
        return "out of memory";
    case FWD_EIO:
        return "input/output error";
    case FWD_EFORMAT:
        return "bad format";
    case FWD_ENUMERIC:
        return "non-finite result";
    default:
        return "unknown error";
    }
}

void
fwd_error_clear(fwd_error *err)
{
    if (err == NULL)
        return;
    err->code = FWD_OK;
    err->msg[0] = '\0';
}

int
fwd_error_set(fwd_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err != NULL) {
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}
