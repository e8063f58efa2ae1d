/* The Customers resource (API.md "Customers"). */
#ifndef CUSTOMERS_H
#define CUSTOMERS_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"

struct req;
struct json_object;

void	customers_create(struct req *r);
void	customers_get(struct req *r);
void	customers_update(struct req *r);
void	customers_delete(struct req *r);
void	customers_list(struct req *r);
void	customers_search(struct req *r);

struct db_res;
struct json_object;

/*
 * For GET /v1/customers/export: reads the list's filters (email,
 * created[...]) or a search "query" from the parameters and runs the
 * matching statement over every match, newest first, unbuffered
 * (db_stream()). Returns 0 with "res" ready for db_row() and
 * customers_row_json() (free it), or -1 (set).
 */
int	customers_select(struct req *r, struct db_res *res);

/* The API object of a row of customers_select() or of a list; a new
 * reference, NULL if out of memory. */
struct json_object *customers_row_json(const struct db_res *res);

enum customers_import {
	CUSTOMERS_CHECK,	/* validate and look up; write nothing */
	CUSTOMERS_SKIP,		/* an existing email is left alone */
	CUSTOMERS_UPDATE,	/* an existing email is updated */
};

enum customers_outcome {
	CUSTOMERS_CREATED,
	CUSTOMERS_UPDATED,
	CUSTOMERS_SKIPPED,
};

/*
 * One row of an import, in r->params as POST /v1/customers takes it
 * (name, email, phone, metadata): validated as that create does (-1
 * with its 400 set), then, inside db_tx() unless CUSTOMERS_CHECK,
 * created with its event, or, when a live customer has that email
 * already, updated as POST /v1/customers/:id does or left alone. With
 * CUSTOMERS_CHECK, *outcome says what CUSTOMERS_SKIP would do. Returns 0,
 * DB_RETRY or -1 (set).
 */
int	customers_import_row(struct req *r, enum customers_import mode,
	    enum customers_outcome *outcome);

/* What other resources need of a customer they refer to. */
struct customer_ref {
	char	 default_pm[32];	/* "" if none */
	char	 test_clock[32];	/* "" if none */
};

/*
 * Checks that customer "id" of the caller exists and is not deleted, and
 * keeps it so (a shared lock) until the transaction ends. If it does not,
 * answers 400 resource_missing naming "param", or 404 when "param" is
 * NULL. Fills "out" (may be NULL). Returns 0, DB_RETRY, or -1 (set).
 */
int	customers_ref(struct req *r, const char *id, const char *param,
	    struct customer_ref *out);

/*
 * Answers error "e" (ERR_RESOURCE_MISSING for a path's id, or
 * ERR_REF_MISSING) naming "param" for customer "id" of the caller, that
 * was not found live. One the caller deleted says so, with "deleted":
 * true in the error, and one merged into another (merge.c) names it in
 * the message and in "merged_into"; another account's or mode's id
 * answers as one that never existed (API.md). Every lookup of a customer
 * that misses answers through here. Returns -1, or DB_RETRY.
 */
int	customers_missing(struct req *r, const char *id, enum err e,
	    const char *param);

/*
 * Inside db_tx(), when payment method "pm" leaves customer "id": if it
 * was the customer's default, the customer has none. Returns 0,
 * DB_RETRY or -1 (set).
 */
int	customers_unset_default_pm(struct req *r, const char *id,
	    const char *pm);

/*
 * The caller's live customers whose duplicate key (dedupe.c), the
 * normalised phone if "phone" or else the email, is "key": up to "max",
 * oldest first. A new array, or NULL with the error set.
 */
struct json_object *customers_with_key(struct req *r, int phone,
	    const char *key, int64_t max);

/*
 * Inside db_tx(), the customers' part of a merge (merge.c): customer
 * "into" (404 if missing or deleted) takes what it lacks of "from" (a
 * phone, metadata keys, a default payment method), "from" is deleted
 * with merged_into, and the events customer.deleted (from) and
 * customer.updated (into) are written; answers 200 with "into" (merge.c
 * writes customer.merged from that answer once the rest has moved). With
 * "from" NULL, only answers with "into". Returns 0, DB_RETRY, or -1
 * (set).
 */
int	customers_merge(struct req *r, const char *into, const char *from);

#endif
