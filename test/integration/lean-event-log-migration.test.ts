import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyChains } from '../../src/application/audit/verify-chains.js';
import { chainEvents } from '../../src/application/event-store/hash-chain.js';
import type { NewEvent, StoredMetadata } from '../../src/application/ports/event-store.port.js';
import { PostgresAuditLog } from '../../src/infrastructure/audit/postgres-audit-log.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { migrate } from '../../src/infrastructure/postgres/migrate.js';
import { testDatabase } from '../support/postgres.js';

const MIGRATIONS = new URL('../../src/infrastructure/postgres/migrations/', import.meta.url);
const db = await testDatabase({ migrate: false });
const store = new PostgresEventStore(db.pool);
afterAll(() => store.close());

/** Every migration before 018, recorded as applied. */
async function migrateBefore018() {
  await db.pool.query(
    'CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  for (const file of (await readdir(MIGRATIONS)).filter((f) => /^\d{3}_/.test(f) && f < '018').sort()) {
    await db.pool.query(await readFile(new URL(file, MIGRATIONS), 'utf8'));
    await db.pool.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
  }
}

const noted = (n: number): NewEvent => ({
  id: randomUUID(),
  type: n % 2 ? 'Noted' : 'Counted',
  data: { n },
  metadata: {
    correlationId: randomUUID(),
    occurredAt: '2025-05-02T08:00:00.123Z',
    schemaVersion: 1,
    // A system actor (named in log_names) and a user (a uuid column).
    actor: n === 1 ? 'system:rebalance' : randomUUID(),
  },
});

/**
 * A row of migration 013's log, in the transaction `tx` (transaction ids are given, so that a stream's
 * events can come out of revision order in `$all`, as a transaction that had its id before another
 * one wrote the stream gives them).
 */
async function insert013(
  streamId: number,
  revision: number,
  event: NewEvent,
  metadata: StoredMetadata,
  tx: bigint,
) {
  const { prevHash, hash, ...rest } = metadata;
  const hex = (value: unknown) =>
    typeof value === 'string' && /^[0-9a-f]{64}$|^$/.test(value) ? value : null;
  const keep = { ...rest } as Record<string, unknown>;
  if (prevHash !== undefined && hex(prevHash) === null) keep.prevHash = prevHash;
  if (hash !== undefined && hex(hash) === null) keep.hash = hash;
  await db.pool.query(
    `INSERT INTO event_log (transaction_id, stream_id, stream_revision, event_id, event_type, data, metadata,
       prev_hash, hash)
     VALUES ($1::text::xid8, $2, $3, $4, $5, $6, $7, decode($8, 'hex'), decode($9, 'hex'))`,
    [
      tx.toString(),
      streamId,
      revision,
      event.id,
      event.type,
      JSON.stringify(event.data),
      JSON.stringify(keep),
      hex(prevHash),
      hex(hash),
    ],
  );
}

async function stream013(name: string, revision: number, lastHash: string): Promise<number> {
  const { rows } = await db.pool.query<{ id: number }>(
    'INSERT INTO streams (stream_name, revision, last_hash) VALUES ($1, $2, $3) RETURNING stream_id AS id',
    [name, revision, lastHash],
  );
  return rows[0]!.id;
}

const jsonForm = async () =>
  (
    await db.pool.query<{ row: string }>(
      `SELECT json_build_array(stream_name, stream_revision, event_id, event_type, data, metadata)::text AS row
       FROM events ORDER BY transaction_id, global_position`,
    )
  ).rows.map((r) => r.row);

describe('migration 018: event types by id and derivable prevHashes left out', () => {
  it('reads every event back as before, in and out of revision order, and every chain verifies', async () => {
    await migrateBefore018();
    const { rows } = await db.pool.query<{ now: string }>('SELECT pg_current_xact_id()::text AS now');
    const now = BigInt(rows[0]!.now);
    // Stream a: revision 2 was written by a transaction that had its id before revision 1's.
    const a = chainEvents('noted-a', 0n, '', [noted(0), noted(1), noted(2), noted(3)]);
    const aId = await stream013('noted-a', 3, a[3]!.event.metadata.hash as string);
    const aTx = [now - 400n, now - 200n, now - 300n, now - 100n];
    for (const [i, { event }] of a.entries()) await insert013(aId, i, event, event.metadata, aTx[i]!);
    // Stream b: a hash without any prevHash, and a prevHash no column can hold.
    const b = chainEvents('noted-b', 0n, '', [noted(4), noted(5)]);
    const bId = await stream013('noted-b', 1, 'x');
    const { prevHash: _dropped, ...noPrev } = b[0]!.event.metadata;
    await insert013(bId, 0, b[0]!.event, noPrev as StoredMetadata, now - 90n);
    await insert013(bId, 1, b[1]!.event, { ...b[1]!.event.metadata, prevHash: 'NOT-HEX' }, now - 80n);
    const before = await jsonForm();

    expect(await migrate(db.pool)).toEqual(['018_lean_event_log.sql']);

    expect(await jsonForm()).toEqual(before);
    const read = [...(await store.readStream('noted-a')), ...(await store.readStream('noted-b'))];
    expect(read.map((e) => e.metadata)).toEqual([
      ...a.map((c) => c.event.metadata),
      noPrev,
      {
        ...b[1]!.event.metadata,
        prevHash: 'NOT-HEX',
      },
    ]);
    const stored = await db.pool.query<{ revision: number; derived: boolean }>(
      `SELECT stream_revision AS revision, prev_hash IS NULL AS derived FROM event_log
       WHERE stream_id = $1 ORDER BY stream_revision`,
      [aId],
    );
    const named = await db.pool.query<{ actor: string; inRest: boolean }>(
      `SELECT n.name AS actor, e.metadata ? 'actor' AS "inRest"
       FROM event_log e JOIN log_names n ON n.name_id = e.actor_name_id`,
    );
    expect(named.rows).toEqual([{ actor: 'system:rebalance', inRest: false }]);
    // Revision 2's predecessor comes after it in $all: its prevHash stays stored.
    expect(stored.rows.map((r) => r.derived)).toEqual([true, true, false, true]);
    // The scan (export, verify) derives in $all order: a's chain holds, b's breaks where it was broken.
    const scanned = [];
    for await (const page of new PostgresAuditLog(db.pool).scanAll({ belowHorizon: false }))
      scanned.push(...page.filter((e) => e.head.stream === 'noted-a').map((e) => [e.revision, e.metadata]));
    expect(scanned).toEqual([0, 2, 1, 3].map((r) => [r, a[r]!.event.metadata]));
    const report = await verifyChains({ store, auditLog: new PostgresAuditLog(db.pool) })({});
    expect(report.broken.map((b) => b.stream)).toEqual(['noted-b']);
    // Four of a, and b's first (its check stops there).
    expect(report.events).toBe(5);

    // New events chain on and read back with their prevHash.
    await store.append('noted-a', [noted(6), noted(7)], 3n);
    const tail = await store.readStream('noted-a', { fromRevision: 3n });
    expect(tail.map((e) => e.metadata.prevHash)).toEqual([
      a[2]!.event.metadata.hash,
      tail[0]!.metadata.hash,
      tail[1]!.metadata.hash,
    ]);
  });
});
