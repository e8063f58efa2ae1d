/*
 * MariaDB for the workers and the other programs: one connection with its
 * prepared statements (prepared on first use, dropped on reconnect), typed
 * binds, result rows as strings, and db_tx() which runs a transaction
 * body again after a deadlock or Galera conflict.
 */
#ifndef DB_H
#define DB_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct req;

/* A statement by its handler: the text and its bind signature, one
 * character per '?': 's' string, 'i' integer, 'b' binary. */
struct sql {
	const char	*text;
	const char	*sig;
	int		 once;	/* built at run time: cached by its text */
};

enum db_type {
	DB_END,		/* ends an argument list */
	DB_STR,
	DB_I64,
	DB_NULL,
	DB_BIN,		/* bytes, with len */
};

struct db_val {
	enum db_type	 type;
	const char	*s;	/* DB_STR (NUL-terminated) or DB_BIN */
	size_t		 len;	/* DB_BIN */
	int64_t		 i;	/* DB_I64 */
};

#define DB_S(x)		((struct db_val){ DB_STR, (x), 0, 0 })
#define DB_I(x)		((struct db_val){ DB_I64, NULL, 0, (x) })
#define DB_B(x, n)	((struct db_val){ DB_BIN, (const char *)(x), (n), 0 })
#define DB_N		((struct db_val){ DB_NULL, NULL, 0, 0 })
#define DB_SN(x)	((x) != NULL ? DB_S(x) : DB_N)	/* string or NULL */
#define DB_E		((struct db_val){ DB_END, NULL, 0, 0 })

/*
 * The tenant scope (DESIGN.md): every query of an account's rows filters
 * on its account and mode with this fragment, and binds this pair in the
 * same place ("si" in the signature). SCOPE_OF("c") is the same for a
 * table named by alias in a join.
 */
#define SCOPE		"account_id = ? AND livemode = ?"
#define SCOPE_OF(t)	t ".account_id = ? AND " t ".livemode = ?"
#define DB_SCOPE(r)	DB_S((r)->caller.account_id), DB_I((r)->caller.livemode)

/* What a statement came to, besides 0 (done) and -1 (error answered). */
enum db_result {
	DB_NONE = 0,	/* db_one(), db_row(): no (more) rows */
	DB_FOUND = 1,	/* db_one(), db_row(), db_find(): a row in "res" */
	DB_DUP = 1,	/* db_exec(): a duplicate key (1062) */
	DB_RETRY = 2,	/* deadlock or conflict: rerun the tx */
};

#define DB_MAX_COLS	24

struct db;

/* A result being read: one row at a time, columns as strings. */
struct db_res {
	struct db	*db;
	void		*stmt;		/* MYSQL_STMT, borrowed */
	unsigned int	 ncols;
	int		 once;		/* close stmt when freed */
	char		*val[DB_MAX_COLS];	/* NULL for SQL NULL */
	unsigned long	 len[DB_MAX_COLS];
};

/* Makes a handle for "cfg" (borrowed for the handle's life); connects
 * lazily. NULL when out of memory. */
struct db	*db_new(const struct config *cfg);
void		 db_free(struct db *db);

/* Connects if not connected. Returns 0, or -1 (logged). */
int	db_connect(struct db *db);

/* 1 if the last connection attempt or statement found the server gone. */
int	db_down(const struct db *db);

/*
 * Runs a statement without a result set. Returns 0, DB_DUP, DB_RETRY, or
 * -1 with the API error set on "r" (503 when the server is unreachable,
 * 500 otherwise). *affected (may be NULL) gets the affected row count.
 * Outside a transaction a lost connection is retried once transparently.
 */
int	db_exec(struct req *r, const struct sql *q, const struct db_val *args,
	    uint64_t *affected);

/*
 * Runs a query and prepares "res" for db_row(). Returns 0, DB_RETRY or -1
 * as db_exec(). The result must be released with db_res_free() before the
 * next statement.
 */
int	db_query(struct req *r, const struct sql *q, const struct db_val *args,
	    struct db_res *res);

/*
 * db_query() without buffering the result: each db_row() reads the next
 * row from the server, so a result of any size takes the memory of one
 * row (an export). Until db_res_free() no other statement may run on
 * the connection.
 */
int	db_stream(struct req *r, const struct sql *q, const struct db_val *args,
	    struct db_res *res);

/* Reads the next row into res->val/len: DB_FOUND, DB_NONE at the end,
 * -1 (error set). */
int	db_row(struct req *r, struct db_res *res);

void	db_res_free(struct db_res *res);

/*
 * Queries for at most one row: DB_FOUND with the row in "res" (free it),
 * DB_NONE, DB_RETRY or -1.
 */
int	db_one(struct req *r, const struct sql *q, const struct db_val *args,
	    struct db_res *res);

/*
 * db_one() for the caller's object "id": "q" takes (account_id, livemode,
 * id). If there is none, answers 404 resource_missing "No such <kind>:
 * '<id>'" naming param "id". Returns DB_FOUND with the row in "res",
 * DB_RETRY,
 * or -1 (set).
 */
int	db_find(struct req *r, const struct sql *q, const char *id,
	    const char *kind, struct db_res *res);

/* Column "col" of the current row as an integer (0 for NULL). */
int64_t	db_i64(const struct db_res *res, unsigned int col);

/*
 * BEGIN; body(r, arg); COMMIT. A body that returns DB_RETRY (a deadlock,
 * a Galera conflict, a lost connection before COMMIT) is rolled back and
 * run again, a bounded number of times; so a body must only write to the
 * database and to "arg", and may set the reply (it is set again on a
 * rerun). The hooks of db_tx_hooks() run first and last in the same
 * transaction. Returns 0 after COMMIT, or -1 with the error set.
 */
int	db_tx(struct req *r, int (*body)(struct req *, void *), void *arg);

/*
 * Opens a read-only REPEATABLE READ transaction with its snapshot taken
 * now: every read until db_snapshot_end() sees the database as it was at
 * this moment (an export). No hooks, no rerun. Returns 0 or -1 (set).
 */
int	db_snapshot(struct req *r);
void	db_snapshot_end(struct req *r);

/*
 * What db_tx() runs in every transaction besides its body: "before" it
 * and "after" it, each returning as a body does (NULL: nothing). The
 * API's workers set idempotency.c's claim and store (routes_new()), so
 * a key and the reply it replays commit with the write they belong to.
 */
void	db_tx_hooks(int (*before)(struct req *), int (*after)(struct req *));

/* For pesaswap-admin: runs SQL text with no parameters (migrations).
 * Returns 0 or -1 (message on stderr). */
int	db_run_script(struct db *db, const char *text);

#endif
