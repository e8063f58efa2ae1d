/*
 * CSV as RFC 4180 writes it, for the customers' export and import
 * (issue 15 "Export and import"): fields quoted when they hold a comma,
 * a quote or a line break, quotes doubled, records ended by CRLF; and a
 * cell that a spreadsheet would take as a formula (it starts with = + - @,
 * a tab or a CR) written with a leading ' (OWASP "CSV injection"), which
 * the reader removes again. Pure functions: no request, no database.
 */
#ifndef CSV_H
#define CSV_H

#include <stddef.h>

struct json_object;

/* A growing output buffer; zero it to start, free(b->p) to end. */
struct csv_buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

/* Appends "len" bytes. -1 when out of memory. */
int	csv_add(struct csv_buf *b, const char *s, size_t len);

/*
 * Appends "s" (NULL: an empty field) as one field, preceded by a comma
 * unless "first": neutralised, then quoted if needed. -1 when out of
 * memory.
 */
int	csv_field(struct csv_buf *b, const char *s, int first);

/* Ends a record (CRLF). */
int	csv_end(struct csv_buf *b);

/* Reads records from text in memory; the reader borrows it. */
struct csv_reader {
	const char	*p;
	const char	*end;
	size_t		 record;	/* records read; the header is 1 */
};

/* Starts reading buf[0..len), skipping a UTF-8 byte order mark. */
void	csv_reader_init(struct csv_reader *rd, const char *buf, size_t len);

/*
 * Reads the next record as a new array of strings, each field unquoted
 * and un-neutralised (csv_unneutralise). NULL at the end of the text
 * (*why NULL), or on a malformed record (*why says what: a quote left
 * open, text after a closing quote). A blank line is a record of one
 * empty field; a final line break ends the text. The text must hold no
 * NUL byte (the caller checks once).
 */
struct json_object *csv_record(struct csv_reader *rd, const char **why);

/* Removes the ' that csv_field() put before a formula-like cell, in
 * place: "'=1" is "=1", "''x" is "'x"; anything else is left alone. */
void	csv_unneutralise(char *s);

#endif
