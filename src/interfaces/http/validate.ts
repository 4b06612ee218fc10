import { z } from 'zod';
// Loaded for its side effect first: the schemas below call .openapi().
import './openapi.js';
import { validationProblem } from './problem.js';

/** Deeper than any body of this API; recursive walks (fingerprints, validation) stay far from the stack's end. */
const MAX_JSON_DEPTH = 32;

/** Refuses a JSON body nested deeper than MAX_JSON_DEPTH (measured without recursion). */
export function requireShallow(body: unknown): void {
  const stack: [unknown, number][] = [[body, 0]];
  while (stack.length) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw validationProblem(
        new z.ZodError([
          {
            code: 'custom',
            path: [],
            message: `is nested deeper than ${MAX_JSON_DEPTH} levels`,
            input: body,
          },
        ]),
        'body',
      );
    }
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
}

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  requireShallow(body);
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw validationProblem(parsed.error, 'body');
  return parsed.data;
}

export function parseParams<S extends z.ZodType>(schema: S, params: unknown): z.infer<S> {
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw validationProblem(parsed.error, 'path');
  return parsed.data;
}

export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw validationProblem(parsed.error, 'query');
  return parsed.data;
}

const PLAIN_TEXT = /^[^\p{Cc}\p{Cs}]*$/u;

/**
 * The one type for free text and identifiers at the boundary: bounded, without control characters or
 * lone surrogates (PostgreSQL text and JSON refuse NUL and unpaired surrogates, and nothing else wants
 * them). A RegExp with a flag leaks into the document as "…/u", so the pattern is given as a string.
 */
export const text = (max: number, min = 0) =>
  z
    .string()
    .min(min)
    .max(max)
    .regex(PLAIN_TEXT, 'must not contain control characters')
    .openapi({ pattern: PLAIN_TEXT.source });

/** An email as registration and login both take it (the application trims and lower-cases it). */
export const emailString = z.email().max(254);

/** A decimal amount in major units; the currency's own decimals are checked by the domain. */
export const moneyString = z
  .string()
  .max(24)
  .regex(/^-?(0|[1-9]\d*)(\.\d+)?$/, 'must be a decimal string such as "12.50"');

export const dateString = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date in YYYY-MM-DD form');
export const monthString = z.string().regex(/^\d{4}-\d{2}$/, 'must be a month in YYYY-MM form');
export const categoryString = text(40, 1);
