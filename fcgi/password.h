/*
 * Dashboard passwords (issue 6): Argon2id with OWASP's parameters
 * (t=2, m=19 MiB, p=1) through libargon2, stored in its encoded form
 * ($argon2id$v=19$m=19456,t=2,p=1$salt$hash). Pure: no request, no
 * database, so unit tests reach every function.
 */
#ifndef PASSWORD_H
#define PASSWORD_H

#include <stddef.h>

#define PASSWORD_MIN		8	/* bytes */
#define PASSWORD_MAX		256
#define PASSWORD_ENCODED_MAX	128	/* room for the encoded hash + NUL */

/* 0 if "len" bytes are an acceptable new password (8 to 256 bytes, no
 * NUL), else -1. */
int	password_acceptable(const char *pw, size_t len);

/*
 * Hashes "pw" (len bytes) with a fresh random salt into "out" (size
 * "outsz", at least PASSWORD_ENCODED_MAX). Returns 0, or -1 if the
 * random source or libargon2 failed (out of memory).
 */
int	password_hash(const char *pw, size_t len, char *out, size_t outsz);

/*
 * 0 if "pw" matches the encoded hash "encoded"; -1 if it does not, or
 * "encoded" is not an Argon2id hash. NULL "encoded" verifies against a
 * fixed dummy hash (and fails), so an unknown user costs the same time
 * as a wrong password.
 */
int	password_verify(const char *encoded, const char *pw, size_t len);

#endif
