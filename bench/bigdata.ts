import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import pgCopy from 'pg-copy-streams';
import { createAuditUseCases } from '../src/application/audit/audit-use-cases.js';
import { PostgresAuditLog } from '../src/infrastructure/audit/postgres-audit-log.js';
import { PostgresLogLoader } from '../src/infrastructure/audit/postgres-log-loader.js';
import { InMemorySubjectKeyStore } from '../src/infrastructure/event-store/in-memory-subject-key-store.js';
import { PostgresEventStore } from '../src/infrastructure/event-store/postgres-event-store.js';
import { migrate } from '../src/infrastructure/postgres/migrate.js';
import { randomIds, systemClock } from '../src/infrastructure/system/system-clock.js';
import { auditVerify, exportCommand, importCommand } from '../src/interfaces/cli/audit.js';
import { generateEventLog } from '../test/support/event-log-generator.js';

/**
 * The whole-log operations of issue 19 on a generated log (BENCH_EVENTS, default 1,000,000, seed
 * BENCH_SEED): `export` (plain and --compress), `audit verify`, `import` into an empty database, and the
 * bytes each stored event takes (event_log with its indexes). Each runs through the CLI command as an
 * operator runs it. Baselines, measured in the same run on the same rows: a plain `COPY (SELECT …) TO
 * STDOUT` of the log's columns (export, verify: the fastest scan PostgreSQL offers) and a plain
 * `COPY … FROM STDIN` of those rows into an empty copy of event_log with the same indexes (import).
 * `ratio` = baseline seconds / operation seconds (1 = as fast as COPY).
 *
 * BENCH_BIGDATA_SOURCE names a database to generate the log into once and reuse afterwards (it is
 * kept); otherwise one is generated and dropped at the end. The import target is always dropped.
 */

interface Figure {
  readonly operation: string;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly baselineSeconds: number;
  readonly ratio: number;
  readonly peakRssMb: number;
  readonly note?: string;
}

const silent = { log: () => undefined, error: () => undefined };
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; seconds: number; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  const started = performance.now();
  try {
    const value = await run();
    return { value, seconds: (performance.now() - started) / 1000, peakRssMb: mb(peak) };
  } finally {
    clearInterval(sampler);
  }
}

function audit(pool: pg.Pool) {
  return createAuditUseCases({
    store: new PostgresEventStore(pool),
    auditLog: new PostgresAuditLog(pool),
    clock: systemClock,
    ids: randomIds,
    subjectKeys: new InMemorySubjectKeyStore(),
    logLoader: new PostgresLogLoader(pool),
  });
}

const LOG_COLUMNS = `global_position, transaction_id, occurred_at, stream_id, stream_revision, schema_version,
  event_id, correlation_id, causation_id, actor_id, type_id, prev_hash, hash, data, metadata`;

/** Rows per COPY statement of the baselines: each is its own short transaction, as the import's are. */
const COPY_ROWS = 10_000;

/** COPY (the log) TO STDOUT, 10,000 rows per statement (kept in memory with `keep`): the scan baseline. */
async function copyOut(pool: pg.Pool, keep: boolean): Promise<{ ranges: Buffer[][]; bytes: number }> {
  const client = await pool.connect();
  const ranges: Buffer[][] = [];
  let bytes = 0;
  try {
    const { rows } = await client.query<{ max: string | null }>(
      'SELECT max(global_position)::text AS max FROM event_log',
    );
    const max = Number(rows[0]?.max ?? 0);
    for (let from = 0; from < max; from += COPY_ROWS) {
      const chunks: Buffer[] = [];
      const out = client.query(
        pgCopy.to(
          `COPY (SELECT ${LOG_COLUMNS} FROM event_log WHERE global_position > ${from} AND global_position <= ${from + COPY_ROWS}
           ORDER BY global_position) TO STDOUT`,
        ),
      );
      await pipeline(
        out,
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            bytes += chunk.length;
            if (keep) chunks.push(chunk);
            done();
          },
        }),
      );
      ranges.push(chunks);
    }
    return { ranges, bytes };
  } finally {
    client.release();
  }
}

/** COPY FROM of the same rows into an empty copy of event_log (same indexes), one statement per range. */
async function copyIn(pool: pg.Pool, ranges: Buffer[][]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('CREATE TABLE bench_copy (LIKE event_log INCLUDING ALL)');
    for (const chunks of ranges) {
      const copy = client.query(pgCopy.from(`COPY bench_copy (${LOG_COLUMNS}) FROM STDIN`));
      await pipeline(async function* () {
        yield* chunks;
      }, copy);
    }
    await client.query('DROP TABLE bench_copy');
  } finally {
    client.release();
  }
}

/** A pool on database `name`, created first (unless `existing` allows it to be there already). */
async function database(adminUrl: string, name: string, existing = false) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (!existing || rowCount === 0) await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  pool.on('error', () => undefined);
  return pool;
}

async function dropDatabase(adminUrl: string, name: string) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

async function bytesPerEvent(pool: pg.Pool) {
  const { rows } = await pool.query<{ total: string; heap: string; events: string }>(
    `SELECT pg_total_relation_size('event_log') AS total, pg_relation_size('event_log') AS heap,
       (SELECT count(*) FROM event_log) AS events`,
  );
  const row = rows[0] as { total: string; heap: string; events: string };
  return { total: Number(row.total), heap: Number(row.heap), events: Number(row.events) };
}

export async function benchBigdata(out: (line: string) => void = (line) => console.log(line)) {
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const events = Number(process.env.BENCH_EVENTS ?? 1_000_000);
  const seed = Number(process.env.BENCH_SEED ?? 1);
  const reuse = process.env.BENCH_BIGDATA_SOURCE;
  const suffix = randomUUID().replaceAll('-', '').slice(0, 10);
  const sourceName = reuse ?? `daybook_bench_bigdata_${suffix}`;
  const targetName = `daybook_bench_bigdata_target_${suffix}`;
  const dir = await mkdtemp(path.join(tmpdir(), 'daybook-bigdata-'));
  const load = () => os.loadavg()[0]?.toFixed(2) ?? '?';
  const loadBefore = load();
  let source: pg.Pool | undefined;
  let target: pg.Pool | undefined;
  const figures: Figure[] = [];
  const figure = (
    operation: string,
    run: { seconds: number; peakRssMb: number },
    baselineSeconds: number,
    count: number,
    note?: string,
  ) => {
    const f: Figure = {
      operation,
      events: count,
      seconds: Number(run.seconds.toFixed(2)),
      eventsPerSecond: Math.round(count / run.seconds),
      baselineSeconds: Number(baselineSeconds.toFixed(2)),
      ratio: Number((baselineSeconds / run.seconds).toFixed(3)),
      peakRssMb: run.peakRssMb,
      ...(note ? { note } : {}),
    };
    figures.push(f);
    out(
      `${operation.padEnd(18)} ${String(f.events).padStart(9)} events ${f.seconds.toFixed(1).padStart(7)} s ` +
        `${String(f.eventsPerSecond).padStart(8)} events/s  COPY ${f.baselineSeconds.toFixed(1)} s  ratio ${f.ratio}  peak RSS ${f.peakRssMb} MB${note ? `  (${note})` : ''}`,
    );
  };
  try {
    // A reused database is generated into once (when its log is empty) and kept.
    source = await database(adminUrl, sourceName, reuse !== undefined);
    await migrate(source);
    const existing = await source.query('SELECT EXISTS (SELECT 1 FROM event_log) AS generated');
    if (!existing.rows[0]?.generated) {
      const generated = await timed(() =>
        generateEventLog(source as pg.Pool, {
          users: Number.MAX_SAFE_INTEGER,
          monthsPerUser: 6,
          expensesPerMonth: 60,
          seed,
          maxEvents: events,
        }),
      );
      out(`generated ${generated.value} events in ${generated.seconds.toFixed(1)} s`);
    }
    await source.query('VACUUM ANALYZE event_log');
    const stored = await bytesPerEvent(source);
    out(
      `source: ${stored.events} events; node ${process.version}, ${os.cpus()[0]?.model}, ${os.cpus().length} cores, load ${loadBefore}`,
    );

    // Scan baseline: COPY TO of the log's rows (kept in memory for the COPY FROM baseline).
    const scan = await timed(() => copyOut(source as pg.Pool, false));
    const copyBytes = scan.value.bytes;

    const file = path.join(dir, 'log.jsonl');
    const exported = await timed(() => exportCommand(audit(source as pg.Pool), ['--out', file], silent));
    if (exported.value !== 0) throw new Error('export failed');
    figure('export', exported, scan.seconds, stored.events, `${mb((await stat(file)).size)} MB JSON Lines`);

    const gz = path.join(dir, 'log.jsonl.gz');
    const compressed = await timed(() =>
      exportCommand(audit(source as pg.Pool), ['--out', gz, '--compress'], silent),
    );
    figure(
      'export --compress',
      compressed,
      scan.seconds,
      stored.events,
      `${mb((await stat(gz)).size)} MB gzip`,
    );

    const verified = await timed(() => auditVerify(audit(source as pg.Pool), [], silent));
    if (verified.value !== 0) throw new Error('verify failed');
    figure('audit verify', verified, scan.seconds, stored.events + 2);

    target = await database(adminUrl, targetName);
    await migrate(target);
    const rows = await copyOut(source, true);
    const copied = await timed(() => copyIn(target as pg.Pool, rows.ranges));
    rows.ranges.length = 0;
    const lines = (await pipelineCount(file)) as number;
    const imported = await timed(() => importCommand(audit(target as pg.Pool), ['--in', file], silent));
    if (imported.value !== 0) throw new Error('import failed');
    figure('import', imported, copied.seconds, lines);
    await target.query('VACUUM ANALYZE event_log');
    const after = await bytesPerEvent(target);
    const bytes = {
      sourceBytesPerEvent: Math.round(stored.total / stored.events),
      importedBytesPerEvent: Math.round(after.total / after.events),
      heapBytesPerEvent: Math.round(after.heap / after.events),
      copyTextBytesPerEvent: Math.round(copyBytes / stored.events),
    };
    out(
      `bytes per event (event_log with its indexes): generated ${bytes.sourceBytesPerEvent}, imported ` +
        `${bytes.importedBytesPerEvent} (heap ${bytes.heapBytesPerEvent}); the same rows as COPY text: ` +
        `${bytes.copyTextBytesPerEvent} (ratio ${(bytes.importedBytesPerEvent / bytes.copyTextBytesPerEvent).toFixed(2)})`,
    );
    const result = {
      scenario: 'bigdata',
      date: new Date().toISOString(),
      machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version },
      loadAverage: { before: loadBefore, after: load() },
      events: stored.events,
      figures,
      bytes,
    };
    await mkdir(new URL('./results/', import.meta.url), { recursive: true });
    await writeFile(
      new URL('./results/bigdata.json', import.meta.url),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    out(`load average before ${loadBefore}, after ${load()}`);
    return result;
  } finally {
    await source?.end();
    await target?.end();
    if (!reuse) await dropDatabase(adminUrl, sourceName);
    await dropDatabase(adminUrl, targetName);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Lines in the export (the events it holds). */
async function pipelineCount(file: string): Promise<number> {
  const { createReadStream } = await import('node:fs');
  let lines = 0;
  for await (const chunk of createReadStream(file)) {
    for (const byte of chunk as Buffer) if (byte === 10) lines += 1;
  }
  return lines;
}
