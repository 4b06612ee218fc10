import type { Category } from '../shared/category.js';
import type { Decider } from '../shared/decider.js';
import { fail } from '../shared/domain-error.js';
import { normalizeText } from './normalize.js';

/**
 * A user's categorization rules (`rules-<userId>`): "an expense whose merchant/description matches this
 * pattern goes to this category". The user writes them (`user`), or one is learned when the user
 * corrects an expense's category (`correction`). Rules are user data, so they are events like the rest.
 */
export type RuleField = 'merchant' | 'description' | 'any';
export type RuleMatch = 'contains' | 'equals';
export type RuleOrigin = 'user' | 'correction';

export interface RuleFields {
  readonly pattern: string;
  readonly field: RuleField;
  readonly match: RuleMatch;
  readonly category: Category;
  /** Higher first; see `matchRule` for ties. */
  readonly priority: number;
}

export interface Rule extends RuleFields {
  readonly ruleId: string;
  readonly origin: RuleOrigin;
  readonly createdAt: string;
  readonly updatedAt?: string;
}

export type RuleEvent =
  | { type: 'RuleAdded'; data: RuleFields & { ruleId: string; origin: RuleOrigin; addedAt: string } }
  /** Carries the rule's complete new fields. */
  | { type: 'RuleChanged'; data: RuleFields & { ruleId: string; changedAt: string } }
  | { type: 'RuleRemoved'; data: { ruleId: string; removedAt: string } };

export type RuleCommand =
  | { type: 'AddRule'; data: RuleFields & { ruleId: string; origin?: RuleOrigin; now: string } }
  | { type: 'ChangeRule'; data: Partial<RuleFields> & { ruleId: string; now: string } }
  | { type: 'RemoveRule'; data: { ruleId: string; now: string } }
  /**
   * The user moved an expense of `merchant` (or, with no merchant, of `description`) to `category`:
   * the next such expense goes there too. `ruleId` is used when a new rule is needed.
   */
  | {
      type: 'LearnFromCorrection';
      data: { ruleId: string; merchant?: string; description?: string; category: Category; now: string };
    };

/** Rules in the order they were added. */
export interface RulesState {
  readonly rules: ReadonlyMap<string, Rule>;
}

export const MAX_RULES = 500;
export const MAX_PATTERN_LENGTH = 100;
export const DEFAULT_PRIORITY = 100;
export const MAX_PRIORITY = 1000;

function validate(fields: RuleFields): RuleFields {
  const pattern = normalizeText(fields.pattern);
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) {
    fail('invalid-rule', `A rule's pattern has 1-${MAX_PATTERN_LENGTH} characters`);
  }
  if (!Number.isInteger(fields.priority) || fields.priority < 0 || fields.priority > MAX_PRIORITY) {
    fail('invalid-rule', `A rule's priority is a whole number from 0 to ${MAX_PRIORITY}`);
  }
  return { ...fields, pattern };
}

const sameFields = (a: RuleFields, b: RuleFields): boolean =>
  a.pattern === b.pattern &&
  a.field === b.field &&
  a.match === b.match &&
  a.category === b.category &&
  a.priority === b.priority;

const existing = (state: RulesState, ruleId: string): Rule =>
  state.rules.get(ruleId) ?? fail('rule-not-found', `No rule ${ruleId}`, { ruleId });

function addRule({ data }: Extract<RuleCommand, { type: 'AddRule' }>, state: RulesState): RuleEvent[] {
  const fields = validate(data);
  const before = state.rules.get(data.ruleId);
  if (before) {
    if (sameFields(before, fields)) return [];
    return fail('invalid-rule', `Rule ${data.ruleId} exists with other fields`, { ruleId: data.ruleId });
  }
  if (state.rules.size >= MAX_RULES) fail('invalid-rule', `A user has at most ${MAX_RULES} rules`);
  return [
    {
      type: 'RuleAdded',
      data: { ruleId: data.ruleId, ...fields, origin: data.origin ?? 'user', addedAt: data.now },
    },
  ];
}

function changeRule({ data }: Extract<RuleCommand, { type: 'ChangeRule' }>, state: RulesState): RuleEvent[] {
  const before = existing(state, data.ruleId);
  const next = validate({
    pattern: data.pattern ?? before.pattern,
    field: data.field ?? before.field,
    match: data.match ?? before.match,
    category: data.category ?? before.category,
    priority: data.priority ?? before.priority,
  });
  if (sameFields(before, next)) return [];
  return [{ type: 'RuleChanged', data: { ruleId: data.ruleId, ...next, changedAt: data.now } }];
}

function learn(
  { data }: Extract<RuleCommand, { type: 'LearnFromCorrection' }>,
  state: RulesState,
): RuleEvent[] {
  const merchant = normalizeText(data.merchant ?? '');
  const description = normalizeText(data.description ?? '');
  const [field, pattern] = merchant
    ? (['merchant', merchant] as const)
    : (['description', description] as const);
  if (!pattern || pattern.length > MAX_PATTERN_LENGTH) return [];
  const learned = [...state.rules.values()].find(
    (r) => r.origin === 'correction' && r.field === field && r.match === 'equals' && r.pattern === pattern,
  );
  if (learned) {
    if (learned.category === data.category) return [];
    return [{ type: 'RuleChanged', data: { ...learned, category: data.category, changedAt: data.now } }];
  }
  const fields: RuleFields = {
    pattern,
    field,
    match: 'equals',
    category: data.category,
    priority: DEFAULT_PRIORITY,
  };
  if (state.rules.size >= MAX_RULES) return [];
  return [
    { type: 'RuleAdded', data: { ruleId: data.ruleId, ...fields, origin: 'correction', addedAt: data.now } },
  ];
}

function evolve(state: RulesState, event: RuleEvent): RulesState {
  const rules = new Map(state.rules);
  switch (event.type) {
    case 'RuleAdded': {
      const { addedAt, ...rule } = event.data;
      rules.set(rule.ruleId, { ...rule, createdAt: addedAt });
      break;
    }
    case 'RuleChanged': {
      const before = rules.get(event.data.ruleId);
      if (!before) return state;
      const { changedAt, ...fields } = event.data;
      rules.set(fields.ruleId, { ...before, ...fields, updatedAt: changedAt });
      break;
    }
    case 'RuleRemoved':
      rules.delete(event.data.ruleId);
      break;
  }
  return { rules };
}

export const rulesDecider: Decider<RuleCommand, RuleEvent, RulesState> = {
  initialState: () => ({ rules: new Map() }),
  evolve,
  decide(command, state) {
    switch (command.type) {
      case 'AddRule':
        return addRule(command, state);
      case 'ChangeRule':
        return changeRule(command, state);
      case 'RemoveRule':
        existing(state, command.data.ruleId);
        return [{ type: 'RuleRemoved', data: { ruleId: command.data.ruleId, removedAt: command.data.now } }];
      case 'LearnFromCorrection':
        return learn(command, state);
    }
  },
};
