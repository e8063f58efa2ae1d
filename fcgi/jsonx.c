/* json-c helpers shared by the renderers. */
#include <string.h>

#include <json-c/json.h>
#include <json-c/printbuf.h>

#include "jsonx.h"

int
jsonx_add(struct json_object *obj, const char *key, struct json_object *val)
{
	if (val == NULL || json_object_object_add_ex(obj, key, val,
	    JSON_C_OBJECT_ADD_CONSTANT_KEY) == -1) {
		json_object_put(val);
		return -1;
	}
	return 0;
}

int
jsonx_add_null(struct json_object *obj, const char *key)
{
	/* object_add with NULL stores JSON null; nothing to take. */
	return json_object_object_add_ex(obj, key, NULL,
	    JSON_C_OBJECT_ADD_CONSTANT_KEY);
}

int
jsonx_add_nullable(struct json_object *obj, const char *key,
    struct json_object *val)
{
	return val != NULL ? jsonx_add(obj, key, val) : jsonx_add_null(obj, key);
}

int
jsonx_add_str(struct json_object *obj, const char *key, const char *s)
{
	if (s == NULL)
		return jsonx_add_null(obj, key);
	return jsonx_add(obj, key, json_object_new_string(s));
}

int
jsonx_add_i64(struct json_object *obj, const char *key, int64_t v)
{
	return jsonx_add(obj, key, json_object_new_int64(v));
}

int
jsonx_add_bool(struct json_object *obj, const char *key, int v)
{
	return jsonx_add(obj, key, json_object_new_boolean(v));
}

struct json_object *
jsonx_parse_object(const char *text)
{
	struct json_object	*obj;

	/* Most metadata is empty: skip the tokener (and the locale it
	 * duplicates on every call). */
	if (text == NULL || strcmp(text, "{}") == 0)
		return json_object_new_object();
	obj = json_tokener_parse(text);
	if (obj != NULL && !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

const char *
jsonx_text(struct json_object *obj)
{
	return json_object_to_json_string_ext(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static int
raw_serialize(struct json_object *obj, struct printbuf *pb, int level,
    int flags)
{
	const char	*text = json_object_get_userdata(obj);

	(void)level;
	(void)flags;
	return printbuf_memappend(pb, text, (int)strlen(text));
}

struct json_object *
jsonx_raw(const char *text)
{
	struct json_object	*obj;
	char			*copy;

	if (text == NULL)
		return json_object_new_object();
	if ((obj = json_object_new_object()) == NULL)
		return NULL;
	if ((copy = strdup(text)) == NULL) {
		json_object_put(obj);
		return NULL;
	}
	json_object_set_serializer(obj, raw_serialize, copy,
	    json_object_free_userdata);
	return obj;
}
