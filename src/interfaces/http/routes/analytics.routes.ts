import { Router } from 'express';
import { z } from 'zod';
import type { Adherence, AnalyticsQueries, Change } from '../../../application/analytics/dashboard.query.js';
import type { Daybook } from '../../../application/daybook.js';
import type { Currency } from '../../../domain/shared/money.js';
import { authOf, requireScope } from '../auth.js';
import { consistencyHeaders, consistencyQuery, markCaughtUp, readConsistency } from '../context.js';
import { type ApiDocs, moneyOut } from '../openapi.js';
import { monthString, parseQuery } from '../validate.js';
import { amount } from '../views.js';

/** How many months `GET /api/analytics/trends` covers without `months`. */
const DEFAULT_TREND_MONTHS = 6;

const dashboardQuery = z.object({ month: monthString.optional() });
const trendsQuery = z.object({
  months: z
    .string()
    .regex(/^\d{1,2}$/, 'must be a whole number from 1 to 24')
    .transform(Number)
    .pipe(z.number().int().min(1).max(24))
    .optional(),
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

const adherenceOut = z.object({
  daysSoFar: z.number(),
  daysWithin: z.number(),
  percent: z.string().nullable(),
});
const changeOut = z.object({ amount: moneyOut, percent: z.string().nullable() });

export const analyticsDocs = (docs: ApiDocs) =>
  docs.add(
    {
      method: 'get',
      path: '/api/analytics/dashboard',
      summary: "A month's spending dashboard: categories, merchants, days, adherence, streaks",
      scope: 'read:analytics',
      query: dashboardQuery.extend(consistencyQuery.shape),
      headers: consistencyHeaders,
      errors: ['invalid-month'],
      responses: {
        200: z.object({
          month: z.string(),
          currency: z.string(),
          planned: z.boolean(),
          today: z.string(),
          total: z.object({
            allocated: moneyOut,
            spent: moneyOut,
            remaining: moneyOut,
            transactions: z.number(),
          }),
          averageDailySpend: moneyOut,
          adherence: adherenceOut,
          noSpendDays: z.number(),
          streaks: z.object({ current: z.number(), longest: z.number() }),
          categories: z.array(
            z.object({
              category: z.string(),
              allocated: moneyOut,
              spent: moneyOut,
              transactions: z.number(),
              sharePercent: z.string().nullable(),
            }),
          ),
          topMerchants: z.array(
            z.object({
              merchant: z.string(),
              spent: moneyOut,
              transactions: z.number(),
              sharePercent: z.string().nullable(),
            }),
          ),
          days: z.array(
            z.object({
              date: z.string(),
              allocated: moneyOut,
              spent: moneyOut,
              transactions: z.number(),
              status: z.string(),
            }),
          ),
        }),
      },
    },
    {
      method: 'get',
      path: '/api/analytics/trends',
      summary: 'Month-over-month trends for the last N months',
      scope: 'read:analytics',
      query: z.object({ months: z.string().optional() }).extend(consistencyQuery.shape),
      headers: consistencyHeaders,
      responses: {
        200: z.object({
          currency: z.string(),
          months: z.array(
            z.object({
              month: z.string(),
              allocated: moneyOut,
              spent: moneyOut,
              adherence: adherenceOut,
              change: changeOut,
              categories: z.array(
                z.object({ category: z.string(), allocated: moneyOut, spent: moneyOut, change: changeOut }),
              ),
            }),
          ),
        }),
      },
    },
  );

/** Spending analytics from the analytics read model: a month's dashboard and month-over-month trends. */
export function analyticsRoutes(
  daybook: Pick<Daybook, 'verifyAccessToken'> &
    Pick<AnalyticsQueries, 'analyticsDashboard' | 'analyticsTrends'>,
): Router {
  const router = Router();
  const verify = daybook.verifyAccessToken;

  router.get('/dashboard', requireScope(verify, 'read:analytics'), async (req, res) => {
    const { month } = parseQuery(dashboardQuery, req.query);
    const d = await daybook.analyticsDashboard({
      userId: authOf(req).userId,
      ...(month ? { month } : {}),
      ...readConsistency(req),
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
    const t = await daybook.analyticsTrends({
      userId: authOf(req).userId,
      months: months ?? DEFAULT_TREND_MONTHS,
      ...readConsistency(req),
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
