/*
 * Payments: create (charged through processor.c), retrieve, list; and the
 * customer analytics they feed. Each payment updates its customer's
 * aggregates (customer_totals, customer_volumes, customer_daily_volumes)
 * in its own transaction, so analytics and the volume over time cost the
 * same at any history size.
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
#include "money.h"
#include "params.h"
#include "payment_methods.h"
#include "payments.h"
#include "processor.h"

#define PAY_COLS "id, amount, currency, customer_id, description, status," \
	" failure_code, payment_method, metadata, created, livemode, pk"
enum { PAY_ID, PAY_AMOUNT, PAY_CURRENCY, PAY_CUSTOMER, PAY_DESCRIPTION,
	PAY_STATUS, PAY_FAILURE, PAY_PM, PAY_METADATA, PAY_CREATED,
	PAY_LIVEMODE, PAY_PK };

#define DAY		86400
#define VOLUME_DAYS	366	/* the day chart: today and 365 before */
#define VOLUME_MONTHS	120	/* the month chart: this month and 119 */

static const struct sql SQL_PAY_INSERT = {
	"INSERT INTO payments (id, account_id, livemode, customer_id, amount,"
	" currency, description, status, failure_code, payment_method,"
	" metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	"ssisissssssi", 0 };
static const struct sql SQL_PAY_GET = {
	"SELECT " PAY_COLS " FROM payments WHERE " SCOPE " AND id = ?",
	"sis", 0 };
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
/* The customer with its totals, one row per currency it has a volume in
 * (largest first), or one row with NULL volume columns if none: the whole
 * analytics in one round trip. */
#define ANA_COLS "c.id, t.succeeded, t.failed, t.last_id, t.last_amount," \
	" t.last_currency, t.last_created, v.currency, v.payments, v.volume"
enum { ANA_CUSTOMER, ANA_SUCCEEDED, ANA_FAILED, ANA_LAST_ID,
	ANA_LAST_AMOUNT, ANA_LAST_CURRENCY, ANA_LAST_CREATED, ANA_CURRENCY,
	ANA_PAYMENTS, ANA_VOLUME };
static const struct sql SQL_ANALYTICS = {
	"SELECT " ANA_COLS " FROM customers c"
	" LEFT JOIN customer_totals t ON t.customer_id = c.id"
	" LEFT JOIN customer_volumes v ON v.customer_id = c.id"
	" AND v.account_id = c.account_id AND v.livemode = c.livemode"
	" WHERE " SCOPE_OF("c") " AND c.id = ?"
	" AND c.deleted IS NULL ORDER BY v.volume DESC, v.currency", "sis", 0 };
/* The customer, and "now" for it: its test clock's time if it has one. */
static const struct sql SQL_VOLUME_CUSTOMER = {
	"SELECT c.pk, t.frozen_time FROM customers c"
	" LEFT JOIN test_clocks t ON t.id = c.test_clock"
	" WHERE " SCOPE_OF("c") " AND c.id = ?"
	" AND c.deleted IS NULL", "sis", 0 };
static const struct sql SQL_VOLUME_TOP_CURRENCY = {
	"SELECT currency FROM customer_volumes"
	" WHERE " SCOPE " AND customer_id = ?"
	" ORDER BY volume DESC, currency LIMIT 1", "sis", 0 };
/* [0] days, [1] months summed from the days (the month's first day by
 * calendar arithmetic on DATETIME values, which no time zone touches). */
static const struct sql SQL_VOLUME_PERIODS[2] = {
	{ "SELECT day, volume, payments FROM customer_daily_volumes"
	  " WHERE customer_pk = ? AND currency = ? AND day >= ?"
	  " ORDER BY day", "isi", 0 },
	{ "SELECT TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00',"
	  " DATE_FORMAT(DATE_ADD('1970-01-01 00:00:00', INTERVAL day SECOND),"
	  " '%Y-%m-01 00:00:00')) AS month, SUM(volume), SUM(payments)"
	  " FROM customer_daily_volumes"
	  " WHERE customer_pk = ? AND currency = ? AND day >= ?"
	  " GROUP BY month ORDER BY month", "isi", 0 },
};

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
	int64_t		 amount, created;
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
	jsonx_add_str(o, "currency", v->currency);
	jsonx_add_str(o, "customer", v->customer);
	jsonx_add_str(o, "description", v->description);
	jsonx_add_str(o, "status", v->status);
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

/* The unix time of the UTC midnight that starts the day of "t". */
static int64_t
day_start(int64_t t)
{
	return t - ((t % DAY) + DAY) % DAY;
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
	    DB_S(ch->currency), DB_I(day_start(ch->created)),
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

/* Appends the current row's currency entry, if it has one, to "arr". */
static void
volume_add(struct json_object *arr, const struct db_res *res)
{
	struct json_object	*v;
	int64_t			 payments, volume;

	if (res->val[ANA_CURRENCY] == NULL)
		return;		/* no volume yet: the LEFT JOIN's NULLs */
	payments = db_i64(res, ANA_PAYMENTS);
	volume = db_i64(res, ANA_VOLUME);
	v = json_object_new_object();
	jsonx_add_str(v, "currency", res->val[ANA_CURRENCY]);
	jsonx_add_i64(v, "total_volume", volume);
	jsonx_add_i64(v, "payments", payments);
	jsonx_add_i64(v, "average_transaction",
	    money_average(volume, payments));
	json_object_array_add(arr, v);
}

/* The last succeeded payment from the totals columns, or JSON null. */
static struct json_object *
last_payment_json(const struct db_res *res)
{
	struct json_object	*o;

	if (res->val[ANA_LAST_ID] == NULL)
		return NULL;
	o = json_object_new_object();
	jsonx_add_str(o, "id", res->val[ANA_LAST_ID]);
	jsonx_add_i64(o, "amount", db_i64(res, ANA_LAST_AMOUNT));
	jsonx_add_str(o, "currency", res->val[ANA_LAST_CURRENCY]);
	jsonx_add_i64(o, "created", db_i64(res, ANA_LAST_CREATED));
	return o;
}

/* GET /v1/customers/:id/analytics: succeeded payments only. */
void
payments_analytics(struct req *r)
{
	struct json_object	*o, *volumes, *last;
	struct db_res		 res;
	int			 rc;

	/* db_find() leaves the result open on its first row: the totals
	 * repeat on every row, the rest only add currencies. */
	if (db_find(r, &SQL_ANALYTICS, r->captures[0], "customer",
	    &res) != DB_FOUND)
		return;
	o = json_object_new_object();
	jsonx_add_str(o, "object", "customer_analytics");
	jsonx_add_str(o, "customer", res.val[ANA_CUSTOMER]);
	jsonx_add_bool(o, "livemode", r->caller.livemode);
	jsonx_add_i64(o, "total_payments", db_i64(&res, ANA_SUCCEEDED));
	jsonx_add_i64(o, "failed_payments", db_i64(&res, ANA_FAILED));
	last = last_payment_json(&res);
	volumes = json_object_new_array();
	do
		volume_add(volumes, &res);
	while ((rc = db_row(r, &res)) == DB_FOUND);
	db_res_free(&res);
	if (rc == -1) {
		json_object_put(o);
		json_object_put(volumes);
		json_object_put(last);
		return;
	}
	jsonx_add(o, "volume", volumes);
	if (last != NULL)
		jsonx_add(o, "last_payment", last);
	else
		jsonx_add_null(o, "last_payment");
	http_reply(r, 200, o);
}

/* The first period the volume chart shows for a customer whose "now" is
 * "now": 365 days before today, or the first of the month 119 months
 * before this one (UTC). */
static int64_t
volume_since(int64_t now, int months)
{
	struct tm	 tm;
	time_t		 t = (time_t)now;
	int		 m;

	if (!months)
		return day_start(now) - (int64_t)(VOLUME_DAYS - 1) * DAY;
	gmtime_r(&t, &tm);
	m = tm.tm_year * 12 + tm.tm_mon - (VOLUME_MONTHS - 1);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = m / 12;
	tm.tm_mon = m % 12;
	tm.tm_mday = 1;
	return (int64_t)timegm(&tm);
}

/* interval (day, month) and currency (default: the customer's largest
 * volume; "" when it has none). */
static int
volume_params(struct req *r, int *months, char *currency)
{
	const char	*iv = NULL;

	*currency = '\0';
	if (params_str(r, "interval", &iv) == -1 ||
	    params_currency(r, "currency", 0, currency) == -1)
		return -1;
	if (iv != NULL && strcmp(iv, "day") != 0 && strcmp(iv, "month") != 0)
		return api_error(r, ERR_PARAM_INVALID, "interval",
		    "interval (day or month)");
	*months = iv != NULL && strcmp(iv, "month") == 0;
	return 0;
}

static int
top_currency(struct req *r, char *currency)
{
	struct db_res	 res;
	int		 rc;

	if ((rc = db_one(r, &SQL_VOLUME_TOP_CURRENCY, (struct db_val[]){
	    DB_SCOPE(r), DB_S(r->captures[0]), DB_E }, &res)) != DB_FOUND)
		return rc == 0 ? 0 : -1;
	snprintf(currency, 4, "%s", res.val[0]);
	db_res_free(&res);
	return 0;
}

/* The periods of customer "pk" in "currency" from "since", oldest first. */
static struct json_object *
periods_json(struct req *r, int64_t pk, const char *currency, int months,
    int64_t since)
{
	struct json_object	*arr = json_object_new_array(), *v;
	struct db_res		 res;
	int			 rc;

	if (*currency == '\0')
		return arr;
	if (db_query(r, &SQL_VOLUME_PERIODS[months], (struct db_val[]){
	    DB_I(pk), DB_S(currency), DB_I(since), DB_E }, &res) != 0) {
		json_object_put(arr);
		return NULL;
	}
	while ((rc = db_row(r, &res)) == DB_FOUND) {
		v = json_object_new_object();
		jsonx_add_i64(v, "period_start", db_i64(&res, 0));
		jsonx_add_i64(v, "total_volume", db_i64(&res, 1));
		jsonx_add_i64(v, "payments", db_i64(&res, 2));
		json_object_array_add(arr, v);
	}
	db_res_free(&res);
	if (rc == -1) {
		json_object_put(arr);
		return NULL;
	}
	return arr;
}

/* GET /v1/customers/:id/analytics/volume: succeeded payments per day or
 * month in one currency (dashboard contract "Volume over time"). */
void
payments_volume(struct req *r)
{
	struct json_object	*o, *data;
	struct db_res		 res;
	char			 currency[4], url[128];
	int64_t			 pk, now;
	int			 months = 0;

	if (volume_params(r, &months, currency) == -1 ||
	    db_find(r, &SQL_VOLUME_CUSTOMER, r->captures[0], "customer",
	    &res) != DB_FOUND)
		return;
	pk = db_i64(&res, 0);
	now = res.val[1] != NULL ? db_i64(&res, 1) : (int64_t)time(NULL);
	db_res_free(&res);
	if ((*currency == '\0' && top_currency(r, currency) == -1) ||
	    (data = periods_json(r, pk, currency, months,
	    volume_since(now, months))) == NULL)
		return;
	snprintf(url, sizeof(url), "/v1/customers/%s/analytics/volume",
	    r->captures[0]);
	o = json_object_new_object();
	jsonx_add_str(o, "object", "list");
	jsonx_add_str(o, "url", url);
	jsonx_add_bool(o, "has_more", 0);
	jsonx_add_str(o, "interval", months ? "month" : "day");
	jsonx_add_str(o, "currency", *currency ? currency : NULL);
	jsonx_add(o, "data", data);
	http_reply(r, 200, o);
}
