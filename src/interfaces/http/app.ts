import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import type { Daybook } from '../../application/daybook.js';
import type { RateLimiter } from '../../application/ports/rate-limiter.port.js';
import { apiDocs } from './api-docs.js';
import { isSaneRequestId } from './context.js';
import { healthRoutes } from './health.routes.js';
import { corsPolicy, personalData } from './http-conventions.js';
import { createMetrics } from './metrics.js';
import { errorHandler, problem } from './problem.js';
import { rateLimit } from './rate-limit.js';
import { analyticsRoutes } from './routes/analytics.routes.js';
import { auditRoutes } from './routes/audit.routes.js';
import { authRoutes } from './routes/auth.routes.js';
import { budgetRoutes } from './routes/budget.routes.js';
import { engineRoutes } from './routes/engine.routes.js';
import { expenseRoutes } from './routes/expense.routes.js';
import { externalHealthRoutes } from './routes/external-health.routes.js';
import { financialRoutes } from './routes/financial.routes.js';
import { goalRoutes } from './routes/goals.routes.js';
import { insightRoutes } from './routes/insights.routes.js';
import { notificationRoutes } from './routes/notifications.routes.js';
import { ocrRoutes } from './routes/ocr.routes.js';
import { planRoutes } from './routes/plan.routes.js';
import { recurringRoutes } from './routes/recurring.routes.js';
import { ruleRoutes } from './routes/rules.routes.js';
import { taskRoutes } from './routes/tasks.routes.js';
import { transactionRoutes } from './routes/transactions.routes.js';
import { userRoutes } from './routes/users.routes.js';
import { wellbeingRoutes } from './routes/wellbeing.routes.js';

export interface HttpOptions {
  readonly logger: Logger;
  readonly rateLimiter: RateLimiter;
  readonly corsOrigins: readonly string[];
  /** Proxies in front of the app whose X-Forwarded-For is trusted for the client IP. */
  readonly trustProxy: number;
}

/** The REST API. Thin: parse with zod, call a use case, map the result or error. */
export function createHttpApp(
  daybook: Daybook,
  { logger, rateLimiter, corsOrigins, trustProxy }: HttpOptions,
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxy);
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(helmet());
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && isSaneRequestId(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
      customProps: (req) => {
        const correlationId = req.headers['x-correlation-id'];
        return typeof correlationId === 'string' && isSaneRequestId(correlationId) ? { correlationId } : {};
      },
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(corsPolicy(corsOrigins));
  app.use(express.json({ limit: '256kb', strict: true }));
  const metrics = createMetrics(daybook);
  app.use(metrics.middleware);
  app.get('/metrics', metrics.handler);

  const docs = apiDocs();
  const openapi = docs.document();
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openapi));

  app.use(healthRoutes(daybook));
  app.use('/api', personalData);
  app.use('/api', rateLimit(rateLimiter, daybook.verifyAccessToken));
  app.use('/api/auth', authRoutes(daybook));
  app.use('/api/budget', budgetRoutes(daybook));
  app.use('/api/transactions', transactionRoutes(daybook));
  app.use('/api/expense', expenseRoutes(daybook));
  app.use('/api/tasks', taskRoutes(daybook));
  app.use('/api/users', userRoutes(daybook));
  app.use('/api', engineRoutes(daybook));
  app.use('/api', planRoutes(daybook));
  app.use('/api/analytics', analyticsRoutes(daybook));
  app.use('/api/audit', auditRoutes(daybook));
  app.use('/api/ocr', ocrRoutes(daybook));
  app.use('/api/notifications', notificationRoutes(daybook));
  app.use('/api/health', externalHealthRoutes(daybook));
  app.use('/api/rules', ruleRoutes(daybook));
  app.use('/api', insightRoutes(daybook));
  app.use('/api/goals', goalRoutes(daybook));
  app.use('/api/expense/recurring', recurringRoutes(daybook));
  app.use('/api', financialRoutes(daybook));
  app.use('/api', wellbeingRoutes(daybook));
  app.use((req, _res, next) => {
    next(
      problem(404, 'not-found', 'Not found', {
        detail: `No route for ${req.method} ${req.path.slice(0, 200)}`,
      }),
    );
  });
  app.use(errorHandler);
  return app;
}
