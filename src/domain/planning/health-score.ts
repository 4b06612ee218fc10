/** One part of the score: 0-100, and its weight in percent. */
export interface ScoreComponent {
  readonly name: 'savings-rate' | 'spending-consistency' | 'emergency-fund' | 'goal-progress';
  readonly score: number;
  readonly weight: number;
}

export interface HealthInput {
  /** Minor units: the month's income and what was spent (savings excluded). */
  readonly income: bigint;
  readonly spent: bigint;
  /** Spending per day of the month so far. */
  readonly dailySpending: readonly bigint[];
  /** Saved in goals, and the average monthly spending it is measured against (3 months is a full fund). */
  readonly saved: bigint;
  readonly monthlySpending: bigint;
  /** Progress (0-100) of each active goal. */
  readonly goalProgress: readonly number[];
}

const clamp = (n: number) => Math.max(0, Math.min(100, Math.round(n)));

/**
 * 0-100 from four components: savings rate (20 % of income saved is full marks), spending consistency
 * (how little daily spending varies: coefficient of variation 0 is 100, 2 or more is 0), emergency fund
 * (goal savings against three months of spending) and goal progress (the active goals' average; none: 0).
 */
export function healthScore(input: HealthInput): { score: number; components: ScoreComponent[] } {
  const rate = input.income > 0n ? Number(((input.income - input.spent) * 10_000n) / input.income) / 100 : 0;
  const days = input.dailySpending.map(Number);
  const mean = days.reduce((a, b) => a + b, 0) / (days.length || 1);
  const deviation = Math.sqrt(days.reduce((a, b) => a + (b - mean) ** 2, 0) / (days.length || 1));
  const variation = mean === 0 ? 0 : deviation / mean;
  const fund =
    input.monthlySpending > 0n
      ? Number((input.saved * 100n) / (3n * input.monthlySpending))
      : input.saved > 0n
        ? 100
        : 0;
  const progress =
    input.goalProgress.length === 0
      ? 0
      : input.goalProgress.reduce((a, b) => a + b, 0) / input.goalProgress.length;
  const components: ScoreComponent[] = [
    { name: 'savings-rate', score: clamp((rate / 20) * 100), weight: 30 },
    { name: 'spending-consistency', score: clamp(100 - variation * 50), weight: 20 },
    { name: 'emergency-fund', score: clamp(fund), weight: 25 },
    { name: 'goal-progress', score: clamp(progress), weight: 25 },
  ];
  return { score: clamp(components.reduce((sum, c) => sum + (c.score * c.weight) / 100, 0)), components };
}
