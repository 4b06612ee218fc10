import { Router } from 'express';
import { z } from 'zod';
import type { Daybook } from '../../../application/daybook.js';
import type { RegisteredUser } from '../../../domain/user/user.js';
import { authOf, requireScope } from '../auth.js';
import { commandContext } from '../context.js';
import { parseBody } from '../validate.js';
import { userView } from '../views.js';

const preferencesBody = z
  .strictObject({
    rolloverPolicy: z.enum(['forward', 'savings', 'none']).optional(),
    timezone: z.string().min(1).max(64).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'name at least one preference');

const preferencesView = (user: RegisteredUser) => ({
  rolloverPolicy: user.profile.rolloverPolicy ?? 'forward',
  timezone: user.profile.timezone,
});

export function userRoutes(daybook: Daybook): Router {
  const router = Router();
  const verify = daybook.verifyAccessToken;

  router.get('/me', requireScope(verify, 'read:profile'), async (req, res) => {
    res.json(userView(await daybook.getUser(authOf(req).userId)));
  });

  router.get('/preferences', requireScope(verify, 'read:profile'), async (req, res) => {
    res.json(preferencesView(await daybook.getUser(authOf(req).userId)));
  });

  router.put('/preferences', requireScope(verify, 'write:profile'), async (req, res) => {
    const body = parseBody(preferencesBody, req.body);
    const user = await daybook.updatePreferences(
      { userId: authOf(req).userId, ...body },
      commandContext(req),
    );
    res.json(preferencesView(user));
  });

  return router;
}
