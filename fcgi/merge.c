/*
 * POST /v1/customers/:id/merge (API.md "Customers", issue 15): customer
 * "from" goes into ":id", the survivor, in one transaction: its
 * payments, saved payment methods, subscriptions and payment schedules
 * move (refunds name their payment, so they follow it), the survivor's
 * analytics aggregates are counted again from its payments, and
 * customers_merge() fills the survivor's empty fields and deletes "from"
 * with merged_into. Merging a "from" already merged into the same
 * survivor answers the survivor and does nothing.
 *
 * Events, in the same transaction: customer.deleted (from, with
 * merged_into) and customer.updated (the survivor) from customers.c;
 * payment_method.updated for each method moved and subscription.updated
 * for each subscription not ended, with previous_attributes {customer};
 * then customer.merged, the survivor with merged_from and "moved", how
 * many rows of each kind moved. Payments, payment schedules and ended
 * subscriptions get no event each: a customer's history may hold any
 * number of them, and one transaction must not write as many events.
 */
#include <string.h>

#include <json-c/json.h>

#include "customers.h"
#include "db.h"
#include "http.h"
#include "events.h"
#include "ids.h"
#include "jsonx.h"
#include "merge.h"
#include "params.h"
#include "payment_methods.h"
#include "subscriptions.h"

struct merge {
	const char	*into;
	const char	*from;
};

/* "from", locked: whether it is deleted, and into whom it was merged. */
static const struct sql SQL_FROM_STATE = {
	"SELECT deleted, merged_into FROM customers WHERE " SCOPE
	" AND id = ? FOR UPDATE", "sis", 0 };

/* Every row that names a customer, by its table, which names its count
 * in customer.merged's "moved". Bound (into, scope, from). */
#define MOVE(table)							\
	{ table, { "UPDATE " table " SET customer_id = ? WHERE " SCOPE	\
	  " AND customer_id = ?", "ssis", 0 } }
static const struct {
	const char	*table;
	struct sql	 q;
} moves[] = {
	MOVE("payments"),
	MOVE("payment_methods"),
	MOVE("subscriptions"),
	MOVE("payment_schedules"),
};

/* The aggregates payments.c keeps, of both customers. Bound (scope,
 * into, from). */
static const struct sql SQL_FORGET[] = {
	{ "DELETE FROM customer_totals WHERE " SCOPE
	  " AND customer_id IN (?, ?)", "siss", 0 },
	{ "DELETE FROM customer_volumes WHERE " SCOPE
	  " AND customer_id IN (?, ?)", "siss", 0 },
	{ "DELETE d FROM customer_daily_volumes d JOIN customers c"
	  " ON c.pk = d.customer_pk WHERE " SCOPE_OF("c")
	  " AND c.id IN (?, ?)", "siss", 0 },
};

/* The survivor's aggregates counted from its payments, by the rules
 * payments.c adds them with: succeeded and failed payments, the volume
 * (and what was refunded of it) per currency and per UTC day. Bound
 * (scope, into). */
static const struct sql SQL_RECOUNT[] = {
	{ "INSERT INTO customer_totals (customer_id, account_id, livemode,"
	  " succeeded, failed) SELECT customer_id, account_id, livemode,"
	  " SUM(status = 'succeeded'), SUM(status = 'failed') FROM payments"
	  " WHERE " SCOPE " AND customer_id = ?"
	  " GROUP BY customer_id, account_id, livemode", "sis", 0 },
	{ "INSERT INTO customer_volumes (customer_id, currency, account_id,"
	  " livemode, payments, volume, refunded) SELECT customer_id,"
	  " currency, account_id, livemode, COUNT(*), SUM(amount),"
	  " SUM(amount_refunded) FROM payments WHERE " SCOPE
	  " AND customer_id = ? AND status = 'succeeded'"
	  " GROUP BY customer_id, currency, account_id, livemode", "sis", 0 },
	{ "INSERT INTO customer_daily_volumes (customer_pk, currency, day,"
	  " account_id, livemode, payments, volume) SELECT c.pk, p.currency,"
	  " p.created - MOD(p.created, 86400), p.account_id, p.livemode,"
	  " COUNT(*), SUM(p.amount) FROM payments p JOIN customers c"
	  " ON c.id = p.customer_id AND c.account_id = p.account_id"
	  " AND c.livemode = p.livemode WHERE " SCOPE_OF("p")
	  " AND p.customer_id = ? AND p.status = 'succeeded'"
	  " GROUP BY c.pk, p.currency, p.created - MOD(p.created, 86400),"
	  " p.account_id, p.livemode", "sis", 0 },
};
/* The last succeeded payment is the one with the highest pk. Bound
 * (scope, into, scope, into). */
static const struct sql SQL_RECOUNT_LAST = {
	"UPDATE customer_totals t JOIN (SELECT pk, id, amount, currency,"
	" created FROM payments WHERE " SCOPE " AND customer_id = ?"
	" AND status = 'succeeded' ORDER BY pk DESC LIMIT 1) l"
	" SET t.last_pk = l.pk, t.last_id = l.id, t.last_amount = l.amount,"
	" t.last_currency = l.currency, t.last_created = l.created"
	" WHERE " SCOPE_OF("t") " AND t.customer_id = ?", "sissis", 0 };

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Moves what names "from" to "into", adding how many rows of each table
 * moved to "moved", and counts the survivor again. */
static int
move_and_recount(struct req *r, const struct merge *m,
    struct json_object *moved)
{
	uint64_t	 n;
	size_t		 i;
	int		 rc = 0;

	for (i = 0; rc == 0 && i < NELEM(moves); i++)
		if ((rc = db_exec(r, &moves[i].q, (struct db_val[]){
		    DB_S(m->into), DB_SCOPE(r), DB_S(m->from), DB_E },
		    &n)) == 0)
			jsonx_add_i64(moved, moves[i].table, (int64_t)n);
	for (i = 0; rc == 0 && i < NELEM(SQL_FORGET); i++)
		rc = db_exec(r, &SQL_FORGET[i], (struct db_val[]){
		    DB_SCOPE(r), DB_S(m->into), DB_S(m->from), DB_E }, NULL);
	for (i = 0; rc == 0 && i < NELEM(SQL_RECOUNT); i++)
		rc = db_exec(r, &SQL_RECOUNT[i], (struct db_val[]){
		    DB_SCOPE(r), DB_S(m->into), DB_E }, NULL);
	if (rc == 0)
		rc = db_exec(r, &SQL_RECOUNT_LAST, (struct db_val[]){
		    DB_SCOPE(r), DB_S(m->into), DB_SCOPE(r), DB_S(m->into),
		    DB_E }, NULL);
	/* No statement here inserts a row another could hold. */
	return rc == DB_DUP ? api_error(r, ERR_INTERNAL, NULL, NULL) : rc;
}

/*
 * The state of "from": DB_FOUND if live, 0 if merged into "into"
 * already (*done set), or 404 for one that does not exist for the
 * caller or was deleted otherwise (customers_missing(): another
 * account's or mode's id answers exactly as a missing one). Returns as
 * well DB_RETRY or -1.
 */
static int
from_state(struct req *r, const struct merge *m, int *done)
{
	struct db_res	 res;
	int		 rc, live = 0;

	*done = 0;
	rc = ids_valid(m->from, "cust_") == -1 ? DB_NONE :
	    db_one(r, &SQL_FROM_STATE, (struct db_val[]){ DB_SCOPE(r),
	    DB_S(m->from), DB_E }, &res);
	if (rc == DB_FOUND) {
		live = res.val[0] == NULL;
		*done = !live && res.val[1] != NULL &&
		    strcmp(res.val[1], m->into) == 0;
		db_res_free(&res);
		if (live || *done)
			return live ? DB_FOUND : 0;
	} else if (rc != DB_NONE)
		return rc;
	return customers_missing(r, m->from, ERR_RESOURCE_MISSING, "from");
}

/* customer.merged: the survivor as customers_merge() answered it, with
 * merged_from and "moved" (borrowed). */
static int
merged_event(struct req *r, const struct merge *m, struct json_object *moved)
{
	struct json_object	*obj = NULL;
	int			 rc;

	if (json_object_deep_copy(r->reply, &obj, NULL) != 0)
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	jsonx_add_str(obj, "merged_from", m->from);
	jsonx_add(obj, "moved", json_object_get(moved));
	rc = events_add(r, EVT_CUSTOMER_MERGED, obj);
	json_object_put(obj);
	return rc;
}

static int
merge_tx(struct req *r, void *arg)
{
	const struct merge	*m = arg;
	struct json_object	*moved;
	int			 done, rc;

	if ((rc = from_state(r, m, &done)) != DB_FOUND)
		return rc == 0 && done ? customers_merge(r, m->into, NULL) :
		    rc;
	if ((rc = customers_merge(r, m->into, m->from)) != 0 ||
	    (rc = payment_methods_merge_events(r, m->from, m->into)) != 0 ||
	    (rc = subscriptions_merge_events(r, m->from, m->into)) != 0)
		return rc;
	if ((moved = json_object_new_object()) == NULL)
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	if ((rc = move_and_recount(r, m, moved)) == 0)
		rc = merged_event(r, m, moved);
	json_object_put(moved);
	return rc;
}

void
merge_customers(struct req *r)
{
	struct merge	 m;

	m.into = r->captures[0];
	if (params_id(r, "from", 1, &m.from) == -1)
		return;
	if (strcmp(m.into, m.from) == 0) {
		api_error(r, ERR_PARAM_INVALID, "from",
		    "from (a customer cannot be merged into itself)");
		return;
	}
	(void)db_tx(r, merge_tx, &m);
}
