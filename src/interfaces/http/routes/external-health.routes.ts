import { Router } from 'express';
import type { Daybook } from '../../../application/daybook.js';
import { requireScope } from '../auth.js';

/** `GET /api/health/external`: the optional integrations, for operators. */
export function externalHealthRoutes(daybook: Pick<Daybook, 'verifyAccessToken' | 'externalHealth'>): Router {
  const router = Router();
  router.get('/external', requireScope(daybook.verifyAccessToken, 'admin'), (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ integrations: daybook.externalHealth() });
  });
  return router;
}
