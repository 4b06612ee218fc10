import { z } from 'zod';
import { validationProblem } from './problem.js';

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
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

/** Free text from clients: bounded, and without control characters (PostgreSQL JSON rejects NUL). */
export const text = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

/** A decimal amount in major units; the currency's own decimals are checked by the domain. */
export const moneyString = z
  .string()
  .max(24)
  .regex(/^-?(0|[1-9]\d*)(\.\d+)?$/, 'must be a decimal string such as "12.50"');

export const dateString = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date in YYYY-MM-DD form');
export const monthString = z.string().regex(/^\d{4}-\d{2}$/, 'must be a month in YYYY-MM form');
export const categoryString = z.string().min(1).max(40);
