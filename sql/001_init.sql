-- Accounts, API keys, customers, idempotency keys and events: the tables
-- of API.md "Authentication", "Requests" and "Customers".
-- Every row carries account_id and livemode; every query filters on both.

CREATE TABLE accounts (
	id		CHAR(21)	NOT NULL,	-- acct_ + 16
	name		VARCHAR(256)	NOT NULL,
	created		BIGINT		NOT NULL,
	PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Keys are stored as SHA-256 of the whole key; the clear key is shown once.
CREATE TABLE api_keys (
	hash		BINARY(32)	NOT NULL,
	id		CHAR(21)	NOT NULL,	-- key_ + 16, to revoke by
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	restricted	TINYINT		NOT NULL DEFAULT 0,
	permissions	VARCHAR(512)	NOT NULL DEFAULT '',
	hint		VARCHAR(32)	NOT NULL,	-- "sk_test_…abcd"
	created		BIGINT		NOT NULL,
	revoked		BIGINT		NULL,
	PRIMARY KEY (hash),
	UNIQUE KEY api_keys_id (id),
	KEY api_keys_account (account_id, livemode),
	CONSTRAINT api_keys_account_fk FOREIGN KEY (account_id)
	    REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- pk orders the list strictly (newest first, also within one second);
-- id is the random public id. name and email compare case-insensitively
-- (their collation); live_email is the email while the customer is not
-- deleted, so the unique key refuses a duplicate among live customers only.
CREATE TABLE customers (
	pk		BIGINT		NOT NULL AUTO_INCREMENT,
	id		CHAR(21)	NOT NULL,	-- cust_ + 16
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	name		VARCHAR(256)	COLLATE utf8mb4_unicode_ci NOT NULL,
	email		VARCHAR(254)	COLLATE utf8mb4_unicode_ci NOT NULL,
	phone		VARCHAR(16)	NULL,
	metadata	TEXT		NOT NULL,	-- JSON object
	default_pm	CHAR(21)	NULL,
	created		BIGINT		NOT NULL,
	updated		BIGINT		NOT NULL,
	deleted		BIGINT		NULL,
	live_email	VARCHAR(254) COLLATE utf8mb4_unicode_ci
	    AS (IF(deleted IS NULL, email, NULL)) PERSISTENT,
	PRIMARY KEY (pk),
	UNIQUE KEY customers_id (id),
	UNIQUE KEY customers_live_email (account_id, livemode, live_email),
	KEY customers_list (account_id, livemode, deleted, pk),
	KEY customers_created (account_id, livemode, deleted, created, pk),
	KEY customers_email (account_id, livemode, email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A request with an Idempotency-Key claims its row in the same
-- transaction as its writes, so a concurrent duplicate waits on the row
-- lock and then replays; a crash rolls both back.
CREATE TABLE idempotency_keys (
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	key_hash	BINARY(32)	NOT NULL,	-- SHA-256 of the header
	request_hash	BINARY(32)	NOT NULL,	-- method, path, body
	status		SMALLINT	NOT NULL,
	response	MEDIUMTEXT	NOT NULL,
	created		BIGINT		NOT NULL,
	PRIMARY KEY (account_id, livemode, key_hash),
	KEY idempotency_keys_created (created)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE events (
	pk		BIGINT		NOT NULL AUTO_INCREMENT,
	id		CHAR(20)	NOT NULL,	-- evt_ + 16
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	type		VARCHAR(64)	NOT NULL,
	data		MEDIUMTEXT	NOT NULL,	-- {"object": {…}}
	created		BIGINT		NOT NULL,
	PRIMARY KEY (pk),
	UNIQUE KEY events_id (id),
	KEY events_list (account_id, livemode, pk),
	KEY events_type (account_id, livemode, type, pk)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
