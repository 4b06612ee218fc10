import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyChains } from '../../src/application/audit/verify-chains.js';
import { chainEvents } from '../../src/application/event-store/hash-chain.js';
import type { NewEvent } from '../../src/application/ports/event-store.port.js';
import { PostgresAuditLog } from '../../src/infrastructure/audit/postgres-audit-log.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { migrate } from '../../src/infrastructure/postgres/migrate.js';
import { testDatabase } from '../support/postgres.js';

const MIGRATIONS = new URL('../../src/infrastructure/postgres/migrations/', import.meta.url);
const db = await testDatabase({ migrate: false });
const store = new PostgresEventStore(db.pool);
afterAll(() => store.close());

/** The schema as it was before the compact log: every migration before 013, recorded as applied. */
async function migrateBefore013() {
  await db.pool.query(
    'CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  for (const file of (await readdir(MIGRATIONS)).filter((f) => /^\d{3}_/.test(f) && f < '013').sort()) {
    await db.pool.query(await readFile(new URL(file, MIGRATIONS), 'utf8'));
    await db.pool.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
  }
}

const event = (metadata: Record<string, unknown>, data: Record<string, unknown> = {}): NewEvent => ({
  id: randomUUID(),
  type: 'ExpenseRecorded',
  data: {
    amount: '1250',
    day: '2025-05-02',
    note: 'tab\there "quoted" \\ é',
    nested: { b: [1, 2.5], a: null },
    ...data,
  },
  metadata: {
    correlationId: randomUUID(),
    occurredAt: '2025-05-02T08:00:00.123Z',
    schemaVersion: 1,
    ...metadata,
  } as NewEvent['metadata'],
});

/** Rows written the way the JSON-form store wrote them (migration 001's table). */
async function appendLegacy(stream: string, events: NewEvent[]) {
  const chained = chainEvents(stream, 0n, '', events);
  for (const { event: e, revision } of chained) {
    await db.pool.query(
      `INSERT INTO events (stream_name, stream_revision, event_id, event_type, data, metadata)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [stream, revision.toString(), e.id, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata)],
    );
  }
  const last = chained[chained.length - 1]!;
  await db.pool.query('INSERT INTO streams (stream_name, revision, last_hash) VALUES ($1, $2, $3)', [
    stream,
    last.revision.toString(),
    last.event.metadata.hash,
  ]);
}

describe('migration 013: the log converted in place', () => {
  it('reads every event back byte for byte as before, keeps positions, and every chain verifies', async () => {
    await migrateBefore013();
    const user = randomUUID();
    const month = `budget-${user}-2025-05`;
    await appendLegacy(`user-${user}`, [event({ actor: user })]);
    await appendLegacy(month, [
      event({ actor: user, causationId: randomUUID() }),
      event({ actor: 'system:rebalance', causationId: randomUUID(), algorithm: { name: 'even', v: 1 } }),
      // Members no column can hold as they are: they stay in the metadata as they were.
      event({ correlationId: 'NOT-A-UUID', occurredAt: '2025-05-02T08:00:00Z', schemaVersion: 1.5 }),
      event({ occurredAt: '2024-02-30T00:00:00.000Z', causationId: null, actor: randomUUID().toUpperCase() }),
    ]);
    const before = await db.pool.query<{ position: string; data: unknown; metadata: unknown }>(
      `SELECT transaction_id::text || '.' || global_position AS position, data, metadata FROM events
       ORDER BY global_position`,
    );

    expect(await migrate(db.pool)).toEqual(expect.arrayContaining(['013_compact_event_log.sql']));

    const after = [...(await store.readStream(`user-${user}`)), ...(await store.readStream(month))];
    expect(after.map((e) => [e.position, JSON.stringify(e.data), JSON.stringify(e.metadata)])).toEqual(
      before.rows.map((r) => [r.position, JSON.stringify(r.data), JSON.stringify(r.metadata)]),
    );
    // The JSON form is still there for SQL readers.
    const view = await db.pool.query<{ metadata: unknown }>(
      'SELECT metadata FROM events ORDER BY global_position',
    );
    expect(view.rows.map((r) => JSON.stringify(r.metadata))).toEqual(
      before.rows.map((r) => JSON.stringify(r.metadata)),
    );
    const auditLog = new PostgresAuditLog(db.pool);
    expect(await verifyChains({ store, auditLog })({})).toMatchObject({ ok: true, events: 5, streams: 2 });

    // The converted log takes new events where it left off.
    const next = await store.append(month, [event({ actor: user })], 3n);
    expect(next.nextExpectedVersion).toBe(4n);
    expect(await verifyChains({ store, auditLog })({})).toMatchObject({ ok: true, events: 6 });
    const { rows } = await db.pool.query<{ stored: number; json: number }>(
      `SELECT sum(pg_column_size(e.*))::int AS stored,
         (SELECT sum(pg_column_size(v.*))::int FROM events v) AS json FROM event_log e`,
    );
    expect(rows[0]!.stored).toBeLessThan(rows[0]!.json);
  });
});
