import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { RealtimeChannel, RealtimeMessage } from '../../src/application/ports/notifier.port.js';
import type { AccessClaims, Scope } from '../../src/application/ports/token-service.port.js';
import { USER_SCOPES } from '../../src/application/ports/token-service.port.js';
import { InProcessNotifier } from '../../src/infrastructure/realtime/in-process-notifier.js';
import { attachRealtimeServer, type RealtimeServerOptions } from '../../src/interfaces/ws/ws-server.js';
import { connectWs, handshakeStatus } from '../support/ws-client.js';

const ALICE = 'a11ce000-0000-4000-8000-000000000001';
const BOB = 'b0b00000-0000-4000-8000-000000000002';
const TOKENS: Record<string, AccessClaims> = {
  'alice.token': { userId: ALICE, scopes: USER_SCOPES },
  'bob.token': { userId: BOB, scopes: USER_SCOPES },
  'profile.only': { userId: ALICE, scopes: ['read:profile'] as Scope[] },
  'transactions.only': { userId: ALICE, scopes: ['read:transactions'] as Scope[] },
};

const running: (() => Promise<void>)[] = [];

/** Waits for `condition` (socket close events arrive on later turns of the event loop). */
async function eventually(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
afterEach(async () => {
  for (const stop of running.splice(0).reverse()) await stop();
});

/** An HTTP server with the realtime endpoint, a notifier to push through, and token validity to flip. */
async function start(options: Partial<RealtimeServerOptions> = {}) {
  const notifier = new InProcessNotifier();
  const revoked = new Set<string>();
  const server: Server = createServer((_req, res) => res.writeHead(200).end('http'));
  const realtime = attachRealtimeServer(
    server,
    {
      verifyAccessToken: async (token) => (revoked.has(token) ? undefined : TOKENS[token]),
      subscribeNotifications: (listener) => notifier.subscribe(listener),
    },
    { logger: pino({ level: 'silent' }), ...options },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  running.push(async () => {
    await realtime.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  let seq = 0;
  const push = (userId: string, channel: RealtimeChannel = 'transaction-alerts', data = {}) => {
    seq += 1;
    const message: RealtimeMessage = {
      channel,
      type: 'ExpenseRecorded',
      userId,
      month: '2025-06',
      position: `1.${seq}`,
      eventId: `ev-${seq}`,
      data: { seq, ...data },
    };
    return notifier.publish(userId, message);
  };
  return { base: `ws://127.0.0.1:${port}`, http: `http://127.0.0.1:${port}`, realtime, push, revoked };
}

describe('WebSocket endpoint /ws', () => {
  it('refuses a handshake without a valid token with a 401 problem, before upgrading', async () => {
    const { base } = await start();
    for (const [url, protocols] of [
      [`${base}/ws`, undefined],
      [`${base}/ws?access_token=wrong.token`, undefined],
      [`${base}/ws`, ['bearer', 'wrong.token']],
      [`${base}/ws?access_token=${'x'.repeat(5000)}`, undefined],
      [`${base}/ws?access_token=%00%0d%0a`, undefined],
    ] as const) {
      const refused = await handshakeStatus(url, protocols ? [...protocols] : undefined);
      expect(refused.status).toBe(401);
      expect(refused.contentType).toBe('application/problem+json');
      expect(JSON.parse(refused.body)).toMatchObject({ status: 401, code: 'unauthorized' });
      expect(refused.body).not.toContain('wrong.token');
    }
    expect((await handshakeStatus(`${base}/elsewhere?access_token=alice.token`)).status).toBe(404);
    expect((await handshakeStatus(`${base}/ws?access_token=profile.only`)).status).toBe(403);
  });

  it('accepts the token as the second subprotocol (answering "bearer") or as ?access_token=', async () => {
    const { base } = await start();
    const byProtocol = await connectWs(`${base}/ws`, { protocols: ['bearer', 'alice.token'] });
    expect(byProtocol.ws.protocol).toBe('bearer');
    expect(await byProtocol.next()).toEqual({
      type: 'ready',
      channels: ['budget-updates', 'transaction-alerts', 'notifications'],
    });
    const byQuery = await connectWs(`${base}/ws?access_token=alice.token`);
    expect(await byQuery.next()).toMatchObject({ type: 'ready' });
    await Promise.all([byProtocol.close(), byQuery.close()]);
  });

  it("delivers only the user's own messages, in publish order, to each of their connections", async () => {
    const { base, push } = await start();
    const alice1 = await connectWs(`${base}/ws?access_token=alice.token`);
    const alice2 = await connectWs(`${base}/ws`, { protocols: ['bearer', 'alice.token'] });
    const bob = await connectWs(`${base}/ws?access_token=bob.token`);
    for (const s of [alice1, alice2, bob]) await s.next((f) => f.type === 'ready');
    for (let i = 0; i < 200; i += 1) await push(i % 3 === 0 ? BOB : ALICE);
    const aliceSeqs = async (s: typeof alice1) => {
      const seqs: number[] = [];
      while (seqs.length < 133) {
        const frame = await s.next();
        expect(frame.userId).toBe(ALICE);
        seqs.push((frame.data as { seq: number }).seq);
      }
      return seqs;
    };
    const expected = Array.from({ length: 200 }, (_, i) => i + 1).filter((seq) => (seq - 1) % 3 !== 0);
    expect(await aliceSeqs(alice1)).toEqual(expected);
    expect(await aliceSeqs(alice2)).toEqual(expected);
    const bobFrames = [];
    while (bobFrames.length < 67) bobFrames.push(await bob.next());
    expect(bobFrames.every((f) => f.userId === BOB)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([...alice1.frames, ...alice2.frames, ...bob.frames]).toEqual([]);
  });

  it('subscribes to the channels a client asks for; bad commands get an error frame, not a crash', async () => {
    const { base, push } = await start();
    const s = await connectWs(`${base}/ws?access_token=alice.token`);
    await s.next((f) => f.type === 'ready');
    s.send({ subscribe: ['notifications'] });
    expect(await s.next()).toEqual({ type: 'subscribed', channels: ['notifications'] });
    await push(ALICE, 'transaction-alerts', { skipped: true });
    await push(ALICE, 'notifications', { text: 'hello' });
    expect(await s.next()).toMatchObject({ channel: 'notifications', data: { text: 'hello' } });

    s.send('{not json');
    expect(await s.next()).toMatchObject({ type: 'error', code: 'invalid-json' });
    s.send({ hello: 'world' });
    expect(await s.next()).toMatchObject({ type: 'error', code: 'unknown-command' });
    s.send({ subscribe: 'notifications' });
    expect(await s.next()).toMatchObject({ type: 'error', code: 'unknown-command' });
    s.send({ subscribe: ['notifications', 'gossip'] });
    expect(await s.next()).toMatchObject({ type: 'error', code: 'unknown-channel' });
    s.send([1, 2, 3]);
    expect(await s.next()).toMatchObject({ type: 'error', code: 'unknown-command' });
    s.send('null');
    expect(await s.next()).toMatchObject({ type: 'error', code: 'unknown-command' });
    s.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await s.next()).toMatchObject({ type: 'error', code: 'binary-frame' });
    s.send({ ping: 1 });
    expect(await s.next()).toEqual({ type: 'pong' });

    // Still subscribed to notifications only, and still working.
    s.send({ subscribe: ['transaction-alerts', 'transaction-alerts'] });
    expect(await s.next()).toEqual({ type: 'subscribed', channels: ['transaction-alerts'] });
    await push(ALICE, 'notifications', { skipped: true });
    await push(ALICE, 'transaction-alerts', { after: true });
    expect(await s.next()).toMatchObject({ channel: 'transaction-alerts', data: { after: true } });
    s.send({ subscribe: [] });
    expect(await s.next()).toEqual({ type: 'subscribed', channels: [] });
    await s.close();
  });

  it('keeps a token to the channels its scopes allow', async () => {
    const { base, push } = await start();
    const s = await connectWs(`${base}/ws?access_token=transactions.only`);
    expect(await s.next()).toEqual({ type: 'ready', channels: ['transaction-alerts'] });
    s.send({ subscribe: ['budget-updates'] });
    expect(await s.next()).toMatchObject({ type: 'error', code: 'insufficient-scope' });
    await push(ALICE, 'budget-updates', { skipped: true });
    await push(ALICE, 'transaction-alerts', { seen: true });
    expect(await s.next()).toMatchObject({ channel: 'transaction-alerts', data: { seen: true } });
    await s.close();
  });

  it('closes a client after too many invalid messages, and one that sends an oversized frame', async () => {
    const { base } = await start();
    const chatty = await connectWs(`${base}/ws?access_token=alice.token`);
    for (let i = 0; i < 25; i += 1) chatty.send('nonsense');
    expect((await chatty.closed).code).toBe(1008);
    const big = await connectWs(`${base}/ws?access_token=alice.token`);
    big.send({ subscribe: ['x'.repeat(10_000)] });
    expect((await big.closed).code).toBe(1009);
  });

  it('closes connections that stop answering pings, and those whose token stopped being valid', async () => {
    const { base, realtime, revoked } = await start({ heartbeatMs: 100 });
    const deaf = await connectWs(`${base}/ws?access_token=bob.token`, { autoPong: false });
    const healthy = await connectWs(`${base}/ws?access_token=alice.token`);
    expect((await deaf.closed).code).toBe(1006);
    expect(healthy.ws.readyState).toBe(healthy.ws.OPEN);
    await eventually(() => realtime.connections === 1);
    revoked.add('alice.token');
    expect(await healthy.closed).toEqual({ code: 4401, reason: 'access token expired or revoked' });
  });

  it('disconnects a client that does not read what it is sent (bounded buffer)', async () => {
    const { base, push, realtime } = await start({ maxBufferedBytes: 64 * 1024 });
    const slow = await connectWs(`${base}/ws?access_token=alice.token`);
    await slow.next((f) => f.type === 'ready');
    // Stop reading: the kernel buffers fill, then the server's send buffer grows.
    (slow.ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
    const padding = 'x'.repeat(16 * 1024);
    for (let i = 0; i < 2000; i += 1) await push(ALICE, 'transaction-alerts', { padding });
    await eventually(() => realtime.connections === 0);
    (slow.ws as unknown as { _socket: import('node:net').Socket })._socket.resume();
    expect((await slow.closed).code).toBe(1006);
  });

  it('closes every socket with 1001 on shutdown', async () => {
    const { base, realtime } = await start();
    const a = await connectWs(`${base}/ws?access_token=alice.token`);
    const b = await connectWs(`${base}/ws?access_token=bob.token`);
    await realtime.close();
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
    expect(realtime.connections).toBe(0);
  });
});
