/* SPDX-License-Identifier: MIT */
/*
 * fwd_sounding.h - field soundings: the measured data of one station, read from a text
 * file (Schlumberger, Wenner, MT) or a SEG EDI file (MT).
 *
 * Text files (docs/formats.md, "Sounding text files"): '#' starts a comment; fields are
 * separated by commas, tabs or spaces; an optional header row names the columns, and then
 * selects them by name (extra columns are allowed; recognised error columns are used).
 * Without a header the columns are, by method: `ab2 rho_a` or `ab2 mn2 rho_a`
 * (Schlumberger), `a rho_a` (Wenner), `period rho_a phase` (MT). Units: m, ohm-m, s,
 * degrees. Rows are sorted by spacing or period (then MN/2); the same point twice is an
 * error naming both lines. A Schlumberger AB/2 may repeat once per MN/2 (segments).
 *
 * EDI files: the FREQ block (Hz), the impedance blocks the component needs (xy: ZXYR, ZXYI;
 * yx: ZYXR, ZYXI; det: the four; ZXX*, ZYY*, *.VAR used when present) in field units
 * (mV/km)/nT, or apparent resistivity and phase blocks RHOXY, PHSXY, RHOYX, PHSYX (and
 * .ERR); a frequency with a value missing is skipped, with a note: the file's EMPTY marker
 * (1.0E32 by default: values at or beyond it; a negative one, -999: values equal to it),
 * NaN, or an off-diagonal impedance of 0 + 0i.
 */
#ifndef FWD_SOUNDING_H
#define FWD_SOUNDING_H

#include <stddef.h>
#include <stdint.h>

#include "forward/base/fwd_error.h"
#include "forward/fwd_geom.h"
#include "forward/fwd_method.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fewest points a sounding may have. */
#define FWD_SOUNDING_MIN_POINTS 3

/* The largest standard errors a sounding may give: of log10 rho_a (decades) and of the phase
 * (degrees). Beyond, a reading is no measurement (1e160 made the range check fail with a
 * message naming no point). */
#define FWD_SD_LOG10_MAX 10
#define FWD_SD_PHASE_MAX 180

/* Two readings whose log10 x differ by no more than this (a relative 2.3e-12) are at one
 * point: given twice without an MN/2 to tell them apart, they are refused. */
#define FWD_SOUNDING_SAME_DECADES 1e-12
/* Largest sounding file read, bytes. */
#define FWD_SOUNDING_MAX_BYTES (64 << 20)
/* Longest line of a text sounding, bytes. */
#define FWD_SOUNDING_MAX_LINE 65536

/* Bytes of a sounding's name with its NUL: a longer station name (a station column's value,
 * a wide table's header, an EDI DATAID) is refused; a longer file name, the name of a file
 * without a station, is cut short at a character and the note says so. */
#define FWD_SOUNDING_NAME_MAX 128

/* The path that stands for the standard input ("-"): read whole, named "stdin". */
#define FWD_SOUNDING_STDIN "-"

/* Which MT impedance an EDI file gives: xy, yx, the determinant average sqrt(Zxx Zyy - Zxy
 * Zyx), or Berdichevsky's arithmetic average (Zxy - Zyx) / 2 (Berdichevsky and Dmitriev 1976).
 * det and berd are invariant under rotation of the axes. */
typedef enum fwd_component {
    FWD_COMP_DET = 0,
    FWD_COMP_XY = 1,
    FWD_COMP_YX = 2,
    FWD_COMP_BERD = 3
} fwd_component;

/* Parses "det", "xy", "yx" or "berd" (any case). */
int fwd_component_parse(const char *s, fwd_component *c, fwd_error *err);

typedef struct fwd_sounding {
    fwd_method method;
    size_t n;         /* points, sorted by x (then mn2) */
    double *x;        /* AB/2 (m), a (m) or period (s) */
    double *mn2;      /* MN/2 (m) per point, Schlumberger only; NULL when not given */
    double *rho_a;    /* apparent resistivity, ohm-m */
    double *phase;    /* MT phase, degrees; NULL for DC */
    double *sd_log10; /* standard error of log10 rho_a; NULL when not given */
    double *sd_phase; /* standard error of the phase, degrees; NULL when not given */
    size_t *line;     /* line of the file each point came from (1-based) */
    char name[FWD_SOUNDING_NAME_MAX]; /* the station: EDI DATAID, a text file's station column, else
                          the file name without directory */
    char source[1024]; /* the path read (cut at a UTF-8 character, with a note, past 1023 bytes) */
    char unused[256];  /* a text file's columns not read, as named in its header, joined by
                          ", " (cut short with "..."); "" when none */
    /* Where the station is, NAN where the file does not say: easting and northing (m) and
     * the elevation of the surface (m) from a text file's x, y, elevation columns (one
     * position per file); latitude and longitude (degrees, north and east positive) from
     * an EDI file's LAT and LONG (or a text file's lat, lon), elevation from its ELEV (each
     * from >HEAD, else from >=DEFINEMEAS's REFLAT, REFLONG, REFELEV). */
    double x_m, y_m, elevation_m, lat_deg, lon_deg;
    /* What the reader assumed or doubted about the file that the user should know (how a
     * column was converted, numbers that may hold thousands separators), sentences joined by
     * "; " (cut short with "..."); "" when nothing. */
    char note[512];
    /* The impedance an EDI file's curve is of ("det", "xy", "yx", "berd": fwd_component_name); ""
     * for a text file's one curve and a DC sounding. */
    char component[8];
} fwd_sounding;

/*
 * A number from the sounding's values (FNV-1a over the bytes of its x, rho_a and phases)
 * and seed: a stream for random draws that depends on the sounding alone, not on the order
 * or the thread it is inverted in.
 */
uint64_t fwd_sounding_hash(const fwd_sounding *s, uint64_t seed);

/*
 * Reads the sounding in path. `expect` is the method the caller needs; a text file without
 * a header is read as that method, and a header that names another method's columns (or an
 * EDI file when expect is not MT) is FWD_EINVAL saying which method the file holds. `comp`
 * chooses the EDI impedance (an MT text file, of one curve, is read as it is, its note
 * saying so when comp is not det; comp other than det with expect not MT is FWD_EINVAL,
 * field "component"). path FWD_SOUNDING_STDIN ("-") reads the standard input, named
 * "stdin". Errors are one line, `path:line: field: expected ..., got "..."` where a line is
 * to blame. A text file's header is read by the names of its columns, with their units
 * (docs/formats.md); a needed column it does not name is an error, never read by position.
 */
fwd_sounding *fwd_sounding_read(const char *path, fwd_method expect, fwd_component comp,
                                fwd_error *err);

/*
 * A sounding of method m made from arrays of n points (for programs and bindings that hold
 * their data in memory): x (AB/2 or a in m, periods in s) and rho_a (ohm-m) always; mn2 (m,
 * Schlumberger only, or NULL), phase (degrees, MT only and required there), sd_log10 (of
 * log10 rho_a) and sd_phase (degrees, MT only) or NULL. The values are checked as the text
 * reader checks a file's (finite, > 0 but for phases, phases in [-180, 180] with the third
 * quadrant brought to the first, MN/2 below AB/2, no point twice, 3 to FWD_MAX_POINTS
 * points) and copied, sorted by x then MN/2. name (NULL: "sounding") is its name and source,
 * as given; line[k] is the 1-based index in the arrays given of point k.
 * Errors (NULL returned): FWD_EINVAL, one message naming the array and the 0-based index,
 * "NAME: rho_a_ohmm[4]: expected a finite number > 0, got -3", err->field the array's
 * column name (x's is the method's x column, "ab2_m", "a_m", "period_s"; "method" for an
 * unknown method; "name" for a name of FWD_SOUNDING_NAME_MAX bytes or more); FWD_ENOMEM.
 */
fwd_sounding *fwd_sounding_from_arrays(const char *name, fwd_method m, size_t n, const double *x,
                                       const double *mn2, const double *rho_a, const double *phase,
                                       const double *sd_log10, const double *sd_phase,
                                       fwd_error *err);

/*
 * Checks a sounding made elsewhere than by this library (a caller filling the struct) as
 * fwd_sounding_from_arrays checks arrays, and that its points are in increasing x (then
 * MN/2) with a line array: FWD_OK, or FWD_EINVAL with the message and field of
 * fwd_sounding_from_arrays (NULL: "sounding: expected one, got NULL"). The readers' and
 * fwd_sounding_from_arrays' soundings pass it.
 */
int fwd_sounding_check(const fwd_sounding *s, fwd_error *err);

/* A copy of s (its own arrays), or NULL when out of memory or s is NULL. */
fwd_sounding *fwd_sounding_copy(const fwd_sounding *s);

/*
 * As fwd_sounding_read, with columns: NULL, or the header names of a text file's columns
 * mapped to the names bpinv knows (docs/formats.md), "KNOWN=HEADER,..." with HEADER in double
 * quotes when it holds a comma: "rho_a=App. Res. (Ohm m),ab2=AB/2", "ab2_ft=Spacing". A
 * header field equal to a HEADER (without case, spaces around dropped) is read as KNOWN. A
 * KNOWN name bpinv does not know is FWD_EINVAL (field "columns"); a HEADER that a file with a
 * header does not have is FWD_EFORMAT naming it, so that a typo is never silent. A table of
 * several stations is FWD_EFORMAT naming them (fwd_sounding_read_stations reads them all).
 */
fwd_sounding *fwd_sounding_read_columns(const char *path, fwd_method expect, fwd_component comp,
                                        const char *columns, fwd_error *err);

/*
 * Reads every sounding of path, one per station, in the order of their first readings: as
 * fwd_sounding_read_columns reads one, but a text table may hold a survey (docs/formats.md,
 * "Surveys in one table"): in the long layout a station column tells the readings apart (its
 * value is the sounding's name), or without one the place given by x, y, lat, lon columns
 * (the soundings named FILE-1, FILE-2, ... in order); in the wide layout of a DC survey the
 * header names the spacing (and MN/2) and then one rho_a column per station, named by its
 * station, a cell with no reading being empty, "-", "*", NA, N/A or NaN. An EDI file and a
 * table of one station give one sounding. *out is a new array of *n >= 1 soundings
 * (fwd_sounding_free_stations). Errors as fwd_sounding_read_columns's (a station of fewer
 * than FWD_SOUNDING_MIN_POINTS points is one, naming it): *out NULL and *n 0.
 */
int fwd_sounding_read_stations(const char *path, fwd_method expect, fwd_component comp,
                               const char *columns, fwd_sounding ***out, size_t *n, fwd_error *err);

/*
 * As fwd_sounding_read_stations, for a survey whose stations are inverted one by one: a
 * station that is no sounding (fewer than FWD_SOUNDING_MIN_POINTS readings, none in its
 * column of a wide table, a point given twice), or, in a table with a station column, that
 * has a bad reading (a value that is no number or out of range, an MN/2 not below its AB/2,
 * another position: its first such error, naming it), fails only itself, the others are
 * read.
 * *station_err is a new array of *n errors (free()), code FWD_OK for a station read; a
 * failed station's sounding in *out holds its name and source and is not to be inverted
 * (its points as read, unchecked). The file's own errors as fwd_sounding_read_stations's.
 */
int fwd_sounding_read_survey(const char *path, fwd_method expect, fwd_component comp,
                             const char *columns, fwd_sounding ***out, fwd_error **station_err,
                             size_t *n, fwd_error *err);

/* Frees the n soundings of s and the array; NULL is a no-op. */
void fwd_sounding_free_stations(fwd_sounding **s, size_t n);

/* Checks a columns mapping of fwd_sounding_read_columns before any file is read: FWD_OK, or
 * FWD_EINVAL with its message (field "columns"). */
int fwd_sounding_columns_check(const char *columns, fwd_error *err);

/* Frees s; NULL is a no-op. */
void fwd_sounding_free(fwd_sounding *s);

/*
 * The sounding's own geometry (its points and MN/2), for computing a model's response
 * where it was measured. A new fwd_geom, NULL with err set if the points do not make one
 * (an MN/2 not below its AB/2).
 */
fwd_geom *fwd_sounding_geom(const fwd_sounding *s, fwd_error *err);

/*
 * FWD_OK if g is s's own geometry (its method, points and MN/2, as fwd_sounding_geom() makes
 * it); FWD_EINVAL naming both otherwise: the check of a workspace passed with a sounding.
 */
int fwd_sounding_geom_check(const fwd_sounding *s, const fwd_geom *g, fwd_error *err);

/*
 * The observed values of value k of the sounding's method (fwd_method_info.values[k]: 0 the
 * apparent resistivities, 1 the MT phases), n of them, borrowed from s; NULL when k is not a
 * value of the method. fwd_sounding_sd: their standard errors, in the value's sd_column
 * units, NULL when the file gives none.
 */
const double *fwd_sounding_values(const fwd_sounding *s, size_t k);
const double *fwd_sounding_sd(const fwd_sounding *s, size_t k);

/*
 * The Schlumberger segments of s, one per MN/2, in increasing MN/2: the smallest MN/2 (m)
 * above `above`, INFINITY when there is none or s gives no MN/2. From above 0 up, it lists
 * them: for (l = fwd_sounding_next_mn2(s, 0); l < INFINITY; l = fwd_sounding_next_mn2(s, l)).
 */
double fwd_sounding_next_mn2(const fwd_sounding *s, double above);

/* Data values of the sounding: n times the method's values per point. */
size_t fwd_sounding_ndata(const fwd_sounding *s);

#ifdef __cplusplus
}
#endif

#endif /* FWD_SOUNDING_H */
