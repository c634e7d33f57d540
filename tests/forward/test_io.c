/* SPDX-License-Identifier: MIT */
/*
 * test_io.c - the checks before a run writes its output (fwd_io_check_output), the test
 * of two names for one file (fwd_io_same_file), and the removal of a killed writer's
 * temporary files (fwd_io_remove_dead_temps).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "tests/common.h"

#include "forward/base/fwd_io.h"

static char dir[64];

static void
setup(void)
{
    tst_mkdtemp(dir, sizeof dir, "io");
}

static void
teardown(void)
{
    tst_rmtree(dir);
}

TestSuite(fwd_io, .init = setup, .fini = teardown);

static void
write_file(const char *p, const char *text)
{
    FILE *f = fopen(p, "w");

    cr_assert_not_null(f, "%s", p);
    fputs(text, f);
    fclose(f);
}

/* The number of entries of dir, "." and ".." aside. */
static int
entries(void)
{
    char cmd[160], line[32] = "";
    FILE *p;

    snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
    p = popen(cmd, "r");
    cr_assert_not_null(p);
    cr_assert_not_null(fgets(line, sizeof line, p));
    pclose(p);
    return atoi(line);
}

Test(fwd_io, a_free_path_passes_and_nothing_is_left)
{
    char p[128];
    fwd_error err;

    snprintf(p, sizeof p, "%s/new.h5", dir);
    fwd_error_clear(&err);
    cr_assert_eq(fwd_io_check_output(p, "the net file", 0, &err), FWD_OK, "%s", err.msg);
    cr_assert_neq(access(p, F_OK), 0);
    cr_assert_eq(entries(), 0, "the probe file was left");
    /* a name without a directory: the current one */
    cr_assert_eq(chdir(dir), 0);
    cr_assert_eq(fwd_io_check_output("here.csv", NULL, 0, &err), FWD_OK, "%s", err.msg);
    cr_assert_eq(entries(), 0);
}

Test(fwd_io, an_existing_file_is_refused_unless_overwritten)
{
    char p[128], buf[16] = "";
    fwd_error err;
    FILE *f;

    snprintf(p, sizeof p, "%s/old.csv", dir);
    write_file(p, "precious");
    cr_assert_eq(fwd_io_check_output(p, "the file", 0, &err), FWD_EEXIST);
    cr_assert_eq(err.code, FWD_EEXIST);
    cr_assert_str_eq(err.field, "output");
    cr_assert(strncmp(err.msg, p, strlen(p)) == 0 && strcmp(err.msg + strlen(p), ": exists") == 0,
              "%s", err.msg);
    cr_assert_eq(fwd_io_check_output(p, "the file", 1, &err), FWD_OK, "%s", err.msg);
    f = fopen(p, "r");
    cr_assert(fread(buf, 1, sizeof buf - 1, f) == 8);
    fclose(f);
    cr_assert_str_eq(buf, "precious");
    cr_assert_eq(entries(), 1);
}

Test(fwd_io, a_directory_is_refused_even_when_overwriting)
{
    char p[128], want[200];
    fwd_error err;

    snprintf(p, sizeof p, "%s/sub", dir);
    cr_assert_eq(mkdir(p, 0777), 0);
    snprintf(want, sizeof want, "%s: is a directory; expected the net file to write", p);
    cr_assert_eq(fwd_io_check_output(p, "the net file", 0, &err), FWD_EINVAL);
    cr_assert_str_eq(err.msg, want);
    cr_assert_str_eq(err.field, "output");
    cr_assert_eq(fwd_io_check_output(p, NULL, 1, &err), FWD_EINVAL);
    snprintf(want, sizeof want, "%s: is a directory; expected the file to write", p);
    cr_assert_str_eq(err.msg, want);
}

Test(fwd_io, a_missing_directory_is_an_io_error)
{
    char p[128], q[128], want[400];
    fwd_error err;

    snprintf(p, sizeof p, "%s/no/such/x.h5", dir);
    snprintf(want, sizeof want,
             "%s: cannot create a file there: no directory %s/no/such (make it first)", p, dir);
    cr_assert_eq(fwd_io_check_output(p, "the file", 0, &err), FWD_EIO);
    cr_assert_str_eq(err.msg, want);
    cr_assert_str_eq(err.field, "output");
    /* a file where a directory should be */
    snprintf(q, sizeof q, "%s/plain", dir);
    write_file(q, "x");
    snprintf(p, sizeof p, "%s/plain/x.h5", dir);
    cr_assert_eq(fwd_io_check_output(p, "the file", 1, &err), FWD_EIO);
    cr_assert(strstr(err.msg, "cannot create a file there: Not a directory") != NULL, "%s",
              err.msg);
    cr_assert_eq(entries(), 1);
    /* a directory that is there but takes no files (Linux's /proc): not "no directory" */
    if (access("/proc/self", F_OK) == 0) {
        cr_assert_eq(fwd_io_check_output("/proc/x.h5", "the file", 0, &err), FWD_EIO);
        cr_expect(strstr(err.msg, "/proc/x.h5: cannot create a file there: ") == err.msg &&
                      strstr(err.msg, "no directory") == NULL,
                  "%s", err.msg);
    }
}

Test(fwd_io, same_file_by_device_and_inode)
{
    char a[128], b[128], c[128], d[160];

    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    snprintf(c, sizeof c, "%s/c", dir);
    snprintf(d, sizeof d, "%s/./a", dir);
    write_file(a, "1");
    write_file(b, "1");
    cr_assert_eq(link(a, c), 0);
    cr_assert_eq(fwd_io_same_file(a, a), 1);
    cr_assert_eq(fwd_io_same_file(a, d), 1);
    cr_assert_eq(fwd_io_same_file(a, c), 1);
    cr_assert_eq(fwd_io_same_file(a, b), 0, "same content is not the same file");
    snprintf(d, sizeof d, "%s/none", dir);
    cr_assert_eq(fwd_io_same_file(a, d), 0);
    /* outputs not yet written: one name in one directory, however the path goes there */
    cr_assert_eq(fwd_io_same_file(d, d), 1);
    snprintf(c, sizeof c, "%s/./none", dir);
    cr_assert_eq(fwd_io_same_file(d, c), 1);
    snprintf(c, sizeof c, "%s/../%s/none", dir, strrchr(dir, '/') + 1);
    cr_assert_eq(fwd_io_same_file(d, c), 1, "%s", c);
    snprintf(c, sizeof c, "%s/none2", dir);
    cr_assert_eq(fwd_io_same_file(d, c), 0);
    cr_assert_eq(fwd_io_same_file("/nonexistent-dir/x", "/nonexistent-dir/./x"), 0,
                 "a directory that does not resolve: by the paths alone");
}

/* A killed writer's temporary files (PATH.tmp.PID of a process that is gone) are removed; a
 * live process's, another path's and other names are kept. */
Test(fwd_io, dead_writers_temporary_files_are_removed)
{
    char path[128], name[256], mine[64];
    /* kept: this process's (live), another path's, names that are no PID */
    const char *keep[] = {mine, "other.h5.tmp.999999999", "out.h5.tmp.x1", "out.h5.tmp.0",
                          "out.h5"};
    FILE *f;
    size_t k;
    pid_t dead = fork();

    cr_assert_geq(dead, 0);
    if (dead == 0)
        _exit(0);
    cr_assert_eq(waitpid(dead, NULL, 0), dead); /* its PID now names no process */
    snprintf(mine, sizeof mine, "out.h5.tmp.%ld", (long)getpid());
    snprintf(path, sizeof path, "%s/out.h5", dir);
    snprintf(name, sizeof name, "%s.tmp.%ld", path, (long)dead);
    cr_assert_not_null(f = fopen(name, "w"));
    fclose(f);
    for (k = 0; k < sizeof keep / sizeof keep[0]; k++) {
        snprintf(name, sizeof name, "%s/%s", dir, keep[k]);
        cr_assert_not_null(f = fopen(name, "w"));
        fclose(f);
    }
    fwd_io_remove_dead_temps(path);
    snprintf(name, sizeof name, "%s.tmp.%ld", path, (long)dead);
    cr_expect_neq(access(name, F_OK), 0, "a dead writer's file was kept");
    for (k = 0; k < sizeof keep / sizeof keep[0]; k++) {
        snprintf(name, sizeof name, "%s/%s", dir, keep[k]);
        cr_expect_eq(access(name, F_OK), 0, "%s was removed", keep[k]);
    }
    fwd_io_remove_dead_temps("no-such-dir/out.h5"); /* nothing to read: nothing done */
}

/* A character device (/dev/null) is written itself, never replaced by a rename, whatever
 * overwrite says; a regular file beside it, and a link to one, are no devices; a FIFO is not
 * one either (opening it would wait for a reader). */
Test(fwd_io, a_device_is_written_not_replaced)
{
    char p[128], *tmp = (char *)1;
    fwd_error err;
    struct stat st;
    FILE *f;

    cr_assert(fwd_io_is_device("/dev/null"));
    f = fwd_io_open_temp("/dev/null", &tmp, &err);
    cr_assert_not_null(f, "%s", err.msg);
    cr_expect_null(tmp);
    cr_expect_gt(fprintf(f, "a,b\n1,2\n"), 0);
    cr_assert_eq(fwd_io_close_publish(f, tmp, "/dev/null", 0, &err), FWD_OK, "%s", err.msg);
    cr_assert_eq(stat("/dev/null", &st), 0);
    cr_expect(S_ISCHR(st.st_mode), "/dev/null was replaced");
    snprintf(p, sizeof p, "%s/file.csv", dir);
    write_file(p, "x");
    cr_expect_not(fwd_io_is_device(p));
    snprintf(p, sizeof p, "%s/fifo", dir);
    cr_assert_eq(mkfifo(p, 0600), 0);
    cr_expect_not(fwd_io_is_device(p));
    cr_expect_not(fwd_io_is_device("/no/such/path"));
    /* the checks before a run still refuse it: an HDF5 output cannot be a device */
    cr_expect_eq(fwd_io_check_output("/dev/null", "the net file", 1, &err), FWD_EINVAL);
}
