-- Crypto-shredding (GDPR right to erasure): one AES-256 data key per user. The personal fields of that
-- user's events are stored encrypted with it (see crypto-shredding-event-store.ts); erasing the user
-- destroys the key and keeps a tombstone, so the log (and its hash chains) never changes while the
-- personal data in it becomes unreadable for good. A tombstone also stops a new key being made.
CREATE TABLE subject_keys (
  user_id uuid PRIMARY KEY,
  key bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  erased_at timestamptz,
  CHECK ((key IS NULL) = (erased_at IS NOT NULL)),
  CHECK (key IS NULL OR octet_length(key) = 32)
);
