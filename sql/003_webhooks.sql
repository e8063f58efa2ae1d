-- Webhook endpoints and deliveries (API.md "Events and webhooks").
-- Events are fanned out to deliveries by pesaswap-jobs: an event row is
-- written with fanned = 0 in the change's transaction, and a job claims
-- unfanned events with SKIP LOCKED, so a transaction that commits late
-- (with a lower pk) is never skipped.

ALTER TABLE events
	ADD COLUMN fanned TINYINT NOT NULL DEFAULT 0,
	ADD KEY events_unfanned (fanned, pk);

-- The signing secret is kept encrypted (AES-256-GCM under the service's
-- secrets key): it must be usable to sign, but is never shown again.
CREATE TABLE webhook_endpoints (
	pk		BIGINT		NOT NULL AUTO_INCREMENT,
	id		CHAR(19)	NOT NULL,	-- we_ + 16
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	url		VARCHAR(2048)	NOT NULL,
	description	VARCHAR(1000)	NULL,
	enabled_events	TEXT		NOT NULL,	-- JSON array of types or "*"
	secret_sealed	VARBINARY(128)	NOT NULL,
	disabled	TINYINT		NOT NULL DEFAULT 0,
	metadata	TEXT		NOT NULL,
	created		BIGINT		NOT NULL,
	deleted		BIGINT		NULL,
	PRIMARY KEY (pk),
	UNIQUE KEY webhook_endpoints_id (id),
	KEY webhook_endpoints_list (account_id, livemode, deleted, pk)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per event and endpoint. A claimed row's next_attempt is pushed
-- into the future (a lease): if the claiming process dies, the row falls
-- due again and is delivered at least once.
CREATE TABLE webhook_deliveries (
	pk		BIGINT		NOT NULL AUTO_INCREMENT,
	id		CHAR(20)	NOT NULL,	-- whd_ + 16
	account_id	CHAR(21)	NOT NULL,
	livemode	TINYINT		NOT NULL,
	endpoint_id	CHAR(19)	NOT NULL,
	event_id	CHAR(20)	NOT NULL,
	status		VARCHAR(16)	NOT NULL,	-- pending|succeeded|failed
	attempts	INT		NOT NULL DEFAULT 0,
	last_status	INT		NULL,		-- HTTP status, NULL if none
	last_error	VARCHAR(255)	NULL,
	next_attempt	BIGINT		NOT NULL,	-- unix ms
	created		BIGINT		NOT NULL,
	delivered	BIGINT		NULL,
	PRIMARY KEY (pk),
	UNIQUE KEY webhook_deliveries_id (id),
	UNIQUE KEY webhook_deliveries_once (endpoint_id, event_id),
	KEY webhook_deliveries_due (status, next_attempt),
	KEY webhook_deliveries_endpoint (account_id, livemode, endpoint_id, pk)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
