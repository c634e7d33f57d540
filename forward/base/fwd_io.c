/* SPDX-License-Identifier: MIT */
/*
 * fwd_io.c - files that appear whole: temporary name, fsync, link or rename, directory sync;
 * checks that an output can be written.
 */
/* realpath() is XSI */
#define _XOPEN_SOURCE 700

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <fcntl.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "forward/base/fwd_io.h"

/* The longest file name (not path) a temporary name may have: NAME_MAX of Linux's file
 * systems. */
#define TEMP_NAME_MAX 255

char *
fwd_io_temp_name(const char *path)
{
    static unsigned long made; /* a name too long for the suffix: a short one, numbered */
    size_t len = strlen(path) + 64;
    const char *slash = strrchr(path, '/'), *base = slash != NULL ? slash + 1 : path;
    char *tmp = malloc(len);

    if (tmp == NULL)
        return NULL;
    snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
    if (strlen(tmp) - (size_t)(base - path) > TEMP_NAME_MAX) /* in the same directory */
        snprintf(tmp, len, "%.*s.bpinv-tmp.%ld.%lu", (int)(base - path), path, (long)getpid(),
                 __atomic_add_fetch(&made, 1, __ATOMIC_RELAXED));
    return tmp;
}

void
fwd_io_remove_dead_temps(const char *path)
{
    char dir[4200], pre[4200], full[8500];
    const char *slash = strrchr(path, '/');
    struct dirent *e;
    DIR *dp;

    snprintf(dir, sizeof dir, "%.*s", slash != NULL ? (int)(slash - path) : 1,
             slash != NULL ? path : ".");
    if (slash == path)
        snprintf(dir, sizeof dir, "/");
    if (snprintf(pre, sizeof pre, "%s.tmp.", slash != NULL ? slash + 1 : path) >= (int)sizeof pre ||
        (dp = opendir(dir)) == NULL)
        return;
    while ((e = readdir(dp)) != NULL) {
        const char *tail = e->d_name + strlen(pre);
        char *end;
        long pid;

        if (strncmp(e->d_name, pre, strlen(pre)) != 0 || *tail < '1' || *tail > '9')
            continue;
        pid = strtol(tail, &end, 10);
        if (*end != '\0' || pid <= 0 || pid > INT_MAX || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        if (snprintf(full, sizeof full, "%s/%s", dir, e->d_name) < (int)sizeof full)
            unlink(full);
    }
    closedir(dp);
}

int
fwd_io_replaceable(const char *path, fwd_error *err)
{
    struct stat st;
    const char *kind;

    if (lstat(path, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
        return FWD_OK;
    kind = S_ISLNK(st.st_mode)    ? "symbolic link"
           : S_ISCHR(st.st_mode)  ? "character device"
           : S_ISBLK(st.st_mode)  ? "block device"
           : S_ISFIFO(st.st_mode) ? "FIFO"
                                  : "socket";
    return fwd_error_set_field(err, FWD_EINVAL, "output",
                               "%s: is a %s, not a regular file: an output is written whole "
                               "under a temporary name renamed onto it, which would replace "
                               "the %s itself; %s",
                               path, kind, kind,
                               S_ISLNK(st.st_mode)
                                   ? "give the path it points to"
                                   : "give a file (text outputs without -o go to stdout)");
}

/* Syncs the directory holding path, so that a new name survives a crash (best effort). */
static void
sync_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    int fd;

    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path + (slash == path)), path);
    fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

const char *
fwd_io_why(const char *guess)
{
    return errno != 0 ? strerror(errno) : guess;
}

/* link(tmp, path), or where there are no hard links, rename() if path is free */
static int
no_replace(const char *tmp, const char *path)
{
    if (link(tmp, path) == 0)
        return 0;
    if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP && errno != ENOSYS)
        return -1;
    if (access(path, F_OK) == 0) {
        errno = EEXIST;
        return -1;
    }
    return rename(tmp, path);
}

int
fwd_io_publish(const char *tmp, const char *path, int overwrite, fwd_error *err)
{
    int fd = open(tmp, O_RDONLY), rc = FWD_OK;

    /* the data on disk before the name: a crash leaves the old file or the new */
    if (fd < 0 || fsync(fd) != 0)
        rc = fwd_error_set(err, FWD_EIO, "%s: cannot sync: %s (disk full?)", tmp, strerror(errno));
    if (fd >= 0)
        close(fd);
    if (rc == FWD_OK && overwrite)
        rc = fwd_io_replaceable(path, err);
    if (rc == FWD_OK) {
        if (overwrite ? rename(tmp, path) != 0 : no_replace(tmp, path) != 0)
            rc = fwd_error_set(
                err, FWD_EIO, "%s: cannot %s %s to it: %s", path, overwrite ? "rename" : "link",
                tmp, errno == EEXIST ? "it exists (appeared meanwhile)" : strerror(errno));
        else if (!overwrite)
            unlink(tmp);
    }
    if (rc == FWD_OK)
        sync_dir(path);
    else
        unlink(tmp);
    return rc;
}

/* path as its directory's resolved path and its last name, into buf: "./out.csv" and
 * "/tmp/out.csv" alike when /tmp is the working directory. 0 when the directory does not
 * resolve or buf is too short. */
static int
resolved_name(const char *path, char *buf, size_t cap)
{
    const char *slash = strrchr(path, '/');
    char dir[4096], *res;
    int n;

    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else if (snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path) >=
             (int)sizeof dir)
        return 0;
    if ((res = realpath(dir, NULL)) == NULL)
        return 0;
    n = snprintf(buf, cap, "%s/%s", res, slash != NULL ? slash + 1 : path);
    free(res);
    return n > 0 && (size_t)n < cap;
}

int
fwd_io_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    char ra[4096], rb[4096];
    int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;

    if (ea && eb)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (ea || eb) /* one there, the other not */
        return 0;
    return strcmp(a, b) == 0 || (resolved_name(a, ra, sizeof ra) &&
                                 resolved_name(b, rb, sizeof rb) && strcmp(ra, rb) == 0);
}

int
fwd_io_check_output(const char *path, const char *what, int overwrite, fwd_error *err)
{
    struct stat st;
    char probe[4096];
    const char *slash = strrchr(path, '/');
    int fd, n;

    if ((n = fwd_io_replaceable(path, err)) != FWD_OK)
        return n;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return fwd_error_set_field(err, FWD_EINVAL, "output",
                                       "%s: is a directory; expected %s to write", path,
                                       what != NULL ? what : "the file");
        if (!overwrite)
            return fwd_error_set_field(err, FWD_EEXIST, "output", "%s: exists", path);
    }
    /* a file made and removed in the same directory: it exists, and may be written */
    n = snprintf(probe, sizeof probe, "%.*s.bpinv-probe.%ld",
                 slash != NULL ? (int)(slash - path + 1) : 0, path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof probe)
        return fwd_error_set_field(err, FWD_EINVAL, "output", "%s: path too long", path);
    fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 && errno == ENOENT) { /* the folder to write in: named, bpinv does not make it */
        char dir[4096];

        snprintf(dir, sizeof dir, "%.*s", slash == NULL || slash == path ? 1 : (int)(slash - path),
                 slash == NULL ? "." : path); /* "/x": "/" */
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
            return fwd_error_set_field(err, FWD_EIO, "output",
                                       "%s: cannot create a file there: no directory %s (make "
                                       "it first)",
                                       path, dir);
        errno = ENOENT; /* a directory of no files (/proc): the system's words */
    }
    if (fd < 0)
        return fwd_error_set_field(err, FWD_EIO, "output", "%s: cannot create a file there: %s",
                                   path, strerror(errno));
    close(fd);
    unlink(probe);
    return FWD_OK;
}

int
fwd_io_is_device(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISCHR(st.st_mode);
}

FILE *
fwd_io_open_temp(const char *path, char **tmp, fwd_error *err)
{
    FILE *f;

    if (fwd_io_is_device(path)) { /* /dev/null: written, not replaced */
        *tmp = NULL;
        if ((f = fopen(path, "w")) == NULL)
            fwd_error_set(err, FWD_EIO, "%s: cannot open: %s", path, strerror(errno));
        return f;
    }
    *tmp = fwd_io_temp_name(path);
    f = *tmp != NULL ? fopen(*tmp, "wx") : NULL;
    if (f == NULL) {
        fwd_error_set(err, *tmp != NULL ? FWD_EIO : FWD_ENOMEM, "%s: cannot create: %s", path,
                      strerror(errno));
        free(*tmp);
        *tmp = NULL;
    }
    return f;
}

int
fwd_io_close_publish(FILE *f, const char *tmp, const char *path, int overwrite, fwd_error *err)
{
    /* a write that failed before (its stream's error set): its errno, as the caller left it
     * (one fwrite of a whole MPI output on a full disk said "write error (disk full?)") */
    int werr, why, before = ferror(f) ? errno : 0;

    errno = 0; /* the reason, when the failed write is the last flush (a short file) */
    werr = (fflush(f) != 0) | ferror(f);
    why = errno;
    werr |= fclose(f) != 0;
    why = why ? why : errno ? errno : before;
    if (werr) {
        fwd_error_set(err, FWD_EIO, "%s: cannot write: %s", path,
                      why ? strerror(why) : "write error (disk full?)");
        if (tmp != NULL)
            unlink(tmp);
        return FWD_EIO;
    }
    return tmp != NULL ? fwd_io_publish(tmp, path, overwrite, err) : FWD_OK;
}

static locale_t c_locale;
static pthread_once_t c_once = PTHREAD_ONCE_INIT;

static void
make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

void *
fwd_locale_c(void)
{
    pthread_once(&c_once, make_c_locale);
    return c_locale != (locale_t)0 ? (void *)uselocale(c_locale) : NULL;
}

void
fwd_locale_restore(void *old)
{
    if (old != NULL)
        uselocale((locale_t)old);
}

double
fwd_strtod(const char *s, char **end)
{
    void *old = fwd_locale_c();
    double v = strtod(s, end);

    fwd_locale_restore(old);
    return v;
}

size_t
fwd_utf8_length(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned c = p[0];
    size_t n, k;
    unsigned long cp;

    if (c < 0xc2 || c > 0xf4)
        return 1;
    n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    cp = c & (0x3fu >> (n - 1));
    for (k = 1; k < n; k++) {
        if ((p[k] & 0xc0) != 0x80)
            return 1;
        cp = (cp << 6) | (p[k] & 0x3fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 1;
    return n;
}
