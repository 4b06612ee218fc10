-- The `$all` read horizon of this database: the oldest transaction id still running here, or the next
-- one to be assigned when none is. Followers read only below it, so none skips a late commit.
--
-- pg_snapshot_xmin(pg_current_snapshot()) is that bound for the whole cluster: one long transaction in
-- any other database (a report, a migration, a bulk load) would hold every read model here back. A
-- running transaction id is left out only when pg_stat_activity shows it held by a backend connected to
-- another database (a transaction never writes to a database other than its own). An id it cannot place
-- (a prepared transaction, a backend gone since the snapshot, a role without pg_read_all_stats, which sees
-- no other role's backend_xid) still holds the horizon: unsure means wait, never skip.
--
-- STABLE: evaluated with the caller's snapshot, the one its read of event_log sees. pg_stat_activity is
-- read after that snapshot was taken, so an id it places elsewhere was never this database's.
CREATE FUNCTION event_log_horizon() RETURNS xid8
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(
    (SELECT min(running.xid) FROM pg_snapshot_xip(snapshot.now) AS running(xid)
     WHERE (running.xid::text::bigint % 4294967296) NOT IN (
       SELECT a.backend_xid::text::bigint FROM pg_stat_activity AS a
       WHERE a.backend_xid IS NOT NULL AND a.datname IS DISTINCT FROM current_database())),
    pg_snapshot_xmax(snapshot.now))
  FROM pg_current_snapshot() AS snapshot(now)
$$;
