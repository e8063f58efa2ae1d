/*
 * The route table's patterns, compiled once per worker. Matching walks the
 * table in order, so a literal path ("/v1/customers/search") must come
 * before a pattern that would also take it ("/v1/customers/([^/]+)").
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "log.h"
#include "router.h"

struct router {
	const struct route	*routes;
	size_t			 n;
	pcre2_code		**codes;
	pcre2_match_data	*md;	/* reused by every match */
};

struct router *
router_new(const struct route *routes, size_t n)
{
	struct router	*rt;
	PCRE2_SIZE	 erroff;
	int		 errcode;
	size_t		 i;

	if ((rt = calloc(1, sizeof(*rt))) == NULL ||
	    (rt->codes = calloc(n, sizeof(*rt->codes))) == NULL) {
		free(rt);
		return NULL;
	}
	rt->routes = routes;
	rt->n = n;
	for (i = 0; i < n; i++) {
		rt->codes[i] = pcre2_compile((PCRE2_SPTR)routes[i].pattern,
		    PCRE2_ZERO_TERMINATED, PCRE2_ANCHORED | PCRE2_ENDANCHORED,
		    &errcode, &erroff, NULL);
		if (rt->codes[i] == NULL) {
			log_error("route %s: error %d at %zu",
			    routes[i].pattern, errcode, (size_t)erroff);
			router_free(rt);
			return NULL;
		}
		/* JIT is an optimisation: without it, matching still works. */
		(void)pcre2_jit_compile(rt->codes[i], PCRE2_JIT_COMPLETE);
	}
	rt->md = pcre2_match_data_create(ROUTER_MAX_CAPTURES + 1, NULL);
	if (rt->md == NULL) {
		router_free(rt);
		return NULL;
	}
	return rt;
}

void
router_free(struct router *rt)
{
	size_t	 i;

	if (rt == NULL)
		return;
	for (i = 0; i < rt->n && rt->codes != NULL; i++)
		pcre2_code_free(rt->codes[i]);
	free(rt->codes);
	pcre2_match_data_free(rt->md);
	free(rt);
}

/* Lists the route's methods as an Allow header value. */
static void
allow_list(const struct route *route, char *buf, size_t bufsz)
{
	size_t	 i, len = 0;
	int	 n;

	buf[0] = '\0';
	for (i = 0; i < ROUTER_MAX_METHODS && route->methods[i].method; i++) {
		n = snprintf(buf + len, bufsz - len, "%s%s", i > 0 ? ", " : "",
		    route->methods[i].method);
		if (n < 0 || (size_t)n >= bufsz - len)
			break;
		len += n;
	}
}

static void
keep_captures(struct router *rt, int rc, struct router_match *m)
{
	PCRE2_SIZE	*ov = pcre2_get_ovector_pointer(rt->md);
	int		 i;

	m->ncaptures = 0;
	for (i = 1; i < rc && i <= ROUTER_MAX_CAPTURES; i++) {
		m->capture_off[m->ncaptures] = ov[2 * i];
		m->capture_len[m->ncaptures] = ov[2 * i + 1] - ov[2 * i];
		m->ncaptures++;
	}
}

enum router_result
router_match(struct router *rt, const char *path, const char *method,
    struct router_match *m)
{
	const struct route	*route;
	size_t			 i, j;
	int			 rc;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < rt->n; i++) {
		rc = pcre2_match(rt->codes[i], (PCRE2_SPTR)path,
		    PCRE2_ZERO_TERMINATED, 0, 0, rt->md, NULL);
		if (rc < 0)
			continue;
		route = &rt->routes[i];
		m->route = route;
		keep_captures(rt, rc, m);
		for (j = 0; j < ROUTER_MAX_METHODS &&
		    route->methods[j].method != NULL; j++) {
			if (strcmp(route->methods[j].method, method) == 0) {
				m->method = &route->methods[j];
				return ROUTER_FOUND;
			}
		}
		allow_list(route, m->allow, sizeof(m->allow));
		return ROUTER_BAD_METHOD;
	}
	return ROUTER_NOT_FOUND;
}
