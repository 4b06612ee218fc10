import { describe, expect, it } from 'vitest';
import { recurringDecider } from '../../src/domain/recurring/recurring.js';
import { occurrencesBetween } from '../../src/domain/recurring/schedule.js';
import { detectSubscriptions } from '../../src/domain/recurring/subscription-detection.js';
import type { Category } from '../../src/domain/shared/category.js';
import type { LocalDate } from '../../src/domain/shared/local-date.js';
import { deciderSpec } from '../support/decider-spec.js';

const d = (s: string) => s as LocalDate;
const c = (s: string) => s as Category;
const NOW = '2025-06-10T12:00:00.000Z';

describe('recurring schedules', () => {
  it('keeps the day of month (clamped), names a period per month, week or year', () => {
    expect(
      occurrencesBetween(
        { frequency: 'monthly', startDate: d('2025-01-31') },
        d('2025-01-01'),
        d('2025-04-30'),
      ),
    ).toEqual([
      { due: '2025-01-31', period: '2025-01' },
      { due: '2025-02-28', period: '2025-02' },
      { due: '2025-03-31', period: '2025-03' },
      { due: '2025-04-30', period: '2025-04' },
    ]);
    expect(
      occurrencesBetween(
        { frequency: 'weekly', startDate: d('2025-06-02'), endDate: d('2025-06-16') },
        d('2025-06-05'),
        d('2025-07-01'),
      ),
    ).toEqual([
      { due: '2025-06-09', period: '2025-06-09' },
      { due: '2025-06-16', period: '2025-06-16' },
    ]);
    expect(
      occurrencesBetween(
        { frequency: 'yearly', startDate: d('2020-02-29') },
        d('2025-01-01'),
        d('2025-12-31'),
      ),
    ).toEqual([{ due: '2025-02-28', period: '2025' }]);
  });
});

describe('recurring decider', () => {
  const spec = deciderSpec(recurringDecider);
  const terms = {
    name: 'Rent',
    amount: 120000n,
    category: c('rent'),
    schedule: { frequency: 'monthly' as const, startDate: d('2025-06-01') },
  };
  const added = {
    type: 'RecurringExpenseAdded' as const,
    data: { ...terms, recurringId: 'r1', addedAt: NOW, addedOn: d('2025-06-10') },
  };
  const add = {
    type: 'AddRecurring' as const,
    data: { ...terms, recurringId: 'r1', today: d('2025-06-10'), now: NOW },
  };

  it('adds once; other terms under the same id are refused; removes once', () => {
    spec([]).when(add).thenEmits([added]);
    spec([added]).when(add).thenEmits([]);
    spec([added])
      .when({ ...add, data: { ...add.data, amount: 1n } })
      .thenRejects('invalid-recurring');
    spec([added])
      .when({ type: 'RemoveRecurring', data: { recurringId: 'r1', now: NOW } })
      .thenEmits([{ type: 'RecurringExpenseRemoved', data: { recurringId: 'r1', removedAt: NOW } }]);
    spec([])
      .when({ type: 'RemoveRecurring', data: { recurringId: 'r1', now: NOW } })
      .thenRejects('recurring-not-found');
  });

  it('refuses an amount of zero and an end before the start', () => {
    spec([])
      .when({ ...add, data: { ...add.data, amount: 0n } })
      .thenRejects('invalid-recurring');
    spec([])
      .when({ ...add, data: { ...add.data, schedule: { ...terms.schedule, endDate: d('2025-05-01') } } })
      .thenRejects('invalid-recurring');
  });
});

describe('subscription detection', () => {
  const paid = (day: string, merchant: string, amount: bigint) => ({
    day: d(day),
    merchant,
    amount,
    category: c('fun'),
  });

  it('suggests merchants paid at a steady interval and amount, not known ones or irregular ones', () => {
    const history = [
      paid('2025-03-05', 'Netflix', 1599n),
      paid('2025-04-05', 'netflix ', 1599n),
      paid('2025-05-06', 'Netflix', 1599n),
      paid('2025-05-01', 'Gym', 3000n),
      paid('2025-05-08', 'Gym', 3000n),
      paid('2025-05-15', 'Gym', 3100n),
      paid('2025-03-01', 'Bakery', 500n),
      paid('2025-03-19', 'Bakery', 500n),
      paid('2025-04-30', 'Bakery', 500n),
      paid('2025-03-01', 'Rent', 90000n),
      paid('2025-04-01', 'Rent', 90000n),
      paid('2025-05-01', 'Rent', 90000n),
    ];
    expect(detectSubscriptions(history, ['rent'])).toEqual([
      {
        name: 'Gym',
        amount: 3100n,
        category: 'fun',
        frequency: 'weekly',
        occurrences: 3,
        lastDate: '2025-05-15',
      },
      {
        name: 'Netflix',
        amount: 1599n,
        category: 'fun',
        frequency: 'monthly',
        occurrences: 3,
        lastDate: '2025-05-06',
      },
    ]);
  });
});
