import { describe, expect, it } from 'vitest';
import {
  addMonths,
  calculateTimeline,
  reversePlan,
  wholeMonthsBetween,
} from '../../src/domain/goal/goal-planner.js';
import { DomainError } from '../../src/domain/shared/domain-error.js';
import type { LocalDate } from '../../src/domain/shared/local-date.js';

const d = (s: string) => s as LocalDate;

describe('goal planner', () => {
  it('counts calendar months, clamping to the month end', () => {
    expect(addMonths(d('2025-01-31'), 1)).toBe('2025-02-28');
    expect(addMonths(d('2024-01-31'), 1)).toBe('2024-02-29');
    expect(addMonths(d('2025-11-15'), 3)).toBe('2026-02-15');
    expect(wholeMonthsBetween(d('2025-01-31'), d('2025-02-28'))).toBe(1);
    expect(wholeMonthsBetween(d('2025-01-15'), d('2025-02-14'))).toBe(0);
  });

  it('gives months needed, the date and each milestone for a monthly saving', () => {
    const timeline = calculateTimeline({
      target: 100000n,
      current: 10000n,
      monthly: 20000n,
      start: d('2025-06-10'),
      capacity: 50000n,
    });
    expect(timeline).toEqual({
      monthsNeeded: 5,
      targetDate: '2025-11-10',
      milestones: [
        { percent: 25, amount: 25000n, month: 1, date: '2025-07-10' },
        { percent: 50, amount: 50000n, month: 2, date: '2025-08-10' },
        { percent: 75, amount: 75000n, month: 4, date: '2025-10-10' },
        { percent: 100, amount: 100000n, month: 5, date: '2025-11-10' },
      ],
      feasibility: 'comfortable',
    });
  });

  it('plans in reverse with later and at-capacity scenarios', () => {
    const plan = reversePlan({
      target: 120000n,
      current: 0n,
      start: d('2025-06-10'),
      targetDate: d('2025-12-31'),
      capacity: 25000n,
    });
    expect(plan.months).toBe(6);
    expect(plan.requiredMonthly).toBe(20000n);
    expect(plan.feasibility).toBe('achievable');
    expect(plan.scenarios.map((s) => [s.name, s.months, s.monthly])).toEqual([
      ['as-planned', 6, 20000n],
      ['three-months-later', 9, 13334n],
      ['six-months-later', 12, 10000n],
      ['a-year-later', 18, 6667n],
      ['at-capacity', 5, 24000n],
    ]);
  });

  it('refuses a date less than a month away, a zero saving, and plans beyond a century', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as DomainError).code;
      }
      return undefined;
    };
    expect(
      code(() =>
        reversePlan({ target: 1n, current: 0n, start: d('2025-06-10'), targetDate: d('2025-07-01') }),
      ),
    ).toBe('invalid-goal-plan');
    expect(
      code(() => calculateTimeline({ target: 10n, current: 0n, start: d('2025-06-10'), monthly: 0n })),
    ).toBe('invalid-goal-plan');
    expect(
      code(() => calculateTimeline({ target: 10n ** 9n, current: 0n, start: d('2025-06-10'), monthly: 1n })),
    ).toBe('invalid-goal-plan');
    expect(DomainError).toBeDefined();
  });
});
