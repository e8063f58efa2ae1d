-- Recurring billing (API.md "Prices, subscriptions, payment schedules"):
-- prices, subscriptions with their charged periods, payment schedules,
-- and test clocks that let test mode move time forward.

CREATE TABLE prices (
	pk		BIGINT		NOT NULL AUTO_INCREMENT,
	id		CHAR(22)	NOT NULL,	-- price_ + 16
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	unit_amount	BIGINT		NOT NULL,
	currency	CHAR(3)		NOT NULL,
	interval_unit	VARCHAR(8)	NOT NULL,	-- day|week|month|year
	interval_count	INT		NOT NULL,
	nickname	VARCHAR(256)	NULL,
	lookup_key	VARCHAR(200)	NULL,	-- a name to subscribe by
	active		TINYINT		NOT NULL DEFAULT 1,
	metadata	TEXT		NOT NULL,
	created		BIGINT		NOT NULL,
	PRIMARY KEY (pk),
	UNIQUE KEY prices_id (id),
	UNIQUE KEY prices_lookup_key (account_id, livemode, lookup_key),
	KEY prices_list (account_id, livemode, pk)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A test clock's frozen time is "now" for the customers attached to it
-- and for their subscriptions and schedules (test mode only).
CREATE TABLE test_clocks (
	pk		BIGINT		NOT NULL AUTO_INCREMENT,
	id		CHAR(22)	NOT NULL,	-- clock_ + 16
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	name		VARCHAR(256)	NULL,
	frozen_time	BIGINT		NOT NULL,
	created		BIGINT		NOT NULL,
	deleted		BIGINT		NULL,
	PRIMARY KEY (pk),
	UNIQUE KEY test_clocks_id (id),
	KEY test_clocks_list (account_id, livemode, pk)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE customers ADD COLUMN test_clock CHAR(22) NULL;

-- next_action is when the billing job must look at the subscription
-- again: the end of the current period, or the next retry when past due;
-- NULL when nothing is due (incomplete, canceled).
CREATE TABLE subscriptions (
	pk		BIGINT		NOT NULL AUTO_INCREMENT,
	id		CHAR(20)	NOT NULL,	-- sub_ + 16
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	customer_id	CHAR(21)	NOT NULL,
	price_id	CHAR(22)	NOT NULL,
	status		VARCHAR(24)	NOT NULL,
	anchor		BIGINT		NOT NULL,
	period_index	INT		NOT NULL,	-- periods started
	current_period_start BIGINT	NOT NULL,
	current_period_end BIGINT	NOT NULL,
	cancel_at_period_end TINYINT	NOT NULL DEFAULT 0,
	canceled_at	BIGINT		NULL,
	latest_payment	CHAR(20)	NULL,
	retries		INT		NOT NULL DEFAULT 0,
	next_action	BIGINT		NULL,
	test_clock	CHAR(22)	NULL,
	metadata	TEXT		NOT NULL,
	created		BIGINT		NOT NULL,
	PRIMARY KEY (pk),
	UNIQUE KEY subscriptions_id (id),
	KEY subscriptions_list (account_id, livemode, pk),
	KEY subscriptions_customer (account_id, livemode, customer_id, pk),
	KEY subscriptions_due (test_clock, next_action)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per charge attempt of a period; the key makes a second charge
-- of the same attempt impossible even if two jobs race.
CREATE TABLE subscription_charges (
	subscription_id	CHAR(20)	NOT NULL,
	period_index	INT		NOT NULL,
	attempt		INT		NOT NULL,
	payment_id	CHAR(20)	NOT NULL,
	created		BIGINT		NOT NULL,
	PRIMARY KEY (subscription_id, period_index, attempt)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE payment_schedules (
	pk		BIGINT		NOT NULL AUTO_INCREMENT,
	id		CHAR(22)	NOT NULL,	-- sched_ + 16
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	customer_id	CHAR(21)	NOT NULL,
	amount		BIGINT		NOT NULL,
	currency	CHAR(3)		NOT NULL,
	payment_method	VARCHAR(64)	NULL,
	description	VARCHAR(1000)	NULL,
	run_at		BIGINT		NOT NULL,
	status		VARCHAR(16)	NOT NULL,	-- scheduled|succeeded|failed|canceled
	payment_id	CHAR(20)	NULL,
	test_clock	CHAR(22)	NULL,
	metadata	TEXT		NOT NULL,
	created		BIGINT		NOT NULL,
	PRIMARY KEY (pk),
	UNIQUE KEY payment_schedules_id (id),
	KEY payment_schedules_list (account_id, livemode, pk),
	KEY payment_schedules_due (status, test_clock, run_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
