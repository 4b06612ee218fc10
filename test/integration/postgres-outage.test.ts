import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DependencyUnavailableError } from '../../src/application/ports/dependency-unavailable.js';
import type { NewEvent, RecordedEvent } from '../../src/application/ports/event-store.port.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { PostgresSubjectKeyStore } from '../../src/infrastructure/event-store/postgres-subject-key-store.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { createPool } from '../../src/infrastructure/postgres/resilient-pool.js';
import { testDatabase } from '../support/postgres.js';

const db = await testDatabase();
// The test ends this database's connections on purpose; the helper pool's idle ones may be among them.
db.pool.on('error', () => undefined);
const logger = createLogger('silent');
const pool = createPool({ connectionString: db.url, max: 5, connectTimeoutMs: 800 }, logger);
const store = new PostgresEventStore(pool);
afterAll(async () => {
  await store.close();
  await pool.end();
});

const event = (): NewEvent => ({
  id: randomUUID(),
  type: 'ExpenseRecorded',
  data: {},
  metadata: { correlationId: randomUUID(), occurredAt: new Date().toISOString(), schemaVersion: 1 },
});
/** Ends the server side of every connection of this test's database but the caller's own. */
const terminateConnections = (filter = '') =>
  db.pool.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid() ${filter}`,
  );

describe('PostgreSQL connections that fail', () => {
  it('reports an unreachable server as the typed unavailable error', async () => {
    const nowhere = new URL(db.url);
    nowhere.port = '1';
    const unreachable = createPool(
      { connectionString: nowhere.toString(), max: 2, connectTimeoutMs: 800 },
      logger,
    );
    await expect(unreachable.query('SELECT 1')).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(unreachable.connect()).rejects.toBeInstanceOf(DependencyUnavailableError);
    await unreachable.end();
  });

  it('fails the statement of a checked-out client whose server goes away, then serves again', async () => {
    // A bad statement is not an outage: it keeps its own error.
    await expect(pool.query('SELECT * FROM no_such_table')).rejects.not.toBeInstanceOf(
      DependencyUnavailableError,
    );
    const client = await pool.connect();
    // Its failure is taken at once: it comes while the test is still ending the connections.
    const sleeping = client.query('SELECT pg_sleep(30)').then(
      () => undefined,
      (error: unknown) => error,
    );
    await vi.waitFor(async () => {
      const { rows } = await db.pool.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'",
      );
      expect(rows[0].n).toBe(1);
    });
    await terminateConnections();
    expect(await sleeping).toBeInstanceOf(DependencyUnavailableError);
    client.release();
    // An idle connection may hear of its end only when it is next used: that use fails the same way.
    await vi.waitFor(async () => expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]));
  });

  it('re-opens the LISTEN connection of the subject key store without waiting for a lookup', async () => {
    const keys = new PostgresSubjectKeyStore(pool);
    await keys.keyFor(randomUUID());
    const listening = async () => {
      const { rows } = await db.pool.query(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN daybook_subject_keys'",
      );
      expect(rows).toHaveLength(1);
      return rows[0].pid as number;
    };
    const first = await vi.waitFor(listening);
    await terminateConnections(`AND pid = ${first}`);
    await vi.waitFor(async () => expect(await listening()).not.toBe(first), { timeout: 5000 });
    await keys.close();
  });

  it('re-opens the LISTEN connection of a subscription, so commits still wake it', async () => {
    const seen: RecordedEvent[] = [];
    const subscription = store.subscribeToAll({ onEvents: async (batch) => void seen.push(...batch) });
    const listening = async () => {
      const { rows } = await db.pool.query(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN daybook_events'",
      );
      expect(rows).toHaveLength(1);
      return rows[0].pid as number;
    };
    const first = await vi.waitFor(listening);
    await terminateConnections(`AND pid = ${first}`);
    await vi.waitFor(async () => expect(await listening()).not.toBe(first), { timeout: 5000 });
    const appended = event();
    await store.append(`outage-${randomUUID()}`, [appended]);
    await vi.waitFor(() => expect(seen.map((e) => e.id)).toContain(appended.id), { timeout: 5000 });
    await subscription.stop();
  });
});
