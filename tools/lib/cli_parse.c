// SPDX-License-Identifier: GPL-2.0-only
/* Command-line value parsers: see cli_parse.h. */
#include <errno.h>
#include <stdbool.h>

#include "cli_parse.h"

/*
 * Read the decimal number at *@s, at most @limit, and advance *@s past it.
 * Written out by hand because strtoul() accepts signs and blanks.
 */
static int parse_decimal(const char **s, uint64_t limit, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned int digit = *p - '0';

		if (v > (limit - digit) / 10)
			return -EINVAL;
		v = v * 10 + digit;
	}
	*s = p;
	*out = v;
	return 0;
}

static bool listed(const unsigned int *vals, size_t n, unsigned int v)
{
	for (size_t i = 0; i < n; i++)
		if (vals[i] == v)
			return true;
	return false;
}

int cli_parse_list(const char *s, unsigned int *vals, size_t max)
{
	size_t n = 0;

	for (;;) {
		uint64_t lo, hi;

		if (parse_decimal(&s, UINT32_MAX, &lo))
			return -EINVAL;
		hi = lo;
		if (*s == '-') {
			s++;
			if (parse_decimal(&s, UINT32_MAX, &hi) || hi < lo)
				return -EINVAL;
		}
		for (uint64_t v = lo; v <= hi; v++) {
			if (listed(vals, n, v))
				return -EINVAL;
			if (n == max)
				return -E2BIG;
			vals[n++] = v;
		}
		if (!*s)
			break;
		if (*s++ != ',')
			return -EINVAL;
	}
	return n > 0x7fffffff ? -E2BIG : (int)n;
}

int cli_parse_size(const char *s, uint64_t *out)
{
	unsigned int shift = 0;
	uint64_t v;

	if (parse_decimal(&s, UINT64_MAX, &v))
		return -EINVAL;
	switch (*s) {
	case 'K':
		shift = 10;
		s++;
		break;
	case 'M':
		shift = 20;
		s++;
		break;
	case 'G':
		shift = 30;
		s++;
		break;
	}
	if (*s || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

int cli_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (parse_decimal(&s, max, &v) || *s || v < min)
		return -EINVAL;
	*out = v;
	return 0;
}
