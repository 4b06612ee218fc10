import { randomUUID } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { type Cluster, createCluster } from './support/cluster.js';
import { type DaybookProcess, freePort, killAll, startDaybook } from './support/daybook-process.js';
import { Client, plannedUser, recordedCounts, sleep, summary, writeLoad } from './support/load.js';

let cluster: Cluster | undefined;
afterAll(async () => {
  await killAll();
  await cluster?.destroy();
});

it('survives a PostgreSQL restart: same process, answers within 1 s, writes back within 5 s, each once', async () => {
  cluster = await createCluster(5491);
  const app: DaybookProcess = await startDaybook({ DATABASE_URL: cluster.url }, await freePort());
  const client = new Client(app.url);
  const token = await plannedUser(client);

  let done = false;
  const load = writeLoad(client, token, 4, () => done);
  await sleep(2000);
  const stoppedAt = Date.now();
  await cluster.stop();
  const outage = new Client(app.url);
  const duringOutage = [
    await outage.call('POST', '/api/transactions', {
      token,
      body: { id: randomUUID(), amount: '1.25', category: 'food', date: '2025-06-15' },
    }),
    await outage.call('GET', '/health/ready'),
  ];
  await sleep(10_000 - (Date.now() - stoppedAt));
  await cluster.start();
  const backAt = Date.now();
  await sleep(6000);
  done = true;
  const { acknowledged, acknowledgedAt } = await load;

  const recovery = Math.min(...acknowledgedAt.filter((t) => t >= backAt)) - backAt;
  const outageSamples = client.samples.filter((s) => s.at >= stoppedAt && s.at < backAt);
  const counts = await recordedCounts(cluster.url);
  const defects = app.logged(/^defect/).map((l) => (l.err as { message?: string } | undefined)?.message);
  console.log('PostgreSQL restart', {
    all: summary(client.samples),
    outage: summary(outageSamples),
    recoveryMs: recovery,
    acknowledged: acknowledged.length,
    defectsLogged: defects,
  });

  expect(app.alive()).toBe(true);
  expect((await client.call('GET', '/health/live')).status).toBe(200);
  expect(duringOutage[0]?.status).toBe(503);
  expect(duringOutage[0]?.body).toMatchObject({ code: 'database-unavailable' });
  expect(outage.samples[0]?.retryAfter).toMatch(/^\d+$/);
  expect(duringOutage[1]?.status).toBe(503);
  expect(outageSamples.filter((s) => s.outcome === 503).length).toBeGreaterThan(0);
  expect(outageSamples.every((s) => s.outcome === 503 || s.outcome === 201)).toBe(true);
  expect(Math.max(...client.samples.map((s) => s.ms), ...outage.samples.map((s) => s.ms))).toBeLessThan(1000);
  expect(recovery).toBeLessThan(5000);
  expect(acknowledged.length).toBeGreaterThan(0);
  for (const id of acknowledged) expect(counts.get(id), id).toBe(1);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
});
