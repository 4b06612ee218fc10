import { Router } from 'express';
import { z } from 'zod';
import type { Daybook } from '../../../application/daybook.js';
import type { BudgetMonthEvent } from '../../../domain/budget-month/events.js';
import type { Currency } from '../../../domain/shared/money.js';
import { authOf, requireScope } from '../auth.js';
import { commandContext, markCaughtUp, readAfter } from '../context.js';
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
  z.strictObject({ date: dateString, category: categoryString, algorithm: z.string().max(40).optional() }),
  z.strictObject({ month: monthString, algorithm: z.string().max(40).optional() }),
]);

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
    const { month } = parseQuery(z.object({ month: monthString, after: z.string().optional() }), req.query);
    const after = readAfter(req);
    const m = await daybook.monthlyBudget({ userId: authOf(req).userId, month, ...(after ? { after } : {}) });
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
    const after = readAfter(req);
    const calendar = await daybook.calendarMonth({
      userId: authOf(req).userId,
      month,
      ...(after ? { after } : {}),
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
