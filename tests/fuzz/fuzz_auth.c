/*
 * libFuzzer target: the Authorization header parser, auth_parse_header()
 * ("Bearer k" or "Basic base64(k:)"). The header value comes from FastCGI
 * as a C string, so the input stops at its first NUL. The key buffer is
 * a heap block of exactly the size auth_check() passes, and a smaller
 * one, so a write past either shows under ASan.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

#include "params_walk.h"

/* A key we accept: sk_ or rk_, test_ or live_, then 16+ alphanumerics. */
static void
check_key(const char *key, size_t keysz)
{
	size_t	 n = strlen(key);

	FUZZ_CHECK(n < keysz, "the key overran its buffer");
	FUZZ_CHECK((strncmp(key, "sk_", 3) == 0 || strncmp(key, "rk_", 3) == 0) &&
	    (strncmp(key + 3, "test_", 5) == 0 ||
	    strncmp(key + 3, "live_", 5) == 0), "a key of the wrong prefix");
	FUZZ_CHECK(n >= 24 && strspn(key + 8, "0123456789"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == n - 8,
	    "a key of the wrong shape");
}

static void
parse_into(const char *header, size_t keysz)
{
	char	*key;

	if ((key = malloc(keysz)) == NULL)
		return;
	if (auth_parse_header(header, key, keysz) == 0)
		check_key(key, keysz);
	free(key);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*header;

	if ((header = strndup((const char *)data, size)) == NULL)
		return 0;
	parse_into(header, AUTH_KEY_MAX + 1);	/* as auth_check() */
	parse_into(header, 25);		/* the shortest key and its NUL */
	free(header);
	return 0;
}
