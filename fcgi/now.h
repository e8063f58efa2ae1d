/*
 * The time in microseconds or milliseconds on "clock": CLOCK_REALTIME for times that are
 * stored or compared across processes, CLOCK_MONOTONIC for intervals
 * inside one.
 */
#ifndef NOW_H
#define NOW_H

#include <stdint.h>
#include <time.h>

static inline int64_t
now_us(clockid_t clock)
{
	struct timespec	 ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static inline int64_t
now_ms(clockid_t clock)
{
	return now_us(clock) / 1000;
}

#endif
