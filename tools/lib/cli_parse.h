/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Parsers for command-line values shared by our tools: lists of queue ids
 * such as "1,3-4", numbers within bounds and byte counts such as "64M". Pure functions, so the
 * host unit test can pin down exactly what they accept.
 */
#ifndef DMABUF_PP_CLI_PARSE_H
#define DMABUF_PP_CLI_PARSE_H

#include <stddef.h>
#include <stdint.h>

/**
 * cli_parse_list() - parse a list of unsigned integers and ranges
 * @s: comma-separated items, each N or N-M with N <= M, decimal, no spaces
 * @vals: where the values go, in the order written
 * @max: capacity of @vals
 *
 * A value listed twice is an error: for queue ids it is always a typo.
 *
 * Return: the number of values (at least 1); -EINVAL for a syntax error, a
 * value above UINT32_MAX, a reversed range or a repeated value; -E2BIG when
 * there are more than @max values.
 */
int cli_parse_list(const char *s, unsigned int *vals, size_t max);

/**
 * cli_parse_uint() - parse a decimal number within bounds
 * @s: decimal digits only (no sign, blanks or suffix)
 * @min: the smallest value accepted
 * @max: the largest value accepted
 * @out: the value
 *
 * Return: 0, or -EINVAL for anything else or a value outside [@min, @max].
 */
int cli_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/**
 * cli_parse_size() - parse a byte count with an optional K, M or G suffix
 * @s: decimal digits, then optionally K, M or G (powers of 1024)
 * @out: the value
 *
 * Return: 0, or -EINVAL for anything else or a value that does not fit in
 * 64 bits.
 */
int cli_parse_size(const char *s, uint64_t *out);

#endif
