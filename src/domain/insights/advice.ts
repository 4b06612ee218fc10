import { type Currency, formatMoney } from '../shared/money.js';
import type { RecurringCharge } from './recurring-charges.js';
import type { AnomalousDay, CategoryDrift, MonthForecast, WeekdayPattern } from './spending-facts.js';

export type AdviceKind =
  | 'forecast-overspend'
  | 'category-overspend'
  | 'category-drift'
  | 'anomalous-day'
  | 'recurring-charges'
  | 'weekend-spending';

export interface Advice {
  readonly kind: AdviceKind;
  readonly category?: string;
  /** Minor units: the amount the advice is about. */
  readonly amount?: bigint;
  readonly message: string;
}

export interface AdviceFacts {
  readonly currency: Currency;
  readonly forecast: MonthForecast;
  readonly drift: readonly CategoryDrift[];
  readonly anomalies: readonly AnomalousDay[];
  readonly recurring: readonly RecurringCharge[];
  readonly weekdays: WeekdayPattern;
}

/** Weekend days costing this many times a weekday are worth a word. */
const WEEKEND_RATIO = 1.5;

/** Plain advice from the computed facts, most urgent first. No model involved. */
export function adviceFrom(facts: AdviceFacts): Advice[] {
  const money = (amount: bigint) => `${formatMoney({ amount, currency: facts.currency })} ${facts.currency}`;
  const advice: Advice[] = [];
  const { forecast } = facts;
  if (forecast.overspend > 0n) {
    const left = forecast.daysInMonth - forecast.daysElapsed;
    const perDay = left > 0 ? (forecast.allocated - forecast.spentSoFar) / BigInt(left) : 0n;
    advice.push({
      kind: 'forecast-overspend',
      amount: forecast.overspend,
      message: `At this pace the month ends ${money(forecast.overspend)} over budget; ${perDay > 0n ? `about ${money(perDay)} a day` : 'nothing more'} keeps it within.`,
    });
  }
  for (const c of forecast.categories
    .filter((c) => c.overspend > 0n)
    .sort((a, b) => Number(b.overspend - a.overspend))) {
    advice.push({
      kind: 'category-overspend',
      category: c.category,
      amount: c.overspend,
      message: `${c.category} is heading ${money(c.overspend)} over its budget.`,
    });
  }
  for (const d of facts.drift.filter((d) => d.drifted && (d.direction === 'up' || d.direction === 'new'))) {
    advice.push({
      kind: 'category-drift',
      category: d.category,
      amount: d.projected - d.baseline,
      message:
        d.changePercent === null
          ? `${d.category} is new this month (${money(d.projected)} at this pace).`
          : `${d.category} runs ${d.changePercent}% above your usual ${money(d.baseline)} a month.`,
    });
  }
  const latest = facts.anomalies.at(-1);
  if (latest) {
    advice.push({
      kind: 'anomalous-day',
      amount: latest.spent,
      message: `${latest.day} cost ${money(latest.spent)}, far above your usual ${money(latest.typical)} a day.`,
    });
  }
  const monthly = facts.recurring.filter((r) => r.cadence === 'monthly');
  if (monthly.length > 0) {
    const total = monthly.reduce((s, r) => s + r.typicalAmount, 0n);
    advice.push({
      kind: 'recurring-charges',
      amount: total,
      message: `${monthly.length} monthly charge(s) cost ${money(total)} a month: check you still use them.`,
    });
  }
  const ratio = facts.weekdays.weekendRatio;
  if (ratio !== null && ratio >= WEEKEND_RATIO) {
    advice.push({
      kind: 'weekend-spending',
      amount: facts.weekdays.weekendAverage,
      message: `A weekend day costs ${ratio} times a weekday (${money(facts.weekdays.weekendAverage)} against ${money(facts.weekdays.weekdayAverage)}).`,
    });
  }
  return advice;
}
