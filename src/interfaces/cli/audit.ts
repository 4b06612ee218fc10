import { constants, createReadStream, createWriteStream } from 'node:fs';
import { access, open, rename, rm } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { parseArgs } from 'node:util';
import { createGunzip, createGzip } from 'node:zlib';
import type { AuditUseCases } from '../../application/audit/audit-use-cases.js';
import { ImportError } from '../../application/audit/log-importer.js';
import type { BrokenLink } from '../../application/audit/verify-chains.js';
import type { Output } from './output.js';
import { progressLine, wantsProgress } from './progress.js';

type AuditCli = Pick<AuditUseCases, 'verifyChains' | 'exportLines' | 'importLog'>;

export const AUDIT_USAGE = `  audit verify [--user <id>] [--progress]
      Recompute every event's hash and check each stream's hash chain (one user's streams with --user).
      Prints the first broken link of each broken stream; exit code 1 when any is broken.
  export [--user <id>] [--out <file.jsonl>] [--compress] [--progress]
      Write the event log (or one user's streams: a GDPR data export) as JSON Lines, one event per line in
      global order: {stream, revision, id, type, data, metadata}. To stdout without --out; gzip with
      --compress. Recorded in the security log once it ends (DataExported, actor system:cli).
  import --in <file.jsonl[.gz]> [--append] [--progress]
      Load an export (gzip or not: detected) into an EMPTY instance: every stream's hash chain is checked
      while the file is staged, then the events are moved into the log in large transactions, keeping ids,
      order and hashes; nothing is written if any event fails its check. Interrupted, it resumes when run
      again with the same file. --append loads into a log that has events (those it holds are skipped by
      id). Run it before starting any worker. An export has no data keys and no logins: imported users'
      personal fields read as [erased].
  (progress on stderr when it is a terminal, or with --progress)
`;

type Spec = Record<string, { type: 'string' } | { type: 'boolean' }>;
type Values<T extends Spec> = { [K in keyof T]?: T[K] extends { type: 'boolean' } ? boolean : string };

/** Parsed options, or undefined (and the usage printed) when the arguments are wrong. */
function options<T extends Spec>(args: readonly string[], spec: T, out: Output): Values<T> | undefined {
  try {
    return parseArgs({ args: [...args], options: spec, strict: true, allowPositionals: false })
      .values as Values<T>;
  } catch (error) {
    out.error(`${(error as Error).message}\n\nUsage:\n${AUDIT_USAGE}`);
    return undefined;
  }
}

const describe = (link: BrokenLink) =>
  `${link.stream}@${link.revision}${link.eventId ? ` (event ${link.eventId})` : ''}: ${link.reason}: ` +
  `expected ${link.expected || '""'}, found ${link.actual || '""'}`;

export async function auditVerify(daybook: AuditCli, args: readonly string[], out: Output): Promise<number> {
  const values = options(args, { user: { type: 'string' }, progress: { type: 'boolean' } }, out);
  if (!values) return 2;
  const progress = progressLine(out, wantsProgress(values.progress));
  const report = await daybook.verifyChains({
    ...(values.user === undefined ? {} : { userId: values.user }),
    onProgress: (events) => progress.report('verified', events),
  });
  for (const link of report.broken) out.log(`BROKEN ${describe(link)}`);
  const scope = values.user === undefined ? '' : ` of user ${values.user}`;
  out.log(
    `verified ${report.streams} stream(s)${scope}, ${report.events} event(s): ` +
      (report.ok ? 'every hash chain is intact' : `${report.brokenStreams} stream(s) broken`),
  );
  return report.ok ? 0 : 1;
}

/**
 * Streams the export line by line with back-pressure. A file is written beside its target and renamed
 * when complete, so a failed export never leaves a truncated file under the requested name.
 */
export async function exportCommand(
  daybook: AuditCli,
  args: readonly string[],
  out: Output,
  stdout: Writable = process.stdout,
): Promise<number> {
  const values = options(
    args,
    {
      user: { type: 'string' },
      out: { type: 'string' },
      compress: { type: 'boolean' },
      progress: { type: 'boolean' },
    },
    out,
  );
  if (!values) return 2;
  const progress = progressLine(out, wantsProgress(values.progress));
  let events = 0;
  const chunks = Readable.from(
    (async function* () {
      for await (const chunk of daybook.exportLines(
        values.user === undefined ? {} : { userId: values.user },
      )) {
        events += chunk.events;
        yield chunk.text;
        progress.report('exported', events);
      }
    })(),
    { objectMode: false },
  );
  const stages: NodeJS.ReadWriteStream[] = values.compress ? [createGzip({ level: GZIP_LEVEL })] : [];
  if (values.out === undefined) {
    await pipeline([chunks, ...stages, stdout], { end: false });
    return 0;
  }
  const partial = `${values.out}.partial`;
  try {
    await pipeline([chunks, ...stages, createWriteStream(partial)]);
    await rename(partial, values.out);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  progress.report('exported', events, true);
  out.log(`exported ${events} event(s) to ${values.out}${values.compress ? ' (gzip)' : ''}`);
  return 0;
}

/** gzip's fastest level: JSON Lines still shrink several times, at a speed that keeps up with the scan. */
const GZIP_LEVEL = 1;

export async function importCommand(
  daybook: AuditCli,
  args: readonly string[],
  out: Output,
): Promise<number> {
  const values = options(
    args,
    { in: { type: 'string' }, append: { type: 'boolean' }, progress: { type: 'boolean' } },
    out,
  );
  if (!values) return 2;
  if (values.in === undefined) {
    out.error(`import needs --in <file.jsonl>\n\nUsage:\n${AUDIT_USAGE}`);
    return 2;
  }
  const progress = progressLine(out, wantsProgress(values.progress));
  const started = Date.now();
  try {
    await access(values.in, constants.R_OK);
    const result = await daybook.importLog(readLines(values.in), {
      append: values.append === true,
      onProgress: ({ phase, events }) => progress.report(phase === 'moved' ? 'moved' : phase, events),
    });
    const seconds = (Date.now() - started) / 1000;
    out.log(
      `imported ${result.events} event(s) in ${result.streams} stream(s) from ${values.in} in ${seconds.toFixed(1)} s ` +
        `(${Math.round(result.events / Math.max(seconds, 0.001))} events/s): ${result.moved} written, ` +
        `${result.skipped} already in the log; every hash chain checked`,
    );
    if (result.erasedUsers > 0)
      out.error(
        `${result.erasedUsers} user(s) have no data key here (an export carries none): their personal fields ` +
          'read as [erased]. To move an installation with its keys and logins, use backup and restore.',
      );
    return 0;
  } catch (error) {
    if (error instanceof ImportError) {
      out.error(`import failed: ${error.message}`);
      return 1;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'Z_DATA_ERROR') {
      out.error(`cannot read ${values.in}: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  }
}

/** gzip's magic bytes: a compressed export is recognised by its content, not its name. */
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/**
 * The file's lines (gunzipped when it is gzip), read in large chunks and split here: readline's
 * per-line events cost more than the import's own work on a million lines.
 */
async function* readLines(file: string): AsyncIterable<string> {
  const head = Buffer.alloc(2);
  const handle = await open(file, 'r');
  try {
    await handle.read(head, 0, 2, 0);
  } finally {
    await handle.close();
  }
  const raw = createReadStream(file, { highWaterMark: 1024 * 1024 });
  const input = head.equals(GZIP_MAGIC) ? raw.pipe(createGunzip()) : raw;
  if (input !== raw) raw.on('error', (error) => input.destroy(error));
  const decoder = new StringDecoder('utf8');
  let partial = '';
  try {
    for await (const chunk of input) {
      const lines = (partial + decoder.write(chunk as Buffer)).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) yield line.endsWith('\r') ? line.slice(0, -1) : line;
    }
    partial += decoder.end();
    if (partial !== '') yield partial.endsWith('\r') ? partial.slice(0, -1) : partial;
  } finally {
    raw.destroy();
    input.destroy();
  }
}
