// SPDX-License-Identifier: GPL-2.0-only
/*
 * A validating JSON skipper (RFC 8259 grammar) and the lookups built on
 * it. Every lookup re-walks the text: the messages we read are a few
 * hundred bytes, read a few times per test.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"

#define MAX_DEPTH 32

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Past the string starting at the quote @p, or NULL. */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		unsigned char c = *p;

		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return NULL;	/* control characters must be escaped */
		if (c != '\\')
			continue;
		if (++p == end)
			return NULL;
		if (*p == 'u') {
			if (end - p < 5 || !is_hex(p[1]) || !is_hex(p[2]) ||
			    !is_hex(p[3]) || !is_hex(p[4]))
				return NULL;
			p += 4;
		} else if (!strchr("\"\\/bfnrt", *p)) {
			return NULL;
		}
	}
	return NULL;
}

static const char *skip_digits(const char *p, const char *end)
{
	const char *start = p;

	while (p < end && is_digit(*p))
		p++;
	return p == start ? NULL : p;
}

static const char *skip_number(const char *p, const char *end)
{
	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;	/* no leading zeros: "0" then the fraction, if any */
	else
		p = skip_digits(p, end);
	if (p && p < end && *p == '.')
		p = skip_digits(p + 1, end);
	if (!p)
		return NULL;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		p = skip_digits(p, end);
	}
	return p;
}

static const char *skip_word(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - p) >= n && !memcmp(p, word, n) ? p + n : NULL;
}

static const char *skip_value(const char *p, const char *end, int depth,
			      enum json_kind *kind);

/* Past the object or array opening at @p; members are "key": value pairs. */
static const char *skip_container(const char *p, const char *end, int depth,
				  bool object)
{
	char close = object ? '}' : ']';
	enum json_kind kind;

	if (depth >= MAX_DEPTH)
		return NULL;
	p = skip_ws(p + 1, end);
	if (p < end && *p == close)
		return p + 1;
	for (;;) {
		if (object) {
			if (p == end || *p != '"')
				return NULL;
			p = skip_string(p, end);
			if (!p)
				return NULL;
			p = skip_ws(p, end);
			if (p == end || *p != ':')
				return NULL;
			p = skip_ws(p + 1, end);
		}
		p = skip_value(p, end, depth + 1, &kind);
		if (!p)
			return NULL;
		p = skip_ws(p, end);
		if (p < end && *p == close)
			return p + 1;
		if (p == end || *p != ',')
			return NULL;
		p = skip_ws(p + 1, end);
	}
}

static const char *skip_value(const char *p, const char *end, int depth,
			      enum json_kind *kind)
{
	if (p == end)
		return NULL;
	switch (*p) {
	case '{':
		*kind = JSON_OBJECT;
		return skip_container(p, end, depth, true);
	case '[':
		*kind = JSON_ARRAY;
		return skip_container(p, end, depth, false);
	case '"':
		*kind = JSON_STRING;
		return skip_string(p, end);
	case 't':
		*kind = JSON_TRUE;
		return skip_word(p, end, "true");
	case 'f':
		*kind = JSON_FALSE;
		return skip_word(p, end, "false");
	case 'n':
		*kind = JSON_NULL;
		return skip_word(p, end, "null");
	default:
		*kind = JSON_NUMBER;
		return skip_number(p, end);
	}
}

int json_parse(const char *buf, size_t len, struct json_span *out)
{
	const char *end = buf + len;
	const char *p = skip_ws(buf, end);
	const char *after;

	after = skip_value(p, end, 0, &out->kind);
	if (!after || skip_ws(after, end) != end)
		return -EINVAL;
	out->p = p;
	out->len = after - p;
	return 0;
}

/*
 * The element or member after position @p of container @c (at its opening
 * bracket, or just past a value); @key gets the member's name for objects.
 * The container was validated when its span was made, so this only steps.
 */
static const char *step(const struct json_span *c, const char *p,
			struct json_span *key, struct json_span *val)
{
	const char *end = c->p + c->len;

	p = skip_ws(p + (p == c->p), end);
	if (*p == ',')
		p = skip_ws(p + 1, end);
	if (*p == '}' || *p == ']')
		return NULL;
	if (c->kind == JSON_OBJECT) {
		key->p = p;
		p = skip_string(p, end);
		key->len = p - key->p;
		key->kind = JSON_STRING;
		p = skip_ws(skip_ws(p, end) + 1, end);	/* past the colon */
	}
	val->p = p;
	p = skip_value(p, end, 0, &val->kind);
	val->len = p - val->p;
	return p;
}

int json_member(const struct json_span *obj, const char *key, struct json_span *out)
{
	size_t klen = strlen(key);
	struct json_span k, v;
	const char *p = obj->p;

	if (obj->kind != JSON_OBJECT)
		return -EINVAL;
	while ((p = step(obj, p, &k, &v))) {
		if (k.len == klen + 2 && !memcmp(k.p + 1, key, klen)) {
			*out = v;
			return 0;
		}
	}
	return -ENOENT;
}

bool json_next(const struct json_span *arr, struct json_span *elem)
{
	const char *p = elem->p ? elem->p + elem->len : arr->p;

	if (arr->kind != JSON_ARRAY)
		return false;
	return step(arr, p, NULL, elem) != NULL;
}

int json_number(const struct json_span *v, double *out)
{
	char buf[64];

	if (v->kind != JSON_NUMBER || v->len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, v->p, v->len);
	buf[v->len] = '\0';
	*out = strtod(buf, NULL);	/* the grammar was checked already */
	return 0;
}

int json_bool(const struct json_span *v, bool *out)
{
	if (v->kind != JSON_TRUE && v->kind != JSON_FALSE)
		return -EINVAL;
	*out = v->kind == JSON_TRUE;
	return 0;
}
