import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { RealtimeMessage } from '../../src/application/ports/notifier.port.js';
import { RedisNotifier } from '../../src/infrastructure/realtime/redis-notifier.js';

const REDIS_URL = process.env.REDIS_URL;
const logger = pino({ level: 'silent' });

const message = (userId: string, seq: number): RealtimeMessage => ({
  channel: 'transaction-alerts',
  type: 'ExpenseRecorded',
  userId,
  month: '2025-06',
  position: `1.${seq}`,
  eventId: `ev-${seq}`,
  data: { seq },
});

async function eventually(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(!REDIS_URL)('RedisNotifier (needs REDIS_URL; skipped without it)', () => {
  const connections: Redis[] = [];
  const notifiers: RedisNotifier[] = [];
  const pair = () => {
    const channel = `daybook:test:${randomUUID()}`;
    const make = () => {
      const redis = new Redis(REDIS_URL as string);
      connections.push(redis);
      const notifier = new RedisNotifier(redis, logger, { channel });
      notifiers.push(notifier);
      return notifier;
    };
    return { channel, publisher: make(), subscriber: make() };
  };
  afterAll(async () => {
    for (const n of notifiers) await n.close();
    for (const c of connections) await c.quit();
  });

  it('carries messages between processes, in publish order, with their user', async () => {
    const { publisher, subscriber } = pair();
    const received: { userId: string; seq: number }[] = [];
    subscriber.subscribe((userId, m) => received.push({ userId, seq: m.data.seq as number }));
    await subscriber.ensureSubscribed();
    const users = [randomUUID(), randomUUID()];
    const sent = Array.from({ length: 500 }, (_, i) => ({ userId: users[i % 2] as string, seq: i }));
    await Promise.all(sent.map((s) => publisher.publish(s.userId, message(s.userId, s.seq))));
    await eventually(() => received.length === sent.length);
    expect(received).toEqual(sent);
  });

  it('ignores what is not a well-formed message on its channel', async () => {
    const { channel, publisher, subscriber } = pair();
    const received: number[] = [];
    subscriber.subscribe((_userId, m) => received.push(m.data.seq as number));
    await subscriber.ensureSubscribed();
    const raw = connections[0] as Redis;
    const user = randomUUID();
    await raw.publish(channel, 'not json');
    await raw.publish(channel, JSON.stringify({ userId: user, message: { channel: 'gossip' } }));
    await raw.publish(channel, JSON.stringify({ userId: randomUUID(), message: message(user, 0) }));
    await publisher.publish(user, message(user, 1));
    await eventually(() => received.length === 1);
    expect(received).toEqual([1]);
  });

  it('re-subscribes after its connection is killed', async () => {
    const { publisher, subscriber } = pair();
    const received: number[] = [];
    subscriber.subscribe((_userId, m) => received.push(m.data.seq as number));
    await subscriber.ensureSubscribed();
    const user = randomUUID();
    await publisher.publish(user, message(user, 1));
    await eventually(() => received.length === 1);

    const link = (subscriber as unknown as { subscriber: Redis & { stream: Socket } }).subscriber;
    const address = `${link.stream.localAddress}:${link.stream.localPort}`;
    const admin = new Redis(REDIS_URL as string);
    connections.push(admin);
    expect(await admin.client('KILL', 'ADDR', address)).toBe(1);
    await eventually(() => link.status !== 'ready');
    await eventually(() => link.status === 'ready');
    // Re-subscribing follows "ready"; publish until one arrives.
    for (let seq = 2; received.length < 2; seq += 1) {
      await publisher.publish(user, message(user, seq));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(received[0]).toBe(1);
    expect(received.length).toBeGreaterThanOrEqual(2);
    expect(await subscriber.check()).toMatchObject({ subscriber: 'ready' });
  });
});
