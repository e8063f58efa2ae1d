/*
 * The error table of API.md "Errors" and the one place that renders an
 * error body. Messages are fixed texts with at most one %s, filled from
 * the request (a parameter name, an id), never from a library.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "errors.h"
#include "http.h"
#include "jsonx.h"
#include "log.h"
#include "valid.h"

struct api_err {
	int		 status;
	const char	*type;
	const char	*code;
	const char	*message;	/* may hold one %s: the detail */
};

static const struct api_err errs[ERR__MAX] = {
	{ 401, "authentication_error", "api_key_missing",	/* ERR_KEY_MISSING */
	    "You did not provide an API key. Send it as a Bearer token "
	    "(Authorization: Bearer sk_test_…) or as the Basic user name.%s" },
	{ 401, "authentication_error", "api_key_invalid",	/* ERR_KEY_INVALID */
	    "Invalid API key provided.%s" },
	{ 403, "permission_error", "permission_denied",	/* ERR_PERMISSION */
	    "The provided key does not have the permission %s." },
	{ 404, "invalid_request_error", "resource_missing",	/* ERR_ROUTE_MISSING */
	    "Unrecognized request URL (%s)." },
	{ 404, "invalid_request_error", "resource_missing",	/* ERR_RESOURCE_MISSING */
	    "No such %s" },
	{ 405, "invalid_request_error", "method_not_allowed",	/* ERR_METHOD */
	    "The method is not allowed for this URL; allowed: %s." },
	{ 413, "invalid_request_error", "body_too_large",	/* ERR_BODY_TOO_LARGE */
	    "The request body is larger than %s bytes." },
	{ 415, "invalid_request_error", "content_type_unsupported", /* ERR_CONTENT_TYPE */
	    "Send the body as application/json or "
	    "application/x-www-form-urlencoded.%s" },
	{ 400, "invalid_request_error", "body_invalid",	/* ERR_BODY_INVALID */
	    "The request body could not be parsed: %s." },
	{ 400, "invalid_request_error", "parameter_unknown",	/* ERR_PARAM_UNKNOWN */
	    "Received unknown parameter: %s." },
	{ 400, "invalid_request_error", "parameter_missing",	/* ERR_PARAM_MISSING */
	    "Missing required param: %s." },
	{ 400, "invalid_request_error", "parameter_invalid",	/* ERR_PARAM_INVALID */
	    "Invalid value for %s." },
	{ 400, "invalid_request_error", "email_invalid",	/* ERR_EMAIL_INVALID */
	    "Invalid email address%s." },
	{ 400, "invalid_request_error", "phone_invalid",	/* ERR_PHONE_INVALID */
	    "Invalid phone number%s: use E.164, a + and 8 to 15 digits." },
	{ 400, "invalid_request_error", "metadata_invalid",	/* ERR_METADATA_INVALID */
	    "Invalid metadata: %s." },
	{ 400, "invalid_request_error", "sensitive_data_rejected", /* ERR_SENSITIVE */
	    "The value of %s looks like a card number; raw card numbers are never "
	    "accepted. Use a payment method token." },
	{ 400, "invalid_request_error", "resource_missing",	/* ERR_REF_MISSING */
	    "No such %s" },
	{ 400, "invalid_request_error", "amount_invalid",	/* ERR_AMOUNT_INVALID */
	    "Invalid amount: a whole number of the currency's minor unit "
	    "from 1 to 99999999999.%s" },
	{ 400, "invalid_request_error", "currency_invalid",	/* ERR_CURRENCY_INVALID */
	    "Invalid currency: use an ISO 4217 code such as usd or kes.%s" },
	{ 402, "card_error", "card_declined",			/* ERR_CARD_DECLINED */
	    "Your card was declined.%s" },
	{ 402, "card_error", "insufficient_funds",		/* ERR_INSUFFICIENT_FUNDS */
	    "Your card has insufficient funds.%s" },
	{ 400, "invalid_request_error", "processor_not_configured", /* ERR_PROCESSOR */
	    "No payment processor is configured for live mode.%s" },
	{ 400, "invalid_request_error", "payment_not_refundable", /* ERR_NOT_REFUNDABLE */
	    "Only a succeeded payment can be refunded; %s." },
	{ 400, "invalid_request_error", "charge_already_refunded", /* ERR_ALREADY_REFUNDED */
	    "Payment %s has already been refunded in full." },
	{ 400, "invalid_request_error", "amount_too_large",	/* ERR_REFUND_TOO_LARGE */
	    "The refund is larger than what is left of the payment: %s." },
	{ 400, "invalid_request_error", "parameter_invalid",	/* ERR_QUERY_INVALID */
	    "Invalid search query %s." },
	{ 409, "invalid_request_error", "resource_already_exists", /* ERR_ALREADY_EXISTS */
	    "A customer with this email already exists: %s." },
	{ 409, "idempotency_error", "idempotency_key_reused",	/* ERR_IDEM_REUSED */
	    "Keys for idempotent requests can only be used with the same "
	    "parameters they were first used with.%s" },
	{ 409, "idempotency_error", "idempotency_key_in_use",	/* ERR_IDEM_IN_USE */
	    "A request with this idempotency key is still in progress.%s" },
	{ 429, "rate_limit_error", "rate_limit",		/* ERR_RATE_LIMIT */
	    "Too many requests with this key; retry later.%s" },
	{ 401, "authentication_error", "session_invalid",	/* ERR_SESSION_INVALID */
	    "No dashboard session: it is missing, has expired or has "
	    "ended. Sign in again.%s" },
	{ 403, "invalid_request_error", "csrf_token_invalid",	/* ERR_CSRF */
	    "A write with a dashboard session must carry its CSRF token in "
	    "the X-CSRF-Token header.%s" },
	{ 403, "permission_error", "session_required",		/* ERR_SESSION_REQUIRED */
	    "This URL is for a signed-in dashboard session, not an API "
	    "key.%s" },
	{ 401, "invalid_request_error", "invalid_credentials",	/* ERR_CREDENTIALS */
	    "Incorrect email or password.%s" },
	{ 429, "rate_limit_error", "too_many_sign_in_attempts", /* ERR_SIGNIN_THROTTLED */
	    "Too many failed sign-ins for this email; retry after the "
	    "Retry-After header's seconds.%s" },
	{ 500, "api_error", "internal_error",			/* ERR_INTERNAL */
	    "An internal error occurred; it has been logged.%s" },
	{ 503, "api_error", "service_unavailable",		/* ERR_UNAVAILABLE */
	    "The service is temporarily unavailable; retry shortly.%s" },
};

/*
 * Replaces with '?' every byte of "s" that does not begin a whole UTF-8
 * character. The detail and param of an error may come from a path nginx
 * never checked (raw bytes above 0x7F), or be cut by "%.40s" in the
 * middle of a character; an answer must still be valid UTF-8 (API.md).
 */
static void
scrub_utf8(char *s)
{
	const unsigned char	*p;
	size_t			 n, len = strlen(s);

	while (len > 0) {
		p = (const unsigned char *)s;
		n = *p < 0x80 ? 1 : *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
		if (n > len || valid_utf8(s, n) == -1) {
			*s = '?';
			n = 1;
		}
		s += n;
		len -= n;
	}
}

int
api_error(struct req *r, enum err e, const char *param, const char *detail)
{
	const struct api_err	*a = &errs[e];
	struct json_object	*body, *err;
	char			 message[512], name[256];

	snprintf(message, sizeof(message), a->message,
	    detail != NULL ? detail : "");
	scrub_utf8(message);
	err = json_object_new_object();
	jsonx_add(err, "type", json_object_new_string(a->type));
	jsonx_add(err, "code", json_object_new_string(a->code));
	if (param != NULL) {
		snprintf(name, sizeof(name), "%s", param);
		scrub_utf8(name);
		jsonx_add(err, "param", json_object_new_string(name));
	}
	jsonx_add(err, "message", json_object_new_string(message));
	jsonx_add(err, "request_id", json_object_new_string(r->request_id));
	body = json_object_new_object();
	jsonx_add(body, "error", err);
	if (a->status >= 500)
		log_error("%s %s %s: %s", r->request_id, r->method, r->path,
		    a->code);
	http_reply(r, a->status, body);
	if (e == ERR_UNAVAILABLE)
		http_header(r, "Retry-After: 1");
	r->error = e;
	return -1;
}

int
api_error_unanswered(struct req *r)
{
	if (r->status < 500 || r->reply != NULL || r->reply_text != NULL)
		return 0;
	log_error("%s %s %s: the handler left no answer", r->request_id,
	    r->method, r->path);
	return api_error(r, ERR_INTERNAL, NULL, NULL);
}
