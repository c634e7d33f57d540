/* SPDX-License-Identifier: MIT */
/*
 * common.h - what the Criterion suites of every library share: a scratch directory for a
 * suite's files, made in its setup and removed with what it holds in its teardown, and a
 * file written there.
 */
#ifndef BPINV_TESTS_COMMON_H
#define BPINV_TESTS_COMMON_H

#include <stdio.h>
#include <stdlib.h>

#include <criterion/criterion.h>

/* Makes a new directory /tmp/bpinv-TAG-XXXXXX into dir (cap bytes, >= 64). */
static inline void
tst_mkdtemp(char *dir, size_t cap, const char *tag)
{
    snprintf(dir, cap, "/tmp/bpinv-%s-XXXXXX", tag);
    cr_assert_not_null(mkdtemp(dir), "cannot make %s", dir);
}

/* Removes dir and everything in it. */
static inline void
tst_rmtree(const char *dir)
{
    char cmd[128];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0, "%s", cmd);
}

/* Writes text to the file dir/name, its path into path (cap bytes); returns path. */
static inline const char *
tst_write(const char *dir, const char *name, const char *text, char *path, size_t cap)
{
    FILE *f;

    snprintf(path, cap, "%s/%s", dir, name);
    f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0, "cannot write %s", path);
    return path;
}

#endif /* BPINV_TESTS_COMMON_H */
