import { fail, invariant } from './domain-error.js';

/**
 * ISO 4217 minor-unit exponents of the currencies Daybook accepts. An explicit table rather than
 * Intl: Intl's "fraction digits" are display conventions (e.g. it shows ISK with 0 and IQD with 0) and
 * vary between ICU versions, while an amount's exponent must never change under a stored event.
 */
const EXPONENTS: Readonly<Record<string, number>> = {
  AED: 2,
  ARS: 2,
  AUD: 2,
  BGN: 2,
  BHD: 3,
  BRL: 2,
  CAD: 2,
  CHF: 2,
  CLP: 0,
  CNY: 2,
  COP: 2,
  CZK: 2,
  DKK: 2,
  EGP: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  HUF: 2,
  IDR: 2,
  ILS: 2,
  INR: 2,
  IQD: 3,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  LYD: 3,
  MAD: 2,
  MXN: 2,
  MYR: 2,
  NGN: 2,
  NOK: 2,
  NZD: 2,
  OMR: 3,
  PEN: 2,
  PHP: 2,
  PKR: 2,
  PLN: 2,
  QAR: 2,
  RON: 2,
  RSD: 2,
  RUB: 2,
  SAR: 2,
  SEK: 2,
  SGD: 2,
  THB: 2,
  TND: 3,
  TRY: 2,
  TWD: 2,
  UAH: 2,
  UGX: 0,
  USD: 2,
  VND: 0,
  XAF: 0,
  XOF: 0,
  ZAR: 2,
};

export type Currency = string & { readonly __brand: 'Currency' };

/** An amount in integer minor units of one currency. Never a float. */
export interface Money {
  readonly amount: bigint;
  readonly currency: Currency;
}

export const supportedCurrencies = (): readonly string[] => Object.keys(EXPONENTS);

export function parseCurrency(code: string): Currency {
  if (!Object.hasOwn(EXPONENTS, code)) {
    return fail('unsupported-currency', `Unsupported currency "${code}"; use an ISO 4217 code`, {
      currency: code,
    });
  }
  return code as Currency;
}

export const exponentOf = (currency: Currency): number => EXPONENTS[currency] as number;

export const money = (amount: bigint, currency: Currency): Money => ({ amount, currency });
export const zero = (currency: Currency): Money => money(0n, currency);

const DECIMAL = /^(-)?(0|[1-9]\d*)(?:\.(\d+))?$/;
/** Amounts beyond this (in major units) are refused: no budget needs them and they hint at garbage. */
const MAX_MAJOR_DIGITS = 15;

/**
 * Parses a decimal string in major units ("12.34", JPY "1200"). Rejects exponents, NaN/Infinity,
 * leading "+", leading zeros, more decimals than the currency has, and anything that is not a string.
 */
export function parseMoney(input: unknown, currency: Currency): Money {
  if (typeof input !== 'string') {
    return fail('invalid-money', 'An amount is a decimal string such as "12.34"', { input: String(input) });
  }
  const match = DECIMAL.exec(input);
  if (!match) return fail('invalid-money', `"${clip(input)}" is not a decimal amount such as "12.34"`);
  const [, sign, whole, fraction = ''] = match;
  const exponent = exponentOf(currency);
  if (fraction.length > exponent) {
    return fail('invalid-money', `${currency} has ${exponent} decimal places; "${clip(input)}" has more`, {
      currency,
      decimals: exponent,
    });
  }
  if ((whole as string).length > MAX_MAJOR_DIGITS) {
    return fail('invalid-money', `"${clip(input)}" is too large`);
  }
  const minor = BigInt((whole as string) + fraction.padEnd(exponent, '0'));
  return money(sign ? -minor : minor, currency);
}

/** Formats in major units with exactly the currency's decimals: 1234n USD -> "12.34". */
export function formatMoney(value: Money): string {
  const exponent = exponentOf(value.currency);
  const negative = value.amount < 0n;
  const digits = (negative ? -value.amount : value.amount).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return (negative ? '-' : '') + whole + (exponent > 0 ? `.${fraction}` : '');
}

export function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    fail('currency-mismatch', `Cannot combine ${a.currency} with ${b.currency}`, {
      expected: a.currency,
      actual: b.currency,
    });
  }
}

export function add(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amount + b.amount, a.currency);
}

export function subtract(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amount - b.amount, a.currency);
}

/**
 * Splits `total` into parts proportional to `weights` by the largest-remainder method: every part is
 * the floor of its exact share, and the leftover units go one each to the largest fractional remainders
 * (ties to the earlier index). The parts always add up to `total` exactly.
 * With all weights zero the split is even.
 */
export function allocate(total: bigint, weights: readonly bigint[]): bigint[] {
  invariant(weights.length > 0, 'allocate needs at least one weight');
  invariant(
    weights.every((w) => w >= 0n),
    'allocate weights are non-negative',
  );
  const negative = total < 0n;
  const magnitude = negative ? -total : total;
  const effective = weights.every((w) => w === 0n) ? weights.map(() => 1n) : weights;
  const weightSum = effective.reduce((s, w) => s + w, 0n);
  const parts = effective.map((w) => (magnitude * w) / weightSum);
  const remainders = effective.map((w, index) => ({ index, remainder: (magnitude * w) % weightSum }));
  let leftover = magnitude - parts.reduce((s, p) => s + p, 0n);
  remainders.sort((a, b) =>
    a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
  );
  for (const { index } of remainders) {
    if (leftover === 0n) break;
    parts[index] = (parts[index] as bigint) + 1n;
    leftover -= 1n;
  }
  invariant(leftover === 0n, 'allocate distributes every unit');
  return negative ? parts.map((p) => -p) : parts;
}

const clip = (s: string): string => (s.length > 40 ? `${s.slice(0, 40)}…` : s);
