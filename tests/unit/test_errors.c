/* api_error_unanswered: the safety net after a handler. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "errors.h"
#include "http.h"

/* A request as a handler leaves it: "status", and a body or none. */
static void
request(struct req *r, int status, struct json_object *reply)
{
	memset(r, 0, sizeof(*r));
	r->method = strdup("POST");
	r->path = strdup("/v1/webhook_endpoints");
	snprintf(r->request_id, sizeof(r->request_id), "req_test");
	r->status = status;
	r->reply = reply;
}

static const char *
code_of(struct req *r)
{
	struct json_object	*err, *code;

	assert_true(json_object_object_get_ex(r->reply, "error", &err));
	assert_true(json_object_object_get_ex(err, "code", &code));
	return json_object_get_string(code);
}

static void
a_500_without_a_body_becomes_internal_error(void **state)
{
	struct req	 r;

	(void)state;
	request(&r, 500, NULL);
	assert_int_equal(api_error_unanswered(&r), -1);
	assert_int_equal(r.status, 500);
	assert_string_equal(code_of(&r), "internal_error");
	req_free(&r);
}

static void
a_500_with_its_error_is_kept(void **state)
{
	struct req	 r;

	(void)state;
	request(&r, 200, NULL);
	api_error(&r, ERR_UNAVAILABLE, NULL, NULL);
	assert_int_equal(api_error_unanswered(&r), 0);
	assert_int_equal(r.status, 503);
	assert_string_equal(code_of(&r), "service_unavailable");
	req_free(&r);
}

static void
an_answer_below_500_is_kept_bodiless(void **state)
{
	struct req	 r;

	(void)state;
	request(&r, 204, NULL);
	assert_int_equal(api_error_unanswered(&r), 0);
	assert_int_equal(r.status, 204);
	assert_null(r.reply);
	req_free(&r);
	request(&r, 200, json_object_new_object());
	assert_int_equal(api_error_unanswered(&r), 0);
	assert_int_equal(json_object_object_length(r.reply), 0);
	req_free(&r);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(a_500_without_a_body_becomes_internal_error),
		cmocka_unit_test(a_500_with_its_error_is_kept),
		cmocka_unit_test(an_answer_below_500_is_kept_bodiless),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
