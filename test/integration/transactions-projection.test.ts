import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transactionsProjection } from '../../projections/transactions/index.js';
import { PostgresTransactionReadModel } from '../../projections/transactions/read-model.js';
import { commandHandler } from '../../src/application/command-handler.js';
import { readYourWrites } from '../../src/application/consistency/read-your-writes.js';
import { budgetMonthCodec } from '../../src/application/events/budget-month.codec.js';
import { userCodec } from '../../src/application/events/user.codec.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.port.js';
import {
  decodeTransactionCursor,
  encodeTransactionCursor,
  InvalidCursorError,
  type TransactionFilter,
  type TransactionItem,
} from '../../src/application/ports/transaction-read-model.port.js';
import {
  exportTransactions,
  getTransaction,
  listTransactions,
} from '../../src/application/transactions/list-transactions.query.js';
import { budgetMonthDecider } from '../../src/domain/budget-month/budget-month.js';
import type { BudgetMonthCommand } from '../../src/domain/budget-month/commands.js';
import type { BudgetMonthEvent } from '../../src/domain/budget-month/events.js';
import type { BudgetMonthState } from '../../src/domain/budget-month/state.js';
import { budgetMonthStream } from '../../src/domain/budget-month/stream-name.js';
import { DomainError } from '../../src/domain/shared/domain-error.js';
import { type Currency, parseCurrency } from '../../src/domain/shared/money.js';
import { userStream } from '../../src/domain/user/stream-name.js';
import { userDecider } from '../../src/domain/user/user.js';
import { InProcessWritePositions } from '../../src/infrastructure/consistency/in-process-write-positions.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { ProjectionRunner } from '../../src/infrastructure/projections/projection-runner.js';
import { randomIds } from '../../src/infrastructure/system/system-clock.js';
import { planCommand, type Scenario, scenarioArb, toCommands } from '../support/budget-arbitraries.js';
import { cat, day, flexible, NOW, record } from '../support/budget-fixtures.js';
import { testDatabase } from '../support/postgres.js';
import { committedHead } from '../support/settled.js';

const db = await testDatabase();
const store = new PostgresEventStore(db.pool);
const runner = new ProjectionRunner(db.pool, store, [transactionsProjection], createLogger('silent'), {
  idleMs: 20,
});
const clock = { now: () => new Date('2025-06-10T12:00:00.000Z') };
const budgets = commandHandler({ store, clock, ids: randomIds }, budgetMonthDecider, budgetMonthCodec);
const users = commandHandler({ store, clock, ids: randomIds }, userDecider, userCodec);
const readModel = new PostgresTransactionReadModel(db.pool);
const deps = { users, transactions: readModel };
const ctx = { correlationId: randomUUID() };
const USD = parseCurrency('USD');
const JPY = parseCurrency('JPY');

const alice = randomUUID();
const bob = randomUUID();

async function register(userId: string, currency: Currency) {
  await users.handle(
    userStream(userId),
    {
      type: 'RegisterUser',
      data: {
        userId,
        currency,
        income: 1_000_000n,
        email: `${userId}@example.com`,
        country: 'US',
        timezone: 'UTC',
        now: clock.now().toISOString(),
      },
    },
    ctx,
  );
}

async function plan(userId: string, month: string, currency: Currency) {
  await budgets.handle(
    budgetMonthStream(userId, month),
    {
      type: 'PlanMonth',
      data: {
        userId,
        month: month as never,
        currency,
        income: 1_000_000n,
        categories: [flexible('food', 300_000n), flexible('rent', 500_000n), flexible('fun', 100_000n)],
        now: clock.now().toISOString(),
      },
    },
    ctx,
  );
}

const handle = (userId: string, date: string, command: BudgetMonthCommand) =>
  budgets.handle(budgetMonthStream(userId, date.slice(0, 7)), command, ctx);

const spend = (
  userId: string,
  id: string,
  date: string,
  category: string,
  amount: bigint,
  extra: { merchant?: string; note?: string; currency?: Currency } = {},
) => handle(userId, date, record(id, date, category, amount, extra));

async function caughtUp() {
  expect(await readModel.waitFor(await committedHead(db.pool), 15_000)).toBe(true);
}

/** Every page of `list` with `limit`, checking each cursor leads to the next page. */
async function allPages(userId: string, filter: TransactionFilter, limit: number) {
  const pages: TransactionItem[][] = [];
  let cursor: string | undefined;
  do {
    const page = await readModel.list(userId, filter, { limit, ...(cursor ? { cursor } : {}) });
    pages.push([...page.items]);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return pages;
}

const ids = (items: readonly TransactionItem[]) => items.map((i) => i.transactionId);

/** The list order: newest day first, then transaction id in byte order. */
const listOrder = (a: TransactionItem, b: TransactionItem) =>
  a.day !== b.day ? (a.day < b.day ? 1 : -1) : a.transactionId < b.transactionId ? -1 : 1;

beforeAll(async () => {
  await runner.start();
  await register(alice, USD);
  await register(bob, JPY);
  await plan(alice, '2025-05', USD);
  await plan(alice, '2025-06', USD);
  await plan(bob, '2025-06', JPY);

  await spend(alice, 'a01', '2025-05-30', 'food', 1250n, { merchant: 'Corner Bakery', note: 'bread' });
  await spend(alice, 'a02', '2025-06-01', 'food', 820n, { merchant: 'SuperMart' });
  await spend(alice, 'a03', '2025-06-01', 'fun', 4500n, { merchant: 'Cinema City' });
  await spend(alice, 'a04', '2025-06-02', 'rent', 120_000n, { note: 'June, "flat"' });
  await spend(alice, 'a05', '2025-06-03', 'food', 300n, { merchant: 'supermart express' });
  await spend(alice, 'a06', '2025-06-03', 'fun', 2000n);
  await spend(alice, 'a07', '2025-06-03', 'food', 999n, { merchant: '=HYPERLINK("x")' });
  await spend(alice, 'a08', '2025-06-05', 'food', 1500n, { merchant: 'Bakery Two' });
  await spend(alice, 'a09', '2025-06-07', 'fun', 700n);
  await spend(alice, 'a10', '2025-06-07', 'food', 650n, { merchant: 'SuperMart' });
  // Bob reuses some of Alice's transaction ids: ids are only unique within a user's month.
  await spend(bob, 'a02', '2025-06-01', 'food', 800n, { merchant: 'SuperMart', currency: JPY });
  await spend(bob, 'b01', '2025-06-04', 'fun', 1200n, { merchant: 'Arcade', currency: JPY });

  // Alice amends a05 (new day, category, amount; merchant dropped) and voids a06.
  await handle(alice, '2025-06-03', {
    type: 'AmendExpense',
    data: {
      transactionId: 'a05',
      day: day('2025-06-08'),
      category: cat('fun'),
      amount: 333n,
      currency: USD,
      merchant: null,
      now: '2025-06-09T10:00:00.000Z',
    },
  });
  await handle(alice, '2025-06-03', {
    type: 'VoidExpense',
    data: { transactionId: 'a06', now: '2025-06-09T11:00:00.000Z' },
  });
  await caughtUp();
});

afterAll(async () => {
  await runner.stop();
  await store.close();
});

describe('transactions read model', () => {
  it('lists a user’s expenses newest day first, then by transaction id, with their current fields', async () => {
    const { items, nextCursor } = await readModel.list(alice, {}, { limit: 200 });
    expect(nextCursor).toBeUndefined();
    expect(ids(items)).toEqual(['a05', 'a09', 'a10', 'a08', 'a07', 'a04', 'a02', 'a03', 'a01']);
    expect(items.find((i) => i.transactionId === 'a01')).toEqual({
      transactionId: 'a01',
      day: '2025-05-30',
      category: 'food',
      amount: 1250n,
      currency: 'USD',
      merchant: 'Corner Bakery',
      note: 'bread',
      source: 'manual',
      status: 'recorded',
      recordedAt: NOW,
      amended: 0,
    });
  });

  it('applies an amendment to the row', async () => {
    const amended = await readModel.get(alice, 'a05');
    expect(amended).toEqual({
      transactionId: 'a05',
      day: '2025-06-08',
      category: 'fun',
      amount: 333n,
      currency: 'USD',
      source: 'manual',
      status: 'recorded',
      recordedAt: NOW,
      updatedAt: '2025-06-09T10:00:00.000Z',
      amended: 1,
    });
    expect((await readModel.list(alice, { merchant: 'express' }, { limit: 10 })).items).toEqual([]);
  });

  it('hides a voided expense unless voided ones are asked for', async () => {
    expect(
      ids(
        (await readModel.list(alice, { from: day('2025-06-03'), to: day('2025-06-03') }, { limit: 10 }))
          .items,
      ),
    ).toEqual(['a07']);
    const withVoided = await readModel.list(
      alice,
      { from: day('2025-06-03'), to: day('2025-06-03'), includeVoided: true },
      { limit: 10 },
    );
    expect(withVoided.items.map((i) => [i.transactionId, i.status])).toEqual([
      ['a06', 'voided'],
      ['a07', 'recorded'],
    ]);
    expect(withVoided.items[0]?.updatedAt).toBe('2025-06-09T11:00:00.000Z');
    expect((await readModel.get(alice, 'a06'))?.status).toBe('voided');
  });

  it('filters by dates, category, merchant (case-insensitive substring) and amount', async () => {
    const list = async (filter: TransactionFilter) =>
      ids((await readModel.list(alice, filter, { limit: 50 })).items);
    expect(await list({ from: day('2025-06-05') })).toEqual(['a05', 'a09', 'a10', 'a08']);
    expect(await list({ to: day('2025-06-01') })).toEqual(['a02', 'a03', 'a01']);
    expect(await list({ from: day('2025-06-02'), to: day('2025-06-05') })).toEqual(['a08', 'a07', 'a04']);
    expect(await list({ category: 'food' })).toEqual(['a10', 'a08', 'a07', 'a02', 'a01']);
    expect(await list({ merchant: 'supermart' })).toEqual(['a10', 'a02']);
    expect(await list({ merchant: 'BAKERY' })).toEqual(['a08', 'a01']);
    expect(await list({ merchant: '%' })).toEqual([]);
    expect(await list({ minAmount: 1000n })).toEqual(['a08', 'a04', 'a03', 'a01']);
    expect(await list({ maxAmount: 700n })).toEqual(['a05', 'a09', 'a10']);
    expect(await list({ minAmount: 650n, maxAmount: 1250n, category: 'food' })).toEqual([
      'a10',
      'a07',
      'a02',
      'a01',
    ]);
    expect(await list({ category: 'food', merchant: 'mart', from: day('2025-06-02') })).toEqual(['a10']);
  });

  it('walks every item exactly once, in order, three at a time', async () => {
    for (const filter of [{}, { includeVoided: true }, { category: 'food' }, { from: day('2025-06-02') }]) {
      const all = (await readModel.list(alice, filter, { limit: 200 })).items;
      const pages = await allPages(alice, filter, 3);
      expect(pages.slice(0, -1).every((p) => p.length === 3)).toBe(true);
      expect(pages.flat()).toEqual(all);
      expect(new Set(ids(pages.flat())).size).toBe(all.length);
      expect([...all].sort(listOrder)).toEqual(all);
    }
  });

  it('never lists or finds another user’s transactions', async () => {
    const bobs = (await readModel.list(bob, { includeVoided: true }, { limit: 200 })).items;
    expect(bobs.map((i) => [i.transactionId, i.amount, i.currency])).toEqual([
      ['b01', 1200n, 'JPY'],
      ['a02', 800n, 'JPY'],
    ]);
    expect(await readModel.get(bob, 'a01')).toBeUndefined();
    expect((await readModel.get(bob, 'a02'))?.amount).toBe(800n);
    expect((await readModel.get(alice, 'a02'))?.amount).toBe(820n);
    expect(await readModel.get(alice, 'b01')).toBeUndefined();
    expect(await readModel.get(randomUUID(), 'a01')).toBeUndefined();
    expect((await readModel.list(randomUUID(), {}, { limit: 10 })).items).toEqual([]);
  });

  it('streams the same items as paging does', async () => {
    for (const filter of [{}, { includeVoided: true }, { merchant: 'mart' }]) {
      const streamed: TransactionItem[] = [];
      for await (const item of readModel.stream(alice, filter)) streamed.push(item);
      expect(streamed).toEqual((await allPages(alice, filter, 3)).flat());
    }
  });

  it('streams more than one read page (1000) in order, each item once', async () => {
    const carol = randomUUID();
    await plan(carol, '2025-06', USD);
    const stream = budgetMonthStream(carol, '2025-06');
    const events = Array.from({ length: 1234 }, (_, i) => ({
      id: randomUUID(),
      ...budgetMonthCodec.encode({
        type: 'ExpenseRecorded',
        data: {
          transactionId: `c${String(i).padStart(4, '0')}`,
          day: day(`2025-06-${String((i % 30) + 1).padStart(2, '0')}`),
          category: cat('food'),
          amount: BigInt(i + 1),
          source: 'import',
          recordedAt: clock.now().toISOString(),
        },
      }),
      metadata: { correlationId: 'c', occurredAt: clock.now().toISOString(), schemaVersion: 1 },
    }));
    await store.append(stream, events, 'stream-exists');
    await caughtUp();
    const streamed: TransactionItem[] = [];
    for await (const item of readModel.stream(carol, {})) streamed.push(item);
    expect(streamed).toHaveLength(1234);
    expect(new Set(ids(streamed)).size).toBe(1234);
    expect([...streamed].sort(listOrder)).toEqual(streamed);
    expect(streamed.flat()).toEqual((await allPages(carol, {}, 200)).flat());
  });

  it('refuses a malformed cursor', async () => {
    const good = encodeTransactionCursor({ day: day('2025-06-03'), transactionId: 'a07' });
    expect(decodeTransactionCursor(good)).toEqual({ day: '2025-06-03', transactionId: 'a07' });
    const bad = [
      '',
      'not a cursor!',
      Buffer.from('{"day":"2025-06-03"}').toString('base64url'),
      Buffer.from('["2025-02-30","x"]').toString('base64url'),
      Buffer.from('["2025-06-03",""]').toString('base64url'),
      Buffer.from('["2025-06-03",7]').toString('base64url'),
      `${good}AA`,
      good.slice(0, -2),
    ];
    for (const cursor of bad) {
      expect(decodeTransactionCursor(cursor)).toBeUndefined();
      await expect(readModel.list(alice, {}, { limit: 3, cursor })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
    }
    expect(ids((await readModel.list(alice, {}, { limit: 2, cursor: good })).items)).toEqual(['a04', 'a02']);
  });
});

describe('transaction queries', () => {
  it('read their own writes, parse amounts in the user’s currency and scope reads to the user', async () => {
    const written = await spend(alice, 'a11', '2025-06-09', 'food', 4200n, { merchant: 'Late Shop' });
    const consistent = readYourWrites({ writes: new InProcessWritePositions(), timeoutMs: 2000 });
    const page = await consistent.query(
      [readModel],
      listTransactions(deps),
    )({
      userId: alice,
      filter: { minAmount: '42.00', maxAmount: '42', from: '2025-06-09', to: '2025-06-09' },
      limit: 10,
      ...(written.position ? { minPosition: written.position } : {}),
    });
    expect(page.caughtUp).toBe(true);
    expect(ids(page.items)).toEqual(['a11']);

    const got = await getTransaction(deps)({ userId: alice, transactionId: 'a11' });
    expect(got.item.merchant).toBe('Late Shop');
    await expect(getTransaction(deps)({ userId: bob, transactionId: 'a11' })).rejects.toMatchObject({
      code: 'transaction-not-found',
    });
    await expect(
      listTransactions(deps)({ userId: alice, filter: { minAmount: '1.001' }, limit: 10 }),
    ).rejects.toMatchObject({ code: 'invalid-money' });
    await expect(
      listTransactions(deps)({ userId: bob, filter: { minAmount: '1.5' }, limit: 10 }),
    ).rejects.toMatchObject({ code: 'invalid-money' });
    await expect(listTransactions(deps)({ userId: randomUUID(), limit: 10 })).rejects.toMatchObject({
      code: 'user-not-found',
    });

    const exported = await exportTransactions(deps)({ userId: alice, filter: { category: 'food' } });
    const all: TransactionItem[] = [];
    for await (const item of exported.items) all.push(item);
    expect(ids(all)).toEqual(['a11', 'a10', 'a08', 'a07', 'a02', 'a01']);
  });
});

// --- Batching does not change the result -------------------------------------------------------------

const MERCHANTS = [undefined, 'Corner Shop', 'corner shop, inc.', '=SUM(A1)', 'Café "Zoë"'];

/** The scenario's commands with merchants and notes, decided in order; rejected commands are skipped. */
function decideAll(s: Scenario, userId: string, flags: readonly number[]) {
  const flag = (i: number) => flags[i % flags.length] ?? 0;
  const commands = [planCommand(s), ...toCommands(s)].map((command, i): BudgetMonthCommand => {
    if (command.type === 'RecordExpense') {
      const n = Number(command.data.transactionId.slice(1));
      const merchant = MERCHANTS[n % MERCHANTS.length];
      return { ...command, data: { ...command.data, ...(merchant ? { merchant } : {}) } };
    }
    if (command.type === 'AmendExpense') {
      const f = flag(i);
      return {
        ...command,
        data: {
          ...command.data,
          ...(f % 3 === 0 ? { merchant: null } : f % 3 === 1 ? { note: `n${f}` } : {}),
        },
      };
    }
    return command;
  });
  let state: BudgetMonthState = budgetMonthDecider.initialState();
  const events: BudgetMonthEvent[] = [];
  commands.forEach((command, i) => {
    let decided: BudgetMonthEvent[];
    try {
      decided = budgetMonthDecider.decide(command, state);
    } catch (error) {
      if (error instanceof DomainError) return;
      throw error;
    }
    // Distinct timestamps, so a row that kept an old one would show.
    const at = new Date(Date.UTC(2030, 0, 1, 0, 0, i)).toISOString();
    for (const event of decided) {
      const stamped = stamp(event, at);
      state = budgetMonthDecider.evolve(state, stamped);
      events.push(stamped);
    }
  });
  return { state, stream: budgetMonthStream(userId, s.month), events };
}

function stamp(event: BudgetMonthEvent, at: string): BudgetMonthEvent {
  switch (event.type) {
    case 'ExpenseRecorded':
      return { ...event, data: { ...event.data, recordedAt: at } };
    case 'ExpenseAmended':
      return { ...event, data: { ...event.data, amendedAt: at } };
    case 'ExpenseVoided':
      return { ...event, data: { ...event.data, voidedAt: at } };
    default:
      return event;
  }
}

function recordedEvents(
  streams: readonly { stream: string; events: readonly BudgetMonthEvent[] }[],
  interleave: readonly boolean[],
): RecordedEvent[] {
  const queues = streams.map((s) => ({ ...s, next: 0 }));
  const out: RecordedEvent[] = [];
  let turn = 0;
  while (queues.some((q) => q.next < q.events.length)) {
    const pick = interleave[turn++ % Math.max(interleave.length, 1)] ? 1 : 0;
    const queue =
      queues.find((q, i) => i === pick && q.next < q.events.length) ??
      queues.find((q) => q.next < q.events.length);
    if (!queue) break;
    const event = queue.events[queue.next] as BudgetMonthEvent;
    const { type, data, schemaVersion } = budgetMonthCodec.encode(event);
    out.push({
      id: randomUUID(),
      type,
      data,
      metadata: {
        correlationId: 'p',
        occurredAt: '2030-01-01T00:00:00.000Z',
        schemaVersion,
        prevHash: '',
        hash: '',
      },
      streamName: queue.stream,
      revision: BigInt(queue.next),
      position: `${out.length + 1}.0`,
    });
    queue.next += 1;
  }
  return out;
}

describe('transactions projection batching', () => {
  const whole = 'prop_tx_whole';
  const split = 'prop_tx_split';

  beforeAll(async () => {
    for (const schema of [whole, split]) {
      await db.pool.query(`CREATE SCHEMA ${schema}`);
      await db.pool.query(transactionsProjection.ddl(schema));
    }
  });

  it('gives the same rows applied in one batch or in many, and matches the aggregate', async () => {
    const client = await db.pool.connect();
    const rows = async (schema: string) => ({
      transactions: (
        await client.query(
          `SELECT *, to_char(day, 'YYYY-MM-DD') AS day_text FROM ${schema}.transactions
           ORDER BY user_id, transaction_id, month`,
        )
      ).rows,
      months: (await client.query(`SELECT * FROM ${schema}.months ORDER BY user_id, month`)).rows,
    });
    try {
      await fc.assert(
        fc.asyncProperty(
          scenarioArb(25),
          scenarioArb(10),
          fc.array(fc.nat({ max: 8 }), { minLength: 1, maxLength: 8 }),
          fc.array(fc.boolean(), { maxLength: 10 }),
          fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }),
          async (a, b, flags, interleave, sizes) => {
            const users = [randomUUID(), randomUUID()] as const;
            const decided = [decideAll(a, users[0], flags), decideAll(b, users[1], [...flags].reverse())];
            const log = recordedEvents(decided, interleave);
            await client.query('BEGIN');
            try {
              await transactionsProjection.applyBatch(client, whole, log);
              for (let at = 0, i = 0; at < log.length; i++) {
                const size = sizes[i % sizes.length] as number;
                await transactionsProjection.applyBatch(client, split, log.slice(at, at + size));
                at += size;
              }
              const once = await rows(whole);
              expect(await rows(split)).toEqual(once);

              // The rows are the aggregate's transactions with their current fields.
              decided.forEach(({ state, events }, u) => {
                const mine = once.transactions.filter((r) => r.user_id === users[u]);
                if (state.status !== 'planned') {
                  expect(mine).toEqual([]);
                  return;
                }
                const amended = new Map<string, number>();
                const recordedAt = new Map<string, string>();
                const updatedAt = new Map<string, string>();
                for (const e of events) {
                  if (e.type === 'ExpenseRecorded') recordedAt.set(e.data.transactionId, e.data.recordedAt);
                  if (e.type === 'ExpenseAmended') {
                    amended.set(e.data.transactionId, (amended.get(e.data.transactionId) ?? 0) + 1);
                    updatedAt.set(e.data.transactionId, e.data.amendedAt);
                  }
                  if (e.type === 'ExpenseVoided') updatedAt.set(e.data.transactionId, e.data.voidedAt);
                }
                const expected = [...state.transactions].map(([id, t]) => ({
                  id,
                  day: t.current.day,
                  category: t.current.category,
                  amount: t.current.amount,
                  merchant: t.current.merchant,
                  note: t.current.note,
                  source: t.source,
                  status: t.voided ? 'voided' : 'recorded',
                  amended: amended.get(id) ?? 0,
                  currency: state.currency,
                  recordedAt: recordedAt.get(id),
                  updatedAt: updatedAt.get(id),
                }));
                const actual = mine.map((r) => ({
                  id: r.transaction_id,
                  day: r.day_text,
                  category: r.category,
                  amount: BigInt(r.amount),
                  merchant: r.merchant ?? undefined,
                  note: r.note ?? undefined,
                  source: r.source,
                  status: r.status,
                  amended: r.amended,
                  currency: r.currency,
                  recordedAt: (r.recorded_at as Date).toISOString(),
                  updatedAt: (r.updated_at as Date | null)?.toISOString(),
                }));
                const byId = (x: { id: string }, y: { id: string }) => (x.id < y.id ? -1 : 1);
                expect(actual.sort(byId)).toEqual(expected.sort(byId));
              });
            } finally {
              await client.query('ROLLBACK');
            }
          },
        ),
      );
    } finally {
      client.release();
    }
  }, 300_000);
});
