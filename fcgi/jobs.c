/*
 * pesaswap-jobs: the background process (API.md "Events and webhooks").
 *
 * Each turn it fans new events out into one delivery row per matching
 * enabled endpoint, claims due deliveries with SELECT … FOR UPDATE SKIP
 * LOCKED and a conditional lease UPDATE (so any number of pesaswap-jobs
 * can run, on one server or on the nodes of a Galera cluster), sends them all at once
 * with curl multi, and records each answer as it comes: 2xx is done,
 * anything else is retried with exponential back-off and jitter for three
 * days. A claimed row is leased (its next attempt pushed past the 10 s
 * timeout), so a process killed mid-flight leaves it due again: delivery
 * is at least once. It also runs the billing clock (billing.c), writes
 * customer imports a batch of 500 rows per import and turn (import.c:
 * claimed and leased the same way, so a killed process's import goes on
 * from its last committed batch), and expires idempotency keys older than
 * 24 h, dashboard sessions past their expiry and old sign-in failures.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <mysql.h>
#include <openssl/crypto.h>

#include "billing.h"
#include "config.h"
#include "db.h"
#include "events.h"
#include "http.h"
#include "ids.h"
#include "idempotency.h"
#include "import.h"
#include "jsonx.h"
#include "log.h"
#include "now.h"
#include "seal.h"
#include "session.h"
#include "webhooks.h"

#define TIMEOUT_MS	10000		/* API.md: no answer in 10 s fails */
#define LEASE_MS	15000		/* longer than a delivery can take */
#define GIVE_UP_MS	(3LL * 24 * 3600 * 1000)
#define BACKOFF_MAX_MS	(12LL * 3600 * 1000)
#define FANOUT_BATCH	200
#define CLAIM_MAX	256
#define EXPIRE_EVERY	60		/* seconds between expire_old() runs */

static volatile sig_atomic_t	 stopping;

static const struct sql SQL_UNFANNED = {
	"SELECT pk, id, account_id, livemode, type, created FROM events"
	" WHERE fanned = 0 ORDER BY pk LIMIT 200 FOR UPDATE SKIP LOCKED",
	"", 0 };
/* Endpoints made after the event do not get it, as with Stripe. */
static const struct sql SQL_FAN_OUT = {
	"INSERT IGNORE INTO webhook_deliveries (id, account_id, livemode,"
	" endpoint_id, event_id, status, next_attempt, created)"
	" SELECT CONCAT('whd_', SUBSTRING(SHA2(CONCAT(?, we.id), 256), 1, 16)),"
	" we.account_id, we.livemode, we.id, ?, 'pending', ?, ?"
	" FROM webhook_endpoints we WHERE " SCOPE_OF("we")
	" AND we.deleted IS NULL AND we.disabled = 0"
	" AND we.created <= ? AND (JSON_CONTAINS(we.enabled_events, '\"*\"')"
	" OR JSON_CONTAINS(we.enabled_events, JSON_QUOTE(?)))",
	"ssiisiis", 0 };
static const struct sql SQL_FANNED = {
	"UPDATE events SET fanned = 1 WHERE pk = ?", "i", 0 };
static const struct sql SQL_DUE = {
	"SELECT pk FROM webhook_deliveries WHERE status = 'pending'"
	" AND next_attempt <= ? ORDER BY next_attempt LIMIT ?"
	" FOR UPDATE SKIP LOCKED", "ii", 0 };
/* Only a row still due is leased: the claim is this write, not the lock
 * (Galera does not replicate locks; two nodes' claims of one row
 * conflict at commit and the loser's transaction is run again). */
static const struct sql SQL_LEASE = {
	"UPDATE webhook_deliveries SET next_attempt = ? WHERE pk = ?"
	" AND status = 'pending' AND next_attempt <= ?", "iii", 0 };
static const struct sql SQL_DELIVERY = {
	"SELECT e.id, e.type, e.data, e.created, e.livemode,"
	" d.attempts, e.created, we.url, we.secret_sealed,"
	" we.deleted IS NULL AND we.disabled = 0"
	" FROM webhook_deliveries d JOIN events e ON e.id = d.event_id"
	" JOIN webhook_endpoints we ON we.id = d.endpoint_id"
	" WHERE d.pk = ?", "i", 0 };
static const struct sql SQL_SUCCEEDED = {
	"UPDATE webhook_deliveries SET status = 'succeeded', attempts ="
	" attempts + 1, last_status = ?, last_error = NULL, delivered = ?"
	" WHERE pk = ?", "iii", 0 };
static const struct sql SQL_RETRY = {
	"UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1,"
	" last_status = ?, last_error = ?, next_attempt = ? WHERE pk = ?",
	"sisii", 0 };
static const struct sql SQL_ABANDON = {
	"UPDATE webhook_deliveries SET status = 'failed', last_error = ?"
	" WHERE pk = ?", "si", 0 };
static const struct sql SQL_EXPIRE_KEYS = {
	"DELETE FROM idempotency_keys WHERE created < ? LIMIT 10000", "i", 0 };
/* Dashboard sessions past their expiry (refused already; this only
 * keeps the table small), and sign-in failures quiet for 15 minutes
 * (session.c counts afresh after that anyway). */
static const struct sql SQL_EXPIRE_SESSIONS = {
	"DELETE FROM dashboard_sessions WHERE expires <= ? LIMIT 10000",
	"i", 0 };
static const struct sql SQL_EXPIRE_SIGNIN_FAILURES = {
	"DELETE FROM dashboard_signin_failures"
	" WHERE window_start < ? AND locked_until < ? LIMIT 10000", "ii", 0 };

/* One delivery in flight. */
struct delivery {
	int64_t		 pk;
	int64_t		 attempts;	/* before this one */
	int64_t		 event_ms;	/* when the event happened */
	char		*body;
	struct curl_slist *headers;
	char		 error[CURL_ERROR_SIZE];
};

struct jobs {
	const struct config	*cfg;
	struct req		 r;	/* carries db errors, as in admin.c */
	CURLM			*multi;
	int			 inflight;
	unsigned char		 key[SEAL_KEY_LEN];
	int			 have_key;
	time_t			 expired_at;
};

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Runs "body" in a transaction; errors are logged by the caller. */
static int
tx(struct jobs *j, int (*body)(struct req *, void *), void *arg)
{
	free(j->r.reply_text);
	j->r.reply_text = NULL;
	return db_tx(&j->r, body, arg);
}

/* An event not yet fanned out. */
struct new_event {
	int64_t		 pk;
	int64_t		 created;
	int		 livemode;
	char		 id[IDS_MAX];
	char		 account[32];
	char		 type[64];
};

static int
fan_out_one(struct req *r, const struct new_event *e)
{
	int	 rc;

	if ((rc = db_exec(r, &SQL_FAN_OUT, (struct db_val[]){ DB_S(e->id),
	    DB_S(e->id), DB_I(now_ms(CLOCK_REALTIME)), DB_I(e->created),
	    DB_S(e->account), DB_I(e->livemode), DB_I(e->created),
	    DB_S(e->type), DB_E },
	    NULL)) != 0)
		return rc;
	return db_exec(r, &SQL_FANNED, (struct db_val[]){ DB_I(e->pk), DB_E },
	    NULL);
}

/* Claims up to FANOUT_BATCH new events and makes their deliveries. */
static int
fan_out_tx(struct req *r, void *arg)
{
	static struct new_event	 ev[FANOUT_BATCH];
	struct db_res		 res;
	int			*fanned = arg, n = 0, i, rc;

	if ((rc = db_query(r, &SQL_UNFANNED, (struct db_val[]){ DB_E },
	    &res)) != 0)
		return rc;
	while (n < FANOUT_BATCH && (rc = db_row(r, &res)) == 1) {
		ev[n].pk = db_i64(&res, 0);
		snprintf(ev[n].id, sizeof(ev[n].id), "%s", res.val[1]);
		snprintf(ev[n].account, sizeof(ev[n].account), "%s",
		    res.val[2]);
		ev[n].livemode = (int)db_i64(&res, 3);
		snprintf(ev[n].type, sizeof(ev[n].type), "%s", res.val[4]);
		ev[n++].created = db_i64(&res, 5);
	}
	db_res_free(&res);
	if (rc == -1)
		return -1;
	for (i = 0; i < n; i++)
		if ((rc = fan_out_one(r, &ev[i])) != 0)
			return rc;
	*fanned = n;
	return 0;
}

/* Due deliveries claimed in one transaction. */
struct claim {
	int64_t		 pks[CLAIM_MAX];
	int		 n;
	int		 want;
};

static int
claim_tx(struct req *r, void *arg)
{
	struct claim	*c = arg;
	struct db_res	 res;
	int64_t		 now = now_ms(CLOCK_REALTIME);
	uint64_t	 leased;
	int		 rc, i, n;

	c->n = 0;
	if ((rc = db_query(r, &SQL_DUE, (struct db_val[]){ DB_I(now),
	    DB_I(c->want), DB_E }, &res)) != 0)
		return rc;
	while (c->n < c->want && (rc = db_row(r, &res)) == 1)
		c->pks[c->n++] = db_i64(&res, 0);
	db_res_free(&res);
	if (rc == -1)
		return -1;
	for (i = n = 0; i < c->n; i++) {
		if ((rc = db_exec(r, &SQL_LEASE, (struct db_val[]){
		    DB_I(now + LEASE_MS), DB_I(c->pks[i]), DB_I(now), DB_E },
		    &leased)) != 0)
			return rc;
		if (leased == 1)
			c->pks[n++] = c->pks[i];
	}
	c->n = n;
	return 0;
}

/* The receiver's body is not needed: only its status counts. */
static size_t
discard(char *data, size_t size, size_t n, void *arg)
{
	(void)data;
	(void)arg;
	return size * n;
}

static void
delivery_free(struct delivery *d)
{
	if (d == NULL)
		return;
	free(d->body);
	curl_slist_free_all(d->headers);
	free(d);
}

/* Writes the delivery's outcome: done, retried later, or given up. */
static void
record(struct jobs *j, struct delivery *d, long status, const char *error)
{
	int64_t		 now = now_ms(CLOCK_REALTIME), delay;
	int		 rc, shift;

	if (status >= 200 && status < 300) {
		rc = db_exec(&j->r, &SQL_SUCCEEDED, (struct db_val[]){
		    DB_I(status), DB_I(now / 1000), DB_I(d->pk), DB_E }, NULL);
	} else {
		/* base * 2^attempts, jittered by ±25%, at most 12 h. */
		shift = d->attempts > 20 ? 20 : (int)d->attempts;
		delay = (int64_t)j->cfg->webhook_retry_ms << shift;
		if (delay > BACKOFF_MAX_MS)
			delay = BACKOFF_MAX_MS;
		delay = delay * (75 + random() % 51) / 100;
		rc = db_exec(&j->r, &SQL_RETRY, (struct db_val[]){
		    DB_S(now + delay - d->event_ms > GIVE_UP_MS ? "failed" :
		    "pending"), status > 0 ? DB_I(status) : DB_N,
		    error != NULL ? DB_S(error) : DB_N, DB_I(now + delay),
		    DB_I(d->pk), DB_E }, NULL);
	}
	if (rc != 0)
		log_error("delivery %lld: could not record the outcome; it "
		    "will be sent again", (long long)d->pk);
}

/* Builds the request for delivery "pk" and adds it to the multi handle. */
static void
start(struct jobs *j, int64_t pk)
{
	struct json_object	*event;
	struct delivery		*d;
	struct db_res		 res;
	char			 secret[128], sig[160];
	CURL			*easy;

	if (db_one(&j->r, &SQL_DELIVERY, (struct db_val[]){ DB_I(pk), DB_E },
	    &res) != 1 || (d = calloc(1, sizeof(*d))) == NULL)
		return;
	if (db_i64(&res, 9) == 0) {
		/* Deleted or disabled since: no more attempts. */
		db_res_free(&res);
		free(d);
		(void)db_exec(&j->r, &SQL_ABANDON, (struct db_val[]){
		    DB_S("endpoint deleted or disabled"), DB_I(pk), DB_E }, NULL);
		return;
	}
	d->pk = pk;
	d->attempts = db_i64(&res, 5);
	d->event_ms = db_i64(&res, 6) * 1000;
	event = events_json(&res);
	d->body = strdup(jsonx_text(event));
	json_object_put(event);
	if (!j->have_key || unseal(j->key, (const unsigned char *)res.val[8],
	    res.len[8], secret, sizeof(secret)) == -1) {
		db_res_free(&res);
		log_error("delivery %lld: cannot unseal the endpoint secret "
		    "(PESASWAP_SECRETS_KEY)", (long long)pk);
		record(j, d, 0, "secret unavailable");
		delivery_free(d);
		return;
	}
	easy = curl_easy_init();
	curl_easy_setopt(easy, CURLOPT_URL, res.val[7]);
	db_res_free(&res);
	memcpy(sig, "PesaSwap-Signature: ", 20);
	webhooks_sign(secret, time(NULL), d->body, sig + 20, sizeof(sig) - 20);
	OPENSSL_cleanse(secret, sizeof(secret));
	d->headers = curl_slist_append(NULL, "Content-Type: application/json");
	d->headers = curl_slist_append(d->headers, sig);
	d->headers = curl_slist_append(d->headers, "Expect:");
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, d->headers);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, d->body);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "PesaSwap-Webhooks/1.0");
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)TIMEOUT_MS);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, d->error);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, d);
	curl_multi_add_handle(j->multi, easy);
	j->inflight++;
}

/* Records every finished transfer. */
static void
collect(struct jobs *j)
{
	struct delivery	*d;
	CURLMsg		*msg;
	long		 status = 0;
	int		 left;

	while ((msg = curl_multi_info_read(j->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &d);
		status = 0;
		if (msg->data.result == CURLE_OK)
			curl_easy_getinfo(msg->easy_handle,
			    CURLINFO_RESPONSE_CODE, &status);
		record(j, d, status, msg->data.result == CURLE_OK ? NULL :
		    curl_easy_strerror(msg->data.result));
		curl_multi_remove_handle(j->multi, msg->easy_handle);
		curl_easy_cleanup(msg->easy_handle);
		delivery_free(d);
		j->inflight--;
	}
}

/* Deletes what has expired: idempotency keys, dashboard sessions, and
 * sign-in failures whose window and lock are both over. */
static void
expire_old(struct jobs *j)
{
	int64_t	 now = now_ms(CLOCK_REALTIME), forgotten;

	j->expired_at = (time_t)(now / 1000);
	forgotten = now - SESSION_WINDOW_MS;
	(void)db_exec(&j->r, &SQL_EXPIRE_KEYS, (struct db_val[]){
	    DB_I(j->expired_at - IDEMPOTENCY_TTL), DB_E }, NULL);
	(void)db_exec(&j->r, &SQL_EXPIRE_SESSIONS, (struct db_val[]){
	    DB_I(j->expired_at), DB_E }, NULL);
	(void)db_exec(&j->r, &SQL_EXPIRE_SIGNIN_FAILURES, (struct db_val[]){
	    DB_I(forgotten), DB_I(forgotten), DB_E }, NULL);
}

/* One turn: bill what is due, fan out, claim what fits, send, collect,
 * write a batch of each import claimed, wait. */
static void
turn(struct jobs *j)
{
	struct claim	 c;
	int		 fanned = 0, billed, imported, i, running;

	billed = stopping ? 0 : billing_turn(&j->r);
	if (tx(j, fan_out_tx, &fanned) == -1)
		log_warn("fan-out failed (%d); retrying", j->r.status);
	c.want = j->cfg->jobs_concurrency - j->inflight;
	if (c.want > CLAIM_MAX)
		c.want = CLAIM_MAX;
	if (c.want > 0 && tx(j, claim_tx, &c) == 0)
		for (i = 0; i < c.n; i++)
			start(j, c.pks[i]);
	curl_multi_perform(j->multi, &running);
	collect(j);
	imported = stopping ? 0 : import_turn(&j->r);
	if (time(NULL) - j->expired_at >= EXPIRE_EVERY)
		expire_old(j);
	/* Wait for network activity, or the next look for work. */
	curl_multi_poll(j->multi, NULL, 0, fanned == FANOUT_BATCH ||
	    billed > 0 || imported > 0 ? 0 : j->cfg->jobs_poll_ms, NULL);
	curl_multi_perform(j->multi, &running);
	collect(j);
}

static int
parse_args(int argc, char *argv[], struct config *cfg)
{
	int	 i;

	for (i = 1; i + 1 < argc; i += 2)
		if (strncmp(argv[i], "--", 2) != 0 ||
		    config_set(cfg, argv[i] + 2, argv[i + 1]) != 1)
			return -1;
	return i == argc ? 0 : -1;
}

int
main(int argc, char *argv[])
{
	struct sigaction	 sa;
	struct config		 cfg;
	struct jobs		 j;

	/* Descriptors inherited from whoever started us (a shell's pipes)
	 * would stay open as long as we run; we need none of them. */
	close_range(3, ~0U, 0);
	if (config_from_env(&cfg) == -1)
		return 2;
	if (parse_args(argc, argv, &cfg) == -1) {
		fprintf(stderr, "usage: pesaswap-jobs [--flag value …]\n");
		config_usage();
		return 2;
	}
	memset(&j, 0, sizeof(j));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned int)(getpid() ^ time(NULL)));
	mysql_library_init(0, NULL, NULL);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	j.cfg = &cfg;
	j.have_key = seal_key_parse(cfg.secrets_key, j.key) == 0;
	if (!j.have_key)
		log_warn("PESASWAP_SECRETS_KEY is not set: deliveries cannot "
		    "be signed and will be retried");
	snprintf(j.r.request_id, sizeof(j.r.request_id), "jobs");
	j.r.method = strdup("JOB");
	j.r.path = strdup("-");
	j.r.cfg = &cfg;
	if ((j.r.db = db_new(&cfg)) == NULL ||
	    (j.multi = curl_multi_init()) == NULL)
		return 1;
	log_info("pesaswap-jobs running");
	/* On SIGTERM, stop claiming; let transfers under way finish. */
	while (!stopping || j.inflight > 0) {
		if (stopping)
			cfg.jobs_concurrency = 0;
		turn(&j);
	}
	curl_multi_cleanup(j.multi);
	db_free(j.r.db);
	req_free(&j.r);
	curl_global_cleanup();
	config_free(&cfg);
	mysql_library_end();
	return 0;
}
