import { formatMoney } from '../../domain/shared/money.js';
import { askModel, type LanguageModelDeps } from '../categorization/llm-tier.js';
import type { SpendingFacts } from './spending-facts.query.js';

export type Narrative =
  | { readonly status: 'on'; readonly text: string; readonly model: string }
  | { readonly status: 'off'; readonly reason: 'not-configured' | 'daily-limit-reached' | 'provider-failed' };

export type FactPart = 'forecast' | 'drift' | 'anomalies' | 'weekdays' | 'recurring';

const SYSTEM = [
  'You are a friendly budgeting coach.',
  'Write at most four short sentences for the user about the facts given, with one concrete suggestion.',
  'Use only these facts; do not invent numbers.',
].join(' ');

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
/** Longest narrative kept. */
const MAX_NARRATIVE_CHARS = 2000;

/**
 * The facts as lines of text for the model: amounts, categories, days and cadences only. Merchant
 * names and notes never go in (recurring charges are described by category), so no personal data does.
 */
export function factLines(f: SpendingFacts, parts: readonly FactPart[]): string[] {
  const money = (amount: bigint) => `${formatMoney({ amount, currency: f.currency })} ${f.currency}`;
  const lines = [`Today is ${f.today}; the month is ${f.month}.`];
  if (parts.includes('forecast')) {
    const p = f.forecast;
    lines.push(
      `Spent ${money(p.spentSoFar)} of ${money(p.allocated)} budgeted after ${p.daysElapsed} of ${p.daysInMonth} days; projected ${money(p.projected)}${p.overspend > 0n ? `, ${money(p.overspend)} over budget` : ''}.`,
    );
    for (const c of p.categories.filter((c) => c.overspend > 0n))
      lines.push(`Category ${c.category} is projected ${money(c.overspend)} over its budget.`);
  }
  if (parts.includes('drift')) {
    for (const d of f.drift.filter((d) => d.drifted)) {
      lines.push(
        `Category ${d.category}: ${money(d.projected)} at this month's pace against a usual ${money(d.baseline)} (${d.direction}).`,
      );
    }
  }
  if (parts.includes('anomalies')) {
    for (const a of f.anomalies)
      lines.push(
        `Unusually high spending on ${a.day}: ${money(a.spent)} against a typical ${money(a.typical)}.`,
      );
  }
  if (parts.includes('weekdays')) {
    const w = f.weekdays;
    lines.push(`Average weekday spend ${money(w.weekdayAverage)}, weekend day ${money(w.weekendAverage)}.`);
    const top = [...w.byWeekday].sort((a, b) => Number(b.averageSpent - a.averageSpent))[0];
    if (top && top.averageSpent > 0n) lines.push(`The most expensive weekday is ${WEEKDAYS[top.weekday]}.`);
  }
  if (parts.includes('recurring')) {
    for (const r of f.recurring)
      lines.push(`A ${r.cadence} charge in ${r.category} of about ${money(r.typicalAmount)}.`);
  }
  return lines;
}

/** The optional narrative: one model call within the user's daily limit, or why there is none. */
export async function narrate(
  deps: LanguageModelDeps,
  userId: string,
  lines: readonly string[],
): Promise<Narrative> {
  const answer = await askModel(deps, userId, { system: SYSTEM, user: lines.join('\n'), maxTokens: 300 });
  if (answer.status === 'off') return answer;
  return { status: 'on', text: answer.text.trim().slice(0, MAX_NARRATIVE_CHARS), model: answer.model };
}
