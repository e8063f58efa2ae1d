/*
 * libFuzzer target: the JSON body reader, params_decode_json(), then
 * what the handlers do with the tree (params_walk.c). The input is the
 * raw body in a buffer of exactly its size, as a worker holds it. A tree
 * that comes out must print and read back as the same tree.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "http.h"
#include "params.h"

#include "params_walk.h"

/* Printed and read back, the tree is the same one. */
static void
round_trip(struct json_object *obj)
{
	struct json_object	*again = NULL;
	const char		*text, *why = NULL;

	text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
	FUZZ_CHECK(text != NULL, "out of memory");
	FUZZ_CHECK(params_decode_json(text, strlen(text), &again, &why) == 0,
	    "a decoded tree does not read back");
	FUZZ_CHECK(json_object_equal(obj, again), "the tree changed on a "
	    "round trip");
	json_object_put(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*obj = NULL;
	struct req		 r;
	const char		*why = NULL;

	if (params_decode_json((const char *)data, size, &obj, &why) == -1) {
		FUZZ_CHECK(why != NULL && obj == NULL, "a refusal without why");
		return 0;
	}
	params_walk_shape(obj, PARAMS_MAX_DEPTH, 0);
	round_trip(obj);
	params_walk_req(&r, "POST");
	r.params = obj;			/* req_free() puts it */
	params_walk(&r);
	req_free(&r);
	return 0;
}
