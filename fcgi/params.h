/*
 * Request parameters (API.md "Requests"): a JSON body, a form body with
 * bracket notation, or the query string, all turned into one json-c tree
 * of objects, arrays and strings, so handlers read one shape whatever the
 * client sent. Form values are strings; JSON keeps its types.
 */
#ifndef PARAMS_H
#define PARAMS_H

#include <stddef.h>
#include <stdint.h>

struct req;
struct json_object;

#define PARAMS_MAX_PAIRS	1000	/* form pairs in one body or query */
#define PARAMS_MAX_DEPTH	8	/* brackets, and JSON nesting */

/* What the getters below return, besides -1 (the error set). */
enum params_result {
	PARAMS_ABSENT = 0,	/* not sent (or sent as none, where said) */
	PARAMS_PRESENT = 1,	/* sent: *out is set */
};

/*
 * Decodes a form or query string of "len" bytes into a new object in
 * *out. Returns 0, or -1 with a static reason in *why (bad percent
 * escape, invalid UTF-8, NUL, unbalanced bracket, too many pairs, type
 * clash such as a=1&a[b]=2). Pure: unit tests and fuzzers call it.
 */
int	params_decode_form(const char *buf, size_t len,
	    struct json_object **out, const char **why);

/* Parses a JSON object body; as params_decode_form(). */
int	params_decode_json(const char *buf, size_t len,
	    struct json_object **out, const char **why);

/*
 * Fills r->params from the query (GET, DELETE) or the body (POST, PUT,
 * PATCH) by its Content-Type. Returns 0, or -1 with 400, 413 or 415 set.
 */
int	params_parse(struct req *r);

/* Answers 400 sensitive_data_rejected if any value in r->params holds a
 * card number (valid_has_card_number()). Returns 0 or -1. */
int	params_sensitive(struct req *r);

/*
 * Merges the "metadata" parameter into "into" (an object of strings): a
 * key set to "" or null is removed, metadata "" or null clears all; at
 * most 50 keys of 40 characters, values of 500. Returns 0, or -1 with 400
 * metadata_invalid set ("into" may then be partly changed).
 */
int	params_metadata(struct req *r, struct json_object *into);

/*
 * A list parameter: a JSON array, or the form's "x[]=a&x[]=b" or
 * "x[0]=a&x[1]=b", as a new array of its string items in order.
 * PARAMS_PRESENT with *out set, PARAMS_ABSENT, -1 with 400
 * parameter_invalid.
 */
int	params_list(struct req *r, const char *name, struct json_object **out);
/* As params_list(), for a list of objects ("tax_id_data[0][type]=…"). */
int	params_objects(struct req *r, const char *name,
	    struct json_object **out);

/* A boolean parameter: JSON true/false or the form's "true"/"false".
 * PARAMS_PRESENT with *out set, PARAMS_ABSENT, -1 with 400
 * parameter_invalid. */
int	params_bool(struct req *r, const char *name, int *out);

/*
 * Declared parameter names, as the two arguments "names, n" with n
 * counted by the compiler: PARAMS("name", "email"). A route row declares
 * its top-level names this way (routes.c); a handler reading a nested
 * object (created[gt], recurring[interval]) declares that object's.
 */
#define PARAMS(...)	(const char *const[]){ __VA_ARGS__ },		\
	sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)
#define NO_PARAMS	NULL, 0

/* Answers 400 parameter_unknown naming the first top-level name of
 * r->params not among the "n" of "names" ("expand", which Stripe's
 * clients send, is always allowed and ignored). Returns 0 or -1. */
int	params_allow(struct req *r, const char *const *names, size_t n);

/* The value under "name", borrowed while r->params lives; NULL if the
 * name was not sent (JSON null is returned as a present NULL: see
 * params_has()). */
struct json_object *params_get(struct req *r, const char *name);

/* 1 if "name" was sent at all (even as JSON null), else 0. */
int	params_has(struct req *r, const char *name);

/*
 * A string parameter. PARAMS_PRESENT with *out borrowed (NULL when the
 * value is JSON null), PARAMS_ABSENT, or -1 with 400 parameter_invalid
 * set if it is not a string or holds a NUL byte.
 */
int	params_str(struct req *r, const char *name, const char **out);

/* An integer parameter (JSON integer or a decimal string) within
 * [min, max]. PARAMS_PRESENT, PARAMS_ABSENT, -1 with 400
 * parameter_invalid. */
int	params_i64(struct req *r, const char *name, int64_t min, int64_t max,
	    int64_t *out);

/*
 * The typed readers: one per kind of field, so every resource reads an
 * amount, a currency, a text or an id the same way and answers the same
 * errors. Each returns PARAMS_PRESENT with *out set, PARAMS_ABSENT (also
 * for "" or null where that means none), or -1 with the error set. With
 * "required", absent is 400 parameter_missing.
 */

/* Every amount, in the currency's minor unit (API.md "Payments"). */
#define PARAMS_AMOUNT_MAX	99999999999LL
/* A description, wherever one is stored. */
#define PARAMS_DESCRIPTION_MAX	1000

/* An amount from "min" (0 or 1) to PARAMS_AMOUNT_MAX; else 400
 * amount_invalid. */
int	params_amount(struct req *r, const char *name, int required,
	    int64_t min, int64_t *out);

/* A currency (ISO 4217, any case), lowercased into "out" (4 bytes); else
 * 400 currency_invalid. */
int	params_currency(struct req *r, const char *name, int required,
	    char *out);

/* Free text (a description, a nickname): "" or null is none; else 1 to
 * "max" characters without control characters, or 400 parameter_invalid
 * saying so. *out is borrowed while r->params lives. */
int	params_text(struct req *r, const char *name, size_t max,
	    const char **out);

/* An object's id (a customer, a payment method), expandable in Stripe's
 * sense: a string; "" or null is none. *out is borrowed. */
int	params_id(struct req *r, const char *name, int required,
	    const char **out);

#endif
