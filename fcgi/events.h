/*
 * Events (API.md "Events and webhooks"): every state change writes one,
 * inside the transaction that makes the change.
 */
#ifndef EVENTS_H
#define EVENTS_H

struct req;
struct json_object;

/* Inserts event "type" about "obj" (borrowed) for the caller's account
 * and mode. Call inside db_tx(). Returns 0, DB_RETRY or -1 (error set). */
int	events_add(struct req *r, const char *type, struct json_object *obj);

#endif
