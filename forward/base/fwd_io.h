/* SPDX-License-Identifier: MIT */
/*
 * fwd_io.h - files that appear whole: written under a temporary name, synced, then given
 * their name by link() (never replacing anything) or rename() (replacing, when asked); and
 * the checks made before a long run that its output can be written.
 *
 * A process killed at any moment leaves either the old file (or none) or the new one whole,
 * never half of one; at worst a stray PATH.tmp.PID, which `bpinv` never reads.
 */
#ifndef FWD_IO_H
#define FWD_IO_H

#include <stdio.h>

#include "forward/base/fwd_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A new string "path.tmp.PID" (free() it), or NULL when out of memory; where that file name
 * would pass 255 bytes, "DIR/.bpinv-tmp.PID.N" in path's directory, N counting such names. */
char *fwd_io_temp_name(const char *path);

/*
 * Why a write just failed, for a message: strerror(errno) when the system set errno (the
 * caller clears it before the call: HDF5 keeps the errno of its failed write), else guess.
 */
const char *fwd_io_why(const char *guess);

/*
 * FWD_OK if path names nothing or a regular file (or a directory, left to the caller): what
 * renaming a finished file onto it may replace. A symbolic link, a device, a FIFO or a socket
 * would itself be replaced (a --force onto /dev/null made it a file), or written through:
 * FWD_EINVAL, field "output", "PATH: is a KIND, not a regular file: ...".
 */
int fwd_io_replaceable(const char *path, fwd_error *err);

/* Removes the temporary files of path (PATH.tmp.PID, fwd_io_temp_name's) whose process is
 * gone: a killed writer's, half written (a live process's may be writing, and is kept). The
 * short names beside a path too long for the suffix (.bpinv-tmp.PID.N) name no path, and
 * are left. */
void fwd_io_remove_dead_temps(const char *path);

/*
 * Syncs the file tmp to disk and gives it the name path: with link() when overwrite is 0,
 * so that a file that appeared at path meanwhile is kept (FWD_EIO: exists), or rename()
 * when overwrite is non-zero; then syncs the directory. Where the file system has no
 * hard links (vfat, some network and FUSE file systems), a check that path is free and a
 * rename() instead. tmp may be open in this process (its descriptors keep working). A path
 * that is a symbolic link, a device, a FIFO or a socket is not replaced (FWD_EINVAL, field
 * "output": a rename would replace the link or the device itself). On failure tmp is
 * removed and nothing at path changes.
 */
int fwd_io_publish(const char *tmp, const char *path, int overwrite, fwd_error *err);

/*
 * Checks, before a long run, that path can be written: it is not a directory, not an
 * existing file (unless overwrite is non-zero), and a file can be created in its directory
 * (one is made and removed there, PATH's directory + ".bpinv-probe.PID"). what names the
 * file in the directory message ("the net file"; NULL: "the file"). Returns 0, or with
 * err->field "output": FWD_EINVAL "PATH: is a directory; expected WHAT to write", "PATH: is
 * a KIND, not a regular file: ..." (a symbolic link, device, FIFO or socket, which
 * fwd_io_publish would replace, --force or not) or "PATH: path too long", FWD_EEXIST "PATH:
 * exists", FWD_EIO "PATH: cannot create a file there: WHY". Nothing is left at path; a check, not a
 * reservation (the file may appear meanwhile).
 */
int fwd_io_check_output(const char *path, const char *what, int overwrite, fwd_error *err);

/* Whether a and b name the same file: 1, else 0. Files there are compared by device and
 * inode; two paths of which neither is there, by their directories resolved (realpath)
 * and their last names: outputs not yet written ("out.csv" and "./out.csv"). */
int fwd_io_same_file(const char *a, const char *b);

/* Whether path (its links followed: /dev/stdout) is a character device, written, not
 * replaced: /dev/null, a terminal: 1, else 0 (a FIFO is not: opening one waits for a
 * reader). fwd_io_open_temp writes one directly; fwd_io_check_output refuses it (an HDF5
 * file cannot be written there), so a caller of text outputs checks this first. */
int fwd_io_is_device(const char *path);

/*
 * A text file that appears whole at path: opens a new temporary file beside it ("wx": never
 * one that exists) and returns it, its name in *tmp (free() it after fwd_io_close_publish).
 * Write to it, then call fwd_io_close_publish. NULL when the file cannot be made, with
 * "PATH: cannot create: REASON" in err (FWD_EIO; FWD_ENOMEM when out of memory) and *tmp
 * NULL. A device (fwd_io_is_device: /dev/null) is opened itself, *tmp NULL.
 */
FILE *fwd_io_open_temp(const char *path, char **tmp, fwd_error *err);

/*
 * Flushes and closes f (from fwd_io_open_temp; always closed), then publishes tmp as path
 * with fwd_io_publish (overwrite as there; tmp NULL: f was the device path itself, nothing
 * to publish). A failed write or close is FWD_EIO, "PATH: cannot
 * write: REASON" (the system's reason, else "write error (disk full?)"); a failed publish
 * gives fwd_io_publish's error. On failure tmp is removed and nothing at path changes.
 */
int fwd_io_close_publish(FILE *f, const char *tmp, const char *path, int overwrite, fwd_error *err);

/*
 * Numbers read and written with '.', whatever locale the process has: a program that sets
 * one (Python's locale.setlocale(LC_ALL, "de_DE.UTF-8"), a GUI toolkit) made strtod stop at
 * the '.' of every reading and printf write decimal commas into CSV and JSON.
 * fwd_strtod is strtod in the "C" locale; fwd_locale_c sets the calling thread's locale to
 * "C" and returns the one to give fwd_locale_restore after (uselocale: this thread only).
 */
double fwd_strtod(const char *s, char **end);
void *fwd_locale_c(void); /* a locale_t (POSIX 2008), void * for plain C11 includers */
void fwd_locale_restore(void *old);

/* The length of the valid UTF-8 character of 2 to 4 bytes at s (RFC 3629: no overlong
 * forms, no surrogates, at most U+10FFFF), else 1 (ASCII, or a byte that starts none): for
 * writing text whose bytes may not be UTF-8 (a Latin-1 file name) where UTF-8 is needed. */
size_t fwd_utf8_length(const char *s);

#ifdef __cplusplus
}
#endif

#endif /* FWD_IO_H */
