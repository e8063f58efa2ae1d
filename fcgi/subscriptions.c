/*
 * Subscriptions: create (charging the first period, or leaving it unpaid
 * with default_incomplete), retrieve, list, cancel at the period's end or
 * now; and subscriptions_step(), the billing job's one step for a due
 * subscription. Each step charges and records in one transaction, with a
 * unique key on (subscription, period, attempt), so a period is charged
 * exactly once however many jobs run and wherever one dies.
 */
#include <stdio.h>
#include <stdlib.h>
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
#include "payments.h"
#include "period.h"
#include "prices.h"
#include "subscriptions.h"

/* What answer_sub() writes when it writes no event. */
#define NO_EVENT		EVT__MAX
#define INCOMPLETE_EXPIRES	(23 * 3600)	/* as Stripe */

#define SUB_COLS "id, customer_id, price_id, status, current_period_start," \
	" current_period_end, cancel_at_period_end, canceled_at," \
	" latest_payment, metadata, created, livemode, test_clock," \
	" period_index, anchor, retries, next_action"
enum { SUB_ID, SUB_CUSTOMER, SUB_PRICE, SUB_STATUS, SUB_START, SUB_END,
	SUB_CANCEL_AT_END, SUB_CANCELED_AT, SUB_LATEST, SUB_METADATA,
	SUB_CREATED, SUB_LIVEMODE, SUB_CLOCK, SUB_INDEX, SUB_ANCHOR,
	SUB_RETRIES, SUB_NEXT };

static const struct sql SQL_SUB_INSERT = {
	"INSERT INTO subscriptions (id, account_id, livemode, customer_id,"
	" price_id, status, anchor, period_index, current_period_start,"
	" current_period_end, latest_payment, next_action, test_clock,"
	" metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?,"
	" ?)", "ssisssiiisissi", 0 };
static const struct sql SQL_SUB_GET = {
	"SELECT " SUB_COLS " FROM subscriptions WHERE " SCOPE " AND id = ?",
	"sis", 0 };
static const struct sql SQL_SUB_LOCK = {
	"SELECT " SUB_COLS " FROM subscriptions WHERE " SCOPE " AND id = ?"
	" FOR UPDATE", "sis", 0 };
static const struct sql SQL_SUB_CLAIM = {
	"SELECT " SUB_COLS " FROM subscriptions WHERE " SCOPE " AND id = ?"
	" FOR UPDATE SKIP LOCKED", "sis", 0 };
/* Every change of state goes through this one statement. */
static const struct sql SQL_SUB_SAVE = {
	"UPDATE subscriptions SET status = ?, period_index = ?,"
	" current_period_start = ?, current_period_end = ?,"
	" cancel_at_period_end = ?, canceled_at = ?, latest_payment = ?,"
	" retries = ?, next_action = ?, metadata = ? WHERE " SCOPE
	" AND id = ?", "siiiiisiissis", 0 };
static const struct sql SQL_CHARGE_RECORD = {
	"INSERT INTO subscription_charges (subscription_id, period_index,"
	" attempt, payment_id, created) VALUES (?, ?, ?, ?, ?)", "siisi", 0 };
/* A customer's subscriptions that have not ended, locked. */
#define SUB_LIVE_OF_CUSTOMER						\
	" FROM subscriptions WHERE " SCOPE " AND customer_id = ?"	\
	" AND status NOT IN ('canceled', 'incomplete_expired') ORDER BY pk" \
	" FOR UPDATE"
/* What a customer's deletion cancels. */
static const struct sql SQL_SUB_OF_CUSTOMER = {
	"SELECT id" SUB_LIVE_OF_CUSTOMER, "sis", 0 };
/* What gets an event when a merge moves them (merge.c). */
static const struct sql SQL_SUB_ROWS_OF_CUSTOMER = {
	"SELECT " SUB_COLS SUB_LIVE_OF_CUSTOMER, "sis", 0 };
static const struct sql SQL_SUB_CURSOR = LIST_CURSOR("subscriptions");

/* The index is named so a deep cursor reads a range (as payments.c). */
#define SUB_LIST_HEAD(index)						\
	"SELECT " SUB_COLS " FROM subscriptions FORCE INDEX (" index ")"	\
	" WHERE " SCOPE

/* Indexed by [customer filter + 2 * status filter][ascending]. */
static const struct sql SQL_SUB_LIST[4][2] = {
	LIST_PAIR(SUB_LIST_HEAD("subscriptions_list"), ""),
	LIST_PAIR(SUB_LIST_HEAD("subscriptions_customer")
	    " AND customer_id = ?", "s"),
	LIST_PAIR(SUB_LIST_HEAD("subscriptions_list") " AND status = ?", "s"),
	LIST_PAIR(SUB_LIST_HEAD("subscriptions_customer")
	    " AND customer_id = ? AND status = ?", "ss"),
};

/* A subscription row, as the code changes it. */
struct sub {
	char			 id[IDS_MAX];
	char			 customer[IDS_MAX];
	char			 price[IDS_MAX];
	char			 status[24];
	char			 latest[IDS_MAX];	/* "" if none */
	char			 clock[IDS_MAX];	/* "" if none */
	int64_t			 start, end, anchor, next, canceled_at;
	int64_t			 index, retries;
	int			 cancel_at_end;
	struct json_object	*metadata;
};

static void
sub_from_row(struct sub *s, const struct db_res *res)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "%s", res->val[SUB_ID]);
	snprintf(s->customer, sizeof(s->customer), "%s", res->val[SUB_CUSTOMER]);
	snprintf(s->price, sizeof(s->price), "%s", res->val[SUB_PRICE]);
	snprintf(s->status, sizeof(s->status), "%s", res->val[SUB_STATUS]);
	snprintf(s->latest, sizeof(s->latest), "%s",
	    res->val[SUB_LATEST] ? res->val[SUB_LATEST] : "");
	snprintf(s->clock, sizeof(s->clock), "%s",
	    res->val[SUB_CLOCK] ? res->val[SUB_CLOCK] : "");
	s->start = db_i64(res, SUB_START);
	s->end = db_i64(res, SUB_END);
	s->anchor = db_i64(res, SUB_ANCHOR);
	s->next = res->val[SUB_NEXT] ? db_i64(res, SUB_NEXT) : -1;
	s->canceled_at = res->val[SUB_CANCELED_AT] ?
	    db_i64(res, SUB_CANCELED_AT) : -1;
	s->index = db_i64(res, SUB_INDEX);
	s->retries = db_i64(res, SUB_RETRIES);
	s->cancel_at_end = (int)db_i64(res, SUB_CANCEL_AT_END);
	s->metadata = jsonx_parse_object(res->val[SUB_METADATA]);
}

static struct json_object *
sub_row_json(const struct db_res *res)
{
	struct json_object	*o = json_object_new_object();

	jsonx_add_str(o, "id", res->val[SUB_ID]);
	jsonx_add_str(o, "object", "subscription");
	jsonx_add_str(o, "customer", res->val[SUB_CUSTOMER]);
	jsonx_add_str(o, "price", res->val[SUB_PRICE]);
	jsonx_add_str(o, "status", res->val[SUB_STATUS]);
	jsonx_add_i64(o, "current_period_start", db_i64(res, SUB_START));
	jsonx_add_i64(o, "current_period_end", db_i64(res, SUB_END));
	jsonx_add_bool(o, "cancel_at_period_end",
	    (int)db_i64(res, SUB_CANCEL_AT_END));
	if (res->val[SUB_CANCELED_AT] != NULL)
		jsonx_add_i64(o, "canceled_at", db_i64(res, SUB_CANCELED_AT));
	else
		jsonx_add_null(o, "canceled_at");
	jsonx_add_str(o, "latest_payment", res->val[SUB_LATEST]);
	jsonx_add_str(o, "test_clock", res->val[SUB_CLOCK]);
	jsonx_add(o, "metadata", jsonx_parse_object(res->val[SUB_METADATA]));
	jsonx_add_i64(o, "created", db_i64(res, SUB_CREATED));
	jsonx_add_bool(o, "livemode", (int)db_i64(res, SUB_LIVEMODE));
	return o;
}

/* Reads subscription "id" back into *out (a new reference) and writes
 * event "type" about it (NO_EVENT: none). */
static int
sub_event(struct req *r, const char *id, enum event_type type,
    struct json_object **out)
{
	struct json_object	*o;
	struct db_res		 res;
	int			 rc;

	if ((rc = db_find(r, &SQL_SUB_GET, id, "subscription",
	    &res)) != DB_FOUND)
		return rc;
	o = sub_row_json(&res);
	db_res_free(&res);
	if (type != NO_EVENT && (rc = events_add(r, type, o)) != 0) {
		json_object_put(o);
		return rc;
	}
	*out = o;
	return 0;
}

/* Reads subscription "id" back, answers it, and writes event "type"
 * about it (NO_EVENT: none). */
static int
answer_sub(struct req *r, const char *id, enum event_type type)
{
	struct json_object	*o = NULL;
	int			 rc;

	if ((rc = sub_event(r, id, type, &o)) == 0)
		http_reply(r, 200, o);
	return rc;
}

static int
save(struct req *r, const struct sub *s)
{
	return db_exec(r, &SQL_SUB_SAVE, (struct db_val[]){ DB_S(s->status),
	    DB_I(s->index), DB_I(s->start), DB_I(s->end),
	    DB_I(s->cancel_at_end),
	    s->canceled_at >= 0 ? DB_I(s->canceled_at) : DB_N,
	    DB_SN(s->latest[0] ? s->latest : NULL), DB_I(s->retries),
	    s->next >= 0 ? DB_I(s->next) : DB_N, DB_S(jsonx_text(s->metadata)),
	    DB_SCOPE(r), DB_S(s->id),
	    DB_E }, NULL);
}

/*
 * Charges the subscription's price for its period s->index, attempt
 * "attempt", at time "now" (pending: recorded unpaid). Sets s->latest.
 * Returns 0 with *failed telling the outcome, DB_RETRY or -1.
 */
static int
charge(struct req *r, struct sub *s, const struct price *p, int attempt,
    int64_t now, int pending, int *failed)
{
	struct json_object	*obj = NULL, *meta = json_object_new_object();
	struct charge		 ch;
	char			 desc[64];
	int			 rc;

	memset(&ch, 0, sizeof(ch));
	snprintf(desc, sizeof(desc), "Subscription %s, period %lld", s->id,
	    (long long)s->index);
	jsonx_add_str(meta, "subscription", s->id);
	ch.amount = p->unit_amount;
	memcpy(ch.currency, p->currency, sizeof(ch.currency));
	ch.customer = s->customer;
	ch.description = desc;
	ch.metadata = meta;
	ch.created = now;
	ch.pending = pending;
	if ((rc = ids_assign(r, "pay_", ch.id, sizeof(ch.id))) == 0 &&
	    (rc = db_exec(r, &SQL_CHARGE_RECORD, (struct db_val[]){
	    DB_S(s->id), DB_I(s->index), DB_I(attempt), DB_S(ch.id),
	    DB_I(now), DB_E }, NULL)) == DB_DUP)
		rc = DB_RETRY;		/* another job did it: look again */
	else if (rc == 0 && (rc = payments_make(r, &ch, &obj)) == 0) {
		snprintf(s->latest, sizeof(s->latest), "%s", ch.id);
		*failed = ch.failure != NULL;
	}
	json_object_put(obj);
	json_object_put(meta);
	return rc;
}

/* The price: "price" (the seed) or items[0][price] (Stripe's clients). */
static int
read_price_ref(struct req *r, const char **ref, const char **param)
{
	struct json_object	*items, *first = NULL, *price = NULL;
	int			 rc;

	*param = "price";
	if ((rc = params_str(r, "price", ref)) == -1)
		return -1;
	if (rc == PARAMS_PRESENT && *ref != NULL && **ref != '\0')
		return 0;
	items = params_get(r, "items");
	if (json_object_is_type(items, json_type_array))
		first = json_object_array_get_idx(items, 0);
	else if (json_object_is_type(items, json_type_object))
		json_object_object_get_ex(items, "0", &first);
	if (first != NULL)
		json_object_object_get_ex(first, "price", &price);
	*param = "items[0][price]";
	if (!json_object_is_type(price, json_type_string))
		return api_error(r, ERR_PARAM_MISSING, "price", "price");
	*ref = json_object_get_string(price);
	return 0;
}

struct new_sub {
	const char		*customer;
	const char		*price_ref;
	const char		*price_param;
	int			 default_incomplete;
	struct json_object	*metadata;
	char			 id[IDS_MAX];
};

static int
create_tx(struct req *r, void *arg)
{
	struct new_sub		*n = arg;
	struct customer_ref	 ref;
	struct price		 p;
	struct sub		 s;
	int64_t			 now;
	int			 rc, failed = 0;

	if ((rc = customers_ref(r, n->customer, "customer", &ref)) != 0 ||
	    (rc = prices_ref(r, n->price_ref, n->price_param, 1, &p)) != 0 ||
	    (rc = clocks_now(r, ref.test_clock, "customer", &now)) != 0)
		return rc;
	memset(&s, 0, sizeof(s));
	memcpy(s.id, n->id, sizeof(s.id));
	snprintf(s.customer, sizeof(s.customer), "%s", n->customer);
	s.anchor = s.start = now;
	s.end = period_end(now, p.interval, p.interval_count, 1);
	s.index = 1;
	s.metadata = n->metadata;
	if ((rc = db_exec(r, &SQL_SUB_INSERT, (struct db_val[]){ DB_S(s.id),
	    DB_SCOPE(r),
	    DB_S(s.customer), DB_S(p.id), DB_S("incomplete"), DB_I(s.anchor),
	    DB_I(s.start), DB_I(s.end), DB_N, DB_N,
	    DB_SN(ref.test_clock[0] ? ref.test_clock : NULL),
	    DB_S(jsonx_text(n->metadata)), DB_I(now), DB_E }, NULL)) != 0)
		return rc;
	snprintf(s.clock, sizeof(s.clock), "%s", ref.test_clock);
	s.canceled_at = -1;
	if ((rc = charge(r, &s, &p, 1, now, n->default_incomplete,
	    &failed)) != 0)
		return rc;
	/* Paid: active until the period ends. Unpaid or declined: incomplete,
	 * and expired if still unpaid after 23 hours. */
	if (!n->default_incomplete && !failed) {
		snprintf(s.status, sizeof(s.status), "active");
		s.next = s.end;
	} else {
		snprintf(s.status, sizeof(s.status), "incomplete");
		s.next = now + INCOMPLETE_EXPIRES;
	}
	if ((rc = save(r, &s)) != 0)
		return rc;
	return answer_sub(r, s.id, EVT_SUBSCRIPTION_CREATED);
}

static int
sub_params(struct req *r, struct new_sub *n)
{
	const char	*behavior = NULL;

	if (params_id(r, "customer", 1, &n->customer) == -1 ||
	    read_price_ref(r, &n->price_ref, &n->price_param) == -1 ||
	    params_str(r, "payment_behavior", &behavior) == -1 ||
	    params_metadata(r, n->metadata) == -1)
		return -1;
	if (behavior != NULL && strcmp(behavior, "default_incomplete") != 0 &&
	    strcmp(behavior, "allow_incomplete") != 0)
		return api_error(r, ERR_PARAM_INVALID, "payment_behavior",
		    "payment_behavior (default_incomplete or "
		    "allow_incomplete)");
	n->default_incomplete = behavior != NULL &&
	    strcmp(behavior, "default_incomplete") == 0;
	return 0;
}

/* POST /v1/subscriptions */
void
subscriptions_create(struct req *r)
{
	struct new_sub	 n;

	memset(&n, 0, sizeof(n));
	n.metadata = json_object_new_object();
	if (sub_params(r, &n) == 0 &&
	    ids_assign(r, "sub_", n.id, sizeof(n.id)) == 0)
		(void)db_tx(r, create_tx, &n);
	json_object_put(n.metadata);
}

/* GET /v1/subscriptions/:id */
void
subscriptions_get(struct req *r)
{
	(void)answer_sub(r, r->captures[0], NO_EVENT);
}

/* GET /v1/subscriptions: customer, status, cursors. */
void
subscriptions_list(struct req *r)
{
	const char		*filters[2] = { NULL, NULL };
	struct list_page	 p;

	if (params_str(r, "customer", &filters[0]) == -1 ||
	    params_str(r, "status", &filters[1]) == -1 ||
	    list_params(r, &SQL_SUB_CURSOR, &p) == -1)
		return;
	list_answer(r, &p, &SQL_SUB_LIST[(filters[0] != NULL) +
	    2 * (filters[1] != NULL)][p.ascending], filters, 2, 0,
	    sub_row_json, "/v1/subscriptions");
}

/* Loads subscription captures[0] locked; 404 if there is none. */
static int
load_locked(struct req *r, struct sub *s)
{
	struct db_res	 res;
	int		 rc;

	rc = db_one(r, &SQL_SUB_LOCK, (struct db_val[]){
	    DB_SCOPE(r),
	    DB_S(r->captures[0]), DB_E }, &res);
	if (rc == 0)
		return answer_sub(r, r->captures[0], NO_EVENT);	/* the 404 */
	if (rc != DB_FOUND)
		return rc;
	sub_from_row(s, &res);
	db_res_free(&res);
	return 0;
}

static int
update_tx(struct req *r, void *arg)
{
	struct sub	 s;
	int		 rc;

	(void)arg;
	if ((rc = load_locked(r, &s)) != 0)
		return rc;
	if (strcmp(s.status, "canceled") == 0 && params_has(r,
	    "cancel_at_period_end"))
		rc = api_error(r, ERR_PARAM_INVALID, "cancel_at_period_end",
		    "cancel_at_period_end (the subscription is canceled)");
	else if (params_bool(r, "cancel_at_period_end", &s.cancel_at_end) == -1 ||
	    params_metadata(r, s.metadata) == -1)
		rc = -1;
	else if ((rc = save(r, &s)) == 0)
		rc = answer_sub(r, s.id, EVT_SUBSCRIPTION_UPDATED);
	json_object_put(s.metadata);
	return rc;
}

/* POST /v1/subscriptions/:id: cancel_at_period_end, metadata. */
void
subscriptions_update(struct req *r)
{
	(void)db_tx(r, update_tx, NULL);
}

/* Cancels "s" now (its clock's now) and saves it. */
static int
cancel_now(struct req *r, struct sub *s)
{
	int64_t	 now;
	int	 rc;

	if ((rc = clocks_now(r, s->clock, "id", &now)) != 0)
		return rc;
	snprintf(s->status, sizeof(s->status), "canceled");
	s->canceled_at = now;
	s->next = -1;
	return save(r, s);
}

static int
cancel_tx(struct req *r, void *arg)
{
	struct sub	 s;
	int		 rc;

	(void)arg;
	if ((rc = load_locked(r, &s)) != 0)
		return rc;
	if (strcmp(s.status, "canceled") == 0 ||
	    strcmp(s.status, "incomplete_expired") == 0)
		rc = api_error(r, ERR_PARAM_INVALID, "id",
		    "the subscription: it has ended already");
	else if ((rc = cancel_now(r, &s)) == 0)
		rc = answer_sub(r, s.id, EVT_SUBSCRIPTION_DELETED);
	json_object_put(s.metadata);
	return rc;
}

/* For list_each(): cancels subscription "id" (locked by the caller's
 * query) with its event. */
static int
cancel_one(struct req *r, const char *id, const char *customer)
{
	struct json_object	*o = NULL;
	struct db_res		 res;
	struct sub		 s;
	int			 rc;

	(void)customer;
	rc = db_one(r, &SQL_SUB_LOCK, (struct db_val[]){ DB_SCOPE(r),
	    DB_S(id), DB_E }, &res);
	if (rc != DB_FOUND)
		return rc == 0 ? DB_RETRY : rc;
	sub_from_row(&s, &res);
	db_res_free(&res);
	if ((rc = cancel_now(r, &s)) == 0)
		rc = sub_event(r, s.id, EVT_SUBSCRIPTION_DELETED, &o);
	json_object_put(o);
	json_object_put(s.metadata);
	return rc;
}

int
subscriptions_cancel_customer(struct req *r, const char *customer,
    struct json_object **ids)
{
	return list_each(r, &SQL_SUB_OF_CUSTOMER, customer, cancel_one, ids);
}

int
subscriptions_merge_events(struct req *r, const char *from,
    const char *into)
{
	return events_add_moved(r, EVT_SUBSCRIPTION_UPDATED,
	    &SQL_SUB_ROWS_OF_CUSTOMER, sub_row_json, from, into);
}

/* DELETE /v1/subscriptions/:id: cancel now. */
void
subscriptions_cancel(struct req *r)
{
	(void)db_tx(r, cancel_tx, NULL);
}

/* The next period: advance it and charge it. */
static int
renew(struct req *r, struct sub *s, const struct price *p, int64_t now,
    enum event_type *type)
{
	int	 rc, failed = 0;

	s->index++;
	s->start = s->end;
	s->end = period_end(s->anchor, p->interval, p->interval_count,
	    s->index);
	if ((rc = charge(r, s, p, 1, now, 0, &failed)) != 0)
		return rc;
	*type = EVT_SUBSCRIPTION_UPDATED;
	if (!failed) {
		s->retries = 0;
		s->next = s->end;
		return 0;
	}
	snprintf(s->status, sizeof(s->status), "past_due");
	s->retries = 1;
	s->next = now + 86400LL * ((int[])SUBSCRIPTIONS_RETRY_DAYS)[0];
	return 0;
}

/* Another try at the past-due period; canceled after the last one. */
static int
retry(struct req *r, struct sub *s, const struct price *p, int64_t now,
    enum event_type *type)
{
	static const int days[] = SUBSCRIPTIONS_RETRY_DAYS;
	const int	 tries = sizeof(days) / sizeof(days[0]);
	int		 rc, failed = 0;

	if ((rc = charge(r, s, p, (int)s->retries + 1, now, 0, &failed)) != 0)
		return rc;
	*type = EVT_SUBSCRIPTION_UPDATED;
	if (!failed) {
		snprintf(s->status, sizeof(s->status), "active");
		s->retries = 0;
		s->next = s->end;
	} else if (s->retries >= tries) {
		snprintf(s->status, sizeof(s->status), "canceled");
		s->canceled_at = now;
		s->next = -1;
		*type = EVT_SUBSCRIPTION_DELETED;
	} else
		s->next = now + 86400LL * days[s->retries++];
	return 0;
}

int
subscriptions_step(struct req *r, const char *id, int64_t now)
{
	enum event_type	 type = NO_EVENT;
	struct db_res	 res;
	struct price	 p;
	struct sub	 s;
	int		 rc;

	rc = db_one(r, &SQL_SUB_CLAIM, (struct db_val[]){
	    DB_SCOPE(r), DB_S(id), DB_E }, &res);
	if (rc != DB_FOUND)	/* none: another job holds it */
		return rc == DB_NONE ? BILLING_NOT_DUE : rc;
	sub_from_row(&s, &res);
	db_res_free(&res);
	if (s.next < 0 || s.next > now) {
		json_object_put(s.metadata);
		return BILLING_NOT_DUE;	/* done meanwhile */
	}
	rc = 0;
	if (strcmp(s.status, "incomplete") == 0) {
		snprintf(s.status, sizeof(s.status), "incomplete_expired");
		s.next = -1;
		type = EVT_SUBSCRIPTION_UPDATED;
	} else if (strcmp(s.status, "active") == 0 && s.cancel_at_end) {
		snprintf(s.status, sizeof(s.status), "canceled");
		s.canceled_at = s.end;
		s.next = -1;
		type = EVT_SUBSCRIPTION_DELETED;
	} else if ((rc = prices_ref(r, s.price, "price", 0, &p)) == 0)
		rc = strcmp(s.status, "past_due") == 0 ?
		    retry(r, &s, &p, now, &type) : renew(r, &s, &p, now, &type);
	if (rc == -1 && r->status < 500) {
		/* Refused, not failed (the customer is deleted): it ends. */
		snprintf(s.status, sizeof(s.status), "canceled");
		s.canceled_at = now;
		s.next = -1;
		type = EVT_SUBSCRIPTION_DELETED;
		rc = 0;
	}
	if (rc == 0)
		rc = save(r, &s);
	if (rc == 0)
		rc = answer_sub(r, s.id, type);
	json_object_put(s.metadata);
	return rc == 0 ? BILLING_STEPPED : rc;
}
