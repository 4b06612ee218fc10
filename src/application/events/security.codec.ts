import { z } from 'zod';
import { createCodec, isoTimestamp } from './codec.js';

/**
 * The security log: sign-ins, failed and throttled sign-ins, refresh-token reuse, logout everywhere and
 * data exports. Each event goes to `security-<userId>` (the user owns it and sees it in their own audit
 * trail), to `security-anonymous` for a failed or throttled sign-in with an unknown email, or to
 * `security-system` for an export of the whole log.
 *
 * Nothing here is personal text: never an email, password, token or full IP address. `ip` is the
 * client's network (IPv4 /24, IPv6 /48), `userAgent` its first 100 characters, and an unknown email is
 * only `emailHash` (SHA-256 of the lower-cased email, first 16 hex digits), enough to see one address
 * being tried again and again.
 */
export interface SecurityContext {
  readonly at: string;
  /** The client's network, e.g. `203.0.113.0/24` or `2001:db8:1::/48`. */
  readonly ip?: string;
  readonly userAgent?: string;
  readonly reason?: string;
}

export type SecurityEvent =
  | { type: 'LoginSucceeded'; data: SecurityContext }
  | {
      type: 'LoginFailed';
      data: SecurityContext & { reason: 'wrong-password' | 'unknown-email'; emailHash?: string };
    }
  | { type: 'LoginThrottled'; data: SecurityContext & { retryAfter?: number; emailHash?: string } }
  | { type: 'RefreshTokenReused'; data: SecurityContext }
  | { type: 'SessionsRevoked'; data: SecurityContext }
  | {
      type: 'DataExported';
      data: SecurityContext & {
        /** Who exported: a user id, or e.g. `system:cli` for an operator. */
        actor: string;
        /** Whose data: a user id, or `all` for the whole log. */
        subject: string;
        events: number;
        /** False when the export stopped before its end (an error, or the reader gave up). */
        complete: boolean;
      };
    };

export type SecurityEventType = SecurityEvent['type'];

export const SECURITY_STREAM_KIND = 'security';
/** A failed or throttled sign-in whose email belongs to no account. */
export const ANONYMOUS = 'anonymous';
/** Operators' actions on the whole log (an export of everything). */
export const SYSTEM = 'system';

/** `security-<userId>`, `security-anonymous` or `security-system`. */
export const securityStream = (subject: string): string => `${SECURITY_STREAM_KIND}-${subject}`;

const context = {
  at: isoTimestamp,
  ip: z.string().max(64).optional(),
  userAgent: z.string().max(100).optional(),
  reason: z.string().max(100).optional(),
};
const emailHash = z
  .string()
  .regex(/^[0-9a-f]{16}$/)
  .optional();

export const securityCodec = createCodec<SecurityEvent>({
  LoginSucceeded: { version: 1, schema: z.object(context) },
  LoginFailed: {
    version: 1,
    schema: z.object({ ...context, reason: z.enum(['wrong-password', 'unknown-email']), emailHash }),
  },
  LoginThrottled: {
    version: 1,
    schema: z.object({ ...context, retryAfter: z.number().int().min(0).optional(), emailHash }),
  },
  RefreshTokenReused: { version: 1, schema: z.object(context) },
  SessionsRevoked: { version: 1, schema: z.object(context) },
  DataExported: {
    version: 1,
    schema: z.object({
      ...context,
      actor: z.string(),
      subject: z.string(),
      events: z.number().int().min(0),
      complete: z.boolean(),
    }),
  },
});

export const SECURITY_EVENT_TYPES = [...securityCodec.types] as SecurityEventType[];
