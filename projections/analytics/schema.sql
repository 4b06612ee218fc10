-- analytics: spend and allocation per user summed by day, by (month, category) and by (month, merchant).
-- Every table only ever receives deltas, so the rows are the same however the log is cut into batches.

-- Per user and day, across categories. `transactions` counts the live (not voided) expenses of the day.
CREATE TABLE {{schema}}.daily_totals (
  user_id uuid NOT NULL,
  day date NOT NULL,
  allocated bigint NOT NULL,
  spent bigint NOT NULL,
  transactions integer NOT NULL,
  PRIMARY KEY (user_id, day)
);

CREATE TABLE {{schema}}.category_months (
  user_id uuid NOT NULL,
  month text NOT NULL,
  category text NOT NULL,
  allocated bigint NOT NULL,
  spent bigint NOT NULL,
  transactions integer NOT NULL,
  PRIMARY KEY (user_id, month, category)
);

-- `merchant` is normalised (trimmed, lower-case); '' collects the expenses that name none.
CREATE TABLE {{schema}}.merchant_months (
  user_id uuid NOT NULL,
  month text NOT NULL,
  merchant text NOT NULL,
  spent bigint NOT NULL,
  transactions integer NOT NULL,
  PRIMARY KEY (user_id, month, merchant)
);

-- Unpublished: the month's current plan, so a re-plan can take the old split back out.
CREATE TABLE {{schema}}.plans (
  user_id uuid NOT NULL,
  month text NOT NULL,
  split_algorithm text NOT NULL,
  plan jsonb NOT NULL,
  PRIMARY KEY (user_id, month)
);

-- Unpublished: where each expense currently counts, so an amendment or a void can take it back out.
CREATE TABLE {{schema}}.expenses (
  user_id uuid NOT NULL,
  month text NOT NULL,
  transaction_id text NOT NULL,
  day date NOT NULL,
  category text NOT NULL,
  merchant text NOT NULL,
  amount bigint NOT NULL,
  voided boolean NOT NULL,
  PRIMARY KEY (user_id, month, transaction_id)
);
