/*
 * libFuzzer target: the form body decoder with bracket notation,
 * params_decode_form(), then what the handlers do with the tree
 * (params_walk.c). The input is the raw body in a buffer of exactly its
 * size, without a NUL, as a worker holds it.
 */
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "http.h"
#include "params.h"

#include "params_walk.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*obj = NULL;
	struct req		 r;
	const char		*why = NULL;

	if (params_decode_form((const char *)data, size, &obj, &why) == -1) {
		FUZZ_CHECK(why != NULL && obj == NULL, "a refusal without why");
		return 0;
	}
	/* Brackets nest PARAMS_MAX_DEPTH deep below the root object. */
	params_walk_shape(obj, PARAMS_MAX_DEPTH + 1, 1);
	params_walk_req(&r, "POST");
	r.params = obj;			/* req_free() puts it */
	params_walk(&r);
	req_free(&r);
	return 0;
}
