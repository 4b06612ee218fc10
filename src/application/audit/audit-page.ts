import type { GlobalPosition } from '../ports/event-store.port.js';
import { parseInstant } from './as-of.query.js';

export const AUDIT_PAGE_DEFAULT = 100;
export const AUDIT_PAGE_MAX = 500;

/** What an audit page asks: a time window and a page size (1..AUDIT_PAGE_MAX) after a cursor. */
export interface AuditWindowInput {
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
  readonly cursor?: GlobalPosition;
  readonly type?: string;
}

/**
 * The log-query filter of an audit page, asking one row more than the page holds: that row, when it
 * comes, says a next page exists.
 */
export function auditWindow(input: AuditWindowInput) {
  const from = input.from === undefined ? undefined : parseInstant(input.from, 'from');
  const to = input.to === undefined ? undefined : parseInstant(input.to, 'to');
  const limit = Math.min(Math.max(1, Math.trunc(input.limit ?? AUDIT_PAGE_DEFAULT)), AUDIT_PAGE_MAX);
  return {
    limit,
    filter: {
      limit: limit + 1,
      ...(input.type === undefined ? {} : { type: input.type }),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(input.cursor === undefined ? {} : { after: input.cursor }),
    },
  };
}

/** The page of `rows` (fetched with `auditWindow`'s one extra), and the cursor of the next one if any. */
export function auditPage<T extends { position: GlobalPosition }>(
  rows: readonly T[],
  limit: number,
): { items: T[]; nextCursor?: GlobalPosition } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, ...(rows.length > limit && last ? { nextCursor: last.position } : {}) };
}
