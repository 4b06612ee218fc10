import { FALLBACK_CATEGORY } from '../../domain/budget-month/quick-entry.js';
import { keywordCategory } from '../../domain/categorization/keywords.js';
import type { Categorization, CategorizationRequest, Categorizer } from '../ports/categorizer.port.js';

/** Confidence of a keyword hit: a plain word match, right more often than not. */
export const KEYWORD_CONFIDENCE = 0.5;

/** Tiers 4 and 5 on their own: the built-in keywords, else `other`. Needs nothing configured. */
export function keywordCategorizer(): Categorizer {
  return {
    categorize: async (request: CategorizationRequest): Promise<Categorization> => keywordOrDefault(request),
  };
}

export function keywordOrDefault(request: CategorizationRequest): Categorization {
  const category = keywordCategory(request);
  return category
    ? { category, categorizedBy: 'keywords', confidence: KEYWORD_CONFIDENCE }
    : { category: FALLBACK_CATEGORY, categorizedBy: 'default', confidence: 0 };
}
