/*
 * Test clocks: create, retrieve, list, advance, delete. Test mode only;
 * pesaswap-jobs bills the subscriptions and schedules of a clock's
 * customers as if its frozen time were now (billing.c).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "clocks.h"
#include "db.h"
#include "http.h"
#include "ids.h"
#include "jsonx.h"
#include "list.h"
#include "params.h"

#define CLOCK_NAME_MAX	256
#define CLOCK_COLS "id, name, frozen_time, created, livemode"

static const struct sql SQL_CLOCK_INSERT = {
	"INSERT INTO test_clocks (id, account_id, livemode, name, frozen_time,"
	" created) VALUES (?, ?, ?, ?, ?, ?)", "ssisii", 0 };
static const struct sql SQL_CLOCK_GET = {
	"SELECT " CLOCK_COLS " FROM test_clocks WHERE " SCOPE " AND id = ?"
	" AND deleted IS NULL", "sis", 0 };
static const struct sql SQL_CLOCK_LOCK = {
	"SELECT " CLOCK_COLS " FROM test_clocks WHERE " SCOPE " AND id = ?"
	" AND deleted IS NULL FOR UPDATE", "sis", 0 };
static const struct sql SQL_CLOCK_ADVANCE = {
	"UPDATE test_clocks SET frozen_time = ? WHERE " SCOPE " AND id = ?",
	"isis", 0 };
static const struct sql SQL_CLOCK_DELETE = {
	"UPDATE test_clocks SET deleted = ? WHERE " SCOPE " AND id = ?",
	"isis", 0 };
static const struct sql SQL_CLOCK_CURSOR = LIST_CURSOR("test_clocks");
static const struct sql SQL_CLOCK_LIST[2] = LIST_PAIR(
	"SELECT " CLOCK_COLS " FROM test_clocks WHERE " SCOPE
	" AND deleted IS NULL", "");

static struct json_object *
clock_json(const struct db_res *res)
{
	struct json_object	*o = json_object_new_object();

	jsonx_add_str(o, "id", res->val[0]);
	jsonx_add_str(o, "object", "test_helpers.test_clock");
	jsonx_add_str(o, "name", res->val[1]);
	jsonx_add_i64(o, "frozen_time", db_i64(res, 2));
	jsonx_add_str(o, "status", "ready");
	jsonx_add_i64(o, "created", db_i64(res, 3));
	jsonx_add_bool(o, "livemode", (int)db_i64(res, 4));
	return o;
}

/* Test clocks exist in test mode only. */
static int
test_mode(struct req *r)
{
	return r->caller.livemode ? api_error(r, ERR_PARAM_INVALID, NULL,
	    "the request: test clocks exist in test mode only") : 0;
}

/* Loads clock captures[0] and answers it; 404 if there is none. */
static int
answer_clock(struct req *r, const struct sql *q)
{
	struct db_res	 res;
	int		 rc;

	if ((rc = db_find(r, q, r->captures[0], "test_clock",
	    &res)) != DB_FOUND)
		return rc;
	http_reply(r, 200, clock_json(&res));
	db_res_free(&res);
	return 0;
}

struct new_clock {
	char		 id[IDS_MAX];
	const char	*name;
	int64_t		 frozen_time;
};

static int
create_tx(struct req *r, void *arg)
{
	struct new_clock	*c = arg;
	int			 rc;

	if ((rc = db_exec(r, &SQL_CLOCK_INSERT, (struct db_val[]){ DB_S(c->id),
	    DB_SCOPE(r),
	    DB_SN(c->name), DB_I(c->frozen_time), DB_I(time(NULL)), DB_E },
	    NULL)) != 0)
		return rc;
	free(r->captures[0]);
	r->captures[0] = strdup(c->id);
	return answer_clock(r, &SQL_CLOCK_GET);
}

/* frozen_time: required, a unix time. */
static int
read_frozen_time(struct req *r, int64_t *t)
{
	int	 rc;

	if ((rc = params_i64(r, "frozen_time", 0, INT32_MAX * 64LL, t)) != 0)
		return rc == PARAMS_PRESENT ? 0 : -1;
	return api_error(r, ERR_PARAM_MISSING, "frozen_time", "frozen_time");
}

/* POST /v1/test_helpers/test_clocks: frozen_time (required), name. */
void
clocks_create(struct req *r)
{
	struct new_clock	 c;

	memset(&c, 0, sizeof(c));
	if (test_mode(r) == 0 && read_frozen_time(r, &c.frozen_time) == 0 &&
	    params_text(r, "name", CLOCK_NAME_MAX, &c.name) != -1 &&
	    ids_assign(r, "clock_", c.id, sizeof(c.id)) == 0)
		(void)db_tx(r, create_tx, &c);
}

/* GET /v1/test_helpers/test_clocks/:id */
void
clocks_get(struct req *r)
{
	(void)answer_clock(r, &SQL_CLOCK_GET);
}

/* GET /v1/test_helpers/test_clocks */
void
clocks_list(struct req *r)
{
	struct list_page	 p;

	if (list_params(r, &SQL_CLOCK_CURSOR, &p) == 0)
		list_answer(r, &p, &SQL_CLOCK_LIST[p.ascending], NULL, 0, 0,
		    clock_json,
		    "/v1/test_helpers/test_clocks");
}

static int
advance_tx(struct req *r, void *arg)
{
	int64_t		 to = *(int64_t *)arg, from;
	int		 rc;

	/* Locks the clock, so billing sees the old time or the new one. */
	if ((rc = clocks_now(r, r->captures[0], NULL, &from)) != 0)
		return rc;
	if (to <= from)
		return api_error(r, ERR_PARAM_INVALID, "frozen_time",
		    "frozen_time (it must be later than the clock's time)");
	if ((rc = db_exec(r, &SQL_CLOCK_ADVANCE, (struct db_val[]){ DB_I(to),
	    DB_SCOPE(r),
	    DB_S(r->captures[0]), DB_E }, NULL)) != 0)
		return rc;
	return answer_clock(r, &SQL_CLOCK_GET);
}

/* POST /v1/test_helpers/test_clocks/:id/advance: frozen_time, later. */
void
clocks_advance(struct req *r)
{
	int64_t		 to;

	if (read_frozen_time(r, &to) == 0)
		(void)db_tx(r, advance_tx, &to);
}

static int
delete_tx(struct req *r, void *arg)
{
	int			 rc;

	(void)arg;
	if ((rc = answer_clock(r, &SQL_CLOCK_LOCK)) != 0 ||
	    (rc = db_exec(r, &SQL_CLOCK_DELETE, (struct db_val[]){
	    DB_I(time(NULL)), DB_SCOPE(r), DB_S(r->captures[0]), DB_E },
	    NULL)) != 0)
		return rc;
	http_reply_deleted(r, r->captures[0], "test_helpers.test_clock");
	return 0;
}

/* DELETE /v1/test_helpers/test_clocks/:id */
void
clocks_delete(struct req *r)
{
	(void)db_tx(r, delete_tx, NULL);
}

int
clocks_now(struct req *r, const char *id, const char *param, int64_t *now)
{
	struct db_res	 res;
	char		 what[64];
	int		 rc;

	if (id == NULL || *id == '\0') {
		*now = time(NULL);
		return 0;
	}
	rc = db_one(r, param ? &SQL_CLOCK_GET : &SQL_CLOCK_LOCK,
	    (struct db_val[]){ DB_SCOPE(r), DB_S(id), DB_E }, &res);
	if (rc == 0) {
		snprintf(what, sizeof(what), "test_clock: '%.40s'", id);
		return api_error(r,
		    param ? ERR_REF_MISSING : ERR_RESOURCE_MISSING,
		    param ? param : "id", what);
	}
	if (rc != DB_FOUND)
		return rc;
	*now = db_i64(&res, 2);
	db_res_free(&res);
	return 0;
}
