import { fail } from './domain-error.js';

/** A calendar date in the user's time zone, `YYYY-MM-DD`. */
export type LocalDate = string & { readonly __brand: 'LocalDate' };
/** A calendar month, `YYYY-MM`. */
export type YearMonth = string & { readonly __brand: 'YearMonth' };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;
const MIN_YEAR = 1970;
const MAX_YEAR = 9999;

const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

export function daysInMonth(month: YearMonth): number {
  const [year, m] = splitMonth(month);
  return m === 2 ? (isLeap(year) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

export function parseYearMonth(input: unknown): YearMonth {
  const match = typeof input === 'string' ? MONTH.exec(input) : null;
  const year = Number(match?.[1]);
  const month = Number(match?.[2]);
  if (!match || year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12) {
    return fail('invalid-month', `"${String(input).slice(0, 20)}" is not a month in YYYY-MM form`);
  }
  return input as YearMonth;
}

export function parseLocalDate(input: unknown): LocalDate {
  const match = typeof input === 'string' ? DATE.exec(input) : null;
  if (!match) return fail('invalid-date', `"${String(input).slice(0, 20)}" is not a date in YYYY-MM-DD form`);
  const month = `${match[1]}-${match[2]}`;
  const day = Number(match[3]);
  const valid =
    MONTH.test(month) && isValidMonth(month) && day >= 1 && day <= daysInMonth(month as YearMonth);
  if (!valid) return fail('invalid-date', `${input} is not a calendar date`);
  return input as LocalDate;
}

const isValidMonth = (month: string): boolean => {
  const [year, m] = splitMonth(month as YearMonth);
  return year >= MIN_YEAR && year <= MAX_YEAR && m >= 1 && m <= 12;
};

const splitMonth = (month: YearMonth): [number, number] => [
  Number(month.slice(0, 4)),
  Number(month.slice(5, 7)),
];

export const monthOf = (date: LocalDate): YearMonth => date.slice(0, 7) as YearMonth;
export const dayOfMonth = (date: LocalDate): number => Number(date.slice(8, 10));
export const dateInMonth = (month: YearMonth, day: number): LocalDate =>
  `${month}-${String(day).padStart(2, '0')}` as LocalDate;

/** 0 = Sunday … 6 = Saturday (Zeller-free: via the proleptic Gregorian day count). */
export function weekdayOf(date: LocalDate): number {
  const [year, month] = splitMonth(monthOf(date));
  return new Date(Date.UTC(year, month - 1, dayOfMonth(date))).getUTCDay();
}

/** The calendar date of `instant` in IANA zone `timeZone`. Time is an input, never read here. */
export function localDateAt(instant: Date, timeZone: string): LocalDate {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}` as LocalDate;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}
