/*
 * List endpoints' shared steps (API.md "Customers" list, and every other
 * list): limit, starting_after / ending_before cursors, created[...]
 * bounds, and the {"object": "list"} envelope. Lists are newest first by
 * the table's pk; a cursor is the public id of a row, resolved to its pk.
 */
#ifndef LIST_H
#define LIST_H

#include <stdint.h>

struct req;
struct sql;
struct json_object;

/* The parameters every list takes, for its route row's PARAMS(). */
#define LIST_PARAMS	"limit", "starting_after", "ending_before"

/*
 * A list's two statements, [0] newest first and [1] oldest first (index
 * them by list_page.ascending), from "head": the SELECT up to the end of
 * its filters. The pk bounds, the created bounds (LIST_PAIR_CREATED),
 * the order and the limit follow, as list_answer() binds them; "fsig" is
 * the signature of the filters between the scope and the bounds.
 * LIST_PAIR_OF names the pk column ("d.pk" in a join) and what follows
 * the pk bounds.
 */
#define LIST_PAIR(head, fsig)	LIST_PAIR_OF(head, "pk", "", "si" fsig "iii")
#define LIST_PAIR_CREATED(head, fsig)					\
	LIST_PAIR_OF(head, "pk", " AND created >= ? AND created <= ?",	\
	"si" fsig "iiiii")
#define LIST_PAIR_OF(head, pk, more, sig)				\
	{ { head LIST_TAIL(pk, more, "DESC"), sig, 0 },			\
	  { head LIST_TAIL(pk, more, "ASC"), sig, 0 } }
#define LIST_TAIL(pk, more, order)					\
	" AND " pk " < ? AND " pk " > ?" more " ORDER BY " pk " " order	\
	" LIMIT ?"

/* The statement that finds a cursor's pk in "table" by public id. */
#define LIST_CURSOR(table)						\
	{ "SELECT pk FROM " table " WHERE " SCOPE " AND id = ?", "sis", 0 }

#define LIST_LIMIT_DEFAULT	10
#define LIST_LIMIT_MAX		100

struct list_page {
	int64_t	 limit;
	int64_t	 below_pk;	/* rows with pk < this (starting_after) */
	int64_t	 above_pk;	/* rows with pk > this (ending_before) */
	int	 ascending;	/* ending_before: fetch upwards, then flip */
	int64_t	 created_min;	/* created bounds, inclusive */
	int64_t	 created_max;
};

/*
 * Reads limit, starting_after, ending_before and created[gt|gte|lt|lte]
 * (or created=N) from r->params. "cursor" selects the pk of a row by
 * (account_id, livemode, id). Returns 0, or -1 with 400 set.
 */
int	list_params(struct req *r, const struct sql *cursor,
	    struct list_page *p);

struct db_res;

/* Renders every row of "res" with "render" into a new array and frees
 * "res". Returns the array, or NULL with the error set. */
struct json_object *list_rows(struct req *r, struct db_res *res,
	    struct json_object *(*render)(const struct db_res *));
/*
 * Inside db_tx(): reads the ids that "q" selects for (account, mode,
 * "customer"), then calls fn(r, id, customer) on each in order, stopping
 * at the first that does not return 0. *ids gets a new array of the ids
 * (NULL if they could not be read). Returns what the last call returned,
 * or the query's DB_RETRY / -1.
 */
int	list_each(struct req *r, const struct sql *q, const char *customer,
	    int (*fn)(struct req *, const char *, const char *),
	    struct json_object **ids);

/*
 * Runs list query "q" (the caller picks it for its filters and
 * p->ascending) with its binds in this order: account and mode, each
 * non-NULL string of "filters" (n of them), the pk bounds, the created
 * bounds if "created", and limit + 1; renders the rows with "render" and
 * answers the envelope for "url". Errors are answered as well.
 */
void	list_answer(struct req *r, const struct list_page *p,
	    const struct sql *q, const char *const *filters, size_t n,
	    int created, struct json_object *(*render)(const struct db_res *),
	    const char *url);

/*
 * The binds list_answer() gives "q", into "args" (LIST_MAX_ARGS of
 * them), for a caller that runs the list's statement itself (an
 * export). Strings are borrowed from "filters" and r.
 */
#define LIST_MAX_ARGS	16
struct db_val;
void	list_args(struct req *r, const struct list_page *p,
	    const char *const *filters, size_t n, int created,
	    struct db_val *args);

/*
 * Answers 200 with the envelope for "rows" (an array of up to limit + 1
 * objects fetched in the page's direction; taken), flipping an ascending
 * page and telling has_more from the extra row. "object" is "list" or
 * "search_result"; for a search, "next_page" (may be NULL) is added.
 */
void	list_reply(struct req *r, const struct list_page *p,
	    struct json_object *rows, const char *object, const char *url);

#endif
