/*
 * Prices: create, retrieve, list, update (active, nickname, metadata, and
 * the amount while no subscription uses the price).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "db.h"
#include "http.h"
#include "ids.h"
#include "jsonx.h"
#include "list.h"
#include "params.h"
#include "prices.h"

#define NICKNAME_MAX	256
#define LOOKUP_KEY_MAX	200
#define PRICE_COLS "id, unit_amount, currency, interval_unit, interval_count," \
	" nickname, lookup_key, active, metadata, created, livemode"
enum { PR_ID, PR_AMOUNT, PR_CURRENCY, PR_INTERVAL, PR_COUNT, PR_NICKNAME,
	PR_LOOKUP, PR_ACTIVE, PR_METADATA, PR_CREATED, PR_LIVEMODE };

static const struct sql SQL_PRICE_INSERT = {
	"INSERT INTO prices (id, account_id, livemode, unit_amount, currency,"
	" interval_unit, interval_count, nickname, lookup_key, metadata,"
	" created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "ssiississsi", 0 };
static const struct sql SQL_PRICE_GET = {
	"SELECT " PRICE_COLS " FROM prices WHERE " SCOPE " AND id = ?",
	"sis", 0 };
static const struct sql SQL_PRICE_LOCK = {
	"SELECT " PRICE_COLS " FROM prices WHERE " SCOPE " AND id = ?"
	" FOR UPDATE", "sis", 0 };
static const struct sql SQL_PRICE_REF = {
	"SELECT " PRICE_COLS " FROM prices WHERE " SCOPE
	" AND (id = ? OR lookup_key = ?) AND active >= ?", "sissi", 0 };
static const struct sql SQL_PRICE_UPDATE = {
	"UPDATE prices SET unit_amount = ?, nickname = ?, active = ?,"
	" metadata = ? WHERE " SCOPE " AND id = ?", "isissis", 0 };
static const struct sql SQL_PRICE_IN_USE = {
	"SELECT 1 FROM subscriptions WHERE " SCOPE " AND price_id = ? LIMIT 1",
	"sis", 0 };
static const struct sql SQL_PRICE_CURSOR = LIST_CURSOR("prices");
static const struct sql SQL_PRICE_LIST[2] = LIST_PAIR(
	"SELECT " PRICE_COLS " FROM prices WHERE " SCOPE, "");

static struct json_object *
price_json(const struct db_res *res)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*rec = json_object_new_object();

	jsonx_add_str(rec, "interval", res->val[PR_INTERVAL]);
	jsonx_add_i64(rec, "interval_count", db_i64(res, PR_COUNT));
	jsonx_add_str(o, "id", res->val[PR_ID]);
	jsonx_add_str(o, "object", "price");
	jsonx_add_i64(o, "unit_amount", db_i64(res, PR_AMOUNT));
	jsonx_add_str(o, "currency", res->val[PR_CURRENCY]);
	jsonx_add(o, "recurring", rec);
	jsonx_add_str(o, "type", "recurring");
	jsonx_add_str(o, "nickname", res->val[PR_NICKNAME]);
	jsonx_add_str(o, "lookup_key", res->val[PR_LOOKUP]);
	jsonx_add_bool(o, "active", (int)db_i64(res, PR_ACTIVE));
	jsonx_add(o, "metadata", jsonx_parse_object(res->val[PR_METADATA]));
	jsonx_add_i64(o, "created", db_i64(res, PR_CREATED));
	jsonx_add_bool(o, "livemode", (int)db_i64(res, PR_LIVEMODE));
	return o;
}

/* Answers the price with id captures[0] (or "id"); 404 if none. */
static int
answer_price(struct req *r, const struct sql *q, const char *id)
{
	struct db_res	 res;
	int		 rc;

	if ((rc = db_find(r, q, id, "price", &res)) != DB_FOUND)
		return rc;
	http_reply(r, 200, price_json(&res));
	db_res_free(&res);
	return 0;
}

/* recurring[interval] (required) and recurring[interval_count]. */
static int
read_recurring(struct req *r, struct price *p)
{
	struct json_object	*rec = params_get(r, "recurring"), *saved;
	const char		*iv;
	int64_t			 n = 1;
	int			 rc;

	if (!json_object_is_type(rec, json_type_object))
		return api_error(r, rec ? ERR_PARAM_INVALID : ERR_PARAM_MISSING,
		    "recurring[interval]", "recurring[interval]");
	saved = r->params;
	r->params = rec;
	rc = params_allow(r, PARAMS("interval", "interval_count"));
	if (rc == 0 && (rc = params_str(r, "interval", &iv)) == 0)
		rc = api_error(r, ERR_PARAM_MISSING, "recurring[interval]",
		    "recurring[interval]");
	if (rc == PARAMS_PRESENT && (iv == NULL ||
	    period_interval_parse(iv, &p->interval) == -1))
		rc = api_error(r, ERR_PARAM_INVALID, "recurring[interval]",
		    "recurring[interval] (day, week, month or year)");
	if (rc == PARAMS_PRESENT &&
	    params_i64(r, "interval_count", 1, 365, &n) == -1)
		rc = api_error(r, ERR_PARAM_INVALID,
		    "recurring[interval_count]",
		    "recurring[interval_count] (1 to 365)");
	r->params = saved;
	p->interval_count = (int)n;
	return rc == -1 ? -1 : 0;
}

struct new_price {
	struct price		 p;
	const char		*nickname;
	const char		*lookup_key;
	struct json_object	*metadata;
};

static int
create_tx(struct req *r, void *arg)
{
	struct new_price	*n = arg;
	int			 rc;

	rc = db_exec(r, &SQL_PRICE_INSERT, (struct db_val[]){ DB_S(n->p.id),
	    DB_SCOPE(r),
	    DB_I(n->p.unit_amount), DB_S(n->p.currency),
	    DB_S(period_interval_name(n->p.interval)),
	    DB_I(n->p.interval_count), DB_SN(n->nickname),
	    DB_SN(n->lookup_key), DB_S(jsonx_text(n->metadata)),
	    DB_I(time(NULL)), DB_E }, NULL);
	if (rc == DB_DUP)
		return api_error(r, ERR_PARAM_INVALID, "lookup_key",
		    "lookup_key (another price has it)");
	return rc != 0 ? rc : answer_price(r, &SQL_PRICE_GET, n->p.id);
}

static int
price_params(struct req *r, struct new_price *n)
{
	if (params_amount(r, "unit_amount", 1, 0, &n->p.unit_amount) == -1 ||
	    params_currency(r, "currency", 1, n->p.currency) == -1 ||
	    read_recurring(r, &n->p) == -1 ||
	    params_text(r, "nickname", NICKNAME_MAX, &n->nickname) == -1 ||
	    params_text(r, "lookup_key", LOOKUP_KEY_MAX,
	    &n->lookup_key) == -1 ||
	    params_metadata(r, n->metadata) == -1)
		return -1;
	return 0;
}

/* POST /v1/prices */
void
prices_create(struct req *r)
{
	struct new_price	 n;

	memset(&n, 0, sizeof(n));
	n.metadata = json_object_new_object();
	if (price_params(r, &n) == 0 &&
	    ids_assign(r, "price_", n.p.id, sizeof(n.p.id)) == 0)
		(void)db_tx(r, create_tx, &n);
	json_object_put(n.metadata);
}

/* GET /v1/prices/:id */
void
prices_get(struct req *r)
{
	(void)answer_price(r, &SQL_PRICE_GET, r->captures[0]);
}

/* GET /v1/prices */
void
prices_list(struct req *r)
{
	struct list_page	 p;

	if (list_params(r, &SQL_PRICE_CURSOR, &p) == 0)
		list_answer(r, &p, &SQL_PRICE_LIST[p.ascending], NULL, 0, 0,
		    price_json,
		    "/v1/prices");
}

static int
update_tx(struct req *r, void *arg)
{
	struct json_object	*meta;
	struct db_res		 res;
	const char		*nickname;
	char			*old_nickname = NULL;
	int64_t			 amount;
	int			 active, rc, amount_sent;

	(void)arg;
	rc = db_one(r, &SQL_PRICE_LOCK, (struct db_val[]){
	    DB_SCOPE(r),
	    DB_S(r->captures[0]), DB_E }, &res);
	if (rc != DB_FOUND)
		return rc == 0 ? answer_price(r, &SQL_PRICE_GET,
		    r->captures[0]) : rc;
	amount = db_i64(&res, PR_AMOUNT);
	active = (int)db_i64(&res, PR_ACTIVE);
	meta = jsonx_parse_object(res.val[PR_METADATA]);
	if (res.val[PR_NICKNAME] != NULL)
		old_nickname = strdup(res.val[PR_NICKNAME]);
	nickname = old_nickname;
	db_res_free(&res);
	rc = params_metadata(r, meta) == -1 || params_bool(r, "active",
	    &active) == -1 ?
	    -1 : 0;
	if (rc == 0 && params_has(r, "nickname") &&
	    params_text(r, "nickname", NICKNAME_MAX, &nickname) == -1)
		rc = -1;
	if (rc == 0 && (amount_sent = params_amount(r, "unit_amount", 0, 0,
	    &amount)) == -1)
		rc = -1;
	/* A price in use keeps its amount: subscribers agreed to it. */
	if (rc == 0 && amount_sent == PARAMS_PRESENT &&
	    (rc = db_one(r, &SQL_PRICE_IN_USE, (struct db_val[]){
	    DB_SCOPE(r), DB_S(r->captures[0]), DB_E }, &res)) == DB_FOUND) {
		db_res_free(&res);
		rc = api_error(r, ERR_PARAM_INVALID, "unit_amount",
		    "unit_amount (the price is in use by a subscription)");
	}
	if (rc == 0)
		rc = db_exec(r, &SQL_PRICE_UPDATE, (struct db_val[]){
		    DB_I(amount), DB_SN(nickname), DB_I(active),
		    DB_S(jsonx_text(meta)), DB_SCOPE(r), DB_S(r->captures[0]),
		    DB_E }, NULL);
	json_object_put(meta);
	free(old_nickname);
	if (rc == 0)
		rc = answer_price(r, &SQL_PRICE_GET, r->captures[0]);
	return rc;
}

/* POST /v1/prices/:id: active, nickname, metadata, unit_amount. */
void
prices_update(struct req *r)
{
	(void)db_tx(r, update_tx, NULL);
}

int
prices_ref(struct req *r, const char *ref, const char *param,
    int active_only, struct price *out)
{
	struct db_res	 res;
	char		 what[80];
	int		 rc;

	rc = db_one(r, &SQL_PRICE_REF, (struct db_val[]){
	    DB_SCOPE(r), DB_S(ref),
	    DB_S(ref), DB_I(active_only ? 1 : 0), DB_E }, &res);
	if (rc == 0) {
		snprintf(what, sizeof(what), "%sprice: '%.40s'",
		    active_only ? "active " : "", ref);
		return api_error(r, ERR_REF_MISSING, param, what);
	}
	if (rc != DB_FOUND)
		return rc;
	snprintf(out->id, sizeof(out->id), "%s", res.val[PR_ID]);
	out->unit_amount = db_i64(&res, PR_AMOUNT);
	snprintf(out->currency, sizeof(out->currency), "%s",
	    res.val[PR_CURRENCY]);
	(void)period_interval_parse(res.val[PR_INTERVAL], &out->interval);
	out->interval_count = (int)db_i64(&res, PR_COUNT);
	db_res_free(&res);
	return 0;
}
