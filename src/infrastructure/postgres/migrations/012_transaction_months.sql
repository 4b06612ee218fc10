-- A client transaction id is one fact per user across months: the month that holds each id, claimed
-- before the expense is appended and moved with it. A claim whose append never landed is taken over by
-- the next claim (the month's stream is the truth, see postgres-transaction-months.ts).
CREATE TABLE transaction_months (
  user_id text NOT NULL,
  transaction_id text NOT NULL,
  month text NOT NULL,
  PRIMARY KEY (user_id, transaction_id)
);
