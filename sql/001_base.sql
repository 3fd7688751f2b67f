-- 001_base: the schema skeleton. The migration runner records each applied
-- version here (it reads the version as 0 before this table exists).
-- Later migrations add the case, subscriber and outbox tables.
CREATE TABLE schema_version (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
);
