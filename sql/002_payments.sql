-- Payments, saved payment methods, and the per-customer aggregates that
-- keep analytics constant-time (API.md "Payments", "Payment methods",
-- customer analytics). The aggregates change in the same transaction as
-- the payment they count.

-- A saved method keeps only what may be shown: brand, last four, expiry
-- (or the mobile-money provider and the phone's last four) and the test
-- token that decides the simulated outcome. Never a card number.
CREATE TABLE payment_methods (
	pk		BIGINT		NOT NULL AUTO_INCREMENT,
	id		CHAR(19)	NOT NULL,	-- pm_ + 16
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	customer_id	CHAR(21)	NULL,		-- NULL once detached
	type		VARCHAR(16)	NOT NULL,	-- card | mobile_money
	token		VARCHAR(64)	NOT NULL,
	brand		VARCHAR(16)	NULL,
	last4		CHAR(4)		NULL,
	exp_month	TINYINT		NULL,
	exp_year	SMALLINT	NULL,
	provider	VARCHAR(16)	NULL,
	created		BIGINT		NOT NULL,
	PRIMARY KEY (pk),
	UNIQUE KEY payment_methods_id (id),
	KEY payment_methods_customer (account_id, livemode, customer_id, pk)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE payments (
	pk		BIGINT		NOT NULL AUTO_INCREMENT,
	id		CHAR(20)	NOT NULL,	-- pay_ + 16
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	customer_id	CHAR(21)	NULL,
	amount		BIGINT		NOT NULL,
	currency	CHAR(3)		NOT NULL,
	description	VARCHAR(1000)	NULL,
	status		VARCHAR(16)	NOT NULL,
	failure_code	VARCHAR(32)	NULL,
	payment_method	VARCHAR(64)	NULL,
	metadata	TEXT		NOT NULL,
	created		BIGINT		NOT NULL,
	PRIMARY KEY (pk),
	UNIQUE KEY payments_id (id),
	KEY payments_list (account_id, livemode, pk),
	KEY payments_customer (account_id, livemode, customer_id, pk),
	KEY payments_status (account_id, livemode, status, pk)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Succeeded payments per customer and currency.
CREATE TABLE customer_volumes (
	customer_id	CHAR(21)	NOT NULL,
	currency	CHAR(3)		NOT NULL,
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	payments	BIGINT		NOT NULL,
	volume		BIGINT		NOT NULL,
	PRIMARY KEY (customer_id, currency)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Counts and the last succeeded payment per customer.
CREATE TABLE customer_totals (
	customer_id	CHAR(21)	NOT NULL,
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	succeeded	BIGINT		NOT NULL DEFAULT 0,
	failed		BIGINT		NOT NULL DEFAULT 0,
	last_pk		BIGINT		NULL,
	last_id		CHAR(20)	NULL,
	last_amount	BIGINT		NULL,
	last_currency	CHAR(3)		NULL,
	last_created	BIGINT		NULL,
	PRIMARY KEY (customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
