/*
 * Every route of API.md with its methods, handler and permission, and
 * dispatch(): 404/405, 401 (key, or the dashboard's session cookie, with
 * its CSRF check: 403), 403, parameters (400/413/415), sensitive data,
 * idempotency replay, then the handler.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "auth.h"
#include "clocks.h"
#include "config.h"
#include "customers.h"
#include "dashboard.h"
#include "db.h"
#include "events.h"
#include "http.h"
#include "idempotency.h"
#include "jsonx.h"
#include "params.h"
#include "payment_methods.h"
#include "payments.h"
#include "prices.h"
#include "router.h"
#include "routes.h"
#include "schedules.h"
#include "subscriptions.h"
#include "webhooks.h"

static void	health(struct req *);

#define ID	"([^/]{1,64})"

/* Literal paths before the patterns that would also match them. */
static const struct route routes[] = {
	{ "/healthz", 1, { { "GET", health, NULL } } },
	{ "/v1/customers", 0, {
	    { "GET", customers_list, "customers:read" },
	    { "POST", customers_create, "customers:write" } } },
	{ "/v1/customers/search", 0, {
	    { "GET", customers_search, "customers:read" } } },
	{ "/v1/customers/" ID, 0, {
	    { "GET", customers_get, "customers:read" },
	    { "POST", customers_update, "customers:write" },
	    { "PUT", customers_update, "customers:write" },
	    { "DELETE", customers_delete, "customers:write" } } },
	{ "/v1/customers/" ID "/analytics", 0, {
	    { "GET", payments_analytics, "customers:read" } } },
	{ "/v1/customers/" ID "/analytics/volume", 0, {
	    { "GET", payments_volume, "customers:read" } } },
	{ "/v1/customers/" ID "/payment_methods", 0, {
	    { "GET", payment_methods_list, "customers:read" },
	    { "POST", payment_methods_attach, "customers:write" } } },
	{ "/v1/customers/" ID "/payment_methods/" ID, 0, {
	    { "DELETE", payment_methods_detach, "customers:write" } } },
	{ "/v1/payments", 0, {
	    { "GET", payments_list, "payments:read" },
	    { "POST", payments_create, "payments:write" } } },
	{ "/v1/payments/" ID, 0, {
	    { "GET", payments_get, "payments:read" } } },
	{ "/v1/events", 0, {
	    { "GET", events_list, "events:read" } } },
	{ "/v1/events/" ID, 0, {
	    { "GET", events_get, "events:read" } } },
	{ "/v1/webhook_endpoints", 0, {
	    { "GET", webhooks_list, "webhooks:read" },
	    { "POST", webhooks_create, "webhooks:write" } } },
	{ "/v1/webhook_endpoints/" ID, 0, {
	    { "GET", webhooks_get, "webhooks:read" },
	    { "POST", webhooks_update, "webhooks:write" },
	    { "DELETE", webhooks_delete, "webhooks:write" } } },
	{ "/v1/webhook_endpoints/" ID "/deliveries", 0, {
	    { "GET", webhooks_deliveries, "webhooks:read" } } },
	{ "/v1/prices", 0, {
	    { "GET", prices_list, "subscriptions:read" },
	    { "POST", prices_create, "subscriptions:write" } } },
	{ "/v1/prices/" ID, 0, {
	    { "GET", prices_get, "subscriptions:read" },
	    { "POST", prices_update, "subscriptions:write" } } },
	{ "/v1/subscriptions", 0, {
	    { "GET", subscriptions_list, "subscriptions:read" },
	    { "POST", subscriptions_create, "subscriptions:write" } } },
	{ "/v1/subscriptions/" ID, 0, {
	    { "GET", subscriptions_get, "subscriptions:read" },
	    { "POST", subscriptions_update, "subscriptions:write" },
	    { "DELETE", subscriptions_cancel, "subscriptions:write" } } },
	{ "/v1/payment_schedules", 0, {
	    { "GET", schedules_list, "subscriptions:read" },
	    { "POST", schedules_create, "subscriptions:write" } } },
	{ "/v1/payment_schedules/" ID, 0, {
	    { "GET", schedules_get, "subscriptions:read" },
	    { "DELETE", schedules_cancel, "subscriptions:write" } } },
	{ "/v1/test_helpers/test_clocks", 0, {
	    { "GET", clocks_list, "subscriptions:read" },
	    { "POST", clocks_create, "subscriptions:write" } } },
	{ "/v1/test_helpers/test_clocks/" ID, 0, {
	    { "GET", clocks_get, "subscriptions:read" },
	    { "DELETE", clocks_delete, "subscriptions:write" } } },
	{ "/v1/test_helpers/test_clocks/" ID "/advance", 0, {
	    { "POST", clocks_advance, "subscriptions:write" } } },
	/* Public: sign-in needs no key; GET and DELETE check the session
	 * cookie themselves. */
	{ "/v1/dashboard/session", 1, {
	    { "POST", dashboard_signin, NULL },
	    { "GET", dashboard_session_get, NULL },
	    { "DELETE", dashboard_signout, NULL } } },
	{ "/v1/dashboard/api_keys", 0, {
	    { "GET", dashboard_keys_list, AUTH_SESSION_ONLY },
	    { "POST", dashboard_keys_create, AUTH_SESSION_ONLY } } },
	{ "/v1/dashboard/api_keys/" ID, 0, {
	    { "DELETE", dashboard_keys_revoke, AUTH_SESSION_ONLY } } },
};

static const struct sql SQL_PING = { "SELECT 1", "", 0 };

/* GET /healthz: 200 when the database answers, 503 otherwise. */
static void
health(struct req *r)
{
	struct json_object	*o;
	struct db_res		 res;

	if (db_one(r, &SQL_PING, (struct db_val[]){ DB_E }, &res) != 1)
		return;		/* 503 already set */
	db_res_free(&res);
	o = json_object_new_object();
	jsonx_add_str(o, "status", "ok");
	http_reply(r, 200, o);
}

struct router *
routes_new(void)
{
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
	if (!http_is_write(r) || rte->public) {
		free(r->idempotency_key);
		r->idempotency_key = NULL;
	} else if (r->idempotency_key != NULL &&
	    idempotency_check(r) != 0)
		return;			/* replayed, or an error */
	method->handler(r);
}
