import { Router } from 'express';
import { z } from 'zod';
import type { CommandContext } from '../../../application/command-handler.js';
import type { Daybook } from '../../../application/daybook.js';
import type { ProfileChanges } from '../../../application/users/update-profile.js';
import { DEFAULT_AUTO_PLAN } from '../../../domain/budget-month/auto-plan.js';
import type { RegisteredUser } from '../../../domain/user/user.js';
import { authOf, requireScope, type VerifyAccess } from '../auth.js';
import { commandContext } from '../context.js';
import type { ApiDocs } from '../openapi.js';
import { parseBody, text } from '../validate.js';
import { userView } from '../views.js';
import { userOut } from './auth.routes.js';

const preferencesBody = z
  .strictObject({
    rolloverPolicy: z.enum(['forward', 'savings', 'none']).optional(),
    timezone: text(64, 1).optional(),
    autoPlan: z.enum(['previous', 'suggested', 'none']).optional().openapi({
      description:
        "How a month without a plan gets one at its first expense or query: last month's plan, a suggestion from income and history, or none (expenses wait, unallocated, for a plan)",
    }),
  })
  .refine((b) => Object.keys(b).length > 0, 'name at least one preference');

/** The email is the login name: it is not accepted here (a strict object refuses unknown keys). */
const profileBody = z
  .strictObject({
    displayName: text(100).trim().min(1).optional(),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as "US"')
      .optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'name at least one of displayName, country');

const preferencesView = (user: RegisteredUser) => ({
  rolloverPolicy: user.profile.rolloverPolicy ?? 'forward',
  timezone: user.profile.timezone,
  autoPlan: user.profile.autoPlan ?? DEFAULT_AUTO_PLAN,
});

const preferencesOut = z.object({
  rolloverPolicy: z.enum(['forward', 'savings', 'none']),
  timezone: z.string(),
  autoPlan: z.enum(['previous', 'suggested', 'none']),
});

export const userDocs = (docs: ApiDocs) =>
  docs.add(
    {
      method: 'get',
      path: '/api/users/me',
      summary: 'The profile',
      scope: 'read:profile',
      responses: { 200: userOut },
    },
    {
      method: 'put',
      path: '/api/users/me',
      summary: 'Change displayName and/or country (the email cannot be changed)',
      scope: 'write:profile',
      body: profileBody,
      errors: ['invalid-profile'],
      responses: { 200: userOut },
    },
    {
      method: 'delete',
      path: '/api/users/me',
      summary: 'Erase the account (GDPR): ends sessions, deletes credentials, shreds personal data',
      scope: 'write:profile',
      body: eraseBody,
      responses: { 200: z.object({ userId: z.string(), erasedAt: z.string() }).passthrough() },
    },
    {
      method: 'get',
      path: '/api/users/preferences',
      summary: 'Rollover policy, time zone and how unplanned months get a plan',
      scope: 'read:profile',
      responses: { 200: preferencesOut },
    },
    {
      method: 'put',
      path: '/api/users/preferences',
      summary: 'Change the rollover policy and/or the time zone',
      scope: 'write:profile',
      body: preferencesBody,
      errors: ['invalid-profile'],
      responses: { 200: preferencesOut },
    },
  );

/** What the user routes use; `Daybook` has all of it. */
/** Erasure cannot be undone, so the client must say so in words. */
const eraseBody = z.strictObject({ confirm: z.literal('erase my data') });

export interface UserUseCases {
  readonly verifyAccessToken: VerifyAccess;
  readonly getUser: Daybook['getUser'];
  readonly eraseUser: Daybook['eraseUser'];
  readonly updatePreferences: Daybook['updatePreferences'];
  readonly updateProfile: (
    input: { userId: string } & ProfileChanges,
    context: CommandContext,
  ) => Promise<RegisteredUser>;
}

export function userRoutes(daybook: UserUseCases): Router {
  const router = Router();
  const verify = daybook.verifyAccessToken;

  router.get('/me', requireScope(verify, 'read:profile'), async (req, res) => {
    res.json(userView(await daybook.getUser(authOf(req).userId)));
  });

  router.put('/me', requireScope(verify, 'write:profile'), async (req, res) => {
    const body = parseBody(profileBody, req.body);
    const user = await daybook.updateProfile({ userId: authOf(req).userId, ...body }, commandContext(req));
    res.json(userView(user));
  });

  router.delete('/me', requireScope(verify, 'write:profile'), async (req, res) => {
    parseBody(eraseBody, req.body);
    const userId = authOf(req).userId;
    res.json(await daybook.eraseUser({ userId, by: userId }, commandContext(req)));
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
