// SPDX-License-Identifier: GPL-2.0-only
/*
 * devmemctl's output: text or JSON from one call per field (print.h).
 *
 * JSON needs a separator before every member or element but the first of
 * its object or array, so the module keeps, for each object or array open,
 * whether anything went into it yet. Nesting is as deep as our printers
 * go, never data-driven: a fixed stack suffices, and overflowing it (or
 * closing more than was opened) is a printer bug, caught by assert().
 */
#include <assert.h>
#include <stdio.h>

#include "print.h"

/* Ours go three deep (a list of bindings, each with its queues): room to spare. */
#define PRINT_MAX_DEPTH 8

static bool json;

/* Objects and arrays open; 0 at the top level, between commands' values. */
static unsigned int depth;
/* empty[d]: the object or array open at depth d has nothing in it yet. */
static bool empty[PRINT_MAX_DEPTH + 1];

void print_set_json(bool on)
{
	json = on;
}

static bool to_text(enum print_to to)
{
	return !json && (to & PRINT_TEXT);
}

static bool to_json(enum print_to to)
{
	return json && (to & PRINT_JSON);
}

/* @s as a JSON string: device names may hold quotes, even control bytes. */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* What goes before a JSON value: a separator unless it comes first, its key. */
static void json_lead(const char *key)
{
	if (depth && !empty[depth])
		fputs(", ", stdout);
	empty[depth] = false;
	if (key) {
		json_string(key);
		fputs(": ", stdout);
	}
}

static void json_open(const char *key, char bracket)
{
	if (!json)
		return;
	assert(depth < PRINT_MAX_DEPTH);
	json_lead(key);
	putchar(bracket);
	empty[++depth] = true;
}

static void json_close(char bracket)
{
	if (!json)
		return;
	assert(depth > 0);
	putchar(bracket);
	if (!--depth)
		putchar('\n');
}

void print_open_object(const char *key)
{
	json_open(key, '{');
}

void print_close_object(void)
{
	json_close('}');
}

void print_open_array(const char *key)
{
	json_open(key, '[');
}

void print_close_array(void)
{
	json_close(']');
}

void print_uint(enum print_to to, const char *key, const char *fmt,
		unsigned long long v)
{
	if (to_text(to)) {
		printf(fmt, v);
	} else if (to_json(to)) {
		json_lead(key);
		printf("%llu", v);
	}
}

void print_int(enum print_to to, const char *key, const char *fmt, long long v)
{
	if (to_text(to)) {
		printf(fmt, v);
	} else if (to_json(to)) {
		json_lead(key);
		printf("%lld", v);
	}
}

void print_string(enum print_to to, const char *key, const char *fmt,
		  const char *s)
{
	if (to_text(to)) {
		printf(fmt, s);
	} else if (to_json(to)) {
		json_lead(key);
		json_string(s);
	}
}

void print_text(const char *text)
{
	if (!json)
		fputs(text, stdout);
}
