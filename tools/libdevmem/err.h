/* SPDX-License-Identifier: GPL-2.0-only */
/* libdevmem internals: filling in a struct devmem_err. */
#ifndef LIBDEVMEM_ERR_H
#define LIBDEVMEM_ERR_H

#include "devmem.h"

/*
 * @st gets @code and the formatted note (or "" for a NULL @fmt); a NULL @st
 * (a caller that asked for no details) gets nothing. Returns -@code.
 */
int __attribute__((format(printf, 3, 4)))
devmem_err_set(struct devmem_err *st, int code, const char *fmt, ...);

/* @st, unless NULL, says "no error". */
void devmem_err_clear(struct devmem_err *st);

#endif
