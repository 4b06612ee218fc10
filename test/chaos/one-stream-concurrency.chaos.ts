import { randomUUID } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { type Cluster, createCluster } from './support/cluster.js';
import { freePort, killAll, startDaybook } from './support/daybook-process.js';
import { Client, plannedUser, recordedCounts, recordUntilAcknowledged, summary } from './support/load.js';

let cluster: Cluster | undefined;
afterAll(async () => {
  await killAll();
  await cluster?.destroy();
});

it('loses no update with 100 concurrent writers on one month stream', async () => {
  cluster = await createCluster(5494);
  const app = await startDaybook({ DATABASE_URL: cluster.url }, await freePort());
  const setup = new Client(app.url);
  const token = await plannedUser(setup);

  // Queued writes are slow, not hung: measure them whole.
  const client = new Client(app.url, 60_000);
  const ids = Array.from({ length: 100 }, () => Array.from({ length: 5 }, () => randomUUID()));
  const started = Date.now();
  await Promise.all(
    ids.map(async (mine) => {
      for (const id of mine) await recordUntilAcknowledged(client, token, id);
    }),
  );
  const seconds = (Date.now() - started) / 1000;

  const counts = await recordedCounts(cluster.url);
  const report = summary(client.samples);
  console.log('100 writers, one stream', {
    ...report,
    seconds,
    perSecond: Math.round(ids.flat().length / seconds),
  });
  for (const id of ids.flat()) expect(counts.get(id), id).toBe(1);
  expect(counts.size).toBe(ids.flat().length);
  const monthly = await setup.call('GET', '/api/budget/monthly?month=2025-06', { token });
  expect(monthly.status).toBe(200);
});
