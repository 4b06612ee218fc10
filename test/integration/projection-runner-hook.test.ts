import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { NewEvent, RecordedEvent } from '../../src/application/ports/event-store.port.js';
import type { Projection } from '../../src/application/ports/projection.port.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { ProjectionRunner } from '../../src/infrastructure/projections/projection-runner.js';
import { testDatabase } from '../support/postgres.js';

const db = await testDatabase();
const store = new PostgresEventStore(db.pool);
afterAll(() => store.close());

const event = (type: string, data: Record<string, string> = {}): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: { correlationId: randomUUID(), occurredAt: new Date().toISOString(), schemaVersion: 1 },
});

/** Keeps the ids of the `Noted` events it applied. */
const notes = (name: string): Projection => ({
  name,
  version: 1,
  eventTypes: new Set(['Noted']),
  publishedTables: ['notes'],
  ddl: (schema) => `CREATE TABLE ${schema}.notes (id text PRIMARY KEY)`,
  async applyBatch(client: PoolClient, schema: string, events: readonly RecordedEvent[]) {
    for (const e of events) await client.query(`INSERT INTO ${schema}.notes (id) VALUES ($1)`, [e.id]);
  },
});

async function until(ok: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error('not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('projection runner onCommitted hook', () => {
  it('is called after the batch is visible to readers, never for a generation being rebuilt, and its failures never stop the runner', async () => {
    const name = `hooked${Date.now()}`;
    const view = `read.${name}_notes`;
    const calls: { projection: string; ids: string[]; visible: boolean[] }[] = [];
    let mode: 'record' | 'throw' | 'reject' = 'record';
    const checks: Promise<void>[] = [];
    const runner = new ProjectionRunner(db.pool, store, [notes(name)], createLogger('silent'), {
      onCommitted: (projection, events) => {
        if (mode === 'throw') throw new Error('hook exploded');
        if (mode === 'reject') return Promise.reject(new Error('hook rejected'));
        const call = { projection, ids: events.map((e) => e.id), visible: [] as boolean[] };
        calls.push(call);
        // Read through another connection: only committed rows are visible there.
        checks.push(
          (async () => {
            const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM ${view}`);
            const seen = new Set(rows.map((r) => r.id));
            const noted = events.filter((e) => e.type === 'Noted');
            call.visible = noted.map((e) => seen.has(e.id));
          })(),
        );
      },
    });
    await runner.start();
    const stream = `h-${randomUUID()}`;
    const first = [event('Noted'), event('Other'), event('Noted')];
    await store.append(stream, first);
    await until(() => calls.some((c) => c.ids.includes(first[2]!.id)));
    await Promise.all(checks);
    const ours = calls.filter((c) => c.ids.some((id) => first.some((e) => e.id === id)));
    expect(ours.every((c) => c.projection === name)).toBe(true);
    // The events of the types the projection reads are handed over, in log order.
    expect(ours.flatMap((c) => c.ids).filter((id) => first.some((e) => e.id === id))).toEqual(
      first.filter((e) => e.type === 'Noted').map((e) => e.id),
    );
    expect(ours.flatMap((c) => c.visible)).toEqual([true, true]);

    // A rebuild replays from position 0 into a new generation: nothing is handed to the hook.
    const before = calls.length;
    await runner.rebuild(name);
    await until(async () => {
      const status = await runner.status();
      return status.some((p) => p.name === name && p.generation === 2 && p.status === 'live');
    });
    expect(calls.slice(before).flatMap((c) => c.ids)).toEqual([]);

    // Hook failures are logged; the projection goes on.
    for (const failing of ['throw', 'reject'] as const) {
      mode = failing;
      const e = event('Noted');
      await store.append(stream, [e]);
      await until(
        async () => (await db.pool.query(`SELECT 1 FROM ${view} WHERE id = $1`, [e.id])).rowCount === 1,
      );
    }
    mode = 'record';
    const last = event('Noted');
    await store.append(stream, [last]);
    await until(() => calls.some((c) => c.ids.includes(last.id)));
    await runner.stop();
  });
});
