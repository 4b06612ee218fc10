-- The event log. global_position orders inserts; transaction_id (xid8) lets $all readers stay below the
-- oldest still-running transaction, so a late-committing writer is never skipped.
CREATE TABLE events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_name text NOT NULL,
  stream_revision bigint NOT NULL,
  event_id uuid NOT NULL UNIQUE,
  event_type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream_name, stream_revision)
);
CREATE INDEX events_all_order ON events (transaction_id, global_position);

-- One row per stream: its head, locked by appenders (optimistic concurrency without gaps).
CREATE TABLE streams (
  stream_name text PRIMARY KEY,
  revision bigint NOT NULL,
  last_hash text NOT NULL
);
