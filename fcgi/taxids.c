/*
 * Tax ids (taxids.h): rows of customer_tax_ids, each a type Stripe names
 * (eu_vat, gb_vat, us_ein, …) and a value of that type's shape
 * (fields_tax_id()). No authority is asked: verification is always
 * "unavailable", as Stripe answers for types it does not verify.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "customers.h"
#include "db.h"
#include "fields.h"
#include "http.h"
#include "ids.h"
#include "jsonx.h"
#include "list.h"
#include "params.h"
#include "taxids.h"

#define TAXID_COLS	"id, customer_id, type, value, country, created," \
	" livemode"
enum { TX_ID, TX_CUSTOMER, TX_TYPE, TX_VALUE, TX_COUNTRY, TX_CREATED,
	TX_LIVEMODE };

static const struct sql SQL_TAXID_INSERT = {
	"INSERT INTO customer_tax_ids (id, account_id, livemode, customer_id,"
	" type, value, country, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	"ssissssi", 0 };
static const struct sql SQL_TAXID_COUNT = {
	"SELECT COUNT(*) FROM customer_tax_ids WHERE " SCOPE
	" AND customer_id = ?", "sis", 0 };
static const struct sql SQL_TAXID_GET = {
	"SELECT " TAXID_COLS " FROM customer_tax_ids WHERE " SCOPE
	" AND customer_id = ? AND id = ?", "siss", 0 };
static const struct sql SQL_TAXID_DELETE = {
	"DELETE FROM customer_tax_ids WHERE " SCOPE
	" AND customer_id = ? AND id = ?", "siss", 0 };
static const struct sql SQL_TAXID_CURSOR = LIST_CURSOR("customer_tax_ids");
static const struct sql SQL_TAXID_LIST[2] = LIST_PAIR(
	"SELECT " TAXID_COLS " FROM customer_tax_ids WHERE " SCOPE
	" AND customer_id = ?", "s");

/* The API object of a row; a new reference. */
static struct json_object *
taxid_json(const struct db_res *res)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*v = json_object_new_object();

	jsonx_add_str(v, "status", "unavailable");
	jsonx_add_null(v, "verified_address");
	jsonx_add_null(v, "verified_name");
	jsonx_add_str(o, "id", res->val[TX_ID]);
	jsonx_add_str(o, "object", "tax_id");
	jsonx_add_str(o, "country", res->val[TX_COUNTRY]);
	jsonx_add_i64(o, "created", db_i64(res, TX_CREATED));
	jsonx_add_str(o, "customer", res->val[TX_CUSTOMER]);
	jsonx_add_bool(o, "livemode", (int)db_i64(res, TX_LIVEMODE));
	jsonx_add_str(o, "type", res->val[TX_TYPE]);
	jsonx_add_str(o, "value", res->val[TX_VALUE]);
	jsonx_add(o, "verification", v);
	return o;
}

/* The name of "key" inside "param" for errors: "type" at the top level,
 * "tax_id_data[1][type]" in a list. */
static const char *
param_name(char *buf, size_t sz, const char *param, const char *key)
{
	if (*param == '\0')
		return key;
	snprintf(buf, sz, "%s[%s]", param, key);
	return buf;
}

/* One {type, value} in "in"; "param" names it for errors ("" for the top
 * level, "tax_id_data[0]" in a list). Fills type, value, country. */
static int
taxid_read(struct req *r, struct json_object *in, const char *param,
    const char **type, const char **value, char *country)
{
	struct json_object	*t = NULL, *v = NULL;
	const char		*tname, *vname;
	char			 tbuf[64], vbuf[64], what[320];
	int			 known;

	tname = param_name(tbuf, sizeof(tbuf), param, "type");
	vname = param_name(vbuf, sizeof(vbuf), param, "value");
	if (!json_object_object_get_ex(in, "type", &t) ||
	    !json_object_is_type(t, json_type_string))
		return api_error(r, ERR_PARAM_MISSING, tname, tname);
	if (!json_object_object_get_ex(in, "value", &v) ||
	    !json_object_is_type(v, json_type_string))
		return api_error(r, ERR_PARAM_MISSING, vname, vname);
	*type = json_object_get_string(t);
	*value = json_object_get_string(v);
	if (*param != '\0' && json_object_object_length(in) != 2) {
		snprintf(what, sizeof(what), "%s (only type and value)", param);
		return api_error(r, ERR_PARAM_INVALID, param, what);
	}
	if (fields_tax_id(*type, *value, country, &known) == 0)
		return 0;
	if (known)
		snprintf(what, sizeof(what), "%s (not a valid %.16s number)",
		    vname, *type);
	else
		snprintf(what, sizeof(what), "%s (one of %s)", tname,
		    fields_tax_id_types());
	return api_error(r, ERR_PARAM_INVALID, known ? vname : tname, what);
}

/* Inserts a tax id for "customer"; *obj gets its object when not NULL. */
static int
taxid_insert(struct req *r, const char *customer, const char *type,
    const char *value, const char *country, struct json_object **obj)
{
	struct db_res	 res;
	char		 id[IDS_MAX];
	int		 rc;

	if (ids_assign(r, "txi_", id, sizeof(id)) == -1)
		return -1;
	rc = db_one(r, &SQL_TAXID_COUNT, (struct db_val[]){ DB_SCOPE(r),
	    DB_S(customer), DB_E }, &res);
	if (rc != DB_FOUND)
		return rc == 0 ? api_error(r, ERR_INTERNAL, NULL, NULL) : rc;
	rc = db_i64(&res, 0) >= TAXIDS_MAX;
	db_res_free(&res);
	if (rc)
		return api_error(r, ERR_PARAM_INVALID, "value",
		    "value (a customer holds at most 25 tax ids)");
	if ((rc = db_exec(r, &SQL_TAXID_INSERT, (struct db_val[]){ DB_S(id),
	    DB_SCOPE(r), DB_S(customer), DB_S(type), DB_S(value),
	    DB_S(country), DB_I(time(NULL)), DB_E }, NULL)) != 0 ||
	    obj == NULL)
		return rc;
	if ((rc = db_one(r, &SQL_TAXID_GET, (struct db_val[]){ DB_SCOPE(r),
	    DB_S(customer), DB_S(id), DB_E }, &res)) != DB_FOUND)
		return rc == 0 ? api_error(r, ERR_INTERNAL, NULL, NULL) : rc;
	*obj = taxid_json(&res);
	db_res_free(&res);
	return 0;
}

int
taxids_from_data(struct req *r, const char *customer)
{
	struct json_object	*list;
	const char		*type, *value;
	char			 param[48], country[3];
	size_t			 i, n;
	int			 rc = 0;

	if ((rc = params_objects(r, "tax_id_data", &list)) != PARAMS_PRESENT)
		return rc;
	n = json_object_array_length(list);
	for (i = 0, rc = 0; rc == 0 && i < n; i++) {
		snprintf(param, sizeof(param), "tax_id_data[%zu]", i);
		if ((rc = taxid_read(r, json_object_array_get_idx(list, i),
		    param, &type, &value, country)) == 0)
			rc = taxid_insert(r, customer, type, value, country,
			    NULL);
	}
	json_object_put(list);
	return rc;
}

static int
create_tx(struct req *r, void *arg)
{
	struct json_object	*obj = NULL;
	const char		*type, *value;
	char			 country[3];
	int			 rc;

	(void)arg;
	if ((rc = customers_ref(r, r->captures[0], NULL, NULL)) != 0 ||
	    (rc = taxid_read(r, r->params, "", &type, &value,
	    country)) != 0 ||
	    (rc = taxid_insert(r, r->captures[0], type, value, country,
	    &obj)) != 0)
		return rc;
	http_reply(r, 200, obj);
	return 0;
}

/* POST /v1/customers/:id/tax_ids: type, value. */
void
taxids_create(struct req *r)
{
	(void)db_tx(r, create_tx, NULL);
}

/* GET /v1/customers/:id/tax_ids */
void
taxids_list(struct req *r)
{
	struct list_page	 p;
	char			 url[96];

	if (customers_ref(r, r->captures[0], NULL, NULL) != 0 ||
	    list_params(r, &SQL_TAXID_CURSOR, &p) == -1)
		return;
	snprintf(url, sizeof(url), "/v1/customers/%s/tax_ids", r->captures[0]);
	list_answer(r, &p, &SQL_TAXID_LIST[p.ascending],
	    (const char *const *)&r->captures[0], 1, 0, taxid_json, url);
}

/* Finds tax id captures[1] of customer captures[0]; 404 if none. */
static int
taxid_find(struct req *r, struct db_res *res)
{
	char	 what[64];
	int	 rc;

	if ((rc = customers_ref(r, r->captures[0], NULL, NULL)) != 0)
		return rc;
	rc = db_one(r, &SQL_TAXID_GET, (struct db_val[]){ DB_SCOPE(r),
	    DB_S(r->captures[0]), DB_S(r->captures[1]), DB_E }, res);
	if (rc != 0)
		return rc;
	snprintf(what, sizeof(what), "tax_id: '%.40s'", r->captures[1]);
	return api_error(r, ERR_RESOURCE_MISSING, "id", what);
}

/* GET /v1/customers/:id/tax_ids/:txi */
void
taxids_get(struct req *r)
{
	struct db_res	 res;

	if (taxid_find(r, &res) != DB_FOUND)
		return;
	http_reply(r, 200, taxid_json(&res));
	db_res_free(&res);
}

static int
delete_tx(struct req *r, void *arg)
{
	struct db_res	 res;
	int		 rc;

	(void)arg;
	if ((rc = taxid_find(r, &res)) != DB_FOUND)
		return rc;
	db_res_free(&res);
	if ((rc = db_exec(r, &SQL_TAXID_DELETE, (struct db_val[]){
	    DB_SCOPE(r), DB_S(r->captures[0]), DB_S(r->captures[1]), DB_E },
	    NULL)) == 0)
		http_reply_deleted(r, r->captures[1], "tax_id");
	return rc;
}

/* DELETE /v1/customers/:id/tax_ids/:txi */
void
taxids_delete(struct req *r)
{
	(void)db_tx(r, delete_tx, NULL);
}
