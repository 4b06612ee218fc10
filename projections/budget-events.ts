import { budgetMonthCodec } from '../src/application/events/budget-month.codec.js';
import type { RecordedEvent } from '../src/application/ports/event-store.port.js';
import type { BudgetMonthEvent, BudgetMonthEventType } from '../src/domain/budget-month/events.js';
import type { YearMonth } from '../src/domain/shared/local-date.js';
import { budgetStreamOwner } from './support.js';

/** A budget event with the owner of its stream, decoded once however many projections read it. */
export interface OwnedEvent {
  readonly userId: string;
  readonly month: YearMonth;
  readonly event: BudgetMonthEvent;
}

const decoded = new WeakMap<RecordedEvent, OwnedEvent | null | { failed: unknown }>();

/**
 * The batch's budget events of `types`, decoded. A batch is handed to every projection of a runner
 * group as the same objects, so each event is validated once; one that does not decode throws for
 * every projection that reads it (each parks it).
 */
export function budgetEvents(
  recorded: readonly RecordedEvent[],
  types: ReadonlySet<string> = budgetMonthCodec.types,
): OwnedEvent[] {
  const events: OwnedEvent[] = [];
  for (const r of recorded) {
    if (!types.has(r.type)) continue;
    let entry = decoded.get(r);
    if (entry === undefined) {
      const owner = budgetStreamOwner(r.streamName);
      try {
        entry = owner ? { ...owner, event: budgetMonthCodec.decode(r) } : null;
      } catch (error) {
        entry = { failed: error };
      }
      decoded.set(r, entry);
    }
    if (entry === null) continue;
    if ('failed' in entry) throw entry.failed;
    events.push(entry);
  }
  return events;
}

/** Map keys of (user, month[, transaction]): any text, so separators in names cannot collide. */
export const key = (...parts: string[]) => JSON.stringify(parts);

/** The (user, month, transaction) of every expense the batch amends or voids. */
export function changedExpenseKeys(events: readonly OwnedEvent[]): string[][] {
  const keys = new Map<string, string[]>();
  for (const { userId, month, event } of events) {
    if (event.type === 'ExpenseAmended' || event.type === 'ExpenseVoided')
      keys.set(key(userId, month, event.data.transactionId), [userId, month, event.data.transactionId]);
  }
  return [...keys.values()];
}

/** The (user, month) of the batch's events of `types`. */
export function monthKeys(
  events: readonly OwnedEvent[],
  types: ReadonlySet<BudgetMonthEventType>,
): string[][] {
  const keys = new Map<string, string[]>();
  for (const { userId, month, event } of events)
    if (types.has(event.type)) keys.set(key(userId, month), [userId, month]);
  return [...keys.values()];
}
