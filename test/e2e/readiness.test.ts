import { describe, expect, it, vi } from 'vitest';
import { PROJECTIONS } from '../../projections/index.js';
import { startTestApp } from '../support/app.js';
import { generateEventLog } from '../support/event-log-generator.js';
import { testDatabase } from '../support/postgres.js';

/**
 * A node started on a log its read models have not applied (after a restore, or with new projection
 * versions) must not take traffic: /health/ready answers 503 until every read model is within
 * READY_MAX_LAG_EVENTS of the log, then 200; liveness holds throughout.
 */
const db = await testDatabase();
db.pool.on('error', () => undefined);
const total = await generateEventLog(db.pool, {
  users: 1000,
  monthsPerUser: 2,
  expensesPerMonth: 20,
  seed: 7,
  maxEvents: 3000,
});

describe('readiness on a log the read models have not applied', { timeout: 90_000 }, () => {
  it('answers 503 naming the lagging read models until they caught up, then 200; live stays 200', async () => {
    // The first generations of a fresh database: holding their locks keeps the node's runner off them.
    const holder = await db.pool.connect();
    const schemas = PROJECTIONS.map((p) => `proj_${p.name.replaceAll('-', '_')}_g1`);
    for (const schema of schemas) await holder.query('SELECT pg_advisory_lock(hashtext($1))', [schema]);
    const app = await startTestApp({ READY_MAX_LAG_EVENTS: '50' }, { databaseUrl: db.url });
    try {
      const ready = await app.api('GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(ready.body.ready).toBe(false);
      expect(Object.keys(ready.body.lagging).sort()).toEqual(PROJECTIONS.map((p) => p.name).sort());
      for (const lag of Object.values(ready.body.lagging)) {
        expect(lag).toBeGreaterThan(50);
        expect(lag).toBeLessThanOrEqual(total);
      }
      // Terse: dependency states only, no positions, errors or event ids.
      expect(Object.keys(ready.body).sort()).toEqual(['checks', 'lagging', 'ready', 'status']);
      expect((await app.api('GET', '/health/live')).status).toBe(200);
    } finally {
      for (const schema of schemas) await holder.query('SELECT pg_advisory_unlock(hashtext($1))', [schema]);
      holder.release();
    }
    // Released: the node's runner takes the generations, catches up, and the node becomes ready.
    const caughtUp = await vi.waitFor(
      async () => {
        const res = await app.api('GET', '/health/ready');
        expect(res.status).toBe(200);
        return res;
      },
      { timeout: 60_000, interval: 200 },
    );
    expect(caughtUp.body).toMatchObject({ ready: true, lagging: {} });
  });
});
