import { z } from 'zod';
import type { JsonObject } from '../ports/event-store.port.js';
import { createCodec, isoTimestamp } from './codec.js';

/**
 * An administrator read a user's audit trail. Recorded (before the read is answered) in the subject's
 * `audit-<subjectUserId>` stream, which the subject owns: users can see who looked at their history.
 */
export type AuditReadEvent = {
  type: 'AuditRead';
  data: {
    /** The admin's user id. */
    reader: string;
    /** The user whose history was read. */
    subject: string;
    /** What was asked: the endpoint and its filters. */
    query: JsonObject;
    at: string;
  };
};

export const auditStream = (subjectUserId: string): string => `audit-${subjectUserId}`;

export const auditReadCodec = createCodec<AuditReadEvent>({
  AuditRead: {
    version: 1,
    schema: z.object({
      reader: z.string(),
      subject: z.string(),
      query: z.record(z.string(), z.json()),
      at: isoTimestamp,
    }),
  },
});
