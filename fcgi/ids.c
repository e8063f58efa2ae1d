/*
 * Random ids and key material. Bytes come from OpenSSL's RAND_bytes;
 * each is mapped to one of 62 characters by rejection sampling, so every
 * character is equally likely (256 is not a multiple of 62).
 */
#include <string.h>

#include <openssl/rand.h>

#include "errors.h"
#include "ids.h"

static const char	 alphabet[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

int
ids_random(char *out, size_t len)
{
	unsigned char	 buf[64];
	size_t		 i, n = 0;

	while (n < len) {
		if (RAND_bytes(buf, sizeof(buf)) != 1)
			return -1;
		/* 248 = 4 * 62: bytes at or above it would favour 0-7. */
		for (i = 0; i < sizeof(buf) && n < len; i++)
			if (buf[i] < 248)
				out[n++] = alphabet[buf[i] % 62];
	}
	return 0;
}

int
ids_new(const char *prefix, char *out, size_t outsz)
{
	size_t	 plen = strlen(prefix);

	if (plen + IDS_RANDOM_LEN + 1 > outsz)
		return -1;
	memcpy(out, prefix, plen);
	if (ids_random(out + plen, IDS_RANDOM_LEN) == -1)
		return -1;
	out[plen + IDS_RANDOM_LEN] = '\0';
	return 0;
}

int
ids_assign(struct req *r, const char *prefix, char *out, size_t outsz)
{
	return ids_new(prefix, out, outsz) == 0 ? 0 :
	    api_error(r, ERR_INTERNAL, NULL, NULL);
}

int
ids_valid(const char *id, const char *prefix)
{
	size_t	 plen = strlen(prefix), i;

	if (strncmp(id, prefix, plen) != 0 ||
	    strlen(id) != plen + IDS_RANDOM_LEN)
		return -1;
	for (i = plen; id[i] != '\0'; i++)
		if (strchr(alphabet, id[i]) == NULL)
			return -1;
	return 0;
}
