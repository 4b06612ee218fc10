-- Users who have recurring expenses, for the job that records them when due. Derived from the
-- `recurring-<userId>` streams by the reaction runner (rebuilt with it); the streams are the truth.
CREATE TABLE recurring_users (
  user_id uuid PRIMARY KEY
);
