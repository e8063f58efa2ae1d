/*
 * Customer imports from CSV (issue 15 "Export and import"). POST
 * /v1/customers/import?mode=dry_run|skip|update takes the file as a
 * text/csv body: a header naming its columns (name and email required;
 * phone and metadata, a JSON object, optional; id and created, as the
 * export writes them, ignored), then one customer a record.
 *
 * Every row is first checked as POST /v1/customers checks its parameters
 * (customers_import_row(), the same validators and messages), and an
 * email twice in the file is refused. A dry run (the default) answers
 * that check: per-row errors {row, param, code, message} and what an
 * import would create; it writes nothing. An import with any bad row
 * answers 400 with the same errors and writes nothing. Otherwise the
 * request stores the file in customer_import_data, one row per batch,
 * with the import's row (status pending) in one transaction, and answers
 * 202 at once: no worker is held while the rows are written. Rows are
 * numbered as a spreadsheet shows them: the header is row 1.
 *
 * pesaswap-jobs writes them (import_turn()): it claims imports no job
 * holds with SKIP LOCKED and a lease, as jobs.c claims deliveries, and
 * writes one batch of each per turn in one transaction with the import's
 * counters, so GET /v1/customers/imports/:id shows progress and a job
 * killed mid-batch leaves rows_processed where the next one goes on:
 * pending -> running -> succeeded, or failed at a row that fails now (its
 * email taken meanwhile, kept in its errors; the batches before stay). A
 * live customer with the row's email is left alone (skip) or updated
 * (update). The stored file is deleted with the import's end.
 *
 * The same file in the same mode is one import: its SHA-256 (with the
 * mode) is the import's unique file_key unless it failed, and posting it
 * again answers that import as it is now. An Idempotency-Key is stored
 * with the 202.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "csv.h"
#include "customers.h"
#include "db.h"
#include "http.h"
#include "ids.h"
#include "import.h"
#include "jsonx.h"
#include "list.h"
#include "log.h"
#include "now.h"
#include "params.h"
#include "valid.h"

/* Rows a transaction writes: small enough that progress moves and a
 * rerun is cheap, large enough that commits do not dominate. */
#define IMPORT_BATCH		500
/* Errors kept and answered: the first ones are what a user fixes. */
#define IMPORT_MAX_ERRORS	100
/* How long a job holds an import for a batch: far longer than a batch
 * takes, so that a job only takes over from a dead one. */
#define IMPORT_LEASE_MS		15000
/* Imports a job claims in a turn, writing one batch of each. */
#define IMPORT_CLAIM_MAX	8

#define IMPORT_COLS \
	"id, mode, status, rows_total, rows_processed, created_count," \
	" updated_count, skipped_count, errors, livemode"

static const struct sql SQL_IMPORT_INSERT = {
	"INSERT INTO customer_imports (id, account_id, livemode, mode,"
	" file_key, status, rows_total, errors, created, updated)"
	" VALUES (?, ?, ?, ?, ?, 'pending', ?, '[]', ?, ?)", "ssisbiii", 0 };
static const struct sql SQL_DATA_INSERT = {
	"INSERT INTO customer_import_data (import_id, account_id, livemode,"
	" row_from, record, data) VALUES (?, ?, ?, ?, ?, ?)", "ssiiib", 0 };
static const struct sql SQL_IMPORT_BY_FILE = {
	"SELECT " IMPORT_COLS " FROM customer_imports WHERE " SCOPE
	" AND file_key = ?", "sib", 0 };
static const struct sql SQL_IMPORT_GET = {
	"SELECT " IMPORT_COLS " FROM customer_imports WHERE " SCOPE
	" AND id = ?", "sis", 0 };
/* Imports no job holds, or whose job's lease ran out. */
static const struct sql SQL_IMPORT_DUE = {
	"SELECT id, account_id, livemode FROM customer_imports"
	" WHERE status IN ('pending', 'running') AND lease_until <= ?"
	" ORDER BY lease_until LIMIT ? FOR UPDATE SKIP LOCKED", "ii", 0 };
/* Only an import still free is leased: the claim is this write, not the
 * lock (Galera does not replicate locks), as jobs.c's SQL_LEASE. */
static const struct sql SQL_IMPORT_LEASE = {
	"UPDATE customer_imports SET status = 'running', lease_until = ?"
	" WHERE " SCOPE " AND id = ? AND status IN ('pending', 'running')"
	" AND lease_until <= ?", "isisi", 0 };
/* The import a job holds by its lease, locked for its batch. */
static const struct sql SQL_IMPORT_LEASED = {
	"SELECT " IMPORT_COLS " FROM customer_imports WHERE " SCOPE
	" AND id = ? AND status = 'running' AND lease_until = ? FOR UPDATE",
	"sisi", 0 };
/* file_key is kept unless failed; the write ends the job's lease. */
static const struct sql SQL_IMPORT_PROGRESS = {
	"UPDATE customer_imports SET status = ?, rows_processed = ?,"
	" created_count = ?, updated_count = ?, skipped_count = ?, errors = ?,"
	" file_key = IF(? = 'failed', NULL, file_key), lease_until = 0,"
	" updated = ? WHERE " SCOPE " AND id = ? AND lease_until = ?",
	"siiiissisisi", 0 };
static const struct sql SQL_DATA_GET = {
	"SELECT record, data FROM customer_import_data WHERE " SCOPE
	" AND import_id = ? AND row_from = ?", "sisi", 0 };
static const struct sql SQL_DATA_DELETE = {
	"DELETE FROM customer_import_data WHERE " SCOPE " AND import_id = ?",
	"sis", 0 };
static const struct sql SQL_IMPORT_CURSOR = LIST_CURSOR("customer_imports");
static const struct sql SQL_IMPORT_LIST[2] =
	LIST_PAIR("SELECT " IMPORT_COLS " FROM customer_imports WHERE " SCOPE,
	"");

/* The columns a file may have; name and email must be there. */
enum col { COL_NAME, COL_EMAIL, COL_PHONE, COL_METADATA, COL_ID,
	COL_CREATED, COL__MAX };
static const char *const col_names[] = {
	"name",		/* COL_NAME */
	"email",	/* COL_EMAIL */
	"phone",	/* COL_PHONE */
	"metadata",	/* COL_METADATA */
	"id",		/* COL_ID */
	"created",	/* COL_CREATED */
};

struct counts {
	int64_t	 processed;
	int64_t	 n[3];		/* by enum customers_outcome */
};

struct import {
	char			 id[IDS_MAX];
	enum customers_import	 mode;
	const char		*status;
	int64_t			 total;
	struct counts		 done;
	struct json_object	*errors;	/* array; owned */
	int			 col[COL__MAX];	/* field index, or -1 */
	size_t			 nfields;	/* in the header */
	struct csv_reader	 rows;		/* after the header */
	unsigned char		 key[SHA256_DIGEST_LENGTH];
	int			 livemode;
};

static const char *const mode_names[] = {
	"dry_run",	/* CUSTOMERS_CHECK */
	"skip",		/* CUSTOMERS_SKIP */
	"update",	/* CUSTOMERS_UPDATE */
};

/* The API object; a new reference. */
static struct json_object *
import_json(const struct import *im)
{
	struct json_object	*o = json_object_new_object();

	if (im->id[0] != '\0')
		jsonx_add_str(o, "id", im->id);
	else
		jsonx_add_null(o, "id");
	jsonx_add_str(o, "object", "customer_import");
	jsonx_add_str(o, "mode", mode_names[im->mode]);
	jsonx_add_str(o, "status", im->status);
	jsonx_add_i64(o, "rows_total", im->total);
	jsonx_add_i64(o, "rows_processed", im->done.processed);
	jsonx_add_i64(o, "created", im->done.n[CUSTOMERS_CREATED]);
	jsonx_add_i64(o, "updated", im->done.n[CUSTOMERS_UPDATED]);
	jsonx_add_i64(o, "skipped", im->done.n[CUSTOMERS_SKIPPED]);
	jsonx_add(o, "errors", json_object_get(im->errors));
	jsonx_add_bool(o, "livemode", im->livemode);
	return o;
}

/*
 * Reads a row of IMPORT_COLS into "im": status is borrowed from "res",
 * errors a new reference (the caller puts it). -1 if out of memory.
 */
static int
import_from_row(const struct db_res *res, struct import *im)
{
	size_t	 m;

	snprintf(im->id, sizeof(im->id), "%s", res->val[0]);
	for (m = 0; m < 3; m++)
		if (strcmp(res->val[1], mode_names[m]) == 0)
			im->mode = m;
	im->status = res->val[2];
	im->total = db_i64(res, 3);
	im->done.processed = db_i64(res, 4);
	im->done.n[CUSTOMERS_CREATED] = db_i64(res, 5);
	im->done.n[CUSTOMERS_UPDATED] = db_i64(res, 6);
	im->done.n[CUSTOMERS_SKIPPED] = db_i64(res, 7);
	im->livemode = (int)db_i64(res, 9);
	im->errors = json_tokener_parse(res->val[8]);
	return im->errors != NULL ? 0 : -1;
}

/* An import from a row of IMPORT_COLS; NULL if out of memory. */
static struct json_object *
import_row_json(const struct db_res *res)
{
	struct import		 im;
	struct json_object	*o;

	memset(&im, 0, sizeof(im));
	if (import_from_row(res, &im) == -1)
		return NULL;
	o = import_json(&im);
	json_object_put(im.errors);
	return o;
}

/* Adds an error about "row"; past IMPORT_MAX_ERRORS, only counts it. */
static void
add_error(struct import *im, size_t row, const char *param,
    const char *code, const char *message)
{
	struct json_object	*e;

	if (json_object_array_length(im->errors) >= IMPORT_MAX_ERRORS)
		return;
	e = json_object_new_object();
	jsonx_add_i64(e, "row", (int64_t)row);
	jsonx_add_str(e, "param", param);
	jsonx_add_str(e, "code", code);
	jsonx_add_str(e, "message", message);
	json_object_array_add(im->errors, e);
}

/* Moves the API error a row got into the import's errors, and clears
 * it from the reply. */
static void
take_error(struct req *r, struct import *im, size_t row)
{
	struct json_object	*err = NULL, *v;
	const char		*f[3] = { NULL, NULL, NULL };
	static const char *const keys[] = { "param", "code", "message" };
	size_t			 i;

	if (r->reply != NULL)
		json_object_object_get_ex(r->reply, "error", &err);
	for (i = 0; i < 3; i++)
		if (err != NULL && json_object_object_get_ex(err, keys[i], &v))
			f[i] = json_object_get_string(v);
	add_error(im, row, f[0], f[1], f[2]);
	http_reply(r, 500, NULL);
	r->error = ERR_INTERNAL;
}

/* mode: dry_run (the default), skip or update. */
static int
read_mode(struct req *r, struct import *im)
{
	const char	*s;
	int		 rc;

	im->mode = CUSTOMERS_CHECK;
	if ((rc = params_str(r, "mode", &s)) != PARAMS_PRESENT || s == NULL)
		return rc;
	for (im->mode = 0; im->mode < 3; im->mode++)
		if (strcmp(s, mode_names[im->mode]) == 0)
			return 0;
	return api_error(r, ERR_PARAM_INVALID, "mode",
	    "mode (dry_run, skip or update)");
}

/* The body: a text/csv file of UTF-8 text. */
static int
check_file(struct req *r)
{
	const char	*t = r->content_type;

	if (t == NULL || strncasecmp(t, "text/csv", 8) != 0 ||
	    (t[8] != '\0' && t[8] != ';' && t[8] != ' '))
		return api_error(r, ERR_CONTENT_TYPE, NULL,
		    " An import is sent as text/csv.");
	if (r->body_len == 0)
		return api_error(r, ERR_PARAM_MISSING, "file",
		    "file (the CSV as the request body)");
	if (memchr(r->body, '\0', r->body_len) != NULL ||
	    valid_utf8(r->body, r->body_len) == -1)
		return api_error(r, ERR_BODY_INVALID, "file",
		    "the file is not UTF-8 text");
	return 0;
}

/* Maps the columns of the header of file[0..len), and points im->rows
 * after it; 400 naming the first wrong one. */
static int
read_header(struct req *r, struct import *im, const char *file, size_t len)
{
	struct json_object	*hdr;
	const char		*why, *name;
	char			 what[160];
	size_t			 i, c;

	csv_reader_init(&im->rows, file, len);
	if ((hdr = csv_record(&im->rows, &why)) == NULL)
		return api_error(r, ERR_PARAM_INVALID, "file", why ? why :
		    "file (no header)");
	for (c = 0; c < COL__MAX; c++)
		im->col[c] = -1;
	im->nfields = json_object_array_length(hdr);
	for (i = 0; i < im->nfields; i++) {
		name = json_object_get_string(json_object_array_get_idx(hdr,
		    i));
		for (c = 0; c < COL__MAX && strcmp(name, col_names[c]); c++)
			;
		if (c == COL__MAX || im->col[c] != -1) {
			snprintf(what, sizeof(what), "file: the header's "
			    "column '%.40s' (%s)", name, c == COL__MAX ?
			    "one of id, name, email, phone, created, metadata" :
			    "twice");
			json_object_put(hdr);
			return api_error(r, ERR_PARAM_INVALID, "file", what);
		}
		im->col[c] = (int)i;
	}
	json_object_put(hdr);
	if (im->col[COL_NAME] == -1 || im->col[COL_EMAIL] == -1)
		return api_error(r, ERR_PARAM_MISSING, "file",
		    "file: the columns name and email");
	return 0;
}

/* Field "c" of record "rec"; NULL if the file has no such column. */
static const char *
field(const struct import *im, struct json_object *rec, enum col c)
{
	if (im->col[c] == -1)
		return NULL;
	return json_object_get_string(json_object_array_get_idx(rec,
	    (size_t)im->col[c]));
}

/*
 * Turns record "rec" into create's parameters. NULL, with the reason
 * in the import's errors, for a record of the wrong width or a metadata
 * cell that is not a JSON object.
 */
static struct json_object *
row_params(struct import *im, struct json_object *rec, size_t row)
{
	struct json_object	*p, *meta;
	const char		*s;
	char			 what[96];
	enum col		 c;

	if (json_object_array_length(rec) != im->nfields) {
		snprintf(what, sizeof(what), "The row has %zu fields; the "
		    "header has %zu.", json_object_array_length(rec),
		    im->nfields);
		add_error(im, row, NULL, "row_invalid", what);
		return NULL;
	}
	p = json_object_new_object();
	for (c = COL_NAME; c <= COL_PHONE; c++)
		if ((s = field(im, rec, c)) != NULL)
			jsonx_add_str(p, col_names[c], s);
	if ((s = field(im, rec, COL_METADATA)) != NULL && *s != '\0') {
		if ((meta = jsonx_parse_object(s)) == NULL) {
			add_error(im, row, "metadata", "metadata_invalid",
			    "metadata is not a JSON object.");
			json_object_put(p);
			return NULL;
		}
		jsonx_add(p, "metadata", meta);
	}
	return p;
}

/* The next record that is not a blank line, or NULL at the end (or at
 * a malformed record: *why). */
static struct json_object *
next_record(struct csv_reader *rd, const char **why)
{
	struct json_object	*rec;

	while ((rec = csv_record(rd, why)) != NULL) {
		if (json_object_array_length(rec) != 1 ||
		    *json_object_get_string(json_object_array_get_idx(rec,
		    0)) != '\0')
			return rec;
		json_object_put(rec);
	}
	return NULL;
}

/*
 * Runs one row "p" (taken) in "mode" with r->params standing for it.
 * Returns 0, DB_RETRY, or -1 with the error set (a row's 4xx, or 5xx).
 */
static int
run_row(struct req *r, enum customers_import mode, struct json_object *p,
    enum customers_outcome *out)
{
	struct json_object	*saved = r->params;
	int			 rc;

	r->params = p;
	rc = params_sensitive(r);
	if (rc == 0)
		rc = customers_import_row(r, mode, out);
	r->params = saved;
	json_object_put(p);
	return rc;
}

/* An email met twice in the file is an error on its second row. */
static void
check_twice(struct import *im, struct json_object *seen,
    struct json_object *p, size_t row)
{
	struct json_object	*v;
	char			 key[VALID_EMAIL_MAX + 1], what[96];
	size_t			 i;

	if (!json_object_object_get_ex(p, "email", &v))
		return;
	snprintf(key, sizeof(key), "%s", json_object_get_string(v));
	if (key[0] == '\0')
		return;		/* missing: create's check says so */
	for (i = 0; key[i] != '\0'; i++)
		if (key[i] >= 'A' && key[i] <= 'Z')
			key[i] += 'a' - 'A';
	if (json_object_object_get_ex(seen, key, &v)) {
		snprintf(what, sizeof(what), "The email is in row %d too.",
		    json_object_get_int(v));
		add_error(im, row, "email", "email_duplicate", what);
	} else
		json_object_object_add(seen, key,
		    json_object_new_int((int)row));
}

/* Checks every row without writing; counts what an import would do.
 * -1 on a failure that is not a row's (set). */
static int
check_rows(struct req *r, struct import *im)
{
	struct json_object	*rec, *p, *seen = json_object_new_object();
	struct csv_reader	 rd = im->rows;
	enum customers_outcome	 out;
	const char		*why = NULL;
	int			 rc = 0;

	while (rc == 0 && (rec = next_record(&rd, &why)) != NULL) {
		im->total++;
		p = row_params(im, rec, rd.record);
		json_object_put(rec);
		if (p == NULL)
			continue;
		check_twice(im, seen, p, rd.record);
		if ((rc = run_row(r, CUSTOMERS_CHECK, p, &out)) == 0)
			im->done.n[out]++;
		else if (r->status < 500) {
			take_error(r, im, rd.record);
			rc = 0;
		}
	}
	json_object_put(seen);
	if (why != NULL)
		add_error(im, rd.record, "file", "file_invalid", why);
	return rc == 0 ? 0 : -1;
}

/* The file's key: SHA-256 of the mode and the file. */
static int
file_key(struct req *r, struct import *im)
{
	EVP_MD_CTX	*sha;

	if ((sha = EVP_MD_CTX_new()) == NULL)
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	EVP_DigestInit_ex(sha, EVP_sha256(), NULL);
	EVP_DigestUpdate(sha, mode_names[im->mode],
	    strlen(mode_names[im->mode]) + 1);
	EVP_DigestUpdate(sha, r->body, r->body_len);
	EVP_DigestFinal_ex(sha, im->key, NULL);
	EVP_MD_CTX_free(sha);
	return 0;
}

/* Stores rows "from" up to "to" after the file's header, as row_from. */
static int
store_batch(struct req *r, const struct import *im,
    const struct csv_reader *from, const struct csv_reader *to,
    int64_t row_from)
{
	struct csv_buf	 b = { NULL, 0, 0 };
	int		 rc;

	if (csv_add(&b, r->body, (size_t)(im->rows.p - r->body)) == -1 ||
	    csv_add(&b, from->p, (size_t)(to->p - from->p)) == -1) {
		free(b.p);
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	}
	rc = db_exec(r, &SQL_DATA_INSERT, (struct db_val[]){ DB_S(im->id),
	    DB_SCOPE(r), DB_I(row_from), DB_I((int64_t)from->record),
	    DB_B(b.p, b.len), DB_E }, NULL);
	free(b.p);
	return rc;
}

/* Stores the checked file for the jobs: a row of customer_import_data
 * per IMPORT_BATCH rows of the file. */
static int
store_file(struct req *r, const struct import *im)
{
	struct csv_reader	 from = im->rows, rd = im->rows;
	struct json_object	*rec;
	const char		*why;
	int64_t			 n = 0;
	int			 rc = 0;

	while (rc == 0 && (rec = next_record(&rd, &why)) != NULL) {
		json_object_put(rec);
		if (++n % IMPORT_BATCH == 0) {
			rc = store_batch(r, im, &from, &rd, n - IMPORT_BATCH);
			from = rd;
		}
	}
	if (rc == 0 && n % IMPORT_BATCH != 0)
		rc = store_batch(r, im, &from, &rd, n - n % IMPORT_BATCH);
	return rc;
}

/* Answers the import of the same file, as it is now. */
static int
same_file(struct req *r, const struct import *im)
{
	struct db_res	 res;
	int		 rc;

	rc = db_one(r, &SQL_IMPORT_BY_FILE, (struct db_val[]){ DB_SCOPE(r),
	    DB_B(im->key, sizeof(im->key)), DB_E }, &res);
	if (rc != DB_FOUND)
		return rc == 0 ? DB_RETRY : rc;	/* failed meanwhile */
	http_reply(r, 200, import_row_json(&res));
	http_header(r, "Idempotent-Replayed: true");
	db_res_free(&res);
	return r->reply != NULL ? 0 : api_error(r, ERR_INTERNAL, NULL, NULL);
}

/* The import's row and its file, and the answer (which an
 * Idempotency-Key stores with them); or the same file's import. */
static int
queue_tx(struct req *r, void *arg)
{
	struct import	*im = arg;
	int64_t		 now = time(NULL);
	int		 rc;

	rc = db_exec(r, &SQL_IMPORT_INSERT, (struct db_val[]){ DB_S(im->id),
	    DB_SCOPE(r), DB_S(mode_names[im->mode]),
	    DB_B(im->key, sizeof(im->key)), DB_I(im->total), DB_I(now),
	    DB_I(now), DB_E }, NULL);
	if (rc == DB_DUP)
		return same_file(r, im);
	if (rc != 0 || (rc = store_file(r, im)) != 0)
		return rc;
	http_reply(r, 202, import_json(im));
	return r->reply != NULL ? 0 : api_error(r, ERR_INTERNAL, NULL, NULL);
}

/* Answers 400 with the rows' errors: nothing is imported. */
static void
reject(struct req *r, struct import *im)
{
	api_error(r, ERR_PARAM_INVALID, "file", "file: some rows are "
	    "invalid (see errors); nothing was imported");
	jsonx_add(json_object_object_get(r->reply, "error"), "errors",
	    json_object_get(im->errors));
}

/* POST /v1/customers/import?mode=… (text/csv body) */
void
import_customers(struct req *r)
{
	struct import	 im;

	memset(&im, 0, sizeof(im));
	im.livemode = r->caller.livemode;
	im.errors = json_object_new_array();
	if (read_mode(r, &im) == -1 || check_file(r) == -1 ||
	    read_header(r, &im, r->body, r->body_len) == -1 ||
	    check_rows(r, &im) == -1)
		goto out;
	im.status = json_object_array_length(im.errors) ? "failed" :
	    "succeeded";
	if (im.mode == CUSTOMERS_CHECK) {
		/* What an import would do; skip and update differ only in
		 * the rows counted as skipped here. */
		im.done.processed = im.total;
		http_reply(r, 200, import_json(&im));
	} else if (json_object_array_length(im.errors) > 0)
		reject(r, &im);
	else if (file_key(r, &im) == 0 &&
	    ids_assign(r, "cimp_", im.id, sizeof(im.id)) == 0) {
		memset(&im.done, 0, sizeof(im.done));
		im.status = "pending";
		(void)db_tx(r, queue_tx, &im);
	}
out:
	json_object_put(im.errors);
}

/* GET /v1/customers/imports/:id */
void
import_get(struct req *r)
{
	struct db_res	 res;

	if (db_find(r, &SQL_IMPORT_GET, r->captures[0], "customer import",
	    &res) != DB_FOUND)
		return;
	http_reply(r, 200, import_row_json(&res));
	db_res_free(&res);
	if (r->reply == NULL)
		api_error(r, ERR_INTERNAL, NULL, NULL);
}

/* GET /v1/customers/imports: newest first. */
void
import_list(struct req *r)
{
	struct list_page	 p;

	if (list_params(r, &SQL_IMPORT_CURSOR, &p) == -1)
		return;
	list_answer(r, &p, &SQL_IMPORT_LIST[p.ascending], NULL, 0, 0,
	    import_row_json, "/v1/customers/imports");
}

/* A batch of the import a job holds by "lease". */
struct batch {
	struct import	 im;		/* as committed; errors owned */
	struct counts	 done;		/* with the batch's rows */
	int64_t		 lease;
	char		*data;		/* the stored rows; owned */
	size_t		 failed_row;	/* 0: none */
	int		 lost;		/* another job holds it now */
};

/* Writes b->im.status and the counters "d", ending the lease; the
 * stored file goes with the import's end. No-op once the lease is lost. */
static int
save_progress(struct req *r, struct batch *b, const struct counts *d)
{
	struct import	*im = &b->im;
	uint64_t	 n;
	int		 rc;

	rc = db_exec(r, &SQL_IMPORT_PROGRESS, (struct db_val[]){
	    DB_S(im->status), DB_I(d->processed),
	    DB_I(d->n[CUSTOMERS_CREATED]), DB_I(d->n[CUSTOMERS_UPDATED]),
	    DB_I(d->n[CUSTOMERS_SKIPPED]), DB_S(jsonx_text(im->errors)),
	    DB_S(im->status), DB_I(time(NULL)), DB_SCOPE(r), DB_S(im->id),
	    DB_I(b->lease), DB_E }, &n);
	if (rc != 0 || n == 0 || strcmp(im->status, "running") == 0)
		return rc;
	return db_exec(r, &SQL_DATA_DELETE, (struct db_val[]){ DB_SCOPE(r),
	    DB_S(im->id), DB_E }, NULL);
}

/* Reads the stored rows that follow rows_processed into b->data and
 * im->rows; none if the data is gone. */
static int
load_rows(struct req *r, struct batch *b)
{
	struct import	*im = &b->im;
	struct db_res	 res;
	int64_t		 record;
	size_t		 len;
	int		 rc;

	rc = db_one(r, &SQL_DATA_GET, (struct db_val[]){ DB_SCOPE(r),
	    DB_S(im->id), DB_I(im->done.processed), DB_E }, &res);
	if (rc != DB_FOUND)
		return rc;
	/* res is the connection's until the next statement: copied. */
	record = db_i64(&res, 0);
	len = res.len[1];
	if ((b->data = malloc(len + 1)) != NULL)
		memcpy(b->data, res.val[1], len + 1);
	db_res_free(&res);
	if (b->data == NULL)
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	if (read_header(r, im, b->data, len) == -1)
		return -1;
	im->rows.record = (size_t)record;
	return 0;
}

/* Reads the import the job holds, locked, and its next rows; b->lost if
 * another job holds it now. */
static int
load(struct req *r, struct batch *b)
{
	struct import	*im = &b->im;
	struct db_res	 res;
	int		 rc;

	/* A rerun of the transaction starts afresh. */
	json_object_put(im->errors);
	im->errors = NULL;
	free(b->data);
	b->data = NULL;
	memset(&im->rows, 0, sizeof(im->rows));
	rc = db_one(r, &SQL_IMPORT_LEASED, (struct db_val[]){ DB_SCOPE(r),
	    DB_S(im->id), DB_I(b->lease), DB_E }, &res);
	if ((b->lost = rc == DB_NONE) || rc != DB_FOUND)
		return rc;
	rc = import_from_row(&res, im);
	db_res_free(&res);
	if (rc == -1)
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	b->done = im->done;
	return im->done.processed < im->total ? load_rows(r, b) : 0;
}

static int
batch_tx(struct req *r, void *arg)
{
	struct batch		*b = arg;
	struct import		*im = &b->im;
	struct json_object	*rec, *p;
	enum customers_outcome	 out;
	const char		*why;
	int			 n, rc;

	if ((rc = load(r, b)) != 0 || b->lost)
		return rc;
	for (n = 0; rc == 0 && n < IMPORT_BATCH &&
	    (rec = next_record(&im->rows, &why)) != NULL; n++) {
		p = row_params(im, rec, im->rows.record);
		json_object_put(rec);
		if (p == NULL)		/* checked already: cannot be */
			return api_error(r, ERR_INTERNAL, NULL, NULL);
		if ((rc = run_row(r, im->mode, p, &out)) == 0) {
			b->done.n[out]++;
			b->done.processed++;
		} else if (rc == -1)
			b->failed_row = im->rows.record;
	}
	if (rc != 0)
		return rc;
	if (b->done.processed == im->total)
		im->status = "succeeded";
	else if (b->data != NULL)
		im->status = "running";
	else {
		log_error("import %s: its stored rows are gone", im->id);
		im->status = "failed";
	}
	return save_progress(r, b, &b->done);
}

/* Ends the import as failed, with the counters it had committed. */
static int
fail_tx(struct req *r, void *arg)
{
	struct batch	*b = arg;

	b->im.status = "failed";
	return save_progress(r, b, &b->im.done);
}

/*
 * Writes the next batch of import "id", which the job holds by "lease".
 * A row that fails now (its email taken meanwhile: a 4xx) fails the
 * import, kept in its errors; the batches before it stay. Any other
 * failure (the database away) leaves it to a later turn, once the lease
 * has run out.
 */
static void
import_step(struct req *r, const char *id, int64_t lease)
{
	struct batch	 b;
	int		 rc;

	memset(&b, 0, sizeof(b));
	snprintf(b.im.id, sizeof(b.im.id), "%s", id);
	b.lease = lease;
	rc = db_tx(r, batch_tx, &b);
	if (rc == -1 && r->status >= 500)
		log_warn("import %s: a batch failed (%d); tried again later",
		    id, r->status);
	else if (rc == -1) {
		/* A 4xx comes after load(): b.im is the committed import. */
		if (b.failed_row != 0)
			take_error(r, &b.im, b.failed_row);
		if (db_tx(r, fail_tx, &b) == -1)
			log_warn("import %s: not marked failed (%d)", id,
			    r->status);
	}
	free(b.data);
	json_object_put(b.im.errors);
}

/* Imports claimed in one transaction, all with one lease. */
struct claim {
	struct {
		char	 id[IDS_MAX];
		char	 account[32];
		int	 livemode;
	}		 im[IMPORT_CLAIM_MAX];
	int		 n;
	int64_t		 lease;
};

/* Sets the caller to the owner of claimed import "i". */
static void
act_for(struct req *r, const struct claim *c, int i)
{
	snprintf(r->caller.account_id, sizeof(r->caller.account_id), "%s",
	    c->im[i].account);
	r->caller.livemode = c->im[i].livemode;
}

static int
claim_tx(struct req *r, void *arg)
{
	struct claim	*c = arg;
	struct db_res	 res;
	int64_t		 now = now_ms(CLOCK_REALTIME);
	uint64_t	 leased;
	int		 rc, i, n;

	c->n = 0;
	c->lease = now + IMPORT_LEASE_MS;
	if ((rc = db_query(r, &SQL_IMPORT_DUE, (struct db_val[]){ DB_I(now),
	    DB_I(IMPORT_CLAIM_MAX), DB_E }, &res)) != 0)
		return rc;
	while (c->n < IMPORT_CLAIM_MAX && (rc = db_row(r, &res)) == DB_FOUND) {
		snprintf(c->im[c->n].id, sizeof(c->im[c->n].id), "%s",
		    res.val[0]);
		snprintf(c->im[c->n].account, sizeof(c->im[c->n].account),
		    "%s", res.val[1]);
		c->im[c->n++].livemode = (int)db_i64(&res, 2);
	}
	db_res_free(&res);
	if (rc == -1)
		return -1;
	for (i = n = 0; i < c->n; i++) {
		act_for(r, c, i);
		if ((rc = db_exec(r, &SQL_IMPORT_LEASE, (struct db_val[]){
		    DB_I(c->lease), DB_SCOPE(r), DB_S(c->im[i].id), DB_I(now),
		    DB_E }, &leased)) != 0)
			return rc;
		if (leased == 1)
			c->im[n++] = c->im[i];
	}
	c->n = n;
	return 0;
}

int
import_turn(struct req *r)
{
	struct claim	 c;
	int		 i;

	if (db_tx(r, claim_tx, &c) == -1) {
		log_warn("imports: claiming failed (%d)", r->status);
		return 0;
	}
	for (i = 0; i < c.n; i++) {
		act_for(r, &c, i);
		import_step(r, c.im[i].id, c.lease);
	}
	return c.n;
}
