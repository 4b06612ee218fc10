-- Bulk import (issue 19): events are staged here with COPY, then moved into event_log in large
-- transactions (postgres-log-loader.ts). Unlogged: what is staged is re-read from the file after a crash.
CREATE UNLOGGED TABLE log_import_staging (
  seq bigint PRIMARY KEY,
  stream text NOT NULL,
  stream_revision integer NOT NULL,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb,
  correlation_id uuid,
  causation_id uuid,
  actor_id uuid,
  occurred_at timestamptz,
  schema_version smallint,
  prev_hash bytea,
  hash bytea
);

-- One row per load that started moving events: a load cut short is resumed by loading the same source
-- (same SHA-256) again; events already moved are skipped by id.
CREATE TABLE log_imports (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  moved bigint NOT NULL DEFAULT 0,
  skipped bigint NOT NULL DEFAULT 0
);
