/*
 * The events table: written in the change's transaction (events_add),
 * listed and retrieved here, delivered by jobs.c. events_json() renders
 * the same object for the API and for webhook bodies.
 */
#include <stdio.h>
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

static const char *const types[EVT__MAX] = {
	"customer.created",		/* EVT_CUSTOMER_CREATED */
	"customer.updated",		/* EVT_CUSTOMER_UPDATED */
	"customer.deleted",		/* EVT_CUSTOMER_DELETED */
	"customer.merged",		/* EVT_CUSTOMER_MERGED */
	"payment.succeeded",		/* EVT_PAYMENT_SUCCEEDED */
	"payment.failed",		/* EVT_PAYMENT_FAILED */
	"payment_method.attached",	/* EVT_PAYMENT_METHOD_ATTACHED */
	"payment_method.detached",	/* EVT_PAYMENT_METHOD_DETACHED */
	"payment_method.updated",	/* EVT_PAYMENT_METHOD_UPDATED */
	"subscription.created",		/* EVT_SUBSCRIPTION_CREATED */
	"subscription.updated",		/* EVT_SUBSCRIPTION_UPDATED */
	"subscription.deleted",		/* EVT_SUBSCRIPTION_DELETED */
	"refund.created",		/* EVT_REFUND_CREATED */
	"payment.refunded",		/* EVT_PAYMENT_REFUNDED */
	"payment_schedule.canceled",	/* EVT_PAYMENT_SCHEDULE_CANCELED */
};

static const struct sql SQL_EVENT_INSERT = {
	"INSERT INTO events (id, account_id, livemode, type, data, created)"
	" VALUES (?, ?, ?, ?, ?, ?)", "ssissi", 0 };
static const struct sql SQL_EVENT_GET = {
	"SELECT " EVENTS_COLS " FROM events WHERE " SCOPE " AND id = ?",
	"sis", 0 };
static const struct sql SQL_EVENT_CURSOR = LIST_CURSOR("events");

/* The index is named so a deep cursor reads a range (as payments.c). */
#define EVENT_LIST_HEAD(index)						\
	"SELECT " EVENTS_COLS " FROM events FORCE INDEX (" index ")"	\
	" WHERE " SCOPE

/* Indexed by [type filter][customer filter][ascending]. customer_id
 * is generated from data (sql/009): the customer or the object's. */
static const struct sql SQL_EVENT_LIST[2][2][2] = {
	{ LIST_PAIR_CREATED(EVENT_LIST_HEAD("events_list"), ""),
	  LIST_PAIR_CREATED(EVENT_LIST_HEAD("events_customer")
	    " AND customer_id = ?", "s") },
	{ LIST_PAIR_CREATED(EVENT_LIST_HEAD("events_type") " AND type = ?",
	    "s"),
	  LIST_PAIR_CREATED(EVENT_LIST_HEAD("events_customer")
	    " AND type = ? AND customer_id = ?", "ss") },
};

const char *
events_type_name(enum event_type type)
{
	return type < EVT__MAX ? types[type] : NULL;
}

enum event_type
events_type_parse(const char *name)
{
	enum event_type	 t;

	for (t = 0; t < EVT__MAX; t++)
		if (strcmp(types[t], name) == 0)
			break;
	return t;
}

int
events_add(struct req *r, enum event_type type, struct json_object *obj)
{
	return events_add_change(r, type, obj, NULL);
}

int
events_add_change(struct req *r, enum event_type type,
    struct json_object *obj, struct json_object *previous)
{
	struct json_object	*data;
	char			 id[IDS_MAX];
	int			 rc;

	if (ids_assign(r, "evt_", id, sizeof(id)) == -1)
		return -1;
	if ((data = json_object_new_object()) == NULL)
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	jsonx_add(data, "object", json_object_get(obj));
	if (previous != NULL)
		jsonx_add(data, "previous_attributes", json_object_get(previous));
	rc = db_exec(r, &SQL_EVENT_INSERT, (struct db_val[]){ DB_S(id),
	    DB_SCOPE(r), DB_S(types[type]), DB_S(jsonx_text(data)),
	    DB_I(time(NULL)), DB_E }, NULL);
	json_object_put(data);
	return rc;
}

int
events_add_moved(struct req *r, enum event_type type, const struct sql *q,
    struct json_object *(*render)(const struct db_res *), const char *from,
    const char *into)
{
	struct json_object	*objs, *obj, *prev;
	struct db_res		 res;
	size_t			 i;
	int			 rc;

	if ((rc = db_query(r, q, (struct db_val[]){ DB_SCOPE(r), DB_S(from),
	    DB_E }, &res)) != 0)
		return rc;
	if ((objs = list_rows(r, &res, render)) == NULL)
		return -1;
	prev = json_object_new_object();
	jsonx_add_str(prev, "customer", from);
	for (i = 0; rc == 0 && i < json_object_array_length(objs); i++) {
		obj = json_object_array_get_idx(objs, i);
		jsonx_add_str(obj, "customer", into);
		rc = events_add_change(r, type, obj, prev);
	}
	json_object_put(prev);
	json_object_put(objs);
	return rc;
}

struct json_object *
events_json(const struct db_res *res)
{
	struct json_object	*o = json_object_new_object();

	jsonx_add_str(o, "id", res->val[0]);
	jsonx_add_str(o, "object", "event");
	jsonx_add_str(o, "type", res->val[1]);
	/* Written by events_add() as JSON text: passed through as it is. */
	jsonx_add(o, "data", jsonx_raw(res->val[2]));
	jsonx_add_i64(o, "created", db_i64(res, 3));
	jsonx_add_bool(o, "livemode", (int)db_i64(res, 4));
	return o;
}

/* GET /v1/events/:id */
void
events_get(struct req *r)
{
	struct db_res	 res;

	if (db_find(r, &SQL_EVENT_GET, r->captures[0], "event",
	    &res) != DB_FOUND)
		return;
	http_reply(r, 200, events_json(&res));
	db_res_free(&res);
}

/* GET /v1/events: newest first; type, customer, created and cursors. */
void
events_list(struct req *r)
{
	struct list_page	 p;
	const char		*f[2] = { NULL, NULL };	/* type, customer */

	if (params_str(r, "type", &f[0]) == -1 ||
	    params_id(r, "customer", 0, &f[1]) == -1 ||
	    list_params(r, &SQL_EVENT_CURSOR, &p) == -1)
		return;
	list_answer(r, &p, &SQL_EVENT_LIST[f[0] != NULL][f[1] != NULL]
	    [p.ascending], f, 2, 1, events_json, "/v1/events");
}
