import { Router } from 'express';
import { z } from 'zod';
import type { Daybook } from '../../../application/daybook.js';
import type { BudgetMonthEvent } from '../../../domain/budget-month/events.js';
import type { Currency } from '../../../domain/shared/money.js';
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
import {
  categoryString,
  dateString,
  moneyString,
  monthString,
  parseBody,
  parseParams,
  parseQuery,
  text,
} from '../validate.js';
import { amount } from '../views.js';

const cell = z.strictObject({ date: dateString, category: categoryString });
const adjustBody = z.strictObject({
  from: cell,
  to: cell,
  amount: moneyString,
  reason: text(200).optional(),
});
const redistributeBody = z.union([
  z.strictObject({ date: dateString, category: categoryString, algorithm: text(40).optional() }),
  z.strictObject({ month: monthString, algorithm: text(40).optional() }),
]);

const monthLine = z.object({ planned: moneyOut, allocated: moneyOut, spent: moneyOut, remaining: moneyOut });
const eventOut = z.object({
  type: z.string(),
  date: z.string().optional(),
  category: z.string().optional(),
  amount: moneyOut.optional(),
  shortfall: moneyOut.optional(),
  algorithm: z.string().optional(),
  moves: z.array(z.object({ date: z.string(), category: z.string(), amount: moneyOut })).optional(),
});

export const engineDocs = (docs: ApiDocs) =>
  docs.add(
    {
      method: 'get',
      path: '/api/budget/monthly',
      summary: 'Planned, allocated, spent and remaining per category for a month',
      scope: 'read:budget',
      query: z.object({ month: monthString }).extend(consistencyQuery.shape).extend(asOfQuery.shape),
      headers: consistencyHeaders,
      errors: ['invalid-month'],
      responses: {
        200: z.object({
          month: z.string(),
          currency: z.string(),
          planned: z.boolean(),
          splitAlgorithm: z.string().optional(),
          categories: z.array(
            monthLine.extend({ category: z.string(), kind: z.enum(['flexible', 'fixed']) }),
          ),
          total: monthLine,
          overdrawn: moneyOut,
          saved: moneyOut,
        }),
      },
    },
    {
      method: 'get',
      path: '/api/calendar/monthly/:month',
      summary: 'Every day of a month: allocated, spent, remaining, status',
      scope: 'read:budget',
      params: z.object({ month: monthString }),
      query: consistencyQuery,
      headers: consistencyHeaders,
      errors: ['invalid-month'],
      responses: {
        200: z.object({
          month: z.string(),
          currency: z.string(),
          days: z.array(
            z.object({
              date: z.string(),
              allocated: moneyOut,
              spent: moneyOut,
              remaining: moneyOut,
              status: z.enum(['upcoming', 'within', 'over']),
              closed: z.boolean(),
            }),
          ),
        }),
      },
    },
    {
      method: 'post',
      path: '/api/budget/adjust',
      summary: 'Move budget between two (day, category) cells of one month',
      scope: 'manage:budget',
      body: adjustBody,
      errors: [
        'invalid-adjustment',
        'insufficient-allocation',
        'invalid-money',
        'invalid-amount',
        'invalid-date',
        'invalid-category',
        'date-outside-month',
        'unknown-category',
        'month-not-planned',
      ],
      responses: {
        201: z.object({
          from: z.object({ date: z.string(), category: z.string() }),
          to: z.object({ date: z.string(), category: z.string() }),
          amount: moneyOut,
          reason: z.string().optional(),
          position: z.string().optional(),
        }),
      },
    },
    {
      method: 'post',
      path: '/api/budget/redistribute',
      summary: 'Rebalance an overspent cell, or every uncovered one of a month, now',
      scope: 'manage:budget',
      body: redistributeBody,
      errors: [
        'invalid-date',
        'invalid-month',
        'invalid-category',
        'unknown-category',
        'unknown-algorithm',
        'month-not-planned',
      ],
      responses: { 200: z.object({ events: z.array(eventOut) }) },
    },
  );

/** Budget events as the API shows them: amounts as decimal strings. */
export function eventView(event: BudgetMonthEvent, currency: Currency) {
  switch (event.type) {
    case 'BudgetRebalanced':
      return {
        type: event.type,
        date: event.data.coveredDay,
        category: event.data.category,
        amount: amount(event.data.amount, currency),
        algorithm: event.data.algorithm,
        moves: event.data.moves.map((m) => ({
          date: m.day,
          category: m.category,
          amount: amount(m.amount, currency),
        })),
      };
    case 'MonthOverdrawn':
      return {
        type: event.type,
        date: event.data.day,
        category: event.data.category,
        shortfall: amount(event.data.shortfall, currency),
      };
    default:
      return { type: event.type };
  }
}

/** The budget engine: monthly view, calendar, manual adjustments and redistribution. */
export function engineRoutes(daybook: Daybook): Router {
  const router = Router();
  const verify = daybook.verifyAccessToken;

  router.get('/budget/monthly', requireScope(verify, 'read:budget'), async (req, res) => {
    const { month } = parseQuery(
      z.object({ month: monthString, after: z.string().optional(), asOf: z.string().optional() }),
      req.query,
    );
    const consistency = readConsistency(req);
    const asOf = readAsOf(req);
    const userId = authOf(req).userId;
    // "As of" is rebuilt from the log itself: nothing to catch up with.
    const m = asOf
      ? { ...(await daybook.monthlyBudgetAsOf({ userId, month, asOf })), caughtUp: true }
      : await daybook.monthlyBudget({ userId, month, ...consistency });
    markCaughtUp(res, m.caughtUp);
    const line = (l: { planned: bigint; allocated: bigint; spent: bigint; remaining: bigint }) => ({
      planned: amount(l.planned, m.currency),
      allocated: amount(l.allocated, m.currency),
      spent: amount(l.spent, m.currency),
      remaining: amount(l.remaining, m.currency),
    });
    res.json({
      month: m.month,
      currency: m.currency,
      planned: m.planned,
      ...(m.splitAlgorithm ? { splitAlgorithm: m.splitAlgorithm } : {}),
      categories: m.categories.map((c) => ({ category: c.category, kind: c.kind, ...line(c) })),
      total: line(m.total),
      overdrawn: amount(m.overdrawn, m.currency),
      saved: amount(m.saved, m.currency),
    });
  });

  router.get('/calendar/monthly/:month', requireScope(verify, 'read:budget'), async (req, res) => {
    const { month } = parseParams(z.object({ month: monthString }), req.params);
    const calendar = await daybook.calendarMonth({
      userId: authOf(req).userId,
      month,
      ...readConsistency(req),
    });
    markCaughtUp(res, calendar.caughtUp);
    res.json({
      month: calendar.month,
      currency: calendar.currency,
      days: calendar.days.map((d) => ({
        date: d.date,
        allocated: amount(d.allocated, calendar.currency),
        spent: amount(d.spent, calendar.currency),
        remaining: amount(d.remaining, calendar.currency),
        status: d.status,
        closed: d.closed,
      })),
    });
  });

  router.post('/budget/adjust', requireScope(verify, 'manage:budget'), async (req, res) => {
    const body = parseBody(adjustBody, req.body);
    const user = await daybook.getUser(authOf(req).userId);
    const { event, position } = await daybook.adjustAllocation(
      { userId: user.userId, ...body },
      commandContext(req),
    );
    res.status(201).json({
      from: { date: event.data.from.day, category: event.data.from.category },
      to: { date: event.data.to.day, category: event.data.to.category },
      amount: amount(event.data.amount, user.currency),
      ...(event.data.reason ? { reason: event.data.reason } : {}),
      ...(position ? { position } : {}),
    });
  });

  router.post('/budget/redistribute', requireScope(verify, 'manage:budget'), async (req, res) => {
    const body = parseBody(redistributeBody, req.body);
    const user = await daybook.getUser(authOf(req).userId);
    const events = await daybook.redistribute({ userId: user.userId, ...body }, commandContext(req));
    res.json({ events: events.map((e) => eventView(e, user.currency)) });
  });

  return router;
}
