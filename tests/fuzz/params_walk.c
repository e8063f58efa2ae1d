/*
 * The handlers' side of a parameter tree, for the decoder fuzz targets
 * (see params_walk.h). Parameter names are the ones the resource files
 * declare, so a fuzzer that learns them (the dictionaries list them)
 * reaches the same getters a real request does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "http.h"
#include "jsonx.h"
#include "list.h"
#include "params.h"
#include "valid.h"

#include "params_walk.h"

void
params_walk_error(struct req *r, const char *what)
{
	const char	*text;

	FUZZ_CHECK(r->status >= 400 && r->status < 500 && r->reply != NULL,
	    what);
	/* Names and details echo client bytes, maybe cut short: the answer
	 * must still be UTF-8 (API.md). */
	text = jsonx_text(r->reply);
	FUZZ_CHECK(text != NULL && valid_utf8(text, strlen(text)) == 0,
	    "an error answer that is not UTF-8");
}

/* Every getter that fails must have answered a 4xx error. */
static void
answered(struct req *r, int rc, const char *what)
{
	if (rc == -1)
		params_walk_error(r, what);
}

/*
 * Reference UTF-8 decoder, written apart from valid.c's on purpose: the
 * length from the lead byte, then the value, then overlongs, surrogates
 * and the U+10FFFF ceiling as separate rules. Returns the length of the
 * code point at p[0..len) into *cp, or 0 if it is not well-formed.
 */
static size_t
ref_utf8(const unsigned char *p, size_t len, unsigned long *cp)
{
	static const unsigned long	 least[5] = { 0, 0, 0x80, 0x800,
					    0x10000 };
	size_t				 n, i;

	if (p[0] < 0x80)
		n = 1;
	else if ((p[0] & 0xE0) == 0xC0)
		n = 2;
	else if ((p[0] & 0xF0) == 0xE0)
		n = 3;
	else if ((p[0] & 0xF8) == 0xF0)
		n = 4;
	else
		return 0;
	if (n > len)
		return 0;
	*cp = n == 1 ? p[0] : p[0] & (0x7F >> n);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		*cp = *cp << 6 | (p[i] & 0x3F);
	}
	if (*cp < least[n] || (*cp >= 0xD800 && *cp <= 0xDFFF) ||
	    *cp > 0x10FFFF)
		return 0;
	return n;
}

/* valid_utf8() and valid_text() against the reference decoder. */
static void
check_utf8(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len = strlen(s), n, chars = 0;
	unsigned long		 cp;
	int			 ok = 0, text = 0;

	while (len > 0 && (n = ref_utf8(p, len, &cp)) > 0) {
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
			text = -1;
		chars++;
		p += n;
		len -= n;
	}
	if (len > 0)
		ok = text = -1;
	if (chars == 0 || chars > VALID_NAME_MAX)
		text = -1;
	FUZZ_CHECK(valid_utf8(s, strlen(s)) == ok,
	    "valid_utf8 disagrees with the reference decoder");
	FUZZ_CHECK(valid_text(s, VALID_NAME_MAX) == text,
	    "valid_text disagrees with the reference decoder");
	if (ok == 0)
		FUZZ_CHECK(valid_utf8_chars(s) == chars,
		    "valid_utf8_chars miscounts");
}

/* Luhn over d[0..n), the plain way: double every second digit from the
 * right, the check digit included in the sum as is. */
static int
ref_luhn(const char *d, size_t n)
{
	size_t	 i;
	int	 sum = 0, v;

	for (i = 0; i < n; i++) {
		v = d[n - 1 - i] - '0';
		if (i % 2 == 1 && (v *= 2) > 9)
			v -= 9;
		sum += v;
	}
	return sum % 10 == 0;
}

/* A run of digits (one space or dash allowed between two) holds a card
 * number: the whole run if it is 13..19 digits, or any window of 13..19
 * digits of a longer one. */
static int
ref_card_run(const char *d, size_t n)
{
	size_t	 start, len;

	if (n <= 19)
		return n >= 13 && ref_luhn(d, n);
	for (start = 0; start + 13 <= n; start++)
		for (len = 13; len <= 19 && start + len <= n; len++)
			if (ref_luhn(d + start, len))
				return 1;
	return 0;
}

/* valid_has_card_number() against the brute-force scan above. */
static void
check_card(const char *s)
{
	char	*digits;
	size_t	 n = 0, i;
	int	 found = 0;

	if ((digits = malloc(strlen(s) + 1)) == NULL)
		return;
	for (i = 0; !found; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			digits[n++] = s[i];
			continue;
		}
		if ((s[i] == ' ' || s[i] == '-') && n > 0 &&
		    s[i + 1] >= '0' && s[i + 1] <= '9')
			continue;
		found = ref_card_run(digits, n);
		n = 0;
		if (s[i] == '\0')
			break;
	}
	free(digits);
	FUZZ_CHECK((valid_has_card_number(s) == 0) == found,
	    "valid_has_card_number disagrees with the brute-force scan");
}

/* The validators on one string, and what their outputs promise. */
static void
validate(const char *s)
{
	char	 phone[VALID_PHONE_MAX + 1], cur[4], *copy;
	size_t	 n;

	check_utf8(s);
	check_card(s);
	(void)valid_email(s);
	(void)valid_meta_key(s);
	(void)valid_meta_value(s);
	if (valid_phone(s, phone, sizeof(phone)) == 0) {
		n = strlen(phone);
		FUZZ_CHECK(phone[0] == '+' && n >= 9 && n <= VALID_PHONE_MAX,
		    "valid_phone output is not E.164");
		FUZZ_CHECK(strspn(phone + 1, "0123456789") == n - 1,
		    "valid_phone output holds a non-digit");
	}
	if (valid_currency(s, cur) == 0)
		FUZZ_CHECK(strspn(cur, "abcdefghijklmnopqrstuvwxyz") == 3 &&
		    cur[3] == '\0', "valid_currency output is not 3 letters");
	if ((copy = strdup(s)) == NULL)
		return;
	valid_trim(copy);
	n = strlen(copy);
	FUZZ_CHECK(n <= strlen(s), "valid_trim grew the string");
	FUZZ_CHECK(n == 0 || (strchr(" \t\n\v\f\r", copy[0]) == NULL &&
	    strchr(" \t\n\v\f\r", copy[n - 1]) == NULL),
	    "valid_trim left white space at an end");
	free(copy);
}

/* Validates every string of the tree, at any depth. */
static void
validate_all(struct json_object *node)
{
	size_t	 i;

	switch (json_object_get_type(node)) {
	case json_type_string:
		validate(json_object_get_string(node));
		break;
	case json_type_object: {
		json_object_object_foreach(node, k, v) {
			validate(k);
			validate_all(v);
		}
		break;
	}
	case json_type_array:
		for (i = 0; i < json_object_array_length(node); i++)
			validate_all(json_object_array_get_idx(node, i));
		break;
	default:
		break;
	}
}

static void
walk_strings(struct req *r)
{
	static const char *const names[] = { "email", "name", "phone",
	    "currency", "description", "payment_method", "customer", "url",
	    "nickname", "lookup_key", "status", "type", "query", "price" };
	const char	*s;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		rc = params_str(r, names[i], &s);
		answered(r, rc, "params_str failed without a 4xx");
		if (rc == 1 && s != NULL)
			FUZZ_CHECK(strlen(s) == (size_t)json_object_get_string_len(
			    params_get(r, names[i])), "params_str let a NUL in");
	}
}

static void
walk_numbers(struct req *r)
{
	static const char *const names[] = { "amount", "unit_amount",
	    "run_at", "created", "limit", "interval_count", "frozen_time" };
	int64_t		 n;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		rc = params_i64(r, names[i], 1, 99999999, &n);
		answered(r, rc, "params_i64 failed without a 4xx");
		if (rc == 1)
			FUZZ_CHECK(n >= 1 && n <= 99999999,
			    "params_i64 out of its bounds");
		answered(r, params_i64(r, names[i], INT64_MIN, INT64_MAX, &n),
		    "params_i64 failed without a 4xx");
	}
}

/* The typed readers (params.c): what they hand back is what they
 * promise, and every refusal is answered. */
static void
walk_readers(struct req *r)
{
	const char	*s;
	char		 cur[4];
	int64_t		 n;

	if (params_amount(r, "amount", 0, 1, &n) == PARAMS_PRESENT)
		FUZZ_CHECK(n >= 1 && n <= PARAMS_AMOUNT_MAX,
		    "params_amount out of its bounds");
	answered(r, params_amount(r, "amount", 1, 0, &n),
	    "params_amount failed without a 4xx");
	if (params_currency(r, "currency", 0, cur) == PARAMS_PRESENT)
		FUZZ_CHECK(strlen(cur) == 3, "params_currency not 3 letters");
	answered(r, params_currency(r, "currency", 1, cur),
	    "params_currency failed without a 4xx");
	if (params_text(r, "description", PARAMS_DESCRIPTION_MAX, &s) ==
	    PARAMS_PRESENT)
		FUZZ_CHECK(s != NULL && *s != '\0', "params_text gave none");
	answered(r, params_text(r, "description", 10, &s),
	    "params_text failed without a 4xx");
	if (params_id(r, "customer", 0, &s) == PARAMS_PRESENT)
		FUZZ_CHECK(s != NULL && *s != '\0', "params_id gave none");
	answered(r, params_id(r, "customer", 1, &s),
	    "params_id failed without a 4xx");
}

static void
walk_lists(struct req *r)
{
	static const char *const names[] = { "expand", "enabled_events",
	    "items" };
	struct json_object	*list;
	size_t			 i, j;
	int			 rc, b;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		rc = params_list(r, names[i], &list);
		answered(r, rc, "params_list failed without a 4xx");
		if (rc != 1)
			continue;
		for (j = 0; j < json_object_array_length(list); j++)
			FUZZ_CHECK(json_object_is_type(
			    json_object_array_get_idx(list, j),
			    json_type_string), "params_list item not a string");
		json_object_put(list);
	}
	answered(r, params_bool(r, "cancel_at_period_end", &b),
	    "params_bool failed without a 4xx");
	answered(r, params_bool(r, "active", &b),
	    "params_bool failed without a 4xx");
}

static void
walk_metadata(struct req *r)
{
	struct json_object	*into;

	if ((into = json_object_new_object()) == NULL)
		return;
	json_object_object_add(into, "kept", json_object_new_string("v"));
	answered(r, params_metadata(r, into),
	    "params_metadata failed without a 4xx");
	json_object_put(into);
}

/* list_params() reads cursors from the database: only without them. */
static void
walk_list_params(struct req *r)
{
	struct list_page	 p;

	if (params_has(r, "starting_after") || params_has(r, "ending_before"))
		return;
	if (list_params(r, NULL, &p) == -1) {
		answered(r, -1, "list_params failed without a 4xx");
		return;
	}
	FUZZ_CHECK(p.limit >= 1 && p.limit <= LIST_LIMIT_MAX,
	    "list_params limit out of range");
}

void
params_walk(struct req *r)
{
	answered(r, params_allow(r, PARAMS("email", "name", "phone",
	    "metadata", "amount", "currency")),
	    "params_allow failed without a 4xx");
	answered(r, params_sensitive(r), "params_sensitive without a 4xx");
	walk_strings(r);
	walk_numbers(r);
	walk_readers(r);
	walk_lists(r);
	walk_metadata(r);
	walk_list_params(r);
	validate_all(r->params);
}

/* Depth of "node": a string is 0, a container 1 more than its deepest. */
static int
depth_of(struct json_object *node, int strings_only)
{
	int	 d = 0, sub;
	size_t	 i;

	switch (json_object_get_type(node)) {
	case json_type_object: {
		json_object_object_foreach(node, k, v) {
			FUZZ_CHECK(valid_utf8(k, strlen(k)) == 0,
			    "a name is not UTF-8");
			if ((sub = depth_of(v, strings_only)) > d)
				d = sub;
		}
		return d + 1;
	}
	case json_type_array:
		for (i = 0; i < json_object_array_length(node); i++)
			if ((sub = depth_of(json_object_array_get_idx(node, i),
			    strings_only)) > d)
				d = sub;
		return d + 1;
	case json_type_string:
		return 0;
	default:
		FUZZ_CHECK(!strings_only, "a form value is not a string");
		return 0;
	}
}

void
params_walk_shape(struct json_object *root, int depth, int strings_only)
{
	FUZZ_CHECK(json_object_is_type(root, json_type_object),
	    "the tree is not an object");
	FUZZ_CHECK(depth_of(root, strings_only) <= depth,
	    "the tree is deeper than PARAMS_MAX_DEPTH");
}

void
params_walk_req(struct req *r, const char *method)
{
	memset(r, 0, sizeof(*r));
	r->status = 500;
	r->method = strdup(method);
	r->path = strdup("/v1/fuzz");
	r->query = strdup("");
	snprintf(r->request_id, sizeof(r->request_id), "req_fuzz");
	r->body_limit = 64 * 1024;
	FUZZ_CHECK(r->method != NULL && r->path != NULL && r->query != NULL,
	    "out of memory");
}
