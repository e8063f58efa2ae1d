/*
 * Unit tests for fcgi/search.c, the customer search language (API.md
 * "Customers", search): one behaviour per test, named for it. Errors are
 * checked for their message and byte offset, compiled SQL for its exact
 * text and binds, and every value for staying out of the SQL text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "search.h"

/* Parses "text", which must succeed, into "q" (zeroed here). */
static void
parse_ok(const char *text, struct search_query *q)
{
	const char	*err = NULL;
	size_t		 pos = 0;

	memset(q, 0, sizeof(*q));
	if (search_parse(text, q, &err, &pos) != 0)
		fail_msg("\"%s\": %s at %zu", text, err, pos);
}

/* Parses "text", which must fail with "msg" at byte "pos". */
static void
parse_err(const char *text, const char *msg, size_t pos)
{
	struct search_query	 q;
	const char		*err = NULL;
	size_t			 at = 0;
	int			 rc;

	memset(&q, 0, sizeof(q));
	rc = search_parse(text, &q, &err, &at);
	search_free(&q);
	assert_int_equal(rc, -1);
	assert_non_null(err);
	assert_string_equal(err, msg);
	assert_int_equal(at, pos);
}

/* Parses and compiles "text"; both must succeed. */
static void
compile_ok(const char *text, struct search_sql *sql)
{
	struct search_query	 q;

	parse_ok(text, &q);
	assert_int_equal(search_compile(&q, sql), 0);
	search_free(&q);
	assert_non_null(sql->where);
}

/* The offset of the first "needle" in "hay", which must hold it. */
static size_t
offset(const char *hay, const char *needle)
{
	const char	*p = strstr(hay, needle);

	assert_non_null(p);
	return (size_t)(p - hay);
}

static void
parses_exact_email(void **state)
{
	struct search_query	 q;

	(void)state;
	parse_ok("email:'jenny@example.com'", &q);
	assert_int_equal(q.nclauses, 1);
	assert_int_equal(q.clauses[0].field, SEARCH_EMAIL);
	assert_int_equal(q.clauses[0].op, SEARCH_EQ);
	assert_string_equal(q.clauses[0].value, "jenny@example.com");
	assert_null(q.clauses[0].key);
	search_free(&q);
}

static void
parses_double_quoted_name(void **state)
{
	struct search_query	 q;

	(void)state;
	parse_ok("name:\"Jenny Rosen\"", &q);
	assert_int_equal(q.clauses[0].field, SEARCH_NAME);
	assert_int_equal(q.clauses[0].op, SEARCH_EQ);
	assert_string_equal(q.clauses[0].value, "Jenny Rosen");
	search_free(&q);
}

static void
parses_phone_with_plus(void **state)
{
	struct search_query	 q;

	(void)state;
	parse_ok("phone:'+254712345678'", &q);
	assert_int_equal(q.clauses[0].field, SEARCH_PHONE);
	assert_string_equal(q.clauses[0].value, "+254712345678");
	search_free(&q);
}

static void
parses_metadata_key_in_either_quote(void **state)
{
	struct search_query	 q;

	(void)state;
	parse_ok("metadata['plan']:'gold' AND metadata[\"tier\"]:\"2\"", &q);
	assert_int_equal(q.nclauses, 2);
	assert_int_equal(q.clauses[0].field, SEARCH_METADATA);
	assert_string_equal(q.clauses[0].key, "plan");
	assert_string_equal(q.clauses[0].value, "gold");
	assert_string_equal(q.clauses[1].key, "tier");
	assert_string_equal(q.clauses[1].value, "2");
	search_free(&q);
}

static void
parses_substring(void **state)
{
	struct search_query	 q;

	(void)state;
	parse_ok("name~'enn'", &q);
	assert_int_equal(q.clauses[0].field, SEARCH_NAME);
	assert_int_equal(q.clauses[0].op, SEARCH_LIKE);
	assert_string_equal(q.clauses[0].value, "enn");
	search_free(&q);
}

static void
substring_needs_three_chars(void **state)
{
	(void)state;
	parse_err("email~'ab'", "substring needs at least 3 characters", 6);
	parse_err("name~''", "substring needs at least 3 characters", 5);
}

static void
substring_counts_characters_not_bytes(void **state)
{
	struct search_query	 q;

	(void)state;
	/* "éé" is four bytes but two characters. */
	parse_err("name~'\xc3\xa9\xc3\xa9'",
	    "substring needs at least 3 characters", 5);
	parse_ok("name~'\xc3\xa9t\xc3\xa9'", &q);
	search_free(&q);
}

static void
parses_every_created_comparison(void **state)
{
	static const struct {
		const char	*text;
		enum search_op	 op;
	} cases[] = {
		{ "created:1700000000", SEARCH_EQ },
		{ "created>1700000000", SEARCH_GT },
		{ "created>=1700000000", SEARCH_GTE },
		{ "created<1700000000", SEARCH_LT },
		{ "created<=1700000000", SEARCH_LTE },
	};
	struct search_query	 q;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_ok(cases[i].text, &q);
		assert_int_equal(q.clauses[0].field, SEARCH_CREATED);
		assert_int_equal(q.clauses[0].op, cases[i].op);
		assert_int_equal(q.clauses[0].num, 1700000000);
		assert_null(q.clauses[0].value);
		search_free(&q);
	}
}

static void
created_takes_unquoted_integer(void **state)
{
	(void)state;
	parse_err("created>'1700000000'", "expected a number", 8);
	parse_err("created>-1", "expected a number", 8);
	parse_err("created>", "expected a number", 8);
}

static void
created_rejects_trailing_letters(void **state)
{
	(void)state;
	parse_err("created>17e9", "expected a number", 8);
}

static void
created_rejects_int64_overflow(void **state)
{
	struct search_query	 q;

	(void)state;
	parse_ok("created<9223372036854775807", &q);
	assert_int_equal(q.clauses[0].num, INT64_MAX);
	search_free(&q);
	parse_err("created<9223372036854775808", "number out of range", 8);
}

static void
created_rejects_substring_operator(void **state)
{
	(void)state;
	parse_err("created~'170'", "operator not allowed here", 7);
}

static void
string_field_rejects_comparison(void **state)
{
	(void)state;
	parse_err("email>'a@b.co'", "operator not allowed here", 5);
	parse_err("name<='x'", "operator not allowed here", 4);
}

static void
rejects_equals_sign_as_operator(void **state)
{
	(void)state;
	parse_err("email='a@b.co'", "unknown operator", 5);
}

static void
unescapes_quotes_and_backslash(void **state)
{
	struct search_query	 q;

	(void)state;
	parse_ok("name:'O\\'Brien \\\"Jr\\\" \\\\ x'", &q);
	assert_string_equal(q.clauses[0].value, "O'Brien \"Jr\" \\ x");
	search_free(&q);
	parse_ok("name:\"it's\"", &q);
	assert_string_equal(q.clauses[0].value, "it's");
	search_free(&q);
}

static void
rejects_unknown_escape_at_backslash(void **state)
{
	(void)state;
	parse_err("name:'a\\nb'", "invalid escape", 7);
}

static void
rejects_unterminated_quote_at_its_position(void **state)
{
	(void)state;
	parse_err("email:'a@b.co' AND name:'Jen", "unterminated string", 24);
	parse_err("name:'ends in backslash\\", "unterminated string", 5);
	parse_err("'john", "unterminated string", 0);
}

static void
rejects_unknown_field_at_field_start(void **state)
{
	(void)state;
	parse_err("email:'a@b.co' AND foo:'x'", "unknown field", 19);
}

static void
field_names_are_case_sensitive(void **state)
{
	(void)state;
	parse_err("Email:'a@b.co'", "unknown field", 0);
}

static void
rejects_unquoted_string_value(void **state)
{
	(void)state;
	parse_err("email:a@b.co", "expected a quoted value", 6);
	parse_err("name:", "expected a quoted value", 5);
}

static void
bare_word_searches_any(void **state)
{
	struct search_query	 q;

	(void)state;
	parse_ok("john", &q);
	assert_int_equal(q.nclauses, 1);
	assert_int_equal(q.clauses[0].field, SEARCH_ANY);
	assert_int_equal(q.clauses[0].op, SEARCH_LIKE);
	assert_string_equal(q.clauses[0].value, "john");
	search_free(&q);
}

static void
bare_word_of_one_char_is_allowed(void **state)
{
	struct search_query	 q;

	(void)state;
	parse_ok("j", &q);
	assert_string_equal(q.clauses[0].value, "j");
	search_free(&q);
}

static void
bare_word_keeps_partial_email_and_phone(void **state)
{
	struct search_query	 q;

	(void)state;
	parse_ok("  john@exa  ", &q);
	assert_string_equal(q.clauses[0].value, "john@exa");
	search_free(&q);
	parse_ok("+2547", &q);
	assert_string_equal(q.clauses[0].value, "+2547");
	search_free(&q);
}

static void
quoted_string_alone_searches_any(void **state)
{
	struct search_query	 q;

	(void)state;
	parse_ok("'john doe'", &q);
	assert_int_equal(q.clauses[0].field, SEARCH_ANY);
	assert_int_equal(q.clauses[0].op, SEARCH_LIKE);
	assert_string_equal(q.clauses[0].value, "john doe");
	search_free(&q);
}

static void
rejects_empty_quoted_term(void **state)
{
	(void)state;
	parse_err("name:'x' OR \"\"", "empty search term", 12);
}

static void
joins_clauses_with_and(void **state)
{
	struct search_query	 q;

	(void)state;
	parse_ok("email:'a@b.co' AND created>5 AND john", &q);
	assert_int_equal(q.nclauses, 3);
	assert_int_equal(q.any_or, 0);
	assert_int_equal(q.clauses[1].field, SEARCH_CREATED);
	assert_int_equal(q.clauses[2].field, SEARCH_ANY);
	search_free(&q);
}

static void
joins_clauses_with_or(void **state)
{
	struct search_query	 q;

	(void)state;
	parse_ok("name:'a' OR name:'b'", &q);
	assert_int_equal(q.nclauses, 2);
	assert_int_equal(q.any_or, 1);
	search_free(&q);
}

static void
rejects_mixed_and_or_with_position(void **state)
{
	const char	*text = "name:'a' AND name:'b' OR name:'c'";

	(void)state;
	parse_err(text, "cannot mix AND and OR", offset(text, "OR"));
}

static void
rejects_lowercase_keyword_between_clauses(void **state)
{
	(void)state;
	parse_err("name:'a' and name:'b'", "AND and OR must be uppercase", 9);
	parse_err("name:'a' Or name:'b'", "AND and OR must be uppercase", 9);
}

static void
lowercase_or_alone_is_a_word(void **state)
{
	struct search_query	 q;

	(void)state;
	/* Typing the start of "Orwell" or "Anderson" in the dashboard. */
	parse_ok("or", &q);
	assert_int_equal(q.clauses[0].field, SEARCH_ANY);
	assert_string_equal(q.clauses[0].value, "or");
	search_free(&q);
	parse_ok("ANDERSON", &q);
	assert_string_equal(q.clauses[0].value, "ANDERSON");
	search_free(&q);
}

static void
rejects_keyword_where_term_is_due(void **state)
{
	(void)state;
	parse_err("AND", "expected a search term", 0);
	parse_err("name:'a' OR OR name:'b'", "expected a search term", 12);
}

static void
rejects_trailing_keyword_at_end(void **state)
{
	(void)state;
	parse_err("name:'a' AND ", "expected a search term", 13);
}

static void
rejects_clauses_without_keyword(void **state)
{
	(void)state;
	parse_err("name:'a' email:'b'", "expected AND or OR", 9);
	parse_err("john email:'b'", "expected AND or OR", 5);
}

static void
bare_words_make_one_phrase(void **state)
{
	struct search_query	 q;

	(void)state;
	parse_ok("john  doe", &q);
	assert_int_equal(q.nclauses, 1);
	assert_int_equal(q.clauses[0].field, SEARCH_ANY);
	assert_string_equal(q.clauses[0].value, "john  doe");
	search_free(&q);
	parse_ok("john and doe OR jane", &q);
	assert_int_equal(q.nclauses, 2);
	assert_string_equal(q.clauses[0].value, "john and doe");
	assert_string_equal(q.clauses[1].value, "jane");
	search_free(&q);
}

static void
whitespace_between_tokens_is_free(void **state)
{
	struct search_query	 q;

	(void)state;
	parse_ok("\tname : 'a'AND\ncreated >= 5  AND metadata['k'] ~ 'vvv' ",
	    &q);
	assert_int_equal(q.nclauses, 3);
	assert_string_equal(q.clauses[0].value, "a");
	assert_int_equal(q.clauses[1].op, SEARCH_GTE);
	assert_int_equal(q.clauses[1].num, 5);
	assert_int_equal(q.clauses[2].op, SEARCH_LIKE);
	search_free(&q);
}

static void
rejects_empty_query(void **state)
{
	(void)state;
	parse_err("", "empty query", 0);
	parse_err(" \t\n", "empty query", 0);
}

static void
rejects_operator_where_term_is_due(void **state)
{
	(void)state;
	parse_err(":'x'", "unexpected character", 0);
}

static void
rejects_query_longer_than_limit_at_limit(void **state)
{
	char			 text[SEARCH_MAX_QUERY + 2];
	struct search_query	 q;

	(void)state;
	memset(text, 'a', SEARCH_MAX_QUERY);
	text[SEARCH_MAX_QUERY] = '\0';
	parse_ok(text, &q);		/* exactly the limit is fine */
	search_free(&q);
	text[SEARCH_MAX_QUERY] = 'a';
	text[SEARCH_MAX_QUERY + 1] = '\0';
	parse_err(text, "query too long", SEARCH_MAX_QUERY);
}

static void
rejects_eleventh_clause_at_its_start(void **state)
{
	const char		*ten = "a OR b OR c OR d OR e OR f OR g OR h "
				    "OR i OR j";
	const char		*eleven = "a OR b OR c OR d OR e OR f OR g OR h "
				    "OR i OR j OR k";
	struct search_query	 q;

	(void)state;
	parse_ok(ten, &q);
	assert_int_equal(q.nclauses, SEARCH_MAX_CLAUSES);
	search_free(&q);
	parse_err(eleven, "too many clauses", offset(eleven, "k"));
}

static void
rejects_malformed_metadata_key(void **state)
{
	(void)state;
	parse_err("metadata:'x'", "expected ['key'] after metadata", 8);
	parse_err("metadata[plan]:'x'", "expected a quoted metadata key", 9);
	parse_err("metadata['']:'x'", "empty metadata key", 9);
	parse_err("metadata['plan':'x'", "expected ]", 15);
	parse_err("metadata['plan']>'x'", "operator not allowed here", 16);
}

static void
free_releases_clause_that_failed_halfway(void **state)
{
	struct search_query	 q;
	const char		*err;
	size_t			 pos;

	(void)state;
	/* The key is allocated before the value fails; ASan and valgrind
	 * report it if search_free() misses it. */
	memset(&q, 0, sizeof(q));
	assert_int_equal(search_parse("name:'a' AND metadata['k']:'v",
	    &q, &err, &pos), -1);
	assert_int_equal(q.nclauses, 2);
	search_free(&q);
	assert_int_equal(q.nclauses, 0);
	search_free(&q);		/* twice is harmless */
}

static void
compiles_exact_email(void **state)
{
	struct search_sql	 sql;

	(void)state;
	compile_ok("email:'Jenny@Example.com'", &sql);
	assert_string_equal(sql.where, "(email = ?)");
	assert_int_equal(sql.nbinds, 1);
	assert_int_equal(sql.binds[0].is_int, 0);
	assert_string_equal(sql.binds[0].str, "Jenny@Example.com");
	search_sql_free(&sql);
}

static void
compiles_bare_word_to_three_like_binds(void **state)
{
	struct search_sql	 sql;
	size_t			 i;

	(void)state;
	compile_ok("jen", &sql);
	assert_string_equal(sql.where,
	    "((name LIKE ? OR email LIKE ? OR phone LIKE ?))");
	assert_int_equal(sql.nbinds, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(sql.binds[i].is_int, 0);
		assert_string_equal(sql.binds[i].str, "%jen%");
	}
	/* Each bind is its own copy, freed once. */
	assert_ptr_not_equal(sql.binds[0].str, sql.binds[1].str);
	search_sql_free(&sql);
}

static void
escapes_like_wildcards(void **state)
{
	struct search_sql	 sql;

	(void)state;
	compile_ok("name~'50%_off\\\\x'", &sql);
	assert_string_equal(sql.where, "(name LIKE ?)");
	assert_string_equal(sql.binds[0].str, "%50\\%\\_off\\\\x%");
	search_sql_free(&sql);
}

static void
exact_match_does_not_escape_wildcards(void **state)
{
	struct search_sql	 sql;

	(void)state;
	compile_ok("name:'50%_off'", &sql);
	assert_string_equal(sql.binds[0].str, "50%_off");
	search_sql_free(&sql);
}

static void
metadata_path_is_bound_not_inlined(void **state)
{
	struct search_sql	 sql;

	(void)state;
	compile_ok("metadata['plan']:'gold'", &sql);
	assert_string_equal(sql.where,
	    "(JSON_VALUE(metadata, ?) COLLATE utf8mb4_unicode_ci = ?)");
	assert_null(strstr(sql.where, "plan"));
	assert_int_equal(sql.nbinds, 2);
	assert_string_equal(sql.binds[0].str, "$.\"plan\"");
	assert_string_equal(sql.binds[1].str, "gold");
	search_sql_free(&sql);
}

static void
metadata_path_escapes_quote_and_backslash(void **state)
{
	struct search_sql	 sql;

	(void)state;
	compile_ok("metadata['a\"b\\\\c.d']:'v'", &sql);
	assert_string_equal(sql.binds[0].str, "$.\"a\\\"b\\\\c.d\"");
	search_sql_free(&sql);
}

static void
metadata_substring_escapes_value_only(void **state)
{
	struct search_sql	 sql;

	(void)state;
	compile_ok("metadata['a_b']~'x_y'", &sql);
	assert_string_equal(sql.where,
	    "(JSON_VALUE(metadata, ?) COLLATE utf8mb4_unicode_ci LIKE ?)");
	assert_string_equal(sql.binds[0].str, "$.\"a_b\"");
	assert_string_equal(sql.binds[1].str, "%x\\_y%");
	search_sql_free(&sql);
}

static void
compiles_created_as_int_binds(void **state)
{
	struct search_sql	 sql;

	(void)state;
	compile_ok("created>=100 AND created<200 AND created:150", &sql);
	assert_string_equal(sql.where,
	    "(created >= ? AND created < ? AND created = ?)");
	assert_int_equal(sql.nbinds, 3);
	assert_int_equal(sql.binds[0].is_int, 1);
	assert_int_equal(sql.binds[0].num, 100);
	assert_null(sql.binds[0].str);
	assert_int_equal(sql.binds[1].num, 200);
	assert_int_equal(sql.binds[2].num, 150);
	search_sql_free(&sql);
}

static void
compiles_or_join_in_order(void **state)
{
	struct search_sql	 sql;

	(void)state;
	compile_ok("email:'a@b.co' OR jen OR created>5", &sql);
	assert_string_equal(sql.where, "(email = ? OR "
	    "(name LIKE ? OR email LIKE ? OR phone LIKE ?) OR created > ?)");
	assert_int_equal(sql.nbinds, 5);
	assert_string_equal(sql.binds[0].str, "a@b.co");
	assert_string_equal(sql.binds[3].str, "%jen%");
	assert_int_equal(sql.binds[4].is_int, 1);
	search_sql_free(&sql);
}

static void
compiles_ten_bare_words_to_thirty_binds(void **state)
{
	struct search_sql	 sql;

	(void)state;
	compile_ok("a OR b OR c OR d OR e OR f OR g OR h OR i OR j", &sql);
	assert_int_equal(sql.nbinds, SEARCH_MAX_CLAUSES * 3);
	assert_string_equal(sql.binds[29].str, "%j%");
	search_sql_free(&sql);
}

static void
sql_injection_text_stays_in_bind(void **state)
{
	static const char *const texts[] = {
		"name:'x\\' OR 1=1 -- '",
		"x);DROP--",
		"metadata['k\\') OR 1=1 --']:'v'",
		"'\"; DELETE FROM customers; --'",
	};
	struct search_sql	 sql;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		compile_ok(texts[i], &sql);
		assert_null(strchr(sql.where, '\''));
		assert_null(strchr(sql.where, '"'));
		assert_null(strstr(sql.where, "1=1"));
		assert_null(strstr(sql.where, "DROP"));
		assert_null(strstr(sql.where, "DELETE"));
		search_sql_free(&sql);
	}
	compile_ok(texts[0], &sql);
	assert_string_equal(sql.where, "(name = ?)");
	assert_string_equal(sql.binds[0].str, "x' OR 1=1 -- ");
	search_sql_free(&sql);
}

static void
compile_refuses_empty_query(void **state)
{
	struct search_query	 q;
	struct search_sql	 sql;

	(void)state;
	memset(&q, 0, sizeof(q));
	assert_int_equal(search_compile(&q, &sql), -1);
	assert_null(sql.where);
	assert_int_equal(sql.nbinds, 0);
	search_sql_free(&sql);
}

/* The exact email every match must have: alone, or ANDed; not ORed, not
 * a substring. */
static void
compile_gives_the_exact_email_every_match_has(void **state)
{
	static const struct {
		const char	*text;
		int		 email_eq;
	} cases[] = {
		{ "email:'a@example.com'", 1 },
		{ "email:'a@example.com' AND name~'Jen'", 1 },
		{ "name~'Jen' AND email:'a@example.com'", 1 },
		{ "email:'a@example.com' OR name~'Jen'", 0 },
		{ "email~'example'", 0 },
		{ "name:'Jenny'", 0 },
		{ "jenny", 0 },
	};
	struct search_sql	 sql;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		compile_ok(cases[i].text, &sql);
		if (cases[i].email_eq)
			assert_string_equal(sql.email_eq, "a@example.com");
		else
			assert_null(sql.email_eq);
		search_sql_free(&sql);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_exact_email),
		cmocka_unit_test(compile_gives_the_exact_email_every_match_has),
		cmocka_unit_test(parses_double_quoted_name),
		cmocka_unit_test(parses_phone_with_plus),
		cmocka_unit_test(parses_metadata_key_in_either_quote),
		cmocka_unit_test(parses_substring),
		cmocka_unit_test(substring_needs_three_chars),
		cmocka_unit_test(substring_counts_characters_not_bytes),
		cmocka_unit_test(parses_every_created_comparison),
		cmocka_unit_test(created_takes_unquoted_integer),
		cmocka_unit_test(created_rejects_trailing_letters),
		cmocka_unit_test(created_rejects_int64_overflow),
		cmocka_unit_test(created_rejects_substring_operator),
		cmocka_unit_test(string_field_rejects_comparison),
		cmocka_unit_test(rejects_equals_sign_as_operator),
		cmocka_unit_test(unescapes_quotes_and_backslash),
		cmocka_unit_test(rejects_unknown_escape_at_backslash),
		cmocka_unit_test(rejects_unterminated_quote_at_its_position),
		cmocka_unit_test(rejects_unknown_field_at_field_start),
		cmocka_unit_test(field_names_are_case_sensitive),
		cmocka_unit_test(rejects_unquoted_string_value),
		cmocka_unit_test(bare_word_searches_any),
		cmocka_unit_test(bare_word_of_one_char_is_allowed),
		cmocka_unit_test(bare_word_keeps_partial_email_and_phone),
		cmocka_unit_test(quoted_string_alone_searches_any),
		cmocka_unit_test(rejects_empty_quoted_term),
		cmocka_unit_test(joins_clauses_with_and),
		cmocka_unit_test(joins_clauses_with_or),
		cmocka_unit_test(rejects_mixed_and_or_with_position),
		cmocka_unit_test(rejects_lowercase_keyword_between_clauses),
		cmocka_unit_test(lowercase_or_alone_is_a_word),
		cmocka_unit_test(rejects_keyword_where_term_is_due),
		cmocka_unit_test(rejects_trailing_keyword_at_end),
		cmocka_unit_test(rejects_clauses_without_keyword),
		cmocka_unit_test(bare_words_make_one_phrase),
		cmocka_unit_test(whitespace_between_tokens_is_free),
		cmocka_unit_test(rejects_empty_query),
		cmocka_unit_test(rejects_operator_where_term_is_due),
		cmocka_unit_test(rejects_query_longer_than_limit_at_limit),
		cmocka_unit_test(rejects_eleventh_clause_at_its_start),
		cmocka_unit_test(rejects_malformed_metadata_key),
		cmocka_unit_test(free_releases_clause_that_failed_halfway),
		cmocka_unit_test(compiles_exact_email),
		cmocka_unit_test(compiles_bare_word_to_three_like_binds),
		cmocka_unit_test(escapes_like_wildcards),
		cmocka_unit_test(exact_match_does_not_escape_wildcards),
		cmocka_unit_test(metadata_path_is_bound_not_inlined),
		cmocka_unit_test(metadata_path_escapes_quote_and_backslash),
		cmocka_unit_test(metadata_substring_escapes_value_only),
		cmocka_unit_test(compiles_created_as_int_binds),
		cmocka_unit_test(compiles_or_join_in_order),
		cmocka_unit_test(compiles_ten_bare_words_to_thirty_binds),
		cmocka_unit_test(sql_injection_text_stays_in_bind),
		cmocka_unit_test(compile_refuses_empty_query),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
