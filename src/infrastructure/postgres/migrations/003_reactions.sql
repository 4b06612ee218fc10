-- Where each $all follower (reaction runner, projections) has got to.
CREATE TABLE subscription_checkpoints (
  name text PRIMARY KEY,
  position text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Users by time zone, for work at each user's local midnight (day close). Derived from the user streams.
CREATE TABLE user_directory (
  user_id uuid PRIMARY KEY,
  timezone text NOT NULL,
  next_day_to_close date NOT NULL
);
