import { Router } from 'express';
import type { Daybook } from '../../../application/daybook.js';
import { authOf, requireScope } from '../auth.js';
import { parseBody } from '../validate.js';
import { amount } from '../views.js';
import { recommendBody } from './financial.docs.js';

/** The budget optimizer and the financial health score. */
export function financialRoutes(daybook: Daybook): Router {
  const router = Router();
  const verify = daybook.verifyAccessToken;

  router.post('/budget/recommend', requireScope(verify, 'read:budget'), async (req, res) => {
    const body = parseBody(recommendBody, req.body);
    const r = await daybook.recommendBudget({ userId: authOf(req).userId, ...body });
    const money = (v: bigint) => amount(v, r.currency);
    res.json({
      month: r.month,
      currency: r.currency,
      income: money(r.income),
      needs: money(r.needs),
      wants: money(r.wants),
      savings: money(r.savings),
      needed: { goals: money(r.needed.goals), recurring: money(r.needed.recurring) },
      historyMonths: r.historyMonths,
      adjustments: r.adjustments,
    });
  });

  router.get('/financial/health-score', requireScope(verify, 'read:budget'), async (req, res) => {
    res.json(await daybook.financialHealth(authOf(req).userId));
  });

  return router;
}
