-- transactions: the list/search view of expenses for the REST API (filters, cursor pagination, export).
-- One row per expense with its current fields; a void keeps the row and marks it.
CREATE TABLE {{schema}}.transactions (
  user_id uuid NOT NULL,
  month text NOT NULL,
  -- Byte order ("C"), so keyset pagination orders the same in every database and in clients.
  transaction_id text COLLATE "C" NOT NULL,
  day date NOT NULL,
  category text NOT NULL,
  amount bigint NOT NULL,
  currency text NOT NULL,
  merchant text,
  note text,
  source text NOT NULL,
  status text NOT NULL CHECK (status IN ('recorded', 'voided')),
  recorded_at timestamptz NOT NULL,
  -- When the last amendment or void happened; null while the expense is as first recorded.
  updated_at timestamptz,
  amended integer NOT NULL,
  -- Leading (user_id, transaction_id): a lookup by id is a primary-key probe. A transaction id is unique
  -- within a month's stream; the same id in two months is two rows (on different days).
  PRIMARY KEY (user_id, transaction_id, month)
);

-- Listing: newest day first, then transaction id, keyset-paginated on (day, transaction_id).
CREATE INDEX transactions_listing ON {{schema}}.transactions (user_id, day DESC, transaction_id);

-- Merchant search is a case-insensitive substring match (strpos on lower(merchant)) evaluated over the
-- user's rows as they are read through the listing index. A b-tree cannot serve '%x%' matches, so there
-- is no separate merchant index; pg_trgm would be the next step if one user's rows ever get too many.

-- The currency of each planned month (from BudgetPlanned), for the expenses recorded in it. Not published.
CREATE TABLE {{schema}}.months (
  user_id uuid NOT NULL,
  month text NOT NULL,
  currency text NOT NULL,
  PRIMARY KEY (user_id, month)
);
