import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { InProcessWritePositions } from '../../src/infrastructure/consistency/in-process-write-positions.js';
import { RedisWritePositions } from '../../src/infrastructure/consistency/redis-write-positions.js';

const REDIS_URL = process.env.REDIS_URL;
const silent = pino({ level: 'silent' });
const connections: Redis[] = [];
afterAll(() => {
  for (const redis of connections) redis.disconnect();
});

/** A pino logger whose lines land in `lines`. */
function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

/** A TCP server that accepts connections and never answers: a Redis that hangs. */
async function blackHole(): Promise<{ port: number; server: Server }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as { port: number }).port, server };
}

/** A connection that fails a command after one reconnect attempt, as the container's does after two. */
const client = (target: string | { host: string; port: number }) => {
  const options = { maxRetriesPerRequest: 1 };
  const redis =
    typeof target === 'string' ? new Redis(target, options) : new Redis({ ...target, ...options });
  redis.on('error', () => undefined);
  connections.push(redis);
  return redis;
};

describe('InProcessWritePositions', () => {
  it('keeps the latest position per user, compared as numbers, and forgets the least recently written', async () => {
    const positions = new InProcessWritePositions(2);
    await positions.record('a', '9.5');
    await positions.record('a', '10.1');
    await positions.record('a', '9.9');
    expect(await positions.latest('a')).toBe('10.1');
    await positions.record('b', '1.1');
    await positions.record('c', '1.2');
    expect(await positions.latest('a')).toBeUndefined();
    expect(await positions.latest('b')).toBe('1.1');
  });
});

describe.skipIf(!REDIS_URL)('RedisWritePositions on a working Redis (needs REDIS_URL)', () => {
  it('shares the latest position between instances, compared as numbers, never lowered', async () => {
    const onA = new RedisWritePositions(client(REDIS_URL as string), silent);
    const onB = new RedisWritePositions(client(REDIS_URL as string), silent);
    const user = randomUUID();
    expect(await onB.latest(user)).toBeUndefined();
    await onA.record(user, '9.99');
    expect(await onB.latest(user)).toBe('9.99');
    // A later position with fewer digits in its second part, then a slower, earlier write.
    await onB.record(user, '10.1');
    await onA.record(user, '9.100');
    expect(await onA.latest(user)).toBe('10.1');
    await onA.record(user, '18446744073709551615.18446744073709551615');
    await onB.record(user, '18446744073709551615.18446744073709551614');
    expect(await onB.latest(user)).toBe('18446744073709551615.18446744073709551615');
  });
});

describe('RedisWritePositions when Redis is unavailable', () => {
  for (const [name, connect] of [
    [
      'hangs',
      async () => {
        const { port } = await blackHole();
        return client({ host: '127.0.0.1', port });
      },
    ],
    [
      'refuses connections',
      async () => {
        const { port, server } = await blackHole();
        await new Promise((resolve) => server.close(resolve));
        return client({ host: '127.0.0.1', port });
      },
    ],
  ] as const) {
    it(`answers with this instance's own positions when Redis ${name}, and logs it once`, async () => {
      const { logger, lines } = capturingLogger();
      const positions = new RedisWritePositions(await connect(), logger, { commandTimeoutMs: 100 });
      await positions.record('u1', '5.1');
      await positions.record('u1', '5.2');
      expect(await positions.latest('u1')).toBe('5.2');
      expect(await positions.latest('u2')).toBeUndefined();
      const warnings = lines.filter((l) => l.level === 40);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.msg).toMatch(/Redis unavailable/);
    });
  }
});
