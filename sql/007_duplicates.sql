-- Duplicates found and merged (issue 15, API.md "Customers"): each
-- customer keeps its email and phone in the form duplicates are found
-- by, written by dedupe_keys() (fcgi/dedupe.c) on every insert and
-- update; GET /v1/customers/duplicates groups live customers on them
-- through these indexes, which also hold the name so a group's "same
-- name" test reads no row. A merged customer is deleted and says into
-- whom (merged_into), so a second merge of it is answered, not redone.
ALTER TABLE customers
	ADD COLUMN email_norm	VARCHAR(254)	NULL,
	ADD COLUMN phone_norm	VARCHAR(15)	NULL,	-- E.164 digits
	ADD COLUMN merged_into	CHAR(21)	NULL,
	ADD KEY customers_email_norm (account_id, livemode, deleted,
	    email_norm, name),
	ADD KEY customers_phone_norm (account_id, livemode, deleted,
	    phone_norm, name);

-- A merge moves a customer's schedules by customer.
ALTER TABLE payment_schedules
	ADD KEY payment_schedules_customer (account_id, livemode, customer_id);

-- The rows so far, with the same rules as dedupe_keys(): stored emails
-- are already trimmed and ASCII (valid_email()), so LOWER() is its
-- lower-casing; for Gmail the local part loses its dots and "+tag" and
-- googlemail.com becomes gmail.com. Stored phones are already E.164.
UPDATE customers SET
	email_norm = IF(SUBSTRING_INDEX(LOWER(email), '@', -1)
	    IN ('gmail.com', 'googlemail.com'),
	    CONCAT(REPLACE(SUBSTRING_INDEX(SUBSTRING_INDEX(LOWER(email), '@',
	    1), '+', 1), '.', ''), '@gmail.com'), LOWER(email)),
	phone_norm = IF(phone IS NULL, NULL, SUBSTRING(phone, 2));
