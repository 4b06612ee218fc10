import { type Response, Router } from 'express';
import { z } from 'zod';
import type { Daybook } from '../../../application/daybook.js';
import type { IssuedTokens } from '../../../application/ports/token-service.port.js';
import type { ClientInfo } from '../../../application/security/security-log.js';
import type { LoginInput } from '../../../application/users/login.js';
import { DomainError } from '../../../domain/shared/domain-error.js';
import { authOf, bearerToken, requireAuth, unauthorized, type VerifyAccess } from '../auth.js';
import { clientOf, commandContext } from '../context.js';
import { type ApiDocs, moneyOut } from '../openapi.js';
import { emailString, moneyString, parseBody, text } from '../validate.js';
import { userView } from '../views.js';

/** Any characters (it is only hashed), bounded; the strength rule is the application's. */
const password = z.string().max(1000);

const registerBody = z.strictObject({
  email: emailString,
  password,
  income: moneyString,
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "USD"'),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as "US"'),
  timezone: text(64, 1),
  displayName: text(100).optional(),
});

const loginBody = z.strictObject({ email: emailString, password });

const refreshToken = z
  .string()
  .regex(/^[A-Za-z0-9._~+/=-]{1,4096}$/, 'is not a refresh token this API issued')
  .openapi({ pattern: '^[A-Za-z0-9._~+/=-]{1,4096}$' });
const refreshBody = z.strictObject({ refreshToken });
const logoutBody = z.strictObject({ refreshToken: refreshToken.optional() });

const tokensOut = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().openapi({ description: 'Access token lifetime in seconds' }),
});

export const userOut = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string().optional(),
  country: z.string(),
  timezone: z.string(),
  currency: z.string(),
  income: moneyOut,
  registeredAt: z.string(),
});

export const authDocs = (docs: ApiDocs) =>
  docs.add(
    {
      method: 'post',
      path: '/api/auth/register',
      summary: 'Create an account and start a session',
      body: registerBody,
      errors: ['weak-password', 'invalid-money', 'unsupported-currency', 'invalid-profile', 'email-taken'],
      responses: { 201: tokensOut.extend({ user: userOut }) },
    },
    {
      method: 'post',
      path: '/api/auth/login',
      summary:
        'Start a session. Failures are limited per account and per IP: 401 invalid-credentials, then 429 too-many-attempts with Retry-After (even with the right password). Every outcome is recorded in the security log (GET /api/audit/security)',
      body: loginBody,
      errors: ['invalid-credentials', 'too-many-attempts'],
      responses: { 200: tokensOut },
    },
    {
      method: 'post',
      path: '/api/auth/refresh',
      summary:
        "Rotate: the presented refresh token is spent and the session's next one returned. 401 invalid-refresh-token; 401 refresh-token-reused when a spent token is presented again, which ends the whole session (recorded in the security log: RefreshTokenReused)",
      body: refreshBody,
      errors: ['invalid-refresh-token', 'refresh-token-reused'],
      responses: { 200: tokensOut },
    },
    {
      method: 'post',
      path: '/api/auth/logout',
      summary:
        "End this session (Bearer access token, any scope): the access token fails at once, the session's refresh token too; a refreshToken in the body ends that session as well",
      scope: 'token',
      body: logoutBody,
      responses: { 204: undefined },
    },
    {
      method: 'post',
      path: '/api/auth/logout-all',
      summary:
        "End every session of the token's user (Bearer access token, any scope); recorded in the security log (SessionsRevoked)",
      scope: 'token',
      responses: { 204: undefined },
    },
  );

/** What the auth routes use; `Daybook` has all of it. */
export interface AuthUseCases {
  readonly registerUser: Daybook['registerUser'];
  readonly login: (input: LoginInput) => Promise<IssuedTokens & { userId: string }>;
  readonly refreshSession: (
    refreshToken: string,
    client?: ClientInfo,
  ) => Promise<IssuedTokens & { userId: string }>;
  readonly logout: (accessToken: string, refreshToken?: string) => Promise<boolean>;
  readonly logoutAll: (userId: string, client?: ClientInfo) => Promise<void>;
  readonly verifyAccessToken: VerifyAccess;
}

/** A throttled login answers 429 with `Retry-After` (the problem body carries `retryAfter` too). */
function withRetryAfter(res: Response, error: unknown): never {
  if (error instanceof DomainError && typeof error.details.retryAfter === 'number') {
    res.setHeader('Retry-After', String(error.details.retryAfter));
  }
  throw error;
}

export function authRoutes(daybook: AuthUseCases): Router {
  const router = Router();

  router.post('/register', async (req, res) => {
    const body = parseBody(registerBody, req.body);
    const { user, ...tokens } = await daybook.registerUser(body, commandContext(req));
    res.setHeader('Cache-Control', 'no-store');
    res
      .status(201)
      .location(`/api/users/${user.userId}`)
      .json({ user: userView(user), ...tokens });
  });

  router.post('/login', async (req, res) => {
    const body = parseBody(loginBody, req.body);
    const { userId: _, ...tokens } = await daybook
      .login({ ...body, ...clientOf(req) })
      .catch((error: unknown) => withRetryAfter(res, error));
    res.setHeader('Cache-Control', 'no-store');
    res.json(tokens);
  });

  router.post('/refresh', async (req, res) => {
    const body = parseBody(refreshBody, req.body);
    const { userId: _, ...tokens } = await daybook.refreshSession(body.refreshToken, clientOf(req));
    res.setHeader('Cache-Control', 'no-store');
    res.json(tokens);
  });

  router.post('/logout', async (req, res) => {
    const token = bearerToken(req);
    if (!token) throw unauthorized();
    const body = parseBody(logoutBody, req.body);
    if (!(await daybook.logout(token, body.refreshToken))) throw unauthorized();
    res.status(204).end();
  });

  router.post('/logout-all', requireAuth(daybook.verifyAccessToken), async (req, res) => {
    await daybook.logoutAll(authOf(req).userId, clientOf(req));
    res.status(204).end();
  });

  return router;
}
