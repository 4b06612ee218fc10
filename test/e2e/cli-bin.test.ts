import { spawn } from 'node:child_process';
import { expect, it, vi } from 'vitest';
import { testDatabase } from '../support/postgres.js';

// Each test spawns the built CLI several times: three files at a time on two cores, that takes a while.
vi.setConfig({ testTimeout: 120_000 });

const { url } = await testDatabase({ migrate: false });

/** `daybook <args>` through the package's bin, as `npx daybook` runs it in the repository. */
function daybook(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/daybook.js', ...args], {
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent', PG_CONNECT_TIMEOUT_MS: '10000', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

it('prints its usage to stdout when asked, and to stderr with exit code 2 for an unknown command', async () => {
  const help = await daybook(['--help']);
  expect(help).toMatchObject({ code: 0, stderr: '' });
  expect(help.stdout).toContain('Usage: daybook <command>');
  const unknown = await daybook(['frobnicate']);
  expect(unknown).toMatchObject({ code: 2, stdout: '' });
  expect(unknown.stderr).toContain('Usage: daybook <command>');
});

it('migrates, then reports the database up to date; projections status lists the read models', async () => {
  const first = await daybook(['migrate']);
  expect(first).toMatchObject({ code: 0, stderr: '' });
  expect(first.stdout).toMatch(/^applied 001_event_store\.sql, /);
  expect(await daybook(['migrate'])).toMatchObject({ code: 0, stdout: 'database up to date\n' });
  const status = await daybook(['projections', 'status']);
  expect(status).toMatchObject({ code: 0, stderr: '' });
  expect(status.stdout).toMatch(/^projection\tgen\t/);
  expect(status.stdout).toContain('daily-allocation');
});

it('reports a failure on stderr with exit code 1', async () => {
  const failed = await daybook(['migrate'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
  expect(failed.code).toBe(1);
  expect(failed.stdout).toBe('');
  expect(failed.stderr).not.toBe('');
});
