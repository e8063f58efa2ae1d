/*
 * Payment schedules: create (run_at in the future), retrieve, list,
 * cancel before they run; schedules_step() runs a due one exactly once
 * for the billing job (claimed with SKIP LOCKED, charged and marked done
 * in one transaction).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "billing.h"
#include "clocks.h"
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
#include "schedules.h"

#define SCHED_COLS "id, customer_id, amount, currency, payment_method," \
	" description, run_at, status, payment_id, metadata, created, livemode"
enum { SC_ID, SC_CUSTOMER, SC_AMOUNT, SC_CURRENCY, SC_PM, SC_DESCRIPTION,
	SC_RUN_AT, SC_STATUS, SC_PAYMENT, SC_METADATA, SC_CREATED,
	SC_LIVEMODE };

static const struct sql SQL_SCHED_INSERT = {
	"INSERT INTO payment_schedules (id, account_id, livemode, customer_id,"
	" amount, currency, payment_method, description, run_at, status,"
	" test_clock, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
	" 'scheduled', ?, ?, ?)", "ssisisssissi", 0 };
static const struct sql SQL_SCHED_GET = {
	"SELECT " SCHED_COLS " FROM payment_schedules WHERE " SCOPE
	" AND id = ?", "sis", 0 };
static const struct sql SQL_SCHED_LOCK = {
	"SELECT " SCHED_COLS " FROM payment_schedules WHERE " SCOPE
	" AND id = ? FOR UPDATE", "sis", 0 };
static const struct sql SQL_SCHED_CLAIM = {
	"SELECT " SCHED_COLS " FROM payment_schedules WHERE " SCOPE
	" AND id = ? FOR UPDATE SKIP LOCKED", "sis", 0 };
static const struct sql SQL_SCHED_DONE = {
	"UPDATE payment_schedules SET status = ?, payment_id = ? WHERE " SCOPE
	" AND id = ?", "sssis", 0 };
/* What a customer's deletion cancels: the schedules yet to run. */
static const struct sql SQL_SCHED_OF_CUSTOMER = {
	"SELECT id FROM payment_schedules WHERE " SCOPE " AND customer_id = ?"
	" AND status = 'scheduled' ORDER BY pk FOR UPDATE", "sis", 0 };
static const struct sql SQL_SCHED_CURSOR = LIST_CURSOR("payment_schedules");
#define SCHED_LIST_HEAD	"SELECT " SCHED_COLS " FROM payment_schedules"	\
	" WHERE " SCOPE
/* Indexed by [customer filter][ascending]. */
static const struct sql SQL_SCHED_LIST[2][2] = {
	LIST_PAIR(SCHED_LIST_HEAD, ""),
	LIST_PAIR(SCHED_LIST_HEAD " AND customer_id = ?", "s"),
};

static struct json_object *
sched_json(const struct db_res *res)
{
	struct json_object	*o = json_object_new_object();

	jsonx_add_str(o, "id", res->val[SC_ID]);
	jsonx_add_str(o, "object", "payment_schedule");
	jsonx_add_str(o, "customer", res->val[SC_CUSTOMER]);
	jsonx_add_i64(o, "amount", db_i64(res, SC_AMOUNT));
	jsonx_add_str(o, "currency", res->val[SC_CURRENCY]);
	jsonx_add_str(o, "payment_method", res->val[SC_PM]);
	jsonx_add_str(o, "description", res->val[SC_DESCRIPTION]);
	jsonx_add_i64(o, "run_at", db_i64(res, SC_RUN_AT));
	jsonx_add_str(o, "status", res->val[SC_STATUS]);
	jsonx_add_str(o, "payment", res->val[SC_PAYMENT]);
	jsonx_add(o, "metadata", jsonx_parse_object(res->val[SC_METADATA]));
	jsonx_add_i64(o, "created", db_i64(res, SC_CREATED));
	jsonx_add_bool(o, "livemode", (int)db_i64(res, SC_LIVEMODE));
	return o;
}

/* Answers schedule "id" read with "q"; 404 if there is none. With
 * "status", only if it has that status (else 400 naming it). */
static int
answer_sched(struct req *r, const struct sql *q, const char *id,
    const char *status)
{
	struct db_res	 res;
	int		 rc;

	if ((rc = db_find(r, q, id, "payment_schedule", &res)) != DB_FOUND)
		return rc;
	rc = status == NULL || strcmp(res.val[SC_STATUS], status) == 0 ? 0 :
	    api_error(r, ERR_PARAM_INVALID, "id",
	    "the schedule: it has already run or was canceled");
	if (rc == 0)
		http_reply(r, 200, sched_json(&res));
	db_res_free(&res);
	return rc;
}

struct new_sched {
	char			 id[IDS_MAX];
	const char		*customer;
	int64_t			 amount;
	char			 currency[4];
	const char		*payment_method;
	const char		*description;
	int64_t			 run_at;
	struct json_object	*metadata;
};

static int
create_tx(struct req *r, void *arg)
{
	struct new_sched	*n = arg;
	struct customer_ref	 ref;
	char			 token[80];
	int64_t			 now;
	int			 rc;

	if ((rc = customers_ref(r, n->customer, "customer", &ref)) != 0 ||
	    (rc = clocks_now(r, ref.test_clock, "customer", &now)) != 0)
		return rc;
	if (n->run_at <= now)
		return api_error(r, ERR_PARAM_INVALID, "run_at",
		    "run_at (a time in the future)");
	if (n->payment_method != NULL && (rc = payment_methods_token(r,
	    n->payment_method, n->customer, "payment_method", token,
	    sizeof(token))) != 0)
		return rc;
	if ((rc = db_exec(r, &SQL_SCHED_INSERT, (struct db_val[]){
	    DB_S(n->id), DB_SCOPE(r),
	    DB_S(n->customer), DB_I(n->amount), DB_S(n->currency),
	    DB_SN(n->payment_method), DB_SN(n->description), DB_I(n->run_at),
	    DB_SN(ref.test_clock[0] ? ref.test_clock : NULL),
	    DB_S(jsonx_text(n->metadata)), DB_I(time(NULL)), DB_E },
	    NULL)) != 0)
		return rc;
	return answer_sched(r, &SQL_SCHED_GET, n->id, NULL);
}

static int
read_schedule(struct req *r, struct new_sched *n)
{
	int	 rc;

	if (params_id(r, "customer", 1, &n->customer) == -1 ||
	    params_amount(r, "amount", 1, 1, &n->amount) == -1 ||
	    params_currency(r, "currency", 1, n->currency) == -1)
		return -1;
	if ((rc = params_i64(r, "run_at", 1, INT32_MAX * 64LL,
	    &n->run_at)) != PARAMS_PRESENT)
		return rc == 0 ? api_error(r, ERR_PARAM_MISSING, "run_at",
		    "run_at") : -1;
	if (params_id(r, "payment_method", 0, &n->payment_method) == -1 ||
	    params_text(r, "description", PARAMS_DESCRIPTION_MAX,
	    &n->description) == -1 ||
	    params_metadata(r, n->metadata) == -1)
		return -1;
	return 0;
}

/* POST /v1/payment_schedules */
void
schedules_create(struct req *r)
{
	struct new_sched	 n;

	memset(&n, 0, sizeof(n));
	n.metadata = json_object_new_object();
	if (read_schedule(r, &n) == 0 &&
	    ids_assign(r, "sched_", n.id, sizeof(n.id)) == 0)
		(void)db_tx(r, create_tx, &n);
	json_object_put(n.metadata);
}

/* GET /v1/payment_schedules/:id */
void
schedules_get(struct req *r)
{
	(void)answer_sched(r, &SQL_SCHED_GET, r->captures[0], NULL);
}

/* GET /v1/payment_schedules: customer, cursors. */
void
schedules_list(struct req *r)
{
	struct list_page	 p;
	const char		*customer = NULL;

	if (params_str(r, "customer", &customer) == -1 ||
	    list_params(r, &SQL_SCHED_CURSOR, &p) == -1)
		return;
	list_answer(r, &p, &SQL_SCHED_LIST[customer != NULL][p.ascending],
	    &customer, 1, 0, sched_json, "/v1/payment_schedules");
}

/* Cancels schedule "id" (locked, still scheduled) and writes its
 * payment_schedule.canceled event; answers the schedule. "customer" is
 * for list_each(). */
static int
cancel_one(struct req *r, const char *id, const char *customer)
{
	int	 rc;

	(void)customer;
	if ((rc = db_exec(r, &SQL_SCHED_DONE, (struct db_val[]){
	    DB_S("canceled"), DB_N, DB_SCOPE(r), DB_S(id), DB_E },
	    NULL)) != 0 ||
	    (rc = answer_sched(r, &SQL_SCHED_GET, id, NULL)) != 0)
		return rc;
	return events_add(r, EVT_PAYMENT_SCHEDULE_CANCELED, r->reply);
}

static int
cancel_tx(struct req *r, void *arg)
{
	int	 rc;

	(void)arg;
	if ((rc = answer_sched(r, &SQL_SCHED_LOCK, r->captures[0],
	    "scheduled")) != 0)
		return rc;
	return cancel_one(r, r->captures[0], NULL);
}

int
schedules_cancel_customer(struct req *r, const char *customer,
    struct json_object **ids)
{
	return list_each(r, &SQL_SCHED_OF_CUSTOMER, customer, cancel_one, ids);
}

/* DELETE /v1/payment_schedules/:id: cancel before it runs. */
void
schedules_cancel(struct req *r)
{
	(void)db_tx(r, cancel_tx, NULL);
}

int
schedules_step(struct req *r, const char *id, int64_t now)
{
	struct json_object	*obj = NULL, *meta;
	struct charge		 ch;
	struct db_res		 res;
	char			 customer[IDS_MAX], pm[80], desc[1004];
	int			 rc;

	rc = db_one(r, &SQL_SCHED_CLAIM, (struct db_val[]){
	    DB_SCOPE(r), DB_S(id), DB_E }, &res);
	if (rc != DB_FOUND)
		return rc == DB_NONE ? BILLING_NOT_DUE : rc;	/* held */
	if (strcmp(res.val[SC_STATUS], "scheduled") != 0 ||
	    db_i64(&res, SC_RUN_AT) > now) {
		db_res_free(&res);
		return BILLING_NOT_DUE;
	}
	memset(&ch, 0, sizeof(ch));
	snprintf(customer, sizeof(customer), "%s", res.val[SC_CUSTOMER]);
	snprintf(pm, sizeof(pm), "%s", res.val[SC_PM] ? res.val[SC_PM] : "");
	snprintf(desc, sizeof(desc), "%s", res.val[SC_DESCRIPTION] ?
	    res.val[SC_DESCRIPTION] : "");
	ch.amount = db_i64(&res, SC_AMOUNT);
	snprintf(ch.currency, sizeof(ch.currency), "%s", res.val[SC_CURRENCY]);
	db_res_free(&res);
	meta = json_object_new_object();
	jsonx_add_str(meta, "payment_schedule", id);
	ch.customer = customer;
	ch.payment_method = pm[0] ? pm : NULL;
	ch.description = desc[0] ? desc : NULL;
	ch.metadata = meta;
	ch.created = now;
	if ((rc = ids_assign(r, "pay_", ch.id, sizeof(ch.id))) == 0 &&
	    ((rc = payments_make(r, &ch, &obj)) == 0 ||
	    (rc == -1 && r->status < 500))) {
		/* Refused (the customer or its method is gone): it failed,
		 * and is not tried again. */
		rc = db_exec(r, &SQL_SCHED_DONE, (struct db_val[]){
		    DB_S(rc == 0 && ch.failure == NULL ? "succeeded" : "failed"),
		    rc == 0 ? DB_S(ch.id) : DB_N, DB_SCOPE(r), DB_S(id), DB_E },
		    NULL);
	}
	json_object_put(obj);
	json_object_put(meta);
	return rc == 0 ? BILLING_STEPPED : rc;
}
