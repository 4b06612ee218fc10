import { Router } from 'express';
import { z } from 'zod';
import type { Daybook } from '../../../application/daybook.js';
import { authOf, requireScope } from '../auth.js';
import { commandContext, markCaughtUp, readAfter } from '../context.js';
import { problem } from '../problem.js';
import { monthString, parseBody } from '../validate.js';
import { amount } from '../views.js';

const generateBody = z.strictObject({ month: monthString.optional(), apply: z.boolean().optional() });
const whatIfBody = z.strictObject({
  month: monthString,
  algorithm: z.strictObject({
    split: z.string().max(40).optional(),
    redistribution: z.string().max(40).optional(),
  }),
});

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
    const after = readAfter(req);
    const m = await daybook.monthlyBudget({ userId, month, ...(after ? { after } : {}) });
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
