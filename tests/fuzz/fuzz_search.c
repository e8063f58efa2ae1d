/*
 * libFuzzer target: the customer search language, search_parse() then
 * search_compile(), then both frees. The input is the query text; the
 * handler gets it as a C string, so it stops at the first NUL. Whatever
 * the query, the SQL text holds only the compiler's fixed fragments, one
 * '?' per bind: no byte of the query may reach it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"

#include "params_walk.h"

/* The bytes of columns[], operators[] and any_sql in search.c. */
#define SQL_BYTES	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
			"0123456789_ ()?,<>="

static void
check_clauses(const struct search_query *q)
{
	const struct search_clause	*c;
	size_t				 i;

	FUZZ_CHECK(q->nclauses >= 1 && q->nclauses <= SEARCH_MAX_CLAUSES,
	    "clause count out of range");
	for (i = 0; i < q->nclauses; i++) {
		c = &q->clauses[i];
		FUZZ_CHECK(c->field < SEARCH__MAX && c->op < SEARCH_OP__MAX,
		    "field or operator out of range");
		FUZZ_CHECK((c->field == SEARCH_CREATED) == (c->value == NULL),
		    "a value where none belongs, or none where one does");
		FUZZ_CHECK((c->field == SEARCH_METADATA) == (c->key != NULL),
		    "a metadata key where none belongs, or none where one does");
		FUZZ_CHECK(c->field == SEARCH_CREATED || c->op == SEARCH_EQ ||
		    c->op == SEARCH_LIKE, "a comparison on a string field");
		FUZZ_CHECK(c->field != SEARCH_CREATED || c->num >= 0,
		    "a negative created");
	}
}

static void
check_sql(const struct search_sql *s)
{
	size_t	 marks = 0, i;

	FUZZ_CHECK(s->where != NULL && s->where[0] == '(',
	    "no condition compiled");
	FUZZ_CHECK(strspn(s->where, SQL_BYTES) == strlen(s->where),
	    "a byte outside the fixed fragments in the SQL text");
	for (i = 0; s->where[i] != '\0'; i++)
		marks += s->where[i] == '?';
	FUZZ_CHECK(marks == s->nbinds, "binds and '?' marks differ");
	for (i = 0; i < s->nbinds; i++)
		FUZZ_CHECK(s->binds[i].is_int || s->binds[i].str != NULL,
		    "a string bind without a string");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct search_query	 q;
	struct search_sql	 s;
	const char		*err = NULL;
	char			*text;
	size_t			 pos = 0;

	if ((text = strndup((const char *)data, size)) == NULL)
		return 0;
	memset(&q, 0, sizeof(q));
	if (search_parse(text, &q, &err, &pos) == -1) {
		FUZZ_CHECK(err != NULL, "a refusal without a message");
		FUZZ_CHECK(pos <= strlen(text), "an error past the end");
	} else {
		check_clauses(&q);
		FUZZ_CHECK(search_compile(&q, &s) == 0,
		    "a parsed query does not compile");
		check_sql(&s);
		search_sql_free(&s);
	}
	search_free(&q);
	free(text);
	return 0;
}
