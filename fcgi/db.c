/*
 * One MariaDB connection per process, its statement cache, and the
 * transaction runner. Error numbers decide the outcome in one place
 * (classify()): duplicate key, rerun, server gone, or a fault.
 *
 * With a node list (--db-hosts, a Galera cluster) a connection goes to
 * the first node that is synced, own node first; a node found gone
 * (lost connection, 1047 "not ready") sends the next connection to the
 * next node, and the own node is tried again now and then, between
 * statements outside a transaction, until the connection is back home.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "config.h"
#include "db.h"
#include "errors.h"
#include "http.h"
#include "log.h"
#include "now.h"

/* Room for every static statement (about 145 in fcgi/ now): when full,
 * a statement not yet prepared answered 500 on that worker for good. */
#define DB_MAX_STMTS	256
#define DB_MAX_DYNAMIC	32	/* statements built at run time, by text */
#define DB_MAX_PARAMS	32
#define DB_TX_TRIES	5
#define DB_HOME_MS	5000	/* away from the own node: try it again */
#define DB_HOME_MAX_MS	60000	/* doubling while it stays down */

struct cached_stmt {
	const struct sql	*q;
	MYSQL_STMT		*st;
};

/* A statement built at run time (a search), kept by its text: the same
 * query shape comes back, and preparing it again is one more round trip
 * (and a close) on every request. */
struct dynamic_stmt {
	char			*text;
	MYSQL_STMT		*st;
};

struct db {
	const struct config	*cfg;
	MYSQL			*my;
	int			 down;
	int			 in_tx;
	struct db_node		 nodes[CONFIG_MAX_NODES];
	size_t			 nnodes;	/* 0: db_host or db_socket */
	size_t			 node;		/* connected, or tried first */
	int64_t			 home_at;	/* monotonic ms */
	int64_t			 home_wait;
	struct cached_stmt	 stmts[DB_MAX_STMTS];
	size_t			 nstmts;
	struct dynamic_stmt	 dyn[DB_MAX_DYNAMIC];
	size_t			 ndyn;
	size_t			 dyn_next;	/* the one replaced when full */
	char			*buf[DB_MAX_COLS];	/* result columns */
	unsigned long		 cap[DB_MAX_COLS];
	my_bool			 isnull[DB_MAX_COLS];
	MYSQL_BIND		 rbind[DB_MAX_COLS];
};

enum outcome {
	OUT_DUP,
	OUT_RETRY,
	OUT_GONE,	/* server unreachable or connection lost */
	OUT_FAULT
};

static enum outcome
classify(unsigned int err)
{
	switch (err) {
	case ER_DUP_ENTRY:
		return OUT_DUP;
	case ER_LOCK_DEADLOCK:		/* also a Galera certification conflict */
	case ER_LOCK_WAIT_TIMEOUT:
		return OUT_RETRY;
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_SERVER_LOST_EXTENDED:
	case CR_COMMANDS_OUT_OF_SYNC:
	case ER_UNKNOWN_COM_ERROR:	/* 1047: Galera "WSREP has not yet
					 * prepared node for application use":
					 * a node outside the primary
					 * component, or joining */
	case ER_SERVER_SHUTDOWN:
	case ER_CONNECTION_KILLED:
	case ER_CON_COUNT_ERROR:
		return OUT_GONE;
	default:
		return OUT_FAULT;
	}
}

struct db *
db_new(const struct config *cfg)
{
	struct db	*db;

	int		 n = 0;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->cfg = cfg;
	db->home_wait = DB_HOME_MS;
	if (cfg->db_hosts != NULL && (n = config_nodes(cfg->db_hosts,
	    db->nodes, CONFIG_MAX_NODES)) == -1) {
		free(db);
		return NULL;
	}
	db->nnodes = (size_t)n;
	return db;
}

static void
disconnect(struct db *db)
{
	size_t	 i;

	for (i = 0; i < db->nstmts; i++)
		mysql_stmt_close(db->stmts[i].st);
	db->nstmts = 0;
	for (i = 0; i < db->ndyn; i++) {
		mysql_stmt_close(db->dyn[i].st);
		free(db->dyn[i].text);
	}
	db->ndyn = db->dyn_next = 0;
	if (db->my != NULL)
		mysql_close(db->my);
	db->my = NULL;
}

void
db_free(struct db *db)
{
	size_t	 i;

	if (db == NULL)
		return;
	disconnect(db);
	for (i = 0; i < DB_MAX_COLS; i++)
		free(db->buf[i]);
	free(db);
}

int
db_down(const struct db *db)
{
	return db->down;
}

/* What node "i" is called in the log. */
static void
node_name(const struct db *db, size_t i, char *buf, size_t len)
{
	const struct config	*c = db->cfg;

	if (db->nnodes > 0)
		snprintf(buf, len, "%s:%u", db->nodes[i].host,
		    db->nodes[i].port);
	else if (c->db_socket != NULL)
		snprintf(buf, len, "%s", c->db_socket);
	else
		snprintf(buf, len, "%s:%u", c->db_host, c->db_port);
}

/*
 * A Galera node takes queries when it is in the primary component and
 * synced (wsrep_local_state 4): a joiner answers 1047, and a donor of a
 * state transfer by rsync blocks writes until it ends. A server without
 * Galera shows neither variable and is taken as it is.
 */
static int
node_ready(MYSQL *my)
{
	static const char	 q[] = "SHOW STATUS WHERE Variable_name IN"
	    " ('wsrep_ready', 'wsrep_local_state')";
	MYSQL_RES		*res;
	MYSQL_ROW		 row;
	int			 ready = 1;

	if (mysql_real_query(my, q, sizeof(q) - 1) != 0 ||
	    (res = mysql_store_result(my)) == NULL)
		return 0;
	while ((row = mysql_fetch_row(res)) != NULL)
		if (row[0] == NULL || row[1] == NULL ||
		    (strcmp(row[0], "wsrep_ready") == 0 &&
		    strcmp(row[1], "ON") != 0) ||
		    (strcmp(row[0], "wsrep_local_state") == 0 &&
		    strcmp(row[1], "4") != 0))
			ready = 0;
	mysql_free_result(res);
	return ready;
}

/* A new connection to node "i" (the one server without a node list),
 * or NULL with the reason in "why". */
static MYSQL *
open_node(struct db *db, size_t i, char *why, size_t len)
{
	const struct config	*c = db->cfg;
	unsigned int		 connect_timeout = 2, io_timeout = 30;
	unsigned int		 port = c->db_port;
	const char		*host = c->db_host, *sock = c->db_socket;
	char			 init[64];
	my_bool			 off = 0;
	MYSQL			*my;

	if ((my = mysql_init(NULL)) == NULL) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	mysql_optionsv(my, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
	mysql_optionsv(my, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
	mysql_optionsv(my, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
	mysql_optionsv(my, MYSQL_OPT_RECONNECT, &off);
	mysql_optionsv(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (db->nnodes > 0) {
		host = db->nodes[i].host;
		port = db->nodes[i].port;
		sock = NULL;
		/* Read-your-writes across nodes (README "Scaling out"). */
		snprintf(init, sizeof(init), "SET SESSION wsrep_sync_wait = %d",
		    c->db_sync_wait);
		mysql_optionsv(my, MYSQL_INIT_COMMAND, init);
	}
	/* Affected rows count the rows matched, so an UPDATE that changes
	 * nothing still says the row exists. */
	/* With a socket, the host must be "localhost" for it to be used. */
	if (mysql_real_connect(my, sock != NULL ? "localhost" : host,
	    c->db_user, c->db_password, c->db_name, port, sock,
	    CLIENT_FOUND_ROWS) == NULL)
		snprintf(why, len, "%s", mysql_error(my));
	else if (db->nnodes > 0 && !node_ready(my))
		snprintf(why, len, "node not synced with the cluster");
	else
		return my;
	mysql_close(my);
	return NULL;
}

/* Marks the connection's node gone: the next connection tries the next
 * node first, and the own node again after a while. */
static void
node_gone(struct db *db)
{
	if (db->nnodes < 2)
		return;
	db->node = (db->node + 1) % db->nnodes;
	db->home_wait = DB_HOME_MS;
	db->home_at = now_ms(CLOCK_MONOTONIC) + db->home_wait;
}

int
db_connect(struct db *db)
{
	size_t	 i, k = 0, n = db->nnodes > 0 ? db->nnodes : 1;
	char	 why[256] = "", name[CONFIG_HOST_MAX + 8];

	if (db->my != NULL)
		return 0;
	for (i = 0; i < n && db->my == NULL; i++) {
		k = (db->node + i) % n;
		db->my = open_node(db, k, why, sizeof(why));
	}
	if (db->my == NULL) {
		if (!db->down)
			log_error("database: connect: %s", why);
		db->down = 1;
		return -1;
	}
	node_name(db, k, name, sizeof(name));
	if (db->down || k != db->node)
		log_info("database: connected to %s", name);
	if (k != db->node)
		db->home_at = now_ms(CLOCK_MONOTONIC) + db->home_wait;
	db->node = k;
	db->down = 0;
	return 0;
}

/*
 * Away from the own node (nodes[0]) and not in a transaction: when it is
 * time, tries it, and moves the connection back if it is ready (the
 * statement cache is dropped with the old connection).
 */
static void
go_home(struct db *db)
{
	char	 why[256], name[CONFIG_HOST_MAX + 8];
	MYSQL	*my;
	int64_t	 now;

	if (db->node == 0 || db->my == NULL || db->in_tx ||
	    (now = now_ms(CLOCK_MONOTONIC)) < db->home_at)
		return;
	if ((my = open_node(db, 0, why, sizeof(why))) == NULL) {
		db->home_wait = db->home_wait * 2 > DB_HOME_MAX_MS ?
		    DB_HOME_MAX_MS : db->home_wait * 2;
		db->home_at = now + db->home_wait;
		return;
	}
	disconnect(db);
	db->my = my;
	db->node = 0;
	db->home_wait = DB_HOME_MS;
	node_name(db, 0, name, sizeof(name));
	log_info("database: back on own node %s", name);
}

/* Internal: the server is gone; execute() decides what that means. */
#define DB_GONE		3

/*
 * Maps the failure of the last call to DB_DUP, DB_RETRY, DB_GONE (the
 * connection is closed), or -1 with 500 set. Detail goes to the log only.
 */
static int
fail(struct req *r, struct db *db, unsigned int err, const char *what,
    const char *msg)
{
	switch (classify(err)) {
	case OUT_DUP:
		return DB_DUP;
	case OUT_RETRY:
		return DB_RETRY;
	case OUT_GONE:
		log_warn("%s database gone (%u) during %s", r->request_id,
		    err, what);
		disconnect(db);
		node_gone(db);
		db->down = 1;
		return DB_GONE;
	default:
		log_error("%s database error %u during %s: %s",
		    r->request_id, err, what, msg);
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	}
}

/* The cached statement for "q" (by address, or by text for one built
 * at run time); NULL if not prepared yet. */
static MYSQL_STMT *
cached(struct db *db, const struct sql *q)
{
	size_t	 i;

	if (q->once) {
		for (i = 0; i < db->ndyn; i++)
			if (strcmp(db->dyn[i].text, q->text) == 0)
				return db->dyn[i].st;
		return NULL;
	}
	for (i = 0; i < db->nstmts; i++)
		if (db->stmts[i].q == q)
			return db->stmts[i].st;
	return NULL;
}

/* Keeps "st" for statements with the text of "q", replacing the oldest
 * when full. -1 (and "st" closed) if out of memory. */
static int
keep_dynamic(struct db *db, const struct sql *q, MYSQL_STMT *st)
{
	struct dynamic_stmt	*d;
	char			*text;

	if ((text = strdup(q->text)) == NULL) {
		mysql_stmt_close(st);
		return -1;
	}
	if (db->ndyn < DB_MAX_DYNAMIC)
		d = &db->dyn[db->ndyn++];
	else {
		d = &db->dyn[db->dyn_next];
		db->dyn_next = (db->dyn_next + 1) % DB_MAX_DYNAMIC;
		mysql_stmt_close(d->st);
		free(d->text);
	}
	d->text = text;
	d->st = st;
	return 0;
}

/* The cached statement for "q", prepared on first use. */
static MYSQL_STMT *
prepare(struct req *r, struct db *db, const struct sql *q, int *rc)
{
	MYSQL_STMT	*st;

	if ((st = cached(db, q)) != NULL)
		return st;
	if (!q->once && db->nstmts == DB_MAX_STMTS) {
		/* A programming error, not a load problem: say which. */
		log_error("statement cache full (DB_MAX_STMTS %d): %.60s",
		    DB_MAX_STMTS, q->text);
		*rc = api_error(r, ERR_INTERNAL, NULL, NULL);
		return NULL;
	}
	if ((st = mysql_stmt_init(db->my)) == NULL) {
		*rc = api_error(r, ERR_INTERNAL, NULL, NULL);
		return NULL;
	}
	if (mysql_stmt_prepare(st, q->text, strlen(q->text)) != 0) {
		*rc = fail(r, db, mysql_stmt_errno(st), "prepare",
		    mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}
	if (mysql_stmt_param_count(st) != strlen(q->sig)) {
		log_error("statement has %lu parameters, signature %s: %.60s",
		    mysql_stmt_param_count(st), q->sig, q->text);
		mysql_stmt_close(st);
		*rc = api_error(r, ERR_INTERNAL, NULL, NULL);
		return NULL;
	}
	if (q->once) {
		if (keep_dynamic(db, q, st) == -1) {
			*rc = api_error(r, ERR_INTERNAL, NULL, NULL);
			return NULL;
		}
		return st;
	}
	db->stmts[db->nstmts].q = q;
	db->stmts[db->nstmts++].st = st;
	return st;
}

/* Binds "args" as the signature of "q" says. -1 if they disagree. */
static int
bind_args(const struct sql *q, const struct db_val *args, MYSQL_BIND *b,
    long long *ints)
{
	size_t	 i, n = strlen(q->sig);

	memset(b, 0, sizeof(*b) * n);
	for (i = 0; i < n; i++) {
		if (args[i].type == DB_END)
			return -1;
		switch (args[i].type) {
		case DB_NULL:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		case DB_STR:
			if (q->sig[i] != 's')
				return -1;
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)args[i].s;
			b[i].buffer_length = strlen(args[i].s);
			break;
		case DB_BIN:
			if (q->sig[i] != 'b')
				return -1;
			b[i].buffer_type = MYSQL_TYPE_BLOB;
			b[i].buffer = (void *)args[i].s;
			b[i].buffer_length = args[i].len;
			break;
		case DB_I64:
			if (q->sig[i] != 'i')
				return -1;
			ints[i] = args[i].i;
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = &ints[i];
			break;
		default:
			return -1;
		}
	}
	return args[n].type == DB_END ? 0 : -1;
}

/* Prepares, binds and executes once. */
static int
execute_once(struct req *r, struct db *db, const struct sql *q,
    const struct db_val *args, MYSQL_STMT **stp)
{
	MYSQL_BIND	 b[DB_MAX_PARAMS];
	long long	 ints[DB_MAX_PARAMS];
	MYSQL_STMT	*st;
	int		 rc = -1;

	go_home(db);
	if (db_connect(db) == -1)
		return DB_GONE;
	if ((st = prepare(r, db, q, &rc)) == NULL)
		return rc;
	if (strlen(q->sig) > DB_MAX_PARAMS || bind_args(q, args, b, ints)) {
		log_error("arguments do not match signature %s: %.60s",
		    q->sig, q->text);
		rc = api_error(r, ERR_INTERNAL, NULL, NULL);
	} else if (mysql_stmt_bind_param(st, b) != 0 ||
	    mysql_stmt_execute(st) != 0)
		rc = fail(r, db, mysql_stmt_errno(st), "execute",
		    mysql_stmt_error(st));
	else {
		*stp = st;
		return 0;
	}
	return rc;
}

/*
 * Executes. Outside a transaction, a connection found lost is reopened
 * and the statement tried once more (nothing was written by it); inside
 * one, the loss makes db_tx() run the whole body again.
 */
static int
execute(struct req *r, struct db *db, const struct sql *q,
    const struct db_val *args, MYSQL_STMT **stp)
{
	int	 rc, was_up = db->my != NULL;

	rc = execute_once(r, db, q, args, stp);
	if (rc == DB_GONE && was_up && !db->in_tx)
		rc = execute_once(r, db, q, args, stp);
	if (rc == DB_GONE)
		rc = db->in_tx ? DB_RETRY :
		    api_error(r, ERR_UNAVAILABLE, NULL, NULL);
	return rc;
}

int
db_exec(struct req *r, const struct sql *q, const struct db_val *args,
    uint64_t *affected)
{
	MYSQL_STMT	*st = NULL;
	int		 rc;

	if ((rc = execute(r, r->db, q, args, &st)) != 0)
		return rc;
	if (affected != NULL)
		*affected = mysql_stmt_affected_rows(st);
	return 0;
}

/* Points the result binds at the column buffers, growing them to "need". */
static int
bind_result(struct db *db, MYSQL_STMT *st, struct db_res *res)
{
	unsigned int	 i;

	memset(db->rbind, 0, sizeof(db->rbind[0]) * res->ncols);
	for (i = 0; i < res->ncols; i++) {
		if (db->buf[i] == NULL) {
			db->cap[i] = 256;
			if ((db->buf[i] = malloc(db->cap[i])) == NULL)
				return -1;
		}
		db->rbind[i].buffer_type = MYSQL_TYPE_STRING;
		db->rbind[i].buffer = db->buf[i];
		/* One byte short, for db_row()'s NUL: a value of exactly
		 * cap bytes would fit untruncated and leave it no room. */
		db->rbind[i].buffer_length = db->cap[i] - 1;
		db->rbind[i].length = &res->len[i];
		db->rbind[i].is_null = &db->isnull[i];
	}
	return mysql_stmt_bind_result(st, db->rbind) == 0 ? 0 : -1;
}

/* db_query() and db_stream(): "store" buffers every row client-side. */
static int
query(struct req *r, const struct sql *q, const struct db_val *args,
    struct db_res *res, int store)
{
	MYSQL_STMT	*st = NULL;
	int		 rc;

	memset(res, 0, sizeof(*res));
	if ((rc = execute(r, r->db, q, args, &st)) != 0)
		return rc;
	res->db = r->db;
	res->stmt = st;
	res->once = 0;	/* every statement is cached now (see cached()) */
	res->ncols = mysql_stmt_field_count(st);
	if (res->ncols > DB_MAX_COLS || bind_result(r->db, st, res) == -1) {
		db_res_free(res);
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	}
	/* Buffer the rows client-side so the statement is free again. */
	if (store && mysql_stmt_store_result(st) != 0) {
		rc = fail(r, r->db, mysql_stmt_errno(st), "store",
		    mysql_stmt_error(st));
		res->stmt = NULL;
		if (rc == DB_GONE)
			rc = r->db->in_tx ? DB_RETRY :
			    api_error(r, ERR_UNAVAILABLE, NULL, NULL);
		return rc;
	}
	return 0;
}

int
db_query(struct req *r, const struct sql *q, const struct db_val *args,
    struct db_res *res)
{
	return query(r, q, args, res, 1);
}

int
db_stream(struct req *r, const struct sql *q, const struct db_val *args,
    struct db_res *res)
{
	return query(r, q, args, res, 0);
}

/* Fetches the columns that did not fit into buffers grown for them. */
static int
refetch_truncated(struct db *db, MYSQL_STMT *st, struct db_res *res)
{
	MYSQL_BIND	 b;
	unsigned int	 i;
	char		*p;

	for (i = 0; i < res->ncols; i++) {
		if (db->isnull[i] || res->len[i] < db->cap[i])
			continue;
		if ((p = realloc(db->buf[i], res->len[i] + 1)) == NULL)
			return -1;
		db->buf[i] = p;
		db->cap[i] = res->len[i] + 1;
		memset(&b, 0, sizeof(b));
		b.buffer_type = MYSQL_TYPE_STRING;
		b.buffer = p;
		b.buffer_length = db->cap[i];
		if (mysql_stmt_fetch_column(st, &b, i, 0) != 0)
			return -1;
	}
	return bind_result(db, st, res);
}

int
db_row(struct req *r, struct db_res *res)
{
	struct db	*db = res->db;
	unsigned int	 i;
	int		 rc;

	if (res->stmt == NULL)
		return 0;
	rc = mysql_stmt_fetch(res->stmt);
	if (rc == MYSQL_NO_DATA)
		return 0;
	if (rc == MYSQL_DATA_TRUNCATED &&
	    refetch_truncated(db, res->stmt, res) == -1)
		rc = 1;
	else if (rc == MYSQL_DATA_TRUNCATED)
		rc = 0;
	if (rc != 0) {
		log_error("%s fetch: %s", r->request_id,
		    mysql_stmt_error(res->stmt));
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	}
	for (i = 0; i < res->ncols; i++) {
		if (db->isnull[i]) {
			res->val[i] = NULL;
			continue;
		}
		db->buf[i][res->len[i]] = '\0';
		res->val[i] = db->buf[i];
	}
	return 1;
}

void
db_res_free(struct db_res *res)
{
	if (res->stmt != NULL && res->once)
		mysql_stmt_close(res->stmt);
	else if (res->stmt != NULL && res->db->my != NULL)
		mysql_stmt_free_result(res->stmt);
	res->stmt = NULL;
}

int
db_one(struct req *r, const struct sql *q, const struct db_val *args,
    struct db_res *res)
{
	int	 rc;

	if ((rc = db_query(r, q, args, res)) != 0)
		return rc;
	if ((rc = db_row(r, res)) != 1)
		db_res_free(res);
	return rc;
}

int
db_find(struct req *r, const struct sql *q, const char *id, const char *kind,
    struct db_res *res)
{
	char	 what[96];
	int	 rc;

	rc = db_one(r, q, (struct db_val[]){ DB_SCOPE(r), DB_S(id), DB_E },
	    res);
	if (rc != 0)
		return rc;
	snprintf(what, sizeof(what), "%s: '%.40s'", kind, id);
	return api_error(r, ERR_RESOURCE_MISSING, "id", what);
}

int64_t
db_i64(const struct db_res *res, unsigned int col)
{
	return res->val[col] != NULL ? strtoll(res->val[col], NULL, 10) : 0;
}

/* Runs BEGIN, COMMIT or ROLLBACK: 0, DB_RETRY or DB_GONE. */
static int
tx_command(struct req *r, struct db *db, const char *cmd)
{
	if (db_connect(db) == -1)
		return DB_GONE;
	if (mysql_real_query(db->my, cmd, strlen(cmd)) == 0)
		return 0;
	return fail(r, db, mysql_errno(db->my), cmd, mysql_error(db->my));
}

/* The hooks of db_tx_hooks(): one pair for the whole process. */
static int	(*tx_before)(struct req *);
static int	(*tx_after)(struct req *);

void
db_tx_hooks(int (*before)(struct req *), int (*after)(struct req *))
{
	tx_before = before;
	tx_after = after;
}

/* One run of the body between BEGIN and COMMIT. */
static int
tx_once(struct req *r, int (*body)(struct req *, void *), void *arg)
{
	struct db	*db = r->db;
	int		 rc;

	if ((rc = tx_command(r, db, "BEGIN")) != 0)
		return rc == DB_GONE ? DB_RETRY : rc;
	db->in_tx = 1;
	rc = tx_before != NULL ? tx_before(r) : 0;
	if (rc == 0)
		rc = body(r, arg);
	if (rc == 0 && tx_after != NULL)
		rc = tx_after(r);
	if (rc == 0) {
		rc = tx_command(r, db, "COMMIT");
		/* A lost COMMIT may have happened: never run it again. */
		if (rc == DB_GONE)
			rc = api_error(r, ERR_UNAVAILABLE, NULL, NULL);
	} else if (db->my != NULL)
		(void)tx_command(r, db, "ROLLBACK");
	db->in_tx = 0;
	return rc;
}

/*
 * A conflict's winner is committing on another node: rerunning at once
 * on a node that has not applied it yet would conflict again. So wait
 * 1 to 2^tries ms, at random, so that two losers do not meet again.
 */
static void
rerun_pause(int tries)
{
	struct timespec	 ts;
	uint32_t	 ms = 1 + arc4random_uniform(1U << tries);

	ts.tv_sec = 0;
	ts.tv_nsec = (long)ms * 1000000;
	nanosleep(&ts, NULL);
}

int
db_tx(struct req *r, int (*body)(struct req *, void *), void *arg)
{
	int	 rc, tries;

	for (tries = 0; tries < DB_TX_TRIES; tries++) {
		if ((rc = tx_once(r, body, arg)) == DB_DUP)
			return api_error(r, ERR_INTERNAL, NULL, NULL);
		if (rc != DB_RETRY)
			return rc == 0 ? 0 : -1;
		if (db_down(r->db) && db_connect(r->db) == -1)
			break;
		log_info("%s transaction rerun after a conflict",
		    r->request_id);
		rerun_pause(tries);
	}
	return api_error(r, db_down(r->db) ? ERR_UNAVAILABLE : ERR_INTERNAL,
	    NULL, NULL);
}

int
db_snapshot(struct req *r)
{
	int	 rc;

	/* The next transaction only, whatever the server's default. */
	rc = tx_command(r, r->db, "SET TRANSACTION ISOLATION LEVEL"
	    " REPEATABLE READ");
	if (rc == 0)
		rc = tx_command(r, r->db, "START TRANSACTION WITH CONSISTENT"
		    " SNAPSHOT, READ ONLY");
	if (rc == DB_GONE)
		return api_error(r, ERR_UNAVAILABLE, NULL, NULL);
	/* In a transaction: the connection stays on its node, and a lost
	 * one is not silently reopened outside the snapshot. */
	r->db->in_tx = rc == 0;
	return rc == 0 ? 0 : -1;
}

void
db_snapshot_end(struct req *r)
{
	if (r->db->my != NULL && r->db->in_tx)
		(void)tx_command(r, r->db, "COMMIT");
	r->db->in_tx = 0;
}

int
db_run_script(struct db *db, const char *text)
{
	MYSQL_RES	*res;
	int		 status;

	if (db_connect(db) == -1)
		return -1;
	if (mysql_set_server_option(db->my, MYSQL_OPTION_MULTI_STATEMENTS_ON)
	    != 0 || mysql_real_query(db->my, text, strlen(text)) != 0)
		goto err;
	do {
		if ((res = mysql_store_result(db->my)) != NULL)
			mysql_free_result(res);
		else if (mysql_field_count(db->my) != 0)
			goto err;
		if ((status = mysql_next_result(db->my)) > 0)
			goto err;
	} while (status == 0);
	return 0;
err:
	fprintf(stderr, "database: %s\n", mysql_error(db->my));
	return -1;
}
