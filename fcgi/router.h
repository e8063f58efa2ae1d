/*
 * Path routing with PCRE2: each path pattern is compiled once (with JIT
 * where available) and matched with one reused match-data block. A path
 * that matches with the wrong method is told apart from no match, so the
 * caller can answer 405 with Allow instead of 404.
 */
#ifndef ROUTER_H
#define ROUTER_H

#include <stddef.h>

#define ROUTER_MAX_METHODS	4
#define ROUTER_MAX_CAPTURES	2

struct req;

struct route_method {
	const char	*method;	/* "GET", "POST", … */
	void		(*handler)(struct req *);
	const char	*permission;	/* e.g. "customers:write", or NULL */
	/* The top-level parameters it takes, PARAMS(…) or NO_PARAMS
	 * (params.h); anything else is 400 parameter_unknown. */
	const char *const *params;
	size_t		 nparams;
};

struct route {
	const char		*pattern;	/* anchored PCRE2 pattern */
	int			 public;	/* no key needed */
	struct route_method	 methods[ROUTER_MAX_METHODS];
};

struct router;

/* Compiles the "n" patterns of "routes" (borrowed for the router's life).
 * NULL if a pattern does not compile (logged) or out of memory. */
struct router *router_new(const struct route *routes, size_t n);
void	router_free(struct router *rt);

enum router_result {
	ROUTER_FOUND,
	ROUTER_NOT_FOUND,
	ROUTER_BAD_METHOD
};

struct router_match {
	const struct route		*route;
	const struct route_method	*method;
	char		 allow[64];	/* "GET, POST" for ROUTER_BAD_METHOD */
	size_t		 ncaptures;
	size_t		 capture_off[ROUTER_MAX_CAPTURES];
	size_t		 capture_len[ROUTER_MAX_CAPTURES];
};

/* Matches "path" and "method"; captures are offsets into "path". */
enum router_result router_match(struct router *rt, const char *path,
	    const char *method, struct router_match *m);

#endif
