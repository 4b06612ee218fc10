import type { Category } from '../shared/category.js';

/** Where an expense goes when nothing is known about it (the last tier of categorization). */
export const FALLBACK_CATEGORY = 'other' as Category;
