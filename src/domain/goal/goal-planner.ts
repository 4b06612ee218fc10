import { fail } from '../shared/domain-error.js';
import { daysInMonth, type LocalDate, type YearMonth } from '../shared/local-date.js';
import { MILESTONES, type Milestone } from './goal-events.js';

/** Plans longer than this (100 years) are not plans. */
export const MAX_PLAN_MONTHS = 1200;

/** `date` plus `months` calendar months, the day clamped to the month's end (Jan 31 + 1 = Feb 28). */
export function addMonths(date: LocalDate, months: number): LocalDate {
  const index = Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1 + months;
  if (index >= 10_000 * 12) fail('invalid-goal-plan', 'The plan ends after the year 9999');
  const month = `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
  const day = Math.min(Number(date.slice(8, 10)), daysInMonth(month as YearMonth));
  return `${month}-${String(day).padStart(2, '0')}` as LocalDate;
}

/** The number of whole months from `start` that end on or before `end` (0 when less than one). */
export function wholeMonthsBetween(start: LocalDate, end: LocalDate): number {
  const rough =
    (Number(end.slice(0, 4)) - Number(start.slice(0, 4))) * 12 +
    Number(end.slice(5, 7)) -
    Number(start.slice(5, 7));
  let months = Math.max(0, rough);
  while (months > 0 && addMonths(start, months) > end) months -= 1;
  return months;
}

const ceilDiv = (a: bigint, b: bigint): bigint => (a <= 0n ? 0n : (a + b - 1n) / b);

/**
 * How a monthly saving compares with what the user can set aside each month (income minus spending):
 * at most half of it is comfortable, up to 80 % achievable, up to all of it a stretch, more unrealistic.
 */
export type Feasibility = 'comfortable' | 'achievable' | 'stretch' | 'unrealistic' | 'unknown';

export function feasibilityOf(monthly: bigint, capacity: bigint | undefined): Feasibility {
  if (capacity === undefined) return 'unknown';
  if (monthly <= 0n) return 'comfortable';
  if (capacity <= 0n) return 'unrealistic';
  if (monthly * 2n <= capacity) return 'comfortable';
  if (monthly * 5n <= capacity * 4n) return 'achievable';
  return monthly <= capacity ? 'stretch' : 'unrealistic';
}

export interface PlanInput {
  /** Minor units. */
  readonly target: bigint;
  readonly current: bigint;
  /** The first month's saving is made one month after this day. */
  readonly start: LocalDate;
  /** What the user can set aside each month, when known. */
  readonly capacity?: bigint;
}

export interface Timeline {
  readonly monthsNeeded: number;
  readonly targetDate: LocalDate;
  readonly milestones: readonly { percent: Milestone; amount: bigint; month: number; date: LocalDate }[];
  readonly feasibility: Feasibility;
}

function checkInput(input: PlanInput): bigint {
  if (input.target <= 0n) fail('invalid-goal-plan', 'The target is more than zero');
  if (input.current < 0n) fail('invalid-goal-plan', 'The amount saved so far is not negative');
  return input.target > input.current ? input.target - input.current : 0n;
}

const monthsFor = (remaining: bigint, monthly: bigint): number => {
  const months = ceilDiv(remaining, monthly);
  if (months > BigInt(MAX_PLAN_MONTHS)) {
    fail('invalid-goal-plan', `At that rate the goal takes more than ${MAX_PLAN_MONTHS / 12} years`, {
      months: months.toString(),
    });
  }
  return Number(months);
};

/** Saving `monthly` at the end of each month from `start`: when the target is reached, and each milestone. */
export function calculateTimeline(input: PlanInput & { readonly monthly: bigint }): Timeline {
  const remaining = checkInput(input);
  if (remaining > 0n && input.monthly <= 0n)
    fail('invalid-goal-plan', 'The monthly saving is more than zero');
  const monthsNeeded = remaining === 0n ? 0 : monthsFor(remaining, input.monthly);
  const milestones = MILESTONES.map((percent) => {
    const amount = ceilDiv(input.target * BigInt(percent), 100n);
    const month = amount <= input.current ? 0 : monthsFor(amount - input.current, input.monthly);
    return { percent, amount, month, date: addMonths(input.start, month) };
  });
  return {
    monthsNeeded,
    targetDate: addMonths(input.start, monthsNeeded),
    milestones,
    feasibility: feasibilityOf(remaining === 0n ? 0n : input.monthly, input.capacity),
  };
}

export interface Scenario {
  readonly name: 'as-planned' | 'three-months-later' | 'six-months-later' | 'a-year-later' | 'at-capacity';
  readonly months: number;
  readonly monthly: bigint;
  readonly targetDate: LocalDate;
  readonly feasibility: Feasibility;
}

export interface ReversePlan {
  readonly months: number;
  /** The least monthly saving that reaches the target by the date: one minor unit less does not. */
  readonly requiredMonthly: bigint;
  readonly feasibility: Feasibility;
  readonly scenarios: readonly Scenario[];
}

const LATER: readonly [Scenario['name'], number][] = [
  ['three-months-later', 3],
  ['six-months-later', 6],
  ['a-year-later', 12],
];

/** What must be saved each month to reach the target by `targetDate`, and alternatives. */
export function reversePlan(input: PlanInput & { readonly targetDate: LocalDate }): ReversePlan {
  const remaining = checkInput(input);
  const months = wholeMonthsBetween(input.start, input.targetDate);
  if (months < 1) fail('invalid-goal-plan', 'The target date is at least one month away');
  if (months > MAX_PLAN_MONTHS)
    fail('invalid-goal-plan', `The target date is within ${MAX_PLAN_MONTHS / 12} years`);
  const scenario = (name: Scenario['name'], n: number): Scenario => {
    const monthly = ceilDiv(remaining, BigInt(n));
    return {
      name,
      months: n,
      monthly,
      targetDate: addMonths(input.start, n),
      feasibility: feasibilityOf(monthly, input.capacity),
    };
  };
  const planned = scenario('as-planned', months);
  const scenarios = [planned, ...LATER.map(([name, extra]) => scenario(name, months + extra))];
  if (input.capacity !== undefined && input.capacity > 0n && remaining > 0n) {
    const n = Number(ceilDiv(remaining, input.capacity));
    if (n <= MAX_PLAN_MONTHS) scenarios.push(scenario('at-capacity', n));
  }
  return { months, requiredMonthly: planned.monthly, feasibility: planned.feasibility, scenarios };
}
