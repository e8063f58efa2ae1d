-- Customer imports (issue 15 "Export and import"): one row per CSV import,
-- its counters updated in the transaction of each batch of rows, so that
-- GET /v1/customers/imports/:id shows progress while the import runs.
-- file_key is the SHA-256 of the mode and the file while the import runs
-- or after it succeeded, and NULL once it failed: the unique key makes
-- the same file in the same mode one import (the second POST answers the
-- first import), and lets a failed one be tried again.

CREATE TABLE customer_imports (
	pk		BIGINT		NOT NULL AUTO_INCREMENT,
	id		CHAR(21)	NOT NULL,	-- cimp_ + 16
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	mode		VARCHAR(8)	NOT NULL,	-- skip | update
	file_key	BINARY(32)	NULL,
	status		VARCHAR(16)	NOT NULL,	-- running | succeeded | failed
	rows_total	BIGINT		NOT NULL,
	rows_processed	BIGINT		NOT NULL DEFAULT 0,
	created_count	BIGINT		NOT NULL DEFAULT 0,
	updated_count	BIGINT		NOT NULL DEFAULT 0,
	skipped_count	BIGINT		NOT NULL DEFAULT 0,
	errors		TEXT		NOT NULL,	-- JSON array
	created		BIGINT		NOT NULL,
	updated		BIGINT		NOT NULL,
	PRIMARY KEY (pk),
	UNIQUE KEY customer_imports_id (id),
	UNIQUE KEY customer_imports_file (account_id, livemode, file_key),
	KEY customer_imports_list (account_id, livemode, pk)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
