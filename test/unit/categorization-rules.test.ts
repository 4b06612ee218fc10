import { describe, expect, it } from 'vitest';
import { keywordCategory } from '../../src/domain/categorization/keywords.js';
import { matchRule } from '../../src/domain/categorization/rule-matching.js';
import { type RuleCommand, type RulesState, rulesDecider } from '../../src/domain/categorization/rules.js';
import { recurringCharges } from '../../src/domain/insights/recurring-charges.js';
import type { Category } from '../../src/domain/shared/category.js';
import type { LocalDate } from '../../src/domain/shared/local-date.js';

const now = '2025-06-01T10:00:00.000Z';
const run = (commands: RuleCommand[]): RulesState =>
  commands.reduce(
    (state, command) => rulesDecider.decide(command, state).reduce(rulesDecider.evolve, state),
    rulesDecider.initialState(),
  );
const cat = (c: string) => c as Category;

describe('rules decider', () => {
  it('normalises patterns, refuses empty ones and unknown rules, and is idempotent on a repeated add', () => {
    const add: RuleCommand = {
      type: 'AddRule',
      data: {
        ruleId: 'r1',
        pattern: '  Corner   CAFE ',
        field: 'merchant',
        match: 'equals',
        category: cat('food'),
        priority: 100,
        now,
      },
    };
    const state = run([add]);
    expect(state.rules.get('r1')).toMatchObject({ pattern: 'corner cafe', origin: 'user' });
    expect(rulesDecider.decide(add, state)).toEqual([]);
    expect(() =>
      rulesDecider.decide(
        { type: 'AddRule', data: { ...add.data, ruleId: 'r2', pattern: '  ' } } as RuleCommand,
        state,
      ),
    ).toThrow(/pattern/);
    expect(() => rulesDecider.decide({ type: 'RemoveRule', data: { ruleId: 'nope', now } }, state)).toThrow(
      /No rule/,
    );
  });

  it('learns from a correction once, moves the learned rule on a new correction, and learns nothing without text', () => {
    const learn = (category: string, merchant?: string): RuleCommand => ({
      type: 'LearnFromCorrection',
      data: { ruleId: `l-${category}`, ...(merchant ? { merchant } : {}), category: cat(category), now },
    });
    const state = run([learn('coffee', 'Blue Bottle'), learn('coffee', 'blue bottle')]);
    expect([...state.rules.values()]).toEqual([
      expect.objectContaining({
        pattern: 'blue bottle',
        field: 'merchant',
        match: 'equals',
        origin: 'correction',
      }),
    ]);
    const moved = run([learn('coffee', 'Blue Bottle'), learn('treats', 'Blue Bottle')]);
    expect([...moved.rules.values()].map((r) => r.category)).toEqual(['treats']);
    expect(rulesDecider.decide(learn('coffee'), state)).toEqual([]);
  });

  it('matching prefers priority, then an exact match, then the longer pattern', () => {
    const state = run([
      {
        type: 'AddRule',
        data: {
          ruleId: 'a',
          pattern: 'amazon',
          field: 'any',
          match: 'contains',
          category: cat('shopping'),
          priority: 100,
          now,
        },
      },
      {
        type: 'AddRule',
        data: {
          ruleId: 'b',
          pattern: 'amazon prime',
          field: 'any',
          match: 'contains',
          category: cat('subscriptions'),
          priority: 100,
          now,
        },
      },
      {
        type: 'AddRule',
        data: {
          ruleId: 'c',
          pattern: 'amazon',
          field: 'merchant',
          match: 'equals',
          category: cat('groceries'),
          priority: 100,
          now,
        },
      },
      {
        type: 'AddRule',
        data: {
          ruleId: 'd',
          pattern: 'video',
          field: 'description',
          match: 'contains',
          category: cat('fun'),
          priority: 300,
          now,
        },
      },
    ]);
    const rules = [...state.rules.values()];
    expect(matchRule(rules, { merchant: 'Amazon' })?.ruleId).toBe('c');
    expect(matchRule(rules, { merchant: 'Amazon Prime EU' })?.ruleId).toBe('b');
    expect(matchRule(rules, { merchant: 'Amazon', description: 'Video rental' })?.ruleId).toBe('d');
    expect(matchRule([...rules].reverse(), { merchant: 'Amazon Prime EU' })?.ruleId).toBe('b');
    expect(matchRule(rules, { merchant: 'Ebay' })).toBeUndefined();
  });
});

describe('keywords and recurring charges', () => {
  it('finds keywords as whole words only', () => {
    expect(keywordCategory({ merchant: 'Corner Cafe' })).toBe('food');
    expect(keywordCategory({ description: 'UBER *TRIP' })).toBe('transport');
    expect(keywordCategory({ merchant: 'Rentokil pest control' })).toBeUndefined();
  });

  it('sees a monthly charge of about the same amount, and not an irregular one', () => {
    const charge = (merchant: string, day: string, amount: bigint) => ({
      merchant,
      day: day as LocalDate,
      amount,
      category: 'fun',
    });
    const found = recurringCharges([
      charge('Gym Co', '2025-03-01', 2999n),
      charge('Gym Co', '2025-04-01', 2999n),
      charge('gym co', '2025-05-02', 3199n),
      charge('Bakery', '2025-03-01', 500n),
      charge('Bakery', '2025-03-09', 500n),
      charge('Bakery', '2025-05-20', 500n),
    ]);
    expect(found).toEqual([
      expect.objectContaining({
        cadence: 'monthly',
        occurrences: 3,
        typicalAmount: 2999n,
        nextExpected: '2025-06-02',
      }),
    ]);
  });
});
