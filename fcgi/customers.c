/*
 * Customers (API.md "Customers"): create, retrieve, update (PUT or POST),
 * soft delete, list with cursors and filters, and search. One renderer,
 * customer_json(), serves every answer and every event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "clocks.h"
#include "customers.h"
#include "db.h"
#include "dedupe.h"
#include "events.h"
#include "http.h"
#include "ids.h"
#include "jsonx.h"
#include "list.h"
#include "params.h"
#include "search.h"
#include "valid.h"

/* The columns every customer query selects, in this order. */
#define CUSTOMER_COLS \
	"id, name, email, phone, metadata, created, updated, livemode, pk," \
	" default_pm, test_clock"
enum { COL_ID, COL_NAME, COL_EMAIL, COL_PHONE, COL_METADATA, COL_CREATED,
	COL_UPDATED, COL_LIVEMODE, COL_PK, COL_DEFAULT_PM, COL_TEST_CLOCK };

static const struct sql SQL_CUSTOMER_GET = {
	"SELECT " CUSTOMER_COLS " FROM customers"
	" WHERE " SCOPE " AND id = ? AND deleted IS NULL", "sis", 0 };
static const struct sql SQL_CUSTOMER_LOCK = {
	"SELECT " CUSTOMER_COLS " FROM customers"
	" WHERE " SCOPE " AND id = ? AND deleted IS NULL FOR UPDATE", "sis", 0 };
static const struct sql SQL_CUSTOMER_SHARE = {
	"SELECT " CUSTOMER_COLS " FROM customers"
	" WHERE " SCOPE " AND id = ? AND deleted IS NULL LOCK IN SHARE MODE",
	"sis", 0 };
static const struct sql SQL_CUSTOMER_INSERT = {
	"INSERT INTO customers (id, account_id, livemode, name, email, phone,"
	" metadata, created, updated, test_clock, email_norm, phone_norm)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "ssissssiisss", 0 };
static const struct sql SQL_CUSTOMER_UPDATE = {
	"UPDATE customers SET name = ?, email = ?, phone = ?, metadata = ?,"
	" default_pm = ?, updated = ?, email_norm = ?, phone_norm = ?"
	" WHERE " SCOPE " AND id = ? AND deleted IS NULL",
	"sssssisssis", 0 };
static const struct sql SQL_CUSTOMER_DELETE = {
	"UPDATE customers SET deleted = ?, updated = ?"
	" WHERE " SCOPE " AND id = ? AND deleted IS NULL", "iisis", 0 };
/* A merged customer: deleted, saying into whom (dedupe.c). */
static const struct sql SQL_CUSTOMER_MERGED = {
	"UPDATE customers SET deleted = ?, updated = ?, merged_into = ?"
	" WHERE " SCOPE " AND id = ? AND deleted IS NULL", "iissis", 0 };
/* The live customers sharing a duplicate key, oldest first. */
static const struct sql SQL_CUSTOMER_BY_KEY[2] = {
	{ "SELECT " CUSTOMER_COLS " FROM customers WHERE " SCOPE
	  " AND deleted IS NULL AND email_norm = ? ORDER BY pk LIMIT ?",
	  "sisi", 0 },
	{ "SELECT " CUSTOMER_COLS " FROM customers WHERE " SCOPE
	  " AND deleted IS NULL AND phone_norm = ? ORDER BY pk LIMIT ?",
	  "sisi", 0 },
};
static const struct sql SQL_CUSTOMER_UNSET_DEFAULT = {
	"UPDATE customers SET default_pm = NULL, updated = ? WHERE " SCOPE
	" AND id = ? AND default_pm = ?", "isiss", 0 };
/* A payment method attached to the customer, for its default. */
static const struct sql SQL_CUSTOMER_PM = {
	"SELECT 1 FROM payment_methods WHERE " SCOPE " AND id = ?"
	" AND customer_id = ?", "siss", 0 };
static const struct sql SQL_CUSTOMER_BY_EMAIL = {
	"SELECT id FROM customers WHERE " SCOPE " AND live_email = ?", "sis", 0 };

/* A customer as read from a row or built from parameters. */
struct customer {
	char			 id[IDS_MAX];
	char			*name;
	char			*email;
	char			*phone;		/* NULL: none */
	struct json_object	*metadata;	/* object of strings */
	int64_t			 created;
	int64_t			 updated;
	int			 livemode;
	char			 default_pm[IDS_MAX];	/* "" if none */
	char			 test_clock[IDS_MAX];	/* "" if none */
};

static void
customer_free(struct customer *c)
{
	free(c->name);
	free(c->email);
	free(c->phone);
	json_object_put(c->metadata);
	memset(c, 0, sizeof(*c));
}

static int
customer_from_row(struct customer *c, const struct db_res *res)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", res->val[COL_ID]);
	c->name = strdup(res->val[COL_NAME]);
	c->email = strdup(res->val[COL_EMAIL]);
	c->phone = res->val[COL_PHONE] ? strdup(res->val[COL_PHONE]) : NULL;
	c->metadata = jsonx_parse_object(res->val[COL_METADATA]);
	c->created = db_i64(res, COL_CREATED);
	c->updated = db_i64(res, COL_UPDATED);
	c->livemode = (int)db_i64(res, COL_LIVEMODE);
	snprintf(c->default_pm, sizeof(c->default_pm), "%s",
	    res->val[COL_DEFAULT_PM] ? res->val[COL_DEFAULT_PM] : "");
	snprintf(c->test_clock, sizeof(c->test_clock), "%s",
	    res->val[COL_TEST_CLOCK] ? res->val[COL_TEST_CLOCK] : "");
	if (c->name == NULL || c->email == NULL || c->metadata == NULL ||
	    (res->val[COL_PHONE] != NULL && c->phone == NULL)) {
		customer_free(c);
		return -1;
	}
	return 0;
}

/* The API object; a new reference. */
static struct json_object *
customer_json(const struct customer *c)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*inv = json_object_new_object();

	jsonx_add_str(inv, "default_payment_method",
	    c->default_pm[0] ? c->default_pm : NULL);
	jsonx_add_str(o, "id", c->id);
	jsonx_add_str(o, "object", "customer");
	jsonx_add_str(o, "name", c->name);
	jsonx_add_str(o, "email", c->email);
	jsonx_add_str(o, "phone", c->phone);
	jsonx_add_i64(o, "created", c->created);
	jsonx_add_i64(o, "updated", c->updated);
	jsonx_add(o, "metadata", json_object_get(c->metadata));
	jsonx_add(o, "invoice_settings", inv);
	jsonx_add_str(o, "test_clock", c->test_clock[0] ? c->test_clock : NULL);
	jsonx_add_bool(o, "livemode", c->livemode);
	return o;
}

enum lock { LOCK_NONE, LOCK_SHARE, LOCK_UPDATE };

static const struct sql *const load_sql[] = {
	&SQL_CUSTOMER_GET,	/* LOCK_NONE */
	&SQL_CUSTOMER_SHARE,	/* LOCK_SHARE */
	&SQL_CUSTOMER_LOCK,	/* LOCK_UPDATE */
};

/*
 * Loads customer "id" of the caller with "lock". If it does not exist,
 * answers 404 for the path's id, or 400 resource_missing naming "param"
 * when the id came in a parameter. Returns 0, DB_RETRY, or -1 (set).
 */
static int
customer_load(struct req *r, const char *id, enum lock lock,
    const char *param, struct customer *c)
{
	struct db_res	 res;
	char		 what[64];
	int		 rc;

	/* Not one of our ids: no such customer, and no query (MariaDB's
	 * PAD SPACE comparison would match "cust_… " with the spaces). */
	rc = ids_valid(id, "cust_") == -1 ? 0 :
	    db_one(r, load_sql[lock], (struct db_val[]){
	    DB_SCOPE(r), DB_S(id),
	    DB_E }, &res);
	if (rc == 0) {
		snprintf(what, sizeof(what), "customer: '%.40s'", id);
		return api_error(r, param ? ERR_REF_MISSING :
		    ERR_RESOURCE_MISSING, param ? param : "id", what);
	}
	if (rc != DB_FOUND)
		return rc;
	rc = customer_from_row(c, &res);
	db_res_free(&res);
	return rc == 0 ? 0 : api_error(r, ERR_INTERNAL, NULL, NULL);
}

/* name: required on create, 1..256 characters once trimmed. */
static int
read_name(struct req *r, int creating, struct customer *c)
{
	const char	*s;
	int		 rc;

	if ((rc = params_str(r, "name", &s)) == -1)
		return -1;
	if (rc == 0 && !creating)
		return 0;
	if (s == NULL || (c->name = strdup(s)) == NULL ||
	    *valid_trim(c->name) == '\0')
		return api_error(r, ERR_PARAM_MISSING, "name", "name");
	if (valid_text(c->name, VALID_NAME_MAX) == -1)
		return api_error(r, ERR_PARAM_INVALID, "name",
		    "name (1 to 256 characters, no control characters)");
	return 0;
}

/* email: required on create; kept as given, compared case-insensitively. */
static int
read_email(struct req *r, int creating, struct customer *c)
{
	const char	*s;
	int		 rc;

	if ((rc = params_str(r, "email", &s)) == -1)
		return -1;
	if (rc == 0 && !creating)
		return 0;
	if (s == NULL || *s == '\0')
		return api_error(r, ERR_PARAM_MISSING, "email", "email");
	if ((c->email = strdup(s)) == NULL ||
	    valid_email(valid_trim(c->email)) == -1)
		return api_error(r, ERR_EMAIL_INVALID, "email", NULL);
	return 0;
}

/* phone: E.164 after dropping separators; null or "" means none. */
static int
read_phone(struct req *r, int *sent, struct customer *c)
{
	char		 phone[VALID_PHONE_MAX + 1];
	const char	*s;
	int		 rc;

	if ((rc = params_str(r, "phone", &s)) == -1)
		return -1;
	*sent = rc;
	if (rc == 0 || s == NULL || *s == '\0')
		return 0;
	if (valid_phone(s, phone, sizeof(phone)) == -1)
		return api_error(r, ERR_PHONE_INVALID, "phone", NULL);
	return (c->phone = strdup(phone)) != NULL ? 0 :
	    api_error(r, ERR_INTERNAL, NULL, NULL);
}

/*
 * invoice_settings[default_payment_method]: a payment method attached to
 * this customer, or "" / null for none.
 */
static int
read_default_pm(struct req *r, struct customer *c)
{
	struct json_object	*inv = params_get(r, "invoice_settings");
	struct json_object	*pm = NULL;
	const char		*param = "invoice_settings[default_payment_method]";
	struct db_res		 res;
	const char		*id;
	char			 what[96];
	int			 rc;

	if (!params_has(r, "invoice_settings"))
		return 0;
	if (!json_object_is_type(inv, json_type_object) ||
	    json_object_object_length(inv) != 1 ||
	    !json_object_object_get_ex(inv, "default_payment_method", &pm) ||
	    (pm != NULL && !json_object_is_type(pm, json_type_string)))
		return api_error(r, ERR_PARAM_INVALID, "invoice_settings",
		    "invoice_settings (only default_payment_method)");
	id = pm != NULL ? json_object_get_string(pm) : "";
	if (*id == '\0') {
		c->default_pm[0] = '\0';
		return 0;
	}
	rc = db_one(r, &SQL_CUSTOMER_PM, (struct db_val[]){ DB_SCOPE(r),
	    DB_S(id), DB_S(c->id), DB_E }, &res);
	if (rc != DB_FOUND) {
		if (rc != 0)
			return rc;
		snprintf(what, sizeof(what), "payment method attached to this "
		    "customer: '%.40s'", id);
		return api_error(r, ERR_REF_MISSING, param, what);
	}
	db_res_free(&res);
	snprintf(c->default_pm, sizeof(c->default_pm), "%s", id);
	return 0;
}

/* test_clock: at creation only, a clock of this account (test mode). */
static int
read_test_clock(struct req *r, int creating, struct customer *c)
{
	const char	*id;
	int64_t		 now;
	int		 rc;

	if ((rc = params_str(r, "test_clock", &id)) != PARAMS_PRESENT ||
	    id == NULL ||
	    *id == '\0')
		return rc == -1 ? -1 : 0;
	if (!creating)
		return api_error(r, ERR_PARAM_INVALID, "test_clock",
		    "test_clock (it can only be set when creating)");
	if ((rc = clocks_now(r, id, "test_clock", &now)) != 0)
		return rc;
	snprintf(c->test_clock, sizeof(c->test_clock), "%s", id);
	return 0;
}

/*
 * Reads the parameters into "c": on create every field, on update only
 * those sent (c holds the current customer). *changed says whether
 * anything was sent. Returns 0, DB_RETRY, or -1 with 400 set.
 */
static int
customer_params(struct req *r, int creating, struct customer *c,
    int *changed)
{
	struct customer	 in;
	int		 phone_sent = 0, rc = 0;

	memset(&in, 0, sizeof(in));
	if (read_name(r, creating, &in) == -1 ||
	    read_email(r, creating, &in) == -1 ||
	    read_phone(r, &phone_sent, &in) == -1 ||
	    params_metadata(r, c->metadata) == -1 ||
	    (rc = read_default_pm(r, c)) != 0 ||
	    (rc = read_test_clock(r, creating, c)) != 0) {
		customer_free(&in);
		return rc != 0 ? rc : -1;
	}
	*changed = json_object_object_length(r->params) > 0;
	if (in.name != NULL) {
		free(c->name);
		c->name = in.name;
	}
	if (in.email != NULL) {
		free(c->email);
		c->email = in.email;
	}
	if (phone_sent) {
		free(c->phone);
		c->phone = in.phone;
	}
	return 0;
}

/* 409 naming the live customer that has c->email already. */
static int
duplicate_email(struct req *r, const struct customer *c)
{
	struct json_object	*err;
	struct db_res		 res;
	char			 existing[IDS_MAX] = "";
	int			 rc;

	rc = db_one(r, &SQL_CUSTOMER_BY_EMAIL, (struct db_val[]){
	    DB_SCOPE(r),
	    DB_S(c->email), DB_E }, &res);
	if (rc != DB_FOUND)
		return rc == 0 ? DB_RETRY : rc;	/* deleted meanwhile */
	snprintf(existing, sizeof(existing), "%s", res.val[0]);
	db_res_free(&res);
	api_error(r, ERR_ALREADY_EXISTS, "email", existing);
	if (json_object_object_get_ex(r->reply, "error", &err))
		jsonx_add_str(err, "existing_id", existing);
	return -1;
}

/* Renders "c", writes event "type" about it, and answers with it. */
static int
answer_with_event(struct req *r, const struct customer *c,
    enum event_type type)
{
	struct json_object	*obj = customer_json(c);
	int			 rc;

	if ((rc = events_add(r, type, obj)) != 0) {
		json_object_put(obj);
		return rc;
	}
	http_reply(r, 200, obj);
	return 0;
}

/* The duplicate keys of "c" (dedupe.c); "" binds as NULL. */
#define DB_KEY(s)	DB_SN((s)[0] != '\0' ? (s) : NULL)

static int
insert_tx(struct req *r, void *arg)
{
	struct customer		*c = arg;
	struct dedupe_keys	 k;
	int			 rc;

	(void)dedupe_keys(c->email, c->phone, &k);
	rc = db_exec(r, &SQL_CUSTOMER_INSERT, (struct db_val[]){ DB_S(c->id),
	    DB_SCOPE(r),
	    DB_S(c->name), DB_S(c->email), DB_SN(c->phone),
	    DB_S(jsonx_text(c->metadata)), DB_I(c->created),
	    DB_I(c->updated), DB_SN(c->test_clock[0] ? c->test_clock : NULL),
	    DB_KEY(k.email), DB_KEY(k.phone), DB_E }, NULL);
	if (rc == DB_DUP)
		return duplicate_email(r, c);
	if (rc != 0)
		return rc;
	return answer_with_event(r, c, EVT_CUSTOMER_CREATED);
}

/* POST /v1/customers */
void
customers_create(struct req *r)
{
	struct customer	 c;
	int		 changed;

	memset(&c, 0, sizeof(c));
	c.metadata = json_object_new_object();
	c.created = c.updated = time(NULL);
	c.livemode = r->caller.livemode;
	if (customer_params(r, 1, &c, &changed) == 0 &&
	    ids_assign(r, "cust_", c.id, sizeof(c.id)) == 0)
		(void)db_tx(r, insert_tx, &c);
	customer_free(&c);
}

int
customers_ref(struct req *r, const char *id, const char *param,
    struct customer_ref *out)
{
	struct customer	 c;
	int		 rc;

	if ((rc = customer_load(r, id, LOCK_SHARE, param, &c)) != 0)
		return rc;
	if (out != NULL) {
		snprintf(out->default_pm, sizeof(out->default_pm), "%s",
		    c.default_pm);
		snprintf(out->test_clock, sizeof(out->test_clock), "%s",
		    c.test_clock);
	}
	customer_free(&c);
	return 0;
}

/* GET /v1/customers/:id */
void
customers_get(struct req *r)
{
	struct customer	 c;

	if (customer_load(r, r->captures[0], LOCK_NONE, NULL, &c) != 0)
		return;
	http_reply(r, 200, customer_json(&c));
	customer_free(&c);
}

/* Writes "c" back with its duplicate keys, bumping "updated". Returns
 * as db_exec(). */
static int
customer_save(struct req *r, struct customer *c)
{
	struct dedupe_keys	 k;

	(void)dedupe_keys(c->email, c->phone, &k);
	c->updated = time(NULL);
	return db_exec(r, &SQL_CUSTOMER_UPDATE, (struct db_val[]){
	    DB_S(c->name), DB_S(c->email), DB_SN(c->phone),
	    DB_S(jsonx_text(c->metadata)),
	    DB_SN(c->default_pm[0] ? c->default_pm : NULL),
	    DB_I(c->updated), DB_KEY(k.email), DB_KEY(k.phone),
	    DB_SCOPE(r),
	    DB_S(c->id), DB_E }, NULL);
}

static int
update_tx(struct req *r, void *arg)
{
	struct customer	 c;
	int		 changed = 0, rc;

	(void)arg;
	if ((rc = customer_load(r, r->captures[0], LOCK_UPDATE, NULL, &c)) != 0)
		return rc;
	if ((rc = customer_params(r, 0, &c, &changed)) == 0 && !changed)
		http_reply(r, 200, customer_json(&c));
	else if (rc == 0) {
		rc = customer_save(r, &c);
		if (rc == DB_DUP)
			rc = duplicate_email(r, &c);
		if (rc == 0)
			rc = answer_with_event(r, &c, EVT_CUSTOMER_UPDATED);
	}
	customer_free(&c);
	return rc;
}

/* PUT or POST /v1/customers/:id: a partial update. */
void
customers_update(struct req *r)
{
	(void)db_tx(r, update_tx, NULL);
}

static int
delete_tx(struct req *r, void *arg)
{
	struct customer		 c;
	int64_t			 now = time(NULL);
	int			 rc;

	(void)arg;
	if ((rc = customer_load(r, r->captures[0], LOCK_UPDATE, NULL, &c)) != 0)
		return rc;
	rc = db_exec(r, &SQL_CUSTOMER_DELETE, (struct db_val[]){ DB_I(now),
	    DB_I(now), DB_SCOPE(r),
	    DB_S(c.id), DB_E }, NULL);
	if (rc == 0)
		rc = answer_with_event(r, &c, EVT_CUSTOMER_DELETED);
	if (rc == 0)
		http_reply_deleted(r, c.id, "customer");
	customer_free(&c);
	return rc;
}

/* DELETE /v1/customers/:id: soft delete; payments keep the customer. */
void
customers_delete(struct req *r)
{
	(void)db_tx(r, delete_tx, NULL);
}

/* The index is named: left to itself, MariaDB reads a cursor's page by
 * walking (account, mode) from the newest row, so a cursor deep in a
 * million customers read half of them (tests/bench/scale.sh). */
#define LIST_HEAD(hint)							\
	"SELECT " CUSTOMER_COLS " FROM customers " hint " WHERE " SCOPE	\
	" AND deleted IS NULL"

static const struct sql SQL_CUSTOMER_CURSOR = LIST_CURSOR("customers");
/* Indexed by [email filter][ascending]. */
static const struct sql SQL_CUSTOMER_LIST[2][2] = {
	LIST_PAIR_CREATED(LIST_HEAD("FORCE INDEX (customers_list)"), ""),
	LIST_PAIR_CREATED(LIST_HEAD("") " AND email = ?", "s"),
};

/* The API object of a customer row, for list_rows(); NULL if out of
 * memory. */
static struct json_object *
customer_row_json(const struct db_res *res)
{
	struct json_object	*o;
	struct customer		 c;

	if (customer_from_row(&c, res) == -1)
		return NULL;
	o = customer_json(&c);
	customer_free(&c);
	return o;
}

/* GET /v1/customers */
void
customers_list(struct req *r)
{
	struct list_page	 p;
	const char		*email = NULL;

	if (params_str(r, "email", &email) == -1 ||
	    list_params(r, &SQL_CUSTOMER_CURSOR, &p) == -1)
		return;
	list_answer(r, &p, &SQL_CUSTOMER_LIST[email != NULL][p.ascending],
	    &email, 1, 1, customer_row_json, "/v1/customers");
}

/* Builds the search statement for a compiled query: scope, page, limit. */
static int
search_statement(const struct search_sql *s, struct sql *q, char **text,
    char **sig)
{
	size_t	 i, n = 0;

	/* An exact email among live customers is unique: saying so with
	 * live_email (the email while not deleted, same collation) makes it
	 * one lookup of a unique key instead of a range on customers_email,
	 * a third less of MariaDB's time. Every match has it, so nothing is
	 * lost. */
	if (asprintf(text, "SELECT " CUSTOMER_COLS " FROM customers WHERE "
	    SCOPE "%s AND deleted IS NULL AND pk < ? AND %s ORDER BY pk DESC"
	    " LIMIT ?", s->email_eq ? " AND live_email = ?" : "",
	    s->where) == -1)
		return -1;
	if ((*sig = malloc(s->nbinds + 6)) == NULL) {
		free(*text);
		return -1;
	}
	(*sig)[n++] = 's';
	(*sig)[n++] = 'i';
	if (s->email_eq)
		(*sig)[n++] = 's';
	(*sig)[n++] = 'i';
	for (i = 0; i < s->nbinds; i++)
		(*sig)[n++] = s->binds[i].is_int ? 'i' : 's';
	(*sig)[n++] = 'i';
	(*sig)[n] = '\0';
	q->text = *text;
	q->sig = *sig;
	q->once = 1;
	return 0;
}

/* Runs a compiled search for one page; answers. */
static void
search_run(struct req *r, const struct search_sql *s, struct list_page *p)
{
	struct db_val		 args[SEARCH_MAX_CLAUSES * 3 + 6] = {
	    DB_SCOPE(r) };
	struct json_object	*rows, *next = NULL;
	struct db_res		 res;
	struct sql		 q;
	char			*text, *sig, last_id[IDS_MAX];
	size_t			 i, n = 2, len;

	if (search_statement(s, &q, &text, &sig) == -1) {
		api_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	if (s->email_eq)
		args[n++] = DB_S(s->email_eq);
	args[n++] = DB_I(p->below_pk);
	for (i = 0; i < s->nbinds; i++)
		args[n++] = s->binds[i].is_int ? DB_I(s->binds[i].num) :
		    DB_S(s->binds[i].str);
	args[n++] = DB_I(p->limit + 1);
	args[n] = DB_E;
	if (db_query(r, &q, args, &res) == 0 &&
	    (rows = list_rows(r, &res, customer_row_json)) != NULL) {
		len = json_object_array_length(rows);
		if (len > (size_t)p->limit) {
			/* The page token is the last shown customer's id. */
			snprintf(last_id, sizeof(last_id), "%s",
			    json_object_get_string(json_object_object_get(
			    json_object_array_get_idx(rows, len - 2), "id")));
			next = json_object_new_string(last_id);
		}
		list_reply(r, p, rows, "search_result", "/v1/customers/search");
		jsonx_add(r->reply, "next_page", next);
		if (next == NULL)
			jsonx_add_null(r->reply, "next_page");
	}
	free(text);
	free(sig);
}

/* GET /v1/customers/search?query=…&limit=…&page=… */
void
customers_search(struct req *r)
{
	struct search_query	 sq;
	struct search_sql	 ss;
	struct list_page	 p;
	const char		*query, *err = NULL;
	char			 detail[128];
	size_t			 pos = 0;
	int			 rc;

	memset(&p, 0, sizeof(p));
	p.limit = LIST_LIMIT_DEFAULT;
	p.below_pk = INT64_MAX;
	if ((rc = params_str(r, "query", &query)) == -1 ||
	    params_i64(r, "limit", 1, LIST_LIMIT_MAX, &p.limit) == -1)
		return;
	if (rc == 0 || query == NULL || query[strspn(query, " \t")] == '\0') {
		api_error(r, ERR_PARAM_MISSING, "query", "query");
		return;
	}
	if (params_has(r, "page")) {
		/* The page token is a customer id: the same cursor lookup. */
		json_object_object_add(r->params, "starting_after",
		    json_object_get(params_get(r, "page")));
		if (list_params(r, &SQL_CUSTOMER_CURSOR, &p) == -1) {
			if (r->status == 400)
				api_error(r, ERR_PARAM_INVALID, "page", "page");
			return;
		}
	}
	memset(&sq, 0, sizeof(sq));
	memset(&ss, 0, sizeof(ss));
	if (search_parse(query, &sq, &err, &pos) == -1) {
		snprintf(detail, sizeof(detail), "at position %zu: %s", pos, err);
		api_error(r, ERR_QUERY_INVALID, "query", detail);
	} else if (search_compile(&sq, &ss) == -1)
		api_error(r, ERR_INTERNAL, NULL, NULL);
	else
		search_run(r, &ss, &p);
	search_sql_free(&ss);
	search_free(&sq);
}

int
customers_unset_default_pm(struct req *r, const char *id, const char *pm)
{
	return db_exec(r, &SQL_CUSTOMER_UNSET_DEFAULT, (struct db_val[]){
	    DB_I(time(NULL)), DB_SCOPE(r), DB_S(id), DB_S(pm), DB_E }, NULL);
}

struct json_object *
customers_with_key(struct req *r, int phone, const char *key, int64_t max)
{
	struct db_res	 res;

	if (db_query(r, &SQL_CUSTOMER_BY_KEY[phone != 0], (struct db_val[]){
	    DB_SCOPE(r), DB_S(key), DB_I(max), DB_E }, &res) != 0)
		return NULL;
	return list_rows(r, &res, customer_row_json);
}

/*
 * Gives "s" what it lacks of "f": a phone, the metadata keys it has not
 * (while under the limit), a default payment method (merge.c moves the
 * method with the rest). Returns 0, or -1 out of memory.
 */
static int
fill_from(struct customer *s, const struct customer *f)
{
	if (s->phone == NULL && f->phone != NULL &&
	    (s->phone = strdup(f->phone)) == NULL)
		return -1;
	json_object_object_foreach(f->metadata, key, val) {
		if (json_object_object_length(s->metadata) >= VALID_META_KEYS)
			break;
		if (!json_object_object_get_ex(s->metadata, key, NULL) &&
		    json_object_object_add(s->metadata, key,
		    json_object_get(val)) == -1)
			return -1;
	}
	if (s->default_pm[0] == '\0')
		snprintf(s->default_pm, sizeof(s->default_pm), "%s",
		    f->default_pm);
	return 0;
}

/* Writes event "type" about "c" with "key": "id" added to its object. */
static int
event_with(struct req *r, enum event_type type, const struct customer *c,
    const char *key, const char *id)
{
	struct json_object	*obj = customer_json(c);
	int			 rc;

	jsonx_add_str(obj, key, id);
	rc = events_add(r, type, obj);
	json_object_put(obj);
	return rc;
}

/* "s" takes what it lacks of "f"; "f" is deleted, merged into "s". */
static int
absorb(struct req *r, struct customer *s, const struct customer *f)
{
	int64_t	 now = time(NULL);
	int	 rc;

	/* A test clock is the customer's "now" for its subscriptions, which
	 * keep their own copy of it: they cannot change clocks in a merge. */
	if (strcmp(s->test_clock, f->test_clock) != 0)
		return api_error(r, ERR_PARAM_INVALID, "from",
		    "from (a customer on the same test clock, or on none)");
	if (fill_from(s, f) == -1)
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	if ((rc = customer_save(r, s)) != 0 ||
	    (rc = db_exec(r, &SQL_CUSTOMER_MERGED, (struct db_val[]){
	    DB_I(now), DB_I(now), DB_S(s->id), DB_SCOPE(r), DB_S(f->id),
	    DB_E }, NULL)) != 0 ||
	    (rc = event_with(r, EVT_CUSTOMER_DELETED, f, "merged_into",
	    s->id)) != 0 ||
	    (rc = answer_with_event(r, s, EVT_CUSTOMER_UPDATED)) != 0)
		return rc == DB_DUP ? api_error(r, ERR_INTERNAL, NULL, NULL) :
		    rc;
	return event_with(r, EVT_CUSTOMER_MERGED, s, "merged_from", f->id);
}

int
customers_merge(struct req *r, const char *into, const char *from)
{
	struct customer	 s, f;
	int		 rc;

	if ((rc = customer_load(r, into, LOCK_UPDATE, NULL, &s)) != 0)
		return rc;
	if (from == NULL)
		http_reply(r, 200, customer_json(&s));
	else if ((rc = customer_load(r, from, LOCK_UPDATE, "from", &f)) == 0) {
		rc = absorb(r, &s, &f);
		customer_free(&f);
	}
	customer_free(&s);
	return rc;
}
