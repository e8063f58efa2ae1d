/*
 * Unit tests for the pure parts of fcgi/session.c (dashboard contract):
 * base64url tokens, their hash, the Cookie header, the CSRF comparison,
 * the PesaSwap-Mode header, and the sign-in throttle's arithmetic. One
 * behaviour per test, named for it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "session.h"

/* 43 characters of base64url, using both of its own characters. */
#define TOK	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_0"
#define TOK2	"0123456789012345678901234567890123456789012"

#define MIN	(60LL * 1000)

static void
b64url_matches_rfc4648_vectors(void **state)
{
	static const char *const v[][2] = { { "", "" }, { "f", "Zg" },
	    { "fo", "Zm8" }, { "foo", "Zm9v" }, { "foob", "Zm9vYg" },
	    { "fooba", "Zm9vYmE" }, { "foobar", "Zm9vYmFy" } };
	char	 out[16];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		session_b64url((const unsigned char *)v[i][0], strlen(v[i][0]),
		    out);
		assert_string_equal(out, v[i][1]);
	}
}

static void
b64url_uses_dash_and_underscore(void **state)
{
	static const unsigned char	 in[] = { 0xfb, 0xff, 0xbf };
	char				 out[8];

	(void)state;
	session_b64url(in, sizeof(in), out);
	assert_string_equal(out, "-_-_");	/* base64: "+/+/" */
}

static void
new_token_is_43_base64url_characters(void **state)
{
	char	 t[SESSION_TOKEN_LEN + 1], header[64];
	char	 got[SESSION_TOKEN_LEN + 1];

	(void)state;
	memset(t, '!', sizeof(t));
	assert_int_equal(session_token_new(t), 0);
	assert_int_equal(strlen(t), 43);
	assert_int_equal(strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
	/* What the cookie carries, the cookie parser takes back. */
	snprintf(header, sizeof(header), "pesaswap_session=%s", t);
	assert_int_equal(session_cookie_parse(header, got), 0);
	assert_string_equal(got, t);
}

static void
two_new_tokens_differ(void **state)
{
	char	 a[SESSION_TOKEN_LEN + 1], b[SESSION_TOKEN_LEN + 1];

	(void)state;
	assert_int_equal(session_token_new(a), 0);
	assert_int_equal(session_token_new(b), 0);
	assert_string_not_equal(a, b);
}

static void
token_hash_is_sha256(void **state)
{
	/* FIPS 180-2 example: SHA-256("abc"). */
	static const unsigned char	 want[32] = { 0xba, 0x78, 0x16, 0xbf,
	    0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22,
	    0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10,
	    0xff, 0x61, 0xf2, 0x00, 0x15, 0xad };
	unsigned char			 got[SESSION_HASH_LEN];

	(void)state;
	session_token_hash("abc", got);
	assert_memory_equal(got, want, 32);
}

static void
cookie_alone_is_found(void **state)
{
	char	 got[SESSION_TOKEN_LEN + 1];

	(void)state;
	assert_int_equal(session_cookie_parse("pesaswap_session=" TOK, got), 0);
	assert_string_equal(got, TOK);
}

static void
cookie_among_others_is_found(void **state)
{
	char	 got[SESSION_TOKEN_LEN + 1];

	(void)state;
	assert_int_equal(session_cookie_parse("theme=dark; pesaswap_session="
	    TOK "; lang=en", got), 0);
	assert_string_equal(got, TOK);
	assert_int_equal(session_cookie_parse("a=1;pesaswap_session=" TOK2
	    ";b=2", got), 0);
	assert_string_equal(got, TOK2);
}

static void
cookie_with_a_longer_or_shorter_name_is_ignored(void **state)
{
	char	 got[SESSION_TOKEN_LEN + 1];

	(void)state;
	assert_int_equal(session_cookie_parse("xpesaswap_session=" TOK, got),
	    -1);
	assert_int_equal(session_cookie_parse("pesaswap_session_old=" TOK,
	    got), -1);
	assert_int_equal(session_cookie_parse("pesaswap_sessio=" TOK, got), -1);
	assert_int_equal(session_cookie_parse("Pesaswap_session=" TOK, got),
	    -1);
}

static void
cookie_with_a_value_not_a_token_is_ignored(void **state)
{
	char	 got[SESSION_TOKEN_LEN + 1];

	(void)state;
	/* 42 and 44 characters, '+' and '=' of plain base64, a quote. */
	assert_int_equal(session_cookie_parse("pesaswap_session="
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_", got), -1);
	assert_int_equal(session_cookie_parse("pesaswap_session=" TOK "0",
	    got), -1);
	assert_int_equal(session_cookie_parse("pesaswap_session="
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN+/=", got), -1);
	assert_int_equal(session_cookie_parse("pesaswap_session=\"" TOK "\"",
	    got), -1);
	assert_int_equal(session_cookie_parse("pesaswap_session=", got), -1);
}

static void
malformed_cookie_before_a_good_one_is_skipped(void **state)
{
	char	 got[SESSION_TOKEN_LEN + 1];

	(void)state;
	assert_int_equal(session_cookie_parse("junk; =x; pesaswap_session=bad;"
	    " pesaswap_session=" TOK, got), 0);
	assert_string_equal(got, TOK);
}

static void
cookie_absent_or_header_empty_is_not_found(void **state)
{
	char	 got[SESSION_TOKEN_LEN + 1];

	(void)state;
	assert_int_equal(session_cookie_parse(NULL, got), -1);
	assert_int_equal(session_cookie_parse("", got), -1);
	assert_int_equal(session_cookie_parse(";;; ", got), -1);
	assert_int_equal(session_cookie_parse("a=1; b=2", got), -1);
}

static void
cookie_value_trailing_blanks_are_dropped(void **state)
{
	char	 got[SESSION_TOKEN_LEN + 1];

	(void)state;
	assert_int_equal(session_cookie_parse("pesaswap_session=" TOK " ;x=1",
	    got), 0);
	assert_string_equal(got, TOK);
}

static void
csrf_equal_tokens_match(void **state)
{
	(void)state;
	assert_int_equal(session_csrf_equal(TOK, TOK), 1);
}

static void
csrf_differing_tokens_do_not_match(void **state)
{
	(void)state;
	assert_int_equal(session_csrf_equal(TOK,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_1"), 0);
	assert_int_equal(session_csrf_equal(TOK,
	    "bbcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_0"), 0);
	assert_int_equal(session_csrf_equal(TOK, TOK2), 0);
}

static void
csrf_missing_shorter_or_longer_does_not_match(void **state)
{
	(void)state;
	assert_int_equal(session_csrf_equal(TOK, NULL), 0);
	assert_int_equal(session_csrf_equal(TOK, ""), 0);
	assert_int_equal(session_csrf_equal(TOK,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_"), 0);
	assert_int_equal(session_csrf_equal(TOK, TOK "0"), 0);
}

static void
mode_header_test_live_or_absent(void **state)
{
	(void)state;
	assert_int_equal(session_mode_parse(NULL), 0);
	assert_int_equal(session_mode_parse("test"), 0);
	assert_int_equal(session_mode_parse("live"), 1);
	assert_int_equal(session_mode_parse("Live"), 1);
}

static void
mode_header_anything_else_is_refused(void **state)
{
	(void)state;
	assert_int_equal(session_mode_parse(""), -1);
	assert_int_equal(session_mode_parse("prod"), -1);
	assert_int_equal(session_mode_parse("live "), -1);
	assert_int_equal(session_mode_parse("1"), -1);
}

static void
email_hash_ignores_ascii_case(void **state)
{
	unsigned char	 a[SESSION_HASH_LEN], b[SESSION_HASH_LEN];
	unsigned char	 c[SESSION_HASH_LEN];

	(void)state;
	session_email_hash("Ann.Lee@Example.COM", a);
	session_email_hash("ann.lee@example.com", b);
	session_email_hash("ann.le@example.com", c);
	assert_memory_equal(a, b, SESSION_HASH_LEN);
	assert_memory_not_equal(a, c, SESSION_HASH_LEN);
}

static void
lock_starts_at_5th_failure_with_1_second(void **state)
{
	(void)state;
	assert_int_equal(session_lock_ms(0), 0);
	assert_int_equal(session_lock_ms(4), 0);
	assert_int_equal(session_lock_ms(5), 1000);
}

static void
lock_doubles_per_further_failure(void **state)
{
	(void)state;
	assert_int_equal(session_lock_ms(6), 2000);
	assert_int_equal(session_lock_ms(7), 4000);
	assert_int_equal(session_lock_ms(14), 512000);
}

static void
lock_is_capped_at_15_minutes(void **state)
{
	(void)state;
	assert_int_equal(session_lock_ms(15), 15 * MIN);
	assert_int_equal(session_lock_ms(16), 15 * MIN);
	assert_int_equal(session_lock_ms(1000000), 15 * MIN);
}

static void
four_failures_do_not_lock(void **state)
{
	struct session_throttle	 t = { 0, 0, 0 };
	int64_t			 now = 1700000000000LL;
	int			 i;

	(void)state;
	for (i = 0; i < 4; i++)
		session_throttle_fail(&t, now + i * 1000);
	assert_int_equal(t.failures, 4);
	assert_int_equal(session_throttle_wait(&t, now + 4000), 0);
}

static void
fifth_failure_locks_for_1_second(void **state)
{
	struct session_throttle	 t = { 0, 0, 0 };
	int64_t			 now = 1700000000000LL;
	int			 i;

	(void)state;
	for (i = 0; i < 5; i++)
		session_throttle_fail(&t, now);
	assert_int_equal(session_throttle_wait(&t, now), 1000);
	assert_int_equal(session_throttle_wait(&t, now + 400), 600);
	assert_int_equal(session_throttle_wait(&t, now + 1000), 0);
}

static void
failure_after_the_lock_doubles_it(void **state)
{
	struct session_throttle	 t = { 0, 0, 0 };
	int64_t			 now = 1700000000000LL;
	int			 i;

	(void)state;
	for (i = 0; i < 5; i++)
		session_throttle_fail(&t, now);
	session_throttle_fail(&t, now + 1000);
	assert_int_equal(session_throttle_wait(&t, now + 1000), 2000);
	session_throttle_fail(&t, now + 3000);
	assert_int_equal(session_throttle_wait(&t, now + 3000), 4000);
}

static void
failures_15_quiet_minutes_apart_start_over(void **state)
{
	struct session_throttle	 t = { 0, 0, 0 };
	int64_t			 now = 1700000000000LL;
	int			 i;

	(void)state;
	for (i = 0; i < 4; i++)
		session_throttle_fail(&t, now);
	session_throttle_fail(&t, now + 15 * MIN);
	assert_int_equal(t.failures, 1);
	assert_int_equal(t.window_start, now + 15 * MIN);
	assert_int_equal(session_throttle_wait(&t, now + 15 * MIN), 0);
}

static void
retrying_as_each_lock_ends_never_starts_over(void **state)
{
	struct session_throttle	 t = { 0, 0, 0 };
	int64_t			 now = 1700000000000LL;
	int			 i;

	(void)state;
	for (i = 0; i < 5; i++)
		session_throttle_fail(&t, now);
	/* An hour of tries, each as the lock ends: still locked, capped. */
	while (now < 1700000000000LL + 60 * MIN) {
		now = t.locked_until;
		assert_int_equal(session_throttle_wait(&t, now), 0);
		session_throttle_fail(&t, now);
	}
	assert_true(t.failures > 5);
	assert_int_equal(session_throttle_wait(&t, now), 15 * MIN);
}

static void
retry_after_rounds_up_to_whole_seconds(void **state)
{
	(void)state;
	assert_int_equal(session_retry_after(1), 1);
	assert_int_equal(session_retry_after(1000), 1);
	assert_int_equal(session_retry_after(1001), 2);
	assert_int_equal(session_retry_after(15 * MIN), 900);
	assert_int_equal(session_retry_after(0), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(b64url_matches_rfc4648_vectors),
		cmocka_unit_test(b64url_uses_dash_and_underscore),
		cmocka_unit_test(new_token_is_43_base64url_characters),
		cmocka_unit_test(two_new_tokens_differ),
		cmocka_unit_test(token_hash_is_sha256),
		cmocka_unit_test(cookie_alone_is_found),
		cmocka_unit_test(cookie_among_others_is_found),
		cmocka_unit_test(cookie_with_a_longer_or_shorter_name_is_ignored),
		cmocka_unit_test(cookie_with_a_value_not_a_token_is_ignored),
		cmocka_unit_test(malformed_cookie_before_a_good_one_is_skipped),
		cmocka_unit_test(cookie_absent_or_header_empty_is_not_found),
		cmocka_unit_test(cookie_value_trailing_blanks_are_dropped),
		cmocka_unit_test(csrf_equal_tokens_match),
		cmocka_unit_test(csrf_differing_tokens_do_not_match),
		cmocka_unit_test(csrf_missing_shorter_or_longer_does_not_match),
		cmocka_unit_test(mode_header_test_live_or_absent),
		cmocka_unit_test(mode_header_anything_else_is_refused),
		cmocka_unit_test(email_hash_ignores_ascii_case),
		cmocka_unit_test(lock_starts_at_5th_failure_with_1_second),
		cmocka_unit_test(lock_doubles_per_further_failure),
		cmocka_unit_test(lock_is_capped_at_15_minutes),
		cmocka_unit_test(four_failures_do_not_lock),
		cmocka_unit_test(fifth_failure_locks_for_1_second),
		cmocka_unit_test(failure_after_the_lock_doubles_it),
		cmocka_unit_test(failures_15_quiet_minutes_apart_start_over),
		cmocka_unit_test(retrying_as_each_lock_ends_never_starts_over),
		cmocka_unit_test(retry_after_rounds_up_to_whole_seconds),
	};

	return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}
