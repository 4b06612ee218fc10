import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECTIONS } from '../../projections/index.js';
import { createAuditUseCases } from '../../src/application/audit/audit-use-cases.js';
import { comparePositions } from '../../src/application/ports/event-store.port.js';
import { buildRuntime } from '../../src/composition/runtime.js';
import { PostgresAuditLog } from '../../src/infrastructure/audit/postgres-audit-log.js';
import { PostgresLogLoader } from '../../src/infrastructure/audit/postgres-log-loader.js';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { InMemorySubjectKeyStore } from '../../src/infrastructure/event-store/in-memory-subject-key-store.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { randomIds, systemClock } from '../../src/infrastructure/system/system-clock.js';
import { auditVerify, exportCommand, importCommand } from '../../src/interfaces/cli/audit.js';
import { generateEventLog } from '../support/event-log-generator.js';
import { testDatabase } from '../support/postgres.js';
import { readModels, until } from '../support/settled.js';

/**
 * `daybook import` on a generated log of a few thousand events: staged with COPY, every chain checked,
 * moved in transactions of 500 rows here (so an interruption falls between two of them).
 */
const dir = await mkdtemp(path.join(tmpdir(), 'daybook-bulk-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

function side(pool: pg.Pool) {
  const lines = { out: [] as string[], err: [] as string[] };
  const out = { log: (l: string) => lines.out.push(l), error: (l: string) => lines.err.push(l) };
  const audit = createAuditUseCases({
    store: new PostgresEventStore(pool),
    auditLog: new PostgresAuditLog(pool),
    clock: systemClock,
    ids: randomIds,
    subjectKeys: new InMemorySubjectKeyStore(),
    logLoader: new PostgresLogLoader(pool, { moveRows: 500 }),
  });
  return { pool, audit, out, lines };
}

const sourceDb = await testDatabase();
const source = side(sourceDb.pool);
const generated = await generateEventLog(source.pool, {
  users: 16,
  monthsPerUser: 2,
  expensesPerMonth: 20,
  seed: 7,
  maxEvents: 3000,
});
// The export reads below the log's read horizon: wait until no older transaction hides the new rows.
for (let tries = 0; ; tries += 1) {
  const { rows } = await source.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM event_log WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())',
  );
  if (rows[0]?.n === generated || tries > 200) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
const file = path.join(dir, 'log.jsonl');
const gz = path.join(dir, 'log.jsonl.gz');
expect(await exportCommand(source.audit, ['--out', file], source.out)).toBe(0);
const exported = await readFile(file, 'utf8');
// The compressed export comes second, so it also holds the first export's DataExported.
expect(await exportCommand(source.audit, ['--out', gz, '--compress'], source.out)).toBe(0);
expect(
  gunzipSync(await readFile(gz))
    .toString('utf8')
    .startsWith(exported),
).toBe(true);
const gzOfExported = path.join(dir, 'exported.jsonl.gz');
await writeFile(gzOfExported, gzipSync(exported));

const count = async (pool: pg.Pool) =>
  Number((await pool.query('SELECT count(*) FROM event_log')).rows[0].count);

describe('bulk import', () => {
  it('loads a gzip export into an empty log: same events, same order, every chain intact', async () => {
    expect(exported.trimEnd().split('\n')).toHaveLength(generated);
    const target = side((await testDatabase()).pool);
    expect(
      await importCommand(target.audit, ['--in', gzOfExported], target.out),
      target.lines.err.join('\n'),
    ).toBe(0);
    expect(target.lines.out.join('\n')).toMatch(
      new RegExp(`imported ${generated} event\\(s\\) .* ${generated} written, 0 already in the log`),
    );
    const again = path.join(dir, 'again.jsonl');
    expect(await exportCommand(target.audit, ['--out', again], target.out)).toBe(0);
    expect(await readFile(again, 'utf8')).toBe(exported);
    expect(await auditVerify(target.audit, [], target.out)).toBe(0);
    // A non-empty log is refused, and nothing is added.
    expect(await importCommand(target.audit, ['--in', file], target.out)).toBe(1);
    expect(target.lines.err.at(-1)).toMatch(/not empty/);
    expect(await count(target.pool)).toBe(generated + 1); // its own export's DataExported
    // With --append, the events it holds are skipped by id.
    expect(await importCommand(target.audit, ['--in', file, '--append'], target.out)).toBe(0);
    expect(target.lines.out.at(-1)).toMatch(/0 written, \d+ already in the log/);
    expect(await count(target.pool)).toBe(generated + 1);
  });

  it('resumes an import cut short between two transactions, without writing any event twice', async () => {
    const target = side((await testDatabase()).pool);
    let moves = 0;
    const cut = target.audit.importLog(
      (async function* () {
        yield* exported.trimEnd().split('\n');
      })(),
      {
        onProgress: ({ phase }) => {
          if (phase === 'moved' && ++moves === 2) throw new Error('killed');
        },
      },
    );
    await expect(cut).rejects.toThrow('killed');
    const partial = await count(target.pool);
    expect(partial).toBe(1000);
    // Not another file: refused.
    const other = path.join(dir, 'other.jsonl');
    await writeFile(other, `${exported.split('\n')[0]}\n`);
    expect(await importCommand(target.audit, ['--in', other], target.out)).toBe(1);
    // The same file again: the rest is moved, what was there is skipped.
    expect(await importCommand(target.audit, ['--in', file], target.out), target.lines.err.join('\n')).toBe(
      0,
    );
    expect(target.lines.out.at(-1)).toMatch(
      new RegExp(`${generated - partial} written, ${partial} already in the log`),
    );
    expect(await count(target.pool)).toBe(generated);
    const again = path.join(dir, 'resumed.jsonl');
    expect(await exportCommand(target.audit, ['--out', again], target.out)).toBe(0);
    expect(await readFile(again, 'utf8')).toBe(exported);
    expect(await auditVerify(target.audit, [], target.out)).toBe(0);
  });

  it('writes nothing when an event was altered in the file, and names it', async () => {
    const target = side((await testDatabase()).pool);
    const lines = exported.trimEnd().split('\n');
    const altered = JSON.parse(lines[2000] as string);
    altered.data = { ...altered.data, tampered: true };
    lines[2000] = JSON.stringify(altered);
    const bad = path.join(dir, 'bad.jsonl');
    await writeFile(bad, `${lines.join('\n')}\n`);
    expect(await importCommand(target.audit, ['--in', bad], target.out)).toBe(1);
    expect(target.lines.err.at(-1)).toMatch(
      /^import failed: line 2001: .* hashes to [0-9a-f]{64} but the export says/,
    );
    expect(await count(target.pool)).toBe(0);
  });

  it('rebuilds every read model of the imported log to the same rows as the source', async () => {
    const targetDb = await testDatabase();
    const target = side(targetDb.pool);
    expect(await importCommand(target.audit, ['--in', file], target.out)).toBe(0);
    const models: Record<string, string[]>[] = [];
    for (const db of [sourceDb, targetDb]) {
      const runtime = await buildRuntime(
        loadConfig({
          DATABASE_URL: db.url,
          JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
          DAYBOOK_DATA_DIR: dir,
          DAYBOOK_ROLES: 'api',
          LOG_LEVEL: 'silent',
        }),
        createLogger('silent'),
      );
      try {
        await runtime.projections.start();
        const head = await new PostgresEventStore(db.pool).headPosition();
        await until(
          () => runtime.projections.status(),
          (status) =>
            status.length === PROJECTIONS.length &&
            status.every((g) => g.status === 'live' && comparePositions(g.position, head) >= 0),
          'projections caught up',
          120_000,
        );
        models.push(await readModels(db.pool));
      } finally {
        await runtime.projections.stop();
        await runtime.shutdown();
      }
    }
    expect(Object.keys(models[0] ?? {}).length).toBeGreaterThanOrEqual(PROJECTIONS.length);
    expect(models[1]).toEqual(models[0]);
  }, 240_000);
});
