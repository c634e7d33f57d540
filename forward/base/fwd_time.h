/* SPDX-License-Identifier: MIT */
/*
 * fwd_time.h - the one clock the libraries and tools time runs with.
 */
#ifndef FWD_TIME_H
#define FWD_TIME_H

/* Seconds on a monotonic clock (CLOCK_MONOTONIC): for durations only, never for seeds. */
double fwd_time_seconds(void);

#endif /* FWD_TIME_H */
