/*
 * Test clocks (as Stripe's test helpers): a frozen time that is "now" for
 * the customers attached to it, their subscriptions and schedules, moved
 * forward by the user to try billing in test mode without waiting.
 */
#ifndef CLOCKS_H
#define CLOCKS_H

#include <stdint.h>

struct req;

void	clocks_create(struct req *r);
void	clocks_get(struct req *r);
void	clocks_list(struct req *r);
void	clocks_advance(struct req *r);
void	clocks_delete(struct req *r);

/* "Now" for clock "id" ("" or NULL: the real time). Returns 0 with *now
 * set, DB_RETRY, or -1 with 400 resource_missing naming "param" (404
 * when "param" is NULL: then the clock row is also locked for update). */
int	clocks_now(struct req *r, const char *id, const char *param,
	    int64_t *now);

#endif
