import type { Categorization, CategorizationRequest, Categorizer } from '../ports/categorizer.port.js';

/** Built-in keywords per category: a word of the merchant or description that names what was bought. */
const KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  food: [
    'cafe',
    'café',
    'coffee',
    'restaurant',
    'grocery',
    'groceries',
    'supermarket',
    'bakery',
    'bistro',
    'pizza',
    'burger',
    'diner',
    'deli',
    'market',
  ],
  transport: ['taxi', 'uber', 'lyft', 'fuel', 'gas station', 'petrol', 'parking', 'metro', 'train', 'bus'],
  health: ['pharmacy', 'drugstore', 'clinic', 'dental', 'doctor'],
  entertainment: ['cinema', 'movie', 'theatre', 'theater', 'concert', 'netflix', 'spotify'],
  shopping: ['clothing', 'apparel', 'shoes', 'electronics', 'bookstore', 'books'],
  utilities: ['electric', 'water bill', 'internet', 'phone bill', 'utility'],
};

const words = (text: string): string => ` ${text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ')} `;

/**
 * The keyword tier alone (the smart branch adds rules, merchant memory and an LLM in front of it): a
 * known keyword in the merchant or description decides, otherwise `other`.
 */
export function keywordCategorizer(): Categorizer {
  return {
    categorize: async (request: CategorizationRequest): Promise<Categorization> => {
      const text = words(`${request.merchant ?? ''} ${request.description ?? ''}`);
      for (const [category, keywords] of Object.entries(KEYWORDS)) {
        if (keywords.some((k) => text.includes(` ${k} `)))
          return { category, categorizedBy: 'keywords', confidence: 0.6 };
      }
      return { category: 'other', categorizedBy: 'default', confidence: 0 };
    },
  };
}
