import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { PassThrough, Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { ImportError } from '../../application/audit/log-importer.js';
import { BackupError } from '../../application/backup/backup.js';
import type { Daybook } from '../../application/daybook.js';
import { BackupFileError, backupKey, decryptBackup, encryptBackup } from './backup-file.js';
import type { Output } from './output.js';
import { progressLine, wantsProgress } from './progress.js';

type BackupCli = Pick<Daybook, 'backupInstallation' | 'restoreInstallation'>;

export const BACKUP_USAGE = `  backup --out <file> [--key-file <file>] [--progress]
      Write the whole installation (every event with its hashes, the users' data keys, the login
      credentials) encrypted with the operator key: DAYBOOK_BACKUP_KEY (32 bytes, base64 or hex) or
      --key-file. Progress on stderr; prints the SHA-256 of the content and of the file.
  restore --in <file> [--key-file <file>] [--progress]
      Restore a backup into an EMPTY database: checks the whole file first (authentication, SHA-256,
      counts), then stages the events with every hash chain checked, moves them into the log in large
      transactions (ids, order and hashes kept) and restores keys and credentials. Interrupted, it
      resumes when run again with the same backup. Run it before starting the server.
`;

/** `backup` and `restore`: exit code 2 for a usage error (no key, missing option), 1 when they fail. */
export async function backupCommand(
  daybook: BackupCli,
  args: readonly string[],
  out: Output,
  environmentKey: string | undefined,
): Promise<number> {
  const values = options(args, 'out');
  if (values.out === undefined) return usage(out, 'backup needs --out <file>');
  const key = await keyOrExit(values['key-file'], environmentKey, out);
  if (!key) return 2;
  const started = Date.now();
  const progress = progressLine(out, wantsProgress(values.progress));
  const partial = `${values.out}.partial`;
  const fileHash = createHash('sha256');
  let summary = '';
  const lines = Readable.from(
    (async function* () {
      for await (const line of daybook.backupInstallation({
        onProgress: (events) => progress.report('backed up', events),
      })) {
        if (line.startsWith('{"kind":"end"')) summary = line;
        yield line;
      }
    })(),
  );
  const hashing = new PassThrough().on('data', (chunk: Buffer) => fileHash.update(chunk));
  try {
    await pipeline(lines, encryptBackup(key), hashing, createWriteStream(partial, { mode: 0o600 }));
    await rename(partial, values.out);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  const end = JSON.parse(summary) as {
    events: number;
    subjectKeys: number;
    credentials: number;
    sha256: string;
  };
  out.log(
    `backed up ${end.events} event(s), ${end.subjectKeys} data key(s), ${end.credentials} credential(s) to ` +
      `${values.out} in ${seconds(started)} s\ncontent SHA-256 ${end.sha256}\nfile SHA-256    ${fileHash.digest('hex')}`,
  );
  return 0;
}

export async function restoreCommand(
  daybook: BackupCli,
  args: readonly string[],
  out: Output,
  environmentKey: string | undefined,
): Promise<number> {
  const values = options(args, 'in');
  const file = values.in;
  if (file === undefined) return usage(out, 'restore needs --in <file>');
  const key = await keyOrExit(values['key-file'], environmentKey, out);
  if (!key) return 2;
  const started = Date.now();
  const progress = progressLine(out, wantsProgress(values.progress));
  try {
    const result = await daybook.restoreInstallation(
      () => lines(createReadStream(file), decryptBackup(key)),
      { onProgress: ({ phase, events }) => progress.report(phase === 'moved' ? 'restored' : phase, events) },
    );
    out.log(
      `restored ${result.events} event(s) in ${result.streams} stream(s)${result.skipped > 0 ? ` (${result.skipped} already there: resumed)` : ''}, ${result.subjectKeys} data key(s), ` +
        `${result.credentials} credential(s) from ${file} in ${seconds(started)} s (content SHA-256 ${result.sha256})`,
    );
    return 0;
  } catch (error) {
    if (error instanceof BackupError || error instanceof BackupFileError || error instanceof ImportError) {
      out.error(`restore failed (${'code' in error ? error.code : 'import'}): ${error.message}`);
      return 1;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      out.error(`cannot read ${file}: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  }
}

function options(args: readonly string[], file: 'in' | 'out') {
  return parseArgs({
    args: [...args],
    options: { [file]: { type: 'string' }, 'key-file': { type: 'string' }, progress: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  }).values as { in?: string; out?: string; 'key-file'?: string; progress?: boolean };
}

function usage(out: Output, message: string): number {
  out.error(`${message}\n\nUsage:\n${BACKUP_USAGE}`);
  return 2;
}

async function keyOrExit(keyFile: string | undefined, environmentKey: string | undefined, out: Output) {
  try {
    return await backupKey(keyFile, environmentKey);
  } catch (error) {
    if (!(error instanceof BackupFileError) && (error as NodeJS.ErrnoException).code === undefined)
      throw error;
    out.error((error as Error).message);
    return undefined;
  }
}

/** The decrypted lines of the file; a decryption failure ends the iteration with its error. */
async function* lines(file: Readable, decrypt: Transform): AsyncIterable<string> {
  const plaintext = file.pipe(decrypt);
  file.on('error', (error) => plaintext.destroy(error));
  const reader = createInterface({ input: plaintext, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    yield* reader;
  } finally {
    reader.close();
    file.destroy();
  }
}

const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);
