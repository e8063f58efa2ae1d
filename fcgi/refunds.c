/*
 * Refunds (API.md "Refunds", as Stripe's Refund): create, retrieve, list.
 * A refund gives back all or part of a succeeded payment, never more
 * than is left of it: the payment's row is locked for the check, and
 * the refund, the payment's amount_refunded, its customer's refunded
 * volume and the events refund.created and payment.refunded commit
 * together (payments.c owns the payment's side).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "db.h"
#include "events.h"
#include "http.h"
#include "ids.h"
#include "jsonx.h"
#include "list.h"
#include "params.h"
#include "payments.h"
#include "refunds.h"

#define REASON_MAX	32
#define REFUND_COLS "id, amount, currency, payment_id, status, reason," \
	" metadata, created, livemode"
enum { RE_ID, RE_AMOUNT, RE_CURRENCY, RE_PAYMENT, RE_STATUS, RE_REASON,
	RE_METADATA, RE_CREATED, RE_LIVEMODE };

static const struct sql SQL_REFUND_INSERT = {
	"INSERT INTO refunds (id, account_id, livemode, payment_id, amount,"
	" currency, reason, status, metadata, created)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, 'succeeded', ?, ?)", "ssisisssi", 0 };
static const struct sql SQL_REFUND_GET = {
	"SELECT " REFUND_COLS " FROM refunds WHERE " SCOPE " AND id = ?",
	"sis", 0 };
static const struct sql SQL_REFUND_CURSOR = LIST_CURSOR("refunds");

/* Each list names its index, so a deep cursor reads a range (as
 * payments.c). */
#define REFUND_LIST_HEAD(index)						\
	"SELECT " REFUND_COLS " FROM refunds FORCE INDEX (" index ")"	\
	" WHERE " SCOPE

/* Indexed by [payment filter][ascending]. */
static const struct sql SQL_REFUND_LIST[2][2] = {
	LIST_PAIR_CREATED(REFUND_LIST_HEAD("refunds_list"), ""),
	LIST_PAIR_CREATED(REFUND_LIST_HEAD("refunds_payment")
	    " AND payment_id = ?", "s"),
};

/* Stripe's reasons a merchant may give. */
static const char *const reasons[] = { "duplicate", "fraudulent",
    "requested_by_customer" };

/* A refund being made. */
struct new_refund {
	char			 id[IDS_MAX];
	const char		*payment;
	int64_t			 amount;	/* 0: what is left */
	const char		*reason;	/* may be NULL */
	struct json_object	*metadata;
	int64_t			 created;
};

/* The API object of the current row; a new reference. */
static struct json_object *
refund_json(const struct db_res *res)
{
	struct json_object	*o = json_object_new_object();

	jsonx_add_str(o, "id", res->val[RE_ID]);
	jsonx_add_str(o, "object", "refund");
	jsonx_add_i64(o, "amount", db_i64(res, RE_AMOUNT));
	jsonx_add_str(o, "currency", res->val[RE_CURRENCY]);
	jsonx_add_str(o, "payment", res->val[RE_PAYMENT]);
	jsonx_add_str(o, "status", res->val[RE_STATUS]);
	jsonx_add_str(o, "reason", res->val[RE_REASON]);
	jsonx_add(o, "metadata", jsonx_parse_object(res->val[RE_METADATA]));
	jsonx_add_i64(o, "created", db_i64(res, RE_CREATED));
	jsonx_add_bool(o, "livemode", (int)db_i64(res, RE_LIVEMODE));
	return o;
}

static int
refund_params(struct req *r, struct new_refund *n)
{
	size_t	 i;

	if (params_id(r, "payment", 1, &n->payment) == -1 ||
	    params_amount(r, "amount", 0, 1, &n->amount) == -1 ||
	    params_text(r, "reason", REASON_MAX, &n->reason) == -1 ||
	    params_metadata(r, n->metadata) == -1)
		return -1;
	for (i = 0; n->reason != NULL && i < 3 &&
	    strcmp(n->reason, reasons[i]); i++)
		;
	if (i == 3)
		return api_error(r, ERR_PARAM_INVALID, "reason", "reason "
		    "(duplicate, fraudulent or requested_by_customer)");
	return 0;
}

/* What may be refunded of "p" into *out: the amount asked, else all
 * that is left. Returns 0, or -1 with 400 if that is nothing or too
 * much. */
static int
refundable(struct req *r, const struct payment_ref *p, int64_t asked,
    int64_t *out)
{
	char	 what[80];
	int64_t	 left = p->amount - p->amount_refunded;

	if (!p->succeeded) {
		snprintf(what, sizeof(what), "%s did not succeed", p->id);
		return api_error(r, ERR_NOT_REFUNDABLE, "payment", what);
	}
	if (left <= 0)
		return api_error(r, ERR_ALREADY_REFUNDED, "payment", p->id);
	if (asked > left) {
		snprintf(what, sizeof(what), "%lld of %lld",
		    (long long)left, (long long)p->amount);
		return api_error(r, ERR_REFUND_TOO_LARGE, "amount", what);
	}
	*out = asked != 0 ? asked : left;
	return 0;
}

/* The refund just inserted and its two events; answers the refund. */
static int
refund_made(struct req *r, const struct new_refund *n,
    struct json_object *payment)
{
	struct json_object	*obj;
	struct db_res		 res;
	int			 rc;

	if ((rc = db_one(r, &SQL_REFUND_GET, (struct db_val[]){ DB_SCOPE(r),
	    DB_S(n->id), DB_E }, &res)) != DB_FOUND)
		return rc == 0 ? api_error(r, ERR_INTERNAL, NULL, NULL) : rc;
	obj = refund_json(&res);
	db_res_free(&res);
	if ((rc = events_add(r, EVT_REFUND_CREATED, obj)) != 0 ||
	    (rc = events_add(r, EVT_PAYMENT_REFUNDED, payment)) != 0) {
		json_object_put(obj);
		return rc;
	}
	http_reply(r, 200, obj);
	return 0;
}

static int
create_tx(struct req *r, void *arg)
{
	struct new_refund	*n = arg;
	struct payment_ref	 p;
	struct json_object	*payment;
	int64_t			 amount = 0;
	int			 rc;

	if ((rc = payments_lock(r, n->payment, "payment", &p)) != 0 ||
	    (rc = refundable(r, &p, n->amount, &amount)) != 0)
		return rc;
	if ((rc = db_exec(r, &SQL_REFUND_INSERT, (struct db_val[]){
	    DB_S(n->id), DB_SCOPE(r), DB_S(p.id), DB_I(amount),
	    DB_S(p.currency), DB_SN(n->reason), DB_S(jsonx_text(n->metadata)),
	    DB_I(n->created), DB_E }, NULL)) != 0 ||
	    (rc = payments_refund(r, &p, amount, &payment)) != 0)
		return rc;
	rc = refund_made(r, n, payment);
	json_object_put(payment);
	return rc;
}

/* POST /v1/refunds */
void
refunds_create(struct req *r)
{
	struct new_refund	 n;

	memset(&n, 0, sizeof(n));
	n.metadata = json_object_new_object();
	n.created = time(NULL);
	if (refund_params(r, &n) == 0 &&
	    ids_assign(r, "re_", n.id, sizeof(n.id)) == 0)
		(void)db_tx(r, create_tx, &n);
	json_object_put(n.metadata);
}

/* GET /v1/refunds/:id */
void
refunds_get(struct req *r)
{
	struct db_res	 res;

	if (db_find(r, &SQL_REFUND_GET, r->captures[0], "refund",
	    &res) != DB_FOUND)
		return;
	http_reply(r, 200, refund_json(&res));
	db_res_free(&res);
}

/* GET /v1/refunds: newest first; payment, created and cursors. */
void
refunds_list(struct req *r)
{
	const char		*payment = NULL;
	struct list_page	 p;

	if (params_str(r, "payment", &payment) == -1 ||
	    list_params(r, &SQL_REFUND_CURSOR, &p) == -1)
		return;
	list_answer(r, &p, &SQL_REFUND_LIST[payment != NULL][p.ascending],
	    &payment, 1, 1, refund_json, "/v1/refunds");
}
