/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Just enough JSON reading for the iperf3 control protocol: check that a
 * buffer holds one well-formed value, find an object's member by name,
 * walk an array, read a number or a boolean. Values are spans of the
 * caller's buffer; nothing is allocated or copied. Pure functions, pinned
 * down by the host unit test.
 */
#ifndef DMABUF_PP_JSON_SCAN_H
#define DMABUF_PP_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>

enum json_kind {
	JSON_INVALID,		/* a span never filled in (zeroed) */
	JSON_OBJECT,
	JSON_ARRAY,
	JSON_STRING,
	JSON_NUMBER,
	JSON_TRUE,
	JSON_FALSE,
	JSON_NULL,
};

/* One value: its bytes in the caller's buffer (quotes included for strings). */
struct json_span {
	const char *p;
	size_t len;
	enum json_kind kind;
};

/*
 * json_parse() - check that @buf holds exactly one JSON value
 * @buf, @len: the text, not NUL-terminated necessarily
 * @out: the value, white space around it excluded
 *
 * Nesting deeper than 32 levels is refused.
 *
 * Return: 0, or -EINVAL when the text is not one well-formed value.
 */
int json_parse(const char *buf, size_t len, struct json_span *out);

/*
 * json_member() - the value of member @key of object @obj
 *
 * Keys are compared byte for byte as written between the quotes; the first
 * member of that name wins.
 *
 * Return: 0, -ENOENT when there is no such member, -EINVAL when @obj is
 * not an object.
 */
int json_member(const struct json_span *obj, const char *key, struct json_span *out);

/*
 * json_next() - walk array @arr
 * @elem: start with elem->p == NULL; each call moves it to the next element
 *
 * Return: true with @elem set, false after the last one (or when @arr is
 * not an array).
 */
bool json_next(const struct json_span *arr, struct json_span *elem);

/* The value of a number span; -EINVAL for any other kind. */
int json_number(const struct json_span *v, double *out);

/* The value of true or false; -EINVAL for any other kind. */
int json_bool(const struct json_span *v, bool *out);

#endif
