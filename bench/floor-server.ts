import { createSecretKey, randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import jwt from 'jsonwebtoken';
import pg from 'pg';

/**
 * The floor a Daybook request is measured against: express 5, a jsonwebtoken verify (with a key made
 * once) and one PostgreSQL statement per request, on Daybook's routes with Daybook's JSON. No event log,
 * no read model, no idempotency, no logging: what any service answering these routes must at least do.
 * FLOOR_MODE=hello answers every route with a constant (the framework's own floor).
 */
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const key = createSecretKey(Buffer.from(process.env.JWT_SECRET as string));
const app = express();
app.disable('x-powered-by');
app.set('etag', false);

app.get('/health/live', (_req, res) => {
  res.json({ status: 'ok' });
});

if (process.env.FLOOR_MODE === 'hello') {
  app.use((_req, res) => {
    res.json({ hello: 'world' });
  });
} else {
  app.use(express.json({ limit: '256kb' }));
  app.use('/api', (req: Request, res: Response, next: NextFunction) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    try {
      res.locals.userId = (jwt.verify(token ?? '', key, { algorithms: ['HS256'] }) as jwt.JwtPayload).sub;
      next();
    } catch {
      res.status(401).json({ title: 'Unauthorized' });
    }
  });
  app.post('/api/transactions', async (req, res, next) => {
    try {
      const { amount, category, date, merchant } = req.body;
      const id = randomUUID();
      await pool.query(
        'INSERT INTO floor_expenses (id, user_id, day, category, amount, merchant) VALUES ($1, $2, $3, $4, $5, $6)',
        [id, res.locals.userId, date, category, Math.round(Number(amount) * 100), merchant ?? null],
      );
      res.status(201).json({ id, amount, currency: 'USD', category, date, merchant });
    } catch (error) {
      next(error);
    }
  });
  app.get('/api/budget/daily/:date', async (req, res, next) => {
    try {
      const { rows } = await pool.query(
        `SELECT p.category, p.daily AS allocated, COALESCE(SUM(e.amount), 0)::bigint AS spent
           FROM floor_plans p
           LEFT JOIN floor_expenses e ON e.user_id = p.user_id AND e.category = p.category AND e.day = $2
          WHERE p.user_id = $1
          GROUP BY p.category, p.daily`,
        [res.locals.userId, req.params.date],
      );
      res.json({ date: req.params.date, currency: 'USD', categories: rows });
    } catch (error) {
      next(error);
    }
  });
  app.use((_req, res) => {
    res.status(404).json({ title: 'Not found' });
  });
}

if (process.env.PORT) app.listen(Number(process.env.PORT), '127.0.0.1');
