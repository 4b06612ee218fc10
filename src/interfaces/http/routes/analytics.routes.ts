import { Router } from 'express';
import { z } from 'zod';
import type { Adherence, AnalyticsQueries, Change } from '../../../application/analytics/dashboard.query.js';
import type { Daybook } from '../../../application/daybook.js';
import type { Currency } from '../../../domain/shared/money.js';
import { authOf, requireScope } from '../auth.js';
import { markCaughtUp, readAfter } from '../context.js';
import { monthString, parseQuery } from '../validate.js';
import { amount } from '../views.js';

/** How many months `GET /api/analytics/trends` covers without `months`. */
const DEFAULT_TREND_MONTHS = 6;

const dashboardQuery = z.object({ month: monthString.optional(), after: z.string().optional() });
const trendsQuery = z.object({
  months: z
    .string()
    .regex(/^\d{1,2}$/, 'must be a whole number from 1 to 24')
    .transform(Number)
    .pipe(z.number().int().min(1).max(24))
    .optional(),
  after: z.string().optional(),
});

const adherenceView = (a: Adherence) => ({
  daysSoFar: a.daysSoFar,
  daysWithin: a.daysWithin,
  percent: a.percent,
});

const changeView = (c: Change, currency: Currency) => ({
  amount: amount(c.amount, currency),
  percent: c.percent,
});

/** Spending analytics from the analytics read model: a month's dashboard and month-over-month trends. */
export function analyticsRoutes(
  daybook: Pick<Daybook, 'verifyAccessToken'> &
    Pick<AnalyticsQueries, 'analyticsDashboard' | 'analyticsTrends'>,
): Router {
  const router = Router();
  const verify = daybook.verifyAccessToken;

  router.get('/dashboard', requireScope(verify, 'read:analytics'), async (req, res) => {
    const { month } = parseQuery(dashboardQuery, req.query);
    const after = readAfter(req);
    const d = await daybook.analyticsDashboard({
      userId: authOf(req).userId,
      ...(month ? { month } : {}),
      ...(after ? { after } : {}),
    });
    markCaughtUp(res, d.caughtUp);
    const money = (minor: bigint) => amount(minor, d.currency);
    res.json({
      month: d.month,
      currency: d.currency,
      planned: d.planned,
      today: d.today,
      total: {
        allocated: money(d.total.allocated),
        spent: money(d.total.spent),
        remaining: money(d.total.allocated - d.total.spent),
        transactions: d.total.transactions,
      },
      averageDailySpend: money(d.averageDailySpend),
      adherence: adherenceView(d.adherence),
      noSpendDays: d.noSpendDays,
      streaks: { current: d.streaks.current, longest: d.streaks.longest },
      categories: d.categories.map((c) => ({
        category: c.category,
        allocated: money(c.allocated),
        spent: money(c.spent),
        transactions: c.transactions,
        sharePercent: c.sharePercent,
      })),
      topMerchants: d.topMerchants.map((m) => ({
        merchant: m.merchant,
        spent: money(m.spent),
        transactions: m.transactions,
        sharePercent: m.sharePercent,
      })),
      days: d.days.map((day) => ({
        date: day.date,
        allocated: money(day.allocated),
        spent: money(day.spent),
        transactions: day.transactions,
        status: day.status,
      })),
    });
  });

  router.get('/trends', requireScope(verify, 'read:analytics'), async (req, res) => {
    const { months } = parseQuery(trendsQuery, req.query);
    const after = readAfter(req);
    const t = await daybook.analyticsTrends({
      userId: authOf(req).userId,
      months: months ?? DEFAULT_TREND_MONTHS,
      ...(after ? { after } : {}),
    });
    markCaughtUp(res, t.caughtUp);
    res.json({
      currency: t.currency,
      months: t.months.map((m) => ({
        month: m.month,
        allocated: amount(m.allocated, t.currency),
        spent: amount(m.spent, t.currency),
        adherence: adherenceView(m.adherence),
        change: changeView(m.change, t.currency),
        categories: m.categories.map((c) => ({
          category: c.category,
          allocated: amount(c.allocated, t.currency),
          spent: amount(c.spent, t.currency),
          change: changeView(c.change, t.currency),
        })),
      })),
    });
  });

  return router;
}
