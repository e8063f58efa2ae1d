/*
 * The customer search language (API.md "Customers", search): a token loop
 * that parses a query into clauses, and the compiler that turns them into
 * a WHERE condition with positional binds. Every value, metadata path
 * included, goes into a bind; the SQL text only ever holds the fixed
 * fragments of the tables below. Nothing here touches a request or the
 * database, so unit tests and the fuzzer reach all of it.
 *
 * Grammar (whitespace is free between tokens):
 *   query   = clause { ("AND" | "OR") clause }	not both keywords
 *   clause  = field op value | "metadata[" string "]" op value
 *	     | "created" cmp number | word | string
 *   op	     = ":" | "~"		cmp = ":" | "<" | "<=" | ">" | ">="
 *   string  = '...' or "..." with \' \" \\ as the only escapes
 *   word    = a run of bytes other than white space, quotes, : ~ < > =
 * Keywords are uppercase only, as in Stripe. Where a keyword is due, a
 * lowercase "and" or "or" is an error that says so; where a clause is
 * due, it is a plain word, so typing "or" still finds "Orwell". An
 * uppercase AND or OR can only be searched for quoted.
 * A word followed by an operator is a field name; any other word, or a
 * string standing alone, searches name, email and phone (SEARCH_ANY).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"

#define SUBSTRING_MIN	3	/* characters, API.md "at least 3" */
#define META_OPEN	"metadata["
#define WHERE_MAX	1024	/* longest clause is 57 bytes: 10 fit */
#define NBINDS_MAX	(sizeof(((struct search_sql *)0)->binds) / \
			    sizeof(((struct search_sql *)0)->binds[0]))

/* What a field is called in a query; metadata and SEARCH_ANY are not
 * looked up by name. */
static const char *const field_names[SEARCH__MAX] = {
	"email",	/* SEARCH_EMAIL */
	"name",		/* SEARCH_NAME */
	"phone",	/* SEARCH_PHONE */
	NULL,		/* SEARCH_METADATA */
	"created",	/* SEARCH_CREATED */
	NULL,		/* SEARCH_ANY */
};

/* The left side of a compiled clause; SEARCH_ANY is a fragment of its
 * own (any_sql). The metadata path is the first of its two binds. */
static const char *const columns[SEARCH__MAX] = {
	"email",	/* SEARCH_EMAIL */
	"name",		/* SEARCH_NAME */
	"phone",	/* SEARCH_PHONE */
	"JSON_VALUE(metadata, ?) COLLATE utf8mb4_unicode_ci",
			/* SEARCH_METADATA */
	"created",	/* SEARCH_CREATED */
	NULL,		/* SEARCH_ANY */
};

static const char *const operators[SEARCH_OP__MAX] = {
	" = ?",		/* SEARCH_EQ */
	" LIKE ?",	/* SEARCH_LIKE */
	" > ?",		/* SEARCH_GT */
	" >= ?",	/* SEARCH_GTE */
	" < ?",		/* SEARCH_LT */
	" <= ?",	/* SEARCH_LTE */
};

static const char any_sql[] =
    "(name LIKE ? OR email LIKE ? OR phone LIKE ?)";

struct parser {
	const char	*text;
	size_t		 pos;		/* next byte to read */
	const char	*err;		/* static message */
	size_t		 errpos;
};

/* Records the error; returns -1 so callers can "return fail()". */
static int
fail(struct parser *p, size_t pos, const char *msg)
{
	p->err = msg;
	p->errpos = pos;
	return -1;
}

/* Local ASCII class: <ctype.h> depends on the locale and on sign. */
static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' ||
	    c == '\v' || c == '\f' || c == '\r';
}

static int
is_word(int c)
{
	return c != '\0' && !is_space(c) && strchr("'\":~<>=", c) == NULL;
}

static size_t
skip_space(const char *s, size_t pos)
{
	while (is_space((unsigned char)s[pos]))
		pos++;
	return pos;
}

static size_t
word_len(const char *s, size_t pos)
{
	size_t	 n = 0;

	while (is_word((unsigned char)s[pos + n]))
		n++;
	return n;
}

static int
word_is(const char *w, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(w, lit, len) == 0;
}

/* Case-insensitive in ASCII only, for the "must be uppercase" hint. */
static int
word_is_icase(const char *w, size_t len, const char *lit)
{
	size_t	 i;

	if (strlen(lit) != len)
		return 0;
	for (i = 0; i < len; i++)
		if ((w[i] | 0x20) != (lit[i] | 0x20))
			return 0;
	return 1;
}

/* Code points in a UTF-8 string: every one has exactly one byte that is
 * not 10xxxxxx. The caller has checked the query is UTF-8. */
static size_t
utf8_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/*
 * Reads the string whose opening quote is at p->pos into a new NUL-ended
 * copy in *out (the caller frees it), without quotes and escapes.
 * Any other backslash pair is refused rather than guessed at, so a query
 * means one thing only. The copy is never longer than the rest of the
 * text, which is at most SEARCH_MAX_QUERY bytes.
 */
static int
parse_string(struct parser *p, char **out)
{
	const char	*s = p->text;
	size_t		 open = p->pos, i = p->pos + 1, n = 0;
	char		 quote = s[open];

	if ((*out = malloc(strlen(s + i) + 1)) == NULL)
		return fail(p, open, "out of memory");
	for (; s[i] != quote; i++) {
		if (s[i] == '\0')
			return fail(p, open, "unterminated string");
		if (s[i] == '\\') {
			if (s[i + 1] == '\0')
				return fail(p, open, "unterminated string");
			if (strchr("'\"\\", s[i + 1]) == NULL)
				return fail(p, i, "invalid escape");
			i++;
		}
		(*out)[n++] = s[i];
	}
	(*out)[n] = '\0';
	p->pos = i + 1;
	return 0;
}

/* A quoted value after an operator; words are not values (Stripe). */
static int
parse_value(struct parser *p, char **out)
{
	p->pos = skip_space(p->text, p->pos);
	if (p->text[p->pos] != '\'' && p->text[p->pos] != '"')
		return fail(p, p->pos, "expected a quoted value");
	return parse_string(p, out);
}

/* created takes an unquoted, unsigned decimal integer that fits int64. */
static int
parse_number(struct parser *p, int64_t *out)
{
	const char	*s = p->text;
	size_t		 start, i;
	int64_t		 v = 0;

	start = i = skip_space(s, p->pos);
	if (s[i] < '0' || s[i] > '9')
		return fail(p, start, "expected a number");
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (INT64_MAX - (s[i] - '0')) / 10)
			return fail(p, start, "number out of range");
		v = v * 10 + (s[i] - '0');
	}
	/* "17e9" or "12abc" is not a number followed by a word. */
	if (is_word((unsigned char)s[i]))
		return fail(p, start, "expected a number");
	*out = v;
	p->pos = i;
	return 0;
}

/* Reads one of : ~ < <= > >= after optional white space. */
static int
parse_op(struct parser *p, enum search_op *op)
{
	const char	*s = p->text;
	size_t		 i = skip_space(s, p->pos);

	p->pos = i + 1;
	switch (s[i]) {
	case ':':
		*op = SEARCH_EQ;
		return 0;
	case '~':
		*op = SEARCH_LIKE;
		return 0;
	case '<':
	case '>':
		if (s[i + 1] == '=') {
			*op = s[i] == '<' ? SEARCH_LTE : SEARCH_GTE;
			p->pos++;
		} else
			*op = s[i] == '<' ? SEARCH_LT : SEARCH_GT;
		return 0;
	default:
		return fail(p, i, "unknown operator");
	}
}

/*
 * The operator and value of clause "c" once its field is known: strings
 * take : or ~, created takes : and the comparisons. A substring needs
 * SUBSTRING_MIN characters so a LIKE '%..%' scan is worth running.
 */
static int
parse_rest(struct parser *p, struct search_clause *c)
{
	size_t	 oppos, valpos;

	oppos = skip_space(p->text, p->pos);
	if (parse_op(p, &c->op) == -1)
		return -1;
	if (c->field == SEARCH_CREATED) {
		if (c->op == SEARCH_LIKE)
			return fail(p, oppos, "operator not allowed here");
		return parse_number(p, &c->num);
	}
	if (c->op != SEARCH_EQ && c->op != SEARCH_LIKE)
		return fail(p, oppos, "operator not allowed here");
	valpos = skip_space(p->text, p->pos);
	if (parse_value(p, &c->value) == -1)
		return -1;
	if (c->op == SEARCH_LIKE && utf8_chars(c->value) < SUBSTRING_MIN)
		return fail(p, valpos, "substring needs at least 3 characters");
	return 0;
}

/* metadata['key'] at p->pos: the key is a string, then ']' at once. */
static int
parse_metadata(struct parser *p, struct search_clause *c)
{
	const char	*s = p->text;
	size_t		 keypos = p->pos + strlen(META_OPEN);

	c->field = SEARCH_METADATA;
	p->pos = keypos;
	if (s[keypos] != '\'' && s[keypos] != '"')
		return fail(p, keypos, "expected a quoted metadata key");
	if (parse_string(p, &c->key) == -1)
		return -1;
	if (c->key[0] == '\0')
		return fail(p, keypos, "empty metadata key");
	if (s[p->pos] != ']')
		return fail(p, p->pos, "expected ]");
	p->pos++;
	return parse_rest(p, c);
}

/* The word of "len" bytes at p->pos is followed by an operator. */
static int
parse_field(struct parser *p, struct search_clause *c, size_t len)
{
	const char	*w = p->text + p->pos;
	size_t		 f;

	if (word_is(w, len, "metadata"))
		return fail(p, p->pos + len, "expected ['key'] after metadata");
	for (f = 0; f < SEARCH__MAX; f++)
		if (field_names[f] != NULL && word_is(w, len, field_names[f]))
			break;
	if (f == SEARCH__MAX)
		return fail(p, p->pos, "unknown field");
	c->field = f;
	p->pos += len;
	return parse_rest(p, c);
}

/* 1 if the word at "pos" continues a bare phrase: not AND or OR, not a
 * field with its operator, not metadata[…]. */
static int
continues_phrase(const char *s, size_t pos, size_t len)
{
	size_t	 after = skip_space(s, pos + len);

	if (len == 0 || word_is(s + pos, len, "AND") ||
	    word_is(s + pos, len, "OR") ||
	    strncmp(s + pos, META_OPEN, strlen(META_OPEN)) == 0)
		return 0;
	return s[after] == '\0' || strchr(":~<>=", s[after]) == NULL;
}

/*
 * Words standing alone: any length (the dashboard sends partial names as
 * they are typed), and consecutive ones make one phrase, "john doe", as a
 * person types it into a search box.
 */
static int
parse_word(struct parser *p, struct search_clause *c, size_t len)
{
	const char	*s = p->text;
	size_t		 start = p->pos, end = p->pos + len, next;

	if (word_is(s + start, len, "AND") || word_is(s + start, len, "OR"))
		return fail(p, start, "expected a search term");
	while ((next = skip_space(s, end)) > end &&
	    continues_phrase(s, next, word_len(s, next)))
		end = next + word_len(s, next);
	if ((c->value = strndup(s + start, end - start)) == NULL)
		return fail(p, start, "out of memory");
	c->field = SEARCH_ANY;
	c->op = SEARCH_LIKE;
	p->pos = end;
	return 0;
}

/* One clause into the next free slot of "q"; the slot counts as used at
 * once, so search_free() finds what a failed clause allocated. */
static int
parse_clause(struct parser *p, struct search_query *q)
{
	struct search_clause	*c;
	const char		*s = p->text;
	size_t			 start, len, next;

	start = p->pos = skip_space(s, p->pos);
	if (s[start] == '\0')
		return fail(p, start, "expected a search term");
	if (q->nclauses == SEARCH_MAX_CLAUSES)
		return fail(p, start, "too many clauses");
	c = &q->clauses[q->nclauses++];
	memset(c, 0, sizeof(*c));

	if (s[start] == '\'' || s[start] == '"') {
		c->field = SEARCH_ANY;
		c->op = SEARCH_LIKE;
		if (parse_string(p, &c->value) == -1)
			return -1;
		if (c->value[0] == '\0')
			return fail(p, start, "empty search term");
		return 0;
	}
	if ((len = word_len(s, start)) == 0)
		return fail(p, start, "unexpected character");
	/* The word stops at the key's quote: "metadata[" then 'key']. */
	if (len >= strlen(META_OPEN) &&
	    strncmp(s + start, META_OPEN, strlen(META_OPEN)) == 0)
		return parse_metadata(p, c);
	next = skip_space(s, start + len);
	if (s[next] != '\0' && strchr(":~<>=", s[next]) != NULL)
		return parse_field(p, c, len);
	return parse_word(p, c, len);
}

/*
 * After a clause: the end, or AND or OR. "joiner" is -1 until the first
 * keyword, then 0 (AND) or 1 (OR); the other one is an error there.
 * Returns 1 if a clause follows, 0 at the end, -1 on error.
 */
static int
parse_joiner(struct parser *p, int *joiner)
{
	const char	*s = p->text;
	size_t		 start, len;
	int		 is_or;

	start = p->pos = skip_space(s, p->pos);
	if (s[start] == '\0')
		return 0;
	len = word_len(s, start);
	if (word_is(s + start, len, "AND"))
		is_or = 0;
	else if (word_is(s + start, len, "OR"))
		is_or = 1;
	else if (word_is_icase(s + start, len, "AND") ||
	    word_is_icase(s + start, len, "OR"))
		return fail(p, start, "AND and OR must be uppercase");
	else
		return fail(p, start, "expected AND or OR");
	if (*joiner != -1 && *joiner != is_or)
		return fail(p, start, "cannot mix AND and OR");
	*joiner = is_or;
	p->pos = start + len;
	return 1;
}

int
search_parse(const char *text, struct search_query *q, const char **err,
    size_t *pos)
{
	struct parser	 p;
	int		 joiner = -1;

	memset(&p, 0, sizeof(p));
	p.text = text;
	/* Bound the work (and every copy made below) before reading. */
	if (strnlen(text, SEARCH_MAX_QUERY + 1) > SEARCH_MAX_QUERY)
		fail(&p, SEARCH_MAX_QUERY, "query too long");
	else if (text[skip_space(text, 0)] == '\0')
		fail(&p, 0, "empty query");
	else {
		do {
			if (parse_clause(&p, q) == -1)
				break;
		} while (parse_joiner(&p, &joiner) == 1);
	}
	if (p.err != NULL) {
		*err = p.err;
		*pos = p.errpos;
		return -1;
	}
	q->any_or = joiner == 1;
	return 0;
}

void
search_free(struct search_query *q)
{
	size_t	 i;

	for (i = 0; i < q->nclauses && i < SEARCH_MAX_CLAUSES; i++) {
		free(q->clauses[i].key);
		free(q->clauses[i].value);
	}
	memset(q, 0, sizeof(*q));
}

/* Appends "frag" to buf[0..*len) of WHERE_MAX bytes; -1 if it would not
 * fit, which the sizes above rule out. */
static int
append(char *buf, size_t *len, const char *frag)
{
	size_t	 n = strlen(frag);

	if (*len + n + 1 > WHERE_MAX)
		return -1;
	memcpy(buf + *len, frag, n + 1);
	*len += n;
	return 0;
}

/* Takes "str" (freed on failure too); NULL means allocation failed. */
static int
bind_str(struct search_sql *out, char *str)
{
	if (str == NULL || out->nbinds == NBINDS_MAX) {
		free(str);
		return -1;
	}
	out->binds[out->nbinds].is_int = 0;
	out->binds[out->nbinds++].str = str;
	return 0;
}

static int
bind_int(struct search_sql *out, int64_t num)
{
	if (out->nbinds == NBINDS_MAX)
		return -1;
	out->binds[out->nbinds].is_int = 1;
	out->binds[out->nbinds++].num = num;
	return 0;
}

/* Copies "s" with the bytes of "special" preceded by a backslash, and
 * "pre" and "post" around it. */
static char *
escape(const char *pre, const char *s, const char *post, const char *special)
{
	char	*buf, *o;

	buf = malloc(strlen(pre) + 2 * strlen(s) + strlen(post) + 1);
	if (buf == NULL)
		return NULL;
	o = stpcpy(buf, pre);
	for (; *s != '\0'; s++) {
		if (strchr(special, *s) != NULL)
			*o++ = '\\';
		*o++ = *s;
	}
	strcpy(o, post);
	return buf;
}

/* A LIKE pattern that matches "s" literally anywhere: MariaDB's default
 * LIKE escape is the backslash (unless sql_mode NO_BACKSLASH_ESCAPES). */
static char *
like_pattern(const char *s)
{
	return escape("%", s, "%", "\\%_");
}

/* The value bind of a string clause: the pattern, or the value as is. */
static int
bind_value(struct search_sql *out, const struct search_clause *c)
{
	if (c->op == SEARCH_LIKE)
		return bind_str(out, like_pattern(c->value));
	return bind_str(out, strdup(c->value));
}

/* Adds clause "c" to the text in buf and its binds to "out". */
static int
compile_clause(const struct search_clause *c, char *buf, size_t *len,
    struct search_sql *out)
{
	size_t	 i;

	if (c->field >= SEARCH__MAX || c->op >= SEARCH_OP__MAX)
		return -1;
	if (c->field == SEARCH_ANY) {
		for (i = 0; i < 3; i++)
			if (bind_str(out, like_pattern(c->value)) == -1)
				return -1;
		return append(buf, len, any_sql);
	}
	if (append(buf, len, columns[c->field]) == -1 ||
	    append(buf, len, operators[c->op]) == -1)
		return -1;
	if (c->field == SEARCH_CREATED)
		return bind_int(out, c->num);
	/* JSON path '$."key"': inside the quotes, " and \ are escaped. */
	if (c->field == SEARCH_METADATA &&
	    bind_str(out, escape("$.\"", c->key, "\"", "\"\\")) == -1)
		return -1;
	return bind_value(out, c);
}

int
search_compile(const struct search_query *q, struct search_sql *out)
{
	char	 buf[WHERE_MAX];
	size_t	 len = 0, i;

	memset(out, 0, sizeof(*out));
	if (q->nclauses == 0 || q->nclauses > SEARCH_MAX_CLAUSES)
		return -1;
	if (append(buf, &len, "(") == -1)
		goto fail;
	for (i = 0; i < q->nclauses; i++) {
		if (i > 0 && append(buf, &len,
		    q->any_or ? " OR " : " AND ") == -1)
			goto fail;
		if (compile_clause(&q->clauses[i], buf, &len, out) == -1)
			goto fail;
	}
	if (append(buf, &len, ")") == -1 ||
	    (out->where = strdup(buf)) == NULL)
		goto fail;
	for (i = 0; i < q->nclauses && (!q->any_or || q->nclauses == 1); i++)
		if (q->clauses[i].field == SEARCH_EMAIL &&
		    q->clauses[i].op == SEARCH_EQ && out->email_eq == NULL &&
		    (out->email_eq = strdup(q->clauses[i].value)) == NULL)
			goto fail;
	return 0;
fail:
	search_sql_free(out);
	return -1;
}

void
search_sql_free(struct search_sql *out)
{
	size_t	 i;

	for (i = 0; i < out->nbinds && i < NBINDS_MAX; i++)
		free(out->binds[i].str);
	free(out->where);
	free(out->email_eq);
	memset(out, 0, sizeof(*out));
}
