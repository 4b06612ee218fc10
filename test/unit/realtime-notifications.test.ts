import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { budgetMonthCodec } from '../../src/application/events/budget-month.codec.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.port.js';
import type { Notifier, RealtimeMessage } from '../../src/application/ports/notifier.port.js';
import {
  budgetEventsOf,
  messagesFor,
  notificationRelay,
} from '../../src/application/realtime/notifications.js';
import type { BudgetMonthEvent } from '../../src/domain/budget-month/events.js';
import type { Category } from '../../src/domain/shared/category.js';
import type { LocalDate, YearMonth } from '../../src/domain/shared/local-date.js';
import type { Currency } from '../../src/domain/shared/money.js';

const USER = '7d0f1f8e-1c1e-4a57-9a4e-0f0e3b1c2d3e';
const OTHER = '1a2b3c4d-0000-4000-8000-000000000001';
const NOW = new Date('2025-06-14T12:00:00.000Z');
const USD = 'USD' as Currency;
const JPY = 'JPY' as Currency;
const d = (s: string) => s as LocalDate;
const c = (s: string) => s as Category;

let sequence = 0;
/** A budget event as the store returns it: encoded by the real codec, at the next position. */
function recorded(
  event: BudgetMonthEvent,
  { user = USER, month = '2025-06', occurredAt = NOW.toISOString() } = {},
): RecordedEvent {
  sequence += 1;
  const encoded = budgetMonthCodec.encode(event);
  return {
    id: randomUUID(),
    type: encoded.type,
    data: encoded.data,
    metadata: {
      correlationId: randomUUID(),
      occurredAt,
      schemaVersion: encoded.schemaVersion,
      prevHash: '',
      hash: '',
    },
    streamName: `budget-${user}-${month}`,
    revision: BigInt(sequence),
    position: `100.${sequence}`,
  };
}

const planned = (currency: Currency = USD): BudgetMonthEvent => ({
  type: 'BudgetPlanned',
  data: {
    userId: USER,
    month: '2025-06' as YearMonth,
    currency,
    income: 300000n,
    categories: [
      { category: c('food'), amount: 60000n, kind: 'flexible' },
      { category: c('rent'), amount: 120000n, kind: 'fixed', dueDay: 1 },
    ],
    splitAlgorithm: 'even@1',
    plannedAt: NOW.toISOString(),
  },
});
const expense = (amount = 1250n, transactionId = 'tx-1'): BudgetMonthEvent => ({
  type: 'ExpenseRecorded',
  data: {
    transactionId,
    day: d('2025-06-14'),
    category: c('food'),
    amount,
    merchant: 'Bakery',
    source: 'manual',
    recordedAt: NOW.toISOString(),
  },
});

/** Decodes one recorded event and maps it, as the relay does. */
function map(event: BudgetMonthEvent, currency: Currency = USD): RealtimeMessage[] {
  const r = recorded(event);
  const [at] = budgetEventsOf([r]).events;
  if (!at) throw new Error('not a budget event');
  return messagesFor(at, currency);
}

describe('messagesFor: budget events become real-time messages', () => {
  it('an expense is a transaction alert with its amount in the month currency', () => {
    const r = recorded(expense());
    const [at] = budgetEventsOf([r]).events;
    expect(messagesFor(at!, USD)).toEqual([
      {
        channel: 'transaction-alerts',
        type: 'ExpenseRecorded',
        userId: USER,
        month: '2025-06',
        position: r.position,
        eventId: r.id,
        data: {
          transactionId: 'tx-1',
          day: '2025-06-14',
          category: 'food',
          amount: '12.50',
          merchant: 'Bakery',
          source: 'manual',
          currency: 'USD',
        },
      },
    ]);
  });

  it('formats with the currency exponent (JPY has none) and keeps signs', () => {
    expect(map(expense(1200n), JPY)[0]?.data).toMatchObject({ amount: '1200', currency: 'JPY' });
    const closed = map(
      {
        type: 'DayClosed',
        data: {
          day: d('2025-06-13'),
          policy: 'forward',
          moves: [
            { day: d('2025-06-13'), category: c('food'), amount: -500n },
            { day: d('2025-06-14'), category: c('food'), amount: 500n },
          ],
          saved: 0n,
          algorithm: 'rollover@1',
          closedAt: NOW.toISOString(),
        },
      },
      USD,
    );
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({
      channel: 'budget-updates',
      type: 'DayClosed',
      data: {
        day: '2025-06-13',
        policy: 'forward',
        moves: [
          { day: '2025-06-13', category: 'food', amount: '-5.00' },
          { day: '2025-06-14', category: 'food', amount: '5.00' },
        ],
        saved: '0.00',
      },
    });
  });

  it('amendments, voids and overspends are transaction alerts', () => {
    const amended = map({
      type: 'ExpenseAmended',
      data: {
        transactionId: 'tx-1',
        day: d('2025-06-15'),
        category: c('food'),
        amount: 999n,
        amendedAt: NOW.toISOString(),
      },
    });
    expect(amended.map((m) => [m.channel, m.type])).toEqual([['transaction-alerts', 'ExpenseAmended']]);
    expect(amended[0]?.data).toEqual({
      transactionId: 'tx-1',
      day: '2025-06-15',
      category: 'food',
      amount: '9.99',
      currency: 'USD',
    });
    const voided = map({
      type: 'ExpenseVoided',
      data: { transactionId: 'tx-1', reason: 'duplicate', voidedAt: NOW.toISOString() },
    });
    expect(voided[0]).toMatchObject({
      channel: 'transaction-alerts',
      type: 'ExpenseVoided',
      data: { transactionId: 'tx-1', reason: 'duplicate' },
    });
    const over = map({
      type: 'OverspendDetected',
      data: { day: d('2025-06-14'), category: c('food'), overBy: 550n, causedBy: 'tx-1' },
    });
    expect(over[0]).toMatchObject({
      channel: 'transaction-alerts',
      type: 'OverspendDetected',
      data: { day: '2025-06-14', category: 'food', overBy: '5.50', causedBy: 'tx-1' },
    });
  });

  it('plans, rebalances and manual adjustments are budget updates', () => {
    expect(map(planned())[0]).toMatchObject({
      channel: 'budget-updates',
      type: 'BudgetPlanned',
      data: {
        income: '3000.00',
        categories: [
          { category: 'food', amount: '600.00', kind: 'flexible' },
          { category: 'rent', amount: '1200.00', kind: 'fixed', dueDay: 1 },
        ],
        splitAlgorithm: 'even@1',
      },
    });
    const rebalanced = map({
      type: 'BudgetRebalanced',
      data: {
        coveredDay: d('2025-06-14'),
        category: c('food'),
        amount: 550n,
        moves: [{ day: d('2025-06-20'), category: c('food'), amount: -550n }],
        algorithm: 'proportional@1',
        causedBy: 'ev-1',
        rebalancedAt: NOW.toISOString(),
      },
    });
    expect(rebalanced[0]).toMatchObject({
      channel: 'budget-updates',
      data: { amount: '5.50', moves: [{ day: '2025-06-20', category: 'food', amount: '-5.50' }] },
    });
    const adjusted = map({
      type: 'AllocationAdjusted',
      data: {
        from: { day: d('2025-06-20'), category: c('food') },
        to: { day: d('2025-06-21'), category: c('fun') },
        amount: 100n,
        adjustedAt: NOW.toISOString(),
      },
    });
    expect(adjusted[0]).toMatchObject({
      channel: 'budget-updates',
      type: 'AllocationAdjusted',
      data: {
        from: { day: '2025-06-20', category: 'food' },
        to: { day: '2025-06-21', category: 'fun' },
        amount: '1.00',
      },
    });
    expect(adjusted[0]?.data).not.toHaveProperty('reason');
  });

  it('an overdrawn month is a budget update and a readable notification', () => {
    const messages = map({
      type: 'MonthOverdrawn',
      data: {
        day: d('2025-06-30'),
        category: c('food'),
        shortfall: 4200n,
        causedBy: 'ev-2',
        detectedAt: NOW.toISOString(),
      },
    });
    expect(messages.map((m) => m.channel)).toEqual(['budget-updates', 'notifications']);
    expect(messages[1]?.data).toMatchObject({ shortfall: '42.00', severity: 'warning' });
    expect(messages[1]?.data.text).toBe(
      'The rest of 2025-06 cannot cover your food spending on 2025-06-30: 42.00 USD is over budget.',
    );
  });

  it('leaves out events of other streams', () => {
    const user: RecordedEvent = {
      ...recorded(expense()),
      streamName: `user-${USER}`,
      type: 'ProfileUpdated',
    };
    const { events, failures } = budgetEventsOf([user, recorded(expense())]);
    expect(events.map((e) => e.event.type)).toEqual(['ExpenseRecorded']);
    expect(failures).toEqual([]);
  });
});

/** A notifier that records what is published, in order. */
function recordingNotifier(fail?: (message: RealtimeMessage) => boolean) {
  const published: { userId: string; message: RealtimeMessage }[] = [];
  const notifier: Notifier = {
    publish: async (userId, message) => {
      if (fail?.(message)) throw new Error('transport down');
      published.push({ userId, message });
    },
    subscribe: () => () => undefined,
    close: async () => undefined,
  };
  return { notifier, published };
}

describe('notificationRelay', () => {
  const clock = { now: () => NOW };

  it('publishes only daily-allocation batches, in order, taking the currency from the batch plan', async () => {
    const { notifier, published } = recordingNotifier();
    const asked: string[] = [];
    const relay = notificationRelay({
      notifier,
      clock,
      currencyOf: async (userId) => {
        asked.push(userId);
        return USD;
      },
    });
    expect(relay.projectionCommitted('transactions', [recorded(expense())])).toBeUndefined();
    await relay.projectionCommitted('daily-allocation', [recorded(planned(JPY)), recorded(expense(1200n))]);
    expect(asked).toEqual([]);
    expect(published.map((p) => [p.userId, p.message.type, p.message.data.currency])).toEqual([
      [USER, 'BudgetPlanned', 'JPY'],
      [USER, 'ExpenseRecorded', 'JPY'],
    ]);
    expect(published[1]?.message.data.amount).toBe('1200');
  });

  it("asks for a user's currency once, and keeps batches in commit order even when a lookup is slow", async () => {
    const { notifier, published } = recordingNotifier();
    let asked = 0;
    const relay = notificationRelay({
      notifier,
      clock,
      currencyOf: async (userId) => {
        asked += 1;
        await new Promise((resolve) => setTimeout(resolve, userId === USER ? 50 : 0));
        return USD;
      },
    });
    const first = relay.projectionCommitted('daily-allocation', [recorded(expense(100n, 'a'))]);
    const second = relay.projectionCommitted('daily-allocation', [
      recorded(expense(200n, 'b'), { user: OTHER }),
      recorded(expense(300n, 'c')),
    ]);
    await Promise.all([first, second]);
    expect(published.map((p) => p.message.data.transactionId)).toEqual(['a', 'b', 'c']);
    expect(asked).toBe(2);
    await relay.projectionCommitted('daily-allocation', [recorded(expense(400n, 'd'))]);
    expect(asked).toBe(2);
  });

  it('does not replay old events (a read model rebuilt on an old log)', async () => {
    const { notifier, published } = recordingNotifier();
    const relay = notificationRelay({ notifier, clock, currencyOf: async () => USD, maxAgeMs: 60_000 });
    const old = recorded(expense(100n, 'old'), {
      occurredAt: new Date(NOW.getTime() - 61_000).toISOString(),
    });
    const result = relay.projectionCommitted('daily-allocation', [old]);
    expect(result).toBeUndefined();
    await relay.projectionCommitted('daily-allocation', [old, recorded(expense(100n, 'new'))]);
    expect(published.map((p) => p.message.data.transactionId)).toEqual(['new']);
  });

  it('reports what it could not publish, publishes the rest, and goes on with the next batch', async () => {
    const { notifier, published } = recordingNotifier((m) => m.data.transactionId === 'bad');
    const relay = notificationRelay({ notifier, clock, currencyOf: async () => USD });
    const failing = relay.projectionCommitted('daily-allocation', [
      recorded(expense(100n, 'bad')),
      recorded(expense(100n, 'good')),
    ]);
    await expect(failing).rejects.toThrow(/1 real-time notification\(s\) not published/);
    await relay.projectionCommitted('daily-allocation', [recorded(expense(100n, 'next'))]);
    expect(published.map((p) => p.message.data.transactionId)).toEqual(['good', 'next']);
  });

  it('drops batches beyond the backlog bound instead of growing without limit', async () => {
    const hang = new Promise<void>(() => undefined);
    const notifier: Notifier = {
      publish: () => hang,
      subscribe: () => () => undefined,
      close: async () => undefined,
    };
    const relay = notificationRelay({ notifier, clock, currencyOf: async () => USD, maxPendingBatches: 2 });
    relay.projectionCommitted('daily-allocation', [recorded(expense())]);
    relay.projectionCommitted('daily-allocation', [recorded(expense())]);
    await expect(relay.projectionCommitted('daily-allocation', [recorded(expense())])).rejects.toThrow(
      /2 batches waiting/,
    );
  });
});
