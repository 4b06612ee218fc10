import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECTIONS } from '../../projections/index.js';
import type { Projection } from '../../src/application/ports/projection.port.js';
import { viewName } from '../../src/application/ports/projection.port.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { ProjectionRunner } from '../../src/infrastructure/projections/projection-runner.js';
import { generateEventLog } from '../support/event-log-generator.js';
import { testDatabase } from '../support/postgres.js';

/**
 * A rebuild killed with SIGKILL half-way resumes from its checkpoint and ends with exactly the rows a
 * clean build has, while readers keep being served the old generation until the swap.
 *
 * Tens of thousands of generated events (KILL_TEST_EVENTS, default 80,000; the suite must stay fast); the live generation is caught up in-process (a clean build
 * from scratch, uninterrupted: it is also the reference the resumed build is compared with). The
 * rebuild runs in a child process through the real CLI (`projections rebuild <name>`), is killed, and
 * is resumed by a runner in this process.
 */
const EVENTS = Number(process.env.KILL_TEST_EVENTS ?? 80_000);
const TARGET = process.env.KILL_TEST_PROJECTION ?? 'daily-allocation';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Generous: a busy 2-core machine builds ~10k events/s per phase. */
const PHASE_TIMEOUT_MS = 180_000;
const started = performance.now();
/** KILL_TEST_VERBOSE=1 prints when each phase ends. */
const step = (what: string) => {
  if (process.env.KILL_TEST_VERBOSE)
    console.log(`${((performance.now() - started) / 1000).toFixed(1)} s: ${what}`);
};

const db = await testDatabase();
const store = new PostgresEventStore(db.pool);
const logger = createLogger('silent');
const target = PROJECTIONS.find((p) => p.name === TARGET) as Projection;
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await store.close();
});

interface GenerationRow {
  generation: number;
  schema_name: string;
  status: string;
  events_applied: number;
}

async function generations(name: string): Promise<GenerationRow[]> {
  const { rows } = await db.pool.query<GenerationRow>(
    `SELECT generation, schema_name, status, events_applied::int AS events_applied
     FROM projection_generations WHERE name = $1 ORDER BY generation`,
    [name],
  );
  return rows;
}

/**
 * The SQL behind each `read.*` view of the projection: which schema readers are served from. While a
 * swap replaces the views, `pg_get_viewdef` can meet a view dropped after the catalog scan saw it
 * ("could not open relation with OID"); the question is then asked again.
 */
async function viewDefinitions(projection: Projection): Promise<Record<string, string>> {
  const views = projection.publishedTables.map((t) => viewName(projection.name, t).slice('read.'.length));
  for (let attempt = 1; ; attempt++) {
    try {
      const { rows } = await db.pool.query<{ viewname: string; definition: string }>(
        `SELECT viewname, definition FROM pg_views WHERE schemaname = 'read' AND viewname = ANY($1) ORDER BY viewname`,
        [views],
      );
      return Object.fromEntries(rows.map((r) => [r.viewname, r.definition]));
    } catch (error) {
      if (attempt >= 5 || !/could not open relation/.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * Row-for-row comparison of two relations, in the server: both row counts, and the rows (as text, all
 * columns) that one has and the other has not, counting duplicates (`EXCEPT ALL` both ways).
 */
async function expectSameRows(label: string, expected: string, actual: string): Promise<void> {
  const { rows } = await db.pool.query<{ expected: number; actual: number; diff: string[] }>(
    `WITH e AS MATERIALIZED (SELECT t::text AS r FROM ${expected} t), a AS MATERIALIZED (SELECT t::text AS r FROM ${actual} t)
     SELECT (SELECT count(*) FROM e)::int AS expected, (SELECT count(*) FROM a)::int AS actual,
       ARRAY((SELECT '- ' || r FROM (SELECT r FROM e EXCEPT ALL SELECT r FROM a) x ORDER BY 1 LIMIT 10)
             UNION ALL (SELECT '+ ' || r FROM (SELECT r FROM a EXCEPT ALL SELECT r FROM e) y ORDER BY 1 LIMIT 10)) AS diff`,
  );
  const [result] = rows;
  expect({ rows: result?.actual, diff: result?.diff }, label).toEqual({ rows: result?.expected, diff: [] });
}

const REFERENCE = 'kill_reference';

/** Readers get exactly the rows of the reference copy taken before the rebuild. */
async function expectServedUnchanged(projection: Projection): Promise<void> {
  for (const table of projection.publishedTables)
    await expectSameRows(`read view of ${table}`, `${REFERENCE}.${table}`, viewName(projection.name, table));
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `npm run daybook -- projections rebuild <name>` against the test database, in a child process. */
function startRebuildCli(name: string, dataDir: string): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'projections', 'rebuild', name], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      DATABASE_URL: db.url,
      // Starting with the suite's busiest files, connecting can take longer than the production bound.
      PG_CONNECT_TIMEOUT_MS: '10000',
      LOG_LEVEL: 'silent',
      JWT_SECRET: 'kill-test-secret-kill-test-secret-0123456789',
      DAYBOOK_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  children.push(child);
  return { child, output: () => output.slice(-4000) };
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

describe('projection rebuild killed half-way', () => {
  it(`resumes after SIGKILL and matches a clean build of ${TARGET}, readers served the old generation meanwhile`, async () => {
    expect(target, `projection ${TARGET} is registered`).toBeDefined();
    const total = await generateEventLog(db.pool, {
      users: 100_000,
      monthsPerUser: 3,
      expensesPerMonth: 40,
      seed: 20_240_404,
      maxEvents: EVENTS,
    });
    expect(total).toBeGreaterThanOrEqual(EVENTS);
    step(`${total} events generated`);
    // A generation reads (and counts) only the event types its projection handles.
    const { rows: counted } = await db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events WHERE event_type = ANY($1::text[])',
      [[...target.eventTypes]],
    );
    const relevant = counted[0]?.n as number;

    // Every projection gets its first (live) generation; the target's is caught up here: the old
    // version readers are served, and a clean build from scratch to compare the resumed one with.
    await new ProjectionRunner(db.pool, store, PROJECTIONS, logger).ensureGenerations();
    const first = new ProjectionRunner(db.pool, store, [target], logger, { batchSize: 5000 });
    await first.start();
    const live = await until(
      `${TARGET} generation 1 to catch up`,
      async () =>
        (await generations(TARGET)).find((g) => g.status === 'live' && g.events_applied === relevant),
      PHASE_TIMEOUT_MS,
    );
    await first.stop();
    step('generation 1 caught up');
    expect((await first.status()).find((s) => s.name === TARGET)?.lag).toBe(0);
    const definitions = await viewDefinitions(target);
    expect(Object.keys(definitions)).toHaveLength(target.publishedTables.length);
    for (const definition of Object.values(definitions)) expect(definition).toContain(`${live.schema_name}.`);
    // What readers are served now, kept aside: the reference for the readers during the rebuild and
    // for the resumed generation after it.
    await db.pool.query(`CREATE SCHEMA ${REFERENCE}`);
    for (const table of target.publishedTables)
      await db.pool.query(`CREATE TABLE ${REFERENCE}.${table} AS SELECT * FROM ${viewName(TARGET, table)}`);
    const { rows: served } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${REFERENCE}.${target.publishedTables[0]}`,
    );
    expect(served[0]?.n).toBeGreaterThan(0);

    // The other projections' live generations stay parked (this process holds their advisory locks),
    // so the child spends its time on the rebuild only.
    const parked = await db.pool.connect();
    try {
      for (const p of PROJECTIONS.filter((x) => x !== target)) {
        for (const g of await generations(p.name))
          await parked.query('SELECT pg_advisory_lock(hashtext($1))', [g.schema_name]);
      }

      const dataDir = await mkdtemp(path.join(tmpdir(), 'daybook-kill-'));
      try {
        const cli = startRebuildCli(TARGET, dataDir);
        let checks = 0;
        const building = await until(
          'the rebuild to apply a good part of the log',
          async () => {
            if (cli.child.exitCode !== null) throw new Error(`the CLI exited early:\n${cli.output()}`);
            // Readers are served the old generation throughout.
            expect(await viewDefinitions(target)).toEqual(definitions);
            checks += 1;
            const g = (await generations(TARGET)).find((x) => x.status === 'building');
            if (checks % 25 === 0) await expectServedUnchanged(target);
            return g && g.events_applied >= relevant * 0.35 ? g : undefined;
          },
          PHASE_TIMEOUT_MS,
        );
        step(`killing the CLI at ${building.events_applied} events applied`);
        cli.child.kill('SIGKILL');
        await exited(cli.child);
        expect(cli.child.signalCode).toBe('SIGKILL');

        // Killed half-way: still building, part of the log applied, the old generation still served.
        const afterKill = (await generations(TARGET)).find((g) => g.generation === building.generation);
        expect(afterKill?.status).toBe('building');
        expect(afterKill?.events_applied).toBeGreaterThan(0);
        expect(afterKill?.events_applied).toBeLessThan(relevant);
        expect(await viewDefinitions(target)).toEqual(definitions);
        await expectServedUnchanged(target);

        // Resume: any runner that can take the generation's lock continues from its checkpoint.
        const resumed = new ProjectionRunner(db.pool, store, [target], logger, { batchSize: 5000 });
        await resumed.start();
        try {
          const swapped = await until(
            'the resumed generation to go live',
            async () => {
              // Views first: the swap changes them and the status in one transaction, so views read
              // before a status that is still 'building' must be the old generation's.
              const views = await viewDefinitions(target);
              const gs = await generations(TARGET);
              const g = gs.find((x) => x.generation === building.generation);
              if (g?.status === 'failed') throw new Error(`rebuild failed: ${JSON.stringify(g)}`);
              if (g?.status !== 'live') {
                // Until the swap, readers still get the old generation.
                expect(views).toEqual(definitions);
                return undefined;
              }
              return g;
            },
            PHASE_TIMEOUT_MS,
          );
          // Every event applied exactly once across the kill: the checkpoint moved with each batch.
          expect(swapped.events_applied).toBe(relevant);
          step('resumed generation swapped in');
        } finally {
          await resumed.stop();
        }
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    } finally {
      await parked.query('SELECT pg_advisory_unlock_all()');
      parked.release();
    }

    // The views now point at the resumed generation, the old one is gone, and its published rows equal
    // those of the clean, uninterrupted build.
    const now = await generations(TARGET);
    const current = now.find((g) => g.status === 'live') as GenerationRow;
    expect(current.generation).toBeGreaterThan(live.generation);
    expect(now.find((g) => g.generation === live.generation)?.status).toBe('retired');
    for (const definition of Object.values(await viewDefinitions(target)))
      expect(definition).toContain(`${current.schema_name}.`);
    const { rows: schemas } = await db.pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [
      live.schema_name,
    ]);
    expect(schemas).toHaveLength(0);
    for (const table of target.publishedTables) {
      await expectSameRows(
        `${table} of the resumed generation`,
        `${REFERENCE}.${table}`,
        `${current.schema_name}.${table}`,
      );
      await expectSameRows(`read view of ${table}`, `${REFERENCE}.${table}`, viewName(TARGET, table));
    }
    step('compared');
  }, 600_000);
});
