-- daily-allocation: per user, day and category what is allocated, spent and declared overdrawn.
CREATE TABLE {{schema}}.cells (
  user_id uuid NOT NULL,
  day date NOT NULL,
  category text NOT NULL,
  allocated bigint NOT NULL,
  spent bigint NOT NULL,
  overdrawn bigint NOT NULL,
  PRIMARY KEY (user_id, day, category)
);

-- One row per month with a plan or expenses: its plan (for per-category planned amounts, and the
-- categories expenses brought in) and what rolled to savings. `planned` is false until a plan arrives.
CREATE TABLE {{schema}}.months (
  user_id uuid NOT NULL,
  month text NOT NULL,
  currency text NOT NULL,
  split_algorithm text NOT NULL,
  plan jsonb NOT NULL,
  saved bigint NOT NULL,
  planned boolean NOT NULL,
  PRIMARY KEY (user_id, month)
);

CREATE TABLE {{schema}}.closed_days (
  user_id uuid NOT NULL,
  day date NOT NULL,
  PRIMARY KEY (user_id, day)
);

-- Where each expense currently counts, so an amendment or a void can take it back out.
CREATE TABLE {{schema}}.expenses (
  user_id uuid NOT NULL,
  month text NOT NULL,
  transaction_id text NOT NULL,
  day date NOT NULL,
  category text NOT NULL,
  amount bigint NOT NULL,
  voided boolean NOT NULL,
  PRIMARY KEY (user_id, month, transaction_id)
);
