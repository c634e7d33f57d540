/* SPDX-License-Identifier: MIT */
/*
 * tst_read.h - what the reader suites (test_sounding.c, test_edi.c) share: a file written
 * to a suite's directory and read, refused by a message that names it.
 */
#ifndef BPINV_TESTS_TST_READ_H
#define BPINV_TESTS_TST_READ_H

#include <string.h>

#include "forward/readers/fwd_sounding.h"
#include "tests/common.h"

/* Writes text to dir/name and reads it as method m, component comp: refused, by a message
 * that holds fragment and names the file. */
static inline void
tst_expect_refused(const char *dir, const char *name, const char *text, fwd_method m,
                   fwd_component comp, const char *fragment)
{
    char p[128];
    fwd_error err;
    fwd_sounding *s;

    memset(&err, 0, sizeof err);
    s = fwd_sounding_read(tst_write(dir, name, text, p, sizeof p), m, comp, &err);
    cr_expect_null(s, "%s was read", name);
    fwd_sounding_free(s);
    cr_expect(strstr(err.msg, fragment) != NULL, "%s: expected \"%s\" in \"%s\"", name, fragment,
              err.msg);
    cr_expect(strstr(err.msg, p) != NULL, "%s: the message does not name the file: %s", name,
              err.msg);
}

#endif /* BPINV_TESTS_TST_READ_H */
