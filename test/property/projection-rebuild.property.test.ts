import fc from 'fast-check';
import type { PoolClient, QueryResult } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECTIONS } from '../../projections/index.js';
import { chainEvents } from '../../src/application/event-store/hash-chain.js';
import { budgetMonthCodec } from '../../src/application/events/budget-month.codec.js';
import { userCodec } from '../../src/application/events/user.codec.js';
import { formatPosition, type RecordedEvent } from '../../src/application/ports/event-store.port.js';
import type { Projection } from '../../src/application/ports/projection.port.js';
import { budgetMonthDecider } from '../../src/domain/budget-month/budget-month.js';
import type { BudgetMonthEvent } from '../../src/domain/budget-month/events.js';
import type { BudgetMonthState } from '../../src/domain/budget-month/state.js';
import { budgetMonthStream } from '../../src/domain/budget-month/stream-name.js';
import { DomainError } from '../../src/domain/shared/domain-error.js';
import { userStream } from '../../src/domain/user/stream-name.js';
import { planCommand, type Scenario, scenarioArb, toCommands } from '../support/budget-arbitraries.js';
import { testDatabase } from '../support/postgres.js';
import { expectedTables, MODEL_QUERIES, ordered, type Tables } from '../support/projection-model.js';

/**
 * A read model must not depend on how the log is cut into batches: the runner commits whatever batch
 * size it read, resumes after a crash at any checkpoint, and a rebuild reads the same log in other cuts.
 * For random logs (one to three budget months of up to two users, decided from `scenarioArb`,
 * interleaved in `$all`, with user events that budget projections skip), every registered projection's
 * tables, published or not, after applying the log in random batch sizes equal, row for row, its
 * tables after applying the log in one batch from scratch; and every table holds what an independent
 * model says it must (test/support/projection-model.ts: the log folded per month with the aggregate's
 * `evolve`, no SQL and no batches).
 *
 * Each projection has two schemas created once with its DDL (`incremental` and `single`), each with a
 * connection of its own. A run builds both in parallel, each in one transaction that is rolled back after
 * the rows were read, so every run starts from empty tables and nothing needs dropping.
 */
const db = await testDatabase();
const VARIANTS = ['incremental', 'single'] as const;
type Variant = (typeof VARIANTS)[number];
/** A connection per projection and variant: the builds of a run go in parallel. */
const clients = new Map<string, PoolClient>();
const key = (projection: Projection, variant: Variant) => `${projection.name}/${variant}`;
const clientFor = (projection: Projection, variant: Variant) =>
  clients.get(key(projection, variant)) as PoolClient;

const schemaOf = (projection: Projection, variant: Variant) =>
  `prop_${projection.name.replaceAll('-', '_')}_${variant}`;

beforeAll(async () => {
  for (const projection of PROJECTIONS) {
    for (const variant of VARIANTS) {
      const client = await db.pool.connect();
      clients.set(key(projection, variant), client);
      const schema = schemaOf(projection, variant);
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(projection.ddl(schema));
    }
  }
});
afterAll(async () => {
  for (const projection of PROJECTIONS) {
    for (const variant of VARIANTS) {
      const client = clientFor(projection, variant);
      await client.query(`DROP SCHEMA IF EXISTS ${schemaOf(projection, variant)} CASCADE`);
      client.release();
    }
  }
});

const userId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const NOW = '2030-01-01T00:00:00.000Z';

/** One month's events as the command handler would store them: decided, encoded, hash-chained. */
function monthStream(s: Scenario, user: string, nextId: () => string): Omit<RecordedEvent, 'position'>[] {
  const plan = planCommand(s);
  const commands = [{ ...plan, data: { ...plan.data, userId: user } } as typeof plan, ...toCommands(s)];
  let state: BudgetMonthState = budgetMonthDecider.initialState();
  const decided: BudgetMonthEvent[] = [];
  for (const command of commands) {
    try {
      const events = budgetMonthDecider.decide(command, state);
      state = events.reduce(budgetMonthDecider.evolve, state);
      decided.push(...events);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  const stream = budgetMonthStream(user, s.month);
  const newEvents = decided.map((event) => {
    const { type, data, schemaVersion } = budgetMonthCodec.encode(event);
    const id = nextId();
    return { id, type, data, metadata: { correlationId: id, occurredAt: NOW, schemaVersion } };
  });
  return chainEvents(stream, 0n, '', newEvents).map(({ event, revision }) => ({
    ...event,
    streamName: stream,
    revision,
  }));
}

function userRegistered(user: string, id: string): Omit<RecordedEvent, 'position'> {
  const { type, data, schemaVersion } = userCodec.encode({
    type: 'UserRegistered',
    data: {
      userId: user,
      email: `${user}@example.com`,
      country: 'DE',
      timezone: 'Europe/Berlin',
      currency: 'EUR' as never,
      income: 100_000n,
      registeredAt: NOW,
    },
  });
  const stream = userStream(user);
  const [chained] = chainEvents(stream, 0n, '', [
    { id, type, data, metadata: { correlationId: id, occurredAt: NOW, schemaVersion } },
  ]);
  return { ...(chained?.event as RecordedEvent), streamName: stream, revision: 0n };
}

interface Log {
  readonly events: RecordedEvent[];
  readonly batchSizes: number[];
}

const logArb: fc.Arbitrary<Log> = fc
  .record({
    months: fc.array(fc.record({ scenario: scenarioArb(25), user: fc.integer({ min: 1, max: 2 }) }), {
      minLength: 1,
      maxLength: 3,
    }),
    picks: fc.array(fc.nat(), { maxLength: 300 }),
    batchSizes: fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 10 }),
  })
  .map(({ months, picks, batchSizes }) => {
    // Streams of distinct (user, month); the same user may budget two months.
    const seen = new Set<string>();
    const streams: Omit<RecordedEvent, 'position'>[][] = [];
    const users = new Set<string>();
    let ids = 0;
    const nextId = () => `e0000000-0000-4000-8000-${(++ids).toString(16).padStart(12, '0')}`;
    months.forEach(({ scenario, user }, i) => {
      let id = userId(user);
      if (seen.has(`${id}|${scenario.month}`)) id = userId(10 + i);
      seen.add(`${id}|${scenario.month}`);
      if (!users.has(id)) {
        users.add(id);
        streams.push([userRegistered(id, nextId())]);
      }
      streams.push(monthStream(scenario, id, nextId));
    });
    // Interleave the streams into one `$all` order, each stream's own order kept.
    const queues = streams.filter((s) => s.length > 0);
    const merged: Omit<RecordedEvent, 'position'>[] = [];
    let k = 0;
    while (queues.length > 0) {
      const q = (picks[k++] ?? 0) % queues.length;
      const queue = queues[q] as Omit<RecordedEvent, 'position'>[];
      merged.push(queue.shift() as Omit<RecordedEvent, 'position'>);
      if (queue.length === 0) queues.splice(q, 1);
    }
    const events = merged.map((e, i) => ({ ...e, position: formatPosition(1000n, BigInt(i + 1)) }));
    return { events, batchSizes };
  });

/** What the runner hands a projection: the batch's events of the types it reads, nothing when none. */
async function apply(
  client: PoolClient,
  projection: Projection,
  schema: string,
  events: readonly RecordedEvent[],
) {
  const relevant = events.filter((e) => projection.eventTypes.has(e.type));
  if (relevant.length > 0) await projection.applyBatch(client, schema, relevant);
}

function cut(events: readonly RecordedEvent[], sizes: readonly number[]): RecordedEvent[][] {
  const batches: RecordedEvent[][] = [];
  for (let at = 0, i = 0; at < events.length; i++) {
    const size = sizes[i % sizes.length] as number;
    batches.push(events.slice(at, at + size));
    at += size;
  }
  return batches;
}

const snapshots = new Map<string, string>();

/**
 * A query returning every table of the schema (published or not), each as its rows (`SELECT *`, in
 * their exact text form) ordered by all columns, in one round trip.
 */
async function snapshotQuery(client: PoolClient, schema: string): Promise<string> {
  const known = snapshots.get(schema);
  if (known) return known;
  const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
     JOIN information_schema.tables t USING (table_schema, table_name)
     WHERE c.table_schema = $1 AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position`,
    [schema],
  );
  const tables = new Map<string, string[]>();
  for (const c of rows) {
    // json has no ordering operator; its text does.
    const column = c.data_type === 'json' ? `t."${c.column_name}"::text` : `t."${c.column_name}"`;
    tables.set(c.table_name, [...(tables.get(c.table_name) ?? []), column]);
  }
  const query = `SELECT ${[...tables]
    .map(
      ([table, order]) =>
        `ARRAY(SELECT t::text FROM ${schema}.${table} t ORDER BY ${order.join(', ')}) AS "${table}"`,
    )
    .join(', ')}`;
  snapshots.set(schema, query);
  return query;
}

/** The projection's tables in the model's row form (test/support/projection-model.ts), in one order. */
async function modelTables(client: PoolClient, projection: Projection, schema: string): Promise<Tables> {
  const tables: Tables = {};
  for (const [table, query] of Object.entries(MODEL_QUERIES[projection.name] ?? {})) {
    const { rows } = await client.query<unknown[]>({
      text: query.replaceAll('$.', `${schema}.`),
      rowMode: 'array',
    });
    tables[table] = ordered(rows);
  }
  return tables;
}

describe('projection rebuild', () => {
  it('covers every registered projection', () => {
    expect(PROJECTIONS.length).toBeGreaterThan(0);
    expect(new Set(PROJECTIONS.map((p) => p.name)).size).toBe(PROJECTIONS.length);
  });

  it('builds the same rows incrementally in random batches as from scratch in one batch, and as the model of the log', async () => {
    await fc.assert(
      fc.asyncProperty(logArb, async ({ events, batchSizes }) => {
        /** One build in its own transaction, rolled back: the next run starts from empty tables. */
        const build = async (projection: Projection, variant: Variant) => {
          const client = clientFor(projection, variant);
          const schema = schemaOf(projection, variant);
          const snapshot = await snapshotQuery(client, schema);
          await client.query('BEGIN');
          try {
            const batches = variant === 'single' ? [events] : cut(events, batchSizes);
            for (const batch of batches) await apply(client, projection, schema, batch);
            const model = variant === 'single' ? await modelTables(client, projection, schema) : {};
            // The snapshot and the rollback in one round trip.
            const [tables] = (await client.query(`${snapshot}; ROLLBACK`)) as unknown as QueryResult[];
            return { rows: tables?.rows[0] as Record<string, string[]>, model };
          } catch (error) {
            await client.query('ROLLBACK');
            throw error;
          }
        };
        // allSettled: every build has rolled back before the next run (or a shrink) uses its connection.
        const settled = await Promise.allSettled(
          PROJECTIONS.flatMap((projection) => VARIANTS.map((variant) => build(projection, variant))),
        );
        const built = PROJECTIONS.map((projection, i) => {
          const [incremental, single] = VARIANTS.map((_, v) => {
            const r = settled[VARIANTS.length * i + v];
            if (r?.status !== 'fulfilled') throw r?.reason;
            return r.value;
          });
          return { projection, incremental, single };
        });
        for (const { projection, incremental, single } of built) {
          expect(Object.keys(single?.rows ?? {}).length, `${projection.name} has tables`).toBeGreaterThan(0);
          expect(incremental?.rows, `${projection.name}: random batches vs one batch`).toEqual(single?.rows);
          // Every table the projection has is modelled: a new one needs its model.
          expect(Object.keys(single?.model ?? {}).sort()).toEqual(Object.keys(single?.rows ?? {}).sort());
          expect(single?.model, `${projection.name}: the model's rows`).toEqual(
            expectedTables(projection.name, events),
          );
        }
      }),
    );
  }, 600_000);
});
