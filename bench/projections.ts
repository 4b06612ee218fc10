import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { PROJECTIONS } from '../projections/index.js';
import type { Projection } from '../src/application/ports/projection.port.js';
import { PostgresEventStore } from '../src/infrastructure/event-store/postgres-event-store.js';
import { createLogger } from '../src/infrastructure/logging/logger.js';
import { startEmbeddedPostgres } from '../src/infrastructure/postgres/embedded-postgres.js';
import { migrate } from '../src/infrastructure/postgres/migrate.js';
import { ProjectionRunner } from '../src/infrastructure/projections/projection-runner.js';
import { copyIn, generateEventLog } from '../test/support/event-log-generator.js';

/**
 * Rebuild throughput of every projection, against a baseline.
 *
 * A fresh database (on DATABASE_URL's server, or an embedded PostgreSQL when it is unset) gets
 * BENCH_EVENTS generated events (default 1,000,000). Each projection is then rebuilt from zero by the
 * real ProjectionRunner: the clock runs from `rebuild()` until its generation is live. Process RSS is
 * sampled every 100 ms (peak, and at 25/50/75/100% of the events applied, to show memory does not grow
 * with the log). The baseline writes the same final rows the fastest way PostgreSQL knows: every table
 * of the finished generation is exported with COPY TO (into memory), then timed: COPY FROM into empty
 * tables created with the same DDL (same keys and indexes), in one transaction. `copy/rebuild` is the
 * share of the rebuild time the bare writing of its result would take (target: at least 0.3).
 *
 * BENCH_EVENTS, BENCH_SEED, BENCH_BATCH (runner batch size; the runner's default otherwise) and
 * BENCH_PROJECTIONS (comma-separated names) tune it. The database is dropped at the end.
 */

interface Sample {
  readonly at: number;
  readonly rss: number;
  readonly applied: number;
}

export interface ProjectionBenchResult {
  readonly projection: string;
  readonly events: number;
  readonly rebuildSeconds: number;
  readonly eventsPerSecond: number;
  readonly copySeconds: number;
  readonly copyRows: number;
  readonly ratio: number;
  readonly rssBeforeMb: number;
  readonly peakRssMb: number;
  /** RSS when 25, 50, 75 and 100% of the events were applied. */
  readonly rssAtProgressMb: readonly number[];
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** A full garbage collection before each measurement, so RSS starts from live memory only. */
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

/** The data of a `COPY (...) TO STDOUT`, in the chunks the server sent. */
async function copyOut(client: pg.PoolClient, text: string): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of client.query(copyTo(text))) chunks.push(chunk as Buffer);
  return chunks;
}

async function tablesOf(pool: pg.Pool, schema: string): Promise<string[]> {
  const { rows } = await pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'
     ORDER BY table_name`,
    [schema],
  );
  return rows.map((r) => r.table_name);
}

/** Rebuilds `projection` from zero with the real runner, sampling RSS and progress every 100 ms. */
async function rebuild(
  pool: pg.Pool,
  store: PostgresEventStore,
  projection: Projection,
  total: number,
  batchSize: number | undefined,
): Promise<{ seconds: number; schema: string; samples: Sample[]; rssBefore: number }> {
  const logger = createLogger('silent');
  const runner = new ProjectionRunner(pool, store, [projection], logger, batchSize ? { batchSize } : {});
  const samples: Sample[] = [];
  gc();
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const generation = await runner.rebuild(projection.name);
  await runner.start();
  let applied = 0;
  let status = generation.status as string;
  let polling = false;
  const sampler = setInterval(() => {
    samples.push({ at: performance.now() - started, rss: process.memoryUsage().rss, applied });
    if (polling) return;
    polling = true;
    pool
      .query<{ events_applied: string; status: string }>(
        'SELECT events_applied, status FROM projection_generations WHERE name = $1 AND generation = $2',
        [projection.name, generation.generation],
      )
      .then(({ rows }) => {
        applied = Number(rows[0]?.events_applied ?? applied);
        status = rows[0]?.status ?? status;
      })
      .catch(() => undefined)
      .finally(() => {
        polling = false;
      });
  }, 100);
  try {
    while (status !== 'live') {
      if (status === 'failed') throw new Error(`${projection.name} rebuild failed`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  samples.push({ at: seconds * 1000, rss: process.memoryUsage().rss, applied: total });
  await runner.stop();
  const { rows } = await pool.query<{ schema_name: string }>(
    `SELECT schema_name FROM projection_generations WHERE name = $1 AND generation = $2`,
    [projection.name, generation.generation],
  );
  return { seconds, schema: rows[0]?.schema_name as string, samples, rssBefore };
}

/** Exports every table of `schema`, then times COPY of the same rows into empty tables of the same DDL. */
async function copyBaseline(
  pool: pg.Pool,
  projection: Projection,
  schema: string,
): Promise<{ seconds: number; rows: number }> {
  const tables = await tablesOf(pool, schema);
  const client = await pool.connect();
  const target = `bench_copy_${projection.name.replaceAll('-', '_')}`;
  try {
    const exported = new Map<string, Buffer[]>();
    let rows = 0;
    for (const table of tables) {
      exported.set(table, await copyOut(client, `COPY ${schema}.${table} TO STDOUT`));
      const { rows: count } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${schema}.${table}`,
      );
      rows += Number(count[0]?.n ?? 0);
    }
    await client.query(`DROP SCHEMA IF EXISTS ${target} CASCADE`);
    await client.query(`CREATE SCHEMA ${target}`);
    await client.query(projection.ddl(target));
    const started = performance.now();
    await client.query('BEGIN');
    for (const table of tables) {
      const chunks = exported.get(table) ?? [];
      if (chunks.length > 0) await copyIn(client, `COPY ${target}.${table} FROM STDIN`, chunks);
    }
    await client.query('COMMIT');
    const seconds = (performance.now() - started) / 1000;
    await client.query(`DROP SCHEMA ${target} CASCADE`);
    return { seconds, rows };
  } finally {
    client.release();
  }
}

const rssAt = (samples: readonly Sample[], total: number, fraction: number): number => {
  const reached = samples.find((s) => s.applied >= total * fraction);
  return (reached ?? samples[samples.length - 1])?.rss ?? 0;
};

export async function benchProjections(
  out: (line: string) => void = (line) => console.log(line),
): Promise<ProjectionBenchResult[]> {
  const events = Number(process.env.BENCH_EVENTS ?? 1_000_000);
  const seed = Number(process.env.BENCH_SEED ?? 1);
  const batchSize = process.env.BENCH_BATCH ? Number(process.env.BENCH_BATCH) : undefined;
  const only = process.env.BENCH_PROJECTIONS?.split(',').map((s) => s.trim());
  const projections = PROJECTIONS.filter((p) => !only || only.includes(p.name));

  let stopServer = async () => undefined as unknown;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dir = await mkdtemp(path.join(tmpdir(), 'daybook-bench-pg-'));
    await chmod(dir, 0o755);
    const server = await startEmbeddedPostgres({
      dataDir: path.join(dir, 'data'),
      port: await freePort(),
      durable: false,
    });
    adminUrl = server.adminUrl;
    stopServer = async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    };
    out('embedded PostgreSQL (DATABASE_URL unset; fsync off)');
  }
  const database = `daybook_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 10 });
  // pool.end() resolves before its sockets close; dropping the database then terminates them.
  pool.on('error', () => undefined);
  const store = new PostgresEventStore(pool);
  const results: ProjectionBenchResult[] = [];
  try {
    await migrate(pool);
    const { rows: settings } = await pool.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'shared_buffers')
       ORDER BY name`,
    );
    out(`PostgreSQL: ${settings.map((s) => `${s.name}=${s.setting}`).join(' ')}; node ${process.version}`);

    const generationStarted = performance.now();
    const total = await generateEventLog(pool, {
      users: Number.MAX_SAFE_INTEGER,
      monthsPerUser: 6,
      expensesPerMonth: 60,
      seed,
      maxEvents: events,
    });
    const generationSeconds = (performance.now() - generationStarted) / 1000;
    out(
      `generated ${total} events in ${generationSeconds.toFixed(1)} s (${Math.round(total / generationSeconds)} events/s)`,
    );
    await pool.query('VACUUM ANALYZE event_log');

    for (const projection of projections) {
      const run = await rebuild(pool, store, projection, total, batchSize);
      const copy = await copyBaseline(pool, projection, run.schema);
      const result: ProjectionBenchResult = {
        projection: projection.name,
        events: total,
        rebuildSeconds: run.seconds,
        eventsPerSecond: Math.round(total / run.seconds),
        copySeconds: copy.seconds,
        copyRows: copy.rows,
        ratio: copy.seconds / run.seconds,
        rssBeforeMb: mb(run.rssBefore),
        peakRssMb: mb(Math.max(...run.samples.map((s) => s.rss))),
        rssAtProgressMb: [0.25, 0.5, 0.75, 1].map((f) => mb(rssAt(run.samples, total, f))),
      };
      results.push(result);
      out(
        [
          `${result.projection}: events ${result.events}`,
          `rebuild ${result.rebuildSeconds.toFixed(1)} s`,
          `${result.eventsPerSecond} events/s`,
          `COPY ${result.copySeconds.toFixed(2)} s (${result.copyRows} rows)`,
          `COPY/rebuild ${result.ratio.toFixed(3)}`,
          `RSS at start ${result.rssBeforeMb} MB, peak during rebuild ${result.peakRssMb} MB, at 25/50/75/100% ${result.rssAtProgressMb.join('/')} MB`,
        ].join(' | '),
      );
    }
    return results;
  } finally {
    await store.close();
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    await stopServer();
  }
}
