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

/* Inserts event "type" about "obj" (borrowed) for the caller's account
 * and mode. Call inside db_tx(). Returns 0, DB_RETRY or -1 (error set). */
int	events_add(struct req *r, const char *type, struct json_object *obj);

/* 1 if "type" is an event type we emit, else 0. */
int	events_type_known(const char *type);

/* The event object of a row of EVENTS_COLS; a new reference. */
struct json_object *events_json(const struct db_res *res);

#define EVENTS_COLS	"id, type, data, created, livemode"

void	events_get(struct req *r);
void	events_list(struct req *r);

#endif
