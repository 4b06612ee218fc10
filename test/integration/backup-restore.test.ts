import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECTIONS } from '../../projections/index.js';
import { comparePositions } from '../../src/application/ports/event-store.port.js';
import { type Api, registerUser, startTestApp } from '../support/app.js';
import { runDaybookCli } from '../support/cli.js';
import { generateEventLog } from '../support/event-log-generator.js';
import { testDatabase } from '../support/postgres.js';
import { readModels, until } from '../support/settled.js';

const dir = await mkdtemp(path.join(tmpdir(), 'daybook-backup-'));
const key = randomBytes(32).toString('base64');
const withKey = { DAYBOOK_BACKUP_KEY: key, DAYBOOK_DATA_DIR: dir };
const source = await testDatabase();
const target = await testDatabase();
const keyless = await testDatabase();
for (const db of [source, target, keyless]) db.pool.on('error', () => undefined);
afterAll(() => rm(dir, { recursive: true, force: true }));

const PASSWORD = 'correct horse battery';

/** Users through the API: data keys, argon2 credentials, encrypted emails and merchants. */
async function apiUsers(api: Api) {
  const users = [];
  for (const [currency, timezone] of [
    ['USD', 'Europe/Berlin'],
    ['EUR', 'America/New_York'],
  ] as const) {
    const user = await registerUser(api, { currency, timezone, password: PASSWORD });
    const plan = await api('PUT', '/api/budget/plan/2025-06', {
      token: user.token,
      body: {
        categories: [
          { category: 'food', amount: '300.00' },
          { category: 'fun', amount: '90.00' },
        ],
      },
    });
    expect(plan.status).toBe(201);
    for (const [amount, date] of [
      ['12.50', '2025-06-02'],
      ['40.00', '2025-06-03'],
    ]) {
      const res = await api('POST', '/api/transactions', {
        token: user.token,
        body: { amount, category: 'food', date, merchant: `Market ${currency}`, description: 'weekly' },
      });
      expect(res.status).toBe(201);
    }
    users.push(user);
  }
  return users;
}

/**
 * Every projection has applied the last committed event. (Not `settled`: the generated log's reactions
 * send a rebalance job per overspend, each a no-op, which takes minutes on a shared machine. Not the
 * store's head either: it stays below any transaction still open, such as a running job's.)
 */
/** Parked events per consumer (what operators see in /health/details). */
const parkedCounts = async (pool: pg.Pool) =>
  Object.fromEntries(
    (
      await pool.query<{ consumer: string; n: number }>(
        'SELECT consumer, count(*)::int AS n FROM parked_events GROUP BY consumer',
      )
    ).rows.map((r) => [r.consumer, r.n]),
  );

const caughtUp = async (pool: pg.Pool) => {
  const { rows } = await pool.query<{ last: string }>(
    `SELECT transaction_id::text || '.' || global_position AS last FROM events ORDER BY global_position DESC LIMIT 1`,
  );
  const last = rows[0]?.last ?? '0.0';
  await until(
    async () =>
      (
        await pool.query<{ position: string }>(
          "SELECT position FROM projection_generations WHERE status = 'live'",
        )
      ).rows,
    (live) =>
      live.length === PROJECTIONS.length && live.every((r) => comparePositions(r.position, last) >= 0),
    'projections caught up',
    120_000,
  );
};

/** What a user sees: their month, day by day. */
const views = async (api: Api, token: string) => ({
  month: (await api('GET', '/api/budget/monthly?month=2025-06', { token })).body,
  calendar: (await api('GET', '/api/calendar/monthly/2025-06', { token })).body,
  day: (await api('GET', '/api/budget/daily/2025-06-03', { token })).body,
  transactions: (await api('GET', '/api/transactions?limit=50', { token })).body,
});

describe('backup and restore', { timeout: 400_000 }, () => {
  it('restores a whole installation into an empty database: same views, working logins, intact chains', async () => {
    const generated = await generateEventLog(source.pool, {
      users: 50,
      monthsPerUser: 2,
      expensesPerMonth: 8,
      seed: 11,
      firstMonth: '2025-04' as never,
    });
    const sourceApp = await startTestApp({}, { databaseUrl: source.url });
    const users = await apiUsers(sourceApp.api);
    await caughtUp(source.pool);
    const before = await readModels(source.pool);
    const seen = [];
    for (const u of users) seen.push(await views(sourceApp.api, u.token));
    await sourceApp.stop();

    const file = path.join(dir, 'installation.backup');
    let started = Date.now();
    const backup = await runDaybookCli(['backup', '--out', file], source.url, withKey);
    const backupSeconds = (Date.now() - started) / 1000;
    expect(backup, backup.stderr).toMatchObject({ code: 0 });
    const events = Number((await source.pool.query('SELECT count(*) FROM events')).rows[0].count) - 1; // its own DataExported
    expect(backup.stdout).toContain(`backed up ${events} event(s), 2 data key(s), 2 credential(s)`);
    // Encrypted: no email, merchant or hash in clear.
    const bytes = await readFile(file);
    expect(bytes.includes(Buffer.from(users[0]?.email ?? ''))).toBe(false);
    expect(bytes.includes(Buffer.from('"kind"'))).toBe(false);

    started = Date.now();
    const restore = await runDaybookCli(['restore', '--in', file], target.url, withKey);
    const restoreSeconds = (Date.now() - started) / 1000;
    expect(restore, restore.stderr).toMatchObject({ code: 0 });
    expect(restore.stdout).toContain(`restored ${events} event(s)`);
    console.info(
      `backup/restore of ${events} events (${generated} generated): ${backupSeconds} s / ${restoreSeconds} s`,
    );

    const verify = await runDaybookCli(['audit', 'verify'], target.url, withKey);
    expect(verify.code, verify.stdout).toBe(0);

    const targetApp = await startTestApp({}, { databaseUrl: target.url });
    await caughtUp(target.pool);
    expect(await readModels(target.pool)).toEqual(before);
    // Real views, not problem documents.
    for (const view of seen)
      expect([view.month.type, view.calendar.type, view.day.type]).toEqual([undefined, undefined, undefined]);
    for (const [i, u] of users.entries()) {
      const login = await targetApp.api('POST', '/api/auth/login', {
        body: { email: u.email, password: PASSWORD },
      });
      expect(login.status).toBe(200);
      expect(await views(targetApp.api, login.body.accessToken)).toEqual(seen[i]);
    }
    expect(await parkedCounts(target.pool)).toEqual({});
    await targetApp.stop();

    // The same file again: the target is no longer empty.
    const again = await runDaybookCli(['restore', '--in', file], target.url, withKey);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('restore failed (not-empty)');
  });

  it('refuses to run without a key, with a wrong key, or from an altered file', async () => {
    const noKey = await runDaybookCli(['backup', '--out', path.join(dir, 'x')], source.url, {
      DAYBOOK_DATA_DIR: dir,
    });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('DAYBOOK_BACKUP_KEY');

    const file = path.join(dir, 'installation.backup');
    const fresh = await testDatabase();
    fresh.pool.on('error', () => undefined);
    const keyFile = path.join(dir, 'wrong.key');
    await writeFile(keyFile, randomBytes(32).toString('hex'));
    const wrongKey = await runDaybookCli(['restore', '--in', file, '--key-file', keyFile], fresh.url, {
      DAYBOOK_DATA_DIR: dir,
    });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain('wrong-key-or-damaged');

    const bytes = await readFile(file);
    const altered = path.join(dir, 'altered.backup');
    bytes[bytes.length - 40] = (bytes[bytes.length - 40] ?? 0) ^ 1;
    await writeFile(altered, bytes);
    const damaged = await runDaybookCli(['restore', '--in', altered], fresh.url, withKey);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain('wrong-key-or-damaged');
    const truncated = path.join(dir, 'truncated.backup');
    await writeFile(truncated, bytes.subarray(0, bytes.length - 100));
    expect((await runDaybookCli(['restore', '--in', truncated], fresh.url, withKey)).stderr).toContain(
      'truncated',
    );
    // Nothing was written by the refused restores.
    expect(Number((await fresh.pool.query('SELECT count(*) FROM events')).rows[0].count)).toBe(0);
  });

  it('imports an export without keys: the server starts and serves, personal fields read [erased]', async () => {
    const file = path.join(dir, 'export.jsonl');
    expect((await runDaybookCli(['export', '--out', file], source.url, withKey)).code).toBe(0);
    const imported = await runDaybookCli(['import', '--in', file], keyless.url, withKey);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain('their personal fields read as [erased]');

    const app = await startTestApp({}, { databaseUrl: keyless.url });
    await caughtUp(keyless.pool);
    expect((await app.api('GET', '/health')).status).toBe(200);
    expect(await parkedCounts(keyless.pool)).toEqual({});
    const merchants = await keyless.pool.query(
      "SELECT DISTINCT merchant FROM read.transactions_transactions WHERE merchant LIKE 'Market%' OR merchant = '[erased]'",
    );
    expect(merchants.rows).toEqual([{ merchant: '[erased]' }]);
    const registered = await registerUser(app.api);
    expect(registered.token).toBeTruthy();
    await app.stop();
  });
});
