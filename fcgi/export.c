/*
 * GET /v1/customers/export?format=csv|jsonl: every customer a list
 * filter (email, created[...]) or a search query matches, newest first,
 * as CSV (RFC 4180; csv.h neutralises formulas) or JSON lines of the API
 * object. One snapshot: the rows are read in one REPEATABLE READ
 * transaction started WITH CONSISTENT SNAPSHOT. Constant memory: the
 * rows come unbuffered from MariaDB (db_stream()) and leave in chunks
 * through libfcgi (http_stream()); nginx buffers the reply, not us.
 * CSV columns: id, name, email, phone, created, metadata (the metadata
 * object as JSON text in one cell), what POST /v1/customers/import reads.
 */
#include <string.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "csv.h"
#include "customers.h"
#include "db.h"
#include "export.h"
#include "http.h"
#include "jsonx.h"
#include "log.h"
#include "params.h"

/* Written out whenever the buffer holds this much: a few libfcgi
 * records, so the worker's memory does not grow with the export. */
#define CHUNK	(32 * 1024)

enum format { FORMAT_CSV, FORMAT_JSONL, FORMAT__MAX };

static const struct {
	const char	*name;
	const char	*type;
} formats[] = {
	{ "csv", "text/csv; charset=utf-8" },		/* FORMAT_CSV */
	{ "jsonl", "application/x-ndjson" },		/* FORMAT_JSONL */
};

static const char *const columns[] = {
	"id", "name", "email", "phone", "created", "metadata",
};

/* format: csv (default) or jsonl. */
static int
read_format(struct req *r, enum format *f)
{
	const char	*s;
	int		 rc;

	*f = FORMAT_CSV;
	if ((rc = params_str(r, "format", &s)) != PARAMS_PRESENT || s == NULL)
		return rc;
	for (*f = 0; *f < FORMAT__MAX; (*f)++)
		if (strcmp(s, formats[*f].name) == 0)
			return 0;
	return api_error(r, ERR_PARAM_INVALID, "format",
	    "format (csv or jsonl)");
}

/* A field of the API object "o" as CSV text: strings as they are, null
 * as an empty cell, numbers and objects as JSON. */
static const char *
cell(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

/* Appends customer "o" to "b" in format "f". */
static int
render(struct csv_buf *b, struct json_object *o, enum format f)
{
	const char	*text;
	size_t		 i;

	if (f == FORMAT_JSONL) {
		text = json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN);
		return csv_add(b, text, strlen(text)) == -1 ? -1 :
		    csv_add(b, "\n", 1);
	}
	for (i = 0; i < sizeof(columns) / sizeof(columns[0]); i++)
		if (csv_field(b, cell(o, columns[i]), i == 0) == -1)
			return -1;
	return csv_end(b);
}

/* The header record of a CSV export. */
static int
header(struct csv_buf *b, enum format f)
{
	size_t	 i;

	if (f != FORMAT_CSV)
		return 0;
	for (i = 0; i < sizeof(columns) / sizeof(columns[0]); i++)
		if (csv_field(b, columns[i], i == 0) == -1)
			return -1;
	return csv_end(b);
}

/*
 * Streams the rows of "res" after the head. Once the head is out the
 * status cannot change: a failure ends the body early (the log says so),
 * which nginx passes on as a reply cut short.
 */
static void
stream_rows(struct req *r, struct db_res *res, enum format f)
{
	struct json_object	*o;
	struct csv_buf		 b = { NULL, 0, 0 };
	size_t			 rows = 0;
	int			 rc = 0;

	if (header(&b, f) == -1)
		rc = -1;
	while (rc == 0 && (rc = db_row(r, res)) == DB_FOUND) {
		rc = (o = customers_row_json(res)) == NULL ||
		    render(&b, o, f) == -1 ? -1 : 0;
		json_object_put(o);
		if (rc == 0 && b.len >= CHUNK) {
			rc = http_stream(r, b.p, b.len);
			b.len = 0;
		}
		rows++;
	}
	if (rc == 0)
		rc = http_stream(r, b.p, b.len);
	if (rc != 0)
		log_warn("%s export ended after %zu rows: %s", r->request_id,
		    rows, "a database, memory or connection failure");
	free(b.p);
}

/* GET /v1/customers/export */
void
export_customers(struct req *r)
{
	struct db_res	 res;
	enum format	 f;
	int		 rc;

	if (read_format(r, &f) == -1 || db_snapshot(r) == -1)
		return;
	/* DB_RETRY: the connection was lost inside the snapshot. */
	if ((rc = customers_select(r, &res)) == DB_RETRY)
		api_error(r, ERR_UNAVAILABLE, NULL, NULL);
	else if (rc == 0) {
		http_header(r, "Content-Disposition: attachment;"
		    " filename=\"customers.%s\"", formats[f].name);
		http_stream_begin(r, formats[f].type);
		stream_rows(r, &res, f);
		db_res_free(&res);
	}
	db_snapshot_end(r);
}
