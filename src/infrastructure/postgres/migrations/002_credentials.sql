-- Login secrets are not facts for auditors, so they stay out of the event log.
CREATE TABLE credentials (
  email text PRIMARY KEY,
  user_id uuid NOT NULL UNIQUE,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
