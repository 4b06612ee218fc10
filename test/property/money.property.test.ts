import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  formatMoney,
  money,
  parseCurrency,
  parseMoney,
  supportedCurrencies,
} from '../../src/domain/shared/money.js';

const weights = fc.array(fc.bigInt({ min: 0n, max: 1_000_000n }), { minLength: 1, maxLength: 40 });
const total = fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n });

describe('Money properties', () => {
  it('allocate never creates or loses a minor unit', () => {
    fc.assert(fc.property(total, weights, (t, w) => allocate(t, w).reduce((a, b) => a + b, 0n) === t));
  });

  it('allocate gives each part its exact share rounded down or up, never further off', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), weights, (t, w) => {
        const effective = w.every((x) => x === 0n) ? w.map(() => 1n) : w;
        const sum = effective.reduce((a, b) => a + b, 0n);
        allocate(t, w).forEach((part, i) => {
          const floor = (t * (effective[i] as bigint)) / sum;
          expect(part === floor || part === floor + 1n).toBe(true);
        });
      }),
    );
  });

  it('formatting then parsing returns the same amount, in every supported currency', () => {
    const currency = fc.constantFrom(...supportedCurrencies()).map(parseCurrency);
    fc.assert(
      fc.property(currency, fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n }), (c, amount) => {
        expect(parseMoney(formatMoney(money(amount, c)), c)).toEqual(money(amount, c));
      }),
    );
  });
});
