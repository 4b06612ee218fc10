import type { BudgetMonthEvent, CellMove } from '../../domain/budget-month/events.js';
import { budgetStreamOwner } from '../../domain/budget-month/stream-name.js';
import { type Currency, formatMoney } from '../../domain/shared/money.js';
import { budgetMonthCodec } from '../events/budget-month.codec.js';
import type { Clock } from '../ports/clock.port.js';
import type { JsonObject, RecordedEvent } from '../ports/event-store.port.js';
import type { Notifier, RealtimeChannel, RealtimeMessage } from '../ports/notifier.port.js';

/** The read model whose commits make a budget event "visible": pushes follow its batches. */
export const NOTIFYING_PROJECTION = 'daily-allocation';

/** A decoded budget event and where it sits. */
export interface BudgetEventAt {
  readonly userId: string;
  readonly month: string;
  readonly position: string;
  readonly eventId: string;
  readonly occurredAt: string;
  readonly event: BudgetMonthEvent;
}

/** The batch's budget-month events, decoded; events of other streams are left out. */
export function budgetEventsOf(recorded: readonly RecordedEvent[]): {
  events: BudgetEventAt[];
  failures: { eventId: string; error: unknown }[];
} {
  const events: BudgetEventAt[] = [];
  const failures: { eventId: string; error: unknown }[] = [];
  for (const r of recorded) {
    const owner = budgetStreamOwner(r.streamName);
    if (!owner || !budgetMonthCodec.types.has(r.type)) continue;
    try {
      events.push({
        userId: owner.userId,
        month: owner.month,
        position: r.position,
        eventId: r.id,
        occurredAt: r.metadata.occurredAt,
        event: budgetMonthCodec.decode(r),
      });
    } catch (error) {
      failures.push({ eventId: r.id, error });
    }
  }
  return { events, failures };
}

/**
 * What a client is told about one budget event: expenses and overspends on `transaction-alerts`, plan
 * and allocation changes on `budget-updates`, and an overdrawn month also as readable text on
 * `notifications`. Amounts are decimal strings in `currency` (the month's). Pure.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: one case per event type: the table of what a client is told
export function messagesFor(at: BudgetEventAt, currency: Currency): RealtimeMessage[] {
  const money = (minor: bigint) => formatMoney({ amount: minor, currency });
  const moves = (list: readonly CellMove[]) =>
    list.map((m) => ({ day: m.day, category: m.category, amount: money(m.amount) }));
  const message = (channel: RealtimeChannel, data: JsonObject): RealtimeMessage => ({
    channel,
    type: at.event.type,
    userId: at.userId,
    month: at.month,
    position: at.position,
    eventId: at.eventId,
    data: { ...data, currency },
  });
  const event = at.event;
  switch (event.type) {
    case 'ExpenseRecorded': {
      const d = event.data;
      return [
        message('transaction-alerts', {
          transactionId: d.transactionId,
          day: d.day,
          category: d.category,
          amount: money(d.amount),
          ...optional({ merchant: d.merchant, note: d.note }),
          source: d.source,
        }),
      ];
    }
    case 'ExpenseAmended': {
      const d = event.data;
      return [
        message('transaction-alerts', {
          transactionId: d.transactionId,
          day: d.day,
          category: d.category,
          amount: money(d.amount),
          ...optional({ merchant: d.merchant, note: d.note }),
        }),
      ];
    }
    case 'ExpenseVoided':
      return [
        message('transaction-alerts', {
          transactionId: event.data.transactionId,
          ...optional({ reason: event.data.reason, movedTo: event.data.movedTo?.day }),
        }),
      ];
    case 'OverspendDetected': {
      const facts = {
        day: event.data.day,
        category: event.data.category,
        overBy: money(event.data.overBy),
        causedBy: event.data.causedBy,
      };
      return [
        message('transaction-alerts', facts),
        message('notifications', {
          ...facts,
          severity: 'info',
          text: `You spent ${facts.overBy} ${currency} over your ${facts.category} budget on ${facts.day}.`,
        }),
      ];
    }
    case 'BudgetPlanned':
    case 'BudgetReplanned': {
      const d = event.data;
      return [
        message('budget-updates', {
          income: money(d.income),
          categories: d.categories.map((c) => ({
            category: c.category,
            amount: money(c.amount),
            kind: c.kind,
            ...(c.dueDay === undefined ? {} : { dueDay: c.dueDay }),
          })),
          splitAlgorithm: d.splitAlgorithm,
          reason: d.reason ?? 'manual',
          ...('effectiveFrom' in d ? { effectiveFrom: d.effectiveFrom, moves: moves(d.moves) } : {}),
        }),
      ];
    }
    case 'ShortfallReduced':
      return [
        message('budget-updates', {
          day: event.data.day,
          category: event.data.category,
          amount: money(event.data.amount),
          ...optional({ transactionId: event.data.transactionId }),
        }),
      ];
    case 'BudgetRebalanced': {
      const facts = {
        coveredDay: event.data.coveredDay,
        category: event.data.category,
        amount: money(event.data.amount),
        causedBy: event.data.causedBy,
      };
      return [
        message('budget-updates', {
          ...facts,
          moves: moves(event.data.moves),
          algorithm: event.data.algorithm,
        }),
        message('notifications', {
          ...facts,
          severity: 'info',
          text: `${facts.amount} ${currency} moved from the rest of ${at.month} to cover ${facts.category} on ${facts.coveredDay}.`,
        }),
      ];
    }
    case 'MonthOverdrawn': {
      const { day, category, shortfall, causedBy } = event.data;
      const facts = { day, category, shortfall: money(shortfall), causedBy };
      return [
        message('budget-updates', facts),
        message('notifications', {
          ...facts,
          severity: 'warning',
          text:
            `The rest of ${at.month} cannot cover your ${category} spending on ${day}: ` +
            `${money(shortfall)} ${currency} is over budget.`,
        }),
      ];
    }
    case 'AllocationAdjusted':
      return [
        message('budget-updates', {
          from: { day: event.data.from.day, category: event.data.from.category },
          to: { day: event.data.to.day, category: event.data.to.category },
          amount: money(event.data.amount),
          ...optional({ reason: event.data.reason }),
        }),
      ];
    case 'DayClosed':
      return [
        message('budget-updates', {
          day: event.data.day,
          policy: event.data.policy,
          moves: moves(event.data.moves),
          saved: money(event.data.saved),
          algorithm: event.data.algorithm,
        }),
      ];
  }
}

const optional = (fields: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Record<string, string>;

export interface NotificationRelayDeps {
  readonly notifier: Notifier;
  readonly clock: Clock;
  /** The user's currency; a month's currency is the user's when it was planned (it never changes). */
  readonly currencyOf: (userId: string) => Promise<Currency>;
  /**
   * Events recorded longer ago than this are not pushed: a read model rebuilt or created on an old log
   * must not replay history to clients. Default 5 minutes.
   */
  readonly maxAgeMs?: number;
  /** Batches waiting to be published; beyond this (a transport that hangs), batches are dropped. */
  readonly maxPendingBatches?: number;
}

export interface NotificationRelay {
  /**
   * The projection runner's `onCommitted` hook. Batches are published one after the other in the order
   * they were committed; the returned promise settles when this batch is handed over and rejects
   * (for the caller to log) when part of it could not be.
   */
  projectionCommitted(projection: string, events: readonly RecordedEvent[]): Promise<void> | undefined;
  /** Resolves when every batch handed over so far is published (tests, shutdown). */
  idle(): Promise<void>;
}

const CURRENCY_CACHE_SIZE = 10_000;

/** Turns committed batches of the daily-allocation read model into messages for their users. */
export function notificationRelay(deps: NotificationRelayDeps): NotificationRelay {
  const maxAgeMs = deps.maxAgeMs ?? 5 * 60_000;
  const maxPending = deps.maxPendingBatches ?? 1000;
  const currencies = new Map<string, Currency>();
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;

  const remember = (userId: string, currency: Currency) => {
    currencies.delete(userId);
    currencies.set(userId, currency);
    if (currencies.size > CURRENCY_CACHE_SIZE) {
      const oldest = currencies.keys().next().value;
      if (oldest !== undefined) currencies.delete(oldest);
    }
  };
  const currencyFor = async (userId: string): Promise<Currency> => {
    const known = currencies.get(userId);
    if (known) return known;
    const currency = await deps.currencyOf(userId);
    remember(userId, currency);
    return currency;
  };

  const publish = async (events: readonly BudgetEventAt[], failures: unknown[]) => {
    const handedOver: Promise<void>[] = [];
    for (const at of events) {
      try {
        if (at.event.type === 'BudgetPlanned') remember(at.userId, at.event.data.currency);
        const currency = await currencyFor(at.userId);
        for (const message of messagesFor(at, currency)) {
          // Called in order without waiting: the transport keeps the order of calls.
          handedOver.push(deps.notifier.publish(at.userId, message));
        }
      } catch (error) {
        failures.push(error);
      }
    }
    for (const result of await Promise.allSettled(handedOver))
      if (result.status === 'rejected') failures.push(result.reason);
    if (failures.length > 0)
      throw new AggregateError(failures, `${failures.length} real-time notification(s) not published`);
  };

  return {
    projectionCommitted(projection, recorded) {
      if (projection !== NOTIFYING_PROJECTION) return undefined;
      const { events, failures } = budgetEventsOf(recorded);
      const oldest = deps.clock.now().getTime() - maxAgeMs;
      const fresh = events.filter((e) => !(Date.parse(e.occurredAt) < oldest));
      const errors: unknown[] = failures.map((f) => f.error);
      if (fresh.length === 0 && errors.length === 0) return undefined;
      if (pending >= maxPending) {
        return Promise.reject(
          new Error(`real-time relay has ${pending} batches waiting; dropped ${fresh.length} events`),
        );
      }
      pending += 1;
      const run = tail
        .then(() => publish(fresh, errors))
        .finally(() => {
          pending -= 1;
        });
      tail = run.catch(() => undefined);
      return run;
    },
    idle: () => tail,
  };
}
