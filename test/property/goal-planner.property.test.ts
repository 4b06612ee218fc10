import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addMonths, calculateTimeline, reversePlan } from '../../src/domain/goal/goal-planner.js';
import type { LocalDate } from '../../src/domain/shared/local-date.js';
import '../support/fast-check.js';

const start = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2090-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10) as LocalDate);
const target = fc.bigInt({ min: 1n, max: 10n ** 12n });
const plan = fc
  .record({ target, saved: fc.bigInt({ min: 0n, max: 10n ** 12n }), start })
  .map(({ target: t, saved, start: s }) => ({ target: t, current: saved % (t + 1n), start: s }));

describe('Goal planner properties', () => {
  it('the reverse plan is the least monthly saving that meets the date: one minor unit less does not', () => {
    fc.assert(
      fc.property(
        plan,
        fc.integer({ min: 1, max: 240 }),
        fc.integer({ min: 0, max: 27 }),
        (p, n, extraDays) => {
          const end = addMonths(p.start, n);
          const date = new Date(`${end}T00:00:00Z`);
          date.setUTCDate(date.getUTCDate() + extraDays);
          const targetDate = (
            date.toISOString().slice(0, 10) < addMonths(p.start, n + 1)
              ? date.toISOString().slice(0, 10)
              : end
          ) as LocalDate;
          const reverse = reversePlan({ ...p, targetDate });
          expect(reverse.months).toBe(n);
          if (p.current >= p.target) {
            expect(reverse.requiredMonthly).toBe(0n);
            return;
          }
          const reached = calculateTimeline({ ...p, monthly: reverse.requiredMonthly });
          expect(reached.targetDate <= targetDate).toBe(true);
          if (reverse.requiredMonthly > 1n) {
            const short = calculateTimeline({ ...p, monthly: reverse.requiredMonthly - 1n });
            expect(short.targetDate > targetDate).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the timeline's date, planned in reverse, needs no more than the monthly saving it came from", () => {
    fc.assert(
      fc.property(plan, fc.bigInt({ min: 1n, max: 10n ** 10n }), (p, monthly) => {
        const remaining = p.target - p.current;
        fc.pre(remaining > 0n && remaining / monthly < 1200n);
        const timeline = calculateTimeline({ ...p, monthly });
        const reverse = reversePlan({ ...p, targetDate: timeline.targetDate });
        expect(reverse.months).toBe(timeline.monthsNeeded);
        expect(reverse.requiredMonthly <= monthly).toBe(true);
        expect(calculateTimeline({ ...p, monthly: reverse.requiredMonthly }).targetDate).toBe(
          timeline.targetDate,
        );
      }),
      { numRuns: 300 },
    );
  });
});
