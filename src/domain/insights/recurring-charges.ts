import { normalizeText } from '../categorization/normalize.js';
import type { LocalDate } from '../shared/local-date.js';
import { addDays, daysBetween } from './calendar.js';
import { median } from './robust-stats.js';

export interface Charge {
  readonly merchant?: string;
  readonly amount: bigint;
  readonly day: LocalDate;
  readonly category: string;
}

export type Cadence = 'weekly' | 'monthly' | 'yearly';

export interface RecurringCharge {
  readonly merchant: string;
  readonly category: string;
  readonly cadence: Cadence;
  readonly typicalAmount: bigint;
  readonly occurrences: number;
  readonly lastDay: LocalDate;
  readonly nextExpected: LocalDate;
}

const CADENCES: readonly { cadence: Cadence; days: number; slack: number }[] = [
  { cadence: 'weekly', days: 7, slack: 1 },
  { cadence: 'monthly', days: 30, slack: 4 },
  { cadence: 'yearly', days: 365, slack: 7 },
];
/** Amounts within this share of their median count as "the same charge" (prices move a little). */
const AMOUNT_TOLERANCE = 0.1;

/**
 * Subscription-like charges: the same merchant, about the same amount, at a steady weekly, monthly or
 * yearly rhythm. Three charges make a rhythm; two do when they are a month apart to the cent.
 */
export function recurringCharges(charges: readonly Charge[]): RecurringCharge[] {
  const byMerchant = new Map<string, Charge[]>();
  for (const c of charges) {
    const key = normalizeText(c.merchant ?? '');
    if (key) byMerchant.set(key, [...(byMerchant.get(key) ?? []), c]);
  }
  const found: RecurringCharge[] = [];
  for (const list of byMerchant.values()) {
    const sorted = [...list].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
    const recurring = rhythmOf(sorted);
    if (recurring) found.push(recurring);
  }
  return found.sort((a, b) => (a.merchant < b.merchant ? -1 : 1));
}

function rhythmOf(sorted: readonly Charge[]): RecurringCharge | undefined {
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (!first || !last || sorted.length < 2) return undefined;
  const gaps = sorted.slice(1).map((c, i) => daysBetween((sorted[i] as Charge).day, c.day));
  const typicalGap = median(gaps);
  const rhythm = CADENCES.find(
    (c) => gaps.every((g) => Math.abs(g - c.days) <= c.slack) && Math.abs(typicalGap - c.days) <= c.slack,
  );
  if (!rhythm) return undefined;
  const amounts = sorted.map((c) => Number(c.amount));
  const typical = median(amounts);
  if (!amounts.every((a) => Math.abs(a - typical) <= typical * AMOUNT_TOLERANCE)) return undefined;
  const twoExact = sorted.length === 2 && rhythm.cadence === 'monthly' && first.amount === last.amount;
  if (sorted.length < 3 && !twoExact) return undefined;
  return {
    merchant: last.merchant as string,
    category: last.category,
    cadence: rhythm.cadence,
    typicalAmount: BigInt(Math.round(typical)),
    occurrences: sorted.length,
    lastDay: last.day,
    nextExpected: addDays(last.day, Math.round(typicalGap)),
  };
}
