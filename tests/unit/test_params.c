/*
 * Unit tests for the pure decoders of fcgi/params.c (API.md "Requests"):
 * params_decode_form() and params_decode_json(). One behaviour per test,
 * named for it. Every input is handed over in a heap buffer of exactly
 * its length, without a NUL, so a read past "len" shows under ASan and
 * valgrind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "params.h"

typedef int	(*decoder)(const char *, size_t, struct json_object **,
		    const char **);

/* A copy of buf[0..len) in a buffer of exactly "len" bytes (no NUL). */
static char *
exact_copy(const char *buf, size_t len)
{
	char	*p;

	p = malloc(len > 0 ? len : 1);
	assert_non_null(p);
	memcpy(p, buf, len);
	return p;
}

/*
 * Decodes buf[0..len) with "fn", which must succeed, and compares the
 * tree with the JSON text "want" (json_object_equal: key order aside).
 * Trees are released before a failure, so leak checkers only see the
 * code under test.
 */
static void
decodes_to(decoder fn, const char *buf, size_t len, const char *want)
{
	struct json_object	*got = NULL, *exp;
	const char		*why = NULL;
	char			*copy = exact_copy(buf, len);
	int			 rc, same;

	rc = fn(copy, len, &got, &why);
	free(copy);
	if (rc != 0)
		fail_msg("\"%.*s\": refused (%s)", (int)len, buf,
		    why ? why : "no reason");
	assert_non_null(got);
	exp = json_tokener_parse(want);
	same = json_object_equal(got, exp);
	if (!same)
		print_error("\"%.*s\": got %s, want %s\n", (int)len, buf,
		    json_object_to_json_string_ext(got, JSON_C_TO_STRING_PLAIN),
		    want);
	json_object_put(exp);
	json_object_put(got);
	assert_true(same);
}

/*
 * Decodes buf[0..len) with "fn", which must fail with a reason holding
 * "reason" (NULL: any reason) and leave *out untouched.
 */
static void
refused(decoder fn, const char *buf, size_t len, const char *reason)
{
	struct json_object	*sentinel = (struct json_object *)&sentinel;
	struct json_object	*got = sentinel;
	const char		*why = NULL;
	char			*copy = exact_copy(buf, len);
	int			 rc;

	rc = fn(copy, len, &got, &why);
	free(copy);
	if (rc == 0 && got != sentinel) {
		print_error("\"%.*s\": accepted as %s\n", (int)len, buf,
		    json_object_to_json_string_ext(got,
		    JSON_C_TO_STRING_PLAIN));
		json_object_put(got);
		fail();
	}
	if (rc != -1)
		fail_msg("\"%.*s\": returned %d", (int)len, buf, rc);
	assert_ptr_equal(got, sentinel);
	assert_non_null(why);
	if (reason != NULL && strstr(why, reason) == NULL)
		fail_msg("\"%.*s\": reason \"%s\", want \"%s\"", (int)len, buf,
		    why, reason);
}

static void
form_ok(const char *s, const char *want)
{
	decodes_to(params_decode_form, s, strlen(s), want);
}

static void
form_refused(const char *s, const char *reason)
{
	refused(params_decode_form, s, strlen(s), reason);
}

static void
json_ok(const char *s, const char *want)
{
	decodes_to(params_decode_json, s, strlen(s), want);
}

static void
json_refused(const char *s)
{
	refused(params_decode_json, s, strlen(s), NULL);
}

/* Frees the buffer a test left in *state, whether it passed or not. */
static int
free_state(void **state)
{
	free(*state);
	*state = NULL;
	return 0;
}

/*
 * A form of "n" pairs "pN=v" (N from 0), with "sep" between them, kept
 * in *state for free_state().
 */
static char *
many_pairs(void **state, size_t n, const char *sep)
{
	char	*buf, *p;
	size_t	 i, cap = n * (16 + strlen(sep)) + 1;

	buf = p = malloc(cap);
	assert_non_null(buf);
	*p = '\0';
	for (i = 0; i < n; i++)
		p += snprintf(p, cap - (size_t)(p - buf), "%sp%zu=v",
		    i > 0 ? sep : "", i);
	return *state = buf;
}

/* "a[k1][k2]…[kN]=x": a name with "n" bracket segments, in *state. */
static char *
deep_name(void **state, size_t n)
{
	char	*buf, *p;
	size_t	 i, cap = 8 + n * 8;

	buf = p = malloc(cap);
	assert_non_null(buf);
	p += snprintf(p, cap, "a");
	for (i = 1; i <= n; i++)
		p += snprintf(p, cap - (size_t)(p - buf), "[k%zu]", i);
	snprintf(p, cap - (size_t)(p - buf), "=x");
	return *state = buf;
}

/* "{"k":{"k":…{}…}}": "n" nested objects, in *state. */
static char *
deep_json(void **state, size_t n)
{
	char	*buf, *p;
	size_t	 i, cap = n * 6 + 1;

	buf = p = malloc(cap);
	assert_non_null(buf);
	for (i = 0; i < n; i++)
		p += snprintf(p, cap - (size_t)(p - buf), "%s{",
		    i > 0 ? "\"k\":" : "");
	for (i = 0; i < n; i++)
		*p++ = '}';
	*p = '\0';
	return *state = buf;
}

/* Form: shapes */

static void
form_empty_input_is_empty_object(void **state)
{
	(void)state;
	form_ok("", "{}");
}

static void
form_plain_pairs_are_strings(void **state)
{
	(void)state;
	form_ok("email=a@b.co&name=Ann",
	    "{\"email\":\"a@b.co\",\"name\":\"Ann\"}");
}

static void
form_values_stay_strings(void **state)
{
	(void)state;
	form_ok("n=1&b=true&z=null",
	    "{\"n\":\"1\",\"b\":\"true\",\"z\":\"null\"}");
}

static void
form_brackets_make_object(void **state)
{
	(void)state;
	form_ok("metadata[plan]=pro", "{\"metadata\":{\"plan\":\"pro\"}}");
}

static void
form_brackets_merge_into_one_object(void **state)
{
	(void)state;
	form_ok("metadata[plan]=pro&metadata[seats]=5&name=x",
	    "{\"metadata\":{\"plan\":\"pro\",\"seats\":\"5\"},\"name\":\"x\"}");
}

static void
form_empty_brackets_make_array(void **state)
{
	(void)state;
	form_ok("expand[]=a&expand[]=b", "{\"expand\":[\"a\",\"b\"]}");
}

static void
form_empty_brackets_keep_duplicates_in_order(void **state)
{
	(void)state;
	form_ok("expand[]=b&expand[]=a&expand[]=b",
	    "{\"expand\":[\"b\",\"a\",\"b\"]}");
}

static void
form_indexed_brackets_make_object(void **state)
{
	(void)state;
	form_ok("items[0][price]=x", "{\"items\":{\"0\":{\"price\":\"x\"}}}");
}

static void
form_indexed_brackets_merge_items(void **state)
{
	(void)state;
	form_ok("items[0][price]=x&items[1][price]=y&items[0][qty]=2",
	    "{\"items\":{\"0\":{\"price\":\"x\",\"qty\":\"2\"},"
	    "\"1\":{\"price\":\"y\"}}}");
}

static void
form_indexed_list_makes_object(void **state)
{
	(void)state;
	/* Stripe clients send arrays as "expand[0]=…"; params_list() turns
	 * the object into a list. */
	form_ok("expand[0]=a&expand[1]=b",
	    "{\"expand\":{\"0\":\"a\",\"1\":\"b\"}}");
}

static void
form_object_can_hold_array(void **state)
{
	(void)state;
	form_ok("a[b][]=1&a[b][]=2", "{\"a\":{\"b\":[\"1\",\"2\"]}}");
}

/* As a JSON key given twice (params.c json_text_ok), so a second value
 * cannot slip past whatever read the first. */
static void
form_duplicate_refused(void **state)
{
	(void)state;
	form_refused("name=first&name=second", "twice");
	form_refused("m[k]=1&m[k]=2", "twice");
}

static void
form_empty_pieces_ignored(void **state)
{
	(void)state;
	form_ok("&&a=1&&&b=2&", "{\"a\":\"1\",\"b\":\"2\"}");
	form_ok("&", "{}");
	form_ok("&&&", "{}");
}

/* Form: values and escapes */

static void
form_plus_is_space(void **state)
{
	(void)state;
	form_ok("name=Ann+Lee", "{\"name\":\"Ann Lee\"}");
}

static void
form_percent_20_is_space(void **state)
{
	(void)state;
	form_ok("name=Ann%20Lee", "{\"name\":\"Ann Lee\"}");
}

static void
form_percent_2b_is_plus(void **state)
{
	(void)state;
	form_ok("phone=%2B14155550100", "{\"phone\":\"+14155550100\"}");
}

static void
form_percent_escape_is_case_insensitive(void **state)
{
	(void)state;
	form_ok("a=%3a%3A%c3%A9", "{\"a\":\"::\xC3\xA9\"}");
}

static void
form_percent_encoded_brackets_are_brackets(void **state)
{
	(void)state;
	form_ok("metadata%5Bplan%5D=pro", "{\"metadata\":{\"plan\":\"pro\"}}");
	form_ok("expand%5B%5D=a&expand%5b%5d=b", "{\"expand\":[\"a\",\"b\"]}");
}

static void
form_percent_encoded_amp_and_equals_in_value(void **state)
{
	(void)state;
	form_ok("q=a%26b%3Dc", "{\"q\":\"a&b=c\"}");
}

static void
form_second_equals_is_part_of_value(void **state)
{
	(void)state;
	form_ok("q=a=b", "{\"q\":\"a=b\"}");
}

static void
form_brackets_in_value_are_text(void **state)
{
	(void)state;
	form_ok("a=[b]", "{\"a\":\"[b]\"}");
}

static void
form_empty_value_is_empty_string(void **state)
{
	(void)state;
	form_ok("description=", "{\"description\":\"\"}");
	form_ok("metadata[plan]=", "{\"metadata\":{\"plan\":\"\"}}");
}

static void
form_name_without_equals_is_empty_string(void **state)
{
	(void)state;
	form_ok("flag", "{\"flag\":\"\"}");
	form_ok("a=1&flag", "{\"a\":\"1\",\"flag\":\"\"}");
}

static void
form_utf8_percent_encoded_accepted(void **state)
{
	(void)state;
	form_ok("name=Jos%C3%A9+%E2%82%AC",
	    "{\"name\":\"Jos\xC3\xA9 \xE2\x82\xAC\"}");
}

static void
form_raw_utf8_accepted(void **state)
{
	(void)state;
	form_ok("name=Jos\xC3\xA9", "{\"name\":\"Jos\xC3\xA9\"}");
}

static void
form_bad_percent_escape_refused(void **state)
{
	(void)state;
	form_refused("a=%zz", "percent");
	form_refused("a=%G1", "percent");
	form_refused("a=%1G", "percent");
	form_refused("a=100%", "percent");
	form_refused("a=%4", "percent");
	form_refused("a%=1", "percent");
}

static void
form_bad_percent_escape_at_end_refused(void **state)
{
	(void)state;
	/* "%4" is the last two bytes: the escape must not read past len. */
	refused(params_decode_form, "a=%41%4", 7, "percent");
	refused(params_decode_form, "a=%", 3, "percent");
}

static void
form_percent_00_refused(void **state)
{
	(void)state;
	form_refused("a=x%00y", "NUL");
	form_refused("a%00b=1", "NUL");
}

static void
form_raw_nul_refused(void **state)
{
	(void)state;
	refused(params_decode_form, "a=x\0y", 5, "NUL");
}

static void
form_overlong_utf8_refused(void **state)
{
	(void)state;
	form_refused("a=%C0%AF", "UTF-8");
}

static void
form_invalid_utf8_refused(void **state)
{
	(void)state;
	form_refused("a=%FF", "UTF-8");
	form_refused("a=%C3", "UTF-8");		/* truncated sequence */
	form_refused("a=%ED%A0%80", "UTF-8");	/* surrogate U+D800 */
	form_refused("a=\xC3(", "UTF-8");	/* raw, bad continuation */
	form_refused("%FF=1", "UTF-8");		/* in the name */
}

/* Form: names and brackets */

static void
form_empty_name_refused(void **state)
{
	(void)state;
	form_refused("=1", "name");
	form_refused("[a]=1", "name");
}

static void
form_unclosed_bracket_refused(void **state)
{
	(void)state;
	form_refused("a[b=1", "bracket");
	form_refused("a[=1", "bracket");
	form_refused("a[b][c=1", "bracket");
}

static void
form_text_after_bracket_refused(void **state)
{
	(void)state;
	form_refused("a[b]c=1", "bracket");
	form_refused("a[b]]=1", "bracket");
}

static void
form_bracket_inside_bracket_refused(void **state)
{
	(void)state;
	form_refused("a[b[c]]=1", "bracket");
}

static void
form_value_then_group_clash_refused(void **state)
{
	(void)state;
	form_refused("a=1&a[b]=2", "both");
}

static void
form_group_then_value_clash_refused(void **state)
{
	(void)state;
	form_refused("a[b]=2&a=1", "both");
}

static void
form_list_then_group_clash_refused(void **state)
{
	(void)state;
	form_refused("a[]=1&a[b]=2", "both");
}

static void
form_group_then_list_clash_refused(void **state)
{
	(void)state;
	form_refused("a[b]=2&a[]=1", "both");
}

static void
form_value_then_list_clash_refused(void **state)
{
	(void)state;
	form_refused("a=1&a[]=2", "both");
}

static void
form_list_then_value_clash_refused(void **state)
{
	(void)state;
	form_refused("a[]=1&a=2", "both");
}

static void
form_nested_clash_refused(void **state)
{
	(void)state;
	form_refused("m[k]=1&m[k][x]=2", "both");
	form_refused("m[k][x]=2&m[k]=1", "both");
}

static void
form_nested_list_items_refused(void **state)
{
	(void)state;
	form_refused("a[][b]=1", "list");
	form_refused("a[][]=1", "list");
}

/* Form: limits */

/* The number of top-level names params_decode_form() makes of "s", or
 * -1 if it refuses it. */
static int
form_names(const char *s)
{
	struct json_object	*out = NULL;
	const char		*why = NULL;
	int			 n;

	if (params_decode_form(s, strlen(s), &out, &why) == -1)
		return -1;
	n = json_object_object_length(out);
	json_object_put(out);
	return n;
}

static void
form_max_pairs_accepted(void **state)
{
	char	*s = many_pairs(state, PARAMS_MAX_PAIRS, "&");

	assert_int_equal(form_names(s), PARAMS_MAX_PAIRS);
}

static void
form_more_than_max_pairs_refused(void **state)
{
	char	*s = many_pairs(state, PARAMS_MAX_PAIRS + 1, "&");

	form_refused(s, "too many");
}

static void
form_empty_pieces_not_counted(void **state)
{
	char	*s = many_pairs(state, PARAMS_MAX_PAIRS, "&&&");

	assert_int_equal(form_names(s), PARAMS_MAX_PAIRS);
}

static void
form_duplicate_pairs_refused(void **state)
{
	char	*s, *p;
	size_t	 i;

	*state = s = p = malloc((PARAMS_MAX_PAIRS + 1) * 4 + 1);
	assert_non_null(s);
	for (i = 0; i <= PARAMS_MAX_PAIRS; i++)
		p += sprintf(p, "%sa=1", i > 0 ? "&" : "");
	form_refused(s, "twice");
}

static void
form_max_depth_accepted(void **state)
{
	struct json_object	*out = NULL, *node;
	const char		*why = NULL;
	char			*s = deep_name(state, PARAMS_MAX_DEPTH);
	char			 key[16];
	size_t			 i;
	int			 found;

	assert_int_equal(params_decode_form(s, strlen(s), &out, &why), 0);
	found = json_object_object_get_ex(out, "a", &node);
	for (i = 1; found && i <= PARAMS_MAX_DEPTH; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		found = json_object_object_get_ex(node, key, &node);
	}
	found = found && json_object_is_type(node, json_type_string) &&
	    strcmp(json_object_get_string(node), "x") == 0;
	json_object_put(out);
	assert_true(found);
}

static void
form_depth_beyond_max_refused(void **state)
{
	char	*s = deep_name(state, PARAMS_MAX_DEPTH + 1);

	form_refused(s, NULL);
}

static void
form_bytes_past_len_ignored(void **state)
{
	(void)state;
	/* Only the first 3 bytes are the form. */
	decodes_to(params_decode_form, "a=1&b=2", 3, "{\"a\":\"1\"}");
	decodes_to(params_decode_form, "a=1%zz", 3, "{\"a\":\"1\"}");
}

static void
form_failure_after_good_pairs_frees_them(void **state)
{
	(void)state;
	/* Run under valgrind/ASan: the partly built tree must be freed. */
	form_refused("a=1&m[k]=2&l[]=3&b=%zz", "percent");
	form_refused("a=1&m[k]=2&l[]=3&m=4", "both");
}

/* JSON */

static void
json_object_accepted(void **state)
{
	(void)state;
	json_ok("{\"email\":\"a@b.co\",\"metadata\":{\"plan\":\"pro\"},"
	    "\"expand\":[\"x\"]}",
	    "{\"email\":\"a@b.co\",\"metadata\":{\"plan\":\"pro\"},"
	    "\"expand\":[\"x\"]}");
}

/* The json-c type of out["name"] (json_type_null if absent). */
static json_type
type_of(struct json_object *out, const char *name)
{
	struct json_object	*v = NULL;

	json_object_object_get_ex(out, name, &v);
	return json_object_get_type(v);
}

static void
json_keeps_types(void **state)
{
	struct json_object	*out = NULL;
	const char		*why = NULL;
	const char		*s = "{\"n\":5,\"b\":true,\"z\":null,"
	    "\"s\":\"5\"}";
	json_type		 n, b, z, str;

	(void)state;
	assert_int_equal(params_decode_json(s, strlen(s), &out, &why), 0);
	n = type_of(out, "n");
	b = type_of(out, "b");
	z = type_of(out, "z");
	str = type_of(out, "s");
	json_object_put(out);
	assert_int_equal(n, json_type_int);
	assert_int_equal(b, json_type_boolean);
	assert_int_equal(z, json_type_null);
	assert_int_equal(str, json_type_string);
}

static void
json_empty_object_accepted(void **state)
{
	(void)state;
	json_ok("{}", "{}");
}

static void
json_leading_whitespace_accepted(void **state)
{
	(void)state;
	json_ok(" \r\n\t{\"a\":1}", "{\"a\":1}");
}

static void
json_trailing_whitespace_accepted(void **state)
{
	(void)state;
	json_ok("{\"a\":1}\r\n", "{\"a\":1}");
	json_ok("{\"a\":1} \t \n", "{\"a\":1}");
}

static void
json_array_top_level_refused(void **state)
{
	(void)state;
	json_refused("[]");
	json_refused("[{\"a\":1}]");
}

static void
json_duplicate_key_refused(void **state)
{
	(void)state;
	json_refused("{\"a\":1,\"a\":2}");
	json_refused("{\"m\":{\"k\":\"x\",\"k\":\"y\"}}");
	json_refused("{\"m\":{\"k\":{}},\"m\":1}");
}

/* json-c also takes single-quoted strings: a double quote inside one must
 * not hide a later duplicate, nor a colon inside one make a false one. */
static void
json_duplicate_key_seen_through_single_quotes(void **state)
{
	(void)state;
	json_refused("{\"email\":\"a\",'\"':1,\"email\":\"b\",'\"':2}");
	json_ok("{'a:b':1}", "{\"a:b\":1}");
}

static void
json_same_key_in_two_objects_accepted(void **state)
{
	(void)state;
	json_ok("{\"k\":{\"k\":\"a:b\"},\"x\":\"\\\":\"}",
	    "{\"k\":{\"k\":\"a:b\"},\"x\":\"\\\":\"}");
}

static void
json_nul_escape_refused(void **state)
{
	(void)state;
	json_refused("{\"a\":\"x\\u0000\"}");
	json_refused("{\"name\\u0000x\":\"y\"}");
	/* an escaped backslash, then text */
	json_ok("{\"a\":\"\\\\u0000\"}", "{\"a\":\"\\\\u0000\"}");
}

static void
json_scalar_top_level_refused(void **state)
{
	(void)state;
	json_refused("\"a\"");
	json_refused("1 ");
	json_refused("null");
	json_refused("true");
}

static void
json_trailing_garbage_refused(void **state)
{
	(void)state;
	json_refused("{} x");
	json_refused("{}x");
	json_refused("{}{}");
	json_refused("{},");
	json_refused("{\"a\":1}}");
}

static void
json_trailing_nul_refused(void **state)
{
	(void)state;
	refused(params_decode_json, "{}\0", 3, NULL);
	refused(params_decode_json, "{} \0 ", 5, NULL);
}

static void
json_non_strict_syntax_refused(void **state)
{
	(void)state;
	json_refused("{a:1}");
	json_refused("{\"a\":1,}");
	json_refused("{/* c */}");
	json_refused("{\"a\":01}");
	json_refused("{\"a\":'x'}");
	json_refused("{\"a\":+1}");
	json_refused("{\"a\":0x1}");
}

static void
json_non_finite_numbers_refused(void **state)
{
	(void)state;
	/* RFC 8259 has no NaN or Infinity (json-c reads them). */
	json_refused("{\"a\":NaN}");
	json_refused("{\"a\":Infinity}");
	json_refused("{\"a\":{\"b\":[-Infinity]}}");
}

static void
json_malformed_utf8_refused(void **state)
{
	(void)state;
	json_refused("{\"a\":\"\xFF\"}");
	json_refused("{\"a\":\"\xC3(\"}");	/* bad continuation */
	json_refused("{\"\xC3\":\"x\"}");	/* truncated, in a key */
}

static void
json_overlong_utf8_refused(void **state)
{
	(void)state;
	json_refused("{\"a\":\"\xC0\xAF\"}");
	json_refused("{\"a\":\"\xE0\x80\xAF\"}");
	json_refused("{\"\xC0\xAF\":\"x\"}");	/* in a key */
}

static void
json_surrogate_utf8_refused(void **state)
{
	(void)state;
	json_refused("{\"a\":\"\xED\xA0\x80\"}");	/* U+D800 */
}

static void
json_utf8_above_u10ffff_refused(void **state)
{
	(void)state;
	json_refused("{\"a\":\"\xF4\x90\x80\x80\"}");	/* U+110000 */
}

static void
json_valid_utf8_accepted(void **state)
{
	(void)state;
	json_ok("{\"name\":\"Jos\xC3\xA9 \xE2\x82\xAC \xF0\x9D\x84\x9E\"}",
	    "{\"name\":\"Jos\xC3\xA9 \xE2\x82\xAC \xF0\x9D\x84\x9E\"}");
	json_ok("{\"name\":\"Jos\\u00e9\"}", "{\"name\":\"Jos\xC3\xA9\"}");
}

static void
json_max_depth_accepted(void **state)
{
	char	*s = deep_json(state, PARAMS_MAX_DEPTH);

	decodes_to(params_decode_json, s, strlen(s), s);
}

static void
json_depth_beyond_max_refused(void **state)
{
	char	*s = deep_json(state, PARAMS_MAX_DEPTH + 1);

	json_refused(s);
}

static void
json_deep_arrays_refused(void **state)
{
	char	 s[2 * (PARAMS_MAX_DEPTH + 1) + 8];
	size_t	 i;
	char	*p = s;

	(void)state;
	p += sprintf(p, "{\"a\":");
	for (i = 0; i < PARAMS_MAX_DEPTH; i++)
		*p++ = '[';
	for (i = 0; i < PARAMS_MAX_DEPTH; i++)
		*p++ = ']';
	*p++ = '}';
	*p = '\0';
	json_refused(s);
}

static void
json_truncated_document_refused(void **state)
{
	(void)state;
	json_refused("{");
	json_refused("{\"a\"");
	json_refused("{\"a\":");
	json_refused("{\"a\":\"x");
	json_refused("{\"a\":1");
	json_refused("{\"a\":{\"b\":1}");
}

static void
json_empty_body_refused(void **state)
{
	(void)state;
	json_refused("");
	json_refused("   ");
}

static void
json_bytes_past_len_ignored(void **state)
{
	(void)state;
	decodes_to(params_decode_json, "{\"a\":1} x", 7, "{\"a\":1}");
	refused(params_decode_json, "{\"a\":1}", 6, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(form_empty_input_is_empty_object),
		cmocka_unit_test(form_plain_pairs_are_strings),
		cmocka_unit_test(form_values_stay_strings),
		cmocka_unit_test(form_brackets_make_object),
		cmocka_unit_test(form_brackets_merge_into_one_object),
		cmocka_unit_test(form_empty_brackets_make_array),
		cmocka_unit_test(form_empty_brackets_keep_duplicates_in_order),
		cmocka_unit_test(form_indexed_brackets_make_object),
		cmocka_unit_test(form_indexed_brackets_merge_items),
		cmocka_unit_test(form_indexed_list_makes_object),
		cmocka_unit_test(form_object_can_hold_array),
		cmocka_unit_test(form_duplicate_refused),
		cmocka_unit_test(form_empty_pieces_ignored),
		cmocka_unit_test(form_plus_is_space),
		cmocka_unit_test(form_percent_20_is_space),
		cmocka_unit_test(form_percent_2b_is_plus),
		cmocka_unit_test(form_percent_escape_is_case_insensitive),
		cmocka_unit_test(form_percent_encoded_brackets_are_brackets),
		cmocka_unit_test(form_percent_encoded_amp_and_equals_in_value),
		cmocka_unit_test(form_second_equals_is_part_of_value),
		cmocka_unit_test(form_brackets_in_value_are_text),
		cmocka_unit_test(form_empty_value_is_empty_string),
		cmocka_unit_test(form_name_without_equals_is_empty_string),
		cmocka_unit_test(form_utf8_percent_encoded_accepted),
		cmocka_unit_test(form_raw_utf8_accepted),
		cmocka_unit_test(form_bad_percent_escape_refused),
		cmocka_unit_test(form_bad_percent_escape_at_end_refused),
		cmocka_unit_test(form_percent_00_refused),
		cmocka_unit_test(form_raw_nul_refused),
		cmocka_unit_test(form_overlong_utf8_refused),
		cmocka_unit_test(form_invalid_utf8_refused),
		cmocka_unit_test(form_empty_name_refused),
		cmocka_unit_test(form_unclosed_bracket_refused),
		cmocka_unit_test(form_text_after_bracket_refused),
		cmocka_unit_test(form_bracket_inside_bracket_refused),
		cmocka_unit_test(form_value_then_group_clash_refused),
		cmocka_unit_test(form_group_then_value_clash_refused),
		cmocka_unit_test(form_list_then_group_clash_refused),
		cmocka_unit_test(form_group_then_list_clash_refused),
		cmocka_unit_test(form_value_then_list_clash_refused),
		cmocka_unit_test(form_list_then_value_clash_refused),
		cmocka_unit_test(form_nested_clash_refused),
		cmocka_unit_test(form_nested_list_items_refused),
		cmocka_unit_test_teardown(form_max_pairs_accepted, free_state),
		cmocka_unit_test_teardown(form_more_than_max_pairs_refused,
		    free_state),
		cmocka_unit_test_teardown(form_empty_pieces_not_counted,
		    free_state),
		cmocka_unit_test_teardown(form_duplicate_pairs_refused,
		    free_state),
		cmocka_unit_test_teardown(form_max_depth_accepted, free_state),
		cmocka_unit_test_teardown(form_depth_beyond_max_refused,
		    free_state),
		cmocka_unit_test(form_bytes_past_len_ignored),
		cmocka_unit_test(form_failure_after_good_pairs_frees_them),
		cmocka_unit_test(json_object_accepted),
		cmocka_unit_test(json_duplicate_key_refused),
		cmocka_unit_test(json_duplicate_key_seen_through_single_quotes),
		cmocka_unit_test(json_same_key_in_two_objects_accepted),
		cmocka_unit_test(json_nul_escape_refused),
		cmocka_unit_test(json_keeps_types),
		cmocka_unit_test(json_empty_object_accepted),
		cmocka_unit_test(json_leading_whitespace_accepted),
		cmocka_unit_test(json_trailing_whitespace_accepted),
		cmocka_unit_test(json_array_top_level_refused),
		cmocka_unit_test(json_scalar_top_level_refused),
		cmocka_unit_test(json_trailing_garbage_refused),
		cmocka_unit_test(json_trailing_nul_refused),
		cmocka_unit_test(json_non_strict_syntax_refused),
		cmocka_unit_test(json_non_finite_numbers_refused),
		cmocka_unit_test(json_malformed_utf8_refused),
		cmocka_unit_test(json_overlong_utf8_refused),
		cmocka_unit_test(json_surrogate_utf8_refused),
		cmocka_unit_test(json_utf8_above_u10ffff_refused),
		cmocka_unit_test(json_valid_utf8_accepted),
		cmocka_unit_test_teardown(json_max_depth_accepted, free_state),
		cmocka_unit_test_teardown(json_depth_beyond_max_refused,
		    free_state),
		cmocka_unit_test(json_deep_arrays_refused),
		cmocka_unit_test(json_truncated_document_refused),
		cmocka_unit_test(json_empty_body_refused),
		cmocka_unit_test(json_bytes_past_len_ignored),
	};

	return cmocka_run_group_tests_name("params", tests, NULL, NULL);
}
