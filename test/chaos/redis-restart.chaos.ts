import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { connectWs, wsUrl } from '../support/ws-client.js';
import { type Cluster, createCluster } from './support/cluster.js';
import { freePort, killAll, startDaybook } from './support/daybook-process.js';
import { Client, plannedUser, recordedCounts, sleep, summary, writeLoad } from './support/load.js';

const run = promisify(execFile);
const REDIS_PORT = 6391;
let cluster: Cluster | undefined;
let redisDir: string | undefined;

const startRedis = async () => {
  await run('redis-server', [
    '--port',
    String(REDIS_PORT),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'yes',
    '--dir',
    redisDir as string,
    '--pidfile',
    path.join(redisDir as string, 'redis.pid'),
  ]);
  for (let i = 0; i < 50; i += 1) {
    if (
      await run('redis-cli', ['-p', String(REDIS_PORT), 'ping']).then(
        () => true,
        () => false,
      )
    )
      return;
    await sleep(100);
  }
  throw new Error('redis-server did not start');
};
// Only the test's own server, by its port: never the shared one on 6379.
const stopRedis = () =>
  run('redis-cli', ['-p', String(REDIS_PORT), 'shutdown', 'nosave']).catch(() => undefined);

afterAll(async () => {
  await killAll();
  await stopRedis();
  await cluster?.destroy();
  if (redisDir) await rm(redisDir, { recursive: true, force: true });
});

it('answers within 1 s while Redis is down (sessions fail closed with 503) and recovers when it returns', async () => {
  redisDir = await mkdtemp(path.join(tmpdir(), 'daybook-chaos-redis-'));
  await startRedis();
  cluster = await createCluster(5493);
  const app = await startDaybook(
    { DATABASE_URL: cluster.url, REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}` },
    await freePort(),
  );
  const client = new Client(app.url);
  const token = await plannedUser(client);
  const socket = await connectWs(wsUrl(app.url), { protocols: ['bearer', token] });
  await socket.next((f) => f.type === 'ready');

  let done = false;
  const load = writeLoad(client, token, 4, () => done);
  await sleep(2000);
  const stoppedAt = Date.now();
  await stopRedis();
  await sleep(1000);
  const probe = new Client(app.url);
  const refused = await probe.call('GET', '/api/users/preferences', { token });
  const ready = await probe.call('GET', '/health/ready');
  const anonymous = await probe.call('POST', '/api/auth/login', {
    body: { email: 'nobody@example.com', password: 'correct horse battery' },
  });
  await sleep(5000 - (Date.now() - stoppedAt));
  await startRedis();
  const backAt = Date.now();
  await sleep(6000);
  done = true;
  const { acknowledged, acknowledgedAt } = await load;

  // Fan-out is back too: a write after the return is pushed to the socket opened before the outage.
  const after = await client.call('POST', '/api/transactions', {
    token,
    body: { id: randomUUID(), amount: '1.25', category: 'food', date: '2025-06-15' },
  });
  const pushed = await socket.next(
    (f) =>
      f.type === 'ExpenseRecorded' && (f.data as { transactionId?: string }).transactionId === after.body?.id,
    5000,
  );
  await socket.close();

  const recovery = Math.min(...acknowledgedAt.filter((t) => t >= backAt)) - backAt;
  const outageSamples = client.samples.filter((s) => s.at >= stoppedAt + 100 && s.at < backAt);
  const counts = await recordedCounts(cluster.url);
  console.log('Redis restart', {
    all: summary(client.samples),
    outage: summary(outageSamples),
    recoveryMs: recovery,
    acknowledged: acknowledged.length,
    login: `${anonymous.status} ${anonymous.body?.code ?? ''}`,
    defectsLogged: app.logged(/^defect/).length,
  });

  expect(app.alive()).toBe(true);
  expect(pushed).toMatchObject({ type: 'ExpenseRecorded' });
  expect(refused.status).toBe(503);
  expect(refused.body).toMatchObject({ code: 'auth-store-unavailable' });
  expect(probe.samples[0]?.retryAfter).toMatch(/^\d+$/);
  expect(ready.status).toBe(503);
  expect(ready.body.checks.redis).toMatchObject({ status: 'down' });
  expect(outageSamples.filter((s) => s.outcome === 503).length).toBeGreaterThan(0);
  expect(Math.max(...client.samples.map((s) => s.ms), ...probe.samples.map((s) => s.ms))).toBeLessThan(1000);
  expect(recovery).toBeLessThan(5000);
  expect((await client.call('GET', '/health/ready')).status).toBe(200);
  for (const id of acknowledged) expect(counts.get(id), id).toBe(1);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
});
