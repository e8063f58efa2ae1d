/*
 * Unit tests for fcgi/valid.c (API.md "Customers", "Payment methods"):
 * one test per behaviour, each named for it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "valid.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* valid_utf8 on a NUL-terminated literal. */
static int
utf8(const char *s)
{
	return valid_utf8(s, strlen(s));
}

/* Fills buf with "n" copies of the string "unit"; buf must fit them. */
static char *
repeat(char *buf, const char *unit, size_t n)
{
	size_t	 len = strlen(unit), i;

	for (i = 0; i < n; i++)
		memcpy(buf + i * len, unit, len);
	buf[n * len] = '\0';
	return buf;
}

/* UTF-8 */

static void
utf8_accepts_ascii(void **state)
{
	(void)state;
	assert_int_equal(utf8("John Doe <john@example.com>"), 0);
}

static void
utf8_accepts_empty(void **state)
{
	(void)state;
	assert_int_equal(valid_utf8("", 0), 0);
}

static void
utf8_accepts_multibyte(void **state)
{
	(void)state;
	assert_int_equal(utf8("Jos\xC3\xA9 \xE2\x82\xAC \xF0\x9D\x84\x9E"), 0);
}

static void
utf8_accepts_range_boundaries(void **state)
{
	(void)state;
	assert_int_equal(utf8("\xC2\x80"), 0);		/* U+0080 */
	assert_int_equal(utf8("\xDF\xBF"), 0);		/* U+07FF */
	assert_int_equal(utf8("\xE0\xA0\x80"), 0);	/* U+0800 */
	assert_int_equal(utf8("\xED\x9F\xBF"), 0);	/* U+D7FF */
	assert_int_equal(utf8("\xEE\x80\x80"), 0);	/* U+E000 */
	assert_int_equal(utf8("\xEF\xBF\xBF"), 0);	/* U+FFFF */
	assert_int_equal(utf8("\xF0\x90\x80\x80"), 0);	/* U+10000 */
	assert_int_equal(utf8("\xF4\x8F\xBF\xBF"), 0);	/* U+10FFFF */
}

static void
utf8_rejects_overlong_slash(void **state)
{
	(void)state;
	assert_int_equal(utf8("\xC0\xAF"), -1);
	assert_int_equal(utf8("\xE0\x80\xAF"), -1);
	assert_int_equal(utf8("\xF0\x80\x80\xAF"), -1);
}

static void
utf8_rejects_overlong_nul(void **state)
{
	(void)state;
	assert_int_equal(utf8("a\xC0\x80z"), -1);
}

static void
utf8_rejects_overlong_at_each_length_boundary(void **state)
{
	(void)state;
	assert_int_equal(utf8("\xC1\xBF"), -1);		/* U+007F in 2 */
	assert_int_equal(utf8("\xE0\x9F\xBF"), -1);	/* U+07FF in 3 */
	assert_int_equal(utf8("\xF0\x8F\xBF\xBF"), -1);	/* U+FFFF in 4 */
}

static void
utf8_rejects_surrogates(void **state)
{
	(void)state;
	assert_int_equal(utf8("\xED\xA0\x80"), -1);	/* U+D800 */
	assert_int_equal(utf8("\xED\xBF\xBF"), -1);	/* U+DFFF */
	/* A CESU-8 pair for U+1F600. */
	assert_int_equal(utf8("\xED\xA0\xBD\xED\xB8\x80"), -1);
}

static void
utf8_rejects_above_10ffff(void **state)
{
	(void)state;
	assert_int_equal(utf8("\xF4\x90\x80\x80"), -1);
	assert_int_equal(utf8("\xF5\x80\x80\x80"), -1);
	assert_int_equal(utf8("\xF7\xBF\xBF\xBF"), -1);
	assert_int_equal(utf8("\xFE"), -1);
	assert_int_equal(utf8("\xFF"), -1);
}

static void
utf8_rejects_truncated_sequence(void **state)
{
	(void)state;
	assert_int_equal(utf8("abc\xC3"), -1);
	assert_int_equal(utf8("\xE2\x82"), -1);
	assert_int_equal(utf8("\xF0\x9F\x98"), -1);
	/* The length, not the NUL, ends the buffer. */
	assert_int_equal(valid_utf8("\xE2\x82\xAC", 2), -1);
}

static void
utf8_rejects_lone_continuation_byte(void **state)
{
	(void)state;
	assert_int_equal(utf8("\x80"), -1);
	assert_int_equal(utf8("a\xBF" "b"), -1);
}

static void
utf8_rejects_bad_continuation_byte(void **state)
{
	(void)state;
	assert_int_equal(utf8("\xC3\x28"), -1);
	assert_int_equal(utf8("\xE2\x28\xA1"), -1);
	assert_int_equal(utf8("\xE2\x82\x28"), -1);
	assert_int_equal(utf8("\xF0\x9F\x98\x28"), -1);
}

static void
utf8_rejects_nul_byte(void **state)
{
	(void)state;
	assert_int_equal(valid_utf8("a\0b", 3), -1);
	assert_int_equal(valid_utf8("\0", 1), -1);
}

static void
utf8_chars_counts_code_points(void **state)
{
	(void)state;
	assert_int_equal(valid_utf8_chars(""), 0);
	assert_int_equal(valid_utf8_chars("abc"), 3);
	assert_int_equal(valid_utf8_chars(
	    "a\xC3\xA9\xE2\x82\xAC\xF0\x9D\x84\x9E"), 4);
}

/* Trim */

static void
trim_strips_both_ends(void **state)
{
	char	 s[] = " \t\r\n John Doe \v\f\n";

	(void)state;
	assert_string_equal(valid_trim(s), "John Doe");
}

static void
trim_returns_same_pointer(void **state)
{
	char	 s[] = "   x";

	(void)state;
	assert_ptr_equal(valid_trim(s), s);
	assert_string_equal(s, "x");
}

static void
trim_all_space_gives_empty(void **state)
{
	char	 s[] = " \t \n ";

	(void)state;
	assert_string_equal(valid_trim(s), "");
}

static void
trim_keeps_inner_space_and_non_ascii_space(void **state)
{
	char	 s[] = "  a  b\xC2\xA0 ";

	(void)state;
	/* U+00A0 is not ASCII white space: it stays, bytes intact. */
	assert_string_equal(valid_trim(s), "a  b\xC2\xA0");
}

/* Text */

static void
text_accepts_unicode_name(void **state)
{
	(void)state;
	assert_int_equal(valid_text("Jos\xC3\xA9 M\xC3\xBCller "
	    "\xE5\xB1\xB1\xE7\x94\xB0", VALID_NAME_MAX), 0);
}

static void
text_rejects_empty(void **state)
{
	(void)state;
	assert_int_equal(valid_text("", VALID_NAME_MAX), -1);
}

static void
text_counts_characters_not_bytes(void **state)
{
	char	 buf[4 * 257 + 1];

	(void)state;
	/* 256 four-byte characters: 1024 bytes, still 256 characters. */
	assert_int_equal(valid_text(repeat(buf, "\xF0\x9F\x98\x80", 256),
	    VALID_NAME_MAX), 0);
	assert_int_equal(valid_text(repeat(buf, "\xC3\xA9", 256),
	    VALID_NAME_MAX), 0);
}

static void
text_rejects_one_over_max(void **state)
{
	char	 buf[2 * 257 + 1];

	(void)state;
	assert_int_equal(valid_text(repeat(buf, "a", 257), VALID_NAME_MAX), -1);
	assert_int_equal(valid_text(repeat(buf, "\xC3\xA9", 257),
	    VALID_NAME_MAX), -1);
}

static void
text_rejects_tab_and_newline(void **state)
{
	(void)state;
	assert_int_equal(valid_text("John\tDoe", VALID_NAME_MAX), -1);
	assert_int_equal(valid_text("John\nDoe", VALID_NAME_MAX), -1);
	assert_int_equal(valid_text("John\rDoe", VALID_NAME_MAX), -1);
	assert_int_equal(valid_text("\x1B[31m", VALID_NAME_MAX), -1);
}

static void
text_rejects_del(void **state)
{
	(void)state;
	assert_int_equal(valid_text("John\x7F", VALID_NAME_MAX), -1);
}

static void
text_rejects_c1_controls(void **state)
{
	(void)state;
	assert_int_equal(valid_text("\xC2\x80", VALID_NAME_MAX), -1);
	assert_int_equal(valid_text("a\xC2\x85" "b", VALID_NAME_MAX), -1);
	assert_int_equal(valid_text("\xC2\x9F", VALID_NAME_MAX), -1);
	/* U+00A0, the first code point after C1, is text. */
	assert_int_equal(valid_text("\xC2\xA0", VALID_NAME_MAX), 0);
}

static void
text_rejects_invalid_utf8(void **state)
{
	(void)state;
	assert_int_equal(valid_text("Jos\xE9", VALID_NAME_MAX), -1);
	assert_int_equal(valid_text("\xED\xA0\x80", VALID_NAME_MAX), -1);
}

/* Email */

static void
email_accepts_plain_address(void **state)
{
	(void)state;
	assert_int_equal(valid_email("john.doe@example.com"), 0);
	assert_int_equal(valid_email("JOHN@EXAMPLE.COM"), 0);
}

static void
email_accepts_plus_tag_and_subdomains(void **state)
{
	(void)state;
	assert_int_equal(valid_email("jane+billing@mail.example.co.ke"), 0);
	assert_int_equal(valid_email("a-b@x-y.io"), 0);
}

static void
email_accepts_every_atext_character(void **state)
{
	(void)state;
	assert_int_equal(valid_email("!#$%&'*+-/=?^_`{|}~@example.com"), 0);
}

static void
email_rejects_double_dot(void **state)
{
	(void)state;
	assert_int_equal(valid_email("john..doe@example.com"), -1);
	assert_int_equal(valid_email("john@example..com"), -1);
}

static void
email_rejects_leading_or_trailing_dot(void **state)
{
	(void)state;
	assert_int_equal(valid_email(".john@example.com"), -1);
	assert_int_equal(valid_email("john.@example.com"), -1);
	assert_int_equal(valid_email("john@.example.com"), -1);
	assert_int_equal(valid_email("john@example.com."), -1);
}

static void
email_rejects_missing_or_second_at(void **state)
{
	(void)state;
	assert_int_equal(valid_email("john.example.com"), -1);
	assert_int_equal(valid_email("john@doe@example.com"), -1);
}

static void
email_rejects_empty_parts(void **state)
{
	(void)state;
	assert_int_equal(valid_email(""), -1);
	assert_int_equal(valid_email("@example.com"), -1);
	assert_int_equal(valid_email("john@"), -1);
}

static void
email_rejects_single_label_domain(void **state)
{
	(void)state;
	assert_int_equal(valid_email("root@localhost"), -1);
}

static void
email_rejects_numeric_tld_and_ip_literal(void **state)
{
	(void)state;
	assert_int_equal(valid_email("john@192.168.0.1"), -1);
	assert_int_equal(valid_email("john@[192.168.0.1]"), -1);
	/* Digits are fine anywhere else. */
	assert_int_equal(valid_email("john@123.example.com"), 0);
}

static void
email_rejects_hyphen_at_label_edge(void **state)
{
	(void)state;
	assert_int_equal(valid_email("john@-example.com"), -1);
	assert_int_equal(valid_email("john@example-.com"), -1);
	assert_int_equal(valid_email("john@example.-com"), -1);
}

static void
email_rejects_non_ldh_domain(void **state)
{
	(void)state;
	assert_int_equal(valid_email("john@exa_mple.com"), -1);
	assert_int_equal(valid_email("john@exam+ple.com"), -1);
}

static void
email_rejects_whitespace_and_controls(void **state)
{
	(void)state;
	assert_int_equal(valid_email("john doe@example.com"), -1);
	assert_int_equal(valid_email(" john@example.com"), -1);
	assert_int_equal(valid_email("john@example.com\n"), -1);
	assert_int_equal(valid_email("jo\x7Fhn@example.com"), -1);
}

static void
email_rejects_quoted_local_part(void **state)
{
	(void)state;
	assert_int_equal(valid_email("\"john doe\"@example.com"), -1);
	assert_int_equal(valid_email("john(comment)@example.com"), -1);
}

static void
email_rejects_non_ascii(void **state)
{
	(void)state;
	assert_int_equal(valid_email("jos\xC3\xA9@example.com"), -1);
	assert_int_equal(valid_email("john@b\xC3\xBC" "cher.de"), -1);
}

static void
email_rejects_local_part_over_64(void **state)
{
	char	 buf[128];

	(void)state;
	repeat(buf, "a", 64);
	strcat(buf, "@example.com");
	assert_int_equal(valid_email(buf), 0);
	repeat(buf, "a", 65);
	strcat(buf, "@example.com");
	assert_int_equal(valid_email(buf), -1);
}

static void
email_rejects_label_over_63(void **state)
{
	char	 buf[128];

	(void)state;
	strcpy(buf, "john@");
	repeat(buf + 5, "a", 63);
	strcat(buf, ".com");
	assert_int_equal(valid_email(buf), 0);
	strcpy(buf, "john@");
	repeat(buf + 5, "a", 64);
	strcat(buf, ".com");
	assert_int_equal(valid_email(buf), -1);
}

static void
email_rejects_over_254_bytes(void **state)
{
	char	 buf[300], label[64];

	(void)state;
	/* "x@" + 3 * 63 + 3 dots + 60 = 254 bytes. */
	repeat(label, "a", 63);
	snprintf(buf, sizeof(buf), "x@%s.%s.%s.", label, label, label);
	repeat(buf + strlen(buf), "b", 60);
	assert_int_equal(strlen(buf), 254);
	assert_int_equal(valid_email(buf), 0);
	strcat(buf, "b");
	assert_int_equal(valid_email(buf), -1);
}

/* Phone */

static void
phone_accepts_e164(void **state)
{
	char	 out[VALID_PHONE_MAX + 1];

	(void)state;
	assert_int_equal(valid_phone("+254700000000", out, sizeof(out)), 0);
	assert_string_equal(out, "+254700000000");
}

static void
phone_strips_dashes_and_parens(void **state)
{
	char	 out[VALID_PHONE_MAX + 1];

	(void)state;
	assert_int_equal(valid_phone("+1 (234) 567-8901", out, sizeof(out)),
	    0);
	assert_string_equal(out, "+12345678901");
}

static void
phone_strips_dots(void **state)
{
	char	 out[VALID_PHONE_MAX + 1];

	(void)state;
	assert_int_equal(valid_phone("+44.20.7946.0958", out, sizeof(out)),
	    0);
	assert_string_equal(out, "+442079460958");
}

static void
phone_accepts_8_and_15_digits(void **state)
{
	char	 out[VALID_PHONE_MAX + 1];

	(void)state;
	assert_int_equal(valid_phone("+12345678", out, sizeof(out)), 0);
	assert_string_equal(out, "+12345678");
	assert_int_equal(valid_phone("+123 456 789 012 345", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "+123456789012345");
}

static void
phone_rejects_7_digits(void **state)
{
	char	 out[VALID_PHONE_MAX + 1];

	(void)state;
	assert_int_equal(valid_phone("+1234567", out, sizeof(out)), -1);
	assert_int_equal(valid_phone("+", out, sizeof(out)), -1);
	assert_int_equal(valid_phone("", out, sizeof(out)), -1);
}

static void
phone_rejects_16_digits(void **state)
{
	char	 out[VALID_PHONE_MAX + 1];

	(void)state;
	assert_int_equal(valid_phone("+1234567890123456", out, sizeof(out)),
	    -1);
	assert_int_equal(valid_phone("+1 2345 6789 0123 4567 8901 2345",
	    out, sizeof(out)), -1);
}

static void
phone_rejects_missing_plus(void **state)
{
	char	 out[VALID_PHONE_MAX + 1];

	(void)state;
	assert_int_equal(valid_phone("254700000000", out, sizeof(out)), -1);
	assert_int_equal(valid_phone("00254700000000", out, sizeof(out)), -1);
}

static void
phone_rejects_leading_zero(void **state)
{
	char	 out[VALID_PHONE_MAX + 1];

	(void)state;
	assert_int_equal(valid_phone("+0712345678", out, sizeof(out)), -1);
}

static void
phone_rejects_second_plus(void **state)
{
	char	 out[VALID_PHONE_MAX + 1];

	(void)state;
	assert_int_equal(valid_phone("+1+2345678901", out, sizeof(out)), -1);
	assert_int_equal(valid_phone("12+345678901", out, sizeof(out)), -1);
}

static void
phone_rejects_letters(void **state)
{
	char	 out[VALID_PHONE_MAX + 1];

	(void)state;
	assert_int_equal(valid_phone("+1 800 FLOWERS", out, sizeof(out)), -1);
	assert_int_equal(valid_phone("+12345678901 ext 5", out, sizeof(out)),
	    -1);
}

static void
phone_rejects_other_separators(void **state)
{
	char	 out[VALID_PHONE_MAX + 1];

	(void)state;
	assert_int_equal(valid_phone("+1/234/567/8901", out, sizeof(out)), -1);
	assert_int_equal(valid_phone("+1\t2345678901", out, sizeof(out)), -1);
	assert_int_equal(valid_phone("+1_234_567_8901", out, sizeof(out)),
	    -1);
}

static void
phone_rejects_small_output_buffer(void **state)
{
	char	 out[VALID_PHONE_MAX + 1];

	(void)state;
	memset(out, 'z', sizeof(out));
	assert_int_equal(valid_phone("+254700000000", out, 13), -1);
	assert_int_equal(out[0], 'z');
	assert_int_equal(valid_phone("+254700000000", out, 14), 0);
	assert_string_equal(out, "+254700000000");
}

/* Currency */

static void
currency_accepts_uppercase_and_lowercases(void **state)
{
	char	 out[4];

	(void)state;
	assert_int_equal(valid_currency("USD", out), 0);
	assert_string_equal(out, "usd");
}

static void
currency_accepts_lowercase_and_mixed_case(void **state)
{
	char	 out[4];

	(void)state;
	assert_int_equal(valid_currency("kes", out), 0);
	assert_string_equal(out, "kes");
	assert_int_equal(valid_currency("eUr", out), 0);
	assert_string_equal(out, "eur");
}

static void
currency_accepts_common_codes(void **state)
{
	const char	*codes[] = { "usd", "eur", "kes", "gbp", "jpy",
	    "ugx", "tzs", "ngn", "zar", "inr", "cny", "chf", "rwf", "etb",
	    "ghs", "xof", "xaf", "aed", "brl", "cad", "aud", "mxn" };
	char		 out[4];
	size_t		 i;

	(void)state;
	for (i = 0; i < NITEMS(codes); i++) {
		assert_int_equal(valid_currency(codes[i], out), 0);
		assert_string_equal(out, codes[i]);
	}
}

static void
currency_accepts_first_last_and_recent_codes(void **state)
{
	char	 out[4];

	(void)state;
	assert_int_equal(valid_currency("AED", out), 0);	/* first */
	assert_int_equal(valid_currency("ZWL", out), 0);	/* last */
	assert_int_equal(valid_currency("ZWG", out), 0);	/* 2024 */
	assert_int_equal(valid_currency("XCG", out), 0);	/* 2024 */
	assert_int_equal(valid_currency("SLE", out), 0);	/* 2022 */
	assert_int_equal(valid_currency("VED", out), 0);	/* 2021 */
}

static void
currency_table_is_sorted_and_complete(void **state)
{
	char	 code[4], out[4];
	int	 a, b, c, found = 0;

	(void)state;
	/*
	 * Every three-letter code: bsearch finds all 180 only if the table
	 * is sorted, and nothing else passes.
	 */
	code[3] = '\0';
	for (a = 'A'; a <= 'Z'; a++)
		for (b = 'A'; b <= 'Z'; b++)
			for (c = 'A'; c <= 'Z'; c++) {
				code[0] = a;
				code[1] = b;
				code[2] = c;
				if (valid_currency(code, out) == 0)
					found++;
			}
	assert_int_equal(found, 180);
}

static void
currency_rejects_unknown_code(void **state)
{
	char	 out[4];

	(void)state;
	assert_int_equal(valid_currency("ABC", out), -1);
	assert_int_equal(valid_currency("BTC", out), -1);
	assert_int_equal(valid_currency("usx", out), -1);
}

static void
currency_rejects_test_codes(void **state)
{
	char	 out[4];

	(void)state;
	assert_int_equal(valid_currency("XTS", out), -1);
	assert_int_equal(valid_currency("xxx", out), -1);
}

static void
currency_rejects_withdrawn_codes(void **state)
{
	char	 out[4];

	(void)state;
	assert_int_equal(valid_currency("HRK", out), -1);
	assert_int_equal(valid_currency("DEM", out), -1);
	assert_int_equal(valid_currency("VEF", out), -1);
	assert_int_equal(valid_currency("MRO", out), -1);
	assert_int_equal(valid_currency("ZMK", out), -1);
}

static void
currency_rejects_wrong_length(void **state)
{
	char	 out[4];

	(void)state;
	assert_int_equal(valid_currency("", out), -1);
	assert_int_equal(valid_currency("US", out), -1);
	assert_int_equal(valid_currency("USDD", out), -1);
	assert_int_equal(valid_currency("usd ", out), -1);
}

static void
currency_rejects_non_letters(void **state)
{
	char	 out[4];

	(void)state;
	assert_int_equal(valid_currency("U5D", out), -1);
	assert_int_equal(valid_currency(" usd", out), -1);
	/* '@' | 0x20 is '`': neither may sneak past case folding. */
	assert_int_equal(valid_currency("US@", out), -1);
	assert_int_equal(valid_currency("\xC3\x9CSD", out), -1);
}

static void
currency_leaves_out_untouched_on_failure(void **state)
{
	char	 out[4] = "zzz";

	(void)state;
	assert_int_equal(valid_currency("abc", out), -1);
	assert_string_equal(out, "zzz");
}

/* Card numbers */

static void
card_number_found_plain(void **state)
{
	(void)state;
	assert_int_equal(valid_has_card_number("4242424242424242"), 0);
	assert_int_equal(valid_has_card_number("4000056655665556"), 0);
	assert_int_equal(valid_has_card_number("6011111111111117"), 0);
}

static void
card_number_found_amex_15_digits(void **state)
{
	(void)state;
	assert_int_equal(valid_has_card_number("378282246310005"), 0);
	assert_int_equal(valid_has_card_number("3782 822463 10005"), 0);
}

static void
card_number_found_13_and_19_digits(void **state)
{
	(void)state;
	assert_int_equal(valid_has_card_number("4242424242422"), 0);
	assert_int_equal(valid_has_card_number("4000000000000000006"), 0);
}

static void
card_number_found_with_spaces(void **state)
{
	(void)state;
	assert_int_equal(valid_has_card_number("4242 4242 4242 4242"), 0);
}

static void
card_number_found_with_dashes(void **state)
{
	(void)state;
	assert_int_equal(valid_has_card_number("4000-0566-5566-5556"), 0);
	assert_int_equal(valid_has_card_number("6011-1111 1111-1117"), 0);
}

static void
card_number_found_inside_text(void **state)
{
	(void)state;
	assert_int_equal(valid_has_card_number(
	    "card 4242 4242 4242 4242 exp 12/30"), 0);
	assert_int_equal(valid_has_card_number("pan:4242424242424242;"), 0);
	assert_int_equal(valid_has_card_number("x4242424242424242x"), 0);
}

static void
card_number_found_inside_longer_run(void **state)
{
	(void)state;
	/* 22 digits in one run; the card sits in the middle. */
	assert_int_equal(valid_has_card_number("123 4242424242424242 789"),
	    0);
	assert_int_equal(valid_has_card_number(
	    "00000004242424242424242000000"), 0);
}

static void
card_number_found_with_expiry_appended(void **state)
{
	(void)state;
	/* 20 digits: card and MMYY. */
	assert_int_equal(valid_has_card_number("4242 4242 4242 4242 1230"),
	    0);
}

static void
card_number_ignores_non_luhn(void **state)
{
	(void)state;
	assert_int_equal(valid_has_card_number("4242424242424241"), -1);
	assert_int_equal(valid_has_card_number("1234567890123456"), -1);
}

static void
card_number_ignores_runs_under_13_digits(void **state)
{
	(void)state;
	/* Both are Luhn-valid, but 12 digits: phone numbers look so. */
	assert_int_equal(valid_has_card_number("424242424242"), -1);
	assert_int_equal(valid_has_card_number("+254 700 000 000"), -1);
}

static void
card_number_ignores_double_separator(void **state)
{
	(void)state;
	assert_int_equal(valid_has_card_number("4242  4242 4242 4242"), -1);
	assert_int_equal(valid_has_card_number("4242--4242-4242-4242"), -1);
	assert_int_equal(valid_has_card_number("4242 -4242 4242 4242"), -1);
}

static void
card_number_ignores_other_separators(void **state)
{
	(void)state;
	assert_int_equal(valid_has_card_number("4242.4242.4242.4242"), -1);
	assert_int_equal(valid_has_card_number("4242/4242/4242/4242"), -1);
	assert_int_equal(valid_has_card_number("4242\t4242\t4242\t4242"), -1);
}

static void
card_number_ignores_text_without_digits(void **state)
{
	(void)state;
	assert_int_equal(valid_has_card_number(""), -1);
	assert_int_equal(valid_has_card_number("pm_card_visa"), -1);
	assert_int_equal(valid_has_card_number(" - - "), -1);
}

static void
card_number_ignores_long_run_of_non_luhn(void **state)
{
	(void)state;
	/* 20 digits of which no 13..19-digit window passes Luhn. */
	assert_int_equal(valid_has_card_number("83645074952883143667"), -1);
}

/*
 * The contract, written the slow way: runs of digits joined by single
 * spaces or dashes; a run of 13..19 digits is checked whole, a longer one
 * window by window.
 */
static int
luhn_naive(const char *d, size_t len)
{
	size_t	 i;
	int	 sum = 0, v;

	for (i = 0; i < len; i++) {
		v = d[len - 1 - i] - '0';
		if (i % 2 == 1)
			v = v * 2 > 9 ? v * 2 - 9 : v * 2;
		sum += v;
	}
	return sum % 10 == 0;
}

static int
run_naive(const char *d, size_t n)
{
	size_t	 len, i;

	if (n >= 13 && n <= 19)
		return luhn_naive(d, n);
	if (n < 20)
		return 0;
	for (len = 13; len <= 19; len++)
		for (i = 0; i + len <= n; i++)
			if (luhn_naive(d + i, len))
				return 1;
	return 0;
}

static int
card_naive(const char *s)
{
	char	 run[128];
	size_t	 n = 0, i;

	for (i = 0; ; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			run[n++] = s[i];
			continue;
		}
		if ((s[i] == ' ' || s[i] == '-') && n > 0 &&
		    s[i + 1] >= '0' && s[i + 1] <= '9')
			continue;
		if (run_naive(run, n))
			return 0;
		if (s[i] == '\0')
			return -1;
		n = 0;
	}
}

static void
card_number_matches_slow_reference(void **state)
{
	/* Digits mostly, so that long runs are common. */
	static const char	 alphabet[] = "01234567890123456789 -x";
	char			 s[100];
	uint32_t		 seed = 42;
	size_t			 i, len;
	int			 round, found = 0;

	(void)state;
	for (round = 0; round < 20000; round++) {
		seed = seed * 1103515245u + 12345u;
		len = (seed >> 16) % (sizeof(s) - 1);
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			s[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		s[len] = '\0';
		assert_int_equal(valid_has_card_number(s), card_naive(s));
		found += card_naive(s) == 0;
	}
	/* Both answers occur, or the comparison proves little. */
	assert_true(found > 1000 && found < 19000);
}

/* Metadata */

static void
metadata_key_accepts_40_chars(void **state)
{
	char	 buf[2 * 40 + 1];

	(void)state;
	assert_int_equal(valid_meta_key(repeat(buf, "k", 40)), 0);
	assert_int_equal(valid_meta_key(repeat(buf, "\xC3\xA9", 40)), 0);
}

static void
metadata_key_rejects_41_chars(void **state)
{
	char	 buf[2 * 41 + 1];

	(void)state;
	assert_int_equal(valid_meta_key(repeat(buf, "k", 41)), -1);
	assert_int_equal(valid_meta_key(repeat(buf, "\xC3\xA9", 41)), -1);
}

static void
metadata_key_rejects_empty(void **state)
{
	(void)state;
	assert_int_equal(valid_meta_key(""), -1);
}

static void
metadata_key_rejects_brackets(void **state)
{
	(void)state;
	assert_int_equal(valid_meta_key("plan[tier]"), -1);
	assert_int_equal(valid_meta_key("["), -1);
	assert_int_equal(valid_meta_key("]"), -1);
}

static void
metadata_key_rejects_control_chars(void **state)
{
	(void)state;
	assert_int_equal(valid_meta_key("plan\n"), -1);
	assert_int_equal(valid_meta_key("a\tb"), -1);
	assert_int_equal(valid_meta_key("a\xC2\x85" "b"), -1);
}

static void
metadata_key_rejects_invalid_utf8(void **state)
{
	(void)state;
	assert_int_equal(valid_meta_key("pl\xE9n"), -1);
}

static void
metadata_key_accepts_punctuation_and_spaces(void **state)
{
	(void)state;
	assert_int_equal(valid_meta_key("order id"), 0);
	assert_int_equal(valid_meta_key("crm.contact-id_2"), 0);
}

static void
metadata_value_accepts_500_chars(void **state)
{
	char	 buf[3 * 500 + 1];

	(void)state;
	assert_int_equal(valid_meta_value(repeat(buf, "v", 500)), 0);
	assert_int_equal(valid_meta_value(repeat(buf, "\xE2\x82\xAC", 500)),
	    0);
}

static void
metadata_value_rejects_501_chars(void **state)
{
	char	 buf[3 * 501 + 1];

	(void)state;
	assert_int_equal(valid_meta_value(repeat(buf, "v", 501)), -1);
	assert_int_equal(valid_meta_value(repeat(buf, "\xE2\x82\xAC", 501)),
	    -1);
}

static void
metadata_value_accepts_empty(void **state)
{
	(void)state;
	assert_int_equal(valid_meta_value(""), 0);
}

static void
metadata_value_accepts_newlines_and_brackets(void **state)
{
	(void)state;
	assert_int_equal(valid_meta_value("line one\nline [two]"), 0);
}

static void
metadata_value_rejects_invalid_utf8(void **state)
{
	(void)state;
	assert_int_equal(valid_meta_value("caf\xE9"), -1);
	assert_int_equal(valid_meta_value("\xC0\xAF"), -1);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(utf8_accepts_ascii),
		cmocka_unit_test(utf8_accepts_empty),
		cmocka_unit_test(utf8_accepts_multibyte),
		cmocka_unit_test(utf8_accepts_range_boundaries),
		cmocka_unit_test(utf8_rejects_overlong_slash),
		cmocka_unit_test(utf8_rejects_overlong_nul),
		cmocka_unit_test(utf8_rejects_overlong_at_each_length_boundary),
		cmocka_unit_test(utf8_rejects_surrogates),
		cmocka_unit_test(utf8_rejects_above_10ffff),
		cmocka_unit_test(utf8_rejects_truncated_sequence),
		cmocka_unit_test(utf8_rejects_lone_continuation_byte),
		cmocka_unit_test(utf8_rejects_bad_continuation_byte),
		cmocka_unit_test(utf8_rejects_nul_byte),
		cmocka_unit_test(utf8_chars_counts_code_points),
		cmocka_unit_test(trim_strips_both_ends),
		cmocka_unit_test(trim_returns_same_pointer),
		cmocka_unit_test(trim_all_space_gives_empty),
		cmocka_unit_test(trim_keeps_inner_space_and_non_ascii_space),
		cmocka_unit_test(text_accepts_unicode_name),
		cmocka_unit_test(text_rejects_empty),
		cmocka_unit_test(text_counts_characters_not_bytes),
		cmocka_unit_test(text_rejects_one_over_max),
		cmocka_unit_test(text_rejects_tab_and_newline),
		cmocka_unit_test(text_rejects_del),
		cmocka_unit_test(text_rejects_c1_controls),
		cmocka_unit_test(text_rejects_invalid_utf8),
		cmocka_unit_test(email_accepts_plain_address),
		cmocka_unit_test(email_accepts_plus_tag_and_subdomains),
		cmocka_unit_test(email_accepts_every_atext_character),
		cmocka_unit_test(email_rejects_double_dot),
		cmocka_unit_test(email_rejects_leading_or_trailing_dot),
		cmocka_unit_test(email_rejects_missing_or_second_at),
		cmocka_unit_test(email_rejects_empty_parts),
		cmocka_unit_test(email_rejects_single_label_domain),
		cmocka_unit_test(email_rejects_numeric_tld_and_ip_literal),
		cmocka_unit_test(email_rejects_hyphen_at_label_edge),
		cmocka_unit_test(email_rejects_non_ldh_domain),
		cmocka_unit_test(email_rejects_whitespace_and_controls),
		cmocka_unit_test(email_rejects_quoted_local_part),
		cmocka_unit_test(email_rejects_non_ascii),
		cmocka_unit_test(email_rejects_local_part_over_64),
		cmocka_unit_test(email_rejects_label_over_63),
		cmocka_unit_test(email_rejects_over_254_bytes),
		cmocka_unit_test(phone_accepts_e164),
		cmocka_unit_test(phone_strips_dashes_and_parens),
		cmocka_unit_test(phone_strips_dots),
		cmocka_unit_test(phone_accepts_8_and_15_digits),
		cmocka_unit_test(phone_rejects_7_digits),
		cmocka_unit_test(phone_rejects_16_digits),
		cmocka_unit_test(phone_rejects_missing_plus),
		cmocka_unit_test(phone_rejects_leading_zero),
		cmocka_unit_test(phone_rejects_second_plus),
		cmocka_unit_test(phone_rejects_letters),
		cmocka_unit_test(phone_rejects_other_separators),
		cmocka_unit_test(phone_rejects_small_output_buffer),
		cmocka_unit_test(currency_accepts_uppercase_and_lowercases),
		cmocka_unit_test(currency_accepts_lowercase_and_mixed_case),
		cmocka_unit_test(currency_accepts_common_codes),
		cmocka_unit_test(currency_accepts_first_last_and_recent_codes),
		cmocka_unit_test(currency_table_is_sorted_and_complete),
		cmocka_unit_test(currency_rejects_unknown_code),
		cmocka_unit_test(currency_rejects_test_codes),
		cmocka_unit_test(currency_rejects_withdrawn_codes),
		cmocka_unit_test(currency_rejects_wrong_length),
		cmocka_unit_test(currency_rejects_non_letters),
		cmocka_unit_test(currency_leaves_out_untouched_on_failure),
		cmocka_unit_test(card_number_found_plain),
		cmocka_unit_test(card_number_found_amex_15_digits),
		cmocka_unit_test(card_number_found_13_and_19_digits),
		cmocka_unit_test(card_number_found_with_spaces),
		cmocka_unit_test(card_number_found_with_dashes),
		cmocka_unit_test(card_number_found_inside_text),
		cmocka_unit_test(card_number_found_inside_longer_run),
		cmocka_unit_test(card_number_found_with_expiry_appended),
		cmocka_unit_test(card_number_ignores_non_luhn),
		cmocka_unit_test(card_number_ignores_runs_under_13_digits),
		cmocka_unit_test(card_number_ignores_double_separator),
		cmocka_unit_test(card_number_ignores_other_separators),
		cmocka_unit_test(card_number_ignores_text_without_digits),
		cmocka_unit_test(card_number_ignores_long_run_of_non_luhn),
		cmocka_unit_test(card_number_matches_slow_reference),
		cmocka_unit_test(metadata_key_accepts_40_chars),
		cmocka_unit_test(metadata_key_rejects_41_chars),
		cmocka_unit_test(metadata_key_rejects_empty),
		cmocka_unit_test(metadata_key_rejects_brackets),
		cmocka_unit_test(metadata_key_rejects_control_chars),
		cmocka_unit_test(metadata_key_rejects_invalid_utf8),
		cmocka_unit_test(metadata_key_accepts_punctuation_and_spaces),
		cmocka_unit_test(metadata_value_accepts_500_chars),
		cmocka_unit_test(metadata_value_rejects_501_chars),
		cmocka_unit_test(metadata_value_accepts_empty),
		cmocka_unit_test(metadata_value_accepts_newlines_and_brackets),
		cmocka_unit_test(metadata_value_rejects_invalid_utf8),
	};

	return cmocka_run_group_tests_name("valid", tests, NULL, NULL);
}
