/* Billing periods: month ends, leap years, anchors kept. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "period.h"

/* Unix time of a UTC date at 10:30:00. */
static int64_t
utc(int y, int m, int d)
{
	struct tm	 tm = { 0 };

	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 10;
	tm.tm_min = 30;
	return (int64_t)timegm(&tm);
}

static void
month_from_jan_31_is_last_day_of_february(void **state)
{
	(void)state;
	assert_int_equal(period_end(utc(2025, 1, 31), PERIOD_MONTH, 1, 1),
	    utc(2025, 2, 28));
}

static void
month_from_jan_31_in_leap_year_is_feb_29(void **state)
{
	(void)state;
	assert_int_equal(period_end(utc(2024, 1, 31), PERIOD_MONTH, 1, 1),
	    utc(2024, 2, 29));
}

static void
anchor_day_comes_back_after_a_short_month(void **state)
{
	(void)state;
	assert_int_equal(period_end(utc(2025, 1, 31), PERIOD_MONTH, 1, 2),
	    utc(2025, 3, 31));
	assert_int_equal(period_end(utc(2025, 1, 31), PERIOD_MONTH, 1, 3),
	    utc(2025, 4, 30));
}

static void
thirteen_monthly_periods_cross_the_year(void **state)
{
	static const int day[13] = { 29, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31, 31, 28 };
	int	 n;

	(void)state;
	/* Anchored on 31 January 2024: every month's end, then 2025. */
	for (n = 1; n <= 13; n++)
		assert_int_equal(period_end(utc(2024, 1, 31), PERIOD_MONTH, 1, n),
		    utc(2024 + (n >= 12), (n % 12) + 1, day[n - 1]));
}

static void
year_from_feb_29_is_feb_28_then_feb_29_again(void **state)
{
	(void)state;
	assert_int_equal(period_end(utc(2024, 2, 29), PERIOD_YEAR, 1, 1),
	    utc(2025, 2, 28));
	assert_int_equal(period_end(utc(2024, 2, 29), PERIOD_YEAR, 1, 4),
	    utc(2028, 2, 29));
}

static void
century_years_are_not_leap_unless_divisible_by_400(void **state)
{
	(void)state;
	assert_int_equal(period_end(utc(2096, 2, 29), PERIOD_YEAR, 4, 1),
	    utc(2100, 2, 28));
	assert_int_equal(period_end(utc(1996, 2, 29), PERIOD_YEAR, 4, 1),
	    utc(2000, 2, 29));
}

static void
interval_count_multiplies(void **state)
{
	(void)state;
	assert_int_equal(period_end(utc(2025, 1, 15), PERIOD_MONTH, 3, 2),
	    utc(2025, 7, 15));
	assert_int_equal(period_end(utc(2025, 1, 1), PERIOD_WEEK, 2, 1),
	    utc(2025, 1, 15));
	assert_int_equal(period_end(utc(2025, 2, 28), PERIOD_DAY, 1, 1),
	    utc(2025, 3, 1));
}

static void
bad_count_or_index_is_refused(void **state)
{
	(void)state;
	assert_int_equal(period_end(utc(2025, 1, 1), PERIOD_MONTH, 0, 1), -1);
	assert_int_equal(period_end(utc(2025, 1, 1), PERIOD_MONTH, 1, -1), -1);
}

static void
interval_names_parse_and_print(void **state)
{
	enum period_interval	 iv;

	(void)state;
	assert_int_equal(period_interval_parse("month", &iv), 0);
	assert_int_equal(iv, PERIOD_MONTH);
	assert_string_equal(period_interval_name(PERIOD_YEAR), "year");
	assert_int_equal(period_interval_parse("Month", &iv), -1);
	assert_int_equal(period_interval_parse("fortnight", &iv), -1);
}

static void
day_start_is_the_utc_midnight_before_even_negative_times(void **state)
{
	(void)state;
	/* utc() is 10:30 on the day. */
	assert_int_equal(period_day_start(utc(2025, 3, 9)),
	    utc(2025, 3, 9) - (10 * 3600 + 30 * 60));
	assert_int_equal(period_day_start(86400), 86400);
	assert_int_equal(period_day_start(86399), 0);
	assert_int_equal(period_day_start(-1), -86400);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(month_from_jan_31_is_last_day_of_february),
		cmocka_unit_test(month_from_jan_31_in_leap_year_is_feb_29),
		cmocka_unit_test(anchor_day_comes_back_after_a_short_month),
		cmocka_unit_test(thirteen_monthly_periods_cross_the_year),
		cmocka_unit_test(year_from_feb_29_is_feb_28_then_feb_29_again),
		cmocka_unit_test(century_years_are_not_leap_unless_divisible_by_400),
		cmocka_unit_test(interval_count_multiplies),
		cmocka_unit_test(bad_count_or_index_is_refused),
		cmocka_unit_test(interval_names_parse_and_print),
		cmocka_unit_test(
		    day_start_is_the_utc_midnight_before_even_negative_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
