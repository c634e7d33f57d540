/* SPDX-License-Identifier: MIT */
/*
 * fwd_hankel.c - a J1 digital linear filter for the Schlumberger transform that can be
 * evaluated at any shift, so that every spacing of a geometry reads the kernel on one
 * shared grid of ln(lambda) (docs/methods.md, "Shared-grid filter").
 *
 * In u = ln(lambda r) the Schlumberger transform is a correlation,
 *     rho_S(r) = int f(ln lambda) h(ln r + ln lambda) d(ln lambda),  h(u) = e^{2u} J1(e^u),
 * and with f sampled every STEP in ln(lambda) and interpolated by sinc functions (Ghosh
 * 1971), the weight of the sample at ln(lambda_j) is W(ln r + ln lambda_j), with
 *     W(u) = (STEP / pi) int_0^{pi/STEP} Re[H(w) e^{i w u}] sigma(w) dw,
 *     H(w) = int h(u) e^{-i w u} du = 2^{1 - i w} Gamma((3 - i w)/2) / Gamma((1 + i w)/2),
 * the Mellin transform of J1 (Gradshteyn and Ryzhik 6.561.14). sigma is an erfc taper that
 * makes W decay like a Gaussian, so W is cut to u in [ULO, UHI]. The kernel's spectrum
 * decays like exp(-pi w / 2) (its poles lie at Im ln(lambda) >= pi/2), which sets the
 * accuracy: about 1e-7 on two-layer models with contrasts of 1e4.
 *
 * This file is the filter's design: W's spectrum and W itself, summed directly. A
 * workspace does not compute either: it interpolates W from the table of it that
 * tools/gen/gen_filter_shared.c writes from fwd_dlf_sample() (fwd_filter_shared.c).
 */
#include <complex.h>
#include <math.h>

#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_gamma.h>

#include "forward/fwd_internal.h"

int
fwd_dlf_init(fwd_dlf *f, fwd_error *err)
{
    gsl_integration_glfixed_table *tab = gsl_integration_glfixed_table_alloc(FWD_DLF_NQ);
    gsl_sf_result lnr1, arg1, lnr2, arg2;
    double wc = FWD_PI / FWD_DLF_STEP, wm = FWD_DLF_TAPER_CENTER * wc, om, gw, sigma, lr, ph;
    size_t n;
    int rc = FWD_OK;

    if (tab == NULL)
        return fwd_fail(err, FWD_ENOMEM, "hankel filter: out of memory");
    for (n = 0; n < FWD_DLF_NQ; n++) {
        gsl_integration_glfixed_point(0.0, wc, n, &om, &gw, tab);
        if (gsl_sf_lngamma_complex_e(1.5, -0.5 * om, &lnr1, &arg1) != 0 ||
            gsl_sf_lngamma_complex_e(0.5, 0.5 * om, &lnr2, &arg2) != 0) {
            rc = fwd_fail(err, FWD_ENUMERIC, "hankel filter: log-gamma failed at w = %g", om);
            break;
        }
        /* ln H = (1 - i w) ln 2 + lnGamma((3 - i w)/2) - lnGamma((1 + i w)/2) */
        lr = log(2.0) + lnr1.val - lnr2.val;
        ph = -om * log(2.0) + arg1.val - arg2.val;
        sigma = 0.5 * erfc((om - wm) / FWD_DLF_TAPER_WIDTH);
        f->omega[n] = om;
        f->a[n] = (FWD_DLF_STEP / FWD_PI) * gw * sigma * exp(lr) * cexp(I * ph);
    }
    gsl_integration_glfixed_table_free(tab);
    return rc;
}

void
fwd_dlf_sample(const fwd_dlf *f, double u0, double h, size_t n, double *w)
{
    size_t i, q;

    for (i = 0; i < n; i++) {
        double u = u0 + (double)i * h, sum = 0;

        for (q = 0; q < FWD_DLF_NQ; q++)
            sum += creal(f->a[q]) * cos(f->omega[q] * u) - cimag(f->a[q]) * sin(f->omega[q] * u);
        w[i] = sum;
    }
}
