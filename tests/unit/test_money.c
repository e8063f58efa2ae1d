/* money_average: half away from zero, exact in integers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "money.h"

static void
average_of_exact_division_is_exact(void **state)
{
	(void)state;
	assert_int_equal(money_average(7500, 3), 2500);
}

static void
average_rounds_half_up_for_positive(void **state)
{
	(void)state;
	assert_int_equal(money_average(2001, 2), 1001);	/* 1000.5 */
	assert_int_equal(money_average(3001, 3), 1000);	/* 1000.33 */
	assert_int_equal(money_average(3002, 3), 1001);	/* 1000.67 */
}

static void
average_rounds_half_away_from_zero_for_negative(void **state)
{
	(void)state;
	assert_int_equal(money_average(-2001, 2), -1001);
	assert_int_equal(money_average(-3001, 3), -1000);
}

static void
average_of_nothing_is_zero(void **state)
{
	(void)state;
	assert_int_equal(money_average(500, 0), 0);
	assert_int_equal(money_average(500, -1), 0);
}

static void
average_does_not_overflow_near_int64_max(void **state)
{
	(void)state;
	assert_int_equal(money_average(INT64_MAX, 2), INT64_MAX / 2 + 1);
	assert_int_equal(money_average(INT64_MAX, 1), INT64_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(average_of_exact_division_is_exact),
		cmocka_unit_test(average_rounds_half_up_for_positive),
		cmocka_unit_test(average_rounds_half_away_from_zero_for_negative),
		cmocka_unit_test(average_of_nothing_is_zero),
		cmocka_unit_test(average_does_not_overflow_near_int64_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
