/**
 * Deciding the category of an expense the user did not categorize (issue 15). Tiers, first answer wins:
 * the user's rules, the user's merchant memory, an LLM when configured, built-in keywords, `other`.
 * Receipts, quick entry, POST /api/transactions, bulk and import all ask this one port.
 */
export type CategorizedBy = 'rule' | 'merchant-memory' | 'llm' | 'keywords' | 'default';

export interface CategorizationRequest {
  readonly userId: string;
  readonly merchant?: string;
  readonly description?: string;
  /** Minor units, in `currency`. */
  readonly amount?: bigint;
  readonly currency?: string;
  /** The categories the user's month knows; an answer outside them is allowed (it joins the month). */
  readonly knownCategories?: readonly string[];
}

export interface Categorization {
  readonly category: string;
  readonly categorizedBy: CategorizedBy;
  /** 0..1: how sure the tier is (a rule 1, `default` 0). */
  readonly confidence: number;
  /** The rule that decided, when `categorizedBy` is `rule`. */
  readonly ruleId?: string;
}

export interface Categorizer {
  categorize(request: CategorizationRequest): Promise<Categorization>;
}
