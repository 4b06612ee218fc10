-- Read models. Each projection generation has a schema of its own (proj_<name>_g<generation>); readers
-- use the views in schema `read`, which point at the live generation and are swapped atomically.
CREATE SCHEMA IF NOT EXISTS read;

CREATE TABLE projection_generations (
  name text NOT NULL,
  generation integer NOT NULL,
  version integer NOT NULL,
  schema_name text NOT NULL UNIQUE,
  status text NOT NULL CHECK (status IN ('building', 'live', 'retired', 'failed')),
  position text NOT NULL DEFAULT '0.0',
  events_applied bigint NOT NULL DEFAULT 0,
  error text,
  failed_event jsonb,
  started_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, generation)
);
CREATE UNIQUE INDEX one_live_generation ON projection_generations (name) WHERE status = 'live';
