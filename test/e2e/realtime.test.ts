import { describe, expect, it } from 'vitest';
import { type Api, registerUser, startTestApp } from '../support/app.js';
import { connectWs, type Frame, handshakeStatus, type TestSocket, wsUrl } from '../support/ws-client.js';

const REDIS_URL = process.env.REDIS_URL;

/** A registered user with a planned month and a WebSocket connected with their token. */
async function userOnline(api: Api, wsBase: string, month: string, food = '600.00') {
  const user = await registerUser(api);
  const plan = await api('PUT', `/api/budget/plan/${month}`, {
    token: user.token,
    body: { categories: [{ category: 'food', amount: food }] },
  });
  expect(plan.status).toBe(201);
  const socket = await connectWs(wsUrl(wsBase), { protocols: ['bearer', user.token] });
  expect(await socket.next((f) => f.type === 'ready')).toMatchObject({ type: 'ready' });
  return { ...user, socket };
}

/** Posts an expense and waits for its transaction alert; returns both and the delay in ms. */
async function spendAndHear(api: Api, token: string, socket: TestSocket, body: Record<string, string>) {
  const posted = await api('POST', '/api/transactions', { token, body });
  expect(posted.status).toBe(201);
  const answeredAt = performance.now();
  const alert = await socket.next(
    (f) => f.type === 'ExpenseRecorded' && (f.data as Frame).transactionId === posted.body.id,
    5000,
  );
  return { posted, alert, delayMs: performance.now() - answeredAt };
}

const app = await startTestApp();

describe('real-time push at /ws (one instance: api and worker)', () => {
  it('tells a user about their own expense within a second of the projection, and only them', async () => {
    const alice = await userOnline(app.api, app.url, '2025-06');
    const bob = await userOnline(app.api, app.url, '2025-06');
    // Bob's socket saw his own plan, nobody else's.
    expect(await bob.socket.next((f) => f.channel === 'budget-updates')).toMatchObject({
      type: 'BudgetPlanned',
      userId: bob.userId,
    });

    const { posted, alert, delayMs } = await spendAndHear(app.api, alice.token, alice.socket, {
      amount: '12.50',
      category: 'food',
      date: '2025-06-03',
      merchant: 'Bakery',
    });
    expect(delayMs).toBeLessThan(2000);
    expect(alert).toEqual({
      channel: 'transaction-alerts',
      type: 'ExpenseRecorded',
      userId: alice.userId,
      month: '2025-06',
      position: posted.body.position,
      eventId: expect.any(String),
      data: {
        transactionId: posted.body.id,
        day: '2025-06-03',
        category: 'food',
        amount: '12.50',
        merchant: 'Bakery',
        source: 'manual',
        currency: 'USD',
      },
    });
    // The push follows the read model: reading at its position needs no waiting.
    const daily = await app.api('GET', `/api/budget/daily/2025-06-03?after=${alert.position}`, {
      token: alice.token,
    });
    expect(daily.headers.get('daybook-caught-up')).toBe('true');
    expect(daily.body.total.spent).toBe('12.50');

    // Bob hears his own expense and nothing of Alice's.
    await spendAndHear(app.api, bob.token, bob.socket, {
      amount: '1.00',
      category: 'food',
      date: '2025-06-04',
    });
    const bobFrames = [...bob.socket.frames];
    expect(bobFrames.every((f) => f.userId === bob.userId)).toBe(true);
    expect(JSON.stringify(bobFrames)).not.toContain(alice.userId);
    await Promise.all([alice.socket.close(), bob.socket.close()]);
  });

  it('pushes an overspend as a transaction alert and an overdrawn month as a notification', async () => {
    // 31.00 over 31 days: 1.00 a day, and nothing after the 31st to cover an overspend.
    const user = await userOnline(app.api, app.url, '2025-07', '31.00');
    user.socket.send({ subscribe: ['transaction-alerts', 'notifications'] });
    expect(await user.socket.next((f) => f.type === 'subscribed')).toEqual({
      type: 'subscribed',
      channels: ['transaction-alerts', 'notifications'],
    });
    const { posted } = await spendAndHear(app.api, user.token, user.socket, {
      amount: '5.00',
      category: 'food',
      date: '2025-07-31',
    });
    expect(posted.body.overspentBy).toBe('4.00');
    expect(await user.socket.next((f) => f.type === 'OverspendDetected')).toMatchObject({
      channel: 'transaction-alerts',
      data: { day: '2025-07-31', category: 'food', overBy: '4.00', causedBy: posted.body.id },
    });
    // The redistribution policy runs as a job; what it cannot cover arrives as readable text.
    const overdrawn = await user.socket.next(
      (f) => f.channel === 'notifications' && f.type === 'MonthOverdrawn',
      15_000,
    );
    expect(overdrawn).toMatchObject({
      type: 'MonthOverdrawn',
      userId: user.userId,
      data: { shortfall: '4.00', severity: 'warning', currency: 'USD' },
    });
    expect((overdrawn.data as Frame).text).toContain('4.00 USD');
    // Not subscribed to budget updates any more.
    expect(user.socket.frames.filter((f) => f.channel === 'budget-updates')).toEqual([]);
    await user.socket.close();
  });

  it('refuses a handshake without a valid token with 401, before upgrading', async () => {
    const { token } = await registerUser(app.api);
    expect((await handshakeStatus(wsUrl(app.url))).status).toBe(401);
    expect((await handshakeStatus(wsUrl(app.url), ['bearer', `${token}x`])).status).toBe(401);
    const refused = await handshakeStatus(wsUrl(app.url, '?access_token=not-a-token'));
    expect(refused.status).toBe(401);
    expect(refused.contentType).toBe('application/problem+json');
    // The same token in the query string works.
    const socket = await connectWs(wsUrl(app.url, `?access_token=${token}`));
    expect(await socket.next()).toMatchObject({ type: 'ready' });
    await socket.close();
  });

  it('answers commands it does not understand with an error frame and stays up', async () => {
    const { token } = await registerUser(app.api);
    const socket = await connectWs(wsUrl(app.url), { protocols: ['bearer', token] });
    await socket.next((f) => f.type === 'ready');
    socket.send('{"subscribe": [');
    expect(await socket.next()).toMatchObject({ type: 'error', code: 'invalid-json' });
    socket.send({ unsubscribe: ['notifications'] });
    expect(await socket.next()).toMatchObject({ type: 'error', code: 'unknown-command' });
    expect((await app.api('GET', '/health')).status).toBe(200);
    await socket.close();
  });
});

describe.skipIf(!REDIS_URL)(
  'two API processes sharing PostgreSQL and Redis (needs REDIS_URL; skipped without it)',
  async () => {
    // A writes and runs the worker (the projections and the publisher); B only serves the API.
    const a = REDIS_URL ? await startTestApp({ DAYBOOK_ROLES: 'api,worker', REDIS_URL }) : undefined;
    const b =
      a && REDIS_URL
        ? await startTestApp({ DAYBOOK_ROLES: 'api', REDIS_URL }, { databaseUrl: a.databaseUrl })
        : undefined;

    it('a client connected to B hears about a transaction posted through A', async () => {
      if (!a || !b) throw new Error('unreachable: the suite is skipped without REDIS_URL');
      const onB = await userOnline(a.api, b.url, '2025-06');
      const other = await userOnline(a.api, b.url, '2025-06');
      const { posted, alert, delayMs } = await spendAndHear(a.api, onB.token, onB.socket, {
        amount: '7.25',
        category: 'food',
        date: '2025-06-10',
      });
      expect(delayMs).toBeLessThan(2000);
      expect(alert).toMatchObject({
        channel: 'transaction-alerts',
        userId: onB.userId,
        position: posted.body.position,
        data: { amount: '7.25', currency: 'USD', transactionId: posted.body.id },
      });
      // B serves the read model too, and it already reflects the push.
      const daily = await b.api('GET', `/api/budget/daily/2025-06-10?after=${alert.position}`, {
        token: onB.token,
      });
      expect(daily.headers.get('daybook-caught-up')).toBe('true');
      // The other user on B heard only about themself.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(other.socket.frames.filter((f) => f.userId !== other.userId)).toEqual([]);
      await Promise.all([onB.socket.close(), other.socket.close()]);
    });
  },
);
