/*
 * Billing periods (API.md "Prices, subscriptions, payment schedules"):
 * calendar arithmetic in UTC, from the subscription's anchor, so a
 * subscription started on 31 January renews on the last day of February
 * and then on 31 March again.
 */
#ifndef PERIOD_H
#define PERIOD_H

#include <stdint.h>

enum period_interval {
	PERIOD_DAY,
	PERIOD_WEEK,
	PERIOD_MONTH,
	PERIOD_YEAR,
	PERIOD__MAX
};

/* "day", "week", "month", "year" into *out; -1 if none of these. */
int	period_interval_parse(const char *name, enum period_interval *out);

const char *period_interval_name(enum period_interval iv);

/*
 * The end of period "n" (1 for the first) of a subscription anchored at
 * unix time "anchor": anchor plus n * count intervals. Months and years
 * keep the anchor's day of month, clamped to the month's last day, and
 * its time of day. Returns -1 if the result is out of range.
 */
int64_t	period_end(int64_t anchor, enum period_interval iv, int count,
	    int64_t n);

#define PERIOD_DAY_SECONDS	86400

/* The unix time of the UTC midnight that starts the day of "t". */
int64_t	period_day_start(int64_t t);

#endif
