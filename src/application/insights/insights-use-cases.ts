import { type Advice, adviceFrom } from '../../domain/insights/advice.js';
import type { LanguageModelDeps } from '../categorization/llm-tier.js';
import type { CatchingUp, ReadConsistency } from '../consistency/read-your-writes.js';
import { type FactPart, factLines, type Narrative, narrate } from './narrative.js';
import { type SpendingFacts, type SpendingFactsDeps, spendingFacts } from './spending-facts.query.js';

type Consistent = <I extends { userId: string }, R extends object>(
  models: readonly CatchingUp[],
  run: (input: I) => Promise<R>,
) => (input: I & ReadConsistency) => Promise<R & { caughtUp: boolean }>;

export interface InsightsInput {
  readonly userId: string;
  readonly driftMonths?: number;
}

/**
 * GET /api/ai/insights, /api/ai/advice, /api/behavior/patterns, /api/drift/detect, POST /api/ai/predict:
 * computed facts first, then the narrative over the facts each shows (or the reason it is off).
 */
export function createInsightsUseCases(deps: SpendingFactsDeps & LanguageModelDeps, consistent: Consistent) {
  const facts = spendingFacts(deps);
  const models = [deps.analytics, deps.transactions];
  const withNarrative = <R extends object>(parts: readonly FactPart[], view: (f: SpendingFacts) => R) =>
    consistent(
      models,
      async (input: InsightsInput): Promise<R & { facts: SpendingFacts; narrative: Narrative }> => {
        const f = await facts(input);
        return { ...view(f), facts: f, narrative: await narrate(deps, input.userId, factLines(f, parts)) };
      },
    );
  return {
    insights: withNarrative(['forecast', 'drift', 'anomalies', 'weekdays', 'recurring'], () => ({})),
    advice: withNarrative(['forecast', 'drift', 'anomalies', 'recurring'], (f): { advice: Advice[] } => ({
      advice: adviceFrom(f),
    })),
    predict: withNarrative(['forecast'], () => ({})),
    behaviorPatterns: withNarrative(['weekdays', 'anomalies', 'recurring'], () => ({})),
    detectDrift: withNarrative(['drift'], () => ({})),
  };
}
