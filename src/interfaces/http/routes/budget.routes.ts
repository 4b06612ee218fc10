import { Router } from 'express';
import { z } from 'zod';
import type { Daybook } from '../../../application/daybook.js';
import { WrongExpectedVersionError } from '../../../application/ports/event-store.port.js';
import { asOfQuery, readAsOf } from '../as-of.js';
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
import {
  categoryString,
  dateString,
  moneyString,
  monthString,
  parseBody,
  parseParams,
  text,
} from '../validate.js';
import { amount } from '../views.js';

const planBody = z.strictObject({
  categories: z
    .array(
      z.strictObject({
        category: categoryString,
        amount: moneyString,
        kind: z.enum(['flexible', 'fixed']).optional(),
        dueDay: z.number().int().min(1).max(31).optional(),
      }),
    )
    .min(1)
    .max(50),
  splitAlgorithm: text(40).optional(),
  effectiveFrom: dateString.optional().openapi({
    description:
      "For a month with history: the first day the new plan changes (default: the user's today). Days before it keep their allocations; each category's change is spread over the days from it.",
  }),
});

const dailyLine = z.object({ allocated: moneyOut, spent: moneyOut, remaining: moneyOut });

export const budgetDocs = (docs: ApiDocs) =>
  docs.add(
    {
      method: 'put',
      path: '/api/budget/plan/:month',
      summary:
        "Plan a month (201 its first plan, 200 replaced, re-planned or unchanged; ETag = version). A month with history is re-planned from `effectiveFrom`: the answer lists each category's change and any overspend it left.",
      scope: 'manage:budget',
      params: z.object({ month: monthString }),
      headers: z.object({ 'if-match': z.string().optional() }),
      body: planBody,
      errors: [
        'invalid-plan',
        'plan-exceeds-income',
        'plan-below-allocated',
        'too-many-categories',
        'currency-mismatch',
        'date-outside-month',
        'unknown-algorithm',
        'invalid-money',
        'invalid-category',
        'invalid-date',
        'invalid-month',
        'invalid-if-match',
        'precondition-failed',
      ],
      responses: {
        200: planView,
        201: planView,
      },
    },
    {
      method: 'get',
      path: '/api/budget/daily/:date',
      summary: 'How much is left today, per category',
      scope: 'read:budget',
      params: z.object({ date: dateString }),
      query: consistencyQuery.extend(asOfQuery.shape),
      headers: consistencyHeaders,
      errors: ['invalid-date'],
      responses: {
        200: z.object({
          date: z.string(),
          currency: z.string(),
          planned: z.boolean(),
          categories: z.array(dailyLine.extend({ category: z.string() })),
          total: dailyLine,
        }),
      },
    },
  );

const planView = z.object({
  month: z.string(),
  currency: z.string(),
  income: moneyOut,
  splitAlgorithm: z.string(),
  categories: z.array(
    z.object({
      category: z.string(),
      amount: moneyOut,
      kind: z.enum(['flexible', 'fixed']),
      dueDay: z.number().int().optional(),
    }),
  ),
  effectiveFrom: z.string().optional(),
  changes: z
    .array(z.object({ category: z.string(), amount: moneyOut, change: moneyOut }))
    .optional()
    .openapi({
      description:
        'Re-plans: per category, its new amount and what the days from effectiveFrom gained (or lost)',
    }),
  overspends: z.array(z.object({ day: z.string(), category: z.string(), overBy: moneyOut })),
  version: z.number().int(),
  position: z.string().optional(),
});

/** `If-Match: "<version>"` (or W/"...") names the plan version the client edited. */
function ifMatchVersion(header: string | undefined): bigint | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"(-1|\d{1,18})"$/.exec(header.trim());
  if (!match)
    throw problem(400, 'invalid-if-match', 'Bad request', { detail: 'If-Match must be an ETag such as "3"' });
  return BigInt(match[1] as string);
}

export function budgetRoutes(daybook: Daybook): Router {
  const router = Router();
  const verify = daybook.verifyAccessToken;

  router.put('/plan/:month', requireScope(verify, 'manage:budget'), async (req, res) => {
    const { month } = parseParams(z.object({ month: monthString }), req.params);
    const body = parseBody(planBody, req.body);
    const expectedVersion = ifMatchVersion(req.get('if-match'));
    const { userId } = authOf(req);
    const result = await daybook
      .planMonth(
        { userId, month, ...body },
        commandContext(req),
        expectedVersion === undefined ? {} : { expectedVersion },
      )
      .catch((error: unknown) => {
        if (error instanceof WrongExpectedVersionError && expectedVersion !== undefined) {
          throw problem(412, 'precondition-failed', 'Precondition failed', {
            detail: 'The plan changed since the version in If-Match',
          });
        }
        throw error;
      });
    const { plan } = result;
    const money = (minor: bigint) => amount(minor, plan.currency);
    res
      .status(result.created ? 201 : 200)
      .setHeader('ETag', `"${result.version}"`)
      .json({
        month: plan.month,
        currency: plan.currency,
        income: amount(plan.income, plan.currency),
        splitAlgorithm: plan.splitAlgorithm,
        categories: plan.plan.map((c) => ({
          category: c.category,
          amount: amount(c.amount, plan.currency),
          kind: c.kind,
          ...(c.dueDay === undefined ? {} : { dueDay: c.dueDay }),
        })),
        ...(result.replanned
          ? {
              effectiveFrom: result.replanned.effectiveFrom,
              changes: result.replanned.changes.map((c) => ({
                category: c.category,
                amount: money(c.amount),
                change: money(c.change),
              })),
            }
          : {}),
        overspends: result.overspends.map((o) => ({
          day: o.day,
          category: o.category,
          overBy: money(o.overBy),
        })),
        version: Number(result.version),
        ...(result.position ? { position: result.position } : {}),
      });
  });

  router.get('/daily/:date', requireScope(verify, 'read:budget'), async (req, res) => {
    const { date } = parseParams(z.object({ date: dateString }), req.params);
    const consistency = readConsistency(req);
    const asOf = readAsOf(req);
    const userId = authOf(req).userId;
    // "As of" is rebuilt from the log itself: nothing to catch up with.
    const daily = asOf
      ? { ...(await daybook.dailyBudgetAsOf({ userId, date, asOf })), caughtUp: true }
      : await daybook.dailyBudget({ userId, date, ...consistency });
    markCaughtUp(res, daily.caughtUp);
    const format = (line: { allocated: bigint; spent: bigint; remaining: bigint }) => ({
      allocated: amount(line.allocated, daily.currency),
      spent: amount(line.spent, daily.currency),
      remaining: amount(line.remaining, daily.currency),
    });
    res.json({
      date: daily.date,
      currency: daily.currency,
      planned: daily.planned,
      categories: daily.categories.map((c) => ({ category: c.category, ...format(c) })),
      total: format(daily.total),
    });
  });

  return router;
}
