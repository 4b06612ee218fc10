import { fail } from './domain-error.js';

/** A budget category name: lower-case words joined by "-" or "_", e.g. `food`, `eating-out`. */
export type Category = string & { readonly __brand: 'Category' };

const CATEGORY = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;
const MAX_LENGTH = 40;

export function parseCategory(input: unknown): Category {
  if (typeof input !== 'string' || input.length > MAX_LENGTH || !CATEGORY.test(input)) {
    return fail(
      'invalid-category',
      `"${String(input).slice(0, MAX_LENGTH)}" is not a category: use 1-${MAX_LENGTH} lower-case letters, digits, "-" or "_"`,
    );
  }
  return input as Category;
}
