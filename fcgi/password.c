/*
 * Argon2id hashing and verification of dashboard passwords (password.h).
 * libargon2 compares the computed tag in constant time.
 */
#include <sys/random.h>

#include <string.h>

#include <argon2.h>

#include "password.h"

/* OWASP Password Storage Cheat Sheet, Argon2id: 19 MiB, 2 passes, 1 lane. */
#define T_COST		2
#define M_COST		19456	/* KiB */
#define PARALLELISM	1
#define SALT_LEN	16
#define HASH_LEN	32

/* Of a random 32-byte secret nobody kept: verifying against it always
 * fails, at the cost of a real verification (same parameters). */
static const char DUMMY_HASH[] = "$argon2id$v=19$m=19456,t=2,p=1$"
    "/acjZqBNgcY4Kf1fYvAOVA$/qZ/kdGVuyPpmx+DQGvd+rzBOSl1KCpVMr1r1cDxCFQ";

int
password_acceptable(const char *pw, size_t len)
{
	if (len < PASSWORD_MIN || len > PASSWORD_MAX ||
	    memchr(pw, '\0', len) != NULL)
		return -1;
	return 0;
}

int
password_hash(const char *pw, size_t len, char *out, size_t outsz)
{
	unsigned char	 salt[SALT_LEN];

	if (getrandom(salt, sizeof(salt), 0) != (ssize_t)sizeof(salt))
		return -1;
	if (argon2id_hash_encoded(T_COST, M_COST, PARALLELISM, pw, len, salt,
	    sizeof(salt), HASH_LEN, out, outsz) != ARGON2_OK)
		return -1;
	return 0;
}

int
password_verify(const char *encoded, const char *pw, size_t len)
{
	if (encoded == NULL) {
		(void)argon2id_verify(DUMMY_HASH, pw, len);
		return -1;
	}
	/* argon2id_verify() takes the parameters from "encoded": refuse
	 * anything but Argon2id so a planted weak hash cannot verify. */
	if (strncmp(encoded, "$argon2id$", 10) != 0)
		return -1;
	return argon2id_verify(encoded, pw, len) == ARGON2_OK ? 0 : -1;
}
