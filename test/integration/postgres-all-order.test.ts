import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type NewEvent, type RecordedEvent, START } from '../../src/application/ports/event-store.port.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { testDatabase } from '../support/postgres.js';

const db = await testDatabase();
const store = new PostgresEventStore(db.pool);
afterAll(() => store.close());

const event = (): NewEvent => ({
  id: randomUUID(),
  type: 'ExpenseRecorded',
  data: {},
  metadata: { correlationId: randomUUID(), occurredAt: new Date().toISOString(), schemaVersion: 1 },
});
const HOLD = 4242;

describe('PostgreSQL $all order with overlapping transactions', () => {
  it('never lets a follower pass an event whose transaction commits after a later-numbered one', async () => {
    // Appends to `slow-*` streams stall inside their transaction, after their rows got a sequence
    // number, until the test releases an advisory lock: a writer that commits late.
    await db.pool.query(`
      CREATE FUNCTION hold_slow_append() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT stream_name FROM streams WHERE stream_id = NEW.stream_id) LIKE 'slow-%' THEN
          PERFORM pg_advisory_xact_lock_shared(${HOLD});
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER hold_slow_append AFTER INSERT ON event_log FOR EACH ROW EXECUTE FUNCTION hold_slow_append();`);
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1)', [HOLD]);

    const slowAppend = store.append(`slow-${randomUUID()}`, [event()]);
    await waitUntil(async () => {
      const { rows } = await db.pool.query(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND objid = $1`,
        [HOLD],
      );
      return rows[0].n === 1;
    });
    const fast = await store.append(`fast-${randomUUID()}`, [event()]);

    // A naive `WHERE global_position > checkpoint` reader would now see the fast event and move past
    // the slow one's lower sequence number for good.
    const { rows: naive } = await db.pool.query(
      'SELECT global_position FROM events ORDER BY global_position',
    );
    expect(naive).toHaveLength(1);
    const follower: RecordedEvent[] = [];
    let checkpoint = START;
    const follow = async () => {
      const batch = await store.readAll({ after: checkpoint, maxCount: 100 });
      follower.push(...batch);
      if (batch.length > 0) checkpoint = batch[batch.length - 1]!.position;
    };
    await follow();
    expect(follower).toEqual([]);

    await holder.query('SELECT pg_advisory_unlock($1)', [HOLD]);
    const slow = await slowAppend;
    await holder.end();
    // The read horizon is cluster-wide: another file's open transaction may hold it a moment longer.
    await waitUntil(async () => {
      await follow();
      return follower.length >= 2;
    });

    expect(follower.map((e) => e.position)).toEqual([slow.position, fast.position]);
    const { rows } = await db.pool.query<{ global_position: string }>(
      'SELECT global_position::text FROM events ORDER BY global_position',
    );
    // The slow writer holds the lower sequence number yet committed last; the follower still got it.
    expect(rows.map((r) => r.global_position)).toEqual([
      slow.position.split('.')[1],
      fast.position.split('.')[1],
    ]);
  });
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
