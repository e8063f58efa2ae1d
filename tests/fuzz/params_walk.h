/*
 * What the handlers do with a decoded parameter tree, for the fuzz
 * targets of the three decoders (JSON body, form body, query string):
 * every typed getter of params.c, list_params() without cursors, and the
 * validators of valid.c over every string in the tree. A broken
 * invariant aborts, so libFuzzer reports it like a crash.
 */
#ifndef PARAMS_WALK_H
#define PARAMS_WALK_H

#include <stdio.h>
#include <stdlib.h>

struct req;
struct json_object;

/* Aborts with "what" if "cond" is false (kept under NDEBUG too). */
#define FUZZ_CHECK(cond, what) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz invariant broken: %s (%s:%d)\n",	\
		    (what), __FILE__, __LINE__);			\
		abort();						\
	}								\
} while (0)

/* Checks the error "r" answered: a 4xx with a body of valid UTF-8;
 * aborts with "what" if it is not. */
void	params_walk_error(struct req *r, const char *what);

/* Runs the getters and validators on r->params; r keeps what it owned. */
void	params_walk(struct req *r);

/* Checks the shape of a decoded tree: an object at the root, at most
 * "depth" levels, and (for form and query trees) strings only. */
void	params_walk_shape(struct json_object *root, int depth,
	    int strings_only);

/* A request for the walk: GET or POST, empty path, no key. Free with
 * req_free(). */
void	params_walk_req(struct req *r, const char *method);

#endif
