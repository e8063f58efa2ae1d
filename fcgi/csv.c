/* CSV writing and reading (csv.h): RFC 4180, and formula neutralising. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "csv.h"

int
csv_add(struct csv_buf *b, const char *s, size_t len)
{
	size_t	 cap;
	char	*p;

	if (len == 0)
		return 0;	/* b->p may still be NULL: no offset on it */
	if (b->len + len > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + len)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, len);
	b->len += len;
	return 0;
}

/* A spreadsheet computes a cell starting with these (OWASP "CSV
 * injection"); a leading ' is neutralised too, so that the reader can
 * remove exactly the one the writer added. */
static int
formula_like(const char *s)
{
	return *s != '\0' && strchr("=+-@\t\r'", *s) != NULL;
}

int
csv_field(struct csv_buf *b, const char *s, int first)
{
	const char	*q;

	if (s == NULL)
		s = "";
	if (!first && csv_add(b, ",", 1) == -1)
		return -1;
	/* A leading byte order mark is quoted too: unquoted at the start
	 * of a file, the reader would take it for the file's. */
	if (s[strcspn(s, ",\"\r\n")] == '\0' &&
	    strncmp(s, "\xef\xbb\xbf", 3) != 0)
		return (formula_like(s) ? csv_add(b, "'", 1) : 0) == -1 ? -1 :
		    csv_add(b, s, strlen(s));
	/* RFC 4180: enclosed in quotes, a quote written twice. */
	if (csv_add(b, formula_like(s) ? "\"'" : "\"",
	    formula_like(s) ? 2 : 1) == -1)
		return -1;
	while ((q = strchr(s, '"')) != NULL) {
		if (csv_add(b, s, (size_t)(q - s) + 1) == -1 ||
		    csv_add(b, "\"", 1) == -1)
			return -1;
		s = q + 1;
	}
	return csv_add(b, s, strlen(s)) == -1 ? -1 : csv_add(b, "\"", 1);
}

int
csv_end(struct csv_buf *b)
{
	return csv_add(b, "\r\n", 2);
}

void
csv_reader_init(struct csv_reader *rd, const char *buf, size_t len)
{
	rd->p = buf;
	rd->end = buf + len;
	rd->record = 0;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		rd->p += 3;
}

void
csv_unneutralise(char *s)
{
	if (s[0] == '\'' && formula_like(s + 1))
		memmove(s, s + 1, strlen(s));
}

/* Adds field b->p[0..len) to "rec"; -1 when out of memory. */
static int
add_field(struct json_object *rec, struct csv_buf *b)
{
	struct json_object	*f;

	if (csv_add(b, "", 1) == -1)	/* room for the NUL */
		return -1;
	b->p[b->len - 1] = '\0';
	csv_unneutralise(b->p);
	f = json_object_new_string(b->p);
	b->len = 0;
	return f == NULL || json_object_array_add(rec, f) != 0 ? -1 : 0;
}

/* Reads a quoted field's content after its opening quote. */
static const char *
quoted(struct csv_reader *rd, struct csv_buf *b)
{
	const char	*p = rd->p, *q;

	for (;;) {
		if ((q = memchr(p, '"', (size_t)(rd->end - p))) == NULL)
			return "a quoted field is not closed";
		if (csv_add(b, p, (size_t)(q - p)) == -1)
			return "out of memory";
		if (q + 1 < rd->end && q[1] == '"') {
			if (csv_add(b, "\"", 1) == -1)
				return "out of memory";
			p = q + 2;
			continue;
		}
		rd->p = q + 1;
		if (rd->p < rd->end && strchr(",\r\n", *rd->p) == NULL)
			return "text after a closing quote";
		return NULL;
	}
}

/* Reads an unquoted field up to a comma or the end of the line. */
static const char *
plain(struct csv_reader *rd, struct csv_buf *b)
{
	const char	*p = rd->p;

	while (p < rd->end && *p != ',' && *p != '\r' && *p != '\n')
		p++;
	if (csv_add(b, rd->p, (size_t)(p - rd->p)) == -1)
		return "out of memory";
	rd->p = p;
	return NULL;
}

/* Reads one field, then its end: 1 if a comma follows, 0 at the end of
 * the record (its line break consumed), or *why. */
static int
field(struct csv_reader *rd, struct csv_buf *b, const char **why)
{
	if (rd->p < rd->end && *rd->p == '"') {
		rd->p++;
		*why = quoted(rd, b);
	} else
		*why = plain(rd, b);
	if (*why != NULL)
		return -1;
	if (rd->p < rd->end && *rd->p == ',') {
		rd->p++;
		return 1;
	}
	if (rd->p < rd->end && *rd->p == '\r')
		rd->p++;
	if (rd->p < rd->end && *rd->p == '\n')
		rd->p++;
	return 0;
}

struct json_object *
csv_record(struct csv_reader *rd, const char **why)
{
	struct json_object	*rec;
	struct csv_buf		 b = { NULL, 0, 0 };
	int			 more;

	*why = NULL;
	if (rd->p >= rd->end)
		return NULL;
	if ((rec = json_object_new_array()) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	rd->record++;
	do {
		if ((more = field(rd, &b, why)) != -1 &&
		    add_field(rec, &b) == -1) {
			*why = "out of memory";
			more = -1;
		}
	} while (more == 1);
	free(b.p);
	if (more == -1) {
		json_object_put(rec);
		return NULL;
	}
	return rec;
}
