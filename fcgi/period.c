/* Calendar arithmetic for billing periods, in UTC. */
#include <string.h>
#include <time.h>

#include "period.h"

static const char *const names[PERIOD__MAX] = {
	"day",		/* PERIOD_DAY */
	"week",		/* PERIOD_WEEK */
	"month",	/* PERIOD_MONTH */
	"year",		/* PERIOD_YEAR */
};

int
period_interval_parse(const char *name, enum period_interval *out)
{
	int	 i;

	for (i = 0; i < PERIOD__MAX; i++)
		if (strcmp(names[i], name) == 0) {
			*out = i;
			return 0;
		}
	return -1;
}

const char *
period_interval_name(enum period_interval iv)
{
	return names[iv];
}

static int
leap(int64_t year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
days_in_month(int64_t year, int month)	/* month 0..11 */
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };

	return month == 1 && leap(year) ? 29 : days[month];
}

int64_t
period_end(int64_t anchor, enum period_interval iv, int count, int64_t n)
{
	struct tm	 tm;
	time_t		 t = (time_t)anchor;
	int64_t		 months, year;
	int		 month;

	if (count < 1 || n < 0 || n > 100000)
		return -1;
	switch (iv) {
	case PERIOD_DAY:
		return anchor + n * count * 86400;
	case PERIOD_WEEK:
		return anchor + n * count * 7 * 86400;
	case PERIOD_MONTH:
	case PERIOD_YEAR:
		break;
	default:
		return -1;
	}
	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	months = (int64_t)tm.tm_year * 12 + tm.tm_mon +
	    n * count * (iv == PERIOD_YEAR ? 12 : 1);
	year = months / 12;
	month = (int)(months % 12);
	tm.tm_year = (int)year;
	tm.tm_mon = month;
	/* 31 January + 1 month: the last day of February. */
	if (tm.tm_mday > days_in_month(year + 1900, month))
		tm.tm_mday = days_in_month(year + 1900, month);
	return (int64_t)timegm(&tm);
}

int64_t
period_day_start(int64_t t)
{
	return t - ((t % PERIOD_DAY_SECONDS) + PERIOD_DAY_SECONDS) %
	    PERIOD_DAY_SECONDS;
}
