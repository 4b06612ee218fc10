import { Router } from 'express';
import { z } from 'zod';
import type { Daybook } from '../../../application/daybook.js';
import { MAX_PATTERN_LENGTH, MAX_PRIORITY, type Rule } from '../../../domain/categorization/rules.js';
import { authOf, requireScope } from '../auth.js';
import { commandContext } from '../context.js';
import { categoryString, parseBody, parseParams, text } from '../validate.js';

export type RuleUseCases = Pick<
  Daybook,
  'listRules' | 'addRule' | 'changeRule' | 'removeRule' | 'verifyAccessToken'
>;

const ruleFields = {
  pattern: text(MAX_PATTERN_LENGTH, 1).openapi({
    description: 'Compared case-insensitively, spaces collapsed',
    example: 'corner cafe',
  }),
  field: z
    .enum(['merchant', 'description', 'any'])
    .openapi({ description: 'What the pattern is matched against' }),
  match: z.enum(['contains', 'equals']),
  category: categoryString,
  priority: z.number().int().min(0).max(MAX_PRIORITY).openapi({
    description: 'Higher wins; among equals an exact match, then the longer pattern, then the newest',
  }),
};

export const ruleBody = z.strictObject({
  ...ruleFields,
  field: ruleFields.field.default('any'),
  match: ruleFields.match.default('contains'),
  priority: ruleFields.priority.optional(),
});

export const ruleChangeBody = z
  .strictObject({
    pattern: ruleFields.pattern.optional(),
    field: ruleFields.field.optional(),
    match: ruleFields.match.optional(),
    category: ruleFields.category.optional(),
    priority: ruleFields.priority.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'name at least one field to change');

export const ruleParams = z.object({ id: text(200, 1) });

export const ruleOut = z.object({
  id: z.string(),
  pattern: z.string(),
  field: z.enum(['merchant', 'description', 'any']),
  match: z.enum(['contains', 'equals']),
  category: z.string(),
  priority: z.number().int(),
  origin: z
    .enum(['user', 'correction'])
    .openapi({ description: '`correction`: learned when you changed a category' }),
  createdAt: z.string(),
  updatedAt: z.string().optional(),
  position: z.string().optional(),
});

const ruleView = (r: Rule) => ({
  id: r.ruleId,
  pattern: r.pattern,
  field: r.field,
  match: r.match,
  category: r.category,
  priority: r.priority,
  origin: r.origin,
  createdAt: r.createdAt,
  ...(r.updatedAt ? { updatedAt: r.updatedAt } : {}),
});

/** A clean-up of undefined members: the use cases take exact optional properties. */
const defined = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };

/** `GET/POST/PUT/DELETE /api/rules`: the user's categorization rules. */
export function ruleRoutes(daybook: RuleUseCases): Router {
  const router = Router();
  const verify = daybook.verifyAccessToken;
  router.get('/', requireScope(verify, 'read:transactions'), async (req, res) => {
    const rules = await daybook.listRules(authOf(req).userId);
    res.json({ items: rules.map(ruleView) });
  });
  router.post('/', requireScope(verify, 'write:transactions'), async (req, res) => {
    const body = parseBody(ruleBody, req.body);
    const written = await daybook.addRule(authOf(req).userId, defined(body), commandContext(req));
    const rule = written.rule as Rule;
    res
      .status(201)
      .location(`/api/rules/${rule.ruleId}`)
      .json({ ...ruleView(rule), ...(written.position ? { position: written.position } : {}) });
  });
  router.put('/:id', requireScope(verify, 'write:transactions'), async (req, res) => {
    const { id } = parseParams(ruleParams, req.params);
    const body = parseBody(ruleChangeBody, req.body);
    const written = await daybook.changeRule(authOf(req).userId, id, defined(body), commandContext(req));
    res.json({
      ...ruleView(written.rule as Rule),
      ...(written.position ? { position: written.position } : {}),
    });
  });
  router.delete('/:id', requireScope(verify, 'write:transactions'), async (req, res) => {
    const { id } = parseParams(ruleParams, req.params);
    const written = await daybook.removeRule(authOf(req).userId, id, commandContext(req));
    if (written.position) res.setHeader('Daybook-Position', written.position);
    res.status(204).end();
  });
  return router;
}
