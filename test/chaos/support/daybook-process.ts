import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

export interface DaybookProcess {
  readonly pid: number;
  readonly url: string;
  /** True while the process has not exited. */
  alive(): boolean;
  /** Log lines (pino JSON) whose `msg` matches. */
  logged(pattern: RegExp): Record<string, unknown>[];
  kill(signal: NodeJS.Signals): Promise<void>;
}

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

const running = new Set<ChildProcess>();
/** For an afterAll: no child outlives its test file, whatever failed. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }),
  );
}

/** `src/main.ts` as its own process (what `npm start` runs), on `port`; resolves once it listens. */
export async function startDaybook(env: Record<string, string>, port: number): Promise<DaybookProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      JWT_SECRET: 'chaos-secret-chaos-secret-chaos-secret-0123',
      RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000',
      RATE_LIMIT_PER_MINUTE: '1000000',
      DAYBOOK_DATA_DIR: '/tmp/daybook-chaos-data',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const lines: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => stderr.push(line));
  const listening = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`Daybook exited (${code}) before listening: ${stderr.slice(-20).join('\n')}`)),
    );
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        lines.push(entry);
        if (entry.msg === 'Daybook listening') resolve();
      } catch {
        stderr.push(line);
      }
    });
  });
  await listening;
  return {
    pid: child.pid as number,
    url: `http://127.0.0.1:${port}`,
    alive: () => child.exitCode === null && child.signalCode === null,
    logged: (pattern) => lines.filter((l) => typeof l.msg === 'string' && pattern.test(l.msg)),
    kill: async (signal) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  };
}
