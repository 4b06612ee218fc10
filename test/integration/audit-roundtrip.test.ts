import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECTIONS } from '../../projections/index.js';
import { createAuditUseCases } from '../../src/application/audit/audit-use-cases.js';
import { comparePositions } from '../../src/application/ports/event-store.port.js';
import { buildRuntime } from '../../src/composition/runtime.js';
import type { LocalDate } from '../../src/domain/shared/local-date.js';
import { PostgresAuditLog } from '../../src/infrastructure/audit/postgres-audit-log.js';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { InMemorySubjectKeyStore } from '../../src/infrastructure/event-store/in-memory-subject-key-store.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { randomIds, systemClock } from '../../src/infrastructure/system/system-clock.js';
import { exportCommand, importCommand } from '../../src/interfaces/cli/audit.js';
import { type Api, registerUser, startTestApp } from '../support/app.js';
import { testDatabase } from '../support/postgres.js';
import { committedHead, readModels, settled, until } from '../support/settled.js';

const silentOut = { log: () => undefined, error: (line: string) => console.error(line) };

/** A database with its store and the audit use cases (import, export, verify) over it. */
function side(pool: pg.Pool) {
  const store = new PostgresEventStore(pool);
  const audit = createAuditUseCases({
    store,
    auditLog: new PostgresAuditLog(pool),
    clock: systemClock,
    ids: randomIds,
    subjectKeys: new InMemorySubjectKeyStore(),
  });
  return { pool, store, audit };
}

const adminToken = () =>
  jwt.sign({ typ: 'access', scope: 'admin', fam: randomUUID() }, 'test-secret-test-secret-test-secret-0123', {
    algorithm: 'HS256',
    issuer: 'daybook',
    subject: randomUUID(),
    expiresIn: 600,
    jwtid: randomUUID(),
  });

async function expense(api: Api, token: string, amount: string, category: string, date: string, id?: string) {
  const res = await api('POST', '/api/transactions', {
    token,
    body: { amount, category, date, ...(id ? { id } : {}), merchant: `shop ${category}` },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; overspentBy?: string };
}

const dir = await mkdtemp(path.join(tmpdir(), 'daybook-audit-'));
/** The composition root's runtime (api role: no workers) on a database, as the CLI builds it. */
const runtimeOn = async (url: string) =>
  buildRuntime(
    loadConfig({
      DATABASE_URL: url,
      JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
      DAYBOOK_DATA_DIR: dir,
      DAYBOOK_ROLES: 'api',
      LOG_LEVEL: 'silent',
    }),
    createLogger('silent'),
  );
const app = await startTestApp();
const { api } = app;
const source = side(new pg.Pool({ connectionString: app.databaseUrl, max: 5 }));
const sourceRuntime = await runtimeOn(app.databaseUrl);
const targetDb = await testDatabase({ migrate: false });
const targetRuntime = await runtimeOn(targetDb.url);
// testDatabase drops the database right after pool.end() resolves, which is before idle connections
// have closed: the server's termination notice must not become an uncaught pool error.
targetDb.pool.on('error', () => undefined);
const target = side(targetDb.pool);
afterAll(async () => {
  await targetRuntime.projections.stop();
  await targetRuntime.shutdown();
  await sourceRuntime.shutdown();
  await target.store.close();
  await source.store.close();
  await source.pool.end();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Data keys are not events: when the instance keeps them (crypto-shredding), an operator copies them
 * beside the log, before the import; the encrypted fields in the log then read the same on both sides.
 */
async function copySubjectKeys(from: pg.Pool, to: pg.Pool): Promise<void> {
  const exists = await from.query<{ ok: boolean }>(`SELECT to_regclass('subject_keys') IS NOT NULL AS ok`);
  if (!exists.rows[0]?.ok) return;
  const { rows } = await from.query<{ rows: unknown }>(
    "SELECT coalesce(jsonb_agg(to_jsonb(k)), '[]') AS rows FROM subject_keys k",
  );
  await to.query(
    'INSERT INTO subject_keys SELECT * FROM jsonb_populate_recordset(NULL::subject_keys, $1::jsonb)',
    [JSON.stringify(rows[0]?.rows ?? [])],
  );
}

describe('export, import into a fresh database, rebuild the projections', () => {
  it('reproduces every event, hash and read-model row', { timeout: 120_000 }, async () => {
    const sourcePool = source.pool;
    // ---- A varied history, through the HTTP API where it has a route. ----
    const alice = await registerUser(api, { income: '3000.00', currency: 'USD' });
    const bob = await registerUser(api, { income: '2500.00', currency: 'EUR', timezone: 'America/New_York' });
    const carol = await registerUser(api, {
      income: '300000',
      currency: 'JPY',
      country: 'JP',
      timezone: 'Asia/Tokyo',
    });
    const users = [
      { ...alice, currency: 'USD', rent: '900.00', food: '600.00', fun: '310.00' },
      { ...bob, currency: 'EUR', rent: '800.00', food: '450.00', fun: '300.00' },
      { ...carol, currency: 'JPY', rent: '90000', food: '60000', fun: '31000' },
    ];
    for (const u of users) {
      for (const month of ['2025-05', '2025-06']) {
        const plan = await api('PUT', `/api/budget/plan/${month}`, {
          token: u.token,
          body: {
            categories: [
              { category: 'rent', amount: u.rent, kind: 'fixed', dueDay: 1 },
              { category: 'food', amount: u.food },
              { category: 'fun', amount: u.fun },
            ],
            ...(u === users[1] && month === '2025-06' ? { splitAlgorithm: 'weekend-weighted@2' } : {}),
          },
        });
        expect(plan.status, JSON.stringify(plan.body)).toBe(201);
      }
    }
    // A re-plan before anything happened in the month (replaces the split).
    await api('PUT', '/api/budget/plan/2025-06', {
      token: alice.token,
      body: {
        categories: [
          { category: 'rent', amount: '900.00', kind: 'fixed', dueDay: 1 },
          { category: 'food', amount: '620.00' },
          { category: 'fun', amount: '300.00' },
        ],
      },
    });
    const a1 = await expense(api, alice.token, '12.50', 'food', '2025-05-02');
    const a2 = await expense(api, alice.token, '45.00', 'food', '2025-05-03'); // overspends 20.00/day
    expect(a2.overspentBy).toBeDefined();
    await expense(api, alice.token, '9.99', 'fun', '2025-05-10');
    await expense(api, alice.token, '700.00', 'food', '2025-06-30'); // more than the month has left
    const b1 = await expense(api, bob.token, '30.00', 'fun', '2025-06-07'); // a weekend day
    await expense(api, bob.token, '14.00', 'food', '2025-05-15');
    const b3 = await expense(api, bob.token, '80.00', 'food', '2025-06-02');
    const fixedId = randomUUID();
    await expense(api, carol.token, '2500', 'food', '2025-05-05', fixedId);
    await expense(api, carol.token, '2500', 'food', '2025-05-05', fixedId); // an idempotent replay: no event
    const c2 = await expense(api, carol.token, '8000', 'fun', '2025-06-20');
    expect(
      (
        await api('POST', '/api/budget/adjust', {
          token: carol.token,
          body: {
            from: { date: '2025-06-25', category: 'food' },
            to: { date: '2025-06-21', category: 'fun' },
            amount: '500',
            reason: 'concert',
          },
        })
      ).status,
    ).toBe(201);
    expect(
      (await api('POST', '/api/budget/redistribute', { token: bob.token, body: { month: '2025-06' } }))
        .status,
    ).toBe(200);
    expect(
      (
        await api('PUT', '/api/users/preferences', {
          token: alice.token,
          body: { rolloverPolicy: 'savings' },
        })
      ).status,
    ).toBe(200);
    expect((await api('GET', `/api/audit/events?userId=${bob.userId}`, { token: adminToken() })).status).toBe(
      200,
    );

    // Amendments (one moves an expense to the other month), voids and day closes.
    const amended = await api('PUT', `/api/transactions/${a1.id}`, {
      token: alice.token,
      body: { amount: '32.00', description: 'with tip' },
    });
    expect(amended.status, JSON.stringify(amended.body)).toBe(200);
    expect((await api('DELETE', `/api/transactions/${b1.id}`, { token: bob.token })).status).toBe(204);
    expect(
      (await api('PUT', `/api/transactions/${b3.id}`, { token: bob.token, body: { category: 'fun' } }))
        .status,
    ).toBe(200);
    const moved = await api('PUT', `/api/transactions/${c2.id}`, {
      token: carol.token,
      body: { date: '2025-05-20' },
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    for (const u of [alice, bob]) {
      // What the day-close schedule does at the user's midnight (alice rolls to savings, bob forward).
      const closed = await sourceRuntime.daybook.closeDay(
        { userId: u.userId, day: '2025-05-01' as LocalDate },
        { correlationId: randomUUID(), actor: 'system:day-close' },
      );
      expect(closed.map((e) => e.type)).toEqual(['DayClosed']);
    }

    // ---- Wait for the worker (rebalances) and the projections. ----
    const head = await settled(sourcePool, source.store);
    const types = (
      await sourcePool.query<{ event_type: string }>('SELECT DISTINCT event_type FROM events')
    ).rows
      .map((r) => r.event_type)
      .sort();
    expect(types).toEqual([
      'AllocationAdjusted',
      'AuditRead',
      'BudgetPlanned',
      'BudgetRebalanced',
      'DayClosed',
      'ExpenseAmended',
      'ExpenseRecorded',
      'ExpenseVoided',
      'MonthOverdrawn',
      'OverspendDetected',
      'ProfileUpdated',
      // The category correction in the history teaches the user's rules (issue 15).
      'RuleAdded',
      'UserRegistered',
    ]);

    // ---- Export, import into an empty database, export again (the CLI commands, as wired). ----
    // The export reads below the cluster-wide read horizon: wait until it has passed this file's writes.
    const written = await committedHead(sourcePool);
    await until(
      () => source.store.headPosition(),
      (readable) => comparePositions(readable, written) >= 0,
      'source log readable',
    );
    const exported = path.join(dir, 'source.jsonl');
    expect(await exportCommand(sourceRuntime.daybook, ['--out', exported], silentOut)).toBe(0);
    await copySubjectKeys(source.pool, target.pool);
    expect(await importCommand(targetRuntime.daybook, ['--in', exported], silentOut)).toBe(0);
    const reexported = path.join(dir, 'target.jsonl');
    expect(await exportCommand(targetRuntime.daybook, ['--out', reexported], silentOut)).toBe(0);
    const lines = (await readFile(exported, 'utf8')).trimEnd().split('\n');
    // Each export is recorded once it ends (DataExported in security-system), so it is not part of itself.
    expect(lines.length + 1).toBe(
      Number((await sourcePool.query('SELECT count(*) FROM events')).rows[0].count),
    );
    const recorded = await source.store.readStream('security-system');
    expect(recorded.map((e) => [e.type, e.data])).toEqual([
      [
        'DataExported',
        {
          at: expect.any(String),
          actor: 'system:cli',
          subject: 'all',
          events: lines.length,
          complete: true,
        },
      ],
    ]);
    const exportedHead = await source.store.headPosition();
    const keys = await target.pool.query<{ n: number }>(
      `SELECT CASE WHEN to_regclass('subject_keys') IS NULL THEN 0 ELSE (SELECT count(*)::int FROM subject_keys) END AS n`,
    );
    if (keys.rows[0]?.n) {
      // Crypto-shredding is on: personal text travels sealed, and the copied keys open it on the target.
      expect(lines.some((line) => line.includes('"merchant":"enc:v1:'))).toBe(true);
    }
    // Same ids, streams, revisions, payloads, metadata and hashes, in the same global order.
    expect(await readFile(reexported, 'utf8')).toBe(await readFile(exported, 'utf8'));
    // Importing twice is refused.
    expect(
      await importCommand(targetRuntime.daybook, ['--in', exported], {
        log: () => undefined,
        error: () => undefined,
      }),
    ).toBe(1);

    // ---- Rebuild the read models on the target from its log. ----
    // The target's own runner, built by the composition root (so it reads the log as the source's does).
    const runner = targetRuntime.projections;
    await runner.start();
    const targetHead = await target.store.headPosition();
    await until(
      () => runner.status(),
      (status) =>
        status.length === PROJECTIONS.length &&
        status.every((g) => g.status === 'live' && comparePositions(g.position, targetHead) >= 0),
      'target projections caught up',
    );

    const [sourceModels, targetModels] = [await readModels(sourcePool), await readModels(target.pool)];
    expect(Object.keys(sourceModels).length).toBeGreaterThanOrEqual(PROJECTIONS.length);
    expect(Object.keys(targetModels)).toEqual(Object.keys(sourceModels));
    for (const [view, rows] of Object.entries(sourceModels)) {
      expect(targetModels[view], view).toEqual(rows);
    }
    expect(sourceModels.daily_allocation_cells?.length).toBeGreaterThan(100);
    expect(comparePositions(exportedHead, head)).toBeGreaterThan(0);
    expect(await source.store.headPosition()).toBe(exportedHead);

    // ---- Both logs verify. ----
    const [sourceReport, targetReport] = [
      await sourceRuntime.daybook.verifyChains(),
      await targetRuntime.daybook.verifyChains(),
    ];
    // The composition root's wiring verifies what is stored, like the bare PostgreSQL store.
    expect(await source.audit.verifyChains()).toEqual(sourceReport);
    expect(await target.audit.verifyChains()).toEqual(targetReport);
    // Both logs also hold the record of their own export.
    expect(sourceReport).toMatchObject({ ok: true, events: lines.length + 1 });
    expect(targetReport).toEqual(sourceReport);

    // ---- As of a moment after every event, the fold of the log equals the read models. ----
    for (const u of users) {
      for (const month of ['2025-05', '2025-06']) {
        const readModel = await api('GET', `/api/budget/monthly?month=${month}`, { token: u.token });
        const asOf = await api('GET', `/api/budget/monthly?month=${month}&asOf=2100-01-01T00:00:00Z`, {
          token: u.token,
        });
        expect(asOf.body, `${u.currency} ${month}`).toEqual(readModel.body);
        for (const date of [`${month}-01`, `${month}-03`, `${month}-21`, `${month}-30`]) {
          const day = await api('GET', `/api/budget/daily/${date}`, { token: u.token });
          const dayAsOf = await api('GET', `/api/budget/daily/${date}?asOf=2100-01-01T00:00:00Z`, {
            token: u.token,
          });
          expect(dayAsOf.body, `${u.currency} ${date}`).toEqual(day.body);
        }
      }
    }
  });
});
