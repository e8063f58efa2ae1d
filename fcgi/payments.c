/*
 * Payments: create (charged through processor.c), retrieve, list. Each
 * payment updates its customer's aggregates (customer_totals,
 * customer_volumes, customer_daily_volumes) in its own transaction, so
 * the analytics read from them (analytics.c) cost the same at any
 * history size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "customers.h"
#include "db.h"
#include "events.h"
#include "http.h"
#include "ids.h"
#include "jsonx.h"
#include "list.h"
#include "params.h"
#include "payment_methods.h"
#include "payments.h"
#include "period.h"
#include "processor.h"

#define PAY_COLS "id, amount, currency, customer_id, description, status," \
	" failure_code, payment_method, metadata, created, livemode, pk," \
	" amount_refunded"
enum { PAY_ID, PAY_AMOUNT, PAY_CURRENCY, PAY_CUSTOMER, PAY_DESCRIPTION,
	PAY_STATUS, PAY_FAILURE, PAY_PM, PAY_METADATA, PAY_CREATED,
	PAY_LIVEMODE, PAY_PK, PAY_REFUNDED };

static const struct sql SQL_PAY_INSERT = {
	"INSERT INTO payments (id, account_id, livemode, customer_id, amount,"
	" currency, description, status, failure_code, payment_method,"
	" metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	"ssisissssssi", 0 };
static const struct sql SQL_PAY_GET = {
	"SELECT " PAY_COLS " FROM payments WHERE " SCOPE " AND id = ?",
	"sis", 0 };
static const struct sql SQL_PAY_LOCK = {
	"SELECT " PAY_COLS " FROM payments WHERE " SCOPE " AND id = ?"
	" FOR UPDATE", "sis", 0 };
static const struct sql SQL_PAY_REFUND = {
	"UPDATE payments SET amount_refunded = amount_refunded + ?"
	" WHERE " SCOPE " AND id = ?", "isis", 0 };
static const struct sql SQL_VOLUME_REFUND = {
	"UPDATE customer_volumes SET refunded = refunded + ?"
	" WHERE " SCOPE " AND customer_id = ? AND currency = ?", "isiss", 0 };
static const struct sql SQL_PAY_CURSOR = LIST_CURSOR("payments");
static const struct sql SQL_TOTALS_SUCCEEDED = {
	"INSERT INTO customer_totals (customer_id, account_id, livemode,"
	" succeeded, failed, last_pk, last_id, last_amount, last_currency,"
	" last_created) VALUES (?, ?, ?, 1, 0, LAST_INSERT_ID(), ?, ?, ?, ?)"
	" ON DUPLICATE KEY UPDATE succeeded = succeeded + 1,"
	/* The last payment is the one with the highest pk; last_pk is set
	 * last because later assignments see the earlier ones. */
	" last_id = IF(VALUES(last_pk) > IFNULL(last_pk, 0),"
	"  VALUES(last_id), last_id),"
	" last_amount = IF(VALUES(last_pk) > IFNULL(last_pk, 0),"
	"  VALUES(last_amount), last_amount),"
	" last_currency = IF(VALUES(last_pk) > IFNULL(last_pk, 0),"
	"  VALUES(last_currency), last_currency),"
	" last_created = IF(VALUES(last_pk) > IFNULL(last_pk, 0),"
	"  VALUES(last_created), last_created),"
	" last_pk = GREATEST(IFNULL(last_pk, 0), VALUES(last_pk))",
	"ssisisi", 0 };
static const struct sql SQL_TOTALS_FAILED = {
	"INSERT INTO customer_totals (customer_id, account_id, livemode,"
	" succeeded, failed) VALUES (?, ?, ?, 0, 1)"
	" ON DUPLICATE KEY UPDATE failed = failed + 1", "ssi", 0 };
static const struct sql SQL_VOLUME_ADD = {
	"INSERT INTO customer_volumes (customer_id, currency, account_id,"
	" livemode, payments, volume) VALUES (?, ?, ?, ?, 1, ?)"
	" ON DUPLICATE KEY UPDATE payments = payments + 1,"
	" volume = volume + VALUES(volume)", "sssii", 0 };
static const struct sql SQL_DAY_VOLUME_ADD = {
	"INSERT INTO customer_daily_volumes (customer_pk, currency, day,"
	" account_id, livemode, payments, volume)"
	" SELECT pk, ?, ?, account_id, livemode, 1, ? FROM customers"
	" WHERE " SCOPE " AND id = ?"
	" ON DUPLICATE KEY UPDATE payments = payments + 1,"
	" volume = volume + ?", "siisisi", 0 };

/* Each list names its index: left to itself, MariaDB walks the rows from
 * the newest to a cursor, so a page deep in a long history read tens of
 * thousands of rows (tests/bench/scale.sh); with the index it is a range
 * of limit + 1 rows. */
#define PAY_LIST_HEAD(index)						\
	"SELECT " PAY_COLS " FROM payments FORCE INDEX (" index ")"	\
	" WHERE " SCOPE

/* Indexed by [customer filter + 2 * status filter][ascending]. */
static const struct sql SQL_PAY_LIST[4][2] = {
	LIST_PAIR_CREATED(PAY_LIST_HEAD("payments_list"), ""),
	LIST_PAIR_CREATED(PAY_LIST_HEAD("payments_customer")
	    " AND customer_id = ?", "s"),
	LIST_PAIR_CREATED(PAY_LIST_HEAD("payments_status")
	    " AND status = ?", "s"),
	LIST_PAIR_CREATED(PAY_LIST_HEAD("payments_customer")
	    " AND customer_id = ? AND status = ?", "ss"),
};

/* A payment's fields, from a row or from the charge just recorded. */
struct payment_view {
	const char	*id, *currency, *customer, *description, *status;
	const char	*failure, *pm;
	const char	*metadata;	/* JSON text */
	int64_t		 amount, amount_refunded, created;
	int		 livemode;
};

/* The API object of a payment; a new reference. */
static struct json_object *
payment_render(const struct payment_view *v)
{
	struct json_object	*o = json_object_new_object();

	jsonx_add_str(o, "id", v->id);
	jsonx_add_str(o, "object", "payment");
	jsonx_add_i64(o, "amount", v->amount);
	jsonx_add_i64(o, "amount_refunded", v->amount_refunded);
	jsonx_add_str(o, "currency", v->currency);
	jsonx_add_str(o, "customer", v->customer);
	jsonx_add_str(o, "description", v->description);
	jsonx_add_str(o, "status", v->status);
	/* As Stripe's Charge: true once refunded in full. */
	jsonx_add_bool(o, "refunded", v->amount_refunded > 0 &&
	    v->amount_refunded == v->amount);
	jsonx_add_str(o, "failure_code", v->failure);
	jsonx_add_str(o, "payment_method", v->pm);
	jsonx_add(o, "metadata", jsonx_parse_object(v->metadata));
	jsonx_add_i64(o, "created", v->created);
	jsonx_add_bool(o, "livemode", v->livemode);
	return o;
}

/* The API object of the current row; a new reference. */
static struct json_object *
payment_json(const struct db_res *res)
{
	struct payment_view	 v;

	v.id = res->val[PAY_ID];
	v.amount = db_i64(res, PAY_AMOUNT);
	v.amount_refunded = db_i64(res, PAY_REFUNDED);
	v.currency = res->val[PAY_CURRENCY];
	v.customer = res->val[PAY_CUSTOMER];
	v.description = res->val[PAY_DESCRIPTION];
	v.status = res->val[PAY_STATUS];
	v.failure = res->val[PAY_FAILURE];
	v.pm = res->val[PAY_PM];
	v.metadata = res->val[PAY_METADATA];
	v.created = db_i64(res, PAY_CREATED);
	v.livemode = (int)db_i64(res, PAY_LIVEMODE);
	return payment_render(&v);
}

static int
charge_params(struct req *r, struct charge *ch)
{
	if (params_amount(r, "amount", 1, 1, &ch->amount) == -1 ||
	    params_currency(r, "currency", 1, ch->currency) == -1 ||
	    params_id(r, "customer", 0, &ch->customer) == -1 ||
	    params_text(r, "description", PARAMS_DESCRIPTION_MAX,
	    &ch->description) == -1 ||
	    params_id(r, "payment_method", 0, &ch->payment_method) == -1 ||
	    params_metadata(r, ch->metadata) == -1)
		return -1;
	return 0;
}

/* Which token pays: the one sent, else the customer's default. */
static int
choose_token(struct req *r, struct charge *ch, char *token, size_t sz)
{
	struct customer_ref	 ref;
	char			*def = ref.default_pm;
	int			 rc;

	def[0] = '\0';
	if (ch->customer != NULL && (rc = customers_ref(r, ch->customer,
	    "customer", &ref)) != 0)
		return rc;
	*token = '\0';
	ch->pm_used[0] = '\0';
	if (ch->payment_method != NULL) {
		snprintf(ch->pm_used, sizeof(ch->pm_used), "%s",
		    ch->payment_method);
		return payment_methods_token(r, ch->payment_method,
		    ch->customer, "payment_method", token, sz);
	}
	if (def[0] == '\0')
		return 0;
	snprintf(ch->pm_used, sizeof(ch->pm_used), "%s", def);
	return payment_methods_token(r, def, ch->customer, "payment_method",
	    token, sz);
}

/* Counts the payment into its customer's aggregates. */
static int
aggregate(struct req *r, const struct charge *ch)
{
	int	 rc;

	if (ch->customer == NULL)
		return 0;
	if (ch->failure != NULL)
		return db_exec(r, &SQL_TOTALS_FAILED, (struct db_val[]){
		    DB_S(ch->customer), DB_SCOPE(r), DB_E }, NULL);
	if ((rc = db_exec(r, &SQL_TOTALS_SUCCEEDED, (struct db_val[]){
	    DB_S(ch->customer), DB_SCOPE(r), DB_S(ch->id), DB_I(ch->amount),
	    DB_S(ch->currency), DB_I(ch->created), DB_E }, NULL)) != 0 ||
	    (rc = db_exec(r, &SQL_VOLUME_ADD, (struct db_val[]){
	    DB_S(ch->customer), DB_S(ch->currency), DB_SCOPE(r),
	    DB_I(ch->amount), DB_E }, NULL)) != 0)
		return rc;
	return db_exec(r, &SQL_DAY_VOLUME_ADD, (struct db_val[]){
	    DB_S(ch->currency), DB_I(period_day_start(ch->created)),
	    DB_I(ch->amount), DB_SCOPE(r), DB_S(ch->customer), DB_I(ch->amount),
	    DB_E }, NULL);
}

/* 200 with the payment, or 402 with it inside the card error. */
static int
answer(struct req *r, const struct charge *ch, struct json_object *obj)
{
	struct json_object	*err;

	if (ch->failure == NULL) {
		http_reply(r, 200, obj);
		return 0;
	}
	api_error(r, strcmp(ch->failure, "insufficient_funds") == 0 ?
	    ERR_INSUFFICIENT_FUNDS : ERR_CARD_DECLINED, "payment_method", NULL);
	if (json_object_object_get_ex(r->reply, "error", &err)) {
		jsonx_add_str(err, "decline_code", ch->failure);
		jsonx_add(err, "payment", obj);
	} else
		json_object_put(obj);
	return 0;
}

static const char *
charge_status(const struct charge *ch)
{
	if (ch->pending)
		return "pending";
	return ch->failure != NULL ? "failed" : "succeeded";
}

/*
 * The API object of the payment "ch" just inserted, as reading its row
 * back would give it (saving that round trip); a new reference. The
 * metadata is the text the INSERT stored; the customer id is exactly
 * one of ours (customers_ref refuses any other).
 */
static struct json_object *
payment_made_json(struct req *r, const struct charge *ch)
{
	struct payment_view	 v;

	v.id = ch->id;
	v.amount = ch->amount;
	v.amount_refunded = 0;
	v.currency = ch->currency;
	v.customer = ch->customer;
	v.description = ch->description;
	v.status = charge_status(ch);
	v.failure = ch->failure;
	v.pm = ch->pm_used[0] ? ch->pm_used : NULL;
	v.metadata = jsonx_text(ch->metadata);
	v.created = ch->created;
	v.livemode = r->caller.livemode;
	return payment_render(&v);
}

int
payments_make(struct req *r, struct charge *ch, struct json_object **obj)
{
	char		 token[80];
	int		 rc;

	*obj = NULL;
	if ((rc = choose_token(r, ch, token, sizeof(token))) != 0)
		return rc;
	ch->failure = NULL;
	if (!ch->pending && processor_charge(r->caller.livemode,
	    token[0] ? token : NULL, ch->amount, ch->currency, &ch->failure) ==
	    PROCESSOR_NOT_CONFIGURED)
		return api_error(r, ERR_PROCESSOR, NULL, NULL);
	rc = db_exec(r, &SQL_PAY_INSERT, (struct db_val[]){ DB_S(ch->id),
	    DB_SCOPE(r),
	    DB_SN(ch->customer), DB_I(ch->amount), DB_S(ch->currency),
	    DB_SN(ch->description), DB_S(charge_status(ch)),
	    DB_SN(ch->failure), DB_SN(ch->pm_used[0] ? ch->pm_used : NULL),
	    DB_S(jsonx_text(ch->metadata)), DB_I(ch->created), DB_E }, NULL);
	if (rc != 0 || (!ch->pending && (rc = aggregate(r, ch)) != 0))
		return rc;
	*obj = payment_made_json(r, ch);
	if (ch->pending)
		return 0;	/* nothing happened yet to tell */
	if ((rc = events_add(r, ch->failure ? EVT_PAYMENT_FAILED :
	    EVT_PAYMENT_SUCCEEDED, *obj)) != 0) {
		json_object_put(*obj);
		*obj = NULL;
	}
	return rc;
}

static int
charge_tx(struct req *r, void *arg)
{
	struct charge		*ch = arg;
	struct json_object	*obj;
	int			 rc;

	if ((rc = payments_make(r, ch, &obj)) != 0)
		return rc;
	return answer(r, ch, obj);
}

/* Live mode needs a payment processor: refused before anything is
 * written. */
static int
processor_ready(struct req *r)
{
	return r->caller.livemode ? api_error(r, ERR_PROCESSOR, NULL, NULL) :
	    0;
}

/* POST /v1/payments */
void
payments_create(struct req *r)
{
	struct charge	 ch;

	memset(&ch, 0, sizeof(ch));
	ch.metadata = json_object_new_object();
	ch.created = time(NULL);
	if (charge_params(r, &ch) == 0 && processor_ready(r) == 0 &&
	    ids_assign(r, "pay_", ch.id, sizeof(ch.id)) == 0)
		(void)db_tx(r, charge_tx, &ch);
	json_object_put(ch.metadata);
}

/* GET /v1/payments/:id */
void
payments_get(struct req *r)
{
	struct db_res	 res;

	if (db_find(r, &SQL_PAY_GET, r->captures[0], "payment",
	    &res) != DB_FOUND)
		return;
	http_reply(r, 200, payment_json(&res));
	db_res_free(&res);
}

int
payments_lock(struct req *r, const char *id, const char *param,
    struct payment_ref *out)
{
	struct db_res	 res;
	char		 what[80];
	int		 rc;

	rc = db_one(r, &SQL_PAY_LOCK, (struct db_val[]){ DB_SCOPE(r),
	    DB_S(id), DB_E }, &res);
	if (rc == 0) {
		snprintf(what, sizeof(what), "payment: '%.40s'", id);
		return api_error(r, ERR_REF_MISSING, param, what);
	}
	if (rc != DB_FOUND)
		return rc;
	snprintf(out->id, sizeof(out->id), "%s", res.val[PAY_ID]);
	out->amount = db_i64(&res, PAY_AMOUNT);
	out->amount_refunded = db_i64(&res, PAY_REFUNDED);
	snprintf(out->currency, sizeof(out->currency), "%s",
	    res.val[PAY_CURRENCY]);
	snprintf(out->customer, sizeof(out->customer), "%s",
	    res.val[PAY_CUSTOMER] != NULL ? res.val[PAY_CUSTOMER] : "");
	out->succeeded = strcmp(res.val[PAY_STATUS], "succeeded") == 0;
	db_res_free(&res);
	return 0;
}

int
payments_refund(struct req *r, const struct payment_ref *p, int64_t amount,
    struct json_object **obj)
{
	struct db_res	 res;
	int		 rc;

	*obj = NULL;
	if ((rc = db_exec(r, &SQL_PAY_REFUND, (struct db_val[]){ DB_I(amount),
	    DB_SCOPE(r), DB_S(p->id), DB_E }, NULL)) != 0)
		return rc;
	/* The customer's volume row exists: the payment succeeded. */
	if (p->customer[0] != '\0' && (rc = db_exec(r, &SQL_VOLUME_REFUND,
	    (struct db_val[]){ DB_I(amount), DB_SCOPE(r), DB_S(p->customer),
	    DB_S(p->currency), DB_E }, NULL)) != 0)
		return rc;
	if ((rc = db_one(r, &SQL_PAY_GET, (struct db_val[]){ DB_SCOPE(r),
	    DB_S(p->id), DB_E }, &res)) != DB_FOUND)
		return rc == 0 ? api_error(r, ERR_INTERNAL, NULL, NULL) : rc;
	*obj = payment_json(&res);
	db_res_free(&res);
	return 0;
}

/* GET /v1/payments: newest first; customer (deleted ones too), status,
 * created and cursors. */
void
payments_list(struct req *r)
{
	static const char *const statuses[] = { "succeeded", "failed",
	    "pending" };
	const char		*filters[2] = { NULL, NULL };
	struct list_page	 p;
	size_t			 i;

	if (params_str(r, "customer", &filters[0]) == -1 ||
	    params_str(r, "status", &filters[1]) == -1 ||
	    list_params(r, &SQL_PAY_CURSOR, &p) == -1)
		return;
	for (i = 0; filters[1] != NULL && i < 3 &&
	    strcmp(filters[1], statuses[i]); i++)
		;
	if (i == 3) {
		api_error(r, ERR_PARAM_INVALID, "status",
		    "status (succeeded, failed or pending)");
		return;
	}
	list_answer(r, &p, &SQL_PAY_LIST[(filters[0] != NULL) +
	    2 * (filters[1] != NULL)][p.ascending], filters, 2, 1,
	    payment_json, "/v1/payments");
}

