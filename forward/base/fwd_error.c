/* SPDX-License-Identifier: MIT */
/*
 * fwd_error.c - status codes and error messages of libfwd.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "forward/base/fwd_error.h"
#include "forward/base/fwd_utf8_internal.h"

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

/* A message made printable in place: each control byte (a file's binary bytes quoted in
 * it, which reached the terminal and the CSV's error column) and each byte of no valid UTF-8
 * sequence becomes '?'; a message's UTF-8 (a station's name) stays. */
static void
printable(char *msg)
{
    unsigned char *p = (unsigned char *)msg;

    while (*p != '\0') {
        size_t n = fwd_utf8_len(p);

        if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f))) {
            *p++ = '?';
            continue;
        }
        p += n;
    }
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
        printable(err->msg);
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
        printable(err->msg);
    }
    return code;
}

int
fwd_error_append(fwd_error *err, const char *fmt, ...)
{
    va_list ap;
    size_t len;

    if (err == NULL)
        return FWD_OK;
    len = strlen(err->msg);
    va_start(ap, fmt);
    vsnprintf(err->msg + len, sizeof err->msg - len, fmt, ap);
    va_end(ap);
    printable(err->msg);
    return err->code;
}

#ifndef BPINV_VERSION
#error "BPINV_VERSION is defined by the Makefile"
#endif

const char *
fwd_version(void)
{
    return BPINV_VERSION;
}
