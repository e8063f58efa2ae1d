/* Customer analytics (API.md "Customers"). */
#ifndef ANALYTICS_H
#define ANALYTICS_H

struct req;

/* GET /v1/customers/:id/analytics: succeeded payments, volume per
 * currency, average, last payment, failed count. */
void	analytics_get(struct req *r);

/* GET /v1/customers/:id/analytics/volume (interval, currency). */
void	analytics_volume(struct req *r);

#endif
