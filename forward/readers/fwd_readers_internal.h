/* SPDX-License-Identifier: MIT */
/*
 * fwd_readers_internal.h - what the sounding readers share; not part of the public API.
 *
 * fwd_sounding.c reads the file into memory and hands it to a reader by its kind:
 * fwd_read_text.c (delimited text, every method), fwd_read_edi.c (SEG EDI, MT). A reader
 * makes the sounding with fwd_sounding_make, fills it point by point (growing it with
 * fwd_sounding_grow) and ends with fwd_sounding_finish, which sorts and checks the points.
 */
#ifndef FWD_READERS_INTERNAL_H
#define FWD_READERS_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "forward/base/fwd_error.h"
#include "forward/fwd_internal.h"
#include "forward/readers/fwd_sounding.h"

/* A reading repeated on the next row of a text file (field practice: read again to check)
 * is merged with it when the repeats lie within this many decades of rho_a, and degrees of
 * phase, of each other (fwd_read_text.c); further apart, the same point twice is an error
 * (fwd_sounding_finish: a typo?). */
#define FWD_REPEAT_DECADES 0.1
#define FWD_REPEAT_DEGREES 5.0

/* Not exported from libbpinv.so: libfwd's own (static links are not affected). */
#pragma GCC visibility push(hidden)

/*
 * A sounding of method m read from path (its source; its name the file name without the
 * directory), with room for cap points: x, rho_a and line always, phase when m measures it,
 * mn2, sd_log10 and sd_phase when the flags ask. NULL when out of memory.
 */
fwd_sounding *fwd_sounding_make(const char *path, fwd_method m, size_t cap, int mn2, int sd_log10,
                                int sd_phase);

/* Gives every array of s room for cap points; -1 when out of memory (s stays valid). */
int fwd_sounding_grow(fwd_sounding *s, size_t cap);

/*
 * Sorts the points of s by x, then MN/2, and rejects a point given twice (naming both
 * lines) and fewer than FWD_SOUNDING_MIN_POINTS points: FWD_EFORMAT. MT phases outside 0 to
 * 90 degrees, where no 1D earth's lie, are said in s->note.
 */
int fwd_sounding_finish(fwd_sounding *s, fwd_error *err);

/* Appends item to the list in buf (cap bytes), after sep when the list is not empty, in
 * quotes q; a list that does not fit is cut short with "...". */
void fwd_list_append(char *buf, size_t cap, const char *sep, const char *q, const char *item);

/*
 * getline() for sounding files of any line end: the next line of fp into *buf (grown as
 * getline grows it, *cap its room), its end, "\n", "\r\n" or a lone "\r" (spreadsheets saved
 * as "CSV (Macintosh)"; an EDI file of an old Mac), given as one "\n"; its length, or -1 at
 * the end of the file (or, errno ENOMEM, out of memory).
 */
long fwd_read_line(char **buf, size_t *cap, FILE *fp);

/* The name of component c, as --component takes it: "det", "xy", "yx" or "berd". */
const char *fwd_component_name(fwd_component c);

/* Adds the sentence say to s->note ("; "-joined). */
void fwd_sounding_note(fwd_sounding *s, const char *say);

/* s, made from path (fwd_sounding_make), named name (a station, an EDI DATAID): the note of
 * a file name cut short goes, that of a path cut short stays. */
void fwd_sounding_rename(fwd_sounding *s, const char *path, const char *name);

/* The length of s cut to at most max bytes at the start of a UTF-8 character (a long name
 * quoted in a message, or kept as a sounding's name). */
size_t fwd_utf8_cut(const char *s, size_t max);

/* How much of a long name a message quotes, bytes (then "..."). */
#define FWD_QUOTE_BYTES 24

/* FWD_OK when a station's name of len bytes fits a sounding's (FWD_SOUNDING_NAME_MAX);
 * else FWD_EFORMAT, "PATH:LINE: FIELD: expected WHAT of at most 127 bytesTAIL, got LEN
 * ("its first bytes...")". */
int fwd_name_fits(const char *name, size_t len, const char *path, size_t line, const char *field,
                  const char *what, const char *tail, fwd_error *err);

/* Reads the soundings of method expect in a delimited text file from fp (the contents of
 * path), its header's names mapped by columns (fwd_sounding_read_columns; NULL for none):
 * one per station (fwd_sounding_read_stations), *out a new array of *n >= 1. FWD_OK, or the
 * error with err set, *out NULL and *n 0. With serr, a station that is no sounding fails
 * only itself: *serr a new array of *n errors (fwd_sounding_read_survey). */
int fwd_read_text(const char *path, FILE *fp, fwd_method expect, const char *columns,
                  fwd_sounding ***out, fwd_error **serr, size_t *n, fwd_error *err);

/* The method of every EDI file: MT. */
#define FWD_EDI_METHOD FWD_MT

/* Reads a SEG EDI file (an MT sounding) from fp, impedance comp. NULL with err set. */
fwd_sounding *fwd_read_edi(const char *path, FILE *fp, fwd_component comp, fwd_error *err);

#pragma GCC visibility pop

#endif /* FWD_READERS_INTERNAL_H */
