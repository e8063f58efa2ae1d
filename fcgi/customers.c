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
#include "fields.h"
#include "http.h"
#include "ids.h"
#include "jsonx.h"
#include "list.h"
#include "params.h"
#include "payment_methods.h"
#include "schedules.h"
#include "search.h"
#include "subscriptions.h"
#include "taxids.h"
#include "valid.h"

/* The columns every customer query selects, in this order. */
#define CUSTOMER_COLS \
	"id, name, email, phone, metadata, created, updated, livemode, pk," \
	" default_pm, test_clock, description, address, shipping," \
	" preferred_locales, invoice_prefix"
enum { COL_ID, COL_NAME, COL_EMAIL, COL_PHONE, COL_METADATA, COL_CREATED,
	COL_UPDATED, COL_LIVEMODE, COL_PK, COL_DEFAULT_PM, COL_TEST_CLOCK,
	COL_DESCRIPTION, COL_ADDRESS, COL_SHIPPING, COL_LOCALES, COL_PREFIX };

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
	" metadata, created, updated, test_clock, description, address,"
	" shipping, preferred_locales, invoice_prefix, email_norm, phone_norm)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	"ssissssiissssssss", 0 };
static const struct sql SQL_CUSTOMER_UPDATE = {
	"UPDATE customers SET name = ?, email = ?, phone = ?, metadata = ?,"
	" default_pm = ?, updated = ?, description = ?, address = ?,"
	" shipping = ?, preferred_locales = ?, invoice_prefix = ?,"
	" email_norm = ?, phone_norm = ?"
	" WHERE " SCOPE " AND id = ? AND deleted IS NULL",
	"sssssissssssssis", 0 };
/* Whether a missing customer was deleted, and into whom it was merged,
 * to say so (API.md: 404). */
static const struct sql SQL_CUSTOMER_WAS_DELETED = {
	"SELECT merged_into FROM customers WHERE " SCOPE " AND id = ?"
	" AND deleted IS NOT NULL", "sis", 0 };
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
	char			*description;	/* NULL: none */
	struct json_object	*address;	/* NULL: none */
	struct json_object	*shipping;	/* NULL: none */
	char			*locales;	/* "en,fr-FR"; NULL: none */
	char			 invoice_prefix[16];
};

static void
customer_free(struct customer *c)
{
	free(c->name);
	free(c->email);
	free(c->phone);
	json_object_put(c->metadata);
	free(c->description);
	json_object_put(c->address);
	json_object_put(c->shipping);
	free(c->locales);
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
	snprintf(c->invoice_prefix, sizeof(c->invoice_prefix), "%s",
	    res->val[COL_PREFIX] ? res->val[COL_PREFIX] : "");
	c->description = res->val[COL_DESCRIPTION] ?
	    strdup(res->val[COL_DESCRIPTION]) : NULL;
	c->address = res->val[COL_ADDRESS] ?
	    jsonx_parse_object(res->val[COL_ADDRESS]) : NULL;
	c->shipping = res->val[COL_SHIPPING] ?
	    jsonx_parse_object(res->val[COL_SHIPPING]) : NULL;
	c->locales = res->val[COL_LOCALES] ? strdup(res->val[COL_LOCALES]) :
	    NULL;
	if (c->name == NULL || c->email == NULL || c->metadata == NULL ||
	    (res->val[COL_PHONE] != NULL && c->phone == NULL) ||
	    (res->val[COL_DESCRIPTION] != NULL && c->description == NULL) ||
	    (res->val[COL_ADDRESS] != NULL && c->address == NULL) ||
	    (res->val[COL_SHIPPING] != NULL && c->shipping == NULL) ||
	    (res->val[COL_LOCALES] != NULL && c->locales == NULL)) {
		customer_free(c);
		return -1;
	}
	return 0;
}

/* preferred_locales as Stripe returns it: an array, empty for none. */
static struct json_object *
locales_json(const char *locales)
{
	struct json_object	*a = json_object_new_array();
	const char		*p = locales, *end;

	while (a != NULL && p != NULL && *p != '\0') {
		end = strchr(p, ',');
		json_object_array_add(a, json_object_new_string_len(p,
		    end ? (int)(end - p) : (int)strlen(p)));
		p = end ? end + 1 : NULL;
	}
	return a;
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
	jsonx_add_str(o, "description", c->description);
	jsonx_add_nullable(o, "address", json_object_get(c->address));
	jsonx_add_nullable(o, "shipping", json_object_get(c->shipping));
	jsonx_add(o, "preferred_locales", locales_json(c->locales));
	jsonx_add_str(o, "invoice_prefix", c->invoice_prefix[0] ?
	    c->invoice_prefix : NULL);
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

int
customers_missing(struct req *r, const char *id, enum err e,
    const char *param)
{
	struct json_object	*err;
	struct db_res		 res;
	char			 what[160], into[IDS_MAX] = "";
	int			 rc = 0;

	if (ids_valid(id, "cust_") == 0 &&
	    (rc = db_one(r, &SQL_CUSTOMER_WAS_DELETED, (struct db_val[]){
	    DB_SCOPE(r), DB_S(id), DB_E }, &res)) == DB_FOUND) {
		snprintf(into, sizeof(into), "%s", res.val[0] ? res.val[0] : "");
		db_res_free(&res);
	}
	if (rc != 0 && rc != DB_FOUND)
		return rc;
	snprintf(what, sizeof(what), "customer: '%.40s'%s%s%s", id,
	    rc == DB_FOUND ? "; it has been deleted" : "",
	    into[0] ? ", merged into " : "", into);
	api_error(r, e, param, what);
	if (rc == DB_FOUND &&
	    json_object_object_get_ex(r->reply, "error", &err)) {
		jsonx_add_bool(err, "deleted", 1);
		if (into[0])
			jsonx_add_str(err, "merged_into", into);
	}
	return -1;
}

/* customers_missing() for the path's id (404), or for the id in
 * parameter "param" (400). */
static int
customer_missing(struct req *r, const char *id, const char *param)
{
	return param != NULL ? customers_missing(r, id, ERR_REF_MISSING,
	    param) : customers_missing(r, id, ERR_RESOURCE_MISSING, "id");
}

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
	int		 rc;

	/* Not one of our ids: no such customer, and no query (MariaDB's
	 * PAD SPACE comparison would match "cust_… " with the spaces). */
	rc = ids_valid(id, "cust_") == -1 ? 0 :
	    db_one(r, load_sql[lock], (struct db_val[]){
	    DB_SCOPE(r), DB_S(id),
	    DB_E }, &res);
	if (rc == 0)
		return customer_missing(r, id, param);
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

/* A value that means "none" when updating: JSON null or "". */
static int
is_unset(struct json_object *v)
{
	return v == NULL || (json_object_is_type(v, json_type_string) &&
	    json_object_get_string_len(v) == 0);
}

/* The keys of an address, as Stripe's. */
static const char *const address_keys[] = {
	"city", "country", "line1", "line2", "postal_code", "state" };
#define ADDRESS_KEYS	(sizeof(address_keys) / sizeof(address_keys[0]))

/* 400 unless every key of object "in" is one of "keys". */
static int
only_keys(struct req *r, struct json_object *in, const char *param,
    const char *const *keys, size_t n)
{
	char	 name[96];
	size_t	 i;

	json_object_object_foreach(in, key, val) {
		(void)val;
		for (i = 0; i < n && strcmp(keys[i], key) != 0; i++)
			continue;
		if (i == n) {
			snprintf(name, sizeof(name), "%s[%.40s]", param, key);
			return api_error(r, ERR_PARAM_UNKNOWN, name, name);
		}
	}
	return 0;
}

/* One string of an address or shipping: *out borrowed, NULL if none. */
static int
sub_text(struct req *r, struct json_object *in, const char *param,
    const char *key, const char **out)
{
	struct json_object	*v = NULL;
	char			 name[64], what[160];

	*out = NULL;
	if (!json_object_object_get_ex(in, key, &v) || is_unset(v))
		return 0;
	*out = json_object_get_string(v);
	if (json_object_is_type(v, json_type_string) &&
	    strlen(*out) == (size_t)json_object_get_string_len(v) &&
	    valid_text(*out, FIELDS_TEXT_MAX) == 0)
		return 0;
	snprintf(name, sizeof(name), "%s[%s]", param, key);
	snprintf(what, sizeof(what), "%s (a string of at most %d characters, "
	    "no control characters)", name, FIELDS_TEXT_MAX);
	return api_error(r, ERR_PARAM_INVALID, name, what);
}

/* The country of an address: ISO 3166-1 alpha-2, any case, upper-cased
 * into "up" (3 bytes); "" when none. */
static int
address_country(struct req *r, struct json_object *in, const char *param,
    char *up)
{
	const char	*s;
	char		 name[64], what[128];

	up[0] = '\0';
	if (sub_text(r, in, param, "country", &s) == -1)
		return -1;
	if (s == NULL)
		return 0;
	if (strlen(s) == 2) {
		up[0] = s[0] >= 'a' && s[0] <= 'z' ? s[0] - 'a' + 'A' : s[0];
		up[1] = s[1] >= 'a' && s[1] <= 'z' ? s[1] - 'a' + 'A' : s[1];
		up[2] = '\0';
		if (fields_country(up) == 0)
			return 0;
	}
	snprintf(name, sizeof(name), "%s[country]", param);
	snprintf(what, sizeof(what), "%s (a two-letter ISO 3166-1 country "
	    "code, such as US or KE)", name);
	return api_error(r, ERR_PARAM_INVALID, name, what);
}

/*
 * An address object "in" named "param" as Stripe shapes it: every key
 * present, null when not given; the country checked and the postal code
 * checked against it where we know the rule. *out: a new reference.
 */
static int
read_address(struct req *r, struct json_object *in, const char *param,
    struct json_object **out)
{
	struct json_object	*a;
	const char		*s[ADDRESS_KEYS];
	char			 country[3], name[64], what[160];
	size_t			 i;

	if (!json_object_is_type(in, json_type_object)) {
		snprintf(what, sizeof(what), "%s (an object of line1, line2, "
		    "city, state, postal_code, country)", param);
		return api_error(r, ERR_PARAM_INVALID, param, what);
	}
	if (only_keys(r, in, param, address_keys, ADDRESS_KEYS) == -1 ||
	    address_country(r, in, param, country) == -1)
		return -1;
	for (i = 0; i < ADDRESS_KEYS; i++)
		if (sub_text(r, in, param, address_keys[i], &s[i]) == -1)
			return -1;
	if (country[0] != '\0' && s[4] != NULL &&
	    fields_postal_code(country, s[4]) == -1) {
		snprintf(name, sizeof(name), "%s[postal_code]", param);
		snprintf(what, sizeof(what), "%s (not a postal code of %s)",
		    name, country);
		return api_error(r, ERR_PARAM_INVALID, name, what);
	}
	a = json_object_new_object();
	for (i = 0; i < ADDRESS_KEYS; i++)
		jsonx_add_str(a, address_keys[i], i == 1 && country[0] ?
		    country : s[i]);
	*out = a;
	return 0;
}

/* address: an address, or "" / null for none. */
static int
read_customer_address(struct req *r, struct customer *c)
{
	struct json_object	*v = params_get(r, "address"), *a = NULL;

	if (!params_has(r, "address"))
		return 0;
	if (!is_unset(v) && read_address(r, v, "address", &a) == -1)
		return -1;
	json_object_put(c->address);
	c->address = a;
	return 0;
}

/*
 * shipping: {name, phone, address} with name and address required, as
 * Stripe's; the phone normalised to E.164 as the customer's. "" / null
 * for none.
 */
static int
read_shipping(struct req *r, struct customer *c)
{
	static const char *const keys[] = { "address", "name", "phone" };
	struct json_object	*v = params_get(r, "shipping"), *a = NULL, *o;
	const char		*name, *phone;
	char			 e164[VALID_PHONE_MAX + 1];

	if (!params_has(r, "shipping"))
		return 0;
	if (is_unset(v)) {
		json_object_put(c->shipping);
		c->shipping = NULL;
		return 0;
	}
	if (!json_object_is_type(v, json_type_object))
		return api_error(r, ERR_PARAM_INVALID, "shipping",
		    "shipping (an object of name, phone and address)");
	if (only_keys(r, v, "shipping", keys, 3) == -1 ||
	    sub_text(r, v, "shipping", "name", &name) == -1 ||
	    sub_text(r, v, "shipping", "phone", &phone) == -1)
		return -1;
	if (name == NULL)
		return api_error(r, ERR_PARAM_MISSING, "shipping[name]",
		    "shipping[name]");
	if (phone != NULL && valid_phone(phone, e164, sizeof(e164)) == -1)
		return api_error(r, ERR_PHONE_INVALID, "shipping[phone]",
		    " in shipping[phone]");
	if (!json_object_object_get_ex(v, "address", &a) || is_unset(a))
		return api_error(r, ERR_PARAM_MISSING, "shipping[address]",
		    "shipping[address]");
	if (read_address(r, a, "shipping[address]", &a) == -1)
		return -1;
	o = json_object_new_object();
	jsonx_add(o, "address", a);
	jsonx_add_str(o, "name", name);
	jsonx_add_str(o, "phone", phone != NULL ? e164 : NULL);
	json_object_put(c->shipping);
	c->shipping = o;
	return 0;
}

/* description: Stripe's free text of up to 5000 characters. */
static int
read_description(struct req *r, struct customer *c)
{
	const char	*s;

	if (!params_has(r, "description"))
		return 0;
	if (params_text(r, "description", FIELDS_TEXT_MAX, &s) == -1)
		return -1;
	free(c->description);
	c->description = s != NULL ? strdup(s) : NULL;
	return s == NULL || c->description != NULL ? 0 :
	    api_error(r, ERR_INTERNAL, NULL, NULL);
}

/* preferred_locales: up to 10 BCP 47 tags ("en", "fr-FR"), kept
 * comma-separated; "" / null for none. */
static int
read_locales(struct req *r, struct customer *c)
{
	struct json_object	*list;
	const char		*tag;
	char			 buf[FIELDS_LOCALES_MAX * 17 + 1] = "";
	size_t			 i, n, len = 0;

	if (!params_has(r, "preferred_locales"))
		return 0;
	if (!is_unset(params_get(r, "preferred_locales"))) {
		if (params_list(r, "preferred_locales", &list) == -1)
			return -1;
		n = json_object_array_length(list);
		for (i = 0; i < n; i++) {
			tag = json_object_get_string(
			    json_object_array_get_idx(list, i));
			if (i >= FIELDS_LOCALES_MAX || fields_locale(tag) == -1)
				break;
			len += snprintf(buf + len, sizeof(buf) - len, "%s%s",
			    i > 0 ? "," : "", tag);
		}
		json_object_put(list);
		if (i < n)
			return api_error(r, ERR_PARAM_INVALID,
			    "preferred_locales", "preferred_locales (at most "
			    "10 language tags such as en or fr-FR)");
	}
	free(c->locales);
	c->locales = buf[0] != '\0' ? strdup(buf) : NULL;
	return buf[0] == '\0' || c->locales != NULL ? 0 :
	    api_error(r, ERR_INTERNAL, NULL, NULL);
}

/* invoice_prefix: 3 to 12 upper-case letters or digits; generated at
 * creation when not given, as Stripe does, and never unset. */
static int
read_invoice_prefix(struct req *r, int creating, struct customer *c)
{
	const char	*s;
	int		 rc;

	if ((rc = params_str(r, "invoice_prefix", &s)) == -1)
		return -1;
	if (rc == PARAMS_PRESENT &&
	    (s == NULL || fields_invoice_prefix(s) == -1))
		return api_error(r, ERR_PARAM_INVALID, "invoice_prefix",
		    "invoice_prefix (3 to 12 upper-case letters or digits)");
	if (rc == PARAMS_PRESENT)
		snprintf(c->invoice_prefix, sizeof(c->invoice_prefix), "%s", s);
	else if (creating && fields_new_invoice_prefix(c->invoice_prefix,
	    sizeof(c->invoice_prefix)) == -1)
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	return 0;
}

/* The fields of issue 15, read into "c" (discarded by the caller on an
 * error). */
static int
read_stripe_fields(struct req *r, int creating, struct customer *c)
{
	if (read_description(r, c) == -1 ||
	    read_customer_address(r, c) == -1 ||
	    read_shipping(r, c) == -1 ||
	    read_locales(r, c) == -1 ||
	    read_invoice_prefix(r, creating, c) == -1)
		return -1;
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
	    read_stripe_fields(r, creating, c) == -1 ||
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

/* The stored text of an optional object; NULL for none. */
static const char *
json_text_or_null(struct json_object *o)
{
	return o != NULL ? jsonx_text(o) : NULL;
}

/*
 * Stripe's data.previous_attributes: the top-level keys of "after" whose
 * value differs in "before", with the old value. "updated" is left out:
 * it changes on every update and is not a field the caller changed.
 * A new reference.
 */
static struct json_object *
previous_attributes(struct json_object *before, struct json_object *after)
{
	struct json_object	*prev = json_object_new_object(), *old;

	json_object_object_foreach(after, key, val) {
		if (strcmp(key, "updated") == 0 ||
		    !json_object_object_get_ex(before, key, &old) ||
		    json_object_equal(old, val))
			continue;
		jsonx_add_nullable(prev, key, json_object_get(old));
	}
	return prev;
}

/* Renders "c", writes event "type" about it (with previous_attributes
 * against "before" when not NULL), and answers with it. */
static int
answer_with_event(struct req *r, const struct customer *c,
    enum event_type type, struct json_object *before)
{
	struct json_object	*obj = customer_json(c), *prev = NULL;
	int			 rc;

	if (before != NULL)
		prev = previous_attributes(before, obj);
	rc = events_add_change(r, type, obj, prev);
	json_object_put(prev);
	if (rc != 0) {
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
	    DB_SN(c->description), DB_SN(json_text_or_null(c->address)),
	    DB_SN(json_text_or_null(c->shipping)), DB_SN(c->locales),
	    DB_SN(c->invoice_prefix[0] ? c->invoice_prefix : NULL),
	    DB_KEY(k.email), DB_KEY(k.phone), DB_E }, NULL);
	if (rc == DB_DUP)
		return duplicate_email(r, c);
	if (rc != 0 || (rc = taxids_from_data(r, c->id)) != 0)
		return rc;
	return answer_with_event(r, c, EVT_CUSTOMER_CREATED, NULL);
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
	    DB_I(c->updated),
	    DB_SN(c->description), DB_SN(json_text_or_null(c->address)),
	    DB_SN(json_text_or_null(c->shipping)), DB_SN(c->locales),
	    DB_SN(c->invoice_prefix[0] ? c->invoice_prefix : NULL),
	    DB_KEY(k.email), DB_KEY(k.phone),
	    DB_SCOPE(r),
	    DB_S(c->id), DB_E }, NULL);
}

/* The customer's object as it is now, not sharing anything with "c"
 * (params_metadata() changes c->metadata in place); NULL if out of
 * memory, which only loses previous_attributes. */
static struct json_object *
customer_snapshot(const struct customer *c)
{
	struct json_object	*now = customer_json(c), *copy = NULL;

	if (json_object_deep_copy(now, &copy, NULL) != 0)
		copy = NULL;
	json_object_put(now);
	return copy;
}

/* Inside db_tx(): updates customer "id" with the parameters. */
static int
update_one(struct req *r, const char *id)
{
	struct json_object	*before;
	struct customer		 c;
	int			 changed = 0, rc;

	if ((rc = customer_load(r, id, LOCK_UPDATE, NULL, &c)) != 0)
		return rc;
	before = customer_snapshot(&c);
	if ((rc = customer_params(r, 0, &c, &changed)) == 0 && !changed)
		http_reply(r, 200, customer_json(&c));
	else if (rc == 0) {
		rc = customer_save(r, &c);
		if (rc == DB_DUP)
			rc = duplicate_email(r, &c);
		if (rc == 0)
			rc = answer_with_event(r, &c, EVT_CUSTOMER_UPDATED,
			    before);
	}
	json_object_put(before);
	customer_free(&c);
	return rc;
}

static int
update_tx(struct req *r, void *arg)
{
	(void)arg;
	return update_one(r, r->captures[0]);
}

/* PUT or POST /v1/customers/:id: a partial update. */
void
customers_update(struct req *r)
{
	(void)db_tx(r, update_tx, NULL);
}

/*
 * What a deletion ends with the customer, in its transaction and each
 * with its event (issue 15): subscriptions not ended are canceled,
 * schedules yet to run are canceled, saved payment methods are
 * detached. Nothing is left running for a customer that is gone.
 */
static int
delete_dependents(struct req *r, const char *id, struct json_object **subs,
    struct json_object **scheds, struct json_object **pms)
{
	int	 rc;

	*scheds = *pms = NULL;
	if ((rc = subscriptions_cancel_customer(r, id, subs)) != 0 ||
	    (rc = schedules_cancel_customer(r, id, scheds)) != 0)
		return rc;
	return payment_methods_detach_customer(r, id, pms);
}

/* Adds the array "ids" (borrowed) under "key" unless it is empty: a
 * deletion that ended nothing answers API.md's stub exactly. */
static void
add_if_any(struct json_object *o, const char *key, struct json_object *ids)
{
	if (json_object_array_length(ids) > 0)
		jsonx_add(o, key, json_object_get(ids));
}

static int
delete_tx(struct req *r, void *arg)
{
	struct json_object	*subs = NULL, *scheds = NULL, *pms = NULL;
	struct customer		 c;
	int64_t			 now = time(NULL);
	int			 rc;

	(void)arg;
	if ((rc = customer_load(r, r->captures[0], LOCK_UPDATE, NULL, &c)) != 0)
		return rc;
	/* Every payment method was detached: the event shows no default. */
	if ((rc = delete_dependents(r, c.id, &subs, &scheds, &pms)) == 0) {
		c.default_pm[0] = '\0';
		rc = db_exec(r, &SQL_CUSTOMER_DELETE, (struct db_val[]){
		    DB_I(now), DB_I(now), DB_SCOPE(r), DB_S(c.id), DB_E },
		    NULL);
	}
	if (rc == 0)
		rc = answer_with_event(r, &c, EVT_CUSTOMER_DELETED, NULL);
	if (rc == 0) {
		http_reply_deleted(r, c.id, "customer");
		add_if_any(r->reply, "canceled_subscriptions", subs);
		add_if_any(r->reply, "canceled_payment_schedules", scheds);
		add_if_any(r->reply, "detached_payment_methods", pms);
	}
	json_object_put(subs);
	json_object_put(scheds);
	json_object_put(pms);
	customer_free(&c);
	return rc;
}

/* DELETE /v1/customers/:id: soft delete; payments keep the customer, and
 * what would go on running for it stops (delete_dependents()). */
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

struct json_object *
customers_row_json(const struct db_res *res)
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
	    &email, 1, 1, customers_row_json, "/v1/customers");
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

#define SEARCH_MAX_ARGS	(SEARCH_MAX_CLAUSES * 3 + 6)

/* The binds of search_statement(), into "args" (SEARCH_MAX_ARGS). */
static void
search_args(struct req *r, const struct search_sql *s,
    const struct list_page *p, struct db_val *args)
{
	size_t	 i, n = 0;

	args[n++] = DB_S(r->caller.account_id);
	args[n++] = DB_I(r->caller.livemode);
	if (s->email_eq)
		args[n++] = DB_S(s->email_eq);
	args[n++] = DB_I(p->below_pk);
	for (i = 0; i < s->nbinds; i++)
		args[n++] = s->binds[i].is_int ? DB_I(s->binds[i].num) :
		    DB_S(s->binds[i].str);
	args[n++] = DB_I(p->limit + 1);
	args[n] = DB_E;
}

/* Runs a compiled search for one page; answers. */
static void
search_run(struct req *r, const struct search_sql *s, struct list_page *p)
{
	struct db_val		 args[SEARCH_MAX_ARGS];
	struct json_object	*rows, *next = NULL;
	struct db_res		 res;
	struct sql		 q;
	char			*text, *sig, last_id[IDS_MAX];
	size_t			 len;

	if (search_statement(s, &q, &text, &sig) == -1) {
		api_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	search_args(r, s, p, args);
	if (db_query(r, &q, args, &res) == 0 &&
	    (rows = list_rows(r, &res, customers_row_json)) != NULL) {
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

/* Parses and compiles "query" into "sq" and "ss" (free both either
 * way). Returns 0, or -1 with 400 (the position) or 500 set. */
static int
search_prepare(struct req *r, const char *query, struct search_query *sq,
    struct search_sql *ss)
{
	const char	*err = NULL;
	char		 detail[128];
	size_t		 pos = 0;

	memset(sq, 0, sizeof(*sq));
	memset(ss, 0, sizeof(*ss));
	if (search_parse(query, sq, &err, &pos) == -1) {
		snprintf(detail, sizeof(detail), "at position %zu: %s", pos,
		    err);
		return api_error(r, ERR_QUERY_INVALID, "query", detail);
	}
	if (search_compile(sq, ss) == -1)
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	return 0;
}

/* GET /v1/customers/search?query=…&limit=…&page=… */
void
customers_search(struct req *r)
{
	struct search_query	 sq;
	struct search_sql	 ss;
	struct list_page	 p;
	const char		*query;
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
	if (search_prepare(r, query, &sq, &ss) == 0)
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

/* Every match of a search "query", unbuffered (customers_select()). */
static int
select_search(struct req *r, const char *query, struct list_page *p,
    struct db_res *res)
{
	struct db_val		 args[SEARCH_MAX_ARGS];
	struct search_query	 sq;
	struct search_sql	 ss;
	struct sql		 q;
	char			*text = NULL, *sig = NULL;
	int			 rc = -1;

	if (search_prepare(r, query, &sq, &ss) == 0) {
		if (search_statement(&ss, &q, &text, &sig) == -1)
			rc = api_error(r, ERR_INTERNAL, NULL, NULL);
		else {
			search_args(r, &ss, p, args);
			rc = db_stream(r, &q, args, res);
		}
	}
	free(text);
	free(sig);
	search_sql_free(&ss);
	search_free(&sq);
	return rc;
}

int
customers_select(struct req *r, struct db_res *res)
{
	struct list_page	 p;
	struct db_val		 args[LIST_MAX_ARGS];
	const char		*email = NULL, *query = NULL;
	int			 rc;

	if ((rc = params_str(r, "query", &query)) == -1 ||
	    params_str(r, "email", &email) == -1)
		return -1;
	if (rc == PARAMS_PRESENT && (email != NULL ||
	    params_has(r, "created")))
		return api_error(r, ERR_PARAM_INVALID, "query",
		    "query (a search, or the list filters email and created, "
		    "not both)");
	if (list_params(r, &SQL_CUSTOMER_CURSOR, &p) == -1)
		return -1;
	/* Every match, newest first: the list's bounds, wide open. */
	p.limit = INT64_MAX - 1;
	if (query != NULL && query[strspn(query, " \t")] != '\0')
		return select_search(r, query, &p, res);
	list_args(r, &p, &email, 1, 1, args);
	return db_stream(r, &SQL_CUSTOMER_LIST[email != NULL][0], args, res);
}

int
customers_import_row(struct req *r, enum customers_import mode,
    enum customers_outcome *outcome)
{
	struct customer	 c;
	struct db_res	 res;
	char		 id[IDS_MAX];
	int		 changed, rc;

	memset(&c, 0, sizeof(c));
	c.metadata = json_object_new_object();
	c.created = c.updated = time(NULL);
	c.livemode = r->caller.livemode;
	if ((rc = customer_params(r, 1, &c, &changed)) == 0)
		rc = db_one(r, &SQL_CUSTOMER_BY_EMAIL, (struct db_val[]){
		    DB_SCOPE(r), DB_S(c.email), DB_E }, &res);
	if (rc == DB_FOUND) {
		snprintf(id, sizeof(id), "%s", res.val[0]);
		db_res_free(&res);
		*outcome = mode == CUSTOMERS_UPDATE ? CUSTOMERS_UPDATED :
		    CUSTOMERS_SKIPPED;
		rc = mode == CUSTOMERS_UPDATE ? update_one(r, id) : 0;
	} else if (rc == DB_NONE) {
		*outcome = CUSTOMERS_CREATED;
		if (mode != CUSTOMERS_CHECK)
			rc = ids_assign(r, "cust_", c.id, sizeof(c.id)) == -1 ?
			    -1 : insert_tx(r, &c);
	}
	customer_free(&c);
	return rc;
}

struct json_object *
customers_with_key(struct req *r, int phone, const char *key, int64_t max)
{
	struct db_res	 res;

	if (db_query(r, &SQL_CUSTOMER_BY_KEY[phone != 0], (struct db_val[]){
	    DB_SCOPE(r), DB_S(key), DB_I(max), DB_E }, &res) != 0)
		return NULL;
	return list_rows(r, &res, customers_row_json);
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
	if (s->description == NULL && f->description != NULL &&
	    (s->description = strdup(f->description)) == NULL)
		return -1;
	if (s->address == NULL && f->address != NULL)
		s->address = json_object_get(f->address);
	if (s->shipping == NULL && f->shipping != NULL)
		s->shipping = json_object_get(f->shipping);
	return 0;
}

/* Writes customer.deleted about "f", merged into "into". */
static int
merged_away_event(struct req *r, const struct customer *f, const char *into)
{
	struct json_object	*obj = customer_json(f);
	int			 rc;

	jsonx_add_str(obj, "merged_into", into);
	rc = events_add(r, EVT_CUSTOMER_DELETED, obj);
	json_object_put(obj);
	return rc;
}

/* absorb()'s writes and events; "before" is the survivor untouched. */
static int
absorb_write(struct req *r, struct customer *s, const struct customer *f,
    struct json_object *before)
{
	int64_t	 now = time(NULL);
	int	 rc;

	if ((rc = customer_save(r, s)) == 0)
		rc = db_exec(r, &SQL_CUSTOMER_MERGED, (struct db_val[]){
		    DB_I(now), DB_I(now), DB_S(s->id), DB_SCOPE(r),
		    DB_S(f->id), DB_E }, NULL);
	if (rc == 0)
		rc = merged_away_event(r, f, s->id);
	if (rc == 0)
		rc = answer_with_event(r, s, EVT_CUSTOMER_UPDATED, before);
	return rc == DB_DUP ? api_error(r, ERR_INTERNAL, NULL, NULL) : rc;
}

/* "s" takes what it lacks of "f"; "f" is deleted, merged into "s". */
static int
absorb(struct req *r, struct customer *s, const struct customer *f)
{
	struct json_object	*before;
	int			 rc;

	/* A test clock is the customer's "now" for its subscriptions, which
	 * keep their own copy of it: they cannot change clocks in a merge. */
	if (strcmp(s->test_clock, f->test_clock) != 0)
		return api_error(r, ERR_PARAM_INVALID, "from",
		    "from (a customer on the same test clock, or on none)");
	before = customer_snapshot(s);
	if (fill_from(s, f) == -1) {
		json_object_put(before);
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	}
	rc = absorb_write(r, s, f, before);
	json_object_put(before);
	return rc;
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
