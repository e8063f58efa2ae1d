/* The Customers resource (API.md "Customers"). */
#ifndef CUSTOMERS_H
#define CUSTOMERS_H

struct req;

void	customers_create(struct req *r);
void	customers_get(struct req *r);
void	customers_update(struct req *r);
void	customers_delete(struct req *r);
void	customers_list(struct req *r);
void	customers_search(struct req *r);

#endif
