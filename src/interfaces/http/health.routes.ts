import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { Daybook } from '../../application/daybook.js';
import { isServing, publicHealth } from '../../application/health.js';
import { requireScope } from './auth.js';
import type { ApiDocs } from './openapi.js';

type HealthApi = Pick<Daybook, 'health' | 'readiness' | 'projectionStatus' | 'verifyAccessToken'>;

/** Seconds a load balancer should wait before asking again. */
const RETRY_AFTER = '5';

const checks = z.record(
  z.string(),
  z.object({ status: z.enum(['ok', 'degraded', 'down']), required: z.boolean() }),
);
const publicReport = z.object({ status: z.enum(['ok', 'degraded']), ready: z.boolean(), checks });

/**
 * Health for load balancers and orchestrators (public and terse: states only, no error text, no event
 * ids), and the operators' detailed view (admin scope).
 */
export function healthRoutes(daybook: HealthApi): Router {
  const router = Router();
  // Every dependency: 503 when any is down.
  router.get('/health', async (_req: Request, res: Response) => {
    const report = await daybook.health();
    if (!isServing(report)) res.setHeader('Retry-After', RETRY_AFTER);
    res.status(isServing(report) ? 200 : 503).json(publicHealth(report));
  });
  // Take the instance out of rotation while a required dependency is down or a read model lags.
  router.get('/health/ready', async (_req: Request, res: Response) => {
    const readiness = await daybook.readiness();
    if (!readiness.ready) res.setHeader('Retry-After', RETRY_AFTER);
    res.status(readiness.ready ? 200 : 503).json(readiness);
  });
  router.get('/health/live', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });
  router.get(
    '/health/details',
    requireScope(daybook.verifyAccessToken, 'admin'),
    async (_req: Request, res: Response) => {
      const [report, projections] = await Promise.all([
        daybook.health(),
        daybook.projectionStatus().catch((error: Error) => ({ error: error.message })),
      ]);
      res.setHeader('Cache-Control', 'no-store');
      res.status(isServing(report) ? 200 : 503).json({ ...report, projections });
    },
  );
  return router;
}

const readyReport = publicReport.extend({ lagging: z.record(z.string(), z.number().int()) });

export function healthDocs(docs: ApiDocs): void {
  docs.add(
    {
      method: 'get',
      path: '/health',
      summary: 'The state of each dependency (503 when one is down)',
      responses: { 200: publicReport, 503: publicReport },
    },
    {
      method: 'get',
      path: '/health/ready',
      summary:
        'Readiness: 503 (with Retry-After) while a required dependency is down or a read model lags the log by more than READY_MAX_LAG_EVENTS events (`lagging` names them and by how many)',
      responses: { 200: readyReport, 503: readyReport },
    },
    {
      method: 'get',
      path: '/health/live',
      summary: 'Liveness: the process serves HTTP',
      responses: { 200: z.object({ status: z.literal('ok') }) },
    },
    {
      method: 'get',
      path: '/health/details',
      summary: 'Operators: every check with its details and errors, and each projection generation',
      scope: 'admin',
      responses: { 200: z.object({}).catchall(z.unknown()) },
    },
  );
}
