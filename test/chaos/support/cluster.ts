import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary; as root, as the `postgres` OS user (PostgreSQL refuses to run as root). */
async function pg(binary: string, args: readonly string[]): Promise<void> {
  const command = [path.join(BIN, binary), ...args];
  if (!asRoot) {
    await run(command[0] as string, command.slice(1));
    return;
  }
  const quoted = command.map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(' ');
  await run('su', ['postgres', '-c', quoted]);
}

export interface Cluster {
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  /** `pg_ctl stop -m fast`: what an operator's restart does to the open connections. */
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

/** A throwaway PostgreSQL cluster (initdb + pg_ctl) in a temporary folder, never the shared server. */
export async function createCluster(port: number): Promise<Cluster> {
  const dir = await mkdtemp(path.join(tmpdir(), `daybook-chaos-pg-${port}-`));
  const data = path.join(dir, 'data');
  if (asRoot) {
    const { uid, gid } = await postgresIds();
    await chown(dir, uid, gid);
  }
  await chmod(dir, 0o700);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const cluster: Cluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: () => pg('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-o', options, '-w', 'start']),
    stop: () => pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
    destroy: async () => {
      await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await pg('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    await cluster.start();
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return cluster;
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const { stdout } = await run('id', ['postgres']);
  const uid = /uid=(\d+)/.exec(stdout)?.[1];
  const gid = /gid=(\d+)/.exec(stdout)?.[1];
  if (!uid || !gid) throw new Error(`no postgres user: ${stdout}`);
  return { uid: Number(uid), gid: Number(gid) };
}
