/*
 * libFuzzer target: the query string of a GET as params_parse() reads
 * it (params_decode_form(), and on a refusal the search for the pair to
 * name in the error), then what list handlers do with the tree
 * (params_walk.c). FastCGI hands QUERY_STRING over as a C string, so the
 * input stops at its first NUL, as http.c's strndup() would.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "http.h"
#include "params.h"

#include "params_walk.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*err, *param;
	struct req		 r;

	params_walk_req(&r, "GET");
	free(r.query);
	r.query = strndup((const char *)data, size);
	FUZZ_CHECK(r.query != NULL, "out of memory");
	if (params_parse(&r) == -1) {
		/* 400 parameter_invalid, naming a parameter or "query". */
		FUZZ_CHECK(r.status == 400 && r.params == NULL,
		    "a bad query is not a 400");
		params_walk_error(&r, "a bad query is not a 400");
		FUZZ_CHECK(json_object_object_get_ex(r.reply, "error", &err) &&
		    json_object_object_get_ex(err, "param", &param) &&
		    json_object_get_string_len(param) > 0,
		    "a bad query's error names no parameter");
	} else {
		params_walk_shape(r.params, PARAMS_MAX_DEPTH + 1, 1);
		params_walk(&r);
	}
	req_free(&r);
	return 0;
}
