/*
 * The API's route table and the fixed order of checks every request goes
 * through before its handler (STYLE.md "A request, end to end").
 */
#ifndef ROUTES_H
#define ROUTES_H

struct req;
struct router;

/* Compiles the route table, and has db_tx() claim and store idempotency
 * keys (db_tx_hooks()); NULL on failure (logged). */
struct router *routes_new(void);

/* Route, key, permission, parameters, idempotency, handler. Always
 * leaves a response in "r". */
void	routes_dispatch(struct req *r, struct router *rt);

#endif
