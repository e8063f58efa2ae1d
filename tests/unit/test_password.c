/*
 * Unit tests for fcgi/password.c (issue 6): Argon2id hashes with OWASP's
 * parameters, verification, the dummy hash for unknown users, and the
 * length rule of new passwords. One behaviour per test, named for it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "password.h"

#define PW	"correct horse battery staple"

/* libargon2's encoding of PW with the salt "pesaswap-salt-16": a hash
 * as an earlier build stored it must still verify. */
#define PW_HASH	"$argon2id$v=19$m=19456,t=2,p=1$cGVzYXN3YXAtc2FsdC0xNg$" \
	"s3jRs3bgGeGuZ4r7XOQEJcR1Q7rIqzhWBNiDfdjoMC8"

static void
hash_is_argon2id_with_owasp_parameters(void **state)
{
	char	 enc[PASSWORD_ENCODED_MAX];

	(void)state;
	assert_int_equal(password_hash(PW, strlen(PW), enc, sizeof(enc)), 0);
	assert_true(strncmp(enc, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
	assert_true(strlen(enc) < sizeof(enc));
}

static void
hash_then_verify_accepts_the_password(void **state)
{
	char	 enc[PASSWORD_ENCODED_MAX];

	(void)state;
	assert_int_equal(password_hash(PW, strlen(PW), enc, sizeof(enc)), 0);
	assert_int_equal(password_verify(enc, PW, strlen(PW)), 0);
}

static void
verify_refuses_a_wrong_password(void **state)
{
	char	 enc[PASSWORD_ENCODED_MAX];

	(void)state;
	assert_int_equal(password_hash(PW, strlen(PW), enc, sizeof(enc)), 0);
	assert_int_equal(password_verify(enc, "correct horse battery stapl",
	    strlen(PW) - 1), -1);
	assert_int_equal(password_verify(enc, "correct horse battery staplf",
	    strlen(PW)), -1);
	assert_int_equal(password_verify(enc, "", 0), -1);
}

static void
two_hashes_of_one_password_differ_by_salt(void **state)
{
	char	 a[PASSWORD_ENCODED_MAX], b[PASSWORD_ENCODED_MAX];

	(void)state;
	assert_int_equal(password_hash(PW, strlen(PW), a, sizeof(a)), 0);
	assert_int_equal(password_hash(PW, strlen(PW), b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(password_verify(b, PW, strlen(PW)), 0);
}

static void
verify_accepts_a_stored_hash_of_an_earlier_build(void **state)
{
	(void)state;
	assert_int_equal(password_verify(PW_HASH, PW, strlen(PW)), 0);
	assert_int_equal(password_verify(PW_HASH, "Correct horse battery staple",
	    strlen(PW)), -1);
}

static void
verify_refuses_hashes_that_are_not_argon2id(void **state)
{
	(void)state;
	/* The same hash as argon2i: libargon2 would take its word. */
	assert_int_equal(password_verify("$argon2i$v=19$m=19456,t=2,p=1$"
	    "cGVzYXN3YXAtc2FsdC0xNg$s3jRs3bgGeGuZ4r7XOQEJcR1Q7rIqzhWBNiDfdjoMC8",
	    PW, strlen(PW)), -1);
	assert_int_equal(password_verify("", PW, strlen(PW)), -1);
	assert_int_equal(password_verify("$argon2id$garbage", PW, strlen(PW)),
	    -1);
}

static void
verify_against_the_dummy_hash_always_fails(void **state)
{
	(void)state;
	assert_int_equal(password_verify(NULL, PW, strlen(PW)), -1);
	assert_int_equal(password_verify(NULL, "", 0), -1);
}

static void
acceptable_is_8_to_256_bytes(void **state)
{
	char	 buf[258];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(password_acceptable(buf, 7), -1);
	assert_int_equal(password_acceptable(buf, 8), 0);
	assert_int_equal(password_acceptable(buf, 256), 0);
	assert_int_equal(password_acceptable(buf, 257), -1);
	assert_int_equal(password_acceptable(buf, 0), -1);
}

static void
acceptable_refuses_a_nul_byte(void **state)
{
	(void)state;
	assert_int_equal(password_acceptable("abcd\0efgh", 9), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hash_is_argon2id_with_owasp_parameters),
		cmocka_unit_test(hash_then_verify_accepts_the_password),
		cmocka_unit_test(verify_refuses_a_wrong_password),
		cmocka_unit_test(two_hashes_of_one_password_differ_by_salt),
		cmocka_unit_test(verify_accepts_a_stored_hash_of_an_earlier_build),
		cmocka_unit_test(verify_refuses_hashes_that_are_not_argon2id),
		cmocka_unit_test(verify_against_the_dummy_hash_always_fails),
		cmocka_unit_test(acceptable_is_8_to_256_bytes),
		cmocka_unit_test(acceptable_refuses_a_nul_byte),
	};

	return cmocka_run_group_tests_name("password", tests, NULL, NULL);
}
