import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PostgresAuditLog } from '../../src/infrastructure/audit/postgres-audit-log.js';
import { CryptoShreddingEventStore } from '../../src/infrastructure/event-store/crypto-shredding-event-store.js';
import { InMemorySubjectKeyStore } from '../../src/infrastructure/event-store/in-memory-subject-key-store.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { registerUser, startTestApp } from '../support/app.js';
import { auditHistory } from '../support/audit-history.js';
import { runDaybookCli } from '../support/cli.js';
import { testDatabase } from '../support/postgres.js';

const db = await testDatabase();
db.pool.on('error', () => undefined);
const ADMIN = `operator-${randomUUID()}@example.com`;
const app = await startTestApp({ ADMIN_EMAILS: ADMIN }, { databaseUrl: db.url });
await registerUser(app.api, { email: ADMIN });
const login = await app.api('POST', '/api/auth/login', {
  body: { email: ADMIN, password: 'correct horse battery' },
});
/** Parked events are for operators: the admin view of health lists them, the public one does not. */
const details = () => app.api('GET', '/health/details', { token: login.body.accessToken });
const PROJECTIONS = ['analytics', 'daily-allocation', 'transactions'];

/** An event written straight into the events table, as a bad migration or a manual fix would. */
async function insertDirectly(stream: string, type: string, data: object): Promise<string> {
  const id = randomUUID();
  await db.pool.query(
    `WITH head AS (
       INSERT INTO streams (stream_name, revision, last_hash) VALUES ($1, 0, 'x')
       ON CONFLICT (stream_name) DO UPDATE SET revision = streams.revision + 1 RETURNING revision, stream_id)
     INSERT INTO event_log (stream_id, stream_revision, event_id, type_id, data, metadata)
     SELECT stream_id, revision, $2, log_name_id($3), $4, $5 FROM head`,
    [
      stream,
      id,
      type,
      JSON.stringify(data),
      JSON.stringify({
        correlationId: id,
        occurredAt: new Date().toISOString(),
        schemaVersion: 1,
        prevHash: '',
        hash: 'x',
      }),
    ],
  );
  return id;
}

async function health() {
  for (;;) {
    const res = await details();
    const parked: Record<string, number> = res.body.checks.projections.parked;
    if (PROJECTIONS.every((p) => parked[p] === 2)) return res;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('an event a projection cannot handle', { timeout: 90_000 }, () => {
  it('is parked while the server serves and writes go on; listed, and applied by a retry once fixed', async () => {
    const { userId, token } = await registerAndPlan();
    // In another month: a stream whose events do not decode cannot take commands any more.
    const malformed = await insertDirectly(`budget-${userId}-2025-05`, 'ExpenseRecorded', {
      transactionId: 'not a uuid',
      amount: 'a lot',
    });
    // Another user's history whose data key is missing from this installation (copied without keys).
    const keys = new InMemorySubjectKeyStore();
    const foreign = new CryptoShreddingEventStore(new PostgresEventStore(db.pool), keys);
    const stranger = await auditHistory(foreign, new PostgresAuditLog(db.pool), { merchant: 'Corner Shop' });
    const [unreadable] = (
      await db.pool.query<{ id: string }>(
        `SELECT event_id::text AS id FROM events WHERE stream_name = $1 AND data ? 'merchant'`,
        [stranger.month],
      )
    ).rows;

    const degraded = await health();
    expect(degraded.status).toBe(200);
    expect(degraded.body).toMatchObject({
      status: 'degraded',
      checks: { projections: { status: 'degraded' } },
    });
    // The public view says degraded, and nothing about which events or why.
    const open = await app.api('GET', '/health');
    expect(open.status).toBe(200);
    expect(open.body.checks.projections).toEqual({ status: 'degraded', required: false });
    expect(JSON.stringify(open.body)).not.toContain(malformed);
    expect((await app.api('GET', '/health/details')).status).toBe(401);

    // Writes and reads go on.
    const expense = await app.api('POST', '/api/transactions', {
      token,
      body: { amount: '2.00', category: 'food', date: '2025-06-04', merchant: 'Bakery' },
    });
    expect(expense.status).toBe(201);
    const daily = await app.api('GET', `/api/budget/daily/2025-06-04?after=${expense.body.position}`, {
      token,
    });
    expect(daily.headers.get('daybook-caught-up')).toBe('true');
    expect(daily.body.categories.find((c: { category: string }) => c.category === 'food').spent).toBe('2.00');

    const listed = await runDaybookCli(['projections', 'errors'], db.url);
    expect(listed.code).toBe(1);
    expect(listed.stdout).toContain(malformed);
    expect(listed.stdout).toContain(unreadable?.id);
    expect(listed.stdout).toContain('PersonalDataUnreadableError: No data key');

    // The fix: the missing key is put back. The malformed event stays broken.
    const key = await keys.keyFor(stranger.userId);
    await db.pool.query('INSERT INTO subject_keys (user_id, key) VALUES ($1, $2)', [
      stranger.userId,
      Buffer.from(key),
    ]);
    const fixed = await runDaybookCli(['projections', 'retry', '--id', unreadable?.id as string], db.url);
    expect(fixed, fixed.stderr).toMatchObject({ code: 0, stdout: 'retried: 3 applied, 0 still failing\n' });
    const merchants = await db.pool.query(
      'SELECT merchant FROM read.transactions_transactions WHERE user_id = $1',
      [stranger.userId],
    );
    expect(merchants.rows.map((r) => r.merchant)).toContain('Corner Shop');

    const still = await runDaybookCli(['projections', 'retry', '--all'], db.url);
    expect(still.code).toBe(1);
    expect(still.stdout).toBe('retried: 0 applied, 3 still failing\n');
    expect(still.stderr).toContain(malformed);
    const remaining = await details();
    expect(remaining.body.checks.projections.parked).toEqual({
      analytics: 1,
      'daily-allocation': 1,
      transactions: 1,
    });
  });
});

async function registerAndPlan() {
  const email = `parked-${randomUUID()}@example.com`;
  const registered = await app.api('POST', '/api/auth/register', {
    body: {
      email,
      password: 'correct horse battery',
      income: '3000.00',
      currency: 'USD',
      country: 'US',
      timezone: 'UTC',
    },
  });
  const token = registered.body.accessToken as string;
  const plan = await app.api('PUT', '/api/budget/plan/2025-06', {
    token,
    body: { categories: [{ category: 'food', amount: '600.00' }] },
  });
  expect(plan.status).toBe(201);
  return { userId: registered.body.user.id as string, token };
}
