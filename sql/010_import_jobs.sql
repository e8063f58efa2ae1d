-- Customer imports run in pesaswap-jobs (issue 15 "Export and import"):
-- the request checks the file, stores it here and answers at once; a job
-- writes it in batches. status is now pending -> running -> succeeded or
-- failed. lease_until (unix ms) is the claim of the job writing the next
-- batch, as webhook_deliveries.next_attempt is (sql/003): 0 when no job
-- holds it, so a killed job's import is taken up again once it expires.

ALTER TABLE customer_imports
	ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0,
	ADD KEY customer_imports_due (status, lease_until);

-- The file, one row per batch of 500 rows: the file's header record and
-- then the batch's records as they were sent (blank lines included), so
-- a job reads a batch as the request read the file. row_from is the
-- number of rows before the batch (the import's rows_processed when it is
-- next), record the spreadsheet row before its first line. Deleted when
-- the import is done; on another host than the request, hence no files.
CREATE TABLE customer_import_data (
	import_id	CHAR(21)	NOT NULL,
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	row_from	BIGINT		NOT NULL,
	record		BIGINT		NOT NULL,
	data		MEDIUMBLOB	NOT NULL,
	PRIMARY KEY (import_id, row_from)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
