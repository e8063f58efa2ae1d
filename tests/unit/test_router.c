/*
 * Unit tests for fcgi/router.c: router_match() over a small table shaped
 * like the real one in routes.c (literal paths before patterns, ids as
 * "([^/]{1,64})"). One behaviour per test, named for it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "params.h"
#include "router.h"

#define ID	"([^/]{1,64})"

static void	list(struct req *r) { (void)r; }
static void	create(struct req *r) { (void)r; }
static void	search(struct req *r) { (void)r; }
static void	get(struct req *r) { (void)r; }
static void	update(struct req *r) { (void)r; }
static void	del(struct req *r) { (void)r; }
static void	detach(struct req *r) { (void)r; }
static void	health(struct req *r) { (void)r; }

enum {
	R_HEALTH,
	R_CUSTOMERS,
	R_SEARCH,
	R_CUSTOMER,
	R_METHOD,
	R__MAX
};

static const struct route routes[] = {
	{ "/healthz", 1, {					/* R_HEALTH */
	    { "GET", health, NULL, NO_PARAMS } } },
	{ "/v1/customers", 0, {				/* R_CUSTOMERS */
	    { "GET", list, "customers:read", NO_PARAMS },
	    { "POST", create, "customers:write", NO_PARAMS } } },
	{ "/v1/customers/search", 0, {			/* R_SEARCH */
	    { "GET", search, "customers:read", NO_PARAMS } } },
	{ "/v1/customers/" ID, 0, {			/* R_CUSTOMER */
	    { "GET", get, "customers:read", NO_PARAMS },
	    { "POST", update, "customers:write", NO_PARAMS },
	    { "PUT", update, "customers:write", NO_PARAMS },
	    { "DELETE", del, "customers:write", NO_PARAMS } } },
	{ "/v1/customers/" ID "/payment_methods/" ID, 0, {	/* R_METHOD */
	    { "DELETE", detach, "customers:write", NO_PARAMS } } },
};

/* The table with the pattern before the literal it would also take. */
static const struct route misordered[] = {
	{ "/v1/customers/" ID, 0, { { "GET", get, NULL, NO_PARAMS } } },
	{ "/v1/customers/search", 0, { { "GET", search, NULL, NO_PARAMS } } },
};

static int
setup(void **state)
{
	*state = router_new(routes, R__MAX);
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	router_free(*state);
	return 0;
}

/* Matches "path"/"method", which must give "want". */
static void
match(void **state, const char *path, const char *method,
    enum router_result want, struct router_match *m)
{
	enum router_result	 got;

	memset(m, 0xA5, sizeof(*m));	/* router_match must reset it */
	got = router_match(*state, path, method, m);
	if (got != want)
		fail_msg("%s %s: result %d, want %d", method, path, (int)got,
		    (int)want);
}

/* Capture "i" of "m" must be "want", taken from "path". */
static void
capture_is(const char *path, const struct router_match *m, size_t i,
    const char *want)
{
	assert_true(i < m->ncaptures);
	assert_true(m->capture_off[i] + m->capture_len[i] <= strlen(path));
	if (m->capture_len[i] != strlen(want) ||
	    memcmp(path + m->capture_off[i], want, strlen(want)) != 0)
		fail_msg("%s: capture %zu is \"%.*s\", want \"%s\"", path, i,
		    (int)m->capture_len[i], path + m->capture_off[i], want);
}

/* Fills buf with "/v1/customers/" and "n" copies of 'x'. */
static char *
long_id_path(char *buf, size_t n)
{
	size_t	 plen = strlen("/v1/customers/");

	memcpy(buf, "/v1/customers/", plen);
	memset(buf + plen, 'x', n);
	buf[plen + n] = '\0';
	return buf;
}

static void
literal_path_found(void **state)
{
	struct router_match	 m;

	match(state, "/v1/customers", "POST", ROUTER_FOUND, &m);
	assert_ptr_equal(m.route, &routes[R_CUSTOMERS]);
	assert_ptr_equal(m.method, &routes[R_CUSTOMERS].methods[1]);
	assert_ptr_equal(m.method->handler, create);
	assert_string_equal(m.method->permission, "customers:write");
	assert_int_equal(m.ncaptures, 0);
}

static void
public_route_found(void **state)
{
	struct router_match	 m;

	match(state, "/healthz", "GET", ROUTER_FOUND, &m);
	assert_ptr_equal(m.route, &routes[R_HEALTH]);
	assert_int_equal(m.route->public, 1);
	assert_null(m.method->permission);
}

static void
literal_path_wins_when_listed_before_pattern(void **state)
{
	struct router_match	 m;

	match(state, "/v1/customers/search", "GET", ROUTER_FOUND, &m);
	assert_ptr_equal(m.route, &routes[R_SEARCH]);
	assert_ptr_equal(m.method->handler, search);
	assert_int_equal(m.ncaptures, 0);
}

static void
literal_path_wrong_method_is_405_not_pattern(void **state)
{
	struct router_match	 m;

	/* The literal route takes the path even if the pattern route has
	 * the method: POST /v1/customers/search is 405, not an update. */
	match(state, "/v1/customers/search", "POST", ROUTER_BAD_METHOD, &m);
	assert_ptr_equal(m.route, &routes[R_SEARCH]);
	assert_string_equal(m.allow, "GET");
}

static void
table_order_decides_pattern_or_literal(void **state)
{
	struct router		*rt = router_new(misordered, 2);
	struct router_match	 m;

	(void)state;
	assert_non_null(rt);
	assert_int_equal(router_match(rt, "/v1/customers/search", "GET", &m),
	    ROUTER_FOUND);
	assert_ptr_equal(m.route, &misordered[0]);
	assert_int_equal(m.ncaptures, 1);
	router_free(rt);
}

static void
pattern_capture_offset_and_length(void **state)
{
	const char		*path = "/v1/customers/cus_ABCdef0123456789";
	struct router_match	 m;

	match(state, path, "GET", ROUTER_FOUND, &m);
	assert_ptr_equal(m.route, &routes[R_CUSTOMER]);
	assert_ptr_equal(m.method->handler, get);
	assert_int_equal(m.ncaptures, 1);
	assert_int_equal(m.capture_off[0], strlen("/v1/customers/"));
	assert_int_equal(m.capture_len[0], strlen("cus_ABCdef0123456789"));
	capture_is(path, &m, 0, "cus_ABCdef0123456789");
}

static void
pattern_two_captures(void **state)
{
	const char		*path =
	    "/v1/customers/cus_1/payment_methods/pm_22";
	struct router_match	 m;

	match(state, path, "DELETE", ROUTER_FOUND, &m);
	assert_ptr_equal(m.route, &routes[R_METHOD]);
	assert_ptr_equal(m.method->handler, detach);
	assert_int_equal(m.ncaptures, 2);
	assert_int_equal(m.capture_off[0], 14);
	assert_int_equal(m.capture_len[0], 5);
	assert_int_equal(m.capture_off[1], 36);
	assert_int_equal(m.capture_len[1], 5);
	capture_is(path, &m, 0, "cus_1");
	capture_is(path, &m, 1, "pm_22");
}

static void
each_method_of_a_route_found(void **state)
{
	static const char	*methods[] = {
	    "GET", "POST", "PUT", "DELETE" };
	struct router_match	 m;
	size_t			 i;

	for (i = 0; i < 4; i++) {
		match(state, "/v1/customers/cus_1", methods[i], ROUTER_FOUND,
		    &m);
		assert_ptr_equal(m.method, &routes[R_CUSTOMER].methods[i]);
	}
}

static void
unknown_path_is_404(void **state)
{
	struct router_match	 m;

	match(state, "/v1/invoices", "GET", ROUTER_NOT_FOUND, &m);
	assert_null(m.route);
	assert_null(m.method);
	assert_int_equal(m.ncaptures, 0);
	assert_string_equal(m.allow, "");
}

static void
empty_and_root_paths_are_404(void **state)
{
	struct router_match	 m;

	match(state, "", "GET", ROUTER_NOT_FOUND, &m);
	match(state, "/", "GET", ROUTER_NOT_FOUND, &m);
	match(state, "/v1", "GET", ROUTER_NOT_FOUND, &m);
}

static void
wrong_method_is_405_with_allow_list(void **state)
{
	struct router_match	 m;

	match(state, "/v1/customers", "DELETE", ROUTER_BAD_METHOD, &m);
	assert_ptr_equal(m.route, &routes[R_CUSTOMERS]);
	assert_null(m.method);
	assert_string_equal(m.allow, "GET, POST");
}

static void
wrong_method_allow_list_of_four(void **state)
{
	struct router_match	 m;

	match(state, "/v1/customers/cus_1", "PATCH", ROUTER_BAD_METHOD, &m);
	assert_string_equal(m.allow, "GET, POST, PUT, DELETE");
	/* The captures are still reported with a 405. */
	assert_int_equal(m.ncaptures, 1);
}

static void
method_is_case_sensitive(void **state)
{
	struct router_match	 m;

	match(state, "/v1/customers", "get", ROUTER_BAD_METHOD, &m);
	assert_string_equal(m.allow, "GET, POST");
}

static void
trailing_slash_does_not_match(void **state)
{
	struct router_match	 m;

	match(state, "/v1/customers/", "GET", ROUTER_NOT_FOUND, &m);
	match(state, "/healthz/", "GET", ROUTER_NOT_FOUND, &m);
	match(state, "/v1/customers/cus_1/", "GET", ROUTER_NOT_FOUND, &m);
	match(state, "/v1/customers/search/", "GET", ROUTER_NOT_FOUND, &m);
}

static void
extra_segment_does_not_match(void **state)
{
	struct router_match	 m;

	match(state, "/v1/customers/cus_1/extra", "GET", ROUTER_NOT_FOUND,
	    &m);
	match(state, "/v1/customers/cus_1/payment_methods/pm_1/x", "DELETE",
	    ROUTER_NOT_FOUND, &m);
	match(state, "/v1/customers/cus_1/payment_methods", "DELETE",
	    ROUTER_NOT_FOUND, &m);
}

static void
pattern_must_match_whole_path(void **state)
{
	struct router_match	 m;

	match(state, "/x/v1/customers", "GET", ROUTER_NOT_FOUND, &m);
	match(state, "/v1/customersX", "GET", ROUTER_NOT_FOUND, &m);
	match(state, "/healthzz", "GET", ROUTER_NOT_FOUND, &m);
	match(state, "//healthz", "GET", ROUTER_NOT_FOUND, &m);
}

static void
trailing_newline_does_not_match_literal(void **state)
{
	struct router_match	 m;

	/* PCRE's "$" would allow a final newline; the router must not. */
	match(state, "/v1/customers\n", "GET", ROUTER_NOT_FOUND, &m);
	match(state, "/healthz\n", "GET", ROUTER_NOT_FOUND, &m);
}

static void
case_differs_does_not_match(void **state)
{
	struct router_match	 m;

	match(state, "/V1/Customers", "GET", ROUTER_NOT_FOUND, &m);
}

static void
percent_in_capture_kept_as_is(void **state)
{
	const char		*path = "/v1/customers/cus%2F1%00x";
	struct router_match	 m;

	match(state, path, "GET", ROUTER_FOUND, &m);
	capture_is(path, &m, 0, "cus%2F1%00x");
}

static void
dots_in_capture_kept_as_is(void **state)
{
	struct router_match	 m;

	match(state, "/v1/customers/..", "GET", ROUTER_FOUND, &m);
	capture_is("/v1/customers/..", &m, 0, "..");
	match(state, "/v1/customers/.", "GET", ROUTER_FOUND, &m);
	capture_is("/v1/customers/.", &m, 0, ".");
}

static void
utf8_in_capture_kept_as_is(void **state)
{
	const char		*path = "/v1/customers/Jos\xC3\xA9";
	struct router_match	 m;

	match(state, path, "GET", ROUTER_FOUND, &m);
	capture_is(path, &m, 0, "Jos\xC3\xA9");
}

static void
capture_of_64_chars_matches(void **state)
{
	char			 path[128];
	struct router_match	 m;

	long_id_path(path, 64);
	match(state, path, "GET", ROUTER_FOUND, &m);
	assert_int_equal(m.capture_len[0], 64);
}

static void
capture_of_65_chars_does_not_match(void **state)
{
	char			 path[128];
	struct router_match	 m;

	long_id_path(path, 65);
	match(state, path, "GET", ROUTER_NOT_FOUND, &m);
}

static void
empty_capture_does_not_match(void **state)
{
	struct router_match	 m;

	match(state, "/v1/customers//payment_methods/pm_1", "DELETE",
	    ROUTER_NOT_FOUND, &m);
	match(state, "/v1/customers/cus_1/payment_methods/", "DELETE",
	    ROUTER_NOT_FOUND, &m);
}

static void
consecutive_matches_do_not_share_results(void **state)
{
	const char		*a =
	    "/v1/customers/cus_1/payment_methods/pm_22";
	const char		*b = "/v1/customers/cus_333";
	struct router_match	 m1, m2;

	match(state, a, "DELETE", ROUTER_FOUND, &m1);
	match(state, b, "GET", ROUTER_FOUND, &m2);
	assert_int_equal(m1.ncaptures, 2);
	capture_is(a, &m1, 1, "pm_22");
	assert_int_equal(m2.ncaptures, 1);
	capture_is(b, &m2, 0, "cus_333");
	match(state, "/v1/nothing", "GET", ROUTER_NOT_FOUND, &m2);
	assert_int_equal(m2.ncaptures, 0);
}

static void
bad_pattern_refused_by_router_new(void **state)
{
	static const struct route	 bad[] = {
		{ "/ok", 0, { { "GET", get, NULL, NO_PARAMS } } },
		{ "/v1/(unclosed", 0, { { "GET", get, NULL, NO_PARAMS } } },
	};

	(void)state;
	/* router_new logs the compile error on stderr: expected here. */
	assert_null(router_new(bad, 2));
}

static void
empty_table_finds_nothing(void **state)
{
	struct router		*rt = router_new(routes, 0);
	struct router_match	 m;

	(void)state;
	assert_non_null(rt);
	assert_int_equal(router_match(rt, "/healthz", "GET", &m),
	    ROUTER_NOT_FOUND);
	router_free(rt);
}

static void
router_free_accepts_null(void **state)
{
	(void)state;
	router_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(literal_path_found),
		cmocka_unit_test(public_route_found),
		cmocka_unit_test(literal_path_wins_when_listed_before_pattern),
		cmocka_unit_test(literal_path_wrong_method_is_405_not_pattern),
		cmocka_unit_test(table_order_decides_pattern_or_literal),
		cmocka_unit_test(pattern_capture_offset_and_length),
		cmocka_unit_test(pattern_two_captures),
		cmocka_unit_test(each_method_of_a_route_found),
		cmocka_unit_test(unknown_path_is_404),
		cmocka_unit_test(empty_and_root_paths_are_404),
		cmocka_unit_test(wrong_method_is_405_with_allow_list),
		cmocka_unit_test(wrong_method_allow_list_of_four),
		cmocka_unit_test(method_is_case_sensitive),
		cmocka_unit_test(trailing_slash_does_not_match),
		cmocka_unit_test(extra_segment_does_not_match),
		cmocka_unit_test(pattern_must_match_whole_path),
		cmocka_unit_test(trailing_newline_does_not_match_literal),
		cmocka_unit_test(case_differs_does_not_match),
		cmocka_unit_test(percent_in_capture_kept_as_is),
		cmocka_unit_test(dots_in_capture_kept_as_is),
		cmocka_unit_test(utf8_in_capture_kept_as_is),
		cmocka_unit_test(capture_of_64_chars_matches),
		cmocka_unit_test(capture_of_65_chars_does_not_match),
		cmocka_unit_test(empty_capture_does_not_match),
		cmocka_unit_test(consecutive_matches_do_not_share_results),
		cmocka_unit_test(bad_pattern_refused_by_router_new),
		cmocka_unit_test(empty_table_finds_nothing),
		cmocka_unit_test(router_free_accepts_null),
	};

	return cmocka_run_group_tests_name("router", tests, setup, teardown);
}
