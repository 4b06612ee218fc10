import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresAuditLog } from '../../src/infrastructure/audit/postgres-audit-log.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { auditHistory } from '../support/audit-history.js';
import { runDaybookCli } from '../support/cli.js';
import { testDatabase } from '../support/postgres.js';

const source = await testDatabase();
const target = await testDatabase();
// testDatabase drops the database right after pool.end() resolves, which is before idle connections
// have closed: the server's termination notice must not become an uncaught pool error.
for (const db of [source, target]) db.pool.on('error', () => undefined);
const store = new PostgresEventStore(source.pool);
const user = await auditHistory(store, new PostgresAuditLog(source.pool));
const dir = await mkdtemp(path.join(tmpdir(), 'daybook-cli-'));
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** `npm run daybook -- <args>`, as an operator runs it, against `databaseUrl`. */
const daybook = (args: string[], databaseUrl: string) =>
  runDaybookCli(args, databaseUrl, { DAYBOOK_DATA_DIR: dir });

// Each test spawns the CLI several times: slow while the rest of the suite runs beside it.
describe('daybook audit verify / export / import', { timeout: 150_000 }, () => {
  it('exports, imports into an empty instance only, and verifies with exit codes', async () => {
    const file = path.join(dir, 'log.jsonl');
    const exported = await daybook(['export', '--out', file], source.url);
    expect(exported, exported.stderr).toMatchObject({ code: 0, stdout: `exported 4 event(s) to ${file}\n` });
    expect((await readFile(file, 'utf8')).trimEnd().split('\n')).toHaveLength(4);

    const imported = await daybook(['import', '--in', file], target.url);
    expect(imported, imported.stderr).toMatchObject({ code: 0 });
    expect(imported.stdout).toMatch(
      new RegExp(
        `^imported 4 event\\(s\\) in 2 stream\\(s\\) from ${file} in [\\d.]+ s \\(\\d+ events/s\\): 4 written, 0 already in the log; every hash chain checked\n$`,
      ),
    );
    const again = await daybook(['import', '--in', file], target.url);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/import failed: The event log is not empty/);

    const verified = await daybook(['audit', 'verify'], target.url);
    expect(verified).toMatchObject({
      code: 0,
      stdout: 'verified 2 stream(s), 4 event(s): every hash chain is intact\n',
    });
  });

  it('exits 1 and names the altered event', async () => {
    const [, , altered] = await store.readStream(user.month);
    await source.pool.query(
      `UPDATE events SET data = jsonb_set(data, '{amount}', '"1"') WHERE event_id = $1`,
      [altered!.id],
    );
    const verified = await daybook(['audit', 'verify', '--user', user.userId], source.url);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toContain(
      `BROKEN ${user.month}@2 (event ${altered!.id}): hash-mismatch: expected `,
    );
    expect(verified.stdout).toContain(
      `verified 2 stream(s) of user ${user.userId}, 4 event(s): 1 stream(s) broken`,
    );
    const usage = await daybook(['audit', 'verify', '--usr', 'x'], source.url);
    expect(usage.code).toBe(2);
    const missing = await daybook(['import', '--in', path.join(dir, 'nope.jsonl')], target.url);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.jsonl/);
  });
});
