import { describe, expect, it, onTestFinished } from 'vitest';
import { startDaybook } from '../../src/server.js';
import { type Api, type ApiResponse, registerUser, startTestApp } from '../support/app.js';

const REDIS_URL = process.env.REDIS_URL;
const PAIRS = 100;

/** A user with a plan for June 2025 large enough that no expense below overspends. */
async function plannedUser(api: Api) {
  const user = await registerUser(api, { income: '100000.00' });
  const plan = await api('PUT', '/api/budget/plan/2025-06', {
    token: user.token,
    body: { categories: [{ category: 'food', amount: '90000.00' }] },
  });
  expect(plan.status).toBe(201);
  return user;
}

/** The i-th month from January 2026: one new plan per pair. */
const nthMonth = (i: number) => `${2026 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;

/** `PAIRS` times: a write, then at once a read; how many of the reads saw their write. */
async function count(pair: (i: number) => Promise<boolean>): Promise<number> {
  let seen = 0;
  for (let i = 0; i < PAIRS; i++) if (await pair(i)) seen += 1;
  return seen;
}

/**
 * Write-then-immediate-read pairs, with no hint from the client: `write` goes through one instance and
 * `read` through another (or the same). Three users, one per kind of pair, run side by side.
 */
async function pairs(write: Api, read: Api) {
  const spender = (await plannedUser(write)).token;
  const planner = (await registerUser(write)).token;
  const finder = (await plannedUser(write)).token;
  const amender = (await plannedUser(write)).token;
  const spentOn = new Map<string, number>();
  const [spent, planned, found, amended] = await Promise.all([
    count(async (i) => {
      const date = `2025-06-${String((i % 28) + 1).padStart(2, '0')}`;
      const body = { amount: '1.00', category: 'food', date };
      expect((await write('POST', '/api/transactions', { token: spender, body })).status).toBe(201);
      spentOn.set(date, (spentOn.get(date) ?? 0) + 1);
      const daily = await read('GET', `/api/budget/daily/${date}`, { token: spender });
      return daily.body.total.spent === `${spentOn.get(date)}.00`;
    }),
    count(async (i) => {
      const month = nthMonth(i);
      const body = { categories: [{ category: 'food', amount: '300.00' }] };
      expect((await write('PUT', `/api/budget/plan/${month}`, { token: planner, body })).status).toBe(201);
      const daily = await read('GET', `/api/budget/daily/${month}-15`, { token: planner });
      return daily.body.planned === true;
    }),
    count(async () => {
      const body = { amount: '2.00', category: 'food', date: '2025-06-30' };
      const posted = await write('POST', '/api/transactions', { token: finder, body });
      expect(posted.status).toBe(201);
      return (await read('GET', `/api/transactions/${posted.body.id}`, { token: finder })).status === 200;
    }),
    // Amending finds the expense in the transactions read model first.
    count(async () => {
      const body = { amount: '3.00', category: 'food', date: '2025-06-29' };
      const posted = await write('POST', '/api/transactions', { token: amender, body });
      expect(posted.status).toBe(201);
      const amend = { amount: '4.00' };
      return (
        (await read('PUT', `/api/transactions/${posted.body.id}`, { token: amender, body: amend })).status ===
        200
      );
    }),
  ]);
  return { spent, planned, found, amended };
}

/**
 * The bound of the instances that count pairs. The projections' read horizon is the oldest transaction
 * running anywhere on the PostgreSQL server, so on a server shared with other test runs a long
 * transaction elsewhere can hold every projection back past the default 2 s (the read then answers
 * `Daybook-Caught-Up: false`, as it should); a wider bound keeps the count about this feature.
 */
const PAIR_BOUND = { READ_YOUR_WRITES_TIMEOUT_MS: '10000' };

const app = await startTestApp(PAIR_BOUND);
// API only: nothing projects until a worker is started in a test. One waits far beyond a test's timeout.
const idle = await startTestApp({ DAYBOOK_ROLES: 'api', READ_YOUR_WRITES_TIMEOUT_MS: '60000' });
const bounded = await startTestApp({ DAYBOOK_ROLES: 'api', READ_YOUR_WRITES_TIMEOUT_MS: '100' });

describe('reading your own writes, with no hint from the client', () => {
  it('sees every write on the very next read (one instance)', { timeout: 120_000 }, async () => {
    expect(await pairs(app.api, app.api)).toEqual({
      spent: PAIRS,
      planned: PAIRS,
      found: PAIRS,
      amended: PAIRS,
    });
  });
});

describe.skipIf(!REDIS_URL)('two instances sharing PostgreSQL and Redis (needs REDIS_URL)', async () => {
  // A runs the projections; B only serves the API.
  const a = REDIS_URL
    ? await startTestApp({ ...PAIR_BOUND, DAYBOOK_ROLES: 'api,worker', REDIS_URL })
    : undefined;
  const b =
    a && REDIS_URL
      ? await startTestApp({ ...PAIR_BOUND, DAYBOOK_ROLES: 'api', REDIS_URL }, { databaseUrl: a.databaseUrl })
      : undefined;

  it('sees every write made through the other instance on the very next read', {
    timeout: 120_000,
  }, async () => {
    if (!a || !b) throw new Error('unreachable: the suite is skipped without REDIS_URL');
    // Writes through B read through A, and the other way round.
    const [bToA, aToB] = await Promise.all([pairs(b.api, a.api), pairs(a.api, b.api)]);
    expect(bToA).toEqual({ spent: PAIRS, planned: PAIRS, found: PAIRS, amended: PAIRS });
    expect(aToB).toEqual({ spent: PAIRS, planned: PAIRS, found: PAIRS, amended: PAIRS });
  });

  it('reads a profile changed through the other instance at once, although each keeps users it has seen', async () => {
    if (!a || !b) throw new Error('unreachable: the suite is skipped without REDIS_URL');
    const user = await registerUser(a.api);
    const token = user.token;
    for (let i = 0; i < 20; i++) {
      const [writer, reader] = i % 2 === 0 ? [a.api, b.api] : [b.api, a.api];
      expect((await reader('GET', '/api/users/me', { token })).status).toBe(200);
      const displayName = `name ${i}`;
      expect((await writer('PUT', '/api/users/me', { token, body: { displayName } })).status).toBe(200);
      expect((await reader('GET', '/api/users/me', { token })).body.displayName).toBe(displayName);
    }
  });
});

describe('opting out, and asking for a position, while no projection runs', () => {
  it('an eventual read answers at once; a default read and a Min-Position read wait for the write', async () => {
    const user = await registerUser(idle.api);
    const token = user.token;
    expect(
      (
        await idle.api('PUT', '/api/budget/plan/2025-06', {
          token,
          body: { categories: [{ category: 'food', amount: '600.00' }] },
        })
      ).status,
    ).toBe(201);
    const posted = await idle.api('POST', '/api/transactions', {
      token,
      body: { amount: '7.25', category: 'food', date: '2025-06-03' },
    });
    expect(posted.status).toBe(201);

    const settled = new Set<string>();
    const track = (name: string, response: Promise<ApiResponse>) => response.finally(() => settled.add(name));
    const byDefault = track('default', idle.api('GET', '/api/budget/daily/2025-06-03', { token }));
    const pinned = track(
      'min-position',
      idle.api('GET', '/api/budget/daily/2025-06-03', {
        token,
        headers: { 'daybook-consistency': 'eventual', 'daybook-min-position': posted.body.position },
      }),
    );

    // Opted out: answered from the (empty) read model, and it says it is not caught up.
    for (const eventual of [
      await idle.api('GET', '/api/budget/daily/2025-06-03?consistency=eventual', { token }),
      await idle.api('GET', '/api/transactions', { token, headers: { 'daybook-consistency': 'eventual' } }),
    ]) {
      expect(eventual.status).toBe(200);
      expect(eventual.headers.get('daybook-caught-up')).toBe('false');
    }
    const eventualDaily = await idle.api('GET', '/api/budget/daily/2025-06-03', {
      token,
      headers: { 'daybook-consistency': 'eventual' },
    });
    expect(eventualDaily.body.planned).toBe(false);
    // The others are still waiting: nothing has projected the write yet.
    expect([...settled]).toEqual([]);

    // A worker starts projecting: both waiting reads answer, with the write.
    const worker = await startDaybook({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: idle.databaseUrl,
      JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
      LOG_LEVEL: 'silent',
      DAYBOOK_ROLES: 'worker',
    });
    onTestFinished(() => worker.stop());
    for (const waited of [await byDefault, await pinned]) {
      expect(waited.status).toBe(200);
      expect(waited.headers.get('daybook-caught-up')).toBe('true');
      expect(waited.body).toMatchObject({ planned: true, total: { spent: '7.25' } });
    }
  });

  it('answers with what it has once the bound passes, and says so', async () => {
    const { token } = await registerUser(bounded.api);
    const plan = await bounded.api('PUT', '/api/budget/plan/2025-06', {
      token,
      body: { categories: [{ category: 'food', amount: '600.00' }] },
    });
    expect(plan.status).toBe(201);
    const daily = await bounded.api('GET', '/api/budget/daily/2025-06-03', { token });
    expect(daily.status).toBe(200);
    expect(daily.headers.get('daybook-caught-up')).toBe('false');
    expect(daily.body.planned).toBe(false);
    // A position the log has not reached (say, from another installation) is bounded the same way.
    const ahead = await bounded.api('GET', '/api/transactions', {
      token,
      headers: { 'daybook-min-position': '999999999.0' },
    });
    expect(ahead.status).toBe(200);
    expect(ahead.headers.get('daybook-caught-up')).toBe('false');
  });

  it('refuses a malformed Min-Position or consistency with a 400', async () => {
    const { token } = await registerUser(bounded.api);
    const badPosition = await bounded.api('GET', '/api/transactions', {
      token,
      headers: { 'daybook-min-position': 'latest' },
    });
    expect(badPosition.status).toBe(400);
    expect(badPosition.body.code).toBe('invalid-position');
    const badConsistency = await bounded.api('GET', '/api/analytics/dashboard?consistency=strong', { token });
    expect(badConsistency.status).toBe(400);
    expect(badConsistency.body.code).toBe('invalid-consistency');
  });
});
