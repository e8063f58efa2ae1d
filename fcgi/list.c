/* Pagination and the list envelope, shared by every list endpoint. */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "db.h"
#include "http.h"
#include "jsonx.h"
#include "list.h"
#include "params.h"

/* Resolves the cursor parameter "name" to a pk; 0 if not sent. */
static int
cursor_pk(struct req *r, const struct sql *cursor, const char *name,
    int64_t *pk)
{
	struct db_res	 res;
	const char	*id;
	char		 what[64];
	int		 rc;

	if ((rc = params_str(r, name, &id)) != PARAMS_PRESENT)
		return rc;
	if (id == NULL || *id == '\0')
		return api_error(r, ERR_PARAM_INVALID, name, name);
	rc = db_one(r, cursor, (struct db_val[]){ DB_SCOPE(r), DB_S(id), DB_E },
	    &res);
	if (rc == 0) {
		snprintf(what, sizeof(what), "object: '%.40s'", id);
		return api_error(r, ERR_REF_MISSING, name, what);
	}
	if (rc != DB_FOUND)
		return -1;
	*pk = db_i64(&res, 0);
	db_res_free(&res);
	return PARAMS_PRESENT;
}

/* Narrows the created bounds by operator "op" (gt, gte, lt, lte). */
static int
narrow(struct list_page *p, size_t op, int64_t n)
{
	if (op == 0 && n + 1 > p->created_min)
		p->created_min = n + 1;
	if (op == 1 && n > p->created_min)
		p->created_min = n;
	if (op == 2 && n - 1 < p->created_max)
		p->created_max = n - 1;
	if (op == 3 && n < p->created_max)
		p->created_max = n;
	return 0;
}

/* created=N, or created[gt|gte|lt|lte]=N, as inclusive bounds. */
static int
created_bounds(struct req *r, struct list_page *p)
{
	static const char *const ops[] = { "gt", "gte", "lt", "lte" };
	struct json_object	*created = params_get(r, "created");
	struct json_object	*saved = r->params;
	char			 name[32];
	int64_t			 n;
	size_t			 i;
	int			 rc;

	p->created_min = INT64_MIN;
	p->created_max = INT64_MAX;
	if (created == NULL)
		return 0;
	if (!json_object_is_type(created, json_type_object)) {
		if (params_i64(r, "created", 0, INT64_MAX - 1, &n) == -1)
			return -1;
		p->created_min = p->created_max = n;
		return 0;
	}
	/* Read the sub-object with the same typed getters. */
	r->params = created;
	rc = params_allow(r, PARAMS("gt", "gte", "lt", "lte"));
	for (i = 0; rc == 0 && i < 4; i++)
		if ((rc = params_i64(r, ops[i], 0, INT64_MAX - 1,
		    &n)) == PARAMS_PRESENT)
			rc = narrow(p, i, n);
	r->params = saved;
	if (rc == -1) {
		/* Name the parameter as the client sent it. */
		snprintf(name, sizeof(name), "created[%s]",
		    i > 0 ? ops[i - 1] : "…");
		return api_error(r, i > 0 ? ERR_PARAM_INVALID :
		    ERR_PARAM_UNKNOWN, name, name);
	}
	return 0;
}

int
list_params(struct req *r, const struct sql *cursor, struct list_page *p)
{
	int	 rc;

	memset(p, 0, sizeof(*p));
	p->limit = LIST_LIMIT_DEFAULT;
	p->below_pk = INT64_MAX;
	p->above_pk = 0;
	if (params_i64(r, "limit", 1, LIST_LIMIT_MAX, &p->limit) == -1)
		return -1;
	if (params_has(r, "starting_after") && params_has(r, "ending_before"))
		return api_error(r, ERR_PARAM_INVALID, "ending_before",
		    "ending_before (use starting_after or ending_before, "
		    "not both)");
	if ((rc = cursor_pk(r, cursor, "starting_after", &p->below_pk)) == -1)
		return -1;
	if ((rc = cursor_pk(r, cursor, "ending_before", &p->above_pk)) == -1)
		return -1;
	p->ascending = rc == PARAMS_PRESENT;
	return created_bounds(r, p);
}

struct json_object *
list_rows(struct req *r, struct db_res *res,
    struct json_object *(*render)(const struct db_res *))
{
	struct json_object	*rows = json_object_new_array(), *o;
	int			 rc;

	while ((rc = db_row(r, res)) == DB_FOUND) {
		if ((o = render(res)) == NULL) {
			rc = api_error(r, ERR_INTERNAL, NULL, NULL);
			break;
		}
		json_object_array_add(rows, o);
	}
	db_res_free(res);
	if (rc == -1) {
		json_object_put(rows);
		return NULL;
	}
	return rows;
}

/* A render for list_rows(): the row's first column, an id. */
static struct json_object *
id_json(const struct db_res *res)
{
	return json_object_new_string(res->val[0]);
}

int
list_each(struct req *r, const struct sql *q, const char *customer,
    int (*fn)(struct req *, const char *, const char *),
    struct json_object **ids)
{
	struct db_res	 res;
	size_t		 i;
	int		 rc;

	*ids = NULL;
	if ((rc = db_query(r, q, (struct db_val[]){ DB_SCOPE(r),
	    DB_S(customer), DB_E }, &res)) != 0)
		return rc;
	if ((*ids = list_rows(r, &res, id_json)) == NULL)
		return -1;
	for (i = 0; rc == 0 && i < json_object_array_length(*ids); i++)
		rc = fn(r, json_object_get_string(
		    json_object_array_get_idx(*ids, i)), customer);
	return rc;
}

void
list_reply(struct req *r, const struct list_page *p, struct json_object *rows,
    const char *object, const char *url)
{
	struct json_object	*env, *data;
	size_t			 n = json_object_array_length(rows), i;
	int			 has_more = n > (size_t)p->limit;

	if (has_more)
		json_object_array_del_idx(rows, --n, 1);
	data = json_object_new_array_ext((int)n);
	for (i = 0; i < n; i++)
		json_object_array_add(data, json_object_get(
		    json_object_array_get_idx(rows,
		    p->ascending ? n - 1 - i : i)));
	json_object_put(rows);
	env = json_object_new_object();
	jsonx_add_str(env, "object", object);
	jsonx_add(env, "data", data);
	jsonx_add_bool(env, "has_more", has_more);
	jsonx_add_str(env, "url", url);
	http_reply(r, 200, env);
}

void
list_args(struct req *r, const struct list_page *p,
    const char *const *filters, size_t n, int created, struct db_val *args)
{
	size_t	 i, k = 0;

	args[k++] = DB_S(r->caller.account_id);
	args[k++] = DB_I(r->caller.livemode);
	for (i = 0; i < n && k < 10; i++)
		if (filters[i] != NULL)
			args[k++] = DB_S(filters[i]);
	args[k++] = DB_I(p->below_pk);
	args[k++] = DB_I(p->above_pk);
	if (created) {
		args[k++] = DB_I(p->created_min);
		args[k++] = DB_I(p->created_max);
	}
	args[k++] = DB_I(p->limit + 1);
	args[k] = DB_E;
}

void
list_answer(struct req *r, const struct list_page *p, const struct sql *q,
    const char *const *filters, size_t n, int created,
    struct json_object *(*render)(const struct db_res *), const char *url)
{
	struct json_object	*rows;
	struct db_res		 res;
	struct db_val		 args[LIST_MAX_ARGS];

	list_args(r, p, filters, n, created, args);
	if (db_query(r, q, args, &res) == 0 &&
	    (rows = list_rows(r, &res, render)) != NULL)
		list_reply(r, p, rows, "list", url);
}
