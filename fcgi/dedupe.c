/*
 * Duplicates found and merged (API.md "Customers", issue 15). Each
 * customer carries the keys likely duplicates share (dedupe_keys(), in
 * the indexed columns email_norm and phone_norm), and triggers count the
 * live customers of each key (sql/012_duplicate_counts.sql); the list
 * pages through the keys counted twice or more, so its cost does not
 * grow with the customers that have no twin; a merge moves everything that names
 * one customer to another in one transaction and recounts the
 * survivor's analytics from its payments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "customers.h"
#include "db.h"
#include "dedupe.h"
#include "http.h"
#include "ids.h"
#include "jsonx.h"
#include "list.h"
#include "params.h"

/* Customers shown in one group; customer_count says how many it has. */
#define GROUP_CUSTOMERS_MAX	100

/* Providers whose mailboxes ignore dots and a "+tag" in the local part,
 * and the domain the mailbox is known by. */
static const struct provider {
	const char	*domain;
	const char	*canonical;
} providers[] = {
	{ "gmail.com", "gmail.com" },
	{ "googlemail.com", "gmail.com" },
};

/* What groups are keyed by, in list order. */
enum kind { KIND_EMAIL, KIND_PHONE, KIND__MAX };

static const struct kind_name {
	const char	*name;		/* the group id's prefix, the reason */
	const char	*same_name;	/* the reason when the names match too */
} kinds[KIND__MAX] = {
	{ "email", "name_and_email" },	/* KIND_EMAIL */
	{ "phone", "name_and_phone" },	/* KIND_PHONE */
};

/* The keys of "kind" two or more live customers share, after a key, in
 * key order, with how many: sql/012_duplicate_counts.sql counts them,
 * so a page reads only keys that make a group. */
static const struct sql SQL_GROUPS = {
	"SELECT key_norm, customers FROM customer_duplicate_keys"
	" FORCE INDEX (customer_duplicate_keys_shared) WHERE " SCOPE
	" AND kind = ? AND shared = 1 AND key_norm > ? ORDER BY key_norm"
	" LIMIT ?", "siisi", 0 };
/* Whether a group's customers all have the same name (MIN = MAX under
 * the name's case-insensitive collation), read from the key's index,
 * which holds the name. */
#define SAME_NAME(col)							\
	{ "SELECT MIN(name) = MAX(name) FROM customers"			\
	  " FORCE INDEX (customers_" col ") WHERE " SCOPE		\
	  " AND deleted IS NULL AND " col " = ?", "sis", 0 }
static const struct sql SQL_SAME_NAME[KIND__MAX] = {
	SAME_NAME("email_norm"),	/* KIND_EMAIL */
	SAME_NAME("phone_norm"),	/* KIND_PHONE */
};

/* A group found, before its customers are read. */
struct group {
	enum kind	 kind;
	int64_t		 count;
	char		 key[VALID_EMAIL_MAX + 1];
};

static int
is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static const struct provider *
provider_of(const char *domain)
{
	size_t	 i;

	for (i = 0; i < sizeof(providers) / sizeof(providers[0]); i++)
		if (strcmp(domain, providers[i].domain) == 0)
			return &providers[i];
	return NULL;
}

/* The email key into "out" (size "sz"); see dedupe_keys(). */
static int
email_key(const char *email, char *out, size_t sz)
{
	const struct provider	*p;
	const char		*at;
	size_t			 len, i, n = 0;

	*out = '\0';
	while (is_space((unsigned char)*email))
		email++;
	len = strlen(email);
	while (len > 0 && is_space((unsigned char)email[len - 1]))
		len--;
	if (len >= sz)
		return -1;
	/* Stored addresses are ASCII (valid_email()): ASCII case only,
	 * as the backfill's LOWER() does to them. */
	for (i = 0; i < len; i++)
		out[i] = email[i] >= 'A' && email[i] <= 'Z' ?
		    email[i] - 'A' + 'a' : email[i];
	out[len] = '\0';
	if ((at = strrchr(out, '@')) == NULL ||
	    (p = provider_of(at + 1)) == NULL)
		return 0;
	/* In place: "n" never passes "i", and the canonical domain is no
	 * longer than the one it replaces. */
	for (i = 0; out + i < at && out[i] != '+'; i++)
		if (out[i] != '.')
			out[n++] = out[i];
	snprintf(out + n, sz - n, "@%s", p->canonical);
	return 0;
}

int
dedupe_keys(const char *email, const char *phone, struct dedupe_keys *k)
{
	char	 e164[VALID_PHONE_MAX + 1];

	memset(k, 0, sizeof(*k));
	if (phone != NULL && valid_phone(phone, e164, sizeof(e164)) == 0)
		snprintf(k->phone, sizeof(k->phone), "%s", e164 + 1);
	return email != NULL ? email_key(email, k->email, sizeof(k->email)) :
	    0;
}

/*
 * Reads up to "want" groups of "kind" whose key sorts after "after"
 * into "g". Returns how many, or -1 (error set).
 */
static int
groups_read(struct req *r, enum kind kind, const char *after, int64_t want,
    struct group *g)
{
	struct db_res	 res;
	int		 n = 0, rc = DB_NONE;

	if (db_query(r, &SQL_GROUPS, (struct db_val[]){ DB_SCOPE(r),
	    DB_I(kind), DB_S(after), DB_I(want), DB_E }, &res) != 0)
		return -1;
	while (n < want && (rc = db_row(r, &res)) == DB_FOUND) {
		g[n].kind = kind;
		snprintf(g[n].key, sizeof(g[n].key), "%s", res.val[0]);
		g[n].count = db_i64(&res, 1);
		n++;
	}
	db_res_free(&res);
	return rc == -1 ? -1 : n;
}

/* Whether the customers of group "g" all have the same name: 1 or 0,
 * or -1 (error set). */
static int
same_name(struct req *r, const struct group *g)
{
	struct db_res	 res;
	int		 rc;

	if ((rc = db_one(r, &SQL_SAME_NAME[g->kind], (struct db_val[]){
	    DB_SCOPE(r), DB_S(g->key), DB_E }, &res)) != 1)
		return rc == 0 ? 0 : -1;
	rc = db_i64(&res, 0) == 1;
	db_res_free(&res);
	return rc;
}

/* The API object of group "g" with its customers; NULL (error set). */
static struct json_object *
group_json(struct req *r, const struct group *g)
{
	struct json_object	*o, *customers;
	char			 id[sizeof(g->key) + 8];
	int			 same;

	if ((same = same_name(r, g)) == -1 ||
	    (customers = customers_with_key(r, g->kind == KIND_PHONE, g->key,
	    GROUP_CUSTOMERS_MAX)) == NULL)
		return NULL;
	snprintf(id, sizeof(id), "%s:%s", kinds[g->kind].name, g->key);
	o = json_object_new_object();
	jsonx_add_str(o, "id", id);
	jsonx_add_str(o, "object", "customer_duplicate_group");
	jsonx_add_str(o, "reason", same ? kinds[g->kind].same_name :
	    kinds[g->kind].name);
	jsonx_add_str(o, "key", g->key);
	jsonx_add_i64(o, "customer_count", g->count);
	jsonx_add(o, "customers", customers);
	return o;
}

/* starting_after: a group's id, "<kind>:<key>". Sets *kind and *key
 * (borrowed from "id"); -1 with 400 set if it is not one. */
static int
cursor_parse(struct req *r, const char *id, enum kind *kind,
    const char **key)
{
	size_t	 len;
	int	 k;

	for (k = 0; k < KIND__MAX; k++) {
		len = strlen(kinds[k].name);
		if (strncmp(id, kinds[k].name, len) == 0 && id[len] == ':' &&
		    id[len + 1] != '\0' && strlen(id + len + 1) <= VALID_EMAIL_MAX) {
			*kind = k;
			*key = id + len + 1;
			return 0;
		}
	}
	return api_error(r, ERR_PARAM_INVALID, "starting_after",
	    "starting_after (the id of a group, such as 'email:…')");
}

/* GET /v1/customers/duplicates: email groups, then phone groups, each
 * by key; a page may span both. */
void
dedupe_list(struct req *r)
{
	struct group		 g[LIST_LIMIT_MAX + 1];
	struct json_object	*rows, *o;
	struct list_page	 p;
	const char		*after = NULL, *key = "";
	enum kind		 kind = KIND_EMAIL;
	int			 n = 0, got, i;

	memset(&p, 0, sizeof(p));
	p.limit = LIST_LIMIT_DEFAULT;
	if (params_i64(r, "limit", 1, LIST_LIMIT_MAX, &p.limit) == -1 ||
	    params_str(r, "starting_after", &after) == -1 ||
	    (after != NULL && cursor_parse(r, after, &kind, &key) == -1))
		return;
	/* limit + 1 groups: the last one only tells has_more. */
	for (; kind < KIND__MAX && n <= p.limit; kind++, key = "") {
		if ((got = groups_read(r, kind, key, p.limit + 1 - n,
		    g + n)) == -1)
			return;
		n += got;
	}
	/* The group past the limit only says has_more (list_reply() drops
	 * it): a null in its place spares reading its customers. */
	rows = json_object_new_array();
	for (i = 0; i < n; i++) {
		o = NULL;
		if (i < p.limit && (o = group_json(r, &g[i])) == NULL) {
			json_object_put(rows);
			return;
		}
		json_object_array_add(rows, o);
	}
	list_reply(r, &p, rows, "list", "/v1/customers/duplicates");
}
