/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * devmemctl's output, iproute2 style: a printer calls one function per
 * field with both the field's JSON key and its text format, and the mode
 * (-j or not) picks which is printed. So text and JSON come from one
 * printer and cannot drift apart.
 *
 * JSON is written on the fly as {"key": value, ...} and [value, ...]:
 * ", " between members or elements, ": " after a key, strings escaped.
 * Objects and arrays are JSON structure only; text mode prints nothing for
 * them. A value at the top level ends its line when it closes, so each
 * command's JSON is one line, as scripts read it.
 */
#ifndef DMABUF_PP_DEVMEMCTL_PRINT_H
#define DMABUF_PP_DEVMEMCTL_PRINT_H

#include <stdbool.h>

/* Where a field goes: both modes, or only one (a field the other lacks). */
enum print_to {
	PRINT_TEXT = 1,
	PRINT_JSON = 2,
	PRINT_ANY = PRINT_TEXT | PRINT_JSON,
};

/* JSON from now on (-j); text until then. */
void print_set_json(bool on);

/*
 * Open and close a JSON object or array. @key names it inside an object;
 * NULL for an element of an array or a top-level value.
 */
void print_open_object(const char *key);
void print_close_object(void);
void print_open_array(const char *key);
void print_close_array(void);

/*
 * One field. @key is its JSON name (NULL for an array element), @fmt its
 * text, printf style with one conversion for the value: %llu, %lld or %s.
 * Text takes @fmt as it is (nothing added between fields); JSON ignores
 * it, so a JSON-only field may pass NULL, as may a text-only one for @key.
 */
void print_uint(enum print_to to, const char *key, const char *fmt,
		unsigned long long v);
void print_int(enum print_to to, const char *key, const char *fmt, long long v);
void print_string(enum print_to to, const char *key, const char *fmt,
		  const char *s);

/* Text mode only: words and line ends that have no JSON counterpart. */
void print_text(const char *text);

#endif
