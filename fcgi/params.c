/*
 * Bodies and query strings into one parameter tree, and the typed getters
 * handlers use. Bracket notation follows what Stripe's clients send:
 * "metadata[plan]=pro" makes an object, "expand[]=a" appends to an array,
 * "items[0][price]=x" makes an object keyed "0" (handlers that take lists
 * accept such objects).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "errors.h"
#include "http.h"
#include "jsonx.h"
#include "params.h"
#include "valid.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes buf[0..len) ('+' is a space) into a new string. */
static char *
unescape(const char *buf, size_t len, const char **why)
{
	char	*out, *p;
	size_t	 i;
	int	 hi, lo;

	if ((out = malloc(len + 1)) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	for (p = out, i = 0; i < len; i++) {
		if (buf[i] == '+')
			*p++ = ' ';
		else if (buf[i] != '%')
			*p++ = buf[i];
		else if (i + 2 < len && (hi = hexval(buf[i + 1])) >= 0 &&
		    (lo = hexval(buf[i + 2])) >= 0) {
			*p++ = (char)(hi << 4 | lo);
			i += 2;
		} else {
			*why = "bad percent escape";
			free(out);
			return NULL;
		}
	}
	*p = '\0';
	if (valid_utf8(out, (size_t)(p - out)) == -1) {
		*why = "invalid UTF-8 or NUL byte";
		free(out);
		return NULL;
	}
	return out;
}

/*
 * Finds or makes the container under "key" in "parent" (an object) for
 * the next bracket segment; "want" is json_type_object or json_type_array.
 */
static struct json_object *
descend(struct json_object *parent, const char *key, json_type want,
    const char **why)
{
	struct json_object	*child;

	if (json_object_is_type(parent, json_type_array)) {
		/* "a[][b]" is not something any client sends. */
		*why = "nested list items are not supported";
		return NULL;
	}
	if (json_object_object_get_ex(parent, key, &child)) {
		if (!json_object_is_type(child, want)) {
			*why = "a parameter is both a value and a group";
			return NULL;
		}
		return child;
	}
	child = want == json_type_array ? json_object_new_array() :
	    json_object_new_object();
	if (child == NULL || json_object_object_add(parent, key, child)) {
		*why = "out of memory";
		return NULL;
	}
	return child;
}

/* Stores "value" (taken) at the bracketed "name" under "root". */
static int
store(struct json_object *root, char *name, char *value, const char **why)
{
	struct json_object	*node = root, *v;
	char			*seg = name, *open, *close, *next;
	int			 depth = 0;

	if ((open = strchr(name, '[')) != NULL)
		*open = '\0';
	if (*seg == '\0') {
		*why = "empty parameter name";
		goto fail;
	}
	while (open != NULL) {
		if ((close = strchr(open + 1, ']')) == NULL ||
		    (close[1] != '\0' && close[1] != '[') ||
		    ++depth > PARAMS_MAX_DEPTH) {
			*why = "unbalanced brackets in a parameter name";
			goto fail;
		}
		*close = '\0';
		next = open + 1;
		node = descend(node, seg, *next == '\0' ? json_type_array :
		    json_type_object, why);
		if (node == NULL)
			goto fail;
		seg = next;
		open = close[1] == '[' ? close + 1 : NULL;
	}
	if (!json_object_is_type(node, json_type_array) &&
	    json_object_object_get_ex(node, seg, &v)) {
		/* "a=1&a=2" is refused, as a JSON key given twice is. */
		*why = json_object_is_type(v, json_type_string) ?
		    "a parameter is given twice" :
		    "a parameter is both a value and a group";
		goto fail;
	}
	v = json_object_new_string(value);
	free(value);
	if (v == NULL || (json_object_is_type(node, json_type_array) ?
	    json_object_array_add(node, v) :
	    json_object_object_add(node, seg, v)) != 0) {
		json_object_put(v);
		*why = "out of memory";
		return -1;
	}
	return 0;
fail:
	free(value);
	return -1;
}

static int
decode_pair(struct json_object *root, const char *pair, size_t len,
    const char **why)
{
	const char	*eq = memchr(pair, '=', len);
	char		*name, *value;
	int		 rc;

	if ((name = unescape(pair, eq ? (size_t)(eq - pair) : len, why)) == NULL)
		return -1;
	value = eq ? unescape(eq + 1, len - (size_t)(eq - pair) - 1, why) :
	    strdup("");
	if (value == NULL) {
		free(name);
		return -1;
	}
	rc = store(root, name, value, why);
	free(name);
	return rc;
}

int
params_decode_form(const char *buf, size_t len, struct json_object **out,
    const char **why)
{
	struct json_object	*root;
	const char		*p = buf, *end = buf + len, *amp;
	size_t			 pairs = 0;

	if ((root = json_object_new_object()) == NULL) {
		*why = "out of memory";
		return -1;
	}
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp > p && (++pairs > PARAMS_MAX_PAIRS ||
		    decode_pair(root, p, (size_t)(amp - p), why) == -1)) {
			if (pairs > PARAMS_MAX_PAIRS)
				*why = "too many parameters";
			json_object_put(root);
			return -1;
		}
		p = amp + 1;
	}
	*out = root;
	return 0;
}

/* 0 if no number in the tree is NaN or infinite. */
static int
all_finite(struct json_object *node)
{
	size_t	 i;

	switch (json_object_get_type(node)) {
	case json_type_double:
		return isfinite(json_object_get_double(node)) ? 0 : -1;
	case json_type_object: {
		json_object_object_foreach(node, k, v) {
			(void)k;
			if (all_finite(v) == -1)
				return -1;
		}
		return 0;
	}
	case json_type_array:
		for (i = 0; i < json_object_array_length(node); i++)
			if (all_finite(json_object_array_get_idx(node, i)) == -1)
				return -1;
		return 0;
	default:
		return 0;
	}
}

/* Key-value members in the tree under "node". */
static size_t
members(struct json_object *node)
{
	size_t	 n = 0, i;

	if (json_object_is_type(node, json_type_object)) {
		json_object_object_foreach(node, k, v) {
			(void)k;
			n += 1 + members(v);
		}
	} else if (json_object_is_type(node, json_type_array))
		for (i = 0; i < json_object_array_length(node); i++)
			n += members(json_object_array_get_idx(node, i));
	return n;
}

/*
 * What json-c lets through in a well-formed document "buf", parsed into
 * "obj": a \u0000 escape (in a key it cuts the key short, so
 * {"name\u0000x": …} would set "name") and a key given twice in one
 * object (json-c keeps the last; Stripe-like, we refuse: a second value
 * smuggled past whoever read the first is never what a client meant).
 * Each ':' outside strings is one member, so a key was given twice iff
 * the text has more of them than the tree.
 */
static int
json_text_ok(const char *buf, size_t len, struct json_object *obj,
    const char **why)
{
	size_t	 i, colons = 0;
	char	 quote = 0;	/* of the string we are in, else 0 */

	for (i = 0; i < len; i++) {
		if (quote == 0) {
			/* json-c reads 'single-quoted' keys too: a '"' or
			 * ':' inside one must not count (fuzz_json). */
			if (buf[i] == '"' || buf[i] == '\'')
				quote = buf[i];
			colons += buf[i] == ':';
		} else if (buf[i] == quote)
			quote = 0;
		else if (buf[i] == '\\') {
			if (len - i > 5 &&
			    memcmp(buf + i + 1, "u0000", 5) == 0) {
				*why = "a NUL character (\\u0000)";
				return -1;
			}
			i++;	/* so \\" does not end the string */
		}
	}
	if (colons != members(obj)) {
		*why = "a key given twice in one object";
		return -1;
	}
	return 0;
}

/*
 * json-c in strict mode still reads NaN and Infinity (refused below) and
 * also {'a':1} and 1. (read as {"a":1} and 1.0: the values a client
 * meant, so they are let through).
 */
int
params_decode_json(const char *buf, size_t len, struct json_object **out,
    const char **why)
{
	struct json_tokener	*tok;
	struct json_object	*obj;

	/* json-c's own check lets overlongs and surrogates through. */
	if (valid_utf8(buf, len) == -1) {
		*why = "invalid UTF-8 or NUL byte";
		return -1;
	}
	if ((tok = json_tokener_new_ex(PARAMS_MAX_DEPTH)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	/* Trailing bytes after the object (other than white space) or an
	 * unfinished document are malformed too. */
	if (obj != NULL && json_tokener_get_parse_end(tok) < len &&
	    strspn(buf + json_tokener_get_parse_end(tok), " \t\r\n") !=
	    len - json_tokener_get_parse_end(tok)) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	if (obj == NULL) {
		*why = "malformed JSON (or nested too deep, or invalid UTF-8)";
		return -1;
	}
	if (!json_object_is_type(obj, json_type_object) ||
	    all_finite(obj) == -1) {
		json_object_put(obj);
		*why = "the JSON body must be an object of finite values";
		return -1;
	}
	if (json_text_ok(buf, len, obj, why) == -1) {
		json_object_put(obj);
		return -1;
	}
	*out = obj;
	return 0;
}

/* 1 if the Content-Type's media type is "type" (parameters ignored). */
static int
media_type_is(const char *content_type, const char *type)
{
	size_t	 n = strlen(type);

	return content_type != NULL &&
	    strncasecmp(content_type, type, n) == 0 &&
	    (content_type[n] == '\0' || content_type[n] == ';' ||
	    content_type[n] == ' ');
}

static int
parse_body(struct req *r)
{
	const char	*why = NULL;
	char		 limit[32];
	int		 rc;

	if (r->body_too_large || r->body_len > r->body_limit) {
		snprintf(limit, sizeof(limit), "%zu", r->body_limit);
		return api_error(r, ERR_BODY_TOO_LARGE, NULL, limit);
	}
	/* Stripe clients send a form Content-Type with empty bodies; any
	 * type is fine when there is nothing to read. */
	if (r->body_len == 0)
		return (r->params = json_object_new_object()) ? 0 :
		    api_error(r, ERR_INTERNAL, NULL, NULL);
	if (media_type_is(r->content_type, "application/json"))
		rc = params_decode_json(r->body, r->body_len, &r->params, &why);
	else if (media_type_is(r->content_type,
	    "application/x-www-form-urlencoded"))
		rc = params_decode_form(r->body, r->body_len, &r->params, &why);
	else
		return api_error(r, ERR_CONTENT_TYPE, NULL, NULL);
	return rc == 0 ? 0 : api_error(r, ERR_BODY_INVALID, NULL, why);
}

/*
 * Names the first pair of a query whose value does not decode, so the
 * error can point at it; "" if the name itself is bad or none is.
 */
static void
bad_pair_name(const char *query, char *name, size_t namesz)
{
	const char	*p = query, *amp, *eq, *why;
	char		*n, *v;

	name[0] = '\0';
	for (; *p != '\0'; p = *amp ? amp + 1 : amp) {
		amp = p + strcspn(p, "&");
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			continue;
		if ((n = unescape(p, (size_t)(eq - p), &why)) == NULL)
			return;
		if ((v = unescape(eq + 1, (size_t)(amp - eq - 1), &why)) == NULL) {
			snprintf(name, namesz, "%s", n);
			free(n);
			return;
		}
		free(v);
		free(n);
	}
}

int
params_parse(struct req *r)
{
	const char	*why = NULL;
	char		 name[64];

	if (r->body_is_file && r->body_too_large) {
		snprintf(name, sizeof(name), "%zu", r->body_limit);
		return api_error(r, ERR_BODY_TOO_LARGE, NULL, name);
	}
	/* A file's parameters are in its query string (http.h). */
	if (!r->body_is_file && (strcmp(r->method, "POST") == 0 ||
	    strcmp(r->method, "PUT") == 0 || strcmp(r->method, "PATCH") == 0))
		return parse_body(r);
	if (params_decode_form(r->query, strlen(r->query), &r->params,
	    &why) == -1) {
		bad_pair_name(r->query, name, sizeof(name));
		return api_error(r, ERR_PARAM_INVALID, name[0] ? name : "query",
		    name[0] ? name : "the query string (bad escape, invalid "
		    "UTF-8, a repeated name or too many pairs)");
	}
	return 0;
}

int
params_allow(struct req *r, const char *const *names, size_t n)
{
	size_t	 i;

	json_object_object_foreach(r->params, key, val) {
		(void)val;
		if (strcmp(key, "expand") == 0)
			continue;
		for (i = 0; i < n; i++)
			if (strcmp(names[i], key) == 0)
				break;
		if (i == n)
			return api_error(r, ERR_PARAM_UNKNOWN, key, key);
	}
	return 0;
}

struct json_object *
params_get(struct req *r, const char *name)
{
	struct json_object	*val = NULL;

	json_object_object_get_ex(r->params, name, &val);
	return val;
}

int
params_has(struct req *r, const char *name)
{
	return json_object_object_get_ex(r->params, name, NULL);
}

int
params_str(struct req *r, const char *name, const char **out)
{
	struct json_object	*val;

	*out = NULL;
	if (!json_object_object_get_ex(r->params, name, &val))
		return 0;
	if (val == NULL)
		return PARAMS_PRESENT;
	if (!json_object_is_type(val, json_type_string) ||
	    strlen(json_object_get_string(val)) !=
	    (size_t)json_object_get_string_len(val))
		return api_error(r, ERR_PARAM_INVALID, name, name);
	*out = json_object_get_string(val);
	return PARAMS_PRESENT;
}

int
params_i64(struct req *r, const char *name, int64_t min, int64_t max,
    int64_t *out)
{
	struct json_object	*val;
	const char		*s;
	char			*end;
	long long		 n;

	if (!json_object_object_get_ex(r->params, name, &val))
		return 0;
	if (json_object_is_type(val, json_type_int)) {
		/* json-c saturates out-of-range numbers; refuse them. */
		errno = 0;
		n = json_object_get_int64(val);
		if (json_object_get_uint64(val) > INT64_MAX)
			return api_error(r, ERR_PARAM_INVALID, name, name);
	} else if (json_object_is_type(val, json_type_string)) {
		s = json_object_get_string(val);
		errno = 0;
		n = strtoll(s, &end, 10);
		if (*s == '\0' || *end != '\0' || errno == ERANGE ||
		    !(*s == '-' || (*s >= '0' && *s <= '9')))
			return api_error(r, ERR_PARAM_INVALID, name, name);
	} else
		return api_error(r, ERR_PARAM_INVALID, name, name);
	if (n < min || n > max)
		return api_error(r, ERR_PARAM_INVALID, name, name);
	*out = n;
	return PARAMS_PRESENT;
}

/* Finds a string value holding a card number; its name goes to "name". */
static int
find_card_number(struct json_object *node, const char *key, char *name,
    size_t namesz)
{
	size_t	 i;

	switch (json_object_get_type(node)) {
	case json_type_string:
		if (valid_has_card_number(json_object_get_string(node)) == 0) {
			snprintf(name, namesz, "%s", key);
			return -1;
		}
		return 0;
	case json_type_object: {
		json_object_object_foreach(node, k, v) {
			/* Keys are stored too (metadata): a number there
			 * names its parent, never itself. */
			if (valid_has_card_number(k) == 0) {
				snprintf(name, namesz, "%s", key);
				return -1;
			}
			if (find_card_number(v, k, name, namesz) == -1)
				return -1;
		}
		return 0;
	}
	case json_type_array:
		for (i = 0; i < json_object_array_length(node); i++)
			if (find_card_number(json_object_array_get_idx(node, i),
			    key, name, namesz) == -1)
				return -1;
		return 0;
	default:
		return 0;
	}
}

int
params_sensitive(struct req *r)
{
	char	 name[64];

	if (find_card_number(r->params, "a parameter", name, sizeof(name)) == 0)
		return 0;
	return api_error(r, ERR_SENSITIVE, name, name);
}

/* Removes every key of "obj" (json-c has no clear). */
static void
clear_object(struct json_object *obj)
{
	struct json_object_iterator	 it;
	char				*key;

	while (json_object_object_length(obj) > 0) {
		it = json_object_iter_begin(obj);
		if ((key = strdup(json_object_iter_peek_name(&it))) == NULL)
			return;
		json_object_object_del(obj, key);
		free(key);
	}
}

int
params_metadata(struct req *r, struct json_object *into)
{
	struct json_object	*m = params_get(r, "metadata");

	if (!params_has(r, "metadata"))
		return 0;
	if (m == NULL || (json_object_is_type(m, json_type_string) &&
	    json_object_get_string_len(m) == 0)) {
		clear_object(into);
		return 0;
	}
	if (!json_object_is_type(m, json_type_object))
		return api_error(r, ERR_METADATA_INVALID, "metadata",
		    "send an object of string values");
	json_object_object_foreach(m, key, val) {
		if (valid_meta_key(key) == -1)
			return api_error(r, ERR_METADATA_INVALID, "metadata",
			    "keys are 1 to 40 characters, without [ or ]");
		if (val == NULL || (json_object_is_type(val, json_type_string) &&
		    json_object_get_string_len(val) == 0)) {
			json_object_object_del(into, key);
			continue;
		}
		if (!json_object_is_type(val, json_type_string) ||
		    strlen(json_object_get_string(val)) !=
		    (size_t)json_object_get_string_len(val) ||
		    valid_meta_value(json_object_get_string(val)) == -1)
			return api_error(r, ERR_METADATA_INVALID, "metadata",
			    "values are strings of at most 500 characters");
		json_object_object_add(into, key, json_object_get(val));
	}
	if (json_object_object_length(into) > VALID_META_KEYS)
		return api_error(r, ERR_METADATA_INVALID, "metadata",
		    "at most 50 keys");
	return 0;
}

/* Orders "0", "1", …, "10" numerically for params_list(). */
static int
index_of(const char *key)
{
	char	*end;
	long	 n;

	n = strtol(key, &end, 10);
	return *key >= '0' && *key <= '9' && *end == '\0' && n < 1000 ?
	    (int)n : -1;
}

/* params_list() and params_objects(): the items must be of "type". */
static int
list_of(struct req *r, const char *name, enum json_type type,
    struct json_object **out)
{
	struct json_object	*v = params_get(r, name), *item;
	size_t			 i, n;
	int			 idx;

	if (!params_has(r, name))
		return 0;
	if (json_object_is_type(v, json_type_array)) {
		*out = json_object_get(v);
	} else if (json_object_is_type(v, json_type_object)) {
		/* x[0]=a&x[1]=b: the keys must be exactly 0..n-1. */
		n = json_object_object_length(v);
		*out = json_object_new_array_ext((int)n);
		for (i = 0; i < n; i++)
			json_object_array_add(*out, NULL);
		json_object_object_foreach(v, key, val) {
			if ((idx = index_of(key)) < 0 || (size_t)idx >= n) {
				json_object_put(*out);
				return api_error(r, ERR_PARAM_INVALID, name, name);
			}
			json_object_array_put_idx(*out, (size_t)idx,
			    json_object_get(val));
		}
	} else
		return api_error(r, ERR_PARAM_INVALID, name, name);
	for (i = 0; i < json_object_array_length(*out); i++) {
		item = json_object_array_get_idx(*out, i);
		if (!json_object_is_type(item, type)) {
			json_object_put(*out);
			return api_error(r, ERR_PARAM_INVALID, name, name);
		}
	}
	return PARAMS_PRESENT;
}

int
params_list(struct req *r, const char *name, struct json_object **out)
{
	return list_of(r, name, json_type_string, out);
}

int
params_objects(struct req *r, const char *name, struct json_object **out)
{
	return list_of(r, name, json_type_object, out);
}

int
params_bool(struct req *r, const char *name, int *out)
{
	struct json_object	*v;
	const char		*s;
	char			 what[96];

	if (!json_object_object_get_ex(r->params, name, &v))
		return 0;
	if (json_object_is_type(v, json_type_boolean)) {
		*out = json_object_get_boolean(v);
		return PARAMS_PRESENT;
	}
	s = json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : "";
	if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
		*out = strcmp(s, "true") == 0;
		return PARAMS_PRESENT;
	}
	snprintf(what, sizeof(what), "%s (true or false)", name);
	return api_error(r, ERR_PARAM_INVALID, name, what);
}

/* 400 parameter_missing for "name" when it is required; else 0. */
static int
absent(struct req *r, const char *name, int required)
{
	return required ? api_error(r, ERR_PARAM_MISSING, name, name) : 0;
}

int
params_amount(struct req *r, const char *name, int required, int64_t min,
    int64_t *out)
{
	int	 rc;

	if (!params_has(r, name))
		return absent(r, name, required);
	if ((rc = params_i64(r, name, min, PARAMS_AMOUNT_MAX, out)) == -1)
		return api_error(r, ERR_AMOUNT_INVALID, name, NULL);
	return rc;
}

int
params_currency(struct req *r, const char *name, int required, char *out)
{
	const char	*s;
	int		 rc;

	if ((rc = params_str(r, name, &s)) != PARAMS_PRESENT || s == NULL)
		return rc == -1 ? -1 : absent(r, name, required);
	if (valid_currency(s, out) == -1)
		return api_error(r, ERR_CURRENCY_INVALID, name, NULL);
	return PARAMS_PRESENT;
}

int
params_text(struct req *r, const char *name, size_t max, const char **out)
{
	char	 what[96];
	int	 rc;

	if ((rc = params_str(r, name, out)) != PARAMS_PRESENT || *out == NULL ||
	    **out == '\0') {
		*out = NULL;
		return rc == -1 ? -1 : 0;
	}
	if (valid_text(*out, max) == 0)
		return PARAMS_PRESENT;
	snprintf(what, sizeof(what), "%s (at most %zu characters, no control "
	    "characters)", name, max);
	return api_error(r, ERR_PARAM_INVALID, name, what);
}

int
params_id(struct req *r, const char *name, int required, const char **out)
{
	int	 rc;

	if ((rc = params_str(r, name, out)) != PARAMS_PRESENT || *out == NULL ||
	    **out == '\0') {
		*out = NULL;
		return rc == -1 ? -1 : absent(r, name, required);
	}
	return PARAMS_PRESENT;
}
