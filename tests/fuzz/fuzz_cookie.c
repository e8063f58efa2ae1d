/*
 * libFuzzer target: the dashboard's header parsers in session.c, all
 * pure: session_cookie_parse() (the Cookie header), session_mode_parse()
 * (PesaSwap-Mode), session_csrf_equal() (X-CSRF-Token against a stored
 * token) and session_b64url(). Headers come from FastCGI as C strings, so
 * the input stops at its first NUL; the token buffer is a heap block of
 * exactly the size auth.c passes, so a write past it shows under ASan.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

#include "params_walk.h"

#define B64URL	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
		"0123456789-_"

/* A found cookie value is a token: 43 characters of base64url. */
static void
cookie(const char *header)
{
	char	*token;

	if ((token = malloc(SESSION_TOKEN_LEN + 1)) == NULL)
		return;
	if (session_cookie_parse(header, token) == 0)
		FUZZ_CHECK(strlen(token) == SESSION_TOKEN_LEN &&
		    strspn(token, B64URL) == SESSION_TOKEN_LEN,
		    "a cookie value that is not a token");
	free(token);
}

/* The CSRF check says equal exactly when the strings are. */
static void
csrf(const char *header)
{
	static const char stored[] =
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

	FUZZ_CHECK(session_csrf_equal(stored, header) ==
	    (strcmp(stored, header) == 0), "the CSRF check is wrong");
}

/* Base64url of n bytes is ceil(4n / 3) characters of its alphabet. */
static void
b64url(const uint8_t *data, size_t size)
{
	char	*out;

	if ((out = malloc(4 * size / 3 + 2)) == NULL)
		return;
	session_b64url(data, size, out);
	FUZZ_CHECK(strlen(out) == (4 * size + 2) / 3 &&
	    strspn(out, B64URL) == strlen(out), "base64url of the wrong shape");
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*header;
	int	 mode;

	if ((header = strndup((const char *)data, size)) == NULL)
		return 0;
	cookie(header);
	csrf(header);
	mode = session_mode_parse(header);
	FUZZ_CHECK(mode >= -1 && mode <= 1, "a mode out of range");
	b64url(data, size);
	free(header);
	return 0;
}
