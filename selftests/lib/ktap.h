/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal KTAP v1 output for our C selftests: a header and plan, one result
 * line per case, diagnostics as '#' lines, and an exit status that says
 * whether every case passed (0), some failed (1) or all were skipped (4, as
 * kselftest's KSFT_SKIP).
 */
#ifndef DMABUF_PP_KTAP_H
#define DMABUF_PP_KTAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

struct ktap {
	unsigned int planned;
	unsigned int done;
	unsigned int failed;
	unsigned int skipped;
};

static inline void ktap_start(struct ktap *t, unsigned int planned)
{
	t->planned = planned;
	t->done = t->failed = t->skipped = 0;
	printf("KTAP version 1\n1..%u\n", planned);
	fflush(stdout);
}

static inline void ktap_vdiag(const char *fmt, va_list ap)
{
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static inline void ktap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktap_vdiag(fmt, ap);
	va_end(ap);
}

/*
 * An assertion inside a case: when @cond is false, say why as a diagnostic.
 * Returns @cond, so checks chain with && and collect with &=.
 */
static inline bool ktap_check(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline bool ktap_check(bool cond, const char *fmt, ...)
{
	va_list ap;

	if (cond)
		return true;
	va_start(ap, fmt);
	ktap_vdiag(fmt, ap);
	va_end(ap);
	return false;
}

/* Report one case; returns @pass so callers can stop a dependent chain. */
static inline bool ktap_result(struct ktap *t, bool pass, const char *name)
{
	t->done++;
	if (!pass)
		t->failed++;
	printf("%s %u %s\n", pass ? "ok" : "not ok", t->done, name);
	fflush(stdout);
	return pass;
}

static inline void ktap_skip(struct ktap *t, const char *name, const char *why)
{
	t->done++;
	t->skipped++;
	printf("ok %u %s # SKIP %s\n", t->done, name, why);
	fflush(stdout);
}

/* Exit with the status kselftest runners expect. */
static inline void ktap_exit(struct ktap *t)
{
	if (t->done != t->planned) {
		ktap_diag("planned %u cases, ran %u", t->planned, t->done);
		exit(1);
	}
	if (t->failed)
		exit(1);
	exit(t->skipped == t->planned && t->planned ? 4 : 0);
}

#endif
