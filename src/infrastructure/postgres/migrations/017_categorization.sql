-- Language-model calls per user per UTC day (categorization and insight narratives): the daily limit
-- OPENAI_DAILY_CALLS_PER_USER is checked and counted in one statement, shared by every instance.
CREATE TABLE ai_usage (
  user_id text NOT NULL,
  day date NOT NULL,
  calls integer NOT NULL,
  PRIMARY KEY (user_id, day)
);
