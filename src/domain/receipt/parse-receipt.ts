import type { LocalDate } from '../shared/local-date.js';
import { type Currency, exponentOf, supportedCurrencies } from '../shared/money.js';
import type { ReceiptReading } from './events.js';

export interface ParseOptions {
  /** The user's currency: what an amount without a code or an unambiguous symbol is in. */
  readonly currency: Currency;
  /** How the user's country writes 03/04/2026 (the US: month first). */
  readonly monthFirst: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const SYMBOLS: Readonly<Record<string, string>> = {
  '€': 'EUR',
  '£': 'GBP',
  '¥': 'JPY',
  '₹': 'INR',
  '₩': 'KRW',
};
/** An amount with two decimals, thousands grouped by "," or "." or not at all: 1,234.56 / 1.234,56 / 12.50. */
const AMOUNT = /(?<![\d.,])(-?\d{1,3}(?:[.,\s]\d{3})*|-?\d+)[.,](\d{2})(?![\d])/g;
const TOTAL =
  /\b(grand\s*t[o0]tal|t[o0]tal(?:\s*due)?|amount\s*due|balance\s*due|to\s*pay|summe|gesamt|montant)\b/i;
const NOT_TOTAL =
  /\b(sub\s*-?\s*t[o0]tal|tax|vat|tip|change|cash|tend(?:ered)?|savings|discount|items?\s*sold)\b/i;
const NOT_ITEM =
  /\b(t[o0]tal|tax|vat|change|cash|card|visa|mastercard|balance|amount|tend(?:ered)?|payment|due)\b/i;
const NOT_MERCHANT =
  /\b(receipt|invoice|welcome|thank|date|time|tel|phone|www\.|http|order|table|server|cashier)\b/i;

/** Minor units of a matched amount ("1,234.56" with its decimals "56"). */
function minorUnits(whole: string, fraction: string, currency: Currency): bigint {
  const sign = whole.startsWith('-') ? -1n : 1n;
  const digits = whole.replace(/[^\d]/g, '');
  const exponent = exponentOf(currency);
  const cents = fraction.padEnd(exponent, '0').slice(0, exponent);
  return sign * BigInt(`${digits}${cents}` || '0');
}

function amountsIn(line: string, currency: Currency): bigint[] {
  return [...line.matchAll(AMOUNT)].map((m) => minorUnits(m[1] as string, m[2] as string, currency));
}

function currencyOf(text: string, fallback: Currency): Currency {
  const codes = new Set(supportedCurrencies());
  for (const word of text.toUpperCase().match(/\b[A-Z]{3}\b/g) ?? [])
    if (codes.has(word)) return word as Currency;
  for (const [symbol, code] of Object.entries(SYMBOLS)) if (text.includes(symbol)) return code as Currency;
  return fallback;
}

const pad = (n: number) => String(n).padStart(2, '0');

function calendarDate(year: number, month: number, day: number): LocalDate | undefined {
  const full = year < 100 ? 2000 + year : year;
  if (month < 1 || month > 12 || day < 1 || full < 1970 || full > 9999) return undefined;
  const date = new Date(Date.UTC(full, month - 1, day));
  if (date.getUTCMonth() !== month - 1) return undefined;
  return `${full}-${pad(month)}-${pad(day)}` as LocalDate;
}

/** The first date on the receipt, and how it was written. */
export function dateOf(
  text: string,
  monthFirst: boolean,
): Pick<ReceiptReading, 'date' | 'dateOrder'> | undefined {
  const iso = /\b(\d{4})-(\d{2})-(\d{2})\b/.exec(text);
  if (iso) {
    const date = calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    if (date) return { date, dateOrder: 'iso' };
  }
  const numeric = /\b(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})\b/.exec(text);
  if (numeric) {
    const [a, b, year] = [Number(numeric[1]), Number(numeric[2]), Number(numeric[3])];
    // Unambiguous when one part cannot be a month; otherwise the user's country decides.
    const dayFirst = a > 12 ? true : b > 12 ? false : !monthFirst;
    const date = dayFirst ? calendarDate(year, b, a) : calendarDate(year, a, b);
    if (date) return { date, dateOrder: dayFirst ? 'day-first' : 'month-first' };
  }
  const named =
    /\b(\d{1,2})\s+([a-z]{3})[a-z]*\.?,?\s+(\d{4})\b/i.exec(text) ??
    /\b([a-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})\b/i.exec(text);
  if (named) {
    const dayFirst = /^\d/.test(named[1] as string);
    const [day, name] = dayFirst ? [named[1], named[2]] : [named[2], named[1]];
    const month = MONTHS.indexOf((name as string).toLowerCase()) + 1;
    const date = month > 0 ? calendarDate(Number(named[3]), month, Number(day)) : undefined;
    if (date) return { date, dateOrder: 'named' };
  }
  return undefined;
}

/** "CORNER CAFE" reads as "Corner Cafe"; mixed case is kept as printed. */
const tidyName = (line: string): string => {
  const name = line.replace(/\s+/g, ' ').trim();
  return name === name.toUpperCase()
    ? name.toLowerCase().replace(/(^|[\s&'-])(\p{L})/gu, (_, sep, letter) => sep + letter.toUpperCase())
    : name;
};

/** The merchant is the first line near the top that reads as a name: mostly letters, no amount or date. */
function merchantOf(lines: readonly string[]): string | undefined {
  for (const line of lines.slice(0, 5)) {
    const letters = line.match(/\p{L}/gu)?.length ?? 0;
    const digits = line.match(/\d/g)?.length ?? 0;
    if (letters >= 3 && digits <= letters / 4 && !NOT_MERCHANT.test(line) && !AMOUNT.test(line))
      return tidyName(line.replace(/[^\p{L}\p{N}&'.\- ]/gu, ' ')).slice(0, 200);
    AMOUNT.lastIndex = 0;
  }
  return undefined;
}

function totalOf(lines: readonly string[], currency: Currency): bigint | undefined {
  // The last "total" line wins: a grand total follows the subtotal and the tax.
  const totals = lines.filter((l) => TOTAL.test(l) && !NOT_TOTAL.test(l));
  for (const line of totals.reverse()) {
    const amount = amountsIn(line, currency).at(-1);
    if (amount !== undefined && amount > 0n) return amount;
  }
  return undefined;
}

function itemsOf(lines: readonly string[], currency: Currency): ReceiptReading['items'] {
  const items: { description: string; amount: bigint }[] = [];
  for (const line of lines) {
    const match = /^(.*?\p{L}.*?)\s+(-?[\d.,\s]*\d[.,]\d{2})\s*\S{0,3}$/u.exec(line);
    if (!match || NOT_ITEM.test(line) || NOT_TOTAL.test(line)) continue;
    const amount = amountsIn(match[2] as string, currency).at(-1);
    const description = (match[1] as string)
      .replace(/[^\p{L}\p{N}&'.,\- ]/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (amount !== undefined && description.length >= 2)
      items.push({ description: description.slice(0, 200), amount });
  }
  return items.slice(0, 100);
}

/**
 * Reads what OCR text of a receipt says: merchant, date (ISO, day-first, month-first or with a month
 * name), total, currency and line items. Pure; whatever it cannot find is left out. Without a total
 * line the total is the largest amount printed.
 */
export function parseReceipt(text: string, options: ParseOptions): ReceiptReading {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const currency = currencyOf(text, options.currency);
  const items = itemsOf(lines, currency);
  const stated = totalOf(lines, currency);
  const largest = lines
    .flatMap((l) => amountsIn(l, currency))
    .reduce<bigint | undefined>((max, a) => (max === undefined || a > max ? a : max), undefined);
  const total = stated ?? (largest !== undefined && largest > 0n ? largest : undefined);
  const merchant = merchantOf(lines);
  const date = dateOf(text, options.monthFirst);
  return {
    ...(merchant ? { merchant } : {}),
    ...(date ?? {}),
    ...(total === undefined ? {} : { total, totalFrom: stated === undefined ? 'largest' : 'total-line' }),
    currency,
    items,
  };
}

/** 0..1: the OCR engine's confidence weighed by what the parser found (a stated total counts most). */
export function readingConfidence(ocrConfidence: number, reading: ReceiptReading): number {
  const found =
    (reading.totalFrom === 'total-line' ? 0.6 : reading.totalFrom === 'largest' ? 0.3 : 0) +
    (reading.date ? 0.2 : 0) +
    (reading.merchant ? 0.2 : 0);
  return Math.round(Math.min(1, Math.max(0, ocrConfidence)) * found * 100) / 100;
}
