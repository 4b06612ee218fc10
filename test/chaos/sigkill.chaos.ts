import { randomUUID } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { type Cluster, createCluster } from './support/cluster.js';
import { type DaybookProcess, freePort, killAll, startDaybook } from './support/daybook-process.js';
import {
  Client,
  plannedUser,
  recordedCounts,
  recordUntilAcknowledged,
  sleep,
  summary,
} from './support/load.js';

let cluster: Cluster | undefined;
afterAll(async () => {
  await killAll();
  await cluster?.destroy();
});

it('records every transaction exactly once when the process is SIGKILLed three times under write load', async () => {
  cluster = await createCluster(5492);
  const port = await freePort();
  const env = { DATABASE_URL: cluster.url };
  let app: DaybookProcess = await startDaybook(env, port);
  const client = new Client(app.url);
  const token = await plannedUser(client);

  // Every writer works through its own ids; a failure (refused while the process is dead, or a 503
  // while it starts) is retried with the same id until acknowledged.
  const ids = Array.from({ length: 8 }, () => Array.from({ length: 40 }, () => randomUUID()));
  const writers = Promise.all(
    ids.map(async (mine) => {
      for (const id of mine) await recordUntilAcknowledged(client, token, id);
    }),
  );
  for (let kill = 0; kill < 3; kill += 1) {
    await sleep(1500);
    await app.kill('SIGKILL');
    await sleep(300);
    app = await startDaybook(env, port);
  }
  await writers;

  const counts = await recordedCounts(cluster.url);
  console.log('SIGKILL x3', { ...summary(client.samples), transactions: ids.flat().length });
  for (const id of ids.flat()) expect(counts.get(id), id).toBe(1);
  expect(counts.size).toBe(ids.flat().length);
});
