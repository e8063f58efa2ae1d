/*
 * libFuzzer target: router_match() over the real route table of
 * routes.c, compiled once as a worker does (the router holds no state
 * between matches that a match can see: the match data is overwritten).
 * The input is "METHOD\nPATH", or only a path (then the method is GET);
 * both are C strings from FastCGI, so each stops at a NUL.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"
#include "routes.h"

#include "params_walk.h"

static struct router	*rt;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	rt = routes_new();
	FUZZ_CHECK(rt != NULL, "the route table does not compile");
	return 0;
}

/* Captures are the ids: inside the path, 1..64 bytes, no '/'. */
static void
check_captures(const struct router_match *m, const char *path)
{
	size_t	 i, len = strlen(path);
	char	*id;

	FUZZ_CHECK(m->ncaptures <= ROUTER_MAX_CAPTURES, "too many captures");
	for (i = 0; i < m->ncaptures; i++) {
		FUZZ_CHECK(m->capture_off[i] <= len &&
		    m->capture_len[i] <= len - m->capture_off[i],
		    "a capture outside the path");
		FUZZ_CHECK(m->capture_len[i] >= 1 && m->capture_len[i] <= 64,
		    "a capture of the wrong length");
		/* As routes.c copies them into r->captures. */
		id = strndup(path + m->capture_off[i], m->capture_len[i]);
		FUZZ_CHECK(id != NULL, "out of memory");
		FUZZ_CHECK(strchr(id, '/') == NULL, "a capture holds a '/'");
		free(id);
	}
}

static void
check(enum router_result res, const struct router_match *m,
    const char *path, const char *method)
{
	switch (res) {
	case ROUTER_FOUND:
		FUZZ_CHECK(m->route != NULL && m->method != NULL &&
		    strcmp(m->method->method, method) == 0,
		    "found, but not for this method");
		check_captures(m, path);
		break;
	case ROUTER_BAD_METHOD:
		FUZZ_CHECK(m->route != NULL && m->method == NULL &&
		    m->allow[0] != '\0' && strlen(m->allow) < sizeof(m->allow),
		    "405 without an Allow list");
		break;
	case ROUTER_NOT_FOUND:
		FUZZ_CHECK(m->route == NULL && m->method == NULL,
		    "not found, but with a route");
		break;
	default:
		FUZZ_CHECK(0, "an unknown result");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct router_match	 m;
	const uint8_t		*nl = memchr(data, '\n', size);
	char			*method, *path;

	if (nl != NULL) {
		method = strndup((const char *)data, (size_t)(nl - data));
		path = strndup((const char *)nl + 1, size - (size_t)(nl - data) - 1);
	} else {
		method = strdup("GET");
		path = strndup((const char *)data, size);
	}
	FUZZ_CHECK(method != NULL && path != NULL, "out of memory");
	check(router_match(rt, path, method, &m), &m, path, method);
	free(method);
	free(path);
	return 0;
}
