/* GET /v1/customers/export (issue 15 "Export and import"). */
#ifndef EXPORT_H
#define EXPORT_H

struct req;

void	export_customers(struct req *r);

#endif
