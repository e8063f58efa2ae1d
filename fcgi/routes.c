/*
 * Every route of API.md with its methods, handler and permission, and
 * dispatch(): 404/405, 401 (key, or the dashboard's session cookie, with
 * its CSRF check: 403), 403, parameters (400/413/415), sensitive data,
 * the row's declared parameters (400 parameter_unknown), idempotency
 * replay, then the handler.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analytics.h"
#include "auth.h"
#include "clocks.h"
#include "config.h"
#include "customers.h"
#include "dashboard.h"
#include "dedupe.h"
#include "db.h"
#include "events.h"
#include "export.h"
#include "http.h"
#include "idempotency.h"
#include "import.h"
#include "jsonx.h"
#include "list.h"
#include "merge.h"
#include "params.h"
#include "payment_methods.h"
#include "payments.h"
#include "prices.h"
#include "refunds.h"
#include "router.h"
#include "routes.h"
#include "schedules.h"
#include "subscriptions.h"
#include "taxids.h"
#include "webhooks.h"

static void	health(struct req *);

#define ID	"([^/]{1,64})"

/* What a customer's create and update take; the update answers a
 * test_clock with its own message. */
#define CUSTOMER_FIELDS	"name", "email", "phone", "metadata", \
	"invoice_settings", "test_clock", "description", "address", \
	"shipping", "preferred_locales", "invoice_prefix"
#define CUSTOMER_PARAMS	PARAMS(CUSTOMER_FIELDS)
#define ENDPOINT_PARAMS	"url", "enabled_events", "description", "metadata"

/* Literal paths before the patterns that would also match them. Each
 * method declares the top-level parameters it takes. */
static const struct route routes[] = {
	{ "/healthz", 1, { { "GET", health, NULL, NO_PARAMS } } },
	{ "/v1/customers", 0, {
	    { "GET", customers_list, "customers:read",
	      PARAMS(LIST_PARAMS, "email", "created") },
	    { "POST", customers_create, "customers:write",
	      PARAMS(CUSTOMER_FIELDS, "tax_id_data") } } },
	{ "/v1/customers/search", 0, {
	    { "GET", customers_search, "customers:read",
	      PARAMS("query", "limit", "page") } } },
	{ "/v1/customers/export", 0, {
	    { "GET", export_customers, "customers:read",
	      PARAMS("email", "created", "query", "format") } } },
	{ HTTP_FILE_PATH, 0, {
	    { "POST", import_customers, "customers:write", PARAMS("mode") } } },
	{ "/v1/customers/imports", 0, {
	    { "GET", import_list, "customers:read", PARAMS(LIST_PARAMS) } } },
	{ "/v1/customers/imports/" ID, 0, {
	    { "GET", import_get, "customers:read", NO_PARAMS } } },
	{ "/v1/customers/duplicates", 0, {
	    { "GET", dedupe_list, "customers:read",
	      PARAMS("limit", "starting_after") } } },
	{ "/v1/customers/" ID, 0, {
	    { "GET", customers_get, "customers:read", NO_PARAMS },
	    { "POST", customers_update, "customers:write", CUSTOMER_PARAMS },
	    { "PUT", customers_update, "customers:write", CUSTOMER_PARAMS },
	    { "DELETE", customers_delete, "customers:write", NO_PARAMS } } },
	{ "/v1/customers/" ID "/merge", 0, {
	    { "POST", merge_customers, "customers:write",
	      PARAMS("from") } } },
	{ "/v1/customers/" ID "/analytics", 0, {
	    { "GET", analytics_get, "customers:read", NO_PARAMS } } },
	{ "/v1/customers/" ID "/analytics/volume", 0, {
	    { "GET", analytics_volume, "customers:read",
	      PARAMS("interval", "currency") } } },
	{ "/v1/customers/" ID "/payment_methods", 0, {
	    { "GET", payment_methods_list, "customers:read",
	      PARAMS(LIST_PARAMS) },
	    { "POST", payment_methods_attach, "customers:write",
	      PARAMS("payment_method", "token", "source") } } },
	{ "/v1/customers/" ID "/tax_ids", 0, {
	    { "GET", taxids_list, "customers:read", PARAMS(LIST_PARAMS) },
	    { "POST", taxids_create, "customers:write",
	      PARAMS("type", "value") } } },
	{ "/v1/customers/" ID "/tax_ids/" ID, 0, {
	    { "GET", taxids_get, "customers:read", NO_PARAMS },
	    { "DELETE", taxids_delete, "customers:write", NO_PARAMS } } },
	{ "/v1/customers/" ID "/payment_methods/" ID, 0, {
	    { "DELETE", payment_methods_detach, "customers:write",
	      NO_PARAMS } } },
	{ "/v1/payments", 0, {
	    { "GET", payments_list, "payments:read",
	      PARAMS(LIST_PARAMS, "customer", "status", "created") },
	    { "POST", payments_create, "payments:write",
	      PARAMS("amount", "currency", "customer", "description",
	      "payment_method", "metadata") } } },
	{ "/v1/payments/" ID, 0, {
	    { "GET", payments_get, "payments:read", NO_PARAMS } } },
	{ "/v1/refunds", 0, {
	    { "GET", refunds_list, "payments:read",
	      PARAMS(LIST_PARAMS, "payment", "created") },
	    { "POST", refunds_create, "payments:write",
	      PARAMS("payment", "amount", "reason", "metadata") } } },
	{ "/v1/refunds/" ID, 0, {
	    { "GET", refunds_get, "payments:read", NO_PARAMS } } },
	{ "/v1/events", 0, {
	    { "GET", events_list, "events:read",
	      PARAMS(LIST_PARAMS, "type", "customer", "created") } } },
	{ "/v1/events/" ID, 0, {
	    { "GET", events_get, "events:read", NO_PARAMS } } },
	{ "/v1/webhook_endpoints", 0, {
	    { "GET", webhooks_list, "webhooks:read", PARAMS(LIST_PARAMS) },
	    { "POST", webhooks_create, "webhooks:write",
	      PARAMS(ENDPOINT_PARAMS) } } },
	{ "/v1/webhook_endpoints/" ID, 0, {
	    { "GET", webhooks_get, "webhooks:read", NO_PARAMS },
	    { "POST", webhooks_update, "webhooks:write",
	      PARAMS(ENDPOINT_PARAMS, "disabled") },
	    { "DELETE", webhooks_delete, "webhooks:write", NO_PARAMS } } },
	{ "/v1/webhook_endpoints/" ID "/deliveries", 0, {
	    { "GET", webhooks_deliveries, "webhooks:read",
	      PARAMS(LIST_PARAMS) } } },
	{ "/v1/prices", 0, {
	    { "GET", prices_list, "subscriptions:read", PARAMS(LIST_PARAMS) },
	    { "POST", prices_create, "subscriptions:write",
	      PARAMS("unit_amount", "currency", "recurring", "nickname",
	      "lookup_key", "metadata") } } },
	{ "/v1/prices/" ID, 0, {
	    { "GET", prices_get, "subscriptions:read", NO_PARAMS },
	    { "POST", prices_update, "subscriptions:write",
	      PARAMS("active", "nickname", "metadata", "unit_amount") } } },
	{ "/v1/subscriptions", 0, {
	    { "GET", subscriptions_list, "subscriptions:read",
	      PARAMS(LIST_PARAMS, "customer", "status") },
	    { "POST", subscriptions_create, "subscriptions:write",
	      PARAMS("customer", "price", "items", "payment_behavior",
	      "metadata") } } },
	{ "/v1/subscriptions/" ID, 0, {
	    { "GET", subscriptions_get, "subscriptions:read", NO_PARAMS },
	    { "POST", subscriptions_update, "subscriptions:write",
	      PARAMS("cancel_at_period_end", "metadata") },
	    { "DELETE", subscriptions_cancel, "subscriptions:write",
	      NO_PARAMS } } },
	{ "/v1/payment_schedules", 0, {
	    { "GET", schedules_list, "subscriptions:read",
	      PARAMS(LIST_PARAMS, "customer") },
	    { "POST", schedules_create, "subscriptions:write",
	      PARAMS("customer", "amount", "currency", "run_at",
	      "payment_method", "description", "metadata") } } },
	{ "/v1/payment_schedules/" ID, 0, {
	    { "GET", schedules_get, "subscriptions:read", NO_PARAMS },
	    { "DELETE", schedules_cancel, "subscriptions:write",
	      NO_PARAMS } } },
	{ "/v1/test_helpers/test_clocks", 0, {
	    { "GET", clocks_list, "subscriptions:read", PARAMS(LIST_PARAMS) },
	    { "POST", clocks_create, "subscriptions:write",
	      PARAMS("frozen_time", "name") } } },
	{ "/v1/test_helpers/test_clocks/" ID, 0, {
	    { "GET", clocks_get, "subscriptions:read", NO_PARAMS },
	    { "DELETE", clocks_delete, "subscriptions:write", NO_PARAMS } } },
	{ "/v1/test_helpers/test_clocks/" ID "/advance", 0, {
	    { "POST", clocks_advance, "subscriptions:write",
	      PARAMS("frozen_time") } } },
	/* Public: sign-in needs no key; GET and DELETE check the session
	 * cookie themselves. */
	{ "/v1/dashboard/session", 1, {
	    { "POST", dashboard_signin, NULL, PARAMS("email", "password") },
	    { "GET", dashboard_session_get, NULL, NO_PARAMS },
	    { "DELETE", dashboard_signout, NULL, NO_PARAMS } } },
	{ "/v1/dashboard/api_keys", 0, {
	    { "GET", dashboard_keys_list, AUTH_SESSION_ONLY, NO_PARAMS },
	    { "POST", dashboard_keys_create, AUTH_SESSION_ONLY,
	      PARAMS("mode", "permissions") } } },
	{ "/v1/dashboard/api_keys/" ID, 0, {
	    { "DELETE", dashboard_keys_revoke, AUTH_SESSION_ONLY,
	      NO_PARAMS } } },
};

static const struct sql SQL_PING = { "SELECT 1", "", 0 };

/* GET /healthz: 200 when the database answers, 503 otherwise. On a
 * Galera node outside the primary component even SELECT 1 fails (1047),
 * so the worker moves on to the next node as for any statement. */
static void
health(struct req *r)
{
	struct json_object	*o;
	struct db_res		 res;

	if (db_one(r, &SQL_PING, (struct db_val[]){ DB_E }, &res) != DB_FOUND)
		return;		/* 503 already set */
	db_res_free(&res);
	o = json_object_new_object();
	jsonx_add_str(o, "status", "ok");
	http_reply(r, 200, o);
}

struct router *
routes_new(void)
{
	db_tx_hooks(idempotency_claim, idempotency_store);
	return router_new(routes, sizeof(routes) / sizeof(routes[0]));
}

/* Finds the route; 404 or 405 with Allow when there is none. */
static const struct route_method *
route(struct req *r, struct router *rt, const struct route **found)
{
	struct router_match	 m;
	char			 what[300];
	size_t			 i;

	switch (router_match(rt, r->path, r->method, &m)) {
	case ROUTER_NOT_FOUND:
		snprintf(what, sizeof(what), "%s: %.200s", r->method, r->path);
		api_error(r, ERR_ROUTE_MISSING, NULL, what);
		return NULL;
	case ROUTER_BAD_METHOD:
		api_error(r, ERR_METHOD, NULL, m.allow);
		http_header(r, "Allow: %s", m.allow);
		return NULL;
	default:
		break;
	}
	for (i = 0; i < m.ncaptures; i++)
		r->captures[i] = strndup(r->path + m.capture_off[i],
		    m.capture_len[i]);
	*found = m.route;
	return m.method;
}

void
routes_dispatch(struct req *r, struct router *rt)
{
	const struct route_method	*method;
	const struct route		*rte = NULL;

	if ((method = route(r, rt, &rte)) == NULL)
		return;
	if (!rte->public && (auth_check(r, r->cfg->key_cache_ms) == -1 ||
	    auth_permits(r, method->permission) == -1))
		return;
	if (params_parse(r) == -1)
		return;
	/* Public writes (sign-in) store nothing, and a password that
	 * happens to pass Luhn must not be refused. */
	if (http_is_write(r) && !rte->public && params_sensitive(r) == -1)
		return;
	if (params_allow(r, method->params, method->nparams) == -1)
		return;
	if (!http_is_write(r) || rte->public) {
		free(r->idempotency_key);
		r->idempotency_key = NULL;
	} else if (r->idempotency_key != NULL &&
	    idempotency_check(r) != IDEMPOTENCY_GO_ON)
		return;			/* replayed, or an error */
	method->handler(r);
	(void)api_error_unanswered(r);
}
