import { userDecider } from '../../domain/user/user.js';
import type { CommandContext } from '../command-handler.js';
import { commandHandler } from '../command-handler.js';
import { auditReadCodec, auditStream } from '../events/audit-read.codec.js';
import { userCodec } from '../events/user.codec.js';
import type { AuditLog } from '../ports/audit-log.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventStore, GlobalPosition, JsonObject, RecordedEvent } from '../ports/event-store.port.js';
import type { IdGenerator } from '../ports/id-generator.port.js';
import { requireUser } from '../users/require-user.js';
import { auditPage, auditWindow } from './audit-page.js';
import { type ChainReport, verifyChains } from './verify-chains.js';

export interface AuditDeps {
  readonly store: EventStore;
  readonly auditLog: AuditLog;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/** Who is reading: a user reads their own history; `admin` may name another user, and that read is recorded. */
export interface AuditReader {
  readonly readerId: string;
  readonly admin: boolean;
  /** Whose history; the reader's own when absent. */
  readonly userId?: string;
}

export interface AuditEventsInput extends AuditReader {
  readonly stream?: string;
  readonly type?: string;
  /** ISO 8601 timestamps with a zone, on `metadata.occurredAt`: from inclusive, to exclusive. */
  readonly from?: string;
  readonly to?: string;
  /** The `nextCursor` of the previous page (a global position). */
  readonly cursor?: GlobalPosition;
  readonly limit?: number;
}

export interface AuditEventsPage {
  readonly userId: string;
  /** Stored events as they are: `data` holds amounts in minor units as decimal strings. */
  readonly items: readonly RecordedEvent[];
  readonly nextCursor?: GlobalPosition;
}

/** Raised when a non-admin names another user; the HTTP layer refuses that before calling (403). */
export class AuditAccessDenied extends Error {
  constructor() {
    super("Reading another user's audit trail needs the admin scope");
    this.name = 'AuditAccessDenied';
  }
}

/**
 * The subject of an audit read. Another user's history is for admins only, and the access is recorded
 * first (an AuditRead event in the subject's `audit-<id>` stream): if it cannot be recorded, nothing is
 * read.
 */
function auditSubject(deps: AuditDeps) {
  const users = commandHandler(deps, userDecider, userCodec);
  return async (reader: AuditReader, query: JsonObject, context: CommandContext): Promise<string> => {
    const subject = reader.userId ?? reader.readerId;
    if (subject === reader.readerId) return subject;
    if (!reader.admin) throw new AuditAccessDenied();
    await requireUser(users, subject);
    const at = deps.clock.now().toISOString();
    const { type, data, schemaVersion } = auditReadCodec.encode({
      type: 'AuditRead',
      data: { reader: reader.readerId, subject, query, at },
    });
    await deps.store.append(
      auditStream(subject),
      [
        {
          id: deps.ids.uuid(),
          type,
          data,
          metadata: {
            correlationId: context.correlationId,
            ...(context.causationId ? { causationId: context.causationId } : {}),
            actor: reader.readerId,
            occurredAt: at,
            schemaVersion,
          },
        },
      ],
      'any',
    );
    return subject;
  };
}

const definedOnly = (value: Record<string, string | number | undefined>): JsonObject =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as JsonObject;

/** A user's events across all their streams, in global order, filtered, in keyset pages. */
export const auditEvents = (deps: AuditDeps) => {
  const subjectOf = auditSubject(deps);
  return async (input: AuditEventsInput, context: CommandContext): Promise<AuditEventsPage> => {
    const { limit, filter } = auditWindow(input);
    const userId = await subjectOf(
      input,
      definedOnly({
        endpoint: 'events',
        stream: input.stream,
        type: input.type,
        from: input.from,
        to: input.to,
        cursor: input.cursor,
        limit,
      }),
      context,
    );
    const rows = await deps.auditLog.page({
      userId,
      ...(input.stream === undefined ? {} : { stream: input.stream }),
      ...filter,
    });
    return { userId, ...auditPage(rows, limit) };
  };
};

/** Verifies the hash chains of a user's own streams (an admin may name another user; recorded). */
export const verifyUserChains = (deps: AuditDeps) => {
  const subjectOf = auditSubject(deps);
  const verify = verifyChains(deps);
  return async (input: AuditReader, context: CommandContext): Promise<ChainReport & { userId: string }> => {
    const userId = await subjectOf(input, { endpoint: 'verify' }, context);
    return { userId, ...(await verify({ userId })) };
  };
};
