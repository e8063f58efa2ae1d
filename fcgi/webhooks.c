/*
 * Webhook endpoints: create (the whsec_ secret is shown once and kept
 * sealed), retrieve, update, delete, list, and the deliveries made to
 * one. Delivery itself is pesaswap-jobs' work (jobs.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "config.h"
#include "db.h"
#include "events.h"
#include "http.h"
#include "ids.h"
#include "jsonx.h"
#include "list.h"
#include "log.h"
#include "params.h"
#include "seal.h"
#include "webhooks.h"

#define URL_MAX		2048
#define SECRET_RANDOM	32

#define WE_COLS	"id, url, description, enabled_events, disabled, metadata," \
	" created, livemode"
enum { WE_ID, WE_URL, WE_DESCRIPTION, WE_EVENTS, WE_DISABLED, WE_METADATA,
	WE_CREATED, WE_LIVEMODE };

static const struct sql SQL_WE_INSERT = {
	"INSERT INTO webhook_endpoints (id, account_id, livemode, url,"
	" description, enabled_events, secret_sealed, disabled, metadata,"
	" created) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)", "ssisssbsi", 0 };
static const struct sql SQL_WE_GET = {
	"SELECT " WE_COLS " FROM webhook_endpoints WHERE " SCOPE
	" AND id = ? AND deleted IS NULL", "sis", 0 };
static const struct sql SQL_WE_LOCK = {
	"SELECT " WE_COLS " FROM webhook_endpoints WHERE " SCOPE
	" AND id = ? AND deleted IS NULL FOR UPDATE", "sis", 0 };
static const struct sql SQL_WE_UPDATE = {
	"UPDATE webhook_endpoints SET url = ?, description = ?,"
	" enabled_events = ?, disabled = ?, metadata = ? WHERE " SCOPE
	" AND id = ?", "sssissis", 0 };
static const struct sql SQL_WE_DELETE = {
	"UPDATE webhook_endpoints SET deleted = ? WHERE " SCOPE
	" AND id = ? AND deleted IS NULL", "isis", 0 };
static const struct sql SQL_WE_CURSOR = LIST_CURSOR("webhook_endpoints");
static const struct sql SQL_WE_LIST[2] = LIST_PAIR(
	"SELECT " WE_COLS " FROM webhook_endpoints WHERE " SCOPE
	" AND deleted IS NULL", "");

#define WHD_COLS "d.id, d.endpoint_id, d.event_id, e.type, d.status," \
	" d.attempts, d.last_status, d.next_attempt, d.created, d.delivered," \
	" d.livemode"
static const struct sql SQL_WHD_CURSOR = LIST_CURSOR("webhook_deliveries");
static const struct sql SQL_WHD_LIST[2] = LIST_PAIR_OF(
	"SELECT " WHD_COLS " FROM webhook_deliveries d JOIN events e"
	" ON e.id = d.event_id WHERE " SCOPE_OF("d") " AND d.endpoint_id = ?",
	"d.pk", "", "sisiii");

/* The endpoint being written. */
struct endpoint {
	char			 id[IDS_MAX];
	char			*url;
	char			*description;	/* NULL: none */
	struct json_object	*events;	/* array of types */
	struct json_object	*metadata;
	int			 disabled;
	int64_t			 created;
	int			 livemode;
	char			 secret[64];	/* only when just created */
};

static void
endpoint_free(struct endpoint *e)
{
	free(e->url);
	free(e->description);
	json_object_put(e->events);
	json_object_put(e->metadata);
	memset(e, 0, sizeof(*e));
}

static int
endpoint_from_row(struct endpoint *e, const struct db_res *res)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->id, sizeof(e->id), "%s", res->val[WE_ID]);
	e->url = strdup(res->val[WE_URL]);
	e->description = res->val[WE_DESCRIPTION] ?
	    strdup(res->val[WE_DESCRIPTION]) : NULL;
	e->events = json_tokener_parse(res->val[WE_EVENTS]);
	e->metadata = jsonx_parse_object(res->val[WE_METADATA]);
	e->disabled = (int)db_i64(res, WE_DISABLED);
	e->created = db_i64(res, WE_CREATED);
	e->livemode = (int)db_i64(res, WE_LIVEMODE);
	if (e->url == NULL || e->events == NULL || e->metadata == NULL) {
		endpoint_free(e);
		return -1;
	}
	return 0;
}

/* The API object; with "secret" only right after creation. */
static struct json_object *
endpoint_json(const struct endpoint *e)
{
	struct json_object	*o = json_object_new_object();

	jsonx_add_str(o, "id", e->id);
	jsonx_add_str(o, "object", "webhook_endpoint");
	jsonx_add_str(o, "url", e->url);
	jsonx_add(o, "enabled_events", json_object_get(e->events));
	jsonx_add_str(o, "description", e->description);
	jsonx_add_str(o, "status", e->disabled ? "disabled" : "enabled");
	jsonx_add(o, "metadata", json_object_get(e->metadata));
	if (e->secret[0] != '\0')
		jsonx_add_str(o, "secret", e->secret);
	jsonx_add_i64(o, "created", e->created);
	jsonx_add_bool(o, "livemode", e->livemode);
	return o;
}

static struct json_object *
endpoint_row_json(const struct db_res *res)
{
	struct json_object	*o;
	struct endpoint		 e;

	if (endpoint_from_row(&e, res) == -1)
		return NULL;
	o = endpoint_json(&e);
	endpoint_free(&e);
	return o;
}

int
webhooks_sign(const char *secret, long long t, const char *body, char *out,
    size_t outsz)
{
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0, i;
	char		*signed_text, hex[2 * EVP_MAX_MD_SIZE + 1];
	int		 n;

	if ((n = asprintf(&signed_text, "%lld.%s", t, body)) == -1)
		return -1;
	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    (const unsigned char *)signed_text, (size_t)n, mac, &maclen) ==
	    NULL) {
		free(signed_text);
		return -1;
	}
	free(signed_text);
	for (i = 0; i < maclen; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	n = snprintf(out, outsz, "t=%lld,v1=%s", t, hex);
	return n > 0 && (size_t)n < outsz ? 0 : -1;
}

int
webhooks_url_ok(const char *url)
{
	const char	*host, *p;
	size_t		 n;

	if (strncasecmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return -1;
	n = strcspn(host, "/?#");
	if (n == 0 || strlen(url) > URL_MAX || host[0] == ':' ||
	    host[0] == '@')
		return -1;
	for (p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return -1;
	return 0;
}

/* enabled_events: a list of known types, or ["*"]. */
static int
read_events(struct req *r, int creating, struct endpoint *e)
{
	struct json_object	*list, *item;
	const char		*type;
	size_t			 i, n;
	int			 rc;

	if ((rc = params_list(r, "enabled_events", &list)) == -1)
		return -1;
	if (rc == 0) {
		if (creating)
			e->events = json_tokener_parse("[\"*\"]");
		return 0;
	}
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		type = json_object_get_string(
		    (item = json_object_array_get_idx(list, i)));
		if (events_type_parse(type) == EVT__MAX &&
		    !(strcmp(type, "*") == 0 && n == 1)) {
			json_object_put(list);
			return api_error(r, ERR_PARAM_INVALID, "enabled_events",
			    "enabled_events (known event types, or [\"*\"])");
		}
	}
	if (n == 0) {
		json_object_put(list);
		return api_error(r, ERR_PARAM_INVALID, "enabled_events",
		    "enabled_events (at least one type)");
	}
	json_object_put(e->events);
	e->events = list;
	return 0;
}

static int
read_url(struct req *r, int creating, struct endpoint *e)
{
	const char	*url;
	int		 rc;

	if ((rc = params_str(r, "url", &url)) == -1)
		return -1;
	if (rc == 0 && !creating)
		return 0;
	if (url == NULL || *url == '\0')
		return api_error(r, ERR_PARAM_MISSING, "url", "url");
	if (webhooks_url_ok(url) == -1)
		return api_error(r, ERR_PARAM_INVALID, "url",
		    "url (an http:// or https:// URL)");
	free(e->url);
	return (e->url = strdup(url)) != NULL ? 0 :
	    api_error(r, ERR_INTERNAL, NULL, NULL);
}

static int
read_description(struct req *r, struct endpoint *e)
{
	const char	*d;
	int		 rc;

	if (!params_has(r, "description"))
		return 0;
	if ((rc = params_text(r, "description", PARAMS_DESCRIPTION_MAX,
	    &d)) == -1)
		return -1;
	free(e->description);
	e->description = NULL;
	if (rc == 0)
		return 0;
	return (e->description = strdup(d)) != NULL ? 0 :
	    api_error(r, ERR_INTERNAL, NULL, NULL);
}

static int
endpoint_params(struct req *r, int creating, struct endpoint *e)
{
	if (read_url(r, creating, e) == -1 ||
	    read_events(r, creating, e) == -1 ||
	    read_description(r, e) == -1 ||
	    params_metadata(r, e->metadata) == -1 ||
	    params_bool(r, "disabled", &e->disabled) == -1)
		return -1;
	return 0;
}

/* Makes the whsec_ secret and seals it into "sealed". */
static int
make_secret(struct req *r, struct endpoint *e, unsigned char *sealed,
    size_t *len)
{
	unsigned char	 key[SEAL_KEY_LEN];
	size_t		 n;

	if (seal_key_parse(r->cfg->secrets_key, key) == -1) {
		log_error("%s PESASWAP_SECRETS_KEY is missing or not 64 hex "
		    "characters: webhook endpoints cannot be created",
		    r->request_id);
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	}
	memcpy(e->secret, "whsec_", 6);
	if (ids_random(e->secret + 6, SECRET_RANDOM) == -1)
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	e->secret[6 + SECRET_RANDOM] = '\0';
	n = strlen(e->secret);
	if (seal(key, e->secret, n, sealed) == -1)
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	*len = n + SEAL_OVERHEAD;
	return 0;
}

struct created {
	struct endpoint	*e;
	unsigned char	 sealed[64 + SEAL_OVERHEAD];
	size_t		 sealed_len;
};

static int
insert_tx(struct req *r, void *arg)
{
	struct created	*c = arg;
	struct endpoint	*e = c->e;
	int		 rc;

	rc = db_exec(r, &SQL_WE_INSERT, (struct db_val[]){ DB_S(e->id),
	    DB_SCOPE(r), DB_S(e->url),
	    DB_SN(e->description), DB_S(jsonx_text(e->events)),
	    DB_B(c->sealed, c->sealed_len), DB_S(jsonx_text(e->metadata)),
	    DB_I(e->created), DB_E }, NULL);
	if (rc == 0)
		http_reply(r, 200, endpoint_json(e));
	return rc;
}

/* POST /v1/webhook_endpoints */
void
webhooks_create(struct req *r)
{
	struct endpoint	 e;
	struct created	 c;

	memset(&e, 0, sizeof(e));
	memset(&c, 0, sizeof(c));
	c.e = &e;
	e.metadata = json_object_new_object();
	e.created = time(NULL);
	e.livemode = r->caller.livemode;
	if (endpoint_params(r, 1, &e) == 0 &&
	    ids_assign(r, "we_", e.id, sizeof(e.id)) == 0 &&
	    make_secret(r, &e, c.sealed, &c.sealed_len) == 0)
		(void)db_tx(r, insert_tx, &c);
	OPENSSL_cleanse(e.secret, sizeof(e.secret));
	endpoint_free(&e);
}

/* Loads endpoint "id" of the caller; 404 if there is none. */
static int
endpoint_load(struct req *r, const struct sql *q, struct endpoint *e)
{
	struct db_res	 res;
	int		 rc;

	if ((rc = db_find(r, q, r->captures[0], "webhook_endpoint",
	    &res)) != DB_FOUND)
		return rc;
	rc = endpoint_from_row(e, &res);
	db_res_free(&res);
	return rc == 0 ? 0 : api_error(r, ERR_INTERNAL, NULL, NULL);
}

/* GET /v1/webhook_endpoints/:id */
void
webhooks_get(struct req *r)
{
	struct endpoint	 e;

	if (endpoint_load(r, &SQL_WE_GET, &e) != 0)
		return;
	http_reply(r, 200, endpoint_json(&e));
	endpoint_free(&e);
}

static int
update_tx(struct req *r, void *arg)
{
	struct endpoint	 e;
	int		 rc;

	(void)arg;
	if ((rc = endpoint_load(r, &SQL_WE_LOCK, &e)) != 0)
		return rc;
	if ((rc = endpoint_params(r, 0, &e)) == 0 &&
	    (rc = db_exec(r, &SQL_WE_UPDATE, (struct db_val[]){ DB_S(e.url),
	    DB_SN(e.description), DB_S(jsonx_text(e.events)), DB_I(e.disabled),
	    DB_S(jsonx_text(e.metadata)), DB_SCOPE(r), DB_S(e.id), DB_E },
	    NULL)) == 0)
		http_reply(r, 200, endpoint_json(&e));
	endpoint_free(&e);
	return rc;
}

/* POST /v1/webhook_endpoints/:id: url, enabled_events, disabled, … */
void
webhooks_update(struct req *r)
{
	(void)db_tx(r, update_tx, NULL);
}

static int
delete_tx(struct req *r, void *arg)
{
	struct endpoint		 e;
	int			 rc;

	(void)arg;
	if ((rc = endpoint_load(r, &SQL_WE_LOCK, &e)) != 0)
		return rc;
	endpoint_free(&e);
	if ((rc = db_exec(r, &SQL_WE_DELETE, (struct db_val[]){
	    DB_I(time(NULL)), DB_SCOPE(r), DB_S(r->captures[0]), DB_E },
	    NULL)) != 0)
		return rc;
	http_reply_deleted(r, r->captures[0], "webhook_endpoint");
	return 0;
}

/* DELETE /v1/webhook_endpoints/:id: no more deliveries to it. */
void
webhooks_delete(struct req *r)
{
	(void)db_tx(r, delete_tx, NULL);
}

/* GET /v1/webhook_endpoints */
void
webhooks_list(struct req *r)
{
	struct list_page	 p;

	if (list_params(r, &SQL_WE_CURSOR, &p) == 0)
		list_answer(r, &p, &SQL_WE_LIST[p.ascending], NULL, 0, 0,
		    endpoint_row_json,
		    "/v1/webhook_endpoints");
}

/* A delivery row (WHD_COLS) as an API object. */
static struct json_object *
delivery_json(const struct db_res *res)
{
	struct json_object	*o = json_object_new_object();
	int			 pending = strcmp(res->val[4], "pending") == 0;

	jsonx_add_str(o, "id", res->val[0]);
	jsonx_add_str(o, "object", "webhook_delivery");
	jsonx_add_str(o, "webhook_endpoint", res->val[1]);
	jsonx_add_str(o, "event", res->val[2]);
	jsonx_add_str(o, "event_type", res->val[3]);
	jsonx_add_str(o, "status", res->val[4]);
	jsonx_add_i64(o, "attempts", db_i64(res, 5));
	if (res->val[6] != NULL)
		jsonx_add_i64(o, "last_status_code", db_i64(res, 6));
	else
		jsonx_add_null(o, "last_status_code");
	if (pending)
		jsonx_add_i64(o, "next_attempt", db_i64(res, 7) / 1000);
	else
		jsonx_add_null(o, "next_attempt");
	jsonx_add_i64(o, "created", db_i64(res, 8));
	if (res->val[9] != NULL)
		jsonx_add_i64(o, "delivered", db_i64(res, 9));
	else
		jsonx_add_null(o, "delivered");
	jsonx_add_bool(o, "livemode", (int)db_i64(res, 10));
	return o;
}

/* GET /v1/webhook_endpoints/:id/deliveries: newest first. */
void
webhooks_deliveries(struct req *r)
{
	struct list_page	 p;
	struct endpoint		 e;
	char			 url[96];

	if (endpoint_load(r, &SQL_WE_GET, &e) != 0)
		return;
	endpoint_free(&e);
	if (list_params(r, &SQL_WHD_CURSOR, &p) == -1)
		return;
	snprintf(url, sizeof(url), "/v1/webhook_endpoints/%s/deliveries",
	    r->captures[0]);
	list_answer(r, &p, &SQL_WHD_LIST[p.ascending],
	    (const char *const *)&r->captures[0], 1, 0, delivery_json, url);
}
