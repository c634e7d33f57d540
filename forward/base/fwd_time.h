/* SPDX-License-Identifier: MIT */
/*
 * fwd_time.h - the one clock the libraries and tools time runs with.
 */
#ifndef FWD_TIME_H
#define FWD_TIME_H

#ifdef __cplusplus
extern "C" {
#endif

/* Seconds on a monotonic clock (CLOCK_MONOTONIC): for durations only, never for seeds. */
double fwd_time_seconds(void);

#ifdef __cplusplus
}
#endif

#endif /* FWD_TIME_H */
