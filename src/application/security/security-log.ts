import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import {
  type SecurityContext,
  type SecurityEvent,
  securityCodec,
  securityStream,
} from '../events/security.codec.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventStore } from '../ports/event-store.port.js';
import type { IdGenerator } from '../ports/id-generator.port.js';
import type { ErrorLogger } from '../ports/logger.port.js';

/** What the HTTP layer knows about the client of a request. Full values: they are reduced here. */
export interface ClientInfo {
  readonly ip?: string;
  readonly userAgent?: string;
  readonly correlationId?: string;
}

export interface SecurityLogDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: ErrorLogger;
}

const USER_AGENT_MAX = 100;

/**
 * The client's network, never its address: an IPv4 address becomes its /24 (`203.0.113.0/24`), an IPv6
 * address its /48 (`2001:db8:1::/48`); an IPv4-mapped IPv6 address counts as IPv4. Undefined for anything
 * that is not an IP address.
 */
export function ipNetwork(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  let address = ip.trim();
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1]) address = mapped[1];
  if (isIPv4(address)) {
    const [a, b, c] = address.split('.');
    return `${a}.${b}.${c}.0/24`;
  }
  if (isIPv6(address)) {
    return `${ipv6Groups(address)
      .slice(0, 3)
      .map((g) => g.toString(16))
      .join(':')}::/48`;
  }
  return undefined;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, an IPv4 tail as two groups). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((h) => Number.parseInt(h, 16)));
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  return [...front, ...Array<number>(Math.max(0, 8 - front.length - back.length)).fill(0), ...back];
}

/** The first 100 characters, without control characters or a split surrogate pair (jsonb refuses both). */
function userAgentPrefix(userAgent: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const prefix = userAgent.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, USER_AGENT_MAX);
  return /[\ud800-\udbff]$/.test(prefix) ? prefix.slice(0, -1) : prefix;
}

/** SHA-256 of the normalized (trimmed, lower-cased) email, first 16 hex digits: a pseudonym, not the address. */
export const emailHash = (normalizedEmail: string): string =>
  createHash('sha256').update(normalizedEmail.trim().toLowerCase(), 'utf8').digest('hex').slice(0, 16);

export interface SecurityEntry {
  /** A user id, ANONYMOUS or SYSTEM: the event goes to `security-<subject>`. */
  readonly subject: string;
  readonly event: SecurityEvent;
  /** Who acted, when known (the signed-in user, an operator). */
  readonly actor?: string;
  readonly correlationId?: string;
}

/** Appends one security event to `security-<subject>`; throws when it cannot. */
export async function appendSecurityEvent(
  deps: { readonly store: EventStore; readonly ids: IdGenerator },
  entry: SecurityEntry,
): Promise<void> {
  const { type, data, schemaVersion } = securityCodec.encode(entry.event);
  await deps.store.append(
    securityStream(entry.subject),
    [
      {
        id: deps.ids.uuid(),
        type,
        data,
        metadata: {
          correlationId: entry.correlationId ?? deps.ids.uuid(),
          ...(entry.actor ? { actor: entry.actor } : {}),
          occurredAt: entry.event.data.at,
          schemaVersion,
        },
      },
    ],
    'any',
  );
}

/**
 * Records security events (see security.codec.ts). `record` throws when the event cannot be stored;
 * `bestEffort` is for the request path: a failure is logged at error level and the request goes on, so a
 * broken audit trail never turns a sign-in into a 500, and never goes unnoticed either.
 */
export function securityLog(deps: SecurityLogDeps) {
  const record = (entry: SecurityEntry) => appendSecurityEvent(deps, entry);

  return {
    record,

    /** Runs `work` (which records an event) and logs its failure at error level instead of throwing. */
    bestEffort: async (what: string, work: () => Promise<unknown>): Promise<void> => {
      try {
        await work();
      } catch (error) {
        deps.logger.error({ err: error, securityEvent: what }, 'security event could not be recorded');
      }
    },

    /** `at` now, the client's network and the start of its user agent. */
    context: (client: ClientInfo = {}): SecurityContext => {
      const ip = ipNetwork(client.ip);
      const userAgent = client.userAgent && userAgentPrefix(client.userAgent);
      return {
        at: deps.clock.now().toISOString(),
        ...(ip ? { ip } : {}),
        ...(userAgent ? { userAgent } : {}),
      };
    },
  };
}

export type SecurityLog = ReturnType<typeof securityLog>;
