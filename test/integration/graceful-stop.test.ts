import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Client, MONTH, plannedUser, recordedCounts } from '../chaos/support/load.js';
import { testDatabase } from '../support/postgres.js';
import { connectWs } from '../support/ws-client.js';

// The production entry point as an operator runs it: `npm run build`, then `node dist/src/main.js`.
const { url: databaseUrl } = await testDatabase({ migrate: false });
let dataDir = '';
beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  dataDir = await mkdtemp(path.join(tmpdir(), 'daybook-stop-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** The process ids of `pid`'s children (none with DATABASE_URL set; checked all the same). */
const childrenOf = (pid: number) => {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // ps exits 1 when there are none
  }
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it('SIGTERM under write load: exit 0, every acknowledged write in the log, WebSockets closed 1001, no process left, nothing logged at error level', async () => {
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/src/main.js'], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      DAYBOOK_DATA_DIR: dataDir,
      JWT_SECRET: 'graceful-stop-secret-graceful-stop-secret-01',
      // A busy CI machine can take longer than the production bound to hand out a connection.
      PG_CONNECT_TIMEOUT_MS: '10000',
      RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000',
      RATE_LIMIT_PER_MINUTE: '1000000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid as number;
  const logs: { level: number; msg: string; port?: number }[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`exited (${code}) before listening: ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as { level: number; msg: string; port?: number };
      logs.push(entry);
      if (entry.msg === 'Daybook listening') resolve(entry.port as number);
    });
  });
  const base = `http://127.0.0.1:${port}`;
  const client = new Client(base);
  const token = await plannedUser(client);
  const socket = await connectWs(`${base.replace('http', 'ws')}/ws`, { protocols: ['bearer', token] });

  // Writers record expenses until the server stops answering; SIGTERM lands while they are busy.
  const acknowledged: string[] = [];
  const refusedAfterStop: unknown[] = [];
  let signalled = false;
  const writers = Array.from({ length: 8 }, async () => {
    for (;;) {
      const id = randomUUID();
      const res = await client.call('POST', '/api/transactions', {
        token,
        body: { id, amount: '1.25', category: 'food', date: `${MONTH}-15` },
      });
      if (res.status === 201) acknowledged.push(id);
      else if (signalled) return refusedAfterStop.push(res.status);
      else throw new Error(`before SIGTERM: ${res.status} ${JSON.stringify(res.body)}`);
    }
  });
  while (acknowledged.length < 24) await new Promise((resolve) => setTimeout(resolve, 20));
  const children = childrenOf(pid);
  signalled = true;
  const signalledAt = Date.now();
  child.kill('SIGTERM');
  const exit = await exited;
  const stopMs = Date.now() - signalledAt;
  await Promise.all(writers);
  const counts = await recordedCounts(databaseUrl);

  expect(exit).toEqual({ code: 0, signal: null });
  expect((await socket.closed).code).toBe(1001);
  for (const id of acknowledged) expect(counts.get(id), id).toBe(1);
  expect(logs.filter((l) => l.level >= 50)).toEqual([]);
  expect(stderr).toBe('');
  expect(logs.at(-1)?.msg).toBe('stopped');
  expect([pid, ...children].filter(alive)).toEqual([]);
  console.log('graceful stop', { acknowledged: acknowledged.length, stopMs, afterStop: refusedAfterStop });
}, 120_000); // 8–30 s measured on a busy machine, most of it the start; vitest would stop it at 30 s
