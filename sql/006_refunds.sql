-- Refunds (API.md "Refunds", issue 15): a refund gives back all or part
-- of a succeeded payment. The payment keeps the sum of its refunds, so
-- the limit (never more than was paid) is checked on its locked row, and
-- the customer's volume per currency keeps what was refunded, so net
-- volume stays one read. All three change in the refund's transaction.

CREATE TABLE refunds (
	pk		BIGINT		NOT NULL AUTO_INCREMENT,
	id		CHAR(19)	NOT NULL,	-- re_ + 16
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	payment_id	CHAR(20)	NOT NULL,
	amount		BIGINT		NOT NULL,
	currency	CHAR(3)		NOT NULL,
	reason		VARCHAR(32)	NULL,
	status		VARCHAR(16)	NOT NULL,
	metadata	TEXT		NOT NULL,
	created		BIGINT		NOT NULL,
	PRIMARY KEY (pk),
	UNIQUE KEY refunds_id (id),
	KEY refunds_list (account_id, livemode, pk),
	KEY refunds_payment (account_id, livemode, payment_id, pk)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE payments
	ADD COLUMN amount_refunded BIGINT NOT NULL DEFAULT 0;

ALTER TABLE customer_volumes
	ADD COLUMN refunded BIGINT NOT NULL DEFAULT 0;
