/*
 * The dashboard's own API (issue 6, dashboard contract): sign-in and
 * sign-out with a session cookie, and the API-keys page that a session
 * alone may use.
 */
#ifndef DASHBOARD_H
#define DASHBOARD_H

struct req;

/* POST /v1/dashboard/session: email and password -> session cookie. */
void	dashboard_signin(struct req *r);

/* GET /v1/dashboard/session: the session of the cookie. */
void	dashboard_session_get(struct req *r);

/* DELETE /v1/dashboard/session: ends it server-side, clears the cookie. */
void	dashboard_signout(struct req *r);

/* GET, POST /v1/dashboard/api_keys; DELETE /v1/dashboard/api_keys/:id. */
void	dashboard_keys_list(struct req *r);
void	dashboard_keys_create(struct req *r);
void	dashboard_keys_revoke(struct req *r);

#endif
