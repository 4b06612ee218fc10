import { createHash } from 'node:crypto';
import { z } from 'zod';
import { appendingLogLoader } from '../audit/appending-log-loader.js';
import { CLI_ACTOR, exportLog } from '../audit/export-import.js';
import { type ImportProgress, logImporter } from '../audit/log-importer.js';
import { type AuditLog, streamOwner } from '../ports/audit-log.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventStore } from '../ports/event-store.port.js';
import type { IdGenerator } from '../ports/id-generator.port.js';
import type {
  CredentialRecord,
  InstallationSecrets,
  SubjectKeyRecord,
} from '../ports/installation-secrets.port.js';
import type { LogLoader } from '../ports/log-loader.port.js';

/**
 * A backup is JSON Lines: a header, every event of the log in `$all` order (as exported: stream,
 * revision, id, type, stored data and metadata with the hash chain), every data key, every credential,
 * and a trailer with the counts and the SHA-256 of all the lines before it. The CLI encrypts it.
 */
const FORMAT = 'daybook-backup';
const VERSION = 1;
/** Progress is reported every this many events. */
const PROGRESS_EVERY = 10_000;
/** Keys and credentials are restored this many per statement. */
const SECRETS_BATCH = 1000;

export type BackupErrorCode = 'not-empty' | 'not-a-backup' | 'checksum-mismatch' | 'truncated';

/** A backup that cannot be restored (or a target that cannot take it); `code` is stable. */
export class BackupError extends Error {
  constructor(
    readonly code: BackupErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

export interface BackupSummary {
  readonly events: number;
  readonly subjectKeys: number;
  readonly credentials: number;
  /** SHA-256 (hex) of the backup's lines before the trailer. */
  readonly sha256: string;
}

interface BackupDeps {
  readonly auditLog: AuditLog;
  /** The store as stored (no decryption): hashes cover the ciphertext. */
  readonly store: EventStore;
  readonly secrets: InstallationSecrets;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/**
 * The whole installation as lines, read as they are consumed (memory stays flat but for the set of user
 * ids). Keys and credentials are read after the events, so an erasure that happens meanwhile is kept;
 * those of a user with no event in the backup (registered while it ran) are left out. Recorded in the
 * security log like an export of the whole log (DataExported, subject `all`).
 */
export const backupInstallation = (deps: BackupDeps) =>
  async function* (options: { onProgress?: (events: number) => void } = {}): AsyncIterable<string> {
    const hash = createHash('sha256');
    const line = (record: object) => {
      const text = `${JSON.stringify(record)}\n`;
      hash.update(text);
      return text;
    };
    const counts = { events: 0, subjectKeys: 0, credentials: 0 };
    const users = new Set<string>();
    yield line({
      kind: 'header',
      format: FORMAT,
      version: VERSION,
      createdAt: deps.clock.now().toISOString(),
    });
    for await (const event of exportLog(deps)({ actor: CLI_ACTOR })) {
      counts.events += 1;
      if (counts.events % PROGRESS_EVERY === 0) options.onProgress?.(counts.events);
      const owner = streamOwner(event.stream);
      if (owner) users.add(owner);
      yield line({ kind: 'event', ...event });
    }
    for await (const key of deps.secrets.subjectKeys()) {
      if (!users.has(key.userId)) continue;
      counts.subjectKeys += 1;
      yield line({ kind: 'subject-key', ...key });
    }
    for await (const credential of deps.secrets.credentials()) {
      if (!users.has(credential.userId)) continue;
      counts.credentials += 1;
      yield line({ kind: 'credential', ...credential });
    }
    yield `${JSON.stringify({ kind: 'end', ...counts, sha256: hash.digest('hex') })}\n`;
  };

const isoDate = z.iso.datetime({ offset: true });
const uuid = z.uuid();
const subjectKeyRecord = z.strictObject({
  kind: z.literal('subject-key'),
  userId: uuid,
  key: z.base64().nullable(),
  createdAt: isoDate,
  erasedAt: isoDate.nullable(),
});
const credentialRecord = z.strictObject({
  kind: z.literal('credential'),
  email: z.string().min(1).max(320),
  userId: uuid,
  passwordHash: z.string().min(1).max(1000),
  createdAt: isoDate,
});
const header = z.object({
  kind: z.literal('header'),
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
});
const trailer = z.strictObject({
  kind: z.literal('end'),
  events: z.number().int().min(0),
  subjectKeys: z.number().int().min(0),
  credentials: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/**
 * Reads a backup through without writing anything: its header, every line, and the trailer's counts and
 * checksum. Restore runs it first, so a damaged or incomplete file changes nothing.
 */
export async function verifyBackup(lines: AsyncIterable<string>): Promise<BackupSummary> {
  const hash = createHash('sha256');
  const counts = { events: 0, subjectKeys: 0, credentials: 0 };
  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber += 1;
    const record = parseRecord(text, lineNumber);
    if (lineNumber === 1 && !header.safeParse(record).success)
      throw new BackupError('not-a-backup', `not a ${FORMAT} version ${VERSION} file (first line)`);
    if (record.kind === 'end') return checkTrailer(record, counts, hash.digest('hex'));
    hash.update(`${text}\n`);
    if (record.kind === 'event') counts.events += 1;
    else if (record.kind === 'subject-key') counts.subjectKeys += 1;
    else if (record.kind === 'credential') counts.credentials += 1;
    else if (lineNumber > 1)
      throw new BackupError('not-a-backup', `line ${lineNumber}: unknown record "${record.kind}"`);
  }
  throw new BackupError(
    'truncated',
    `the backup ends after line ${lineNumber} without its trailer: it is incomplete`,
  );
}

function checkTrailer(record: unknown, counts: Omit<BackupSummary, 'sha256'>, sha256: string): BackupSummary {
  const end = trailer.safeParse(record);
  if (!end.success) throw new BackupError('not-a-backup', `malformed trailer: ${z.prettifyError(end.error)}`);
  if (end.data.sha256 !== sha256)
    throw new BackupError(
      'checksum-mismatch',
      `SHA-256 of the content is ${sha256}, the trailer says ${end.data.sha256}`,
    );
  for (const key of ['events', 'subjectKeys', 'credentials'] as const) {
    if (end.data[key] !== counts[key])
      throw new BackupError(
        'checksum-mismatch',
        `the trailer counts ${end.data[key]} ${key}, the file has ${counts[key]}`,
      );
  }
  return { ...counts, sha256 };
}

function parseRecord(text: string, line: number): { kind: string } & Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string')
      return value as { kind: string };
  } catch {}
  throw new BackupError('not-a-backup', `line ${line} is not a backup record`);
}

/**
 * Restores a backup into an empty installation: checks it whole first (`verifyBackup`), then stages the
 * events with their hash chains checked and moves them into the log in large transactions (ids, order
 * and hashes kept, see `logImporter`), then inserts the keys and credentials as they were. `open` is
 * called twice, once per pass. A restore cut short while moving events is resumed by restoring the
 * same backup again (events already moved are skipped by id).
 */
export const restoreInstallation =
  (deps: { store: EventStore; auditLog: AuditLog; secrets: InstallationSecrets; logLoader?: LogLoader }) =>
  async (
    open: () => AsyncIterable<string>,
    options: { onProgress?: (progress: ImportProgress) => void } = {},
  ): Promise<BackupSummary & { readonly streams: number; readonly skipped: number }> => {
    const loader = deps.logLoader ?? appendingLogLoader(deps.store, deps.auditLog);
    const target = await loader.target();
    const notEmpty = () =>
      new BackupError(
        'not-empty',
        'the target has events, keys or credentials: restore needs an empty database',
      );
    if (!(await deps.secrets.isEmpty()) || (!target.empty && target.unfinished.length === 0))
      throw notEmpty();
    const summary = await verifyBackup(open());
    // Events but no secrets: a restore of this very backup was cut short while moving its events.
    if (!target.empty && !target.unfinished.includes(summary.sha256)) throw notEmpty();
    const session = await loader.open();
    try {
      const importer = logImporter(session, options);
      const keys: SubjectKeyRecord[] = [];
      const credentials: CredentialRecord[] = [];
      let lineNumber = 0;
      for await (const text of open()) {
        lineNumber += 1;
        const record = parseRecord(text, lineNumber);
        if (record.kind === 'event') await importer.offerValue(record, lineNumber);
        else if (record.kind === 'subject-key') keys.push(secret(subjectKeyRecord, record, lineNumber));
        else if (record.kind === 'credential') credentials.push(secret(credentialRecord, record, lineNumber));
      }
      const { streams, skipped } = await importer.finish({
        source: summary.sha256,
        skipExisting: !target.empty,
      });
      for (let i = 0; i < keys.length; i += SECRETS_BATCH)
        await deps.secrets.restoreSubjectKeys(keys.slice(i, i + SECRETS_BATCH));
      for (let i = 0; i < credentials.length; i += SECRETS_BATCH)
        await deps.secrets.restoreCredentials(credentials.slice(i, i + SECRETS_BATCH));
      return { ...summary, streams, skipped };
    } finally {
      await session.close();
    }
  };

function secret<T extends z.ZodType>(schema: T, record: unknown, line: number): Omit<z.output<T>, 'kind'> {
  const parsed = schema.safeParse(record);
  if (!parsed.success)
    throw new BackupError('not-a-backup', `line ${line}: ${z.prettifyError(parsed.error)}`);
  const { kind: _, ...rest } = parsed.data as { kind: string };
  return rest as Omit<z.output<T>, 'kind'>;
}
