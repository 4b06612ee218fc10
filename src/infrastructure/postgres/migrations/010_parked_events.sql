-- Events a projection or a reaction could not handle: set aside with their error so the rest of the log
-- goes on (the consumer's checkpoint moves past them). Listed and retried from the CLI, counted in /health.
CREATE TABLE parked_events (
  consumer text NOT NULL,
  -- The projection generation that parked it; 0 for reactions (they have no generations).
  generation integer NOT NULL,
  event_id uuid NOT NULL,
  position text NOT NULL,
  stream_name text NOT NULL,
  stream_revision bigint NOT NULL,
  event_type text NOT NULL,
  error text NOT NULL,
  attempts integer NOT NULL DEFAULT 1,
  parked_at timestamptz NOT NULL DEFAULT now(),
  last_attempt_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, generation, event_id)
);

-- Before parking existed a failing generation stopped for good ('failed') and was replaced at the next
-- start; it is history now, and would otherwise keep /health down forever.
UPDATE projection_generations SET status = 'retired' WHERE status = 'failed';
