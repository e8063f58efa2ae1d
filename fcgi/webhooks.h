/* Webhook endpoints and their deliveries (API.md "Events and webhooks"). */
#ifndef WEBHOOKS_H
#define WEBHOOKS_H

#include <stddef.h>

struct req;

void	webhooks_create(struct req *r);
void	webhooks_get(struct req *r);
void	webhooks_update(struct req *r);
void	webhooks_delete(struct req *r);
void	webhooks_list(struct req *r);
void	webhooks_deliveries(struct req *r);

/* 0 if "url" is an absolute http:// or https:// URL with a host, at most
 * 2048 bytes, without white space or control characters. Pure. */
int	webhooks_url_ok(const char *url);

/*
 * The PesaSwap-Signature header value for "body" sent at unix time "t":
 * "t=<t>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the secret>" into
 * "out" (at least 96 bytes). Pure. Returns 0 or -1.
 */
int	webhooks_sign(const char *secret, long long t, const char *body,
	    char *out, size_t outsz);

#endif
