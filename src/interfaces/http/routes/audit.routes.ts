import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { AuditReader } from '../../../application/audit/audit-events.query.js';
import { AUDIT_PAGE_MAX } from '../../../application/audit/audit-page.js';
import type { AuditUseCases } from '../../../application/audit/audit-use-cases.js';
import type { BrokenLink } from '../../../application/audit/verify-chains.js';
import { SECURITY_EVENT_TYPES } from '../../../application/events/security.codec.js';
import { streamOwner } from '../../../application/ports/audit-log.port.js';
import { isValidPosition, type RecordedEvent } from '../../../application/ports/event-store.port.js';
import type { AccessClaims } from '../../../application/ports/token-service.port.js';
import { instantString } from '../as-of.js';
import { authOf, requireScope } from '../auth.js';
import { commandContext } from '../context.js';
import type { ApiDocs } from '../openapi.js';
import { problem } from '../problem.js';
import { parseQuery, text } from '../validate.js';

type AuditApi = Pick<AuditUseCases, 'auditEvents' | 'verifyUserChains' | 'securityEvents'> & {
  readonly verifyAccessToken: (token: string) => Promise<AccessClaims | undefined>;
};

const userId = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a user id (a UUID)');

const limit = z
  .string()
  .regex(/^\d{1,3}$/, `must be a whole number from 1 to ${AUDIT_PAGE_MAX}`)
  .transform(Number)
  .pipe(z.number().int().min(1).max(AUDIT_PAGE_MAX));
const cursor = z.string().max(50).refine(isValidPosition, 'is not a cursor this API returned');

const eventsQuery = z.object({
  userId: userId.optional(),
  stream: text(300, 1).optional(),
  type: text(100, 1).optional(),
  from: instantString.optional(),
  to: instantString.optional(),
  limit: limit.optional(),
  cursor: cursor.optional(),
});

/** The security log's event types: those of security.codec.ts and the admin reads. */
const securityTypes: [string, ...string[]] = ['AuditRead', ...SECURITY_EVENT_TYPES];

const securityQuery = z.object({
  type: z.enum(securityTypes).optional(),
  userId: userId.optional(),
  from: instantString.optional(),
  to: instantString.optional(),
  limit: limit.optional(),
  cursor: cursor.optional(),
});

/** A stored event as auditors see it: `data` exactly as stored (amounts in minor units, as strings). */
const eventView = (e: RecordedEvent) => ({
  position: e.position,
  stream: e.streamName,
  revision: Number(e.revision),
  id: e.id,
  type: e.type,
  data: e.data,
  metadata: e.metadata,
});

/** A security event: a stored event and the user it concerns (none for `security-anonymous`, `-system`). */
const securityView = (e: RecordedEvent) => ({ ...eventView(e), userId: streamOwner(e.streamName) ?? null });

const storedEventOut = z.object({
  position: z.string(),
  stream: z.string(),
  revision: z.number().int(),
  id: z.string(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
  metadata: z.record(z.string(), z.unknown()),
});

const linkView = (link: BrokenLink) => ({ ...link, revision: Number(link.revision) });

const brokenLinkOut = z.object({
  stream: z.string(),
  revision: z.number().int(),
  eventId: z.string(),
  expected: z.string(),
  actual: z.string(),
  reason: z.enum(['hash-mismatch', 'prev-hash-mismatch', 'head-mismatch']),
});

const verifyQuery = z.object({ userId: userId.optional() });

/** OpenAPI descriptions of the /api/audit routes (added to api-docs.ts with the others). */
export const auditDocs = (docs: ApiDocs) =>
  docs.add(
    {
      method: 'get',
      path: '/api/audit/events',
      summary:
        "The caller's events across all their streams in global order, with metadata; data as stored " +
        '(amounts in minor units as strings). ?userId= needs the admin scope and is itself recorded (AuditRead).',
      scope: 'read:profile',
      query: eventsQuery,
      responses: {
        200: z.object({
          userId: z.string(),
          items: z.array(storedEventOut),
          nextCursor: z.string().optional(),
        }),
      },
    },
    {
      method: 'get',
      path: '/api/audit/verify',
      summary:
        "Recompute the hash chain of each of the caller's streams and report the first broken link of each " +
        '(?userId= needs the admin scope and is recorded)',
      scope: 'read:profile',
      query: verifyQuery,
      responses: {
        200: z.object({
          userId: z.string(),
          ok: z.boolean(),
          streams: z.number().int(),
          events: z.number().int(),
          firstBroken: brokenLinkOut.optional(),
          brokenStreams: z.number().int(),
          broken: z.array(brokenLinkOut),
        }),
      },
    },
    {
      method: 'get',
      path: '/api/audit/security',
      summary:
        'The security log of every user, in global order (admin scope): LoginSucceeded, LoginFailed ' +
        '(wrong-password, unknown-email), LoginThrottled, RefreshTokenReused, SessionsRevoked (logout-all), ' +
        'DataExported (CLI export, backup, CSV export) and AuditRead (an admin read of a user history). data: {at, ip (the ' +
        "client's /24 or /48 network), userAgent (100 characters), reason?, …}; never an email, password, " +
        'token or full address (an unknown email is emailHash, 16 hex digits of its SHA-256). Filters type, ' +
        'userId, from (inclusive), to (exclusive); keyset pages with limit and cursor (nextCursor).',
      scope: 'admin',
      query: securityQuery,
      responses: {
        200: z.object({
          items: z.array(
            storedEventOut.extend({
              userId: z.string().nullable().openapi({
                description: 'The user the event concerns; null for security-anonymous and security-system',
              }),
            }),
          ),
          nextCursor: z.string().optional(),
        }),
      },
    },
  );

/** Own history with read:profile; another user's (`?userId=`) only with the admin scope. */
function readerOf(req: Request, subject: string | undefined): AuditReader {
  const { userId: readerId, scopes } = authOf(req);
  const admin = scopes.includes('admin');
  if (subject !== undefined && subject !== readerId && !admin) {
    throw problem(403, 'insufficient-scope', 'Forbidden', {
      detail: "Reading another user's audit trail needs the admin scope",
      scope: 'admin',
    });
  }
  return { readerId, admin, ...(subject === undefined ? {} : { userId: subject }) };
}

const noStore = (res: Response) => res.setHeader('Cache-Control', 'no-store');

/** The audit trail and tamper evidence of a user's history. */
export function auditRoutes(daybook: AuditApi): Router {
  const router = Router();
  const verify = daybook.verifyAccessToken;

  router.get('/events', requireScope(verify, 'read:profile'), async (req, res) => {
    const { userId: subject, ...query } = parseQuery(eventsQuery, req.query);
    const page = await daybook.auditEvents(
      {
        ...readerOf(req, subject),
        ...Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)),
      },
      commandContext(req),
    );
    noStore(res);
    res.json({
      userId: page.userId,
      items: page.items.map(eventView),
      ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
    });
  });

  router.get('/verify', requireScope(verify, 'read:profile'), async (req, res) => {
    const { userId: subject } = parseQuery(verifyQuery, req.query);
    const report = await daybook.verifyUserChains(readerOf(req, subject), commandContext(req));
    noStore(res);
    res.json({
      userId: report.userId,
      ok: report.ok,
      streams: report.streams,
      events: report.events,
      ...(report.firstBroken ? { firstBroken: linkView(report.firstBroken) } : {}),
      brokenStreams: report.brokenStreams,
      broken: report.broken.map(linkView),
    });
  });

  router.get('/security', requireScope(verify, 'admin'), async (req, res) => {
    const query = parseQuery(securityQuery, req.query);
    const page = await daybook.securityEvents(
      Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)),
    );
    noStore(res);
    res.json({
      items: page.items.map(securityView),
      ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
    });
  });

  return router;
}
