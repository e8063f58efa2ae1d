/*
 * API keys (API.md "Authentication and modes"): Bearer or Basic, looked
 * up by SHA-256, and the permissions of restricted keys.
 */
#ifndef AUTH_H
#define AUTH_H

#include <stddef.h>

struct req;

#define AUTH_KEY_MAX	128	/* longest key we accept, without NUL */
#define AUTH_HASH_LEN	32

/*
 * Pure: takes the key out of an Authorization header value ("Bearer k" or
 * "Basic base64(k:)") into "key" (size keysz). Returns 0, or -1 if the
 * header is malformed or the key does not look like one of ours
 * (sk_|rk_, test_|live_, then [0-9A-Za-z]).
 */
int	auth_parse_header(const char *header, char *key, size_t keysz);

/* SHA-256 of a key, as stored in api_keys.hash. */
void	auth_hash(const char *key, unsigned char hash[AUTH_HASH_LEN]);

/* Authenticates "r" and fills r->caller. Returns 0, or -1 with 401 or
 * 503 set. */
int	auth_check(struct req *r, int cache_ms);

/* 0 if the caller may use "permission" ("customers:read"; a write
 * permission covers the read one); -1 with 403 set. NULL is allowed. */
int	auth_permits(struct req *r, const char *permission);

#endif
