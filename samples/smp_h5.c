/* SPDX-License-Identifier: MIT */
/*
 * smp_h5.c - typed HDF5 attributes and checked opening.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "samples/smp_h5.h"

static hid_t
str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);

    if (t < 0)
        return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

/* Writes an attribute of type ftype (memory type mtype) over space; closes nothing given. */
static int
write_attr(hid_t loc, const char *name, hid_t ftype, hid_t mtype, hid_t space, const void *buf,
           fwd_error *err)
{
    hid_t a = H5I_INVALID_HID;
    int rc = FWD_OK;

    if (space < 0 || ftype < 0) {
        rc = fwd_error_set(err, FWD_EIO, "attribute %s: cannot make its type or space", name);
        goto done;
    }
    a = H5Acreate2(loc, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0 || H5Awrite(a, mtype, buf) < 0)
        rc = fwd_error_set(err, FWD_EIO, "attribute %s: cannot write it", name);
done:
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

int
smp_h5_write_str(hid_t loc, const char *name, const char *value, fwd_error *err)
{
    hid_t t = str_type(), s = H5Screate(H5S_SCALAR);
    int rc = write_attr(loc, name, t, t, s, &value, err);

    if (s >= 0)
        H5Sclose(s);
    if (t >= 0)
        H5Tclose(t);
    return rc;
}

int
smp_h5_write_strs(hid_t loc, const char *name, size_t n, char *const *values, fwd_error *err)
{
    hsize_t dim = n;
    hid_t t = str_type(), s = H5Screate_simple(1, &dim, NULL);
    int rc = write_attr(loc, name, t, t, s, values, err);

    if (s >= 0)
        H5Sclose(s);
    if (t >= 0)
        H5Tclose(t);
    return rc;
}

int
smp_h5_write_u64(hid_t loc, const char *name, uint64_t value, fwd_error *err)
{
    hid_t s = H5Screate(H5S_SCALAR);
    int rc = write_attr(loc, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, s, &value, err);

    if (s >= 0)
        H5Sclose(s);
    return rc;
}

int
smp_h5_write_f64(hid_t loc, const char *name, size_t n, const double *values, fwd_error *err)
{
    hsize_t dim = n;
    hid_t s = n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dim, NULL);
    int rc = write_attr(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, s, values, err);

    if (s >= 0)
        H5Sclose(s);
    return rc;
}

int
smp_h5_update_u64(hid_t loc, const char *name, uint64_t value, fwd_error *err)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    int rc = FWD_OK;

    if (a < 0 || H5Awrite(a, H5T_NATIVE_UINT64, &value) < 0)
        rc = fwd_error_set(err, FWD_EIO, "attribute %s: cannot update it", name);
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

/* Opens attribute name of loc, or sets a FWD_EFORMAT error naming the file. */
static hid_t
open_attr(hid_t loc, const char *path, const char *name, fwd_error *err)
{
    htri_t e = H5Aexists(loc, name);
    hid_t a;

    if (e <= 0) {
        fwd_error_set(err, FWD_EFORMAT, "%s: attribute '%s' is missing", path, name);
        return H5I_INVALID_HID;
    }
    a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0)
        fwd_error_set(err, FWD_EFORMAT, "%s: attribute '%s' cannot be opened", path, name);
    return a;
}

/* Number of elements of attribute a, or -1. */
static hssize_t
attr_npoints(hid_t a)
{
    hid_t s = H5Aget_space(a);
    hssize_t n = s < 0 ? -1 : H5Sget_simple_extent_npoints(s);

    if (s >= 0)
        H5Sclose(s);
    return n;
}

int
smp_h5_read_str(hid_t loc, const char *path, const char *name, char *buf, size_t cap,
                fwd_error *err)
{
    hid_t a = open_attr(loc, path, name, err), ft = H5I_INVALID_HID, mt = H5I_INVALID_HID;
    char *v = NULL;
    size_t sz;
    int rc = FWD_OK;

    if (a < 0)
        return FWD_EFORMAT;
    ft = H5Aget_type(a);
    if (ft < 0 || H5Tget_class(ft) != H5T_STRING || attr_npoints(a) != 1) {
        rc = fwd_error_set(err, FWD_EFORMAT, "%s: attribute '%s': expected a string", path, name);
        goto done;
    }
    if (H5Tis_variable_str(ft) > 0) {
        mt = str_type();
        if (mt < 0 || H5Aread(a, mt, &v) < 0 || v == NULL) {
            rc = fwd_error_set(err, FWD_EFORMAT, "%s: attribute '%s': unreadable", path, name);
            goto done;
        }
        snprintf(buf, cap, "%s", v);
        H5free_memory(v);
    } else {
        sz = H5Tget_size(ft);
        mt = H5Tcopy(H5T_C_S1);
        if (sz == 0 || sz >= cap || mt < 0 || H5Tset_size(mt, cap) < 0 ||
            H5Tset_strpad(mt, H5T_STR_NULLTERM) < 0 || H5Aread(a, mt, buf) < 0) {
            rc = fwd_error_set(err, FWD_EFORMAT, "%s: attribute '%s': unreadable or too long", path,
                               name);
            goto done;
        }
        buf[cap - 1] = '\0';
    }
done:
    if (mt >= 0)
        H5Tclose(mt);
    if (ft >= 0)
        H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

/* Reads n numbers of class cls from attribute name into buf as memory type mtype. */
static int
read_num(hid_t loc, const char *path, const char *name, H5T_class_t cls, hid_t mtype, size_t n,
         void *buf, fwd_error *err)
{
    hid_t a = open_attr(loc, path, name, err), ft = H5I_INVALID_HID;
    hssize_t np;
    int rc = FWD_OK;

    if (a < 0)
        return FWD_EFORMAT;
    ft = H5Aget_type(a);
    np = attr_npoints(a);
    if (ft < 0 || H5Tget_class(ft) != cls || np != (hssize_t)n) {
        rc = fwd_error_set(err, FWD_EFORMAT,
                           "%s: attribute '%s': expected %zu %s, got %lld of "
                           "another kind",
                           path, name, n, cls == H5T_FLOAT ? "floating-point values" : "integers",
                           (long long)np);
        goto done;
    }
    if (H5Aread(a, mtype, buf) < 0)
        rc = fwd_error_set(err, FWD_EFORMAT, "%s: attribute '%s': unreadable", path, name);
done:
    if (ft >= 0)
        H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

int
smp_h5_read_u64(hid_t loc, const char *path, const char *name, uint64_t *value, fwd_error *err)
{
    return read_num(loc, path, name, H5T_INTEGER, H5T_NATIVE_UINT64, 1, value, err);
}

int
smp_h5_read_f64(hid_t loc, const char *path, const char *name, size_t n, double *values,
                fwd_error *err)
{
    return read_num(loc, path, name, H5T_FLOAT, H5T_NATIVE_DOUBLE, n, values, err);
}

hid_t
smp_h5_open(const char *path, int rw, fwd_error *err)
{
    htri_t ok;
    hid_t f;

    if (access(path, rw ? R_OK | W_OK : R_OK) != 0) {
        fwd_error_set(err, FWD_EIO, "%s: cannot open: %s", path,
                      access(path, F_OK) != 0 ? "no such file" : "permission denied");
        return H5I_INVALID_HID;
    }
    ok = H5Fis_hdf5(path);
    if (ok <= 0) {
        fwd_error_set(err, FWD_EFORMAT, "%s: not an HDF5 file (or a truncated one)", path);
        return H5I_INVALID_HID;
    }
    f = H5Fopen(path, rw ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        fwd_error_set(err, FWD_EFORMAT, "%s: HDF5 cannot open it (damaged or locked)", path);
    return f;
}

int
smp_h5_read_vector(hid_t loc, const char *path, const char *name, size_t n, double *v,
                   fwd_error *err)
{
    hid_t d = H5I_INVALID_HID, s = H5I_INVALID_HID, t = H5I_INVALID_HID;
    int rc = FWD_OK;

    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) {
        return fwd_error_set(err, FWD_EFORMAT, "%s: dataset '%s' is missing", path, name);
    }
    d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d >= 0) {
        s = H5Dget_space(d);
        t = H5Dget_type(d);
    }
    if (d < 0 || s < 0 || t < 0 || H5Tget_class(t) != H5T_FLOAT ||
        H5Sget_simple_extent_ndims(s) != 1 || H5Sget_simple_extent_npoints(s) != (hssize_t)n) {
        rc = fwd_error_set(err, FWD_EFORMAT,
                           "%s: dataset '%s': expected %zu floating-point "
                           "values",
                           path, name, n);
        goto done;
    }
    if (H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
        rc = fwd_error_set(err, FWD_EIO, "%s: dataset '%s': read error", path, name);
done:
    if (t >= 0)
        H5Tclose(t);
    if (s >= 0)
        H5Sclose(s);
    if (d >= 0)
        H5Dclose(d);
    return rc;
}
