/* The event type table: every type has a name, and names parse back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "events.h"

static void
every_type_has_a_distinct_dotted_name(void **state)
{
	enum event_type	 t, u;

	(void)state;
	for (t = 0; t < EVT__MAX; t++) {
		assert_non_null(events_type_name(t));
		assert_non_null(strchr(events_type_name(t), '.'));
		for (u = 0; u < t; u++)
			assert_string_not_equal(events_type_name(t),
			    events_type_name(u));
	}
}

static void
every_name_parses_back_to_its_type(void **state)
{
	enum event_type	 t;

	(void)state;
	for (t = 0; t < EVT__MAX; t++)
		assert_int_equal(events_type_parse(events_type_name(t)), t);
	assert_string_equal(events_type_name(EVT_PAYMENT_FAILED),
	    "payment.failed");
}

static void
unknown_names_parse_to_max(void **state)
{
	(void)state;
	assert_int_equal(events_type_parse("customer.created "), EVT__MAX);
	assert_int_equal(events_type_parse("Customer.Created"), EVT__MAX);
	assert_int_equal(events_type_parse("*"), EVT__MAX);
	assert_int_equal(events_type_parse(""), EVT__MAX);
	assert_null(events_type_name(EVT__MAX));
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(every_type_has_a_distinct_dotted_name),
		cmocka_unit_test(every_name_parses_back_to_its_type),
		cmocka_unit_test(unknown_names_parse_to_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
