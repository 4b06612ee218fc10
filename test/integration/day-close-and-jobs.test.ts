import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresAnalyticsReadModel } from '../../projections/analytics/read-model.js';
import { PostgresBudgetReadModel } from '../../projections/daily-allocation/read-model.js';
import { PROJECTIONS } from '../../projections/index.js';
import { PostgresTransactionReadModel } from '../../projections/transactions/read-model.js';
import { createDaybook } from '../../src/application/daybook.js';
import { PostgresAuditLog } from '../../src/infrastructure/audit/postgres-audit-log.js';
import { argon2PasswordHasher } from '../../src/infrastructure/auth/argon2-password-hasher.js';
import { JwtTokenService } from '../../src/infrastructure/auth/jwt-token-service.js';
import { MemoryTokenStore } from '../../src/infrastructure/auth/memory-token-store.js';
import { PostgresCredentialStore } from '../../src/infrastructure/auth/postgres-credential-store.js';
import { RateLimiterLoginThrottle } from '../../src/infrastructure/auth/rate-limiter-login-throttle.js';
import { PostgresInstallationSecrets } from '../../src/infrastructure/backup/postgres-installation-secrets.js';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { InProcessWritePositions } from '../../src/infrastructure/consistency/in-process-write-positions.js';
import { InMemorySubjectKeyStore } from '../../src/infrastructure/event-store/in-memory-subject-key-store.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { PostgresIdempotencyStore } from '../../src/infrastructure/http/postgres-idempotency-store.js';
import { PostgresImportTaskStore } from '../../src/infrastructure/imports/postgres-import-task-store.js';
import { PgBossJobQueue } from '../../src/infrastructure/jobs/pg-boss-job-queue.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { ProjectionRunner } from '../../src/infrastructure/projections/projection-runner.js';
import { PostgresRecurringDirectory } from '../../src/infrastructure/reactions/postgres-recurring-directory.js';
import { PostgresUserDirectory } from '../../src/infrastructure/reactions/postgres-user-directory.js';
import { ReactionRunner } from '../../src/infrastructure/reactions/reaction-runner.js';
import { PostgresTransactionMonths } from '../../src/infrastructure/read-models/postgres-transaction-months.js';
import { InProcessNotifier } from '../../src/infrastructure/realtime/in-process-notifier.js';
import { receiptNotificationAdapters } from '../../src/infrastructure/receipts/receipt-notification-adapters.js';
import { randomIds } from '../../src/infrastructure/system/system-clock.js';
import { testDatabase } from '../support/postgres.js';
import { committedHead } from '../support/settled.js';

const db = await testDatabase();
const store = new PostgresEventStore(db.pool);
const jobs = await PgBossJobQueue.start(db.pool, { retryLimit: 1, retryDelaySeconds: 1 });
const projections = new ProjectionRunner(db.pool, store, PROJECTIONS, createLogger('silent'));
await projections.start();
afterAll(async () => {
  await projections.stop();
  await jobs.stop();
  await store.close();
});

let now = new Date('2025-06-01T00:30:00Z');
const clock = { now: () => now };
const daybook = createDaybook({
  store,
  clock,
  ids: randomIds,
  credentials: new PostgresCredentialStore(db.pool),
  hasher: argon2PasswordHasher,
  tokens: new JwtTokenService('x'.repeat(32), 900, 3600),
  tokenStore: new MemoryTokenStore(),
  loginThrottle: new RateLimiterLoginThrottle({
    maxFailuresPerAccount: 5,
    accountWindowSeconds: 900,
    maxFailuresPerIp: 50,
    ipWindowSeconds: 3600,
  }),
  healthChecks: [],
  jobs,
  directory: new PostgresUserDirectory(db.pool),
  readModel: new PostgresBudgetReadModel(db.pool),
  analytics: new PostgresAnalyticsReadModel(db.pool),
  transactions: new PostgresTransactionReadModel(db.pool),
  transactionMonths: new PostgresTransactionMonths(db.pool),
  recurringDirectory: new PostgresRecurringDirectory(db.pool),
  idempotency: new PostgresIdempotencyStore(db.pool),
  imports: new PostgresImportTaskStore(db.pool),
  notifier: new InProcessNotifier(),
  subjectKeys: new InMemorySubjectKeyStore(),
  personalDataScrubbers: [],
  rawStore: store,
  auditLog: new PostgresAuditLog(db.pool),
  secrets: new PostgresInstallationSecrets(db.pool),
  adminEmails: [],
  projections,
  parked: projections.parking,
  logger: createLogger('silent'),
  receiptsAndNotifications: receiptNotificationAdapters(loadConfig({}), db.pool, clock).ports,
  writes: new InProcessWritePositions(),
});
const ctx = { correlationId: randomUUID() };

async function until(condition: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('day close and jobs on PostgreSQL', () => {
  it('closes each past day at the user’s local midnight, rolling leftovers forward, once', async () => {
    const { user } = await daybook.registerUser(
      {
        email: `tokyo-${randomUUID()}@example.com`,
        password: 'correct horse battery',
        income: '1000.00',
        currency: 'USD',
        country: 'JP',
        timezone: 'Asia/Tokyo',
      },
      ctx,
    );
    await daybook.planMonth(
      { userId: user.userId, month: '2025-06', categories: [{ category: 'food', amount: '300.00' }] },
      ctx,
    );
    await daybook.recordExpense(
      { userId: user.userId, amount: '4.00', category: 'food', date: '2025-06-01' },
      ctx,
    );

    const runner = new ReactionRunner(db.pool, store, jobs, createLogger('silent'));
    runner.start();
    await until(
      async () =>
        (await db.pool.query('SELECT 1 FROM user_directory WHERE user_id = $1', [user.userId])).rowCount ===
        1,
      5000,
    );
    await runner.stop();

    // 23:59 on June 1 in Tokyo: nothing is due yet.
    now = new Date('2025-06-01T14:59:00Z');
    expect(await daybook.closeDueDays()).toEqual({ users: 0, days: 0 });
    // 01:00 on June 4 in Tokyo: June 1, 2 and 3 close.
    now = new Date('2025-06-03T16:00:00Z');
    expect(await daybook.closeDueDays()).toEqual({ users: 1, days: 3 });
    expect(await daybook.closeDueDays()).toEqual({ users: 0, days: 0 });

    const minPosition = await committedHead(db.pool);
    const calendar = await daybook.calendarMonth({ userId: user.userId, month: '2025-06', minPosition });
    expect(calendar.caughtUp).toBe(true);
    expect(calendar.days.slice(0, 4).map((d) => d.closed)).toEqual([true, true, true, false]);
    expect(calendar.days[0]).toMatchObject({ allocated: 400n, spent: 400n });
    const monthly = await daybook.monthlyBudget({ userId: user.userId, month: '2025-06', minPosition });
    expect(monthly.total.allocated).toBe(30000n);
    // Days 2 and 3 spent nothing: everything they had rolled on, so they end at zero.
    expect(calendar.days[1]?.allocated).toBe(0n);
    expect(calendar.days[2]?.allocated).toBe(0n);
  });

  it('sends a job once per key, and parks a job that keeps failing in the dead-letter queue', async () => {
    let attempts = 0;
    const key = randomUUID();
    await jobs.work('close-days', async () => {
      attempts += 1;
      throw new Error('always fails');
    });
    await jobs.send('close-days', { probe: key }, key);
    await jobs.send('close-days', { probe: key }, key);
    await until(
      async () => (await jobs.deadLetters('close-days')).some((d) => d.payload.probe === key),
      20_000,
    );
    expect(attempts).toBe(2);
  }, 30_000);
});
