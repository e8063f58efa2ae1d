-- The dashboard: its users, their sessions and the sign-in throttle
-- (issue 6), and the per-day volume that feeds the customer chart
-- (GET /v1/customers/:id/analytics/volume).

-- A dashboard user belongs to one account. The email signs in, so it is
-- unique over all accounts, compared case-insensitively (its collation).
-- The password is kept only as an Argon2id encoded hash.
CREATE TABLE dashboard_users (
	pk		BIGINT		NOT NULL AUTO_INCREMENT,
	id		CHAR(20)	NOT NULL,	-- usr_ + 16
	account_id	CHAR(21)	NOT NULL,
	email		VARCHAR(254)	COLLATE utf8mb4_unicode_ci NOT NULL,
	password_hash	VARCHAR(255)	NOT NULL,	-- $argon2id$v=19$…
	created		BIGINT		NOT NULL,
	updated		BIGINT		NOT NULL,
	PRIMARY KEY (pk),
	UNIQUE KEY dashboard_users_id (id),
	UNIQUE KEY dashboard_users_email (email),
	CONSTRAINT dashboard_users_account_fk FOREIGN KEY (account_id)
	    REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A session is found by the SHA-256 of its cookie's token (the token
-- itself is never stored, as with API keys). The CSRF token is stored as
-- is: without the cookie it grants nothing. Sessions end at "expires"
-- (absolute, 12 h after sign-in) or when deleted by sign-out.
CREATE TABLE dashboard_sessions (
	token_hash	BINARY(32)	NOT NULL,
	user_pk		BIGINT		NOT NULL,
	csrf_token	CHAR(43)	NOT NULL,	-- base64url of 32 bytes
	created		BIGINT		NOT NULL,
	expires		BIGINT		NOT NULL,
	PRIMARY KEY (token_hash),
	KEY dashboard_sessions_user (user_pk),
	KEY dashboard_sessions_expires (expires),
	CONSTRAINT dashboard_sessions_user_fk FOREIGN KEY (user_pk)
	    REFERENCES dashboard_users (pk) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Failed sign-ins per email, keyed by the SHA-256 of the lower-cased
-- email so the table never holds an address in clear (nor reveals which
-- ones have users: unknown emails are counted too). Times in ms.
CREATE TABLE dashboard_signin_failures (
	email_hash	BINARY(32)	NOT NULL,
	failures	INT		NOT NULL,
	window_start	BIGINT		NOT NULL,
	locked_until	BIGINT		NOT NULL DEFAULT 0,
	PRIMARY KEY (email_hash),
	KEY dashboard_signin_failures_window (window_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Succeeded payments per customer, currency and UTC day ("day" is the
-- unix time of its midnight), changed in the payment's transaction as
-- customer_volumes is; months are summed from the days.
CREATE TABLE customer_daily_volumes (
	customer_pk	BIGINT		NOT NULL,
	currency	CHAR(3)		NOT NULL,
	day		BIGINT		NOT NULL,
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	payments	BIGINT		NOT NULL,
	volume		BIGINT		NOT NULL,
	PRIMARY KEY (customer_pk, currency, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The history so far.
INSERT INTO customer_daily_volumes (customer_pk, currency, day, account_id,
    livemode, payments, volume)
SELECT c.pk, p.currency, p.created - MOD(p.created, 86400), p.account_id,
    p.livemode, COUNT(*), SUM(p.amount)
FROM payments p JOIN customers c ON c.id = p.customer_id
WHERE p.status = 'succeeded'
GROUP BY c.pk, p.currency, p.created - MOD(p.created, 86400),
    p.account_id, p.livemode;
