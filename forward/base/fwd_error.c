/* SPDX-License-Identifier: MIT */
/*
 * fwd_error.c - status codes and error messages of libfwd.
 */
#include <stdarg.h>
#include <stdio.h>

#include "forward/base/fwd_error.h"

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
    case FWD_EEXIST:
        return "file exists";
    case FWD_ESTOPPED:
        return "stopped";
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
    err->field[0] = '\0';
    err->msg[0] = '\0';
}

int
fwd_error_set(fwd_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err != NULL) {
        err->code = code;
        err->field[0] = '\0';
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

int
fwd_error_set_field(fwd_error *err, int code, const char *field, const char *fmt, ...)
{
    va_list ap;

    if (err != NULL) {
        err->code = code;
        snprintf(err->field, sizeof err->field, "%s", field);
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

#ifndef BPINV_VERSION
#error "BPINV_VERSION is defined by the Makefile"
#endif

const char *
fwd_version(void)
{
    return BPINV_VERSION;
}
