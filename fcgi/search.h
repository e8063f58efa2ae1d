/*
 * The customer search query language (API.md "Customers", search):
 *   field:'value'   exact, case-insensitive
 *   field~'value'   substring, value at least 3 characters
 *   created>N  created<N  created>=N  created<=N  created:N
 *   clauses joined by AND or by OR (not both in one query)
 *   a bare word (or 'quoted words') searches name, email and phone at once
 * Fields: email, name, phone, metadata['key'], created.
 * Values may be quoted with ' or " ; \' and \" and \\ escape inside.
 * This file parses the text and compiles it to a SQL condition with
 * positional binds. It knows nothing of requests or the database.
 */
#ifndef SEARCH_H
#define SEARCH_H

#include <stddef.h>
#include <stdint.h>

#define SEARCH_MAX_CLAUSES	10
#define SEARCH_MAX_QUERY	1000	/* bytes */

enum search_field {
	SEARCH_EMAIL,
	SEARCH_NAME,
	SEARCH_PHONE,
	SEARCH_METADATA,
	SEARCH_CREATED,
	SEARCH_ANY,		/* bare word: name, email or phone */
	SEARCH__MAX
};

enum search_op {
	SEARCH_EQ,		/* field:'v' */
	SEARCH_LIKE,		/* field~'v' (and bare words) */
	SEARCH_GT,
	SEARCH_GTE,
	SEARCH_LT,
	SEARCH_LTE,
	SEARCH_OP__MAX
};

struct search_clause {
	enum search_field field;
	enum search_op	 op;
	char		*key;	/* metadata key, else NULL */
	char		*value;	/* unescaped string value, NULL for created */
	int64_t		 num;	/* created */
};

struct search_query {
	struct search_clause clauses[SEARCH_MAX_CLAUSES];
	size_t		 nclauses;
	int		 any_or;	/* 1 if joined by OR, 0 for AND */
};

/*
 * Parses "text" into "q" (zeroed by the caller). Returns 0, or -1 with a
 * static message in *err (e.g. "unexpected character") and the 0-based
 * byte offset of the problem in *pos. On -1 "q" may hold allocations:
 * search_free() it either way.
 */
int	search_parse(const char *text, struct search_query *q,
	    const char **err, size_t *pos);

void	search_free(struct search_query *q);

/* One value to bind, in order of the '?' in the compiled SQL. */
struct search_bind {
	int		 is_int;
	int64_t		 num;
	char		*str;	/* owned by the compiled result */
};

struct search_sql {
	char		*where;		/* e.g. "(email = ? AND name LIKE ?)" */
	struct search_bind binds[SEARCH_MAX_CLAUSES * 3];
	size_t		 nbinds;
	char		*email_eq;	/* the exact email every match has,
					 * or NULL */
};

/*
 * Compiles a parsed query to a condition on the customers table columns
 * name, email, phone (case-insensitive collations already), metadata (JSON
 * text, compared as JSON_VALUE(metadata, ?) COLLATE utf8mb4_unicode_ci with
 * the JSON path '$."key"' bound as a string) and created. LIKE values have
 * % and _ and \ escaped and are wrapped in %…%.
 * Returns 0, or -1 on allocation failure. Free with search_sql_free().
 */
int	search_compile(const struct search_query *q, struct search_sql *out);
void	search_sql_free(struct search_sql *out);

#endif
