-- Receipts (issue 15): the uploaded image (the receipt-<id> stream holds only its size and hash) and the
-- user's list of receipts, newest first.
CREATE TABLE receipt_images (
  receipt_id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  content_type text NOT NULL,
  content bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX receipt_images_by_user ON receipt_images (user_id, created_at DESC, receipt_id DESC);

-- Notifications (issue 15): one record per notified fact (id derived from the event), read or not.
CREATE TABLE notifications (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  kind text NOT NULL,
  text text NOT NULL,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  read_at timestamptz
);
CREATE INDEX notifications_by_user ON notifications (user_id, created_at DESC);

CREATE TABLE notification_settings (
  user_id uuid PRIMARY KEY,
  settings jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Push device tokens; a token belongs to one user at a time (the last to register it).
CREATE TABLE notification_devices (
  token text PRIMARY KEY,
  user_id uuid NOT NULL,
  platform text NOT NULL,
  registered_at timestamptz NOT NULL
);
CREATE INDEX notification_devices_by_user ON notification_devices (user_id);
