/*
 * Pure validators and normalisers (API.md "Customers", "Payments").
 * None of these touch a request or set an API error: they answer yes/no
 * (0 / -1) or write a normalised copy, so unit tests and fuzzers reach them.
 */
#ifndef VALID_H
#define VALID_H

#include <stddef.h>

#define VALID_NAME_MAX		256	/* characters, after trimming */
#define VALID_EMAIL_MAX		254	/* bytes (RFC 5321 path limit) */
#define VALID_PHONE_MAX		16	/* "+" and up to 15 digits, no NUL */
#define VALID_META_KEYS		50
#define VALID_META_KEY_MAX	40	/* characters */
#define VALID_META_VALUE_MAX	500	/* characters */

/* 0 if buf[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF) and holds no NUL byte; -1 otherwise. */
int	valid_utf8(const char *buf, size_t len);

/* Number of code points in a valid UTF-8 string. */
size_t	valid_utf8_chars(const char *s);

/* Trims ASCII white space at both ends of "s" in place; returns "s". */
char	*valid_trim(char *s);

/* 0 if "s" is valid UTF-8, holds no control characters (C0, DEL, C1),
 * and is 1..max characters long; -1 otherwise. */
int	valid_text(const char *s, size_t max);

/* 0 if "s" is a plausible email address: local@domain, at most 254 bytes,
 * local part at most 64 bytes of atext and dots (no leading, trailing or
 * double dot), domain of at least two dot-separated LDH labels each 1..63
 * bytes, not starting or ending with '-', TLD not all digits. No
 * white space or control characters. -1 otherwise. A heuristic: quoted
 * local parts and IP literals are refused. */
int	valid_email(const char *s);

/* Normalises a phone number into "out" (size at least VALID_PHONE_MAX + 1):
 * drops spaces, dashes, dots and parentheses, then requires E.164: '+'
 * followed by 8..15 digits, first digit not 0. Returns 0, or -1 if invalid. */
int	valid_phone(const char *in, char *out, size_t outsz);

/* 0 if "code" (any case) is an active ISO 4217 alphabetic code; lowercase
 * copy in "out" (size >= 4). -1 otherwise. */
int	valid_currency(const char *code, char *out);

/* 0 if "s" contains a Luhn-valid run of 13..19 digits, where consecutive
 * digits may be separated by one space or one dash; -1 if none. Used to
 * refuse raw card numbers anywhere (API.md "Payment methods"). */
int	valid_has_card_number(const char *s);

/* 0 if a metadata key is 1..40 characters of printable UTF-8 without
 * '[' or ']' (they would be ambiguous in bracket notation). */
int	valid_meta_key(const char *key);

/* 0 if a metadata value is at most 500 characters of valid UTF-8. */
int	valid_meta_value(const char *value);

#endif
