-- Duplicates at a flat cost (issue 15): how many live customers share
-- each duplicate key, kept by triggers in the transaction of every write
-- to customers (insert, update, delete, merge, import: one place for all
-- of them). GET /v1/customers/duplicates pages through the keys shared
-- by two or more (customer_duplicate_keys_shared), so a page reads only
-- the groups it shows however many customers have no twin.
CREATE TABLE customer_duplicate_keys (
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	kind		TINYINT		NOT NULL,	-- 0 email_norm, 1 phone_norm
	key_norm	VARCHAR(254)	NOT NULL,
	customers	INT		NOT NULL,
	-- Stored, not virtual: InnoDB writes the index of a virtual
	-- column at almost twice the cost (measured).
	shared		TINYINT		AS (customers > 1) PERSISTENT,
	PRIMARY KEY (account_id, livemode, kind, key_norm),
	KEY customer_duplicate_keys_shared (account_id, livemode, kind,
	    shared, key_norm)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Moves a live customer's count from key "old_key" to "new_key" of one
-- kind (NULL: none, or not live); a key no live customer has any more is
-- removed, so the table holds only keys in use. The upsert locks the
-- key's row: writers of one key take turns and no count is lost.
CREATE PROCEDURE customer_duplicate_move(p_account CHAR(21),
    p_livemode TINYINT, p_kind TINYINT, old_key VARCHAR(254),
    new_key VARCHAR(254))
BEGIN
	IF old_key IS NOT NULL THEN
		UPDATE customer_duplicate_keys SET customers = customers - 1
		    WHERE account_id = p_account AND livemode = p_livemode
		    AND kind = p_kind AND key_norm = old_key;
		DELETE FROM customer_duplicate_keys
		    WHERE account_id = p_account AND livemode = p_livemode
		    AND kind = p_kind AND key_norm = old_key
		    AND customers <= 0;
	END IF;
	IF new_key IS NOT NULL THEN
		INSERT INTO customer_duplicate_keys (account_id, livemode,
		    kind, key_norm, customers)
		    VALUES (p_account, p_livemode, p_kind, new_key, 1)
		    ON DUPLICATE KEY UPDATE customers = customers + 1;
	END IF;
END;

-- Creating customers is the hot path, so this trigger counts inline:
-- a CALL doubles what the trigger costs an insert (measured: a bulk
-- insert of 300,000 customers took 5-6 s bare, 13-14 s counting inline,
-- 23-29 s through the procedure).
CREATE TRIGGER customers_duplicate_insert AFTER INSERT ON customers
FOR EACH ROW BEGIN
	IF NEW.deleted IS NULL AND NEW.email_norm IS NOT NULL THEN
		INSERT INTO customer_duplicate_keys (account_id, livemode,
		    kind, key_norm, customers)
		    VALUES (NEW.account_id, NEW.livemode, 0, NEW.email_norm, 1)
		    ON DUPLICATE KEY UPDATE customers = customers + 1;
	END IF;
	IF NEW.deleted IS NULL AND NEW.phone_norm IS NOT NULL THEN
		INSERT INTO customer_duplicate_keys (account_id, livemode,
		    kind, key_norm, customers)
		    VALUES (NEW.account_id, NEW.livemode, 1, NEW.phone_norm, 1)
		    ON DUPLICATE KEY UPDATE customers = customers + 1;
	END IF;
END;

-- An update moves the customer's count only where the key it counts
-- under (its key while live, none once deleted) changed: most updates
-- (name, metadata) call nothing.
CREATE TRIGGER customers_duplicate_update AFTER UPDATE ON customers
FOR EACH ROW BEGIN
	DECLARE old_email, new_email, old_phone, new_phone VARCHAR(254);

	SET old_email = IF(OLD.deleted IS NULL, OLD.email_norm, NULL),
	    new_email = IF(NEW.deleted IS NULL, NEW.email_norm, NULL),
	    old_phone = IF(OLD.deleted IS NULL, OLD.phone_norm, NULL),
	    new_phone = IF(NEW.deleted IS NULL, NEW.phone_norm, NULL);
	IF NOT (old_email <=> new_email) THEN
		CALL customer_duplicate_move(NEW.account_id, NEW.livemode, 0,
		    old_email, new_email);
	END IF;
	IF NOT (old_phone <=> new_phone) THEN
		CALL customer_duplicate_move(NEW.account_id, NEW.livemode, 1,
		    old_phone, new_phone);
	END IF;
END;

CREATE TRIGGER customers_duplicate_delete AFTER DELETE ON customers
FOR EACH ROW BEGIN
	IF OLD.deleted IS NULL THEN
		CALL customer_duplicate_move(OLD.account_id, OLD.livemode, 0,
		    OLD.email_norm, NULL);
		CALL customer_duplicate_move(OLD.account_id, OLD.livemode, 1,
		    OLD.phone_norm, NULL);
	END IF;
END;

-- The customers so far, counted after the triggers exist: a customer
-- written meanwhile is in this count, which sets rather than adds.
INSERT INTO customer_duplicate_keys (account_id, livemode, kind, key_norm,
    customers)
	SELECT account_id, livemode, 0, email_norm, COUNT(*) FROM customers
	    WHERE deleted IS NULL AND email_norm IS NOT NULL
	    GROUP BY account_id, livemode, email_norm
	UNION ALL
	SELECT account_id, livemode, 1, phone_norm, COUNT(*) FROM customers
	    WHERE deleted IS NULL AND phone_norm IS NOT NULL
	    GROUP BY account_id, livemode, phone_norm
	ON DUPLICATE KEY UPDATE customers = VALUES(customers);
