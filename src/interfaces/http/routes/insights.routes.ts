import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { Daybook } from '../../../application/daybook.js';
import type { Narrative } from '../../../application/insights/narrative.js';
import type { SpendingFacts } from '../../../application/insights/spending-facts.query.js';
import type { Advice } from '../../../domain/insights/advice.js';
import type { Currency } from '../../../domain/shared/money.js';
import { authOf, requireScope } from '../auth.js';
import { markCaughtUp, readConsistency } from '../context.js';
import { categoryString, moneyString, parseBody, parseQuery, text } from '../validate.js';
import { amount } from '../views.js';

export type InsightUseCases = Pick<
  Daybook,
  'categorize' | 'insights' | 'advice' | 'predict' | 'behaviorPatterns' | 'detectDrift' | 'verifyAccessToken'
>;

export const categorizeBody = z
  .strictObject({
    merchant: text(200).optional(),
    description: text(200).optional(),
    amount: moneyString.optional(),
  })
  .refine((b) => Boolean(b.merchant || b.description), 'name a merchant or a description');

export const predictBody = z.strictObject({
  category: categoryString.optional().openapi({ description: 'Only this category in `categories`' }),
});

export const driftQuery = z.object({
  months: z
    .string()
    .regex(/^\d{1,2}$/, 'must be a whole number from 1 to 12')
    .transform(Number)
    .pipe(z.number().int().min(1).max(12))
    .optional()
    .openapi({ description: 'Previous months the baseline is the median of (default 3)' }),
});

/** Money as the API writes it. */
const views = (currency: Currency) => {
  const m = (minor: bigint) => amount(minor, currency);
  return {
    forecast: (f: SpendingFacts['forecast'], only?: string) => ({
      daysElapsed: f.daysElapsed,
      daysInMonth: f.daysInMonth,
      allocated: m(f.allocated),
      spentSoFar: m(f.spentSoFar),
      dailyRate: m(f.dailyRate),
      projected: m(f.projected),
      overspend: m(f.overspend),
      willOverspend: f.overspend > 0n,
      categories: f.categories
        .filter((c) => only === undefined || c.category === only)
        .map((c) => ({
          category: c.category,
          allocated: m(c.allocated),
          spentSoFar: m(c.spentSoFar),
          projected: m(c.projected),
          overspend: m(c.overspend),
        })),
    }),
    drift: (d: SpendingFacts['drift']) =>
      d.map((c) => ({
        ...c,
        spentSoFar: m(c.spentSoFar),
        projected: m(c.projected),
        baseline: m(c.baseline),
      })),
    anomalies: (a: SpendingFacts['anomalies']) =>
      a.map((d) => ({ day: d.day, spent: m(d.spent), typical: m(d.typical), score: d.score })),
    weekdays: (w: SpendingFacts['weekdays']) => ({
      byWeekday: w.byWeekday.map((d) => ({
        weekday: d.weekday,
        averageSpent: m(d.averageSpent),
        days: d.days,
      })),
      weekdayAverage: m(w.weekdayAverage),
      weekendAverage: m(w.weekendAverage),
      weekendRatio: w.weekendRatio,
    }),
    recurring: (r: SpendingFacts['recurring']) => r.map((c) => ({ ...c, typicalAmount: m(c.typicalAmount) })),
    advice: (a: readonly Advice[]) =>
      a.map((x) => ({ ...x, ...(x.amount === undefined ? {} : { amount: m(x.amount) }) })),
  };
};

const send = (res: Response, caughtUp: boolean, body: object, narrative: Narrative) => {
  markCaughtUp(res, caughtUp);
  res.json({ ...body, narrative });
};

const input = (req: Request) => ({ userId: authOf(req).userId, ...readConsistency(req) });

/** POST /api/ai/categorize, the insights under /api/ai, /api/behavior/patterns, /api/drift/detect. */
export function insightRoutes(daybook: InsightUseCases): Router {
  const router = Router();
  const verify = daybook.verifyAccessToken;
  const analytics = requireScope(verify, 'read:analytics');
  router.post('/ai/categorize', requireScope(verify, 'read:transactions'), async (req, res) => {
    const body = parseBody(categorizeBody, req.body);
    const decided = await daybook.categorize({
      userId: authOf(req).userId,
      ...(body.merchant ? { merchant: body.merchant } : {}),
      ...(body.description ? { description: body.description } : {}),
      ...(body.amount === undefined ? {} : { amount: body.amount }),
    });
    res.json(decided);
  });
  router.get('/ai/insights', analytics, async (req, res) => {
    const { facts: f, narrative, caughtUp } = await daybook.insights(input(req));
    const v = views(f.currency);
    send(
      res,
      caughtUp,
      {
        month: f.month,
        today: f.today,
        currency: f.currency,
        forecast: v.forecast(f.forecast),
        drift: v.drift(f.drift),
        anomalies: v.anomalies(f.anomalies),
        weekdays: v.weekdays(f.weekdays),
        recurring: v.recurring(f.recurring),
      },
      narrative,
    );
  });
  router.get('/ai/advice', analytics, async (req, res) => {
    const { facts: f, advice, narrative, caughtUp } = await daybook.advice(input(req));
    send(
      res,
      caughtUp,
      { month: f.month, currency: f.currency, advice: views(f.currency).advice(advice) },
      narrative,
    );
  });
  router.post('/ai/predict', analytics, async (req, res) => {
    const body = parseBody(predictBody, req.body);
    const { facts: f, narrative, caughtUp } = await daybook.predict(input(req));
    send(
      res,
      caughtUp,
      {
        month: f.month,
        currency: f.currency,
        forecast: views(f.currency).forecast(f.forecast, body.category),
      },
      narrative,
    );
  });
  router.get('/behavior/patterns', analytics, async (req, res) => {
    const { facts: f, narrative, caughtUp } = await daybook.behaviorPatterns(input(req));
    const v = views(f.currency);
    send(
      res,
      caughtUp,
      {
        today: f.today,
        currency: f.currency,
        weekdays: v.weekdays(f.weekdays),
        anomalies: v.anomalies(f.anomalies),
        recurring: v.recurring(f.recurring),
      },
      narrative,
    );
  });
  router.get('/drift/detect', analytics, async (req, res) => {
    const query = parseQuery(driftQuery, req.query);
    const {
      facts: f,
      narrative,
      caughtUp,
    } = await daybook.detectDrift({
      ...input(req),
      ...(query.months === undefined ? {} : { driftMonths: query.months }),
    });
    send(
      res,
      caughtUp,
      {
        month: f.month,
        currency: f.currency,
        baselineMonths: f.driftMonths,
        drift: views(f.currency).drift(f.drift),
      },
      narrative,
    );
  });
  return router;
}
