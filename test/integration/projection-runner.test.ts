import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  comparePositions,
  type EventStore,
  type NewEvent,
  type ReadAllOptions,
  type RecordedEvent,
} from '../../src/application/ports/event-store.port.js';
import type { Projection } from '../../src/application/ports/projection.port.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { ProjectionRunner } from '../../src/infrastructure/projections/projection-runner.js';
import { testDatabase } from '../support/postgres.js';
import { committedHead } from '../support/settled.js';

const db = await testDatabase();
const store = new PostgresEventStore(db.pool);
afterAll(() => store.close());

const event = (type: string, data: Record<string, string> = {}): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: { correlationId: randomUUID(), occurredAt: new Date().toISOString(), schemaVersion: 1 },
});

/** Counts events per type; version and a poison type are parameters so a test can change them. */
function counter(name: string, version: number, poison?: string): Projection {
  return {
    name,
    version,
    eventTypes: new Set(['Counted', 'Poison']),
    publishedTables: ['counts'],
    ddl: (schema) =>
      `CREATE TABLE ${schema}.counts (type text PRIMARY KEY, n bigint NOT NULL, version int NOT NULL)`,
    async applyBatch(client: PoolClient, schema: string, events: readonly RecordedEvent[]) {
      for (const e of events) {
        if (e.type === poison) throw new Error(`cannot count ${e.type}`);
        await client.query(
          `INSERT INTO ${schema}.counts (type, n, version) VALUES ($1, 1, $2) ON CONFLICT (type) DO UPDATE SET n = ${schema}.counts.n + 1`,
          [e.type, version],
        );
      }
    },
  };
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const counts = async (view: string) =>
  (
    await db.pool.query<{ n: string; version: number }>(
      `SELECT n::text, version FROM read.${view}_counts WHERE type = 'Counted'`,
    )
  ).rows[0];

const countedInLog = async () =>
  Number((await db.pool.query("SELECT count(*) FROM events WHERE event_type = 'Counted'")).rows[0].count);

describe('projection runner', () => {
  it('parks the event a projection cannot handle, goes on with the rest, and applies it on retry once fixed', async () => {
    const stream = `s-${randomUUID()}`;
    await store.append(stream, [event('Counted'), event('Counted')]);
    const poison = event('Poison');
    await store.append(stream, [poison, event('Counted')]);
    // "No lag" is measured up to the read horizon, which another file's open transaction can hold below
    // these events: start once they are readable.
    const appended = await committedHead(db.pool);
    await until(
      () => store.headPosition(),
      (head) => comparePositions(head, appended) >= 0,
    );
    const fragile = counter('fragile', 1, 'Poison');
    const runner = new ProjectionRunner(
      db.pool,
      store,
      [counter('healthy', 1), fragile],
      createLogger('silent'),
    );
    await runner.start();
    const total = await countedInLog();
    await until(
      () => runner.status(),
      (s) => s.every((p) => p.lag === 0),
    );
    // The poison is parked; every Counted event, before and after it, was applied.
    expect((await counts('fragile'))?.n).toBe(String(total));
    expect((await counts('healthy'))?.n).toBe(String(total));
    expect(await runner.parking.counts()).toEqual({ fragile: 1 });
    const [parked] = await runner.parking.list();
    expect(parked).toMatchObject({
      consumer: 'fragile',
      eventId: poison.id,
      type: 'Poison',
      stream,
      attempts: 1,
    });
    expect(parked?.error).toContain('cannot count Poison');

    // Still broken: the retry fails again and says so.
    const again = await runner.parking.retry({ eventId: poison.id });
    expect(again).toMatchObject({ resolved: 0, failing: [{ eventId: poison.id, attempts: 2 }] });

    // Fixed (the handler now counts it): the retry applies it and the list is empty.
    (fragile as { applyBatch: Projection['applyBatch'] }).applyBatch = counter('fragile', 1).applyBatch;
    expect(await runner.parking.retry({ all: true })).toEqual({ resolved: 1, dropped: 0, failing: [] });
    await runner.stop();
    expect(await runner.parking.list()).toEqual([]);
    const poisoned = await db.pool.query(`SELECT n::text FROM read.fragile_counts WHERE type = 'Poison'`);
    expect(poisoned.rows).toEqual([{ n: '1' }]);
  });

  it('pauses while the database is unavailable and resumes from its checkpoint, parking nothing', async () => {
    const name = `paused${Date.now()}`;
    await store.append(`p-${randomUUID()}`, [event('Counted'), event('Counted')]);
    let outages = 2;
    const flaky: EventStore = Object.create(store, {
      readAll: {
        value: async (options: ReadAllOptions) => {
          if (outages > 0) {
            outages -= 1;
            throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
          }
          return store.readAll(options);
        },
      },
    });
    const runner = new ProjectionRunner(db.pool, flaky, [counter(name, 1)], createLogger('silent'));
    await runner.start();
    const total = await countedInLog();
    await until(
      () => counts(name),
      (c) => Number(c?.n) === total,
    );
    await runner.stop();
    expect(outages).toBe(0);
    expect(runner.parking.runnerFailures()).toEqual([{ consumer: name, kind: 'unavailable', count: 2 }]);
    expect((await runner.parking.counts())[name]).toBeUndefined();
  });

  it('builds a new version beside the live one, serving the old until the new has caught up, then swaps', async () => {
    const name = `versioned${Date.now()}`;
    const stream = `v-${randomUUID()}`;
    await store.append(
      stream,
      Array.from({ length: 5 }, () => event('Counted')),
    );
    const before = await countedInLog();
    const v1 = new ProjectionRunner(db.pool, store, [counter(name, 1)], createLogger('silent'));
    await v1.start();
    await until(
      () => counts(name),
      (c) => c?.n === String(before),
    );
    await v1.stop();

    await store.append(
      stream,
      Array.from({ length: 3 }, () => event('Counted')),
    );
    // Caught up means up to the read horizon, which another file's open transaction can hold below the
    // three new events: start version 2 once they are readable, or it may swap without them.
    const appended = await committedHead(db.pool);
    await until(
      () => store.headPosition(),
      (head) => comparePositions(head, appended) >= 0,
    );
    const v2 = new ProjectionRunner(db.pool, store, [counter(name, 2)], createLogger('silent'), {
      batchSize: 1,
    });
    await v2.ensureGenerations();
    const building = (await v2.status()).find((p) => p.name === name && p.status === 'building');
    expect(building).toMatchObject({ version: 2, generation: 2 });
    // Readers still see version 1 (frozen at 5: its code is gone) while version 2 builds.
    expect(await counts(name)).toEqual({ n: String(before), version: 1 });
    await v2.start();
    const swapped = await until(
      () => counts(name),
      (c) => c?.version === 2,
    );
    await v2.stop();
    expect(swapped).toEqual({ n: String(before + 3), version: 2 });
    const generations = (
      await db.pool.query(
        'SELECT generation, status FROM projection_generations WHERE name = $1 ORDER BY generation',
        [name],
      )
    ).rows;
    expect(generations).toEqual([
      { generation: 1, status: 'retired' },
      { generation: 2, status: 'live' },
    ]);
    const schemas = await db.pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [`proj_${name}_g1`]);
    expect(schemas.rowCount).toBe(0);
  });

  it('lets only one runner drive a generation when two processes run', async () => {
    const name = `shared${Date.now()}`;
    await store.append(
      `x-${randomUUID()}`,
      Array.from({ length: 50 }, () => event('Counted')),
    );
    const a = new ProjectionRunner(db.pool, store, [counter(name, 1)], createLogger('silent'), {
      batchSize: 3,
    });
    const b = new ProjectionRunner(db.pool, store, [counter(name, 1)], createLogger('silent'), {
      batchSize: 3,
    });
    await a.start();
    await b.start();
    const total = await countedInLog();
    await until(
      () => counts(name),
      (c) => Number(c?.n) === total,
    );
    await new Promise((r) => setTimeout(r, 300));
    await Promise.all([a.stop(), b.stop()]);
    expect(Number((await counts(name))?.n)).toBe(total);
  });
});
