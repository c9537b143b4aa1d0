// SPDX-License-Identifier: GPL-2.0-only
/* Filling in a struct devmem_err: see err.h. */
#include <stdarg.h>
#include <stdio.h>

#include "err.h"

/*
 * Returns -@code, so that callers can "return devmem_err_set(...)". @st may
 * be NULL (the caller did not ask for details): then only -@code is left.
 */
int devmem_err_set(struct devmem_err *st, int code, const char *fmt, ...)
{
	va_list ap;

	if (!st)
		return -code;
	st->code = code;
	st->msg[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(st->msg, sizeof(st->msg), fmt, ap);
		va_end(ap);
	}
	return -code;
}

void devmem_err_clear(struct devmem_err *st)
{
	if (!st)
		return;
	st->code = 0;
	st->msg[0] = '\0';
}
