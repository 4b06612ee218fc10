import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { registerUser, startTestApp } from '../support/app.js';
import { startFcmStandIn } from '../support/fcm-stand-in.js';
import { until } from '../support/settled.js';

const fcm = await startFcmStandIn();
const app = await startTestApp({ FIREBASE_PROJECT_ID: 'daybook-test', FIREBASE_ENDPOINT: fcm.url });
afterAll(async () => {
  await app.stop();
  await fcm.close();
});

type Item = { id: string; kind: string; text: string; read: boolean; data: Record<string, unknown> };

describe('notifications', () => {
  it('overspends, rebalances and an overdrawn month become records and pushes; a dead token is removed', async () => {
    const user = await registerUser(app.api);
    const token = user.token;
    // 31.00 over July: 1.00 a day.
    expect(
      (
        await app.api('PUT', '/api/budget/plan/2025-07', {
          token,
          body: { categories: [{ category: 'food', amount: '31.00' }] },
        })
      ).status,
    ).toBe(201);
    for (const [device, platform] of [
      [`phone-${user.userId}`, 'android'],
      [`old-tablet-${user.userId}`, 'ios'],
    ])
      expect(
        (await app.api('POST', '/api/notifications/devices', { token, body: { token: device, platform } }))
          .status,
      ).toBe(201);
    fcm.unregistered.add(`old-tablet-${user.userId}`);

    // Covered from later days (a rebalance), then one nothing can cover (the month is overdrawn).
    await app.api('POST', '/api/transactions', {
      token,
      body: { amount: '3.00', category: 'food', date: '2025-07-15' },
    });
    await app.api('POST', '/api/transactions', {
      token,
      body: { amount: '5.00', category: 'food', date: '2025-07-31' },
    });
    const list = await until(
      () => app.api('GET', '/api/notifications', { token }),
      (r) =>
        ['overspend', 'rebalance', 'overdrawn'].every((k) => r.body.items.some((i: Item) => i.kind === k)),
      'notifications recorded',
    );
    const items = list.body.items as Item[];
    expect(items.filter((i) => i.kind === 'overspend').map((i) => i.text)).toContain(
      'You spent 4.00 USD over your food budget on 2025-07-31.',
    );
    expect(items.find((i) => i.kind === 'overdrawn')?.text).toContain('4.00 USD is over budget');
    expect(items.every((i) => !i.read)).toBe(true);

    const pushed = await until(
      async () => fcm.sent.filter((p) => p.message.token === `phone-${user.userId}`),
      (sent) => sent.length >= items.length,
      'pushes sent',
    );
    expect(pushed[0]).toMatchObject({
      path: '/v1/projects/daybook-test/messages:send',
      message: { notification: { title: 'Daybook' } },
    });
    expect(pushed.map((p) => p.message.notification?.body).sort()).toEqual(items.map((i) => i.text).sort());
    // UNREGISTERED: the tablet's token is gone after its first push failed.
    expect(fcm.sent.filter((p) => p.message.token === `old-tablet-${user.userId}`)).toHaveLength(1);
    const removed = await app.api('DELETE', '/api/notifications/devices', {
      token,
      body: { token: `old-tablet-${user.userId}` },
    });
    expect(removed.status).toBe(404);

    const first = items[0] as Item;
    expect((await app.api('PUT', `/api/notifications/${first.id}/read`, { token })).status).toBe(204);
    const unread = await app.api('GET', '/api/notifications?unread=true', { token });
    expect(unread.body.items.map((i: Item) => i.id)).not.toContain(first.id);
    expect(unread.body.items).toHaveLength(items.length - 1);
    const other = await registerUser(app.api);
    expect((await app.api('PUT', `/api/notifications/${first.id}/read`, { token: other.token })).status).toBe(
      404,
    );
    expect((await app.api('GET', '/api/notifications', { token: other.token })).body.items).toEqual([]);
  });

  it('settings choose what is pushed; the record is kept either way', async () => {
    const user = await registerUser(app.api);
    const token = user.token;
    expect((await app.api('GET', '/api/notifications/settings', { token })).body).toEqual({
      push: true,
      kinds: { overspend: true, rebalance: true, overdrawn: true, receipt: true },
    });
    const changed = await app.api('PUT', '/api/notifications/settings', {
      token,
      body: { kinds: { overspend: false } },
    });
    expect(changed.body).toMatchObject({ push: true, kinds: { overspend: false, rebalance: true } });
    expect(
      (await app.api('PUT', '/api/notifications/settings', { token, body: { kinds: { lottery: true } } }))
        .status,
    ).toBe(400);

    await app.api('PUT', '/api/budget/plan/2025-08', {
      token,
      body: { categories: [{ category: 'food', amount: '31.00' }] },
    });
    await app.api('POST', '/api/notifications/devices', { token, body: { token: `quiet-${user.userId}` } });
    await app.api('POST', '/api/transactions', {
      token,
      body: { amount: '9.00', category: 'food', date: '2025-08-31' },
    });
    const list = await until(
      () => app.api('GET', '/api/notifications', { token }),
      (r) => r.body.items.some((i: Item) => i.kind === 'overdrawn'),
      'overdrawn recorded',
    );
    expect(list.body.items.some((i: Item) => i.kind === 'overspend')).toBe(true);
    const sent = await until(
      async () => fcm.sent.filter((p) => p.message.token === `quiet-${user.userId}`),
      (s) => s.length > 0,
      'overdrawn pushed',
    );
    expect(sent.map((p) => p.message.data?.type)).toEqual(['MonthOverdrawn']);
    expect(
      (
        await app.api('DELETE', '/api/notifications/devices', {
          token,
          body: { token: `quiet-${user.userId}` },
        })
      ).status,
    ).toBe(204);

    // Erasing the user removes their notifications and settings with the rest of their personal data.
    await app.api('POST', '/api/notifications/devices', { token, body: { token: `gone-${user.userId}` } });
    const erased = await app.api('DELETE', '/api/users/me', { token, body: { confirm: 'erase my data' } });
    expect(erased.status).toBe(200);
    const pool = new pg.Pool({ connectionString: app.databaseUrl, max: 1 });
    const { rows } = await pool.query(
      `SELECT (SELECT count(*) FROM notifications WHERE user_id = $1) + (SELECT count(*) FROM notification_settings
       WHERE user_id = $1) + (SELECT count(*) FROM notification_devices WHERE user_id = $1) AS left`,
      [user.userId],
    );
    await pool.end();
    expect(Number(rows[0].left)).toBe(0);
  });
});
