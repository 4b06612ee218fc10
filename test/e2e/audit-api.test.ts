import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { budgetMonthCodec } from '../../src/application/events/budget-month.codec.js';
import { budgetMonthDecider } from '../../src/domain/budget-month/budget-month.js';
import type { PlannedMonth } from '../../src/domain/budget-month/state.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { type Api, registerUser, startTestApp } from '../support/app.js';
import { until } from '../support/settled.js';

const app = await startTestApp();
const { api } = app;
const pool = new pg.Pool({ connectionString: app.databaseUrl, max: 4 });
const store = new PostgresEventStore(pool);
afterAll(async () => {
  await store.close();
  await pool.end();
});

/** An access token with the admin scope, signed like the server's (tests know its secret). */
const adminToken = (adminId: string) =>
  jwt.sign({ typ: 'access', scope: 'admin', fam: randomUUID() }, 'test-secret-test-secret-test-secret-0123', {
    algorithm: 'HS256',
    issuer: 'daybook',
    subject: adminId,
    expiresIn: 600,
    jwtid: randomUUID(),
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A user with a June plan (food 600.00: 20.00 a day) and two expenses on June 3rd, 50 ms apart. */
async function userWithTwoExpenses(call: Api) {
  const user = await registerUser(call);
  const plan = await call('PUT', '/api/budget/plan/2025-06', {
    token: user.token,
    body: { categories: [{ category: 'food', amount: '600.00' }] },
  });
  expect(plan.status).toBe(201);
  const first = await call('POST', '/api/transactions', {
    token: user.token,
    body: { amount: '5.00', category: 'food', date: '2025-06-03', merchant: 'Bakery' },
  });
  await sleep(50);
  const second = await call('POST', '/api/transactions', {
    token: user.token,
    body: { amount: '7.00', category: 'food', date: '2025-06-03' },
  });
  expect([first.status, second.status]).toEqual([201, 201]);
  return { ...user, month: `budget-${user.userId}-2025-06`, last: second.body.position as string };
}

describe('GET /api/audit/events', () => {
  it("lists the caller's own events across their streams, in global order, with metadata", async () => {
    const alice = await userWithTwoExpenses(api);
    const res = await api('GET', '/api/audit/events', { token: alice.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.userId).toBe(alice.userId);
    const items = res.body.items as {
      position: string;
      stream: string;
      revision: number;
      id: string;
      type: string;
      data: Record<string, unknown>;
      metadata: Record<string, unknown>;
    }[];
    expect(items.map((i) => [i.stream, i.revision, i.type])).toEqual([
      [`user-${alice.userId}`, 0, 'UserRegistered'],
      [alice.month, 0, 'BudgetPlanned'],
      [alice.month, 1, 'ExpenseRecorded'],
      [alice.month, 2, 'ExpenseRecorded'],
    ]);
    // Data as stored: amounts in minor units, as strings; personal text sealed when crypto-shredding is on.
    expect(items[2]?.data).toMatchObject({
      amount: '500',
      category: 'food',
      merchant: expect.stringMatching(/^(Bakery|enc:v1:.+)$/),
      day: '2025-06-03',
    });
    expect(items[2]?.metadata).toMatchObject({
      actor: alice.userId,
      schemaVersion: 1,
      correlationId: expect.any(String),
      occurredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      prevHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(res.body.nextCursor).toBeUndefined();

    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api('GET', `/api/audit/events?limit=1${cursor ? `&cursor=${cursor}` : ''}`, {
        token: alice.token,
      });
      expect(page.status).toBe(200);
      paged.push(...page.body.items.map((i: { id: string }) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(items.map((i) => i.id));

    const typed = await api('GET', '/api/audit/events?type=ExpenseRecorded', { token: alice.token });
    expect(typed.body.items).toHaveLength(2);
    const ofStream = await api('GET', `/api/audit/events?stream=user-${alice.userId}`, {
      token: alice.token,
    });
    expect(ofStream.body.items.map((i: { type: string }) => i.type)).toEqual(['UserRegistered']);
    const window = await api(
      'GET',
      `/api/audit/events?from=${encodeURIComponent(items[1]!.metadata.occurredAt as string)}&to=2100-01-01T00:00:00Z`,
      { token: alice.token },
    );
    expect(window.body.items.map((i: { id: string }) => i.id)).toEqual(items.slice(1).map((i) => i.id));

    const bad = await api('GET', '/api/audit/events?from=2025-06-03&limit=0&cursor=abc', {
      token: alice.token,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'query.cursor',
      'query.from',
      'query.limit',
    ]);
    expect((await api('GET', '/api/audit/events')).status).toBe(401);
  });

  it("lets only an admin read another user's history, and records that read", async () => {
    const alice = await userWithTwoExpenses(api);
    const bob = await registerUser(api);
    const own = await api('GET', '/api/audit/events', { token: bob.token });
    expect(own.body.items.map((i: { type: string }) => i.type)).toEqual(['UserRegistered']);
    const refused = await api('GET', `/api/audit/events?userId=${alice.userId}`, { token: bob.token });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('insufficient-scope');

    const adminId = randomUUID();
    const token = adminToken(adminId);
    // Alice's writes, read by someone else: no read-your-writes wait (see the trail below).
    const read = await until(
      () => api('GET', `/api/audit/events?userId=${alice.userId}&type=ExpenseRecorded`, { token }),
      (r) => r.status !== 200 || r.body.items.length >= 2,
      "alice's expenses, read by the admin",
    );
    expect(read.status).toBe(200);
    expect(read.body.items).toHaveLength(2);
    expect((await api('GET', `/api/audit/events?userId=${randomUUID()}`, { token })).status).toBe(404);

    // The subject sees who read their history, and what was asked.
    // The admin's write, not Alice's: her read does not wait for it, and the audit trail reads below the
    // cluster-wide read horizon, which another test file's open transaction can hold back a moment.
    const trail = await until(
      () => api('GET', `/api/audit/events?stream=audit-${alice.userId}`, { token: alice.token }),
      (r) => r.status !== 200 || r.body.items.length > 0,
      "the AuditRead in alice's trail",
    );
    expect(trail.body.items).toHaveLength(1);
    expect(trail.body.items[0]).toMatchObject({
      stream: `audit-${alice.userId}`,
      revision: 0,
      type: 'AuditRead',
      data: {
        reader: adminId,
        subject: alice.userId,
        query: { endpoint: 'events', type: 'ExpenseRecorded', limit: 100 },
        at: expect.any(String),
      },
      metadata: { actor: adminId },
    });
  });
});

describe('GET /api/audit/verify', () => {
  it("verifies the caller's streams and reports the event altered behind the store's back", async () => {
    const carol = await userWithTwoExpenses(api);
    const dave = await registerUser(api);
    const clean = await api('GET', '/api/audit/verify', { token: carol.token });
    expect(clean.status).toBe(200);
    expect(clean.body).toEqual({
      userId: carol.userId,
      ok: true,
      streams: 2,
      events: 4,
      brokenStreams: 0,
      broken: [],
    });

    const [, altered] = await store.readStream(carol.month);
    await pool.query(`UPDATE events SET data = jsonb_set(data, '{amount}', '"1"') WHERE event_id = $1`, [
      altered!.id,
    ]);
    const broken = await api('GET', '/api/audit/verify', { token: carol.token });
    expect(broken.body).toMatchObject({
      ok: false,
      brokenStreams: 1,
      firstBroken: { stream: carol.month, revision: 1, eventId: altered!.id, reason: 'hash-mismatch' },
    });
    expect((await api('GET', '/api/audit/verify', { token: dave.token })).body.ok).toBe(true);
    expect((await api('GET', `/api/audit/verify?userId=${carol.userId}`, { token: dave.token })).status).toBe(
      403,
    );
    const byAdmin = await api('GET', `/api/audit/verify?userId=${carol.userId}`, {
      token: adminToken(randomUUID()),
    });
    expect(byAdmin.body).toMatchObject({ userId: carol.userId, ok: false });
  });
});

describe('?asOf= on the daily and monthly budget', () => {
  it('answers from the log prefix recorded at or before the instant, not from the read models', async () => {
    const erin = await userWithTwoExpenses(api);
    const events = await store.readStream(erin.month);
    const [planned, first, second] = events.map((e) => Date.parse(e.metadata.occurredAt));
    expect(second! - first!).toBeGreaterThanOrEqual(2);
    const between = new Date(Math.floor((first! + second!) / 2));
    const asOf = encodeURIComponent(between.toISOString());

    const daily = await api('GET', `/api/budget/daily/2025-06-03?asOf=${asOf}`, { token: erin.token });
    expect(daily.status).toBe(200);
    // The state folded from the prefix of the log, by hand.
    const prefix = events.filter((e) => Date.parse(e.metadata.occurredAt) <= between.getTime());
    expect(prefix.map((e) => e.type)).toEqual(['BudgetPlanned', 'ExpenseRecorded']);
    const folded = prefix
      .map((e) => budgetMonthCodec.decode(e))
      .reduce(budgetMonthDecider.evolve, budgetMonthDecider.initialState()) as PlannedMonth;
    expect(folded.spent.get('3|food')).toBe(500n);
    expect(daily.body.categories).toEqual([
      { category: 'food', allocated: '20.00', spent: '5.00', remaining: '15.00' },
    ]);

    // Now (read model, caught up) differs; as of a moment after every event, it is the same answer.
    const now = await api('GET', `/api/budget/daily/2025-06-03?after=${erin.last}`, { token: erin.token });
    expect(now.body.categories[0].spent).toBe('12.00');
    const later = await api('GET', '/api/budget/daily/2025-06-03?asOf=2100-01-01T00:00:00%2B02:00', {
      token: erin.token,
    });
    expect(later.body).toEqual(now.body);

    const monthly = await api('GET', `/api/budget/monthly?month=2025-06&asOf=${asOf}`, { token: erin.token });
    expect(monthly.body.total).toEqual({
      planned: '600.00',
      allocated: '600.00',
      spent: '5.00',
      remaining: '595.00',
    });
    const monthlyNow = await api('GET', `/api/budget/monthly?month=2025-06&after=${erin.last}`, {
      token: erin.token,
    });
    const monthlyLater = await api('GET', '/api/budget/monthly?month=2025-06&asOf=2100-01-01T00:00:00Z', {
      token: erin.token,
    });
    expect(monthlyLater.body).toEqual(monthlyNow.body);

    const beforePlan = new Date(planned! - 1).toISOString();
    const unplanned = await api('GET', `/api/budget/monthly?month=2025-06&asOf=${beforePlan}`, {
      token: erin.token,
    });
    expect(unplanned.body).toMatchObject({ planned: false, categories: [] });

    for (const bad of ['2025-06-03T10:00:00', '2025-06-03', 'yesterday', '2025-02-30T00:00:00Z']) {
      const res = await api('GET', `/api/budget/daily/2025-06-03?asOf=${bad}`, { token: erin.token });
      expect(res.status, bad).toBe(400);
      expect(res.body.errors[0].field).toBe('query.asOf');
      const m = await api('GET', `/api/budget/monthly?month=2025-06&asOf=${bad}`, { token: erin.token });
      expect(m.status, bad).toBe(400);
    }
  });
});
