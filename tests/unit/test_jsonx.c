/* jsonx_raw and jsonx_parse_object: stored JSON text in an answer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "jsonx.h"

/* The compact text of {"id": "evt_1", "data": <raw>}. */
static void
assert_wrapped(const char *raw, const char *want)
{
	struct json_object	*o = json_object_new_object();

	jsonx_add_str(o, "id", "evt_1");
	assert_int_equal(jsonx_add(o, "data", jsonx_raw(raw)), 0);
	assert_string_equal(jsonx_text(o), want);
	json_object_put(o);
}

static void
raw_text_is_written_out_as_it_is(void **state)
{
	(void)state;
	assert_wrapped("{\"object\":{\"id\":\"cust_1\",\"name\":\"A \\\"B\\\"\"}}",
	    "{\"id\":\"evt_1\",\"data\":{\"object\":{\"id\":\"cust_1\","
	    "\"name\":\"A \\\"B\\\"\"}}}");
}

static void
raw_null_is_an_empty_object(void **state)
{
	(void)state;
	assert_wrapped(NULL, "{\"id\":\"evt_1\",\"data\":{}}");
}

static void
raw_keeps_a_copy_of_the_text(void **state)
{
	struct json_object	*o = json_object_new_object();
	char			 text[] = "{\"a\":1}";

	(void)state;
	jsonx_add(o, "data", jsonx_raw(text));
	text[2] = 'b';	/* the row buffer is reused after the call */
	assert_string_equal(jsonx_text(o), "{\"data\":{\"a\":1}}");
	json_object_put(o);
}

static void
empty_metadata_parses_to_an_empty_object(void **state)
{
	struct json_object	*o;

	(void)state;
	o = jsonx_parse_object("{}");
	assert_non_null(o);
	assert_true(json_object_is_type(o, json_type_object));
	assert_int_equal(json_object_object_length(o), 0);
	json_object_put(o);
	o = jsonx_parse_object("{\"k\":\"v\"}");
	assert_int_equal(json_object_object_length(o), 1);
	json_object_put(o);
	assert_null(jsonx_parse_object("[1]"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(raw_text_is_written_out_as_it_is),
		cmocka_unit_test(raw_null_is_an_empty_object),
		cmocka_unit_test(raw_keeps_a_copy_of_the_text),
		cmocka_unit_test(empty_metadata_parses_to_an_empty_object),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
