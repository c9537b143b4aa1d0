/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the bench programs share: failing loudly, two clocks, one-line sysfs
 * and procfs files, the JSON line every metric is printed as, and the
 * udmabuf size limit they raise for the run.
 */
#ifndef DMABUF_PP_BENCH_UTIL_H
#define DMABUF_PP_BENCH_UTIL_H

#include <stddef.h>

/* Print "PROGRAM: @what: strerror(@err)" and exit(1). */
void bench_die(const char *what, int err) __attribute__((noreturn));

/* CLOCK_MONOTONIC in nanoseconds. */
double bench_now_ns(void);

/*
 * The calling thread's CPU time in nanoseconds (CLOCK_THREAD_CPUTIME_ID):
 * for timing system calls whose work is done in the caller, where tasks
 * that run before the caller reads the clock again must not count. It is
 * a system call itself (no vDSO): read it around many calls, not each.
 */
double bench_thread_cpu_ns(void);

/* The first line of @path, without its newline; dies on failure. */
void bench_read_text(const char *path, char *buf, size_t len);

/* Write @text to @path; dies on failure. */
void bench_write_text(const char *path, const char *text);

/*
 * One measurement as a JSON line (lower values are better), with an
 * optional @note the report prints under its table.
 */
void bench_report(const char *metric, double value, const char *unit,
		  const char *note);

/*
 * bench_report() with a @baseline metric of the same workload (or NULL):
 * the report then also prints this metric / the baseline per flavor.
 */
void bench_report_vs(const char *metric, double value, const char *unit,
		     const char *baseline, const char *note);

/* Raise udmabuf's size_limit_mb to @mb; the old value is put back at exit. */
void bench_udmabuf_limit(const char *mb);

#endif
