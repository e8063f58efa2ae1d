/* dedupe_keys: the one normalisation duplicates are found by. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dedupe.h"

static const char *
email_key(const char *email)
{
	static struct dedupe_keys	 k;

	assert_int_equal(dedupe_keys(email, NULL, &k), 0);
	return k.email;
}

static void
email_loses_case_and_surrounding_space(void **state)
{
	(void)state;
	assert_string_equal(email_key("  John.Doe@Example.COM\t"),
	    "john.doe@example.com");
}

static void
email_keeps_dots_and_tag_elsewhere(void **state)
{
	(void)state;
	assert_string_equal(email_key("j.doe+shop@example.com"),
	    "j.doe+shop@example.com");
}

static void
gmail_loses_dots_and_tag(void **state)
{
	(void)state;
	assert_string_equal(email_key("J.O.H.N+news@Gmail.com"),
	    "john@gmail.com");
	assert_string_equal(email_key("john+a+b@gmail.com"), "john@gmail.com");
}

static void
googlemail_is_gmail(void **state)
{
	(void)state;
	assert_string_equal(email_key("jo.hn@googlemail.com"),
	    "john@gmail.com");
}

static void
gmail_lookalike_domain_is_not_gmail(void **state)
{
	(void)state;
	assert_string_equal(email_key("j.o+x@gmail.com.example.org"),
	    "j.o+x@gmail.com.example.org");
	assert_string_equal(email_key("j.o+x@notgmail.com"),
	    "j.o+x@notgmail.com");
}

static void
email_too_long_is_refused_and_empty(void **state)
{
	struct dedupe_keys	 k;
	char			 big[400];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(dedupe_keys(big, "+254700000001", &k), -1);
	assert_string_equal(k.email, "");
}

static void
longest_email_fits(void **state)
{
	struct dedupe_keys	 k;
	char			 e[VALID_EMAIL_MAX + 1];

	(void)state;
	memset(e, 'a', VALID_EMAIL_MAX);
	memcpy(e + VALID_EMAIL_MAX - 12, "@example.com", 12);
	e[VALID_EMAIL_MAX] = '\0';
	assert_int_equal(dedupe_keys(e, NULL, &k), 0);
	assert_string_equal(k.email, e);
}

static void
phone_is_its_e164_digits(void **state)
{
	struct dedupe_keys	 k;

	(void)state;
	assert_int_equal(dedupe_keys("a@example.com", "+1 (234) 567-890",
	    &k), 0);
	assert_string_equal(k.phone, "1234567890");
	assert_int_equal(dedupe_keys("a@example.com", "+254700000001", &k), 0);
	assert_string_equal(k.phone, "254700000001");
}

static void
no_or_invalid_phone_has_no_key(void **state)
{
	struct dedupe_keys	 k;

	(void)state;
	assert_int_equal(dedupe_keys("a@example.com", NULL, &k), 0);
	assert_string_equal(k.phone, "");
	assert_int_equal(dedupe_keys("a@example.com", "0700 000 001", &k), 0);
	assert_string_equal(k.phone, "");
}

static void
longest_phone_fits(void **state)
{
	struct dedupe_keys	 k;

	(void)state;
	assert_int_equal(dedupe_keys(NULL, "+123456789012345", &k), 0);
	assert_string_equal(k.phone, "123456789012345");
	assert_string_equal(k.email, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(email_loses_case_and_surrounding_space),
		cmocka_unit_test(email_keeps_dots_and_tag_elsewhere),
		cmocka_unit_test(gmail_loses_dots_and_tag),
		cmocka_unit_test(googlemail_is_gmail),
		cmocka_unit_test(gmail_lookalike_domain_is_not_gmail),
		cmocka_unit_test(email_too_long_is_refused_and_empty),
		cmocka_unit_test(longest_email_fits),
		cmocka_unit_test(phone_is_its_e164_digits),
		cmocka_unit_test(no_or_invalid_phone_has_no_key),
		cmocka_unit_test(longest_phone_fits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
