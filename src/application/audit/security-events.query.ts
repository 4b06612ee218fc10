import { SECURITY_STREAM_KIND } from '../events/security.codec.js';
import type { AuditLog } from '../ports/audit-log.port.js';
import type { GlobalPosition, RecordedEvent } from '../ports/event-store.port.js';
import { auditPage, auditWindow } from './audit-page.js';

/** The security log is the `security-*` streams and the admin reads (AuditRead) of the `audit-*` streams. */
const SECURITY_LOG_KINDS = [SECURITY_STREAM_KIND, 'audit'] as const;

export interface SecurityEventsInput {
  readonly type?: string;
  /** Only this user's security events (and the admin reads of their history). */
  readonly userId?: string;
  /** ISO 8601 timestamps with a zone, on `metadata.occurredAt`: from inclusive, to exclusive. */
  readonly from?: string;
  readonly to?: string;
  /** The `nextCursor` of the previous page (a global position). */
  readonly cursor?: GlobalPosition;
  readonly limit?: number;
}

export interface SecurityEventsPage {
  readonly items: readonly RecordedEvent[];
  readonly nextCursor?: GlobalPosition;
}

/**
 * Every user's security events in global order, filtered, in keyset pages: for administrators (the HTTP
 * layer checks the admin scope before calling).
 */
export const securityEvents =
  (deps: { auditLog: AuditLog }) =>
  async (input: SecurityEventsInput): Promise<SecurityEventsPage> => {
    const { limit, filter } = auditWindow(input);
    const rows = await deps.auditLog.kindPage({
      kinds: SECURITY_LOG_KINDS,
      ...(input.userId === undefined ? {} : { userId: input.userId }),
      ...filter,
    });
    return auditPage(rows, limit);
  };
