/*
 * Unit tests for fcgi/auth.c (API.md "Authentication and modes"): the
 * pure auth_parse_header() and auth_hash(), and auth_permits() on a
 * request that only carries a caller. One behaviour per test, named for
 * it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "auth.h"
#include "errors.h"
#include "http.h"

/* A key with 24 characters after its prefix. */
#define KEY	"sk_test_4eC39HqLyjWDarjtT1zdp7dc"

/* Standard base64 (RFC 4648) of s[0..len), written independently of
 * the OpenSSL decoder under test. */
static void
b64(const char *s, size_t len, char *out)
{
	static const char	 tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char	*p = (const unsigned char *)s;
	unsigned long		 v;
	size_t			 i;

	for (i = 0; i < len; i += 3) {
		v = (unsigned long)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned long)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		*out++ = tab[v >> 18 & 63];
		*out++ = tab[v >> 12 & 63];
		*out++ = i + 1 < len ? tab[v >> 6 & 63] : '=';
		*out++ = i + 2 < len ? tab[v & 63] : '=';
	}
	*out = '\0';
}

/* "Basic " and the base64 of creds[0..len) in "out" (room for
 * 6 + 4 * (len / 3 + 1) + 1 bytes). */
static char *
basic_n(char *out, const char *creds, size_t len)
{
	memcpy(out, "Basic ", 6);
	b64(creds, len, out + 6);
	return out;
}

/* The header must give "want" with a key buffer of AUTH_KEY_MAX + 1. */
static void
parses_to(const char *header, const char *want)
{
	char	 key[AUTH_KEY_MAX + 1];

	memset(key, 0, sizeof(key));
	if (auth_parse_header(header, key, sizeof(key)) != 0)
		fail_msg("\"%s\": refused", header);
	assert_string_equal(key, want);
}

static void
refused(const char *header)
{
	char	 key[AUTH_KEY_MAX + 1];

	if (auth_parse_header(header, key, sizeof(key)) != -1)
		fail_msg("\"%s\": accepted as \"%s\"", header, key);
}

/* As parses_to()/refused() for "Basic" with the credentials "creds". */
static void
basic_parses_to(const char *creds, const char *want)
{
	static char	 h[8192];

	assert_true(strlen(creds) < 6000);	/* fits h */
	parses_to(basic_n(h, creds, strlen(creds)), want);
}

static void
basic_refused(const char *creds)
{
	static char	 h[8192];

	assert_true(strlen(creds) < 6000);	/* fits h */
	refused(basic_n(h, creds, strlen(creds)));
}

/* In "out": "prefix" and "n" characters of [0-9A-Za-z], then "suffix". */
static char *
key_of(char *out, const char *prefix, size_t n, const char *suffix)
{
	static const char	 alnum[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	size_t			 plen = strlen(prefix), i;

	memcpy(out, prefix, plen);
	for (i = 0; i < n; i++)
		out[plen + i] = alnum[i % 62];
	strcpy(out + plen + n, suffix);
	return out;
}

/* auth_parse_header: Bearer */

static void
bearer_key_accepted(void **state)
{
	(void)state;
	parses_to("Bearer " KEY, KEY);
}

static void
bearer_live_and_restricted_keys_accepted(void **state)
{
	(void)state;
	parses_to("Bearer sk_live_4eC39HqLyjWDarjtT1zdp7dc",
	    "sk_live_4eC39HqLyjWDarjtT1zdp7dc");
	parses_to("Bearer rk_test_4eC39HqLyjWDarjtT1zdp7dc",
	    "rk_test_4eC39HqLyjWDarjtT1zdp7dc");
	parses_to("Bearer rk_live_4eC39HqLyjWDarjtT1zdp7dc",
	    "rk_live_4eC39HqLyjWDarjtT1zdp7dc");
}

static void
bearer_extra_spaces_accepted(void **state)
{
	(void)state;
	parses_to("Bearer    " KEY, KEY);
	parses_to("Bearer " KEY "   ", KEY);
	parses_to("Bearer  " KEY " ", KEY);
}

static void
bearer_scheme_case_insensitive(void **state)
{
	(void)state;
	parses_to("bearer " KEY, KEY);
	parses_to("BEARER " KEY, KEY);
	parses_to("bEaReR " KEY, KEY);
}

static void
bearer_shortest_key_accepted(void **state)
{
	char	 h[64];

	(void)state;
	parses_to(key_of(h, "Bearer sk_test_", 16, ""), h + 7);
}

static void
bearer_key_of_auth_key_max_accepted(void **state)
{
	char	 h[AUTH_KEY_MAX + 16];

	(void)state;
	key_of(h, "Bearer sk_test_", AUTH_KEY_MAX - 8, "");
	assert_int_equal(strlen(h + 7), AUTH_KEY_MAX);
	parses_to(h, h + 7);
}

static void
bearer_key_over_auth_key_max_refused(void **state)
{
	char	 h[AUTH_KEY_MAX + 16];

	(void)state;
	refused(key_of(h, "Bearer sk_test_", AUTH_KEY_MAX - 7, ""));
}

static void
bearer_key_too_long_for_buffer_refused(void **state)
{
	char	 key[sizeof(KEY)];	/* room for KEY and its NUL */

	(void)state;
	memset(key, '#', sizeof(key));
	assert_int_equal(auth_parse_header("Bearer " KEY, key, sizeof(key)), 0);
	assert_string_equal(key, KEY);
	memset(key, '#', sizeof(key));
	assert_int_equal(auth_parse_header("Bearer " KEY, key,
	    sizeof(key) - 1), -1);
	assert_int_equal(key[sizeof(key) - 1], '#');
}

static void
bearer_without_key_refused(void **state)
{
	(void)state;
	refused("Bearer");
	refused("Bearer ");
	refused("Bearer    ");
}

static void
bearer_without_space_refused(void **state)
{
	(void)state;
	refused("Bearer" KEY);
}

static void
bearer_key_with_inner_space_refused(void **state)
{
	(void)state;
	refused("Bearer sk_test_4eC39HqLyjWD arjtT1zdp7dc");
	refused("Bearer " KEY " extra");
}

static void
bearer_key_with_control_chars_refused(void **state)
{
	(void)state;
	refused("Bearer " KEY "\t");
	refused("Bearer " KEY "\r\n");
	refused("Bearer\t" KEY);
}

/* auth_parse_header: Basic */

static void
basic_literal_from_curl_u_accepted(void **state)
{
	(void)state;
	/* curl -u sk_test_4eC39HqLyjWDarjtT1zdp7dc: */
	parses_to("Basic c2tfdGVzdF80ZUMzOUhxTHlqV0Rhcmp0VDF6ZHA3ZGM6", KEY);
}

static void
basic_key_with_empty_password_accepted(void **state)
{
	(void)state;
	basic_parses_to(KEY ":", KEY);
}

static void
basic_key_with_password_accepted(void **state)
{
	(void)state;
	/* The key is the user name; the password is ignored. */
	basic_parses_to(KEY ":s3cret pass:word", KEY);
	basic_parses_to(KEY ":x", KEY);
}

static void
basic_scheme_case_insensitive(void **state)
{
	char	 h[128];

	(void)state;
	basic_n(h, KEY ":", sizeof(KEY));
	memcpy(h, "bASIC", 5);
	parses_to(h, KEY);
}

static void
basic_extra_spaces_accepted(void **state)
{
	(void)state;
	parses_to("Basic   c2tfdGVzdF80ZUMzOUhxTHlqV0Rhcmp0VDF6ZHA3ZGM6", KEY);
}

static void
basic_without_colon_refused(void **state)
{
	(void)state;
	basic_refused(KEY);
}

static void
basic_empty_user_refused(void **state)
{
	(void)state;
	basic_refused(":" KEY);
	basic_refused(":");
}

static void
basic_bad_base64_refused(void **state)
{
	(void)state;
	refused("Basic !!!!");
	refused("Basic c2tf*GVzdF80ZUMzOUhxTHlqV0Rhcmp0VDF6ZHA3ZGM6");
	/* Length not a multiple of 4 (padding dropped). */
	refused("Basic c2tfdGVzdF80ZUMzOUhxTHlqV0Rhcmp0VDF6ZHA3ZGM6czM");
	refused("Basic c2tfdGVzdF80ZUMzOUhxTHlqV0Rhcmp0VDF6ZHA3ZGM6eA");
}

static void
basic_empty_credentials_refused(void **state)
{
	(void)state;
	refused("Basic");
	refused("Basic ");
	refused("Basic    ");
	refused("Basic ====");
}

static void
basic_nul_in_credentials_refused(void **state)
{
	char	 h[128];

	(void)state;
	refused(basic_n(h, KEY "\0:", sizeof(KEY) + 1));
	refused(basic_n(h, KEY ":\0", sizeof(KEY) + 1));
	refused(basic_n(h, "\0" KEY ":", sizeof(KEY) + 1));
}

static void
basic_key_with_wrong_shape_refused(void **state)
{
	(void)state;
	basic_refused("pk_test_4eC39HqLyjWDarjtT1zdp7dc:");
	basic_refused("sk_prod_4eC39HqLyjWDarjtT1zdp7dc:");
	basic_refused("sk_test_4eC39HqLyjWD-rjtT1zdp7dc:");
	basic_refused("sk_test_4eC39HqLyjWDarj:");
}

static void
basic_key_of_auth_key_max_accepted(void **state)
{
	char	 creds[AUTH_KEY_MAX + 2], key[AUTH_KEY_MAX + 1];

	(void)state;
	key_of(creds, "sk_test_", AUTH_KEY_MAX - 8, ":");
	key_of(key, "sk_test_", AUTH_KEY_MAX - 8, "");
	basic_parses_to(creds, key);
}

static void
basic_key_too_long_for_buffer_refused(void **state)
{
	char	 key[sizeof(KEY)], h[128];

	(void)state;
	basic_n(h, KEY ":", sizeof(KEY));
	assert_int_equal(auth_parse_header(h, key, sizeof(key)), 0);
	assert_string_equal(key, KEY);
	memset(key, '#', sizeof(key));
	assert_int_equal(auth_parse_header(h, key, sizeof(key) - 1), -1);
	assert_int_equal(key[sizeof(key) - 1], '#');
}

static void
basic_huge_credentials_refused(void **state)
{
	static char	 creds[4096];

	(void)state;
	basic_refused(key_of(creds, "sk_test_", 4000, ":"));
}

/* auth_parse_header: the key's shape and the scheme */

static void
key_wrong_prefix_refused(void **state)
{
	(void)state;
	refused("Bearer pk_test_4eC39HqLyjWDarjtT1zdp7dc");
	refused("Bearer xk_test_4eC39HqLyjWDarjtT1zdp7dc");
	refused("Bearer SK_TEST_4eC39HqLyjWDarjtT1zdp7dc");
	refused("Bearer 4eC39HqLyjWDarjtT1zdp7dc");
}

static void
key_wrong_mode_refused(void **state)
{
	(void)state;
	refused("Bearer sk_prod_4eC39HqLyjWDarjtT1zdp7dc");
	refused("Bearer sk_tests4eC39HqLyjWDarjtT1zdp7dc");
	refused("Bearer sk__test4eC39HqLyjWDarjtT1zdp7dc");
}

static void
key_non_alnum_refused(void **state)
{
	(void)state;
	refused("Bearer sk_test_4eC39HqLyjWDa-jtT1zdp7dc");
	refused("Bearer sk_test_4eC39HqLyjWDa_jtT1zdp7dc");
	refused("Bearer sk_test_4eC39HqLyjWDa.jtT1zdp7dc");
	refused("Bearer sk_test_4eC39HqLyjWDa\xC3\xA9jtT1zdp7dc");
}

static void
key_too_short_refused(void **state)
{
	char	 h[64];

	(void)state;
	refused(key_of(h, "Bearer sk_test_", 15, ""));
	refused("Bearer sk_test_");
	refused("Bearer sk_");
}

static void
empty_header_refused(void **state)
{
	(void)state;
	refused("");
	refused(" ");
}

static void
other_scheme_refused(void **state)
{
	(void)state;
	refused("Token x");
	refused("Token " KEY);
	refused("Digest " KEY);
	refused(KEY);
	refused(" Bearer " KEY);
}

/* auth_hash */

static void
hash_is_sha256_of_key(void **state)
{
	static const unsigned char	 abc[AUTH_HASH_LEN] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
		0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
		0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
		0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	unsigned char			 h[AUTH_HASH_LEN];

	(void)state;
	auth_hash("abc", h);		/* FIPS 180-2 example */
	assert_memory_equal(h, abc, AUTH_HASH_LEN);
}

/* auth_permits */

/* A request whose caller has "restricted" and "perms". */
static void
req_with_caller(struct req *r, int restricted, const char *perms)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->request_id, sizeof(r->request_id), "req_0123456789abcdef");
	assert_non_null(r->method = strdup("GET"));
	assert_non_null(r->path = strdup("/v1/customers"));
	r->caller.restricted = restricted;
	snprintf(r->caller.permissions, sizeof(r->caller.permissions), "%s",
	    perms);
}

static void
permitted(int restricted, const char *perms, const char *permission)
{
	struct req	 r;
	int		 rc, status, replied;

	req_with_caller(&r, restricted, perms);
	rc = auth_permits(&r, permission);
	status = r.status;
	replied = r.reply != NULL;
	req_free(&r);
	if (rc != 0)
		fail_msg("\"%s\" refused with \"%s\"", permission ? permission :
		    "(null)", perms);
	assert_int_equal(status, 0);
	assert_false(replied);
}

/* Copies error.<name> of the reply of "r" into buf ("" if absent). */
static void
error_field(struct req *r, const char *name, char *buf, size_t bufsz)
{
	struct json_object	*err = NULL, *v = NULL;

	json_object_object_get_ex(r->reply, "error", &err);
	json_object_object_get_ex(err, name, &v);
	snprintf(buf, bufsz, "%s", v != NULL ? json_object_get_string(v) : "");
}

/* auth_permits must answer 403 permission_denied naming "permission". */
static void
forbidden(int restricted, const char *perms, const char *permission)
{
	struct req	 r;
	char		 code[64], message[512], request_id[64];
	int		 rc, status;
	enum err	 error;

	req_with_caller(&r, restricted, perms);
	rc = auth_permits(&r, permission);
	status = r.status;
	error = r.error;
	error_field(&r, "code", code, sizeof(code));
	error_field(&r, "message", message, sizeof(message));
	error_field(&r, "request_id", request_id, sizeof(request_id));
	req_free(&r);
	if (rc != -1)
		fail_msg("\"%s\" permitted with \"%s\"", permission, perms);
	assert_int_equal(status, 403);
	assert_int_equal(error, ERR_PERMISSION);
	assert_string_equal(code, "permission_denied");
	assert_non_null(strstr(message, permission));
	assert_string_equal(request_id, "req_0123456789abcdef");
}

static void
permits_unrestricted_key_anything(void **state)
{
	(void)state;
	permitted(0, "", "customers:write");
	permitted(0, "", "payments:read");
}

static void
permits_null_permission(void **state)
{
	(void)state;
	permitted(1, "", NULL);
}

static void
permits_listed_permission(void **state)
{
	(void)state;
	permitted(1, "customers:read", "customers:read");
	permitted(1, "payments:read,customers:write", "customers:write");
	permitted(1, "a:read,customers:read,b:write", "customers:read");
}

static void
permits_write_covers_read(void **state)
{
	(void)state;
	permitted(1, "customers:write", "customers:read");
	permitted(1, "payments:read,customers:write", "customers:read");
}

static void
forbids_read_for_write(void **state)
{
	(void)state;
	forbidden(1, "customers:read", "customers:write");
}

static void
forbids_unlisted_permission(void **state)
{
	(void)state;
	forbidden(1, "customers:write", "payments:read");
	forbidden(1, "", "customers:read");
}

static void
forbids_permission_matching_only_in_part(void **state)
{
	(void)state;
	forbidden(1, "customers:readers", "customers:read");
	forbidden(1, "xcustomers:read", "customers:read");
	forbidden(1, "customers:writer", "customers:read");
	forbidden(1, "my_customers:write", "customers:read");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bearer_key_accepted),
		cmocka_unit_test(bearer_live_and_restricted_keys_accepted),
		cmocka_unit_test(bearer_extra_spaces_accepted),
		cmocka_unit_test(bearer_scheme_case_insensitive),
		cmocka_unit_test(bearer_shortest_key_accepted),
		cmocka_unit_test(bearer_key_of_auth_key_max_accepted),
		cmocka_unit_test(bearer_key_over_auth_key_max_refused),
		cmocka_unit_test(bearer_key_too_long_for_buffer_refused),
		cmocka_unit_test(bearer_without_key_refused),
		cmocka_unit_test(bearer_without_space_refused),
		cmocka_unit_test(bearer_key_with_inner_space_refused),
		cmocka_unit_test(bearer_key_with_control_chars_refused),
		cmocka_unit_test(basic_literal_from_curl_u_accepted),
		cmocka_unit_test(basic_key_with_empty_password_accepted),
		cmocka_unit_test(basic_key_with_password_accepted),
		cmocka_unit_test(basic_scheme_case_insensitive),
		cmocka_unit_test(basic_extra_spaces_accepted),
		cmocka_unit_test(basic_without_colon_refused),
		cmocka_unit_test(basic_empty_user_refused),
		cmocka_unit_test(basic_bad_base64_refused),
		cmocka_unit_test(basic_empty_credentials_refused),
		cmocka_unit_test(basic_nul_in_credentials_refused),
		cmocka_unit_test(basic_key_with_wrong_shape_refused),
		cmocka_unit_test(basic_key_of_auth_key_max_accepted),
		cmocka_unit_test(basic_key_too_long_for_buffer_refused),
		cmocka_unit_test(basic_huge_credentials_refused),
		cmocka_unit_test(key_wrong_prefix_refused),
		cmocka_unit_test(key_wrong_mode_refused),
		cmocka_unit_test(key_non_alnum_refused),
		cmocka_unit_test(key_too_short_refused),
		cmocka_unit_test(empty_header_refused),
		cmocka_unit_test(other_scheme_refused),
		cmocka_unit_test(hash_is_sha256_of_key),
		cmocka_unit_test(permits_unrestricted_key_anything),
		cmocka_unit_test(permits_null_permission),
		cmocka_unit_test(permits_listed_permission),
		cmocka_unit_test(permits_write_covers_read),
		cmocka_unit_test(forbids_read_for_write),
		cmocka_unit_test(forbids_unlisted_permission),
		cmocka_unit_test(forbids_permission_matching_only_in_part),
	};

	return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}
