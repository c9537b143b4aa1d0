// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"

#define SIZE_LIMIT	"/sys/module/udmabuf/parameters/size_limit_mb"

static char old_limit[32];

void bench_die(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
		strerror(err));
	exit(1);
}

double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

double bench_thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

void bench_read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f || !fgets(buf, len, f))
		bench_die(path, errno);
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

void bench_write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
		bench_die(path, errno);
}

void bench_report_vs(const char *metric, double value, const char *unit,
		     const char *baseline, const char *note)
{
	printf("{\"metric\": \"%s\", \"value\": %.6g, \"unit\": \"%s\", "
	       "\"better\": \"lower\"", metric, value, unit);
	if (baseline)
		printf(", \"baseline\": \"%s\"", baseline);
	if (note)
		printf(", \"note\": \"%s\"", note);
	printf("}\n");
	fflush(stdout);
}

void bench_report(const char *metric, double value, const char *unit,
		  const char *note)
{
	bench_report_vs(metric, value, unit, NULL, note);
}

static void restore_limit(void)
{
	bench_write_text(SIZE_LIMIT, old_limit);
}

void bench_udmabuf_limit(const char *mb)
{
	bench_read_text(SIZE_LIMIT, old_limit, sizeof(old_limit));
	atexit(restore_limit);
	bench_write_text(SIZE_LIMIT, mb);
}
