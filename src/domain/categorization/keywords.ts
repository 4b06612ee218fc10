import type { Category } from '../shared/category.js';
import { normalizeText } from './normalize.js';

/**
 * The built-in keyword tier: words that commonly name what an expense was for. A keyword matches a
 * whole word (or word prefix for stems like "restaurant") of the merchant or description.
 */
const KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  food: [
    'cafe',
    'café',
    'coffee',
    'espresso',
    'restaurant',
    'bistro',
    'diner',
    'pizza',
    'pizzeria',
    'burger',
    'sushi',
    'bakery',
    'grocery',
    'groceries',
    'supermarket',
    'market',
    'deli',
    'starbucks',
    'mcdonald',
    'kfc',
    'subway',
    'lunch',
    'dinner',
    'breakfast',
    'takeaway',
    'aldi',
    'lidl',
    'tesco',
    'whole foods',
  ],
  transport: [
    'uber',
    'lyft',
    'taxi',
    'cab',
    'bus',
    'train',
    'metro',
    'subway ticket',
    'railway',
    'fuel',
    'petrol',
    'gas station',
    'shell',
    'parking',
    'toll',
    'airline',
    'flight',
  ],
  housing: ['rent', 'mortgage', 'landlord', 'property'],
  utilities: [
    'electric',
    'electricity',
    'water bill',
    'internet',
    'broadband',
    'utility',
    'gas bill',
    'phone bill',
  ],
  health: ['pharmacy', 'drugstore', 'doctor', 'dentist', 'dental', 'clinic', 'hospital', 'medical'],
  entertainment: ['netflix', 'spotify', 'cinema', 'movie', 'theatre', 'theater', 'concert', 'steam', 'game'],
  shopping: ['amazon', 'ikea', 'mall', 'store', 'shop', 'clothing', 'zara'],
  fitness: ['gym', 'fitness', 'yoga'],
};

const PATTERNS: readonly (readonly [Category, RegExp])[] = Object.entries(KEYWORDS).map(
  ([category, words]) => [
    category as Category,
    new RegExp(
      `(?:^|[^\\p{L}\\p{N}])(?:${words.map(escapeRegExp).join('|')})(?:s|es)?(?![\\p{L}\\p{N}])`,
      'u',
    ),
  ],
);

function escapeRegExp(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The categories the keyword tier knows, for prompts and suggestions. */
export const KEYWORD_CATEGORIES: readonly Category[] = PATTERNS.map(([category]) => category);

/** The first category (in table order) one of whose keywords the merchant or description holds. */
export function keywordCategory(subject: { merchant?: string; description?: string }): Category | undefined {
  const text = normalizeText(`${subject.merchant ?? ''} ${subject.description ?? ''}`);
  if (!text) return undefined;
  return PATTERNS.find(([, pattern]) => pattern.test(text))?.[0];
}
