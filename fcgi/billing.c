/*
 * Finds due subscriptions and schedules with plain reads (the due indexes)
 * and steps each one in a transaction that claims it with SKIP LOCKED and
 * checks again that it is due, so several jobs share the work and none
 * charges anything twice.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "billing.h"
#include "db.h"
#include "http.h"
#include "ids.h"
#include "log.h"
#include "schedules.h"
#include "subscriptions.h"

#define BATCH	100

static const struct sql SQL_SUBS_DUE = {
	"SELECT id, account_id, livemode, ? FROM subscriptions"
	" WHERE test_clock IS NULL AND next_action <= ?"
	" ORDER BY next_action LIMIT 100", "ii", 0 };
static const struct sql SQL_SUBS_DUE_CLOCK = {
	"SELECT s.id, s.account_id, s.livemode, tc.frozen_time"
	" FROM subscriptions s JOIN test_clocks tc ON tc.id = s.test_clock"
	" WHERE s.next_action <= tc.frozen_time LIMIT 100", "", 0 };
static const struct sql SQL_SCHEDS_DUE = {
	"SELECT id, account_id, livemode, ? FROM payment_schedules"
	" WHERE status = 'scheduled' AND test_clock IS NULL AND run_at <= ?"
	" LIMIT 100", "ii", 0 };
static const struct sql SQL_SCHEDS_DUE_CLOCK = {
	"SELECT p.id, p.account_id, p.livemode, tc.frozen_time"
	" FROM payment_schedules p JOIN test_clocks tc ON tc.id = p.test_clock"
	" WHERE p.status = 'scheduled' AND p.run_at <= tc.frozen_time"
	" LIMIT 100", "", 0 };

/* One due item: its id, owner and "now". */
struct due {
	char	 id[IDS_MAX];
	char	 account[32];
	int	 livemode;
	int64_t	 now;
	int	 (*step)(struct req *, const char *, int64_t);
};

static int
step_tx(struct req *r, void *arg)
{
	struct due	*d = arg;
	int		 rc;

	rc = d->step(r, d->id, d->now);
	return rc == BILLING_STEPPED ? 0 : rc;
}

/* Reads up to BATCH due items of one kind into "items"; their count. */
static size_t
find(struct req *r, const struct sql *q, const struct db_val *args,
    int (*step)(struct req *, const char *, int64_t), struct due *items)
{
	struct db_res	 res;
	size_t		 n = 0;

	if (db_query(r, q, args, &res) != 0)
		return 0;
	while (n < BATCH && db_row(r, &res) == DB_FOUND) {
		snprintf(items[n].id, sizeof(items[n].id), "%s", res.val[0]);
		snprintf(items[n].account, sizeof(items[n].account), "%s",
		    res.val[1]);
		items[n].livemode = (int)db_i64(&res, 2);
		items[n].now = db_i64(&res, 3);
		items[n++].step = step;
	}
	db_res_free(&res);
	return n;
}

static int
run(struct req *r, struct due *items, size_t n)
{
	size_t	 i;
	int	 done = 0;

	for (i = 0; i < n; i++) {
		snprintf(r->caller.account_id, sizeof(r->caller.account_id),
		    "%s", items[i].account);
		r->caller.livemode = items[i].livemode;
		if (db_tx(r, step_tx, &items[i]) == 0)
			done++;
		else
			log_warn("billing %s: failed (%d); tried again later",
			    items[i].id, r->status);
	}
	return done;
}

int
billing_turn(struct req *r)
{
	static struct due	 items[BATCH];
	int64_t			 now = time(NULL);
	int			 done = 0;

	done += run(r, items, find(r, &SQL_SUBS_DUE, (struct db_val[]){
	    DB_I(now), DB_I(now), DB_E }, subscriptions_step, items));
	done += run(r, items, find(r, &SQL_SUBS_DUE_CLOCK, (struct db_val[]){
	    DB_E }, subscriptions_step, items));
	done += run(r, items, find(r, &SQL_SCHEDS_DUE, (struct db_val[]){
	    DB_I(now), DB_I(now), DB_E }, schedules_step, items));
	done += run(r, items, find(r, &SQL_SCHEDS_DUE_CLOCK, (struct db_val[]){
	    DB_E }, schedules_step, items));
	return done;
}
