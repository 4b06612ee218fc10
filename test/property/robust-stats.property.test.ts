import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mad, median, robustScale, robustZ } from '../../src/domain/insights/robust-stats.js';
import { anomalousDays } from '../../src/domain/insights/spending-facts.js';
import type { LocalDate } from '../../src/domain/shared/local-date.js';

const values = fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 60 });

describe('Robust statistics properties', () => {
  it('the median lies between the least and the greatest value and ignores their order', () => {
    fc.assert(
      fc.property(values, fc.infiniteStream(fc.nat()), (xs, noise) => {
        const m = median(xs);
        expect(m).toBeGreaterThanOrEqual(Math.min(...xs));
        expect(m).toBeLessThanOrEqual(Math.max(...xs));
        const shuffled = [...xs].sort(() => ((noise.next().value as number) % 3) - 1);
        expect(median(shuffled)).toBe(m);
      }),
    );
  });

  it('robust z-scores do not change when every value is shifted or scaled up', () => {
    fc.assert(
      fc.property(
        values,
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 1, max: 50 }),
        (xs, shift, factor) => {
          const moved = xs.map((x) => x * factor + shift);
          const a = robustScale(xs);
          const b = robustScale(moved);
          xs.forEach((x, i) => {
            expect(robustZ(moved[i] as number, b)).toBeCloseTo(robustZ(x, a), 6);
          });
          expect(mad(moved)).toBeCloseTo(mad(xs) * factor, 6);
        },
      ),
    );
  });

  it('one huge day moves the median by at most one neighbouring value, and is the day flagged', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1000, max: 5000 }), { minLength: 14, maxLength: 60 }), (xs) => {
        const huge = 1_000_000;
        const sorted = [...xs].sort((a, b) => a - b);
        const m = median([...xs, huge]);
        expect(m).toBeGreaterThanOrEqual(median(xs));
        expect(m).toBeLessThanOrEqual(sorted[Math.ceil(xs.length / 2)] as number);
        const days = [...xs, huge].map((spent, i) => ({
          day: `2025-01-${String((i % 28) + 1).padStart(2, '0')}` as LocalDate,
          spent: BigInt(spent),
        }));
        const flagged = anomalousDays(days);
        expect(flagged.map((d) => Number(d.spent))).toContain(huge);
        expect(flagged.every((d) => Number(d.spent) > median(xs))).toBe(true);
      }),
    );
  });
});
