/*
 * Customer analytics (API.md "Customers"; the dashboard's "Volume over
 * time"): read from the aggregates each payment updates in its own
 * transaction (payments.c), so they cost the same at any history size.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "analytics.h"
#include "customers.h"
#include "db.h"
#include "http.h"
#include "jsonx.h"
#include "money.h"
#include "params.h"
#include "period.h"

#define VOLUME_DAYS	366	/* the day chart: today and 365 before */
#define VOLUME_MONTHS	120	/* the month chart: this month and 119 */

/* The customer with its totals, one row per currency it has a volume in
 * (largest first), or one row with NULL volume columns if none: the whole
 * analytics in one round trip. */
#define ANA_COLS "c.id, t.succeeded, t.failed, t.last_id, t.last_amount," \
	" t.last_currency, t.last_created, v.currency, v.payments, v.volume," \
	" v.refunded"
enum { ANA_CUSTOMER, ANA_SUCCEEDED, ANA_FAILED, ANA_LAST_ID,
	ANA_LAST_AMOUNT, ANA_LAST_CURRENCY, ANA_LAST_CREATED, ANA_CURRENCY,
	ANA_PAYMENTS, ANA_VOLUME, ANA_REFUNDED };
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

/* db_one() of "q" for the path's customer; one that misses answers as
 * GET /v1/customers/:id does (deleted, merged). Returns DB_FOUND with
 * the row in "res", or what customers_missing() returns. */
static int
find_customer(struct req *r, const struct sql *q, struct db_res *res)
{
	int	 rc;

	rc = db_one(r, q, (struct db_val[]){ DB_SCOPE(r),
	    DB_S(r->captures[0]), DB_E }, res);
	return rc == DB_NONE ? customers_missing(r, r->captures[0],
	    ERR_RESOURCE_MISSING, "id") : rc;
}

/* Appends the current row's currency entry, if it has one, to "arr". */
static void
volume_add(struct json_object *arr, const struct db_res *res)
{
	struct json_object	*v;
	int64_t			 payments, volume, refunded;

	if (res->val[ANA_CURRENCY] == NULL)
		return;		/* no volume yet: the LEFT JOIN's NULLs */
	payments = db_i64(res, ANA_PAYMENTS);
	volume = db_i64(res, ANA_VOLUME);
	refunded = db_i64(res, ANA_REFUNDED);
	v = json_object_new_object();
	jsonx_add_str(v, "currency", res->val[ANA_CURRENCY]);
	jsonx_add_i64(v, "total_volume", volume);
	jsonx_add_i64(v, "payments", payments);
	jsonx_add_i64(v, "average_transaction",
	    money_average(volume, payments));
	/* Refunds (refunds.c) leave the volume and count as paid. */
	jsonx_add_i64(v, "refunded_amount", refunded);
	jsonx_add_i64(v, "net_volume", volume - refunded);
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
analytics_get(struct req *r)
{
	struct json_object	*o, *volumes, *last;
	struct db_res		 res;
	int			 rc;

	/* db_one() leaves the result open on its first row: the totals
	 * repeat on every row, the rest only add currencies. */
	if (find_customer(r, &SQL_ANALYTICS, &res) != DB_FOUND)
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
		return period_day_start(now) -
		    (int64_t)(VOLUME_DAYS - 1) * PERIOD_DAY_SECONDS;
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
analytics_volume(struct req *r)
{
	struct json_object	*o, *data;
	struct db_res		 res;
	char			 currency[4], url[128];
	int64_t			 pk, now;
	int			 months = 0;

	if (volume_params(r, &months, currency) == -1 ||
	    find_customer(r, &SQL_VOLUME_CUSTOMER, &res) != DB_FOUND)
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
