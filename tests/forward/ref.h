/* SPDX-License-Identifier: MIT */
/*
 * ref.h - independent reference values for the forward tests: image series, closed
 * forms and numerical Hankel integration with GSL quadrature. None of it shares code
 * with libfwd.
 */
#ifndef TEST_REF_H
#define TEST_REF_H

#include <stddef.h>

/* Two-layer Schlumberger (ideal) apparent resistivity by the image series. */
double ref_schlumberger_2layer(double rho1, double rho2, double h, double ab2);

/* Two-layer Schlumberger with finite MN/2 by the image series of the potential. */
double ref_schlumberger_mn_2layer(double rho1, double rho2, double h, double ab2, double mn2);

/* Two-layer Wenner apparent resistivity by the image series. */
double ref_wenner_2layer(double rho1, double rho2, double h, double a);

/* Schlumberger (ideal) by numerical integration of the Hankel transform. */
double ref_schlumberger_quad(size_t n, const double *rho, const double *h, double ab2);

/* Wenner by numerical integration of the Hankel transform. */
double ref_wenner_quad(size_t n, const double *rho, const double *h, double a);

/* MT apparent resistivity and phase (degrees) from the textbook tanh recursion. */
void ref_mt(size_t n, const double *rho, const double *h, double period, double *rho_a,
            double *phase);

/* Relative difference |a - b| / |b|. */
double rel_diff(double a, double b);

#endif
