/*
 * json-c helpers (json_* is json-c's prefix, never ours). Reference rules
 * as json-c's: new_* gives a reference, *_add takes it.
 */
#ifndef JSONX_H
#define JSONX_H

#include <stdint.h>

struct json_object;

/* Adds "val" under the literal "key"; takes "val" even on failure. */
int	jsonx_add(struct json_object *obj, const char *key,
	    struct json_object *val);

/* Adds a string, or JSON null when "s" is NULL. */
int	jsonx_add_str(struct json_object *obj, const char *key,
	    const char *s);

int	jsonx_add_i64(struct json_object *obj, const char *key, int64_t v);
int	jsonx_add_bool(struct json_object *obj, const char *key, int v);

/* Adds JSON null under "key". */
int	jsonx_add_null(struct json_object *obj, const char *key);
/* Adds "val", or JSON null when "val" is NULL; takes "val". */
int	jsonx_add_nullable(struct json_object *obj, const char *key,
	    struct json_object *val);

/* Parses a JSON object from text ("{}" for NULL); NULL if invalid. */
struct json_object *jsonx_parse_object(const char *text);

/* An object written out as "text" itself, for JSON this service stored
 * (an event's data): no parse and no re-serialising. Only for writing
 * out; "{}" for NULL. */
struct json_object *jsonx_raw(const char *text);

/* Compact JSON text of "obj", borrowed while "obj" lives. */
const char *jsonx_text(struct json_object *obj);

#endif
