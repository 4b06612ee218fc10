import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsProjection } from '../../projections/analytics/index.js';
import { transactionsProjection } from '../../projections/transactions/index.js';
import { commandHandler } from '../../src/application/command-handler.js';
import { eventHash } from '../../src/application/event-store/hash-chain.js';
import { budgetMonthCodec } from '../../src/application/events/budget-month.codec.js';
import { userCodec } from '../../src/application/events/user.codec.js';
import {
  comparePositions,
  type EventStore,
  type JsonObject,
  type RecordedEvent,
  START,
  type StoredMetadata,
} from '../../src/application/ports/event-store.port.js';
import {
  PersonalDataUnreadableError,
  SubjectErasedError,
} from '../../src/application/ports/subject-key-store.port.js';
import { eraseUser, USER_ERASED } from '../../src/application/users/erase-user.js';
import { budgetMonthDecider } from '../../src/domain/budget-month/budget-month.js';
import type { BudgetMonthCommand } from '../../src/domain/budget-month/commands.js';
import { budgetMonthStream } from '../../src/domain/budget-month/stream-name.js';
import { parseCurrency } from '../../src/domain/shared/money.js';
import { userStream } from '../../src/domain/user/stream-name.js';
import { userDecider } from '../../src/domain/user/user.js';
import { PostgresCredentialStore } from '../../src/infrastructure/auth/postgres-credential-store.js';
import {
  CryptoShreddingEventStore,
  dataSubjectOf,
  ERASED,
  PERSONAL_FIELDS,
} from '../../src/infrastructure/event-store/crypto-shredding-event-store.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { PostgresSubjectKeyStore } from '../../src/infrastructure/event-store/postgres-subject-key-store.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { ProjectionRunner } from '../../src/infrastructure/projections/projection-runner.js';
import { PostgresPersonalDataScrubber } from '../../src/infrastructure/read-models/postgres-personal-data-scrubber.js';
import { randomIds } from '../../src/infrastructure/system/system-clock.js';
import { eventStoreContract } from '../contract/event-store.contract.js';
import { cat, day, flexible, record } from '../support/budget-fixtures.js';
import { testDatabase } from '../support/postgres.js';

const db = await testDatabase();
const inner = new PostgresEventStore(db.pool);
const keys = new PostgresSubjectKeyStore(db.pool);
const store = new CryptoShreddingEventStore(inner, keys);
afterAll(() => store.close());

// Its streams (`contract-<uuid>`) belong to no user: their events pass through untouched.
eventStoreContract('crypto-shredding over postgresql', async () => store);

const USD = parseCurrency('USD');
const NOW = '2025-06-10T12:00:00.000Z';
const clock = { now: () => new Date(NOW) };
const ctx = { correlationId: randomUUID() };

const handlers = (s: EventStore) => ({
  users: commandHandler({ store: s, clock, ids: randomIds }, userDecider, userCodec),
  budgets: commandHandler({ store: s, clock, ids: randomIds }, budgetMonthDecider, budgetMonthCodec),
});

/** A registered user with a renamed profile, a planned month, expenses with text, an amendment, a void. */
async function history(s: EventStore, userId: string, name: string) {
  const { users, budgets } = handlers(s);
  await users.handle(
    userStream(userId),
    {
      type: 'RegisterUser',
      data: {
        userId,
        currency: USD,
        income: 1_000_000n,
        email: `${name.toLowerCase()}@example.com`,
        displayName: `${name} Original`,
        country: 'US',
        timezone: 'UTC',
        now: NOW,
      },
    },
    ctx,
  );
  await users.handle(
    userStream(userId),
    { type: 'UpdateProfile', data: { displayName: `${name} Renamed`, now: NOW } },
    ctx,
  );
  const month = budgetMonthStream(userId, '2025-06');
  const run = (command: BudgetMonthCommand) => budgets.handle(month, command, ctx);
  await run({
    type: 'PlanMonth',
    data: {
      userId,
      month: '2025-06' as never,
      currency: USD,
      income: 1_000_000n,
      categories: [flexible('food', 300_000n), flexible('fun', 300_000n)],
      now: NOW,
    },
  });
  await run(record('t1', '2025-06-02', 'food', 1250n, { merchant: `${name} Bakery`, note: `${name} bread` }));
  await run(record('t2', '2025-06-03', 'fun', 4500n, { merchant: `Cinema of ${name}` }));
  await run(record('t3', '2025-06-03', 'food', 300n, { note: `${name} lunch` }));
  await run(record('t4', '2025-06-04', 'food', 700n, { merchant: `${name} Market` }));
  await run({
    type: 'AmendExpense',
    data: {
      transactionId: 't2',
      day: day('2025-06-05'),
      category: cat('fun'),
      amount: 4000n,
      currency: USD,
      merchant: `Cinema of ${name} (IMAX)`,
      note: `${name} with friends`,
      now: NOW,
    },
  });
  await run({ type: 'VoidExpense', data: { transactionId: 't4', reason: `${name} returned it`, now: NOW } });
}

interface StoredRow {
  stream_name: string;
  revision: string;
  event_id: string;
  event_type: string;
  data: JsonObject;
  metadata: StoredMetadata;
}

const storedRows = async (pool: pg.Pool, streams: readonly string[]) =>
  (
    await pool.query<StoredRow>(
      `SELECT stream_name, stream_revision::text AS revision, event_id::text, event_type, data, metadata
       FROM events WHERE stream_name = ANY($1) ORDER BY stream_name, stream_revision`,
      [streams],
    )
  ).rows;

/** Recomputes every stored row's hash from the row as stored; the first broken link, or undefined. */
async function verifyChains(pool: pg.Pool, streams: readonly string[]): Promise<string | undefined> {
  const rows = await storedRows(pool, streams);
  let previous: StoredRow | undefined;
  for (const row of rows) {
    const prevHash = previous?.stream_name === row.stream_name ? previous.metadata.hash : '';
    const hash = eventHash(
      row.stream_name,
      BigInt(row.revision),
      prevHash,
      row.event_id,
      row.event_type,
      row.data,
      row.metadata,
    );
    if (row.metadata.prevHash !== prevHash || row.metadata.hash !== hash)
      return `${row.stream_name}@${row.revision}`;
    previous = row;
  }
  const { rows: heads } = await pool.query<{ stream_name: string; last_hash: string }>(
    'SELECT stream_name, last_hash FROM streams WHERE stream_name = ANY($1)',
    [streams],
  );
  for (const head of heads) {
    const last = rows.filter((r) => r.stream_name === head.stream_name).at(-1);
    if (last?.metadata.hash !== head.last_hash) return `${head.stream_name} head`;
  }
  return undefined;
}

const streamsOf = (userId: string) => [userStream(userId), budgetMonthStream(userId, '2025-06')];

/** Every personal value of the events, by event id and field. */
function personalValues(events: readonly { id: string; type: string; data: JsonObject }[]) {
  const values: Record<string, unknown> = {};
  for (const e of events)
    for (const field of PERSONAL_FIELDS[e.type] ?? [])
      if (e.data[field] !== undefined) values[`${e.id}.${field}`] = e.data[field];
  return values;
}

const readAllOf = async (s: EventStore, streams: readonly string[]) => {
  const seen: RecordedEvent[] = [];
  let after = START;
  for (;;) {
    const page = await s.readAll({ after, maxCount: 500 });
    if (page.length === 0) return seen.filter((e) => streams.includes(e.streamName));
    seen.push(...page);
    after = page.at(-1)!.position;
  }
};

describe('crypto-shredding: personal data encrypted at rest, erasable per user', () => {
  const alice = randomUUID();
  const bob = randomUUID();
  const credentials = new PostgresCredentialStore(db.pool);
  const revoked: string[] = [];
  const scrubber = new PostgresPersonalDataScrubber(db.pool, { settleMs: 5000 });
  const erase = eraseUser({
    store,
    subjectKeys: keys,
    credentials,
    clock,
    ids: randomIds,
    tokenStore: { revokeUser: async (userId) => void revoked.push(userId) },
    personalDataScrubbers: [scrubber],
  });
  const runner = new ProjectionRunner(
    db.pool,
    store,
    [transactionsProjection, analyticsProjection],
    createLogger('silent'),
    { idleMs: 20 },
  );

  async function caughtUp() {
    const head = await store.headPosition();
    for (let i = 0; i < 500; i++) {
      const status = await runner.status();
      const live = status.filter((g) => g.status === 'live' || g.status === 'building');
      expect(status.filter((g) => g.status === 'failed')).toEqual([]);
      if (live.every((g) => comparePositions(g.position, head) >= 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('projections did not catch up');
  }

  /** The rows of the read models, to compare a scrubbed generation with a rebuilt one. */
  async function readModelRows() {
    const q = async (sql: string) => (await db.pool.query(sql)).rows;
    const { rows } = await db.pool.query<{ schema_name: string }>(
      `SELECT schema_name FROM projection_generations WHERE name = 'analytics' AND status = 'live'`,
    );
    const analytics = rows[0]!.schema_name;
    return {
      transactions: await q(
        `SELECT user_id, month, transaction_id, day::text, category, amount::text, merchant, note, source, status, amended
         FROM read.transactions_transactions ORDER BY user_id, month, transaction_id`,
      ),
      merchants: await q(
        'SELECT user_id, month, merchant, spent::text, transactions FROM read.analytics_merchant_months ORDER BY 1, 2, 3',
      ),
      categories: await q(
        'SELECT user_id, month, category, allocated::text, spent::text, transactions FROM read.analytics_category_months ORDER BY 1, 2, 3',
      ),
      expenses: await q(
        `SELECT user_id, month, transaction_id, merchant, amount::text, voided FROM ${analytics}.expenses ORDER BY 1, 2, 3`,
      ),
    };
  }

  let storedBefore: StoredRow[];
  let clearBefore: Record<string, unknown>;

  beforeAll(async () => {
    await runner.start();
    await history(store, alice, 'Alice');
    await history(store, bob, 'Bob');
    await credentials.create({ email: 'alice@example.com', userId: alice, passwordHash: 'x' });
    await credentials.create({ email: 'bob@example.com', userId: bob, passwordHash: 'x' });
    await caughtUp();
  });
  afterAll(() => runner.stop());

  it('names the owner of user and budget streams only', () => {
    expect(dataSubjectOf(userStream(alice))).toBe(alice);
    expect(dataSubjectOf(budgetMonthStream(alice, '2025-06'))).toBe(alice);
    expect(dataSubjectOf(`contract-${alice}`)).toBeUndefined();
    expect(dataSubjectOf('user-42')).toBeUndefined();
  });

  it('stores personal fields as ciphertext and everything else in clear', async () => {
    const rows = await storedRows(db.pool, [...streamsOf(alice), ...streamsOf(bob)]);
    const stored = personalValues(rows.map((r) => ({ id: r.event_id, type: r.event_type, data: r.data })));
    expect(Object.keys(stored).length).toBeGreaterThanOrEqual(2 * 10);
    for (const value of Object.values(stored)) expect(value).toMatch(/^enc:v1:[A-Za-z0-9_-]+$/);
    const { rows: leaks } = await db.pool.query(
      `SELECT event_id FROM events WHERE data::text ~ '(@example\\.com|Bakery|Renamed|Original|returned it|Cinema|lunch)'`,
    );
    expect(leaks).toEqual([]);
    const recorded = rows.find((r) => r.event_type === 'ExpenseRecorded')!;
    expect(recorded.data).toMatchObject({
      transactionId: 't1',
      day: '2025-06-02',
      category: 'food',
      amount: '1250',
    });
  });

  it('reads them in clear through every read path', async () => {
    const { users, budgets } = handlers(store);
    const { state } = await users.load(userStream(alice));
    expect(state).toMatchObject({
      status: 'registered',
      profile: { email: 'alice@example.com', displayName: 'Alice Renamed' },
    });
    const month = await store.readStream(budgetMonthStream(bob, '2025-06'));
    expect(month.find((e) => e.type === 'ExpenseRecorded')!.data).toMatchObject({
      merchant: 'Bob Bakery',
      note: 'Bob bread',
    });
    expect(month.find((e) => e.type === 'ExpenseVoided')!.data['reason']).toBe('Bob returned it');
    expect((await budgets.load(budgetMonthStream(bob, '2025-06'))).version).toBe(6n);

    const streams = [...streamsOf(alice), ...streamsOf(bob)];
    const byStream = personalValues((await Promise.all(streams.map((s) => store.readStream(s)))).flat());
    expect(personalValues(await readAllOf(store, streams))).toEqual(byStream);
    const backwards = await store.readStream(userStream(alice), { direction: 'backwards', maxCount: 1 });
    expect(backwards[0]!.data['displayName']).toBe('Alice Renamed');

    const delivered: RecordedEvent[] = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = store.subscribeToAll({
        onEvents: async (batch) => {
          delivered.push(...batch.filter((e) => streams.includes(e.streamName)));
          if (delivered.length >= 18) void subscription.stop().then(resolve, reject);
        },
      });
    });
    expect(personalValues(delivered)).toEqual(byStream);
    expect(Object.values(byStream).every((v) => typeof v === 'string' && !v.startsWith('enc:'))).toBe(true);

    const { rows } = await db.pool.query(
      `SELECT transaction_id, merchant, note FROM read.transactions_transactions WHERE user_id = $1 ORDER BY 1`,
      [alice],
    );
    expect(rows).toEqual([
      { transaction_id: 't1', merchant: 'Alice Bakery', note: 'Alice bread' },
      { transaction_id: 't2', merchant: 'Cinema of Alice (IMAX)', note: 'Alice with friends' },
      { transaction_id: 't3', merchant: null, note: 'Alice lunch' },
      { transaction_id: 't4', merchant: 'Alice Market', note: null },
    ]);
    storedBefore = await storedRows(db.pool, [...streamsOf(alice), ...streamsOf(bob)]);
    clearBefore = byStream;
  });

  it('erases one user: their personal fields read "[erased]", the other user’s stay readable', async () => {
    const erasure = await erase(
      { userId: alice, by: 'admin-1' },
      { correlationId: randomUUID(), actor: 'admin-1' },
    );
    expect(erasure).toMatchObject({
      userId: alice,
      keyDestroyed: true,
      credentialsRemoved: true,
      sessionsRevoked: true,
      event: { appended: true },
      scrubbed: [{ name: 'postgresql-read-models', settled: true }],
    });
    expect(erasure.scrubbed[0]!.rows).toBeGreaterThan(0);
    expect(revoked).toEqual([alice]);

    // The key bytes are gone; a tombstone remains.
    const { rows: keyRows } = await db.pool.query(
      'SELECT user_id::text, key, erased_at FROM subject_keys WHERE user_id = ANY($1::uuid[]) ORDER BY erased_at NULLS LAST',
      [[alice, bob]],
    );
    expect(keyRows.map((r) => [r.user_id, r.key === null, r.erased_at !== null])).toEqual([
      [alice, true, true],
      [bob, false, false],
    ]);

    // Login is impossible and the email is free again; Bob's is untouched.
    expect(await credentials.findByEmail('alice@example.com')).toBeUndefined();
    expect(await credentials.findByEmail('bob@example.com')).toMatchObject({ userId: bob });

    const streams = [...streamsOf(alice), ...streamsOf(bob)];
    const after = personalValues((await Promise.all(streams.map((s) => store.readStream(s)))).flat());
    const aliceIds = new Set((await inner.readStream(userStream(alice))).map((e) => e.id));
    for (const e of await inner.readStream(budgetMonthStream(alice, '2025-06'))) aliceIds.add(e.id);
    const expected = Object.fromEntries(
      Object.entries(clearBefore).map(([k, v]) => [k, aliceIds.has(k.split('.')[0]!) ? ERASED : v]),
    );
    expect(after).toEqual(expected);
    expect(Object.values(after).filter((v) => v === ERASED)).toHaveLength(11);
    expect(personalValues(await readAllOf(store, streams))).toEqual(expected);

    // The codecs still accept the erased payloads, and the month still folds to the same totals.
    for (const event of await store.readStream(userStream(alice)))
      if (event.type !== USER_ERASED) expect(() => userCodec.decode(event)).not.toThrow();
    const { budgets } = handlers(store);
    const month = await budgets.load(budgetMonthStream(alice, '2025-06'));
    expect(month.version).toBe(6n);
    const erasedLog = await store.readStream(budgetMonthStream(alice, '2025-06'));
    expect(erasedLog.map((e) => budgetMonthCodec.decode(e).type)).toHaveLength(7);
    expect(erasedLog.find((e) => e.type === 'ExpenseAmended')!.data).toMatchObject({
      amount: '4000',
      day: '2025-06-05',
      merchant: ERASED,
      note: ERASED,
    });

    const [userErased] = await store.readStream(userStream(alice), { direction: 'backwards', maxCount: 1 });
    expect(userErased).toMatchObject({
      type: USER_ERASED,
      data: { erasedAt: erasure.erasedAt, by: 'admin-1' },
      metadata: { actor: 'admin-1' },
    });
  });

  it('changes no stored byte: every hash chain still verifies over the rows as stored', async () => {
    const streams = [...streamsOf(alice), ...streamsOf(bob)];
    const now = await storedRows(db.pool, streams);
    expect(now.filter((r) => r.event_type !== USER_ERASED)).toEqual(storedBefore);
    expect(await verifyChains(db.pool, streams)).toBeUndefined();
    // The chain covers the ciphertext: verify on the wrapped store, never on decrypted events.
    for (const e of await inner.readStream(userStream(alice)))
      expect(eventHash(e.streamName, e.revision, e.metadata.prevHash, e.id, e.type, e.data, e.metadata)).toBe(
        e.metadata.hash,
      );
  });

  it('overwrites the read models’ copies exactly as a rebuild from the erased log would', async () => {
    const { rows } = await db.pool.query(
      `SELECT transaction_id, merchant, note FROM read.transactions_transactions WHERE user_id = $1 ORDER BY 1`,
      [alice],
    );
    expect(rows).toEqual([
      { transaction_id: 't1', merchant: ERASED, note: ERASED },
      { transaction_id: 't2', merchant: ERASED, note: ERASED },
      { transaction_id: 't3', merchant: null, note: ERASED },
      { transaction_id: 't4', merchant: ERASED, note: null },
    ]);
    const { rows: bobs } = await db.pool.query(
      `SELECT merchant FROM read.analytics_merchant_months WHERE user_id = $1 ORDER BY 1`,
      [bob],
    );
    expect(bobs.map((r) => r.merchant)).toEqual(
      expect.arrayContaining(['', 'bob bakery', 'bob market', 'cinema of bob (imax)']),
    );
    const { rows: alices } = await db.pool.query(
      `SELECT DISTINCT merchant FROM read.analytics_merchant_months WHERE user_id = $1 ORDER BY 1`,
      [alice],
    );
    expect(alices.map((r) => r.merchant)).toEqual(['', ERASED]);
    const { rows: text } = await db.pool.query(
      `SELECT count(*)::int AS n FROM read.transactions_transactions t
       WHERE user_id = $1 AND (merchant ILIKE '%alice%' OR note ILIKE '%alice%')`,
      [alice],
    );
    expect(text[0].n).toBe(0);

    const scrubbed = await readModelRows();
    const before = new Map((await runner.status()).map((g) => [g.name, g.generation]));
    await runner.rebuild('transactions');
    await runner.rebuild('analytics');
    let swapped = false;
    for (let i = 0; i < 500 && !swapped; i++) {
      const live = (await runner.status()).filter((g) => g.status === 'live');
      swapped = live.length === 2 && live.every((g) => g.generation > (before.get(g.name) ?? 0));
      if (!swapped) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(swapped).toBe(true);
    await caughtUp();
    expect(await readModelRows()).toEqual(scrubbed);
  });

  it('refuses personal data for an erased user but still records their non-personal facts', async () => {
    await expect(
      store.append(userStream(alice), [
        {
          id: randomUUID(),
          type: 'ProfileUpdated',
          data: { displayName: 'Back again', updatedAt: NOW },
          metadata: { correlationId: randomUUID(), occurredAt: NOW, schemaVersion: 1 },
        },
      ]),
    ).rejects.toBeInstanceOf(SubjectErasedError);
    const { budgets } = handlers(store);
    const closed = await budgets.handle(
      budgetMonthStream(alice, '2025-06'),
      { type: 'CloseDay', data: { day: day('2025-06-02'), policy: 'forward', now: NOW } },
      ctx,
    );
    expect(closed.events.map((e) => e.type)).toEqual(['DayClosed']);
    expect(await verifyChains(db.pool, streamsOf(alice))).toBeUndefined();
  });

  it('is idempotent: erasing again appends nothing and reports the first erasure', async () => {
    const [first] = await store.readStream(userStream(alice), { direction: 'backwards', maxCount: 1 });
    const again = await erase({ userId: alice, by: 'admin-2' }, { correlationId: randomUUID() });
    expect(again).toMatchObject({ keyDestroyed: false, event: { id: first!.id, appended: false } });
    expect(again.erasedAt).toBe(first!.data['erasedAt']);
    expect((await store.readStream(userStream(alice))).filter((e) => e.type === USER_ERASED)).toHaveLength(1);
    await expect(erase({ userId: randomUUID(), by: 'admin-2' }, ctx)).rejects.toMatchObject({
      code: 'user-not-found',
    });
    // The email can open a new account.
    expect(
      await credentials.create({ email: 'alice@example.com', userId: randomUUID(), passwordHash: 'y' }),
    ).toBe(true);
  });

  it('reaches the key cache of other processes at once (NOTIFY), not only after its TTL', async () => {
    const carol = randomUUID();
    await history(store, carol, 'Carol');
    const otherKeys = new PostgresSubjectKeyStore(db.pool, { cacheTtlMs: 3_600_000 });
    const other = new CryptoShreddingEventStore(new PostgresEventStore(db.pool), otherKeys);
    try {
      expect((await other.readStream(userStream(carol)))[0]!.data['email']).toBe('carol@example.com');
      await keys.erase(carol);
      let email: unknown;
      for (let i = 0; i < 100 && email !== ERASED; i++) {
        email = (await other.readStream(userStream(carol)))[0]!.data['email'];
        if (email !== ERASED) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(email).toBe(ERASED);
      await expect(otherKeys.keyFor(carol)).rejects.toBeInstanceOf(SubjectErasedError);
    } finally {
      await other.close();
    }
  });
});

const other = await testDatabase();

describe('crypto-shredding: tampering', () => {
  it('an altered ciphertext fails to decrypt, and the chain pinpoints the event', async () => {
    const s = new CryptoShreddingEventStore(
      new PostgresEventStore(other.pool),
      new PostgresSubjectKeyStore(other.pool),
    );
    try {
      const dave = randomUUID();
      await history(s, dave, 'Dave');
      const month = budgetMonthStream(dave, '2025-06');
      const target = (await storedRows(other.pool, [month])).find((r) => r.event_type === 'ExpenseRecorded')!;
      const envelope = target.data['merchant'] as string;
      const altered = envelope.slice(0, -2) + (envelope.endsWith('A') ? 'B' : 'A') + envelope.slice(-1);
      await other.pool.query(
        `UPDATE events SET data = jsonb_set(data, '{merchant}', to_jsonb($2::text)) WHERE event_id = $1`,
        [target.event_id, altered],
      );
      await expect(s.readStream(month)).rejects.toBeInstanceOf(PersonalDataUnreadableError);
      expect(await verifyChains(other.pool, [month])).toBe(`${month}@${target.revision}`);
      // Moving a ciphertext to another event is caught too (it is bound to its event id and field).
      await other.pool.query(
        `UPDATE events SET data = jsonb_set(data, '{merchant}', to_jsonb($2::text)) WHERE event_id = $1`,
        [target.event_id, envelope],
      );
      await expect(s.readStream(month)).resolves.toHaveLength(7);
      const second = (await storedRows(other.pool, [month])).filter(
        (r) => r.event_type === 'ExpenseRecorded',
      )[1]!;
      await other.pool.query(
        `UPDATE events SET data = jsonb_set(data, '{note}', to_jsonb($2::text)) WHERE event_id = $1`,
        [second.event_id, target.data['note']],
      );
      await expect(s.readStream(month)).rejects.toBeInstanceOf(PersonalDataUnreadableError);
    } finally {
      await s.close();
    }
  });
});
