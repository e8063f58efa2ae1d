/*
 * Secrets that must be usable later (webhook signing secrets) are sealed
 * with AES-256-GCM under the service's secrets key, so the database holds
 * no clear secret (DESIGN.md "Data"). The key comes from
 * PESASWAP_SECRETS_KEY: 64 hex characters, the same for every process.
 */
#ifndef SEAL_H
#define SEAL_H

#include <stddef.h>

#define SEAL_KEY_LEN	32
#define SEAL_OVERHEAD	(12 + 16)	/* nonce and tag */

/* Parses 64 hex characters into "key". Returns 0 or -1. */
int	seal_key_parse(const char *hex, unsigned char key[SEAL_KEY_LEN]);

/* Encrypts "plain" (len bytes) into "out" (len + SEAL_OVERHEAD bytes).
 * Returns 0 or -1. */
int	seal(const unsigned char key[SEAL_KEY_LEN], const char *plain,
	    size_t len, unsigned char *out);

/* Decrypts "in" (inlen bytes) into "plain" (size plainsz, NUL-terminated).
 * Returns 0, or -1 if it was not sealed under this key or does not fit. */
int	unseal(const unsigned char key[SEAL_KEY_LEN], const unsigned char *in,
	    size_t inlen, char *plain, size_t plainsz);

#endif
