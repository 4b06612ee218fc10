import { constants, createReadStream, createWriteStream } from 'node:fs';
import { access, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type { AuditUseCases } from '../../application/audit/audit-use-cases.js';
import { ImportError } from '../../application/audit/log-importer.js';
import type { BrokenLink } from '../../application/audit/verify-chains.js';
import type { Output } from './output.js';

type AuditCli = Pick<AuditUseCases, 'verifyChains' | 'exportLog' | 'importLog'>;

export const AUDIT_USAGE = `  audit verify [--user <id>]
      Recompute every event's hash and check each stream's hash chain (one user's streams with --user).
      Prints the first broken link of each broken stream; exit code 1 when any is broken.
  export [--user <id>] [--out <file.jsonl>]
      Write the event log (or one user's streams: a GDPR data export) as JSON Lines, one event per line in
      global order: {stream, revision, id, type, data, metadata}. To stdout without --out. Recorded in the
      security log once it ends (DataExported, actor system:cli).
  import --in <file.jsonl>
      Load an export into an EMPTY instance through the append path, keeping ids, order and hashes; stops
      at the first event whose hash differs from the exported one. Run it before starting any worker.
      An export has no data keys and no logins: imported users' personal fields read as [erased].
`;

/** Parsed options, or undefined (and the usage printed) when the arguments are wrong. */
function options<T extends Record<string, { type: 'string' }>>(
  args: readonly string[],
  spec: T,
  out: Output,
): { [K in keyof T]?: string } | undefined {
  try {
    return parseArgs({ args: [...args], options: spec, strict: true, allowPositionals: false }).values as {
      [K in keyof T]?: string;
    };
  } catch (error) {
    out.error(`${(error as Error).message}\n\nUsage:\n${AUDIT_USAGE}`);
    return undefined;
  }
}

const describe = (link: BrokenLink) =>
  `${link.stream}@${link.revision}${link.eventId ? ` (event ${link.eventId})` : ''}: ${link.reason}: ` +
  `expected ${link.expected || '""'}, found ${link.actual || '""'}`;

export async function auditVerify(daybook: AuditCli, args: readonly string[], out: Output): Promise<number> {
  const values = options(args, { user: { type: 'string' } }, out);
  if (!values) return 2;
  const report = await daybook.verifyChains(values.user === undefined ? {} : { userId: values.user });
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
  const values = options(args, { user: { type: 'string' }, out: { type: 'string' } }, out);
  if (!values) return 2;
  let events = 0;
  const lines = Readable.from(
    (async function* () {
      for await (const event of daybook.exportLog(values.user === undefined ? {} : { userId: values.user })) {
        events += 1;
        yield `${JSON.stringify(event)}\n`;
      }
    })(),
  );
  if (values.out === undefined) {
    await pipeline(lines, stdout, { end: false });
    return 0;
  }
  const partial = `${values.out}.partial`;
  try {
    await pipeline(lines, createWriteStream(partial));
    await rename(partial, values.out);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  out.log(`exported ${events} event(s) to ${values.out}`);
  return 0;
}

export async function importCommand(
  daybook: AuditCli,
  args: readonly string[],
  out: Output,
): Promise<number> {
  const values = options(args, { in: { type: 'string' } }, out);
  if (!values) return 2;
  if (values.in === undefined) {
    out.error(`import needs --in <file.jsonl>\n\nUsage:\n${AUDIT_USAGE}`);
    return 2;
  }
  let reported = 0;
  try {
    await access(values.in, constants.R_OK);
    const result = await daybook.importLog(readLines(values.in), {
      onProgress: (events) => {
        if (events - reported >= 10_000) {
          reported = events;
          out.error(`imported ${events} event(s)…`);
        }
      },
    });
    out.log(`imported ${result.events} event(s) in ${result.streams} stream(s) from ${values.in}`);
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
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      out.error(`cannot read ${values.in}: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  }
}

/**
 * The file's lines, opened when the first one is asked for: readline drops lines emitted before its
 * async iterator exists, so the iterator is created in the same tick as the stream.
 */
async function* readLines(file: string): AsyncIterable<string> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    yield* lines;
  } finally {
    lines.close();
    input.destroy();
  }
}
