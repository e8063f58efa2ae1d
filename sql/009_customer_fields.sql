-- Stripe's customer fields (issue 15): description, address, shipping,
-- preferred locales and invoice prefix on the customer; tax ids as their
-- own rows (Stripe's /v1/customers/:id/tax_ids); and events findable by
-- the customer they are about (GET /v1/events?customer=).

-- address, shipping and preferred_locales are stored as the JSON the API
-- returns (validated on the way in); NULL when absent.
ALTER TABLE customers
	ADD COLUMN description VARCHAR(5000) NULL,
	ADD COLUMN address MEDIUMTEXT NULL,
	ADD COLUMN shipping MEDIUMTEXT NULL,
	ADD COLUMN preferred_locales TEXT NULL,
	ADD COLUMN invoice_prefix VARCHAR(12) NULL;

CREATE TABLE customer_tax_ids (
	pk		BIGINT		NOT NULL AUTO_INCREMENT,
	id		CHAR(20)	NOT NULL,	-- txi_ + 16
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	customer_id	CHAR(21)	NOT NULL,
	type		VARCHAR(16)	NOT NULL,
	value		VARCHAR(64)	NOT NULL,
	country		CHAR(2)		NULL,
	created		BIGINT		NOT NULL,
	PRIMARY KEY (pk),
	UNIQUE KEY customer_tax_ids_id (id),
	KEY customer_tax_ids_customer (account_id, livemode, customer_id, pk)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The customer an event is about: the customer itself, or the object's
-- "customer". Generated from the stored data, so every writer fills it
-- and the existing rows are backfilled by this ALTER.
ALTER TABLE events
	ADD COLUMN customer_id CHAR(21) AS (IF(
	    JSON_VALUE(data, '$.object.object') = 'customer',
	    JSON_VALUE(data, '$.object.id'),
	    JSON_VALUE(data, '$.object.customer'))) PERSISTENT,
	ADD KEY events_customer (account_id, livemode, customer_id, pk);
