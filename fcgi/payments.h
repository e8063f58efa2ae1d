/* Payments and customer analytics (API.md "Payments", "Customers"). */
#ifndef PAYMENTS_H
#define PAYMENTS_H

struct req;

void	payments_create(struct req *r);
void	payments_get(struct req *r);
void	payments_list(struct req *r);
void	payments_analytics(struct req *r);

#endif
