/*
 * Saved payment methods: attach a test token to a customer, list, detach.
 * What is stored is what may be shown (brand, last four, expiry) and the
 * token that decides the simulated outcome; payment_method_json() is the
 * one renderer.
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
#include "processor.h"

#define PM_COLS	"id, customer_id, type, brand, last4, exp_month, exp_year," \
	" provider, created, livemode, token"
enum { PM_ID, PM_CUSTOMER, PM_TYPE, PM_BRAND, PM_LAST4, PM_EXP_MONTH,
	PM_EXP_YEAR, PM_PROVIDER, PM_CREATED, PM_LIVEMODE, PM_TOKEN };

static const struct sql SQL_PM_INSERT = {
	"INSERT INTO payment_methods (id, account_id, livemode, customer_id,"
	" type, token, brand, last4, exp_month, exp_year, provider, created)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "ssisssssiisi", 0 };
static const struct sql SQL_PM_GET = {
	"SELECT " PM_COLS " FROM payment_methods WHERE " SCOPE " AND id = ?",
	"sis", 0 };
static const struct sql SQL_PM_OF_CUSTOMER = {
	"SELECT " PM_COLS " FROM payment_methods WHERE " SCOPE
	" AND customer_id = ? AND id = ? FOR UPDATE", "siss", 0 };
static const struct sql SQL_PM_DETACH = {
	"UPDATE payment_methods SET customer_id = NULL WHERE " SCOPE
	" AND id = ?", "sis", 0 };
static const struct sql SQL_PM_IDS_OF_CUSTOMER = {
	"SELECT id FROM payment_methods WHERE " SCOPE " AND customer_id = ?"
	" ORDER BY pk FOR UPDATE", "sis", 0 };
/* What a merge moves (merge.c): every method of the customer. */
static const struct sql SQL_PM_ROWS_OF_CUSTOMER = {
	"SELECT " PM_COLS " FROM payment_methods WHERE " SCOPE
	" AND customer_id = ? ORDER BY pk FOR UPDATE", "sis", 0 };
static const struct sql SQL_PM_CURSOR = LIST_CURSOR("payment_methods");
static const struct sql SQL_PM_LIST[2] = LIST_PAIR(
	"SELECT " PM_COLS " FROM payment_methods WHERE " SCOPE
	" AND customer_id = ?", "s");

/* The API object of the current row; a new reference. */
static struct json_object *
payment_method_json(const struct db_res *res)
{
	struct json_object	*o = json_object_new_object(), *d;
	int			 card = strcmp(res->val[PM_TYPE], "card") == 0;

	jsonx_add_str(o, "id", res->val[PM_ID]);
	jsonx_add_str(o, "object", "payment_method");
	jsonx_add_str(o, "customer", res->val[PM_CUSTOMER]);
	jsonx_add_str(o, "type", res->val[PM_TYPE]);
	d = json_object_new_object();
	if (card) {
		jsonx_add_str(d, "brand", res->val[PM_BRAND]);
		jsonx_add_str(d, "last4", res->val[PM_LAST4]);
		jsonx_add_i64(d, "exp_month", db_i64(res, PM_EXP_MONTH));
		jsonx_add_i64(d, "exp_year", db_i64(res, PM_EXP_YEAR));
	} else {
		jsonx_add_str(d, "provider", res->val[PM_PROVIDER]);
		jsonx_add_str(d, "phone_last4", res->val[PM_LAST4]);
	}
	if (card) {
		jsonx_add(o, "card", d);
		jsonx_add_null(o, "mobile_money");
	} else {
		jsonx_add_null(o, "card");
		jsonx_add(o, "mobile_money", d);
	}
	jsonx_add_i64(o, "created", db_i64(res, PM_CREATED));
	jsonx_add_bool(o, "livemode", (int)db_i64(res, PM_LIVEMODE));
	return o;
}

struct attach {
	const char		*token;
	struct pm_details	 d;
	char			 id[IDS_MAX];
};

/* Reads the test token from "payment_method" (Stripe's name), "token"
 * or "source" (the first sent), and what it stands for. */
static int
read_token(struct req *r, struct attach *a)
{
	static const char *const names[] = { "payment_method", "token",
	    "source" };
	char	 what[160];
	size_t	 i;
	int	 rc = 0;

	for (i = 0; rc == 0 && i < 3; i++)
		if ((rc = params_id(r, names[i], 0, &a->token)) == -1)
			return -1;
	if (rc == 0)
		return api_error(r, ERR_PARAM_MISSING, "payment_method",
		    "payment_method");
	if (processor_token(a->token, &a->d) == 0)
		return 0;
	snprintf(what, sizeof(what), "test token: '%.40s' (use "
	    "pm_card_visa, tok_mpesa_254700000000, …)", a->token);
	return api_error(r, ERR_REF_MISSING, "payment_method", what);
}


static int
attach_tx(struct req *r, void *arg)
{
	struct attach		*a = arg;
	struct json_object	*obj;
	struct db_res		 res;
	int			 rc;

	if ((rc = customers_ref(r, r->captures[0], NULL, NULL)) != 0)
		return rc;
	rc = db_exec(r, &SQL_PM_INSERT, (struct db_val[]){ DB_S(a->id),
	    DB_SCOPE(r),
	    DB_S(r->captures[0]), DB_S(a->d.type), DB_S(a->token),
	    DB_SN(a->d.brand), DB_S(a->d.last4), DB_I(a->d.exp_month),
	    DB_I(a->d.exp_year), DB_SN(a->d.provider), DB_I(time(NULL)),
	    DB_E }, NULL);
	if (rc == 0 && (rc = db_one(r, &SQL_PM_GET, (struct db_val[]){
	    DB_SCOPE(r),
	    DB_S(a->id), DB_E }, &res)) == DB_FOUND) {
		obj = payment_method_json(&res);
		db_res_free(&res);
		if ((rc = events_add(r, EVT_PAYMENT_METHOD_ATTACHED, obj)) == 0)
			http_reply(r, 200, obj);
		else
			json_object_put(obj);
	}
	return rc == DB_FOUND ? 0 : rc;
}

/* POST /v1/customers/:id/payment_methods */
void
payment_methods_attach(struct req *r)
{
	struct attach	 a;

	memset(&a, 0, sizeof(a));
	if (read_token(r, &a) == 0 &&
	    ids_assign(r, "pm_", a.id, sizeof(a.id)) == 0)
		(void)db_tx(r, attach_tx, &a);
}

/* GET /v1/customers/:id/payment_methods */
void
payment_methods_list(struct req *r)
{
	struct list_page	 p;
	char			 url[96];

	if (customers_ref(r, r->captures[0], NULL, NULL) != 0 ||
	    list_params(r, &SQL_PM_CURSOR, &p) == -1)
		return;
	snprintf(url, sizeof(url), "/v1/customers/%s/payment_methods",
	    r->captures[0]);
	list_answer(r, &p, &SQL_PM_LIST[p.ascending],
	    (const char *const *)&r->captures[0], 1, 0, payment_method_json,
	    url);
}

/* Detaches "pm" from "customer" with its event; *out gets the object (a
 * new reference). 404 if it is not the customer's. */
static int
detach_one(struct req *r, const char *customer, const char *pm,
    struct json_object **out)
{
	struct json_object	*obj;
	struct db_res		 res;
	char			 what[64];
	int			 rc;

	rc = db_one(r, &SQL_PM_OF_CUSTOMER, (struct db_val[]){
	    DB_SCOPE(r),
	    DB_S(customer), DB_S(pm), DB_E }, &res);
	if (rc == 0) {
		snprintf(what, sizeof(what), "payment_method: '%.40s'", pm);
		return api_error(r, ERR_RESOURCE_MISSING, "id", what);
	}
	if (rc != DB_FOUND)
		return rc;
	obj = payment_method_json(&res);
	db_res_free(&res);
	jsonx_add_null(obj, "customer");
	if ((rc = db_exec(r, &SQL_PM_DETACH, (struct db_val[]){
	    DB_SCOPE(r), DB_S(pm), DB_E }, NULL)) == 0 &&
	    (rc = customers_unset_default_pm(r, customer, pm)) == 0 &&
	    (rc = events_add(r, EVT_PAYMENT_METHOD_DETACHED, obj)) == 0) {
		*out = obj;
		return 0;
	}
	json_object_put(obj);
	return rc;
}

static int
detach_tx(struct req *r, void *arg)
{
	struct json_object	*obj;
	int			 rc;

	(void)arg;
	if ((rc = customers_ref(r, r->captures[0], NULL, NULL)) == 0 &&
	    (rc = detach_one(r, r->captures[0], r->captures[1], &obj)) == 0)
		http_reply(r, 200, obj);
	return rc;
}

/* For list_each(): detach_one() without keeping the object. */
static int
detach_quietly(struct req *r, const char *pm, const char *customer)
{
	struct json_object	*obj;
	int			 rc;

	if ((rc = detach_one(r, customer, pm, &obj)) == 0)
		json_object_put(obj);
	return rc;
}

int
payment_methods_detach_customer(struct req *r, const char *customer,
    struct json_object **ids)
{
	return list_each(r, &SQL_PM_IDS_OF_CUSTOMER, customer, detach_quietly,
	    ids);
}

int
payment_methods_merge_events(struct req *r, const char *from,
    const char *into)
{
	return events_add_moved(r, EVT_PAYMENT_METHOD_UPDATED,
	    &SQL_PM_ROWS_OF_CUSTOMER, payment_method_json, from, into);
}

/* DELETE /v1/customers/:id/payment_methods/:pm */
void
payment_methods_detach(struct req *r)
{
	(void)db_tx(r, detach_tx, NULL);
}

int
payment_methods_token(struct req *r, const char *pm, const char *customer,
    const char *param, char *token, size_t sz)
{
	struct pm_details	 d;
	struct db_res		 res;
	char			 what[96];
	int			 rc;

	if (strncmp(pm, "pm_", 3) == 0 && ids_valid(pm, "pm_") == 0) {
		rc = db_one(r, &SQL_PM_GET, (struct db_val[]){
		    DB_SCOPE(r),
		    DB_S(pm), DB_E }, &res);
		/* A saved method pays only for the customer it is attached
		 * to, named in the request; a detached one not at all. */
		if (rc == DB_FOUND && customer != NULL &&
		    res.val[PM_CUSTOMER] != NULL &&
		    strcmp(res.val[PM_CUSTOMER], customer) == 0) {
			snprintf(token, sz, "%s", res.val[PM_TOKEN]);
			db_res_free(&res);
			return 0;
		}
		if (rc == DB_FOUND)
			db_res_free(&res);
		else if (rc != 0)
			return rc;
	} else if (processor_token(pm, &d) == 0) {
		snprintf(token, sz, "%s", pm);
		return 0;
	}
	snprintf(what, sizeof(what), "payment method attached to this "
	    "customer: '%.40s'", pm);
	return api_error(r, ERR_REF_MISSING, param, what);
}
