import { Router } from 'express';
import { z } from 'zod';
import type { Daybook } from '../../../application/daybook.js';
import { authOf, requireScope } from '../auth.js';
import {
  commandContext,
  consistencyHeaders,
  consistencyQuery,
  markCaughtUp,
  readConsistency,
} from '../context.js';
import { type ApiDocs, moneyOut } from '../openapi.js';
import { problem } from '../problem.js';
import { monthString, parseBody, text } from '../validate.js';
import { amount } from '../views.js';

const generateBody = z.strictObject({ month: monthString.optional(), apply: z.boolean().optional() });
const whatIfBody = z.strictObject({
  month: monthString,
  algorithm: z.strictObject({
    split: text(40).optional(),
    redistribution: text(40).optional(),
  }),
});

const planCategory = z.object({
  category: z.string(),
  amount: moneyOut,
  kind: z.enum(['flexible', 'fixed']),
  dueDay: z.number().int().optional(),
});

/** 200 a suggestion; 201 when `apply` planned the month with it. */
const suggestionOut = z.object({
  month: z.string(),
  currency: z.string(),
  income: moneyOut,
  basis: z.enum(['rule-50-30-20', 'history']),
  savings: moneyOut,
  categories: z.array(planCategory),
  applied: z.boolean(),
  position: z.string().optional(),
});

export const planDocs = (docs: ApiDocs) =>
  docs.add(
    {
      method: 'post',
      path: '/api/plan/generate',
      summary: 'Suggest a plan from income (50/30/20) or recent spending; apply it with apply: true',
      scope: 'read:budget',
      body: generateBody,
      errors: [
        'invalid-month',
        'invalid-plan',
        'plan-exceeds-income',
        'plan-below-allocated',
        'too-many-categories',
        'unknown-algorithm',
      ],
      responses: { 200: suggestionOut, 201: suggestionOut },
    },
    {
      method: 'get',
      path: '/api/plan/current',
      summary: "The plan of the user's current month",
      scope: 'read:budget',
      query: consistencyQuery,
      headers: consistencyHeaders,
      responses: {
        200: z.object({
          month: z.string(),
          currency: z.string(),
          planned: z.boolean(),
          splitAlgorithm: z.string().optional(),
          categories: z.array(planCategory.omit({ dueDay: true })),
        }),
      },
    },
    {
      method: 'post',
      path: '/api/budget/what-if',
      summary: "Replay a month's facts under other algorithm versions (writes nothing)",
      scope: 'read:budget',
      body: whatIfBody,
      errors: ['invalid-month', 'unknown-algorithm', 'month-not-planned'],
      responses: {
        200: z.object({
          month: z.string(),
          currency: z.string(),
          algorithms: z.object({
            actual: z.object({ split: z.string(), redistribution: z.array(z.string()) }),
            replayed: z.object({ split: z.string(), redistribution: z.string() }),
          }),
          differences: z.array(
            z.object({
              date: z.string(),
              category: z.string(),
              actual: moneyOut,
              replayed: moneyOut,
              delta: moneyOut,
            }),
          ),
          skipped: z.array(z.object({ index: z.number(), type: z.string(), code: z.string() })),
          totals: z.object({ actualOverdrawn: moneyOut, replayedOverdrawn: moneyOut }),
        }),
      },
    },
  );

/** Plans (suggested and current) and the what-if replay of a month under other algorithms. */
export function planRoutes(daybook: Daybook): Router {
  const router = Router();
  const verify = daybook.verifyAccessToken;

  router.post('/plan/generate', requireScope(verify, 'read:budget'), async (req, res) => {
    const body = parseBody(generateBody, req.body);
    const { userId } = authOf(req);
    const month = body.month ?? (await daybook.currentMonth(userId));
    const suggestion = await daybook.generatePlan({ userId, month });
    const categories = suggestion.categories.map((c) => ({
      category: c.category,
      amount: amount(c.amount, suggestion.currency),
      kind: c.kind,
      ...(c.dueDay === undefined ? {} : { dueDay: c.dueDay }),
    }));
    let position: string | undefined;
    if (body.apply) {
      const { scopes } = authOf(req);
      if (!scopes.includes('manage:budget') && !scopes.includes('admin')) {
        throw problem(403, 'insufficient-scope', 'Forbidden', {
          detail: 'Applying a plan needs the manage:budget scope',
        });
      }
      const planned = await daybook.planMonth({ userId, month, categories }, commandContext(req));
      position = planned.position;
    }
    res.status(body.apply ? 201 : 200).json({
      month: suggestion.month,
      currency: suggestion.currency,
      income: amount(suggestion.income, suggestion.currency),
      basis: suggestion.basis,
      savings: amount(suggestion.savings, suggestion.currency),
      categories,
      applied: body.apply === true,
      ...(position ? { position } : {}),
    });
  });

  router.get('/plan/current', requireScope(verify, 'read:budget'), async (req, res) => {
    const { userId } = authOf(req);
    const month = await daybook.currentMonth(userId);
    const m = await daybook.monthlyBudget({ userId, month, ...readConsistency(req) });
    markCaughtUp(res, m.caughtUp);
    res.json({
      month,
      currency: m.currency,
      planned: m.planned,
      ...(m.splitAlgorithm ? { splitAlgorithm: m.splitAlgorithm } : {}),
      categories: m.categories.map((c) => ({
        category: c.category,
        kind: c.kind,
        amount: amount(c.planned, m.currency),
      })),
    });
  });

  router.post('/budget/what-if', requireScope(verify, 'read:budget'), async (req, res) => {
    const body = parseBody(whatIfBody, req.body);
    const result = await daybook.whatIf({ userId: authOf(req).userId, ...body });
    const money = (v: bigint) => amount(v, result.currency);
    res.json({
      month: result.month,
      currency: result.currency,
      algorithms: result.algorithms,
      differences: result.differences.map((d) => ({
        date: d.day,
        category: d.category,
        actual: money(d.actual),
        replayed: money(d.replayed),
        delta: money(d.delta),
      })),
      skipped: result.skipped,
      totals: {
        actualOverdrawn: money(result.totals.actualOverdrawn),
        replayedOverdrawn: money(result.totals.replayedOverdrawn),
      },
    });
  });

  return router;
}
