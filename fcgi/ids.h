/*
 * Public ids (API.md "Customers"): a prefix and 16 characters of
 * [0-9A-Za-z] from a cryptographic random source.
 */
#ifndef IDS_H
#define IDS_H

#include <stddef.h>

#define IDS_RANDOM_LEN	16
#define IDS_MAX		32	/* longest prefix + random part + NUL */

/* Writes prefix (e.g. "cust_") and 16 random characters into "out" of
 * size "outsz". Returns 0, or -1 if it does not fit or the random source
 * failed. */
int	ids_new(const char *prefix, char *out, size_t outsz);

/* ids_new() for a request: on failure answers 500 (logged) and returns
 * -1, as every step of a handler does. */
struct req;
int	ids_assign(struct req *r, const char *prefix, char *out,
	    size_t outsz);

/* Fills "out" with "len" random characters of [0-9A-Za-z] (no NUL).
 * Returns 0, or -1 if the random source failed. */
int	ids_random(char *out, size_t len);

/* 0 if "id" is prefix followed by exactly 16 characters of [0-9A-Za-z]. */
int	ids_valid(const char *id, const char *prefix);

#endif
