import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { AuditReader } from '../../../application/audit/audit-events.query.js';
import { AUDIT_PAGE_MAX } from '../../../application/audit/audit-events.query.js';
import type { AuditUseCases } from '../../../application/audit/audit-use-cases.js';
import type { BrokenLink } from '../../../application/audit/verify-chains.js';
import { isValidPosition, type RecordedEvent } from '../../../application/ports/event-store.port.js';
import type { AccessClaims } from '../../../application/ports/token-service.port.js';
import { instantString } from '../as-of.js';
import { authOf, requireScope } from '../auth.js';
import { commandContext } from '../context.js';
import type { ApiDocs } from '../openapi.js';
import { problem } from '../problem.js';
import { parseQuery, text } from '../validate.js';

type AuditApi = Pick<AuditUseCases, 'auditEvents' | 'verifyUserChains'> & {
  readonly verifyAccessToken: (token: string) => Promise<AccessClaims | undefined>;
};

const userId = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a user id (a UUID)');

const eventsQuery = z.object({
  userId: userId.optional(),
  stream: text(300).min(1).optional(),
  type: text(100).min(1).optional(),
  from: instantString.optional(),
  to: instantString.optional(),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, `must be a whole number from 1 to ${AUDIT_PAGE_MAX}`)
    .transform(Number)
    .pipe(z.number().int().min(1).max(AUDIT_PAGE_MAX))
    .optional(),
  cursor: z.string().max(50).refine(isValidPosition, 'is not a cursor this API returned').optional(),
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
          items: z.array(
            z.object({
              position: z.string(),
              stream: z.string(),
              revision: z.number().int(),
              id: z.string(),
              type: z.string(),
              data: z.record(z.string(), z.unknown()),
              metadata: z.record(z.string(), z.unknown()),
            }),
          ),
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

  return router;
}
