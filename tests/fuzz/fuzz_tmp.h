/* SPDX-License-Identifier: MIT */
/*
 * fuzz_tmp.h - what the fuzz targets share: a private scratch directory made once per
 * process (removed at exit), and writing a fuzz input into a file in it, for the readers
 * that take a path. Header-only: each target is one translation unit.
 */
#ifndef FUZZ_TMP_H
#define FUZZ_TMP_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* libFuzzer's entry point, declared for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_FILES 4

static char fuzz_dir[4096];
static char fuzz_files[FUZZ_MAX_FILES][4096];
static int fuzz_nfiles;

static void
fuzz_tmp_cleanup(void)
{
    int i;

    for (i = 0; i < fuzz_nfiles; i++)
        unlink(fuzz_files[i]);
    if (fuzz_dir[0] != '\0')
        rmdir(fuzz_dir);
}

/*
 * The path of file `name` in the scratch directory, made on the first call; at most
 * FUZZ_MAX_FILES distinct names. Aborts if the directory cannot be made (a setup error,
 * not a finding).
 */
static const char *
fuzz_tmp_path(const char *name)
{
    int i;

    if (fuzz_dir[0] == '\0') {
        const char *t = getenv("TMPDIR");

        snprintf(fuzz_dir, sizeof fuzz_dir, "%s/bpinv-fuzz-XXXXXX",
                 t != NULL && t[0] != '\0' ? t : "/tmp");
        if (mkdtemp(fuzz_dir) == NULL) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(fuzz_tmp_cleanup);
    }
    for (i = 0; i < fuzz_nfiles; i++)
        if (strcmp(strrchr(fuzz_files[i], '/') + 1, name) == 0)
            return fuzz_files[i];
    if (fuzz_nfiles == FUZZ_MAX_FILES)
        abort();
    snprintf(fuzz_files[fuzz_nfiles], sizeof fuzz_files[0], "%s/%s", fuzz_dir, name);
    return fuzz_files[fuzz_nfiles++];
}

/* Writes data[0..size) to file `name` in the scratch directory; returns its path. */
static const char *
fuzz_tmp_write(const char *name, const uint8_t *data, size_t size)
{
    const char *path = fuzz_tmp_path(name);
    FILE *f = fopen(path, "wb");

    if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror("fuzz: writing the input file");
        abort();
    }
    return path;
}
#endif /* FUZZ_TMP_H */
