/* SPDX-License-Identifier: MIT */
/*
 * fwd_error.h - status codes and error messages of libfwd.
 *
 * Every libfwd function that can fail returns 0 or one of the FWD_E* codes below and, when
 * the caller passes a non-NULL fwd_error, writes one line saying what was wrong: the file
 * and line or the field, what was expected and what was found. Libraries never print.
 */
#ifndef FWD_ERROR_H
#define FWD_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    FWD_OK = 0,
    FWD_EINVAL = 1,   /* an argument is out of its domain */
    FWD_ENOMEM = 2,   /* allocation failed or a size would overflow */
    FWD_EIO = 3,      /* a file could not be opened or read */
    FWD_EFORMAT = 4,  /* a file or string is not in the expected format */
    FWD_ENUMERIC = 5, /* a computation gave a non-finite value */
    FWD_EEXIST = 6,   /* an output file exists and replacing it was not asked for */
    FWD_ESTOPPED = 7  /* not done: the caller asked the work to stop (a signal) */
};

#define FWD_ERROR_MSG_SIZE   512
#define FWD_ERROR_FIELD_SIZE 32

/*
 * What went wrong. `field` names the input at fault in the library's own words (the
 * field ids below, or a file attribute such as "n_layers"), empty when no single
 * input is to blame: a program maps it to its own option or column names. Libraries never
 * name a program's options in msg.
 *
 * Field ids (the inputs of a run, as the libraries call them):
 *   method    the forward method              geometry  the survey points (x values)
 *   mn2       the Schlumberger MN/2 values    layers    the number of layers
 *   rho       the resistivity prior, ohm-m    thick     the thickness prior, m
 *   noise     the relative noise              seed      the random seed
 *   output    a file to write                 resume    a file to be continued by the
 *                                                       run that made it (a cut file)
 * A message about the value given for one input begins with "ID: " ("rho: layer 1:
 * expected ..."), where a program may put its own name for the input. Messages that name
 * the input elsewhere (a file's value, a resumed file that differs from its run) document
 * their wording with the function that sets them.
 */
typedef struct fwd_error {
    int code;
    char field[FWD_ERROR_FIELD_SIZE];
    char msg[FWD_ERROR_MSG_SIZE];
} fwd_error;

/* The version of bpinv these headers are of (MAJOR.MINOR.PATCH; the Makefile's VERSION, which
 * tests/cli/test_install.sh holds them to): a program compiled against them can compare it
 * with fwd_version(), the library's own. */
#define BPINV_VERSION_MAJOR 0
#define BPINV_VERSION_MINOR 1
#define BPINV_VERSION_PATCH 0

/* The version of the libraries, bpinv's ("0.1.0"): for a program or binding that loads
 * libbpinv.so to check it has the one it was written for. */
const char *fwd_version(void);

/* A short description of a status code ("invalid argument", ...); never NULL. */
const char *fwd_strerror(int code);

/* Clears err (code 0, empty message). err may be NULL. */
void fwd_error_clear(fwd_error *err);

#if defined(__GNUC__)
#define FWD_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FWD_PRINTF(a, b)
#endif

/*
 * Sets err->code and formats err->msg (printf style, truncated to fit); err may be NULL.
 * Returns code, so that callers can write `return fwd_error_set(err, FWD_EINVAL, ...)`.
 * For the libraries built on libfwd (libsmp, libinvnet) as much as for libfwd itself.
 */
int fwd_error_set(fwd_error *err, int code, const char *fmt, ...) FWD_PRINTF(3, 4);

/* As fwd_error_set, and sets err->field to field (truncated to fit). */
int fwd_error_set_field(fwd_error *err, int code, const char *field, const char *fmt, ...)
    FWD_PRINTF(4, 5);

/* Appends to err->msg (printf style, truncated to fit), code and field unchanged; err may be
 * NULL. Returns err->code (FWD_OK for NULL). As fwd_error_set, a message's control bytes and
 * bytes of no valid UTF-8 (a file's, quoted) become '?'. */
int fwd_error_append(fwd_error *err, const char *fmt, ...) FWD_PRINTF(2, 3);

#ifdef __cplusplus
}
#endif

#endif /* FWD_ERROR_H */
