/*
 * Unit tests for fcgi/ids.c (API.md "Customers": ids are a prefix and 16
 * characters of [0-9A-Za-z]). One behaviour per test, named for it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ids.h"

static const char	 alphabet[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static int
is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z');
}

static void
new_id_is_prefix_and_16_alnum(void **state)
{
	char	 id[IDS_MAX];
	size_t	 i;

	(void)state;
	assert_int_equal(ids_new("cus_", id, sizeof(id)), 0);
	assert_int_equal(strlen(id), 4 + IDS_RANDOM_LEN);
	assert_memory_equal(id, "cus_", 4);
	for (i = 4; id[i] != '\0'; i++)
		if (!is_alnum(id[i]))
			fail_msg("\"%s\": byte %zu is not [0-9A-Za-z]", id, i);
}

static void
new_id_passes_valid(void **state)
{
	char	 id[IDS_MAX];
	int	 i;

	(void)state;
	for (i = 0; i < 100; i++) {
		assert_int_equal(ids_new("req_", id, sizeof(id)), 0);
		assert_int_equal(ids_valid(id, "req_"), 0);
	}
}

static void
new_id_with_empty_prefix(void **state)
{
	char	 id[IDS_RANDOM_LEN + 1];

	(void)state;
	assert_int_equal(ids_new("", id, sizeof(id)), 0);
	assert_int_equal(strlen(id), IDS_RANDOM_LEN);
	assert_int_equal(ids_valid(id, ""), 0);
}

static void
two_new_ids_differ(void **state)
{
	char	 a[IDS_MAX], b[IDS_MAX];

	(void)state;
	assert_int_equal(ids_new("cus_", a, sizeof(a)), 0);
	assert_int_equal(ids_new("cus_", b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
}

static void
new_id_fits_exact_buffer(void **state)
{
	char	 id[4 + IDS_RANDOM_LEN + 1];

	(void)state;
	assert_int_equal(ids_new("cus_", id, sizeof(id)), 0);
	assert_int_equal(strlen(id), sizeof(id) - 1);
}

static void
new_id_refuses_buffer_one_short(void **state)
{
	char	 id[4 + IDS_RANDOM_LEN + 1];

	(void)state;
	memset(id, 'Z', sizeof(id));
	assert_int_equal(ids_new("cus_", id, sizeof(id) - 1), -1);
	/* Nothing written past the size it was given. */
	assert_int_equal(id[sizeof(id) - 1], 'Z');
}

static void
new_id_refuses_tiny_buffer(void **state)
{
	char	 id[4];

	(void)state;
	assert_int_equal(ids_new("cus_", id, sizeof(id)), -1);
	assert_int_equal(ids_new("", id, 0), -1);
}

static void
new_id_longest_prefix_fits_ids_max(void **state)
{
	char	 id[IDS_MAX];
	char	 prefix[IDS_MAX - IDS_RANDOM_LEN];

	(void)state;
	memset(prefix, 'p', sizeof(prefix) - 1);
	prefix[sizeof(prefix) - 1] = '\0';
	assert_int_equal(ids_new(prefix, id, sizeof(id)), 0);
	assert_int_equal(strlen(id), IDS_MAX - 1);
}

static void
random_fills_exactly_len(void **state)
{
	char	 buf[40];
	size_t	 i;

	(void)state;
	memset(buf, '#', sizeof(buf));
	assert_int_equal(ids_random(buf, 33), 0);
	for (i = 0; i < 33; i++)
		assert_true(is_alnum(buf[i]));
	for (; i < sizeof(buf); i++)
		assert_int_equal(buf[i], '#');
}

static void
random_of_zero_len_writes_nothing(void **state)
{
	char	 buf[1] = { '#' };

	(void)state;
	assert_int_equal(ids_random(buf, 0), 0);
	assert_int_equal(buf[0], '#');
}

static void
random_characters_roughly_uniform(void **state)
{
	static char	 buf[62 * 1000];
	size_t		 counts[256] = { 0 }, i;
	const char	*a;

	(void)state;
	assert_int_equal(ids_random(buf, sizeof(buf)), 0);
	for (i = 0; i < sizeof(buf); i++)
		counts[(unsigned char)buf[i]]++;
	/* Expected 1000 each, standard deviation about 31: [800, 1200] is
	 * over six deviations either side. A bias such as "byte % 62"
	 * without rejection (0-7 at 5/4 of the rest, about 1211 each) would
	 * almost surely push one of 0-7 past it. */
	for (a = alphabet; *a != '\0'; a++) {
		if (counts[(unsigned char)*a] < 800 ||
		    counts[(unsigned char)*a] > 1200)
			fail_msg("'%c' appeared %zu times in %zu", *a,
			    counts[(unsigned char)*a], sizeof(buf));
		counts[(unsigned char)*a] = 0;
	}
	for (i = 0; i < 256; i++)
		assert_int_equal(counts[i], 0);
}

static void
valid_accepts_well_formed_id(void **state)
{
	(void)state;
	assert_int_equal(ids_valid("cus_0123456789ABCdef", "cus_"), 0);
	assert_int_equal(ids_valid("cus_zzzzzzzzzzzzzzzz", "cus_"), 0);
	assert_int_equal(ids_valid("acct_AAAAAAAAAAAAAAAA", "acct_"), 0);
}

static void
valid_refuses_wrong_prefix(void **state)
{
	(void)state;
	assert_int_equal(ids_valid("pm_0123456789ABCdef", "cus_"), -1);
	assert_int_equal(ids_valid("cus0123456789ABCdef", "cus_"), -1);
	assert_int_equal(ids_valid("CUS_0123456789ABCdef", "cus_"), -1);
	assert_int_equal(ids_valid("xcus_0123456789ABCde", "cus_"), -1);
}

static void
valid_refuses_15_chars(void **state)
{
	(void)state;
	assert_int_equal(ids_valid("cus_0123456789ABCde", "cus_"), -1);
}

static void
valid_refuses_17_chars(void **state)
{
	(void)state;
	assert_int_equal(ids_valid("cus_0123456789ABCdefg", "cus_"), -1);
}

static void
valid_refuses_prefix_alone_and_empty(void **state)
{
	(void)state;
	assert_int_equal(ids_valid("cus_", "cus_"), -1);
	assert_int_equal(ids_valid("", "cus_"), -1);
}

static void
valid_refuses_dash_inside(void **state)
{
	(void)state;
	assert_int_equal(ids_valid("cus_0123456-89ABCdef", "cus_"), -1);
}

static void
valid_refuses_other_non_alnum(void **state)
{
	(void)state;
	assert_int_equal(ids_valid("cus_0123456_89ABCdef", "cus_"), -1);
	assert_int_equal(ids_valid("cus_0123456 89ABCdef", "cus_"), -1);
	assert_int_equal(ids_valid("cus_0123456%89ABCdef", "cus_"), -1);
	assert_int_equal(ids_valid("cus_0123456.89ABCdef", "cus_"), -1);
	assert_int_equal(ids_valid("cus_0123456/89ABCdef", "cus_"), -1);
	assert_int_equal(ids_valid("cus_0123456\n89ABCdef", "cus_"), -1);
}

static void
valid_refuses_non_ascii(void **state)
{
	(void)state;
	/* 16 bytes, but "é" is not in the alphabet. */
	assert_int_equal(ids_valid("cus_0123456789ABCd\xC3\xA9", "cus_"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_id_is_prefix_and_16_alnum),
		cmocka_unit_test(new_id_passes_valid),
		cmocka_unit_test(new_id_with_empty_prefix),
		cmocka_unit_test(two_new_ids_differ),
		cmocka_unit_test(new_id_fits_exact_buffer),
		cmocka_unit_test(new_id_refuses_buffer_one_short),
		cmocka_unit_test(new_id_refuses_tiny_buffer),
		cmocka_unit_test(new_id_longest_prefix_fits_ids_max),
		cmocka_unit_test(random_fills_exactly_len),
		cmocka_unit_test(random_of_zero_len_writes_nothing),
		cmocka_unit_test(random_characters_roughly_uniform),
		cmocka_unit_test(valid_accepts_well_formed_id),
		cmocka_unit_test(valid_refuses_wrong_prefix),
		cmocka_unit_test(valid_refuses_15_chars),
		cmocka_unit_test(valid_refuses_17_chars),
		cmocka_unit_test(valid_refuses_prefix_alone_and_empty),
		cmocka_unit_test(valid_refuses_dash_inside),
		cmocka_unit_test(valid_refuses_other_non_alnum),
		cmocka_unit_test(valid_refuses_non_ascii),
	};

	return cmocka_run_group_tests_name("ids", tests, NULL, NULL);
}
