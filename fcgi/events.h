/*
 * Events (API.md "Events and webhooks"): every state change writes one,
 * inside the transaction that makes the change; they can be listed and
 * are delivered to webhook endpoints by pesaswap-jobs.
 */
#ifndef EVENTS_H
#define EVENTS_H

struct req;
struct json_object;
struct db_res;
struct sql;

/* Every event type we emit: a typo does not compile. Named in events.c's
 * table, which enabled_events (webhooks.c) is checked against too. */
enum event_type {
	EVT_CUSTOMER_CREATED,
	EVT_CUSTOMER_UPDATED,
	EVT_CUSTOMER_DELETED,
	EVT_CUSTOMER_MERGED,
	EVT_PAYMENT_SUCCEEDED,
	EVT_PAYMENT_FAILED,
	EVT_PAYMENT_METHOD_ATTACHED,
	EVT_PAYMENT_METHOD_DETACHED,
	EVT_PAYMENT_METHOD_UPDATED,
	EVT_SUBSCRIPTION_CREATED,
	EVT_SUBSCRIPTION_UPDATED,
	EVT_SUBSCRIPTION_DELETED,
	EVT_REFUND_CREATED,
	EVT_PAYMENT_REFUNDED,
	EVT_PAYMENT_SCHEDULE_CANCELED,
	EVT__MAX
};

/* Inserts event "type" about "obj" (borrowed) for the caller's account
 * and mode. Call inside db_tx(). Returns 0, DB_RETRY or -1 (error set). */
int	events_add(struct req *r, enum event_type type,
	    struct json_object *obj);
/* As events_add(), with Stripe's data.previous_attributes: the changed
 * top-level keys with their old values ("previous" borrowed; NULL for
 * none). */
int	events_add_change(struct req *r, enum event_type type,
	    struct json_object *obj, struct json_object *previous);

/*
 * Inside db_tx(), for a merge (merge.c) about to move what "q" selects
 * for (account, mode, customer "from") to customer "into": writes event
 * "type" about each row, rendered with "render", as it is once moved
 * ("customer" is "into"), with previous_attributes {"customer": from}.
 * Returns 0, DB_RETRY or -1 (error set).
 */
int	events_add_moved(struct req *r, enum event_type type,
	    const struct sql *q, struct json_object *(*render)(
	    const struct db_res *), const char *from, const char *into);

/* The API name of "type" ("customer.created"); NULL for EVT__MAX. */
const char *events_type_name(enum event_type type);

/* The type named "name", or EVT__MAX if we emit none by that name. */
enum event_type events_type_parse(const char *name);

/* The event object of a row of EVENTS_COLS; a new reference. */
struct json_object *events_json(const struct db_res *res);

#define EVENTS_COLS	"id, type, data, created, livemode"

void	events_get(struct req *r);
void	events_list(struct req *r);

#endif
