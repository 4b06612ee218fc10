import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/shared/domain-error.js';
import {
  add,
  allocate,
  formatMoney,
  money,
  parseCurrency,
  parseMoney,
} from '../../src/domain/shared/money.js';

const USD = parseCurrency('USD');
const JPY = parseCurrency('JPY');
const KWD = parseCurrency('KWD');

const rejects = (fn: () => unknown, code: string) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(code);
    return;
  }
  throw new Error('expected a rejection');
};

describe('Money', () => {
  it('parses decimal strings into minor units with the currency exponent', () => {
    expect(parseMoney('12.34', USD).amount).toBe(1234n);
    expect(parseMoney('12.3', USD).amount).toBe(1230n);
    expect(parseMoney('12', USD).amount).toBe(1200n);
    expect(parseMoney('1200', JPY).amount).toBe(1200n);
    expect(parseMoney('1.234', KWD).amount).toBe(1234n);
    expect(parseMoney('-0.01', USD).amount).toBe(-1n);
    expect(parseMoney('999999999999999.99', USD).amount).toBe(99999999999999999n);
  });

  it('rejects more decimals than the currency has, exponents, NaN, Infinity, numbers and junk', () => {
    for (const bad of [
      '1.234',
      '1e3',
      'NaN',
      'Infinity',
      '-Infinity',
      '+1',
      '01.00',
      '1.',
      '.5',
      ' 1',
      '1,00',
      '',
      '0x10',
    ]) {
      rejects(() => parseMoney(bad, USD), 'invalid-money');
    }
    rejects(() => parseMoney('1.5', JPY), 'invalid-money');
    rejects(() => parseMoney(12.5, USD), 'invalid-money');
    rejects(() => parseMoney('1'.repeat(16), USD), 'invalid-money');
  });

  it('formats with exactly the currency decimals', () => {
    expect(formatMoney(money(1234n, USD))).toBe('12.34');
    expect(formatMoney(money(5n, USD))).toBe('0.05');
    expect(formatMoney(money(-5n, USD))).toBe('-0.05');
    expect(formatMoney(money(1200n, JPY))).toBe('1200');
    expect(formatMoney(money(1n, KWD))).toBe('0.001');
  });

  it('refuses to mix currencies and unknown currencies', () => {
    rejects(() => add(money(1n, USD), money(1n, JPY)), 'currency-mismatch');
    rejects(() => parseCurrency('XYZ'), 'unsupported-currency');
    rejects(() => parseCurrency('usd'), 'unsupported-currency');
  });

  it('allocates by largest remainder', () => {
    expect(allocate(100n, [1n, 1n, 1n])).toEqual([34n, 33n, 33n]);
    expect(allocate(60000n, Array(30).fill(1n))).toEqual(Array(30).fill(2000n));
    expect(allocate(10n, [0n, 0n])).toEqual([5n, 5n]);
    expect(allocate(5n, [3n, 0n, 1n])).toEqual([4n, 0n, 1n]);
    expect(allocate(-100n, [1n, 1n, 1n])).toEqual([-34n, -33n, -33n]);
  });
});
