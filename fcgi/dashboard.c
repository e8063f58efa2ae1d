/*
 * The dashboard's API (dashboard.h). Sign-in verifies an Argon2id hash
 * (password.c) and starts a session (session.c); failed sign-ins are
 * counted per email, in a transaction of their own, and slow further
 * tries down. The API-keys page lists keys by their hint only; a new
 * key is shown once, in the answer that creates it.
 *
 * Nothing here logs a password, a session token or a CSRF token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "auth.h"
#include "config.h"
#include "dashboard.h"
#include "db.h"
#include "http.h"
#include "jsonx.h"
#include "now.h"
#include "params.h"
#include "password.h"
#include "session.h"

#define KEYS_MAX	100	/* keys on the page */
#define EMAIL_MAX	254

static const struct sql SQL_USER_BY_EMAIL = {
	"SELECT pk, account_id, email, password_hash FROM dashboard_users"
	" WHERE email = ?", "s", 0 };
static const struct sql SQL_FAILURES_GET = {
	"SELECT failures, window_start, locked_until"
	" FROM dashboard_signin_failures WHERE email_hash = ?", "b", 0 };
static const struct sql SQL_FAILURES_LOCK = {
	"SELECT failures, window_start, locked_until"
	" FROM dashboard_signin_failures WHERE email_hash = ? FOR UPDATE",
	"b", 0 };
static const struct sql SQL_FAILURES_PUT = {
	"INSERT INTO dashboard_signin_failures (email_hash, failures,"
	" window_start, locked_until) VALUES (?, ?, ?, ?)"
	" ON DUPLICATE KEY UPDATE failures = VALUES(failures),"
	" window_start = VALUES(window_start),"
	" locked_until = VALUES(locked_until)", "biii", 0 };
static const struct sql SQL_FAILURES_CLEAR = {
	"DELETE FROM dashboard_signin_failures WHERE email_hash = ?", "b", 0 };

#define KEY_COLS "id, livemode, restricted, permissions, hint, created"
static const struct sql SQL_KEYS_LIST = {
	"SELECT " KEY_COLS " FROM api_keys WHERE account_id = ?"
	" AND revoked IS NULL ORDER BY created DESC, id LIMIT ?", "si", 0 };
static const struct sql SQL_KEY_GET = {
	"SELECT " KEY_COLS " FROM api_keys WHERE account_id = ? AND id = ?",
	"ss", 0 };
static const struct sql SQL_KEY_REVOKE = {
	"UPDATE api_keys SET revoked = ? WHERE account_id = ? AND id = ?"
	" AND revoked IS NULL", "iss", 0 };

/* A sign-in attempt. */
struct signin {
	const char		*email;
	const char		*password;
	unsigned char		 email_hash[SESSION_HASH_LEN];
	int64_t			 user_pk;
	int64_t			 now_ms;
	int			 live;		/* the mode asked for */
	char			 account[32];
	char			 user_email[EMAIL_MAX + 2];
	char			 token[SESSION_TOKEN_LEN + 1];
	struct session		 s;
};

/* The answer about a session: the contract's dashboard_session. */
static struct json_object *
session_json(const char *email, const char *account, const char *csrf,
    int64_t expires, int livemode)
{
	struct json_object	*o = json_object_new_object();

	jsonx_add_str(o, "object", "dashboard_session");
	jsonx_add_str(o, "email", email);
	jsonx_add_str(o, "account", account);
	jsonx_add_str(o, "csrf_token", csrf);
	jsonx_add_i64(o, "expires_at", expires);
	jsonx_add_bool(o, "livemode", livemode);
	return o;
}

/* Set-Cookie for the session: "token" and "max_age" (0 clears it).
 * Secure when the request came over HTTPS. */
static void
set_cookie(struct req *r, const char *token, int max_age)
{
	int	 tls = r->https != NULL && strcmp(r->https, "on") == 0;

	http_header(r, "Set-Cookie: " SESSION_COOKIE "=%s; Path=/; HttpOnly;"
	    " SameSite=Strict; Max-Age=%d%s", token, max_age,
	    tls ? "; Secure" : "");
}

/* A required, non-empty string parameter. */
static int
required(struct req *r, const char *name, const char **out)
{
	int	 rc;

	if ((rc = params_str(r, name, out)) == -1)
		return -1;
	if (rc == 0 || *out == NULL || **out == '\0')
		return api_error(r, ERR_PARAM_MISSING, name, name);
	return 0;
}

static int
signin_params(struct req *r, struct signin *in)
{
	if (required(r, "email", &in->email) == -1 ||
	    required(r, "password", &in->password) == -1)
		return -1;
	return (in->live = session_mode(r)) == -1 ? -1 : 0;
}

/* Reads the throttle row into "t" ({0} if none); "q" may lock it. */
static int
throttle_read(struct req *r, const struct sql *q, const unsigned char *hash,
    struct session_throttle *t)
{
	struct db_res	 res;
	int		 rc;

	memset(t, 0, sizeof(*t));
	if ((rc = db_one(r, q, (struct db_val[]){ DB_B(hash, SESSION_HASH_LEN),
	    DB_E }, &res)) != DB_FOUND)
		return rc;
	t->failures = db_i64(&res, 0);
	t->window_start = db_i64(&res, 1);
	t->locked_until = db_i64(&res, 2);
	db_res_free(&res);
	return 0;
}

/* 429 with Retry-After while the email is locked; 0 when it may try. */
static int
throttle_check(struct req *r, struct signin *in)
{
	struct session_throttle	 t;
	int64_t			 wait;

	if (throttle_read(r, &SQL_FAILURES_GET, in->email_hash, &t) != 0)
		return -1;
	if ((wait = session_throttle_wait(&t, in->now_ms)) == 0)
		return 0;
	api_error(r, ERR_SIGNIN_THROTTLED, NULL, NULL);
	http_header(r, "Retry-After: %lld",
	    (long long)session_retry_after(wait));
	return -1;
}

static int
failure_tx(struct req *r, void *arg)
{
	struct signin		*in = arg;
	struct session_throttle	 t;
	int			 rc;

	if ((rc = throttle_read(r, &SQL_FAILURES_LOCK, in->email_hash, &t))
	    != 0)
		return rc;
	session_throttle_fail(&t, in->now_ms);
	return db_exec(r, &SQL_FAILURES_PUT, (struct db_val[]){
	    DB_B(in->email_hash, SESSION_HASH_LEN), DB_I(t.failures),
	    DB_I(t.window_start), DB_I(t.locked_until), DB_E }, NULL);
}

/* Checks the password; an unknown email costs one verification too. */
static int
credentials_ok(struct req *r, struct signin *in)
{
	struct db_res	 res;
	int		 rc, ok;

	rc = strlen(in->email) > EMAIL_MAX ? 0 : db_one(r, &SQL_USER_BY_EMAIL,
	    (struct db_val[]){ DB_S(in->email), DB_E }, &res);
	if (rc == -1 || rc == DB_RETRY)
		return -1;
	if (rc == 0) {
		(void)password_verify(NULL, in->password, strlen(in->password));
		return 0;
	}
	ok = password_verify(res.val[3], in->password,
	    strlen(in->password)) == 0;
	in->user_pk = db_i64(&res, 0);
	snprintf(in->account, sizeof(in->account), "%s", res.val[1]);
	snprintf(in->user_email, sizeof(in->user_email), "%s", res.val[2]);
	db_res_free(&res);
	return ok;
}

static int
signin_tx(struct req *r, void *arg)
{
	struct signin	*in = arg;
	int		 rc;

	if ((rc = db_exec(r, &SQL_FAILURES_CLEAR, (struct db_val[]){
	    DB_B(in->email_hash, SESSION_HASH_LEN), DB_E }, NULL)) != 0)
		return rc;
	return session_start(r, in->user_pk, in->now_ms / 1000, in->token,
	    &in->s);
}

void
dashboard_signin(struct req *r)
{
	struct signin	 in;
	int		 ok;

	memset(&in, 0, sizeof(in));
	in.now_ms = now_ms(CLOCK_REALTIME);
	if (signin_params(r, &in) == -1)
		return;
	session_email_hash(in.email, in.email_hash);
	if (throttle_check(r, &in) == -1 ||
	    (ok = credentials_ok(r, &in)) == -1)
		return;
	if (!ok) {
		if (db_tx(r, failure_tx, &in) == 0)
			api_error(r, ERR_CREDENTIALS, NULL, NULL);
		return;
	}
	if (db_tx(r, signin_tx, &in) == -1)
		goto out;
	http_reply(r, 200, session_json(in.user_email, in.account,
	    in.s.csrf_token, in.s.expires, in.live));
	set_cookie(r, in.token, SESSION_TTL);
out:
	OPENSSL_cleanse(in.token, sizeof(in.token));
}

void
dashboard_session_get(struct req *r)
{
	struct session		 s;
	struct json_object	*o;

	if (session_auth(r, &s) == 0) {
		http_reply(r, 200, session_json(s.email, r->caller.account_id,
		    s.csrf_token, s.expires, r->caller.livemode));
		return;
	}
	/* The dashboard probes this on every load: "signed out" is an
	 * answer, not an error (a 401 is a console error in the browser).
	 * Other failures (bad mode, 503) stand. */
	if (r->error != ERR_SESSION_INVALID)
		return;
	o = json_object_new_object();
	jsonx_add_str(o, "object", "dashboard_session");
	jsonx_add_bool(o, "signed_in", 0);
	http_reply(r, 200, o);
}

void
dashboard_signout(struct req *r)
{
	struct json_object	*o;
	struct session		 s;

	if (session_auth(r, &s) == -1 || session_end(r, s.hash) != 0)
		return;
	o = json_object_new_object();
	jsonx_add_str(o, "object", "dashboard_session");
	jsonx_add_bool(o, "deleted", 1);
	http_reply(r, 200, o);
	set_cookie(r, "", 0);
}

/* The api_key object of the current row (never the key itself). */
static struct json_object *
key_json(const struct db_res *res)
{
	struct json_object	*o = json_object_new_object(), *perms;
	char			*list, *p, *save = NULL;

	jsonx_add_str(o, "id", res->val[0]);
	jsonx_add_str(o, "object", "api_key");
	jsonx_add_str(o, "mode", db_i64(res, 1) ? "live" : "test");
	jsonx_add_str(o, "type", db_i64(res, 2) ? "restricted" : "secret");
	jsonx_add_str(o, "redacted", res->val[4]);
	if (db_i64(res, 2) && (list = strdup(res->val[3])) != NULL) {
		perms = json_object_new_array();
		for (p = strtok_r(list, ",", &save); p != NULL;
		    p = strtok_r(NULL, ",", &save))
			json_object_array_add(perms,
			    json_object_new_string(p));
		free(list);
		jsonx_add(o, "permissions", perms);
	} else
		jsonx_add_null(o, "permissions");
	jsonx_add_i64(o, "created", db_i64(res, 5));
	jsonx_add_bool(o, "revoked", 0);
	return o;
}

void
dashboard_keys_list(struct req *r)
{
	struct json_object	*o, *data;
	struct db_res		 res;
	int			 rc, n = 0;

	if (db_query(r, &SQL_KEYS_LIST, (struct db_val[]){
	    DB_S(r->caller.account_id), DB_I(KEYS_MAX + 1), DB_E }, &res) != 0)
		return;
	data = json_object_new_array();
	while ((rc = db_row(r, &res)) == DB_FOUND)
		if (n++ < KEYS_MAX)
			json_object_array_add(data, key_json(&res));
	db_res_free(&res);
	if (rc == -1) {
		json_object_put(data);
		return;
	}
	o = json_object_new_object();
	jsonx_add_str(o, "object", "list");
	jsonx_add(o, "data", data);
	jsonx_add_bool(o, "has_more", n > KEYS_MAX);
	jsonx_add_str(o, "url", "/v1/dashboard/api_keys");
	http_reply(r, 200, o);
}

/* A new key's request: its mode and comma-separated permissions. */
struct new_key {
	int			 live;
	char			 perms[512];
	struct auth_new_key	 k;
};

/* permissions: a list of known permissions, joined with commas ("" for
 * none: a secret key). */
static int
key_permissions(struct req *r, char *out, size_t outsz)
{
	struct json_object	*list;
	size_t			 i, n, len = 0;
	const char		*p;
	int			 rc;

	*out = '\0';
	if ((rc = params_list(r, "permissions", &list)) != PARAMS_PRESENT)
		return rc;
	n = json_object_array_length(list);
	for (i = 0, rc = 0; i < n && rc == 0; i++) {
		p = json_object_get_string(json_object_array_get_idx(list, i));
		if (len + strlen(p) + 2 > outsz)
			rc = -1;
		else
			len += (size_t)snprintf(out + len, outsz - len, "%s%s",
			    i > 0 ? "," : "", p);
	}
	json_object_put(list);
	if (rc == -1 || (*out != '\0' && auth_permissions_valid(out) == -1))
		return api_error(r, ERR_PARAM_INVALID, "permissions",
		    auth_permissions_help());
	return 0;
}

static int
new_key_params(struct req *r, struct new_key *nk)
{
	const char	*mode = NULL;

	if (params_str(r, "mode", &mode) == -1 ||
	    key_permissions(r, nk->perms, sizeof(nk->perms)) == -1)
		return -1;
	nk->live = r->caller.livemode;
	if (mode == NULL)
		return 0;
	if (strcmp(mode, "test") != 0 && strcmp(mode, "live") != 0)
		return api_error(r, ERR_PARAM_INVALID, "mode",
		    "mode (test or live)");
	nk->live = strcmp(mode, "live") == 0;
	return 0;
}

static int
key_create_tx(struct req *r, void *arg)
{
	struct new_key		*nk = arg;
	struct json_object	*o;
	struct db_res		 res;
	int			 rc;

	if ((rc = auth_key_create(r, r->caller.account_id, nk->live,
	    nk->perms, &nk->k)) != 0)
		return rc == DB_DUP ? DB_RETRY : rc;
	if ((rc = db_one(r, &SQL_KEY_GET, (struct db_val[]){
	    DB_S(r->caller.account_id), DB_S(nk->k.id), DB_E },
	    &res)) != DB_FOUND)
		return rc == 0 ? api_error(r, ERR_INTERNAL, NULL, NULL) : rc;
	o = key_json(&res);
	db_res_free(&res);
	/* The only time the key is ever shown. */
	jsonx_add_str(o, "secret", nk->k.key);
	http_reply(r, 200, o);
	return 0;
}

void
dashboard_keys_create(struct req *r)
{
	struct new_key	 nk;

	/* A stored replay would keep the new key in clear in
	 * idempotency_keys: this request is never replayed. */
	free(r->idempotency_key);
	r->idempotency_key = NULL;
	memset(&nk, 0, sizeof(nk));
	if (new_key_params(r, &nk) == 0)
		(void)db_tx(r, key_create_tx, &nk);
	OPENSSL_cleanse(nk.k.key, sizeof(nk.k.key));
}

void
dashboard_keys_revoke(struct req *r)
{
	char		 what[96];
	uint64_t	 n = 0;

	if (db_exec(r, &SQL_KEY_REVOKE, (struct db_val[]){ DB_I(time(NULL)),
	    DB_S(r->caller.account_id), DB_S(r->captures[0]), DB_E }, &n) != 0)
		return;
	if (n == 0) {
		snprintf(what, sizeof(what), "api_key: '%.40s'", r->captures[0]);
		api_error(r, ERR_RESOURCE_MISSING, "id", what);
		return;
	}
	/* As `pesaswap-admin key revoke`: answer once no worker can
	 * still accept the key. */
	auth_wait_out_cache(r->cfg->key_cache_ms);
	http_reply_deleted(r, r->captures[0], "api_key");
}
