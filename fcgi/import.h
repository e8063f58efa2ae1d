/*
 * POST /v1/customers/import and GET /v1/customers/imports[/:id] (issue
 * 15 "Export and import").
 */
#ifndef IMPORT_H
#define IMPORT_H

struct req;

void	import_customers(struct req *r);
void	import_get(struct req *r);
void	import_list(struct req *r);

#endif
