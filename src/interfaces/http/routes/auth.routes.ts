import { Router } from 'express';
import { z } from 'zod';
import type { Daybook } from '../../../application/daybook.js';
import { commandContext } from '../context.js';
import { moneyString, parseBody, text } from '../validate.js';
import { userView } from '../views.js';

const registerBody = z.strictObject({
  email: z.email().max(254),
  password: z.string().max(1000),
  income: moneyString,
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "USD"'),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as "US"'),
  timezone: z.string().min(1).max(64),
  displayName: text(100).optional(),
});

const loginBody = z.strictObject({ email: z.string().max(254), password: z.string().max(1000) });

export function authRoutes(daybook: Daybook): Router {
  const router = Router();

  router.post('/register', async (req, res) => {
    const body = parseBody(registerBody, req.body);
    const { user, ...tokens } = await daybook.registerUser(body, commandContext(req));
    res
      .status(201)
      .location(`/api/users/${user.userId}`)
      .json({ user: userView(user), ...tokens });
  });

  router.post('/login', async (req, res) => {
    const body = parseBody(loginBody, req.body);
    const { userId: _, ...tokens } = await daybook.login(body);
    res.json(tokens);
  });

  return router;
}
