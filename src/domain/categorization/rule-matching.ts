import { normalizeText } from './normalize.js';
import type { Rule } from './rules.js';

export interface MatchSubject {
  readonly merchant?: string;
  readonly description?: string;
}

const hits = (rule: Rule, text: string): boolean =>
  text !== '' && (rule.match === 'equals' ? text === rule.pattern : text.includes(rule.pattern));

const applies = (rule: Rule, merchant: string, description: string): boolean =>
  rule.field === 'merchant'
    ? hits(rule, merchant)
    : rule.field === 'description'
      ? hits(rule, description)
      : hits(rule, merchant) || hits(rule, description);

/**
 * The rule that decides: of those that match, the highest priority; then an exact match over a
 * substring, the longer pattern, the most recently written. Deterministic for any order of `rules`.
 */
export function matchRule(rules: Iterable<Rule>, subject: MatchSubject): Rule | undefined {
  const merchant = normalizeText(subject.merchant ?? '');
  const description = normalizeText(subject.description ?? '');
  let best: Rule | undefined;
  for (const rule of rules) {
    if (!applies(rule, merchant, description)) continue;
    if (!best || ranksAbove(rule, best)) best = rule;
  }
  return best;
}

function ranksAbove(a: Rule, b: Rule): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.match !== b.match) return a.match === 'equals';
  if (a.pattern.length !== b.pattern.length) return a.pattern.length > b.pattern.length;
  const at = a.updatedAt ?? a.createdAt;
  const bt = b.updatedAt ?? b.createdAt;
  if (at !== bt) return at > bt;
  return a.ruleId > b.ruleId;
}
