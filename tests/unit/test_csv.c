/*
 * Unit tests for fcgi/csv.c (issue 15 "Export and import"): RFC 4180
 * quoting both ways, formula neutralising, and malformed records.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "csv.h"

/* One field as the writer writes it, NUL-terminated; caller frees. */
static char *
written(const char *s)
{
	struct csv_buf	 b = { NULL, 0, 0 };

	assert_int_equal(csv_field(&b, s, 1), 0);
	assert_int_equal(csv_add(&b, "", 1), 0);
	return b.p;
}

/* Writes "s" as a one-field record and reads it back. */
static void
round_trip(const char *s)
{
	struct csv_buf		 b = { NULL, 0, 0 };
	struct csv_reader	 rd;
	struct json_object	*rec;
	const char		*why;

	assert_int_equal(csv_field(&b, "x", 1), 0);
	assert_int_equal(csv_field(&b, s, 0), 0);
	assert_int_equal(csv_end(&b), 0);
	csv_reader_init(&rd, b.p, b.len);
	rec = csv_record(&rd, &why);
	assert_non_null(rec);
	assert_int_equal(json_object_array_length(rec), 2);
	assert_string_equal(json_object_get_string(
	    json_object_array_get_idx(rec, 1)), s);
	json_object_put(rec);
	assert_null(csv_record(&rd, &why));
	assert_null(why);
	free(b.p);
}

/* Reads "text" expecting a malformed record. */
static void
malformed(const char *text)
{
	struct csv_reader	 rd;
	const char		*why = NULL;

	csv_reader_init(&rd, text, strlen(text));
	assert_null(csv_record(&rd, &why));
	assert_non_null(why);
}

static void
plain_field_is_written_as_is(void **state)
{
	char	*s = written("Jane Doe");

	(void)state;
	assert_string_equal(s, "Jane Doe");
	free(s);
}

static void
comma_quote_and_newline_are_quoted(void **state)
{
	char	*a = written("Doe, Jane"), *b = written("say \"hi\""),
		*c = written("two\r\nlines");

	(void)state;
	assert_string_equal(a, "\"Doe, Jane\"");
	assert_string_equal(b, "\"say \"\"hi\"\"\"");
	assert_string_equal(c, "\"two\r\nlines\"");
	free(a);
	free(b);
	free(c);
}

static void
formula_cells_get_a_leading_quote(void **state)
{
	const char	*in[] = { "=1+1", "+254700000000", "-2", "@SUM(A1)",
			    "\tx", "'x" };
	const char	*out[] = { "'=1+1", "'+254700000000", "'-2",
			    "'@SUM(A1)", "'\tx", "''x" };
	char		*s;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		s = written(in[i]);
		assert_string_equal(s, out[i]);
		free(s);
	}
}

static void
formula_cell_needing_quotes_keeps_quote_inside(void **state)
{
	char	*s = written("=HYPERLINK(\"x\",\"y\")");

	(void)state;
	assert_string_equal(s, "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
	free(s);
}

static void
byte_order_mark_first_is_quoted(void **state)
{
	char	*s = written("\xef\xbb\xbfx");

	(void)state;
	assert_string_equal(s, "\"\xef\xbb\xbfx\"");
	free(s);
}

static void
round_trip_keeps_every_hard_value(void **state)
{
	(void)state;
	round_trip("Doe, \"Jane\"\nsecond line");
	round_trip("Zoë Ñandú 山田 😀");
	round_trip("=cmd|' /C calc'!A0");
	round_trip("+254700000000");
	round_trip("'quoted");
	round_trip("");
	round_trip("{\"plan\":\"pro, annual\"}");
}

static void
reader_takes_lf_and_crlf_records(void **state)
{
	const char		*t = "a,b\nc,d\r\n\"e\",f";
	struct csv_reader	 rd;
	struct json_object	*rec;
	const char		*why;
	int			 n = 0;

	(void)state;
	csv_reader_init(&rd, t, strlen(t));
	while ((rec = csv_record(&rd, &why)) != NULL) {
		assert_int_equal(json_object_array_length(rec), 2);
		json_object_put(rec);
		n++;
	}
	assert_null(why);
	assert_int_equal(n, 3);
	assert_int_equal(rd.record, 3);
}

/* The first record of "text" (a new reference). */
static struct json_object *
first_record(const char *text)
{
	struct csv_reader	 rd;
	struct json_object	*rec;
	const char		*why;

	csv_reader_init(&rd, text, strlen(text));
	rec = csv_record(&rd, &why);
	assert_non_null(rec);
	return rec;
}

static void
reader_skips_byte_order_mark(void **state)
{
	struct json_object	*rec = first_record("\xef\xbb\xbfname\n");

	(void)state;
	assert_string_equal(json_object_get_string(
	    json_object_array_get_idx(rec, 0)), "name");
	json_object_put(rec);
}

static void
reader_keeps_empty_trailing_field(void **state)
{
	struct json_object	*rec = first_record("a,\n");

	(void)state;
	assert_int_equal(json_object_array_length(rec), 2);
	json_object_put(rec);
}

static void
reader_rejects_unclosed_quote(void **state)
{
	(void)state;
	malformed("\"open,b\n");
}

static void
reader_rejects_text_after_closing_quote(void **state)
{
	(void)state;
	malformed("\"a\"b,c\n");
}

static void
unneutralise_leaves_plain_apostrophe(void **state)
{
	char	 s[] = "'Tis", t[] = "'=1";

	(void)state;
	csv_unneutralise(s);
	csv_unneutralise(t);
	assert_string_equal(s, "'Tis");
	assert_string_equal(t, "=1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_field_is_written_as_is),
		cmocka_unit_test(comma_quote_and_newline_are_quoted),
		cmocka_unit_test(formula_cells_get_a_leading_quote),
		cmocka_unit_test(
		    formula_cell_needing_quotes_keeps_quote_inside),
		cmocka_unit_test(byte_order_mark_first_is_quoted),
		cmocka_unit_test(round_trip_keeps_every_hard_value),
		cmocka_unit_test(reader_takes_lf_and_crlf_records),
		cmocka_unit_test(reader_skips_byte_order_mark),
		cmocka_unit_test(reader_keeps_empty_trailing_field),
		cmocka_unit_test(reader_rejects_unclosed_quote),
		cmocka_unit_test(reader_rejects_text_after_closing_quote),
		cmocka_unit_test(unneutralise_leaves_plain_apostrophe),
	};

	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
