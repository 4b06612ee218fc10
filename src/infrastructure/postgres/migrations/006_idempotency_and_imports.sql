-- Idempotency-Key (IETF draft): the first request per (user, key), its fingerprint (SHA-256 of method,
-- path and canonical body) and, once answered, its response. Keys expire 24 h after created_at; an
-- in-flight row whose process died is reclaimed after a short lease (see postgres-idempotency-store.ts).
CREATE TABLE idempotency_keys (
  user_id uuid NOT NULL,
  key text NOT NULL,
  fingerprint text NOT NULL,
  state text NOT NULL CHECK (state IN ('in-flight', 'done')),
  -- Who holds the claim: complete/release by anyone else (a request whose lease ran out) does nothing.
  token uuid NOT NULL,
  response_status integer,
  response_headers jsonb,
  response_body text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key),
  CHECK (state = 'in-flight' OR (response_status IS NOT NULL AND response_body IS NOT NULL))
);

CREATE INDEX idempotency_keys_expiry ON idempotency_keys (created_at);

-- CSV imports too large for one request: the file and its mapping wait here (never in the job payload),
-- the pg-boss job 'import' carries only the task id, and the worker writes its progress back.
CREATE TABLE import_tasks (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
  file_sha256 text NOT NULL,
  content text NOT NULL,
  mapping jsonb NOT NULL,
  rows integer NOT NULL,
  processed integer NOT NULL DEFAULT 0,
  imported integer NOT NULL DEFAULT 0,
  unchanged integer NOT NULL DEFAULT 0,
  skipped integer NOT NULL DEFAULT 0,
  rejected integer NOT NULL DEFAULT 0,
  -- The first 100 row errors: [{row, message}].
  errors jsonb NOT NULL DEFAULT '[]',
  -- Why the task failed as a whole (the worker retries it).
  failure text,
  -- The global position of the task's last write, for read-your-writes (?after=).
  position text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX import_tasks_by_user ON import_tasks (user_id, created_at DESC);
