/*
 * The API's errors (API.md "Errors"): one table of status, type, code and
 * message, and api_error() to answer with one of them.
 */
#ifndef ERRORS_H
#define ERRORS_H

struct req;

enum err {
	ERR_KEY_MISSING,
	ERR_KEY_INVALID,
	ERR_PERMISSION,
	ERR_ROUTE_MISSING,
	ERR_RESOURCE_MISSING,
	ERR_METHOD,
	ERR_BODY_TOO_LARGE,
	ERR_CONTENT_TYPE,
	ERR_BODY_INVALID,
	ERR_PARAM_UNKNOWN,
	ERR_PARAM_MISSING,
	ERR_PARAM_INVALID,
	ERR_EMAIL_INVALID,
	ERR_PHONE_INVALID,
	ERR_METADATA_INVALID,
	ERR_SENSITIVE,
	ERR_REF_MISSING,
	ERR_AMOUNT_INVALID,
	ERR_CURRENCY_INVALID,
	ERR_CARD_DECLINED,
	ERR_INSUFFICIENT_FUNDS,
	ERR_PROCESSOR,
	ERR_NOT_REFUNDABLE,
	ERR_ALREADY_REFUNDED,
	ERR_REFUND_TOO_LARGE,
	ERR_QUERY_INVALID,
	ERR_ALREADY_EXISTS,
	ERR_IDEM_REUSED,
	ERR_IDEM_IN_USE,
	ERR_RATE_LIMIT,
	ERR_SESSION_INVALID,
	ERR_CSRF,
	ERR_SESSION_REQUIRED,
	ERR_CREDENTIALS,
	ERR_SIGNIN_THROTTLED,
	ERR_INTERNAL,
	ERR_UNAVAILABLE,
	ERR__MAX
};

/*
 * Sets the response of "r" to error "e". "param" (may be NULL) names the
 * parameter; "detail" (may be NULL) fills the message's %s (a parameter
 * name, an id, a position). Always returns -1, so callers can
 * `return api_error(…)`.
 */
int	api_error(struct req *r, enum err e, const char *param,
	    const char *detail);

/*
 * The safety net after a handler (routes_dispatch()): a handler that
 * returned with a 5xx status and no body (a path that forgot its
 * api_error()) answers 500 internal_error instead, with a log line.
 * Returns 0 if "r" had an answer, -1 if it was given this one.
 */
int	api_error_unanswered(struct req *r);

#endif
