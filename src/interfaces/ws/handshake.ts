import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { REALTIME_CHANNELS, type RealtimeChannel } from '../../application/ports/notifier.port.js';
import type { AccessClaims, Scope } from '../../application/ports/token-service.port.js';
import { problemType } from '../http/problem.js';

/** The scope a token needs for each channel. */
export const CHANNEL_SCOPE: Readonly<Record<RealtimeChannel, Scope>> = {
  'budget-updates': 'read:budget',
  'transaction-alerts': 'read:transactions',
  notifications: 'read:budget',
};

const TOKEN = /^[A-Za-z0-9\-_.]{1,4096}$/;

/** Who connected, and which channels their token may read. */
export interface Authenticated {
  readonly userId: string;
  /** Kept to re-verify at each heartbeat (expiry, revocation); never logged. */
  readonly token: string;
  readonly allowed: Set<RealtimeChannel>;
}

/** A handshake answered with an HTTP problem instead of an upgrade. */
export interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly headers?: Record<string, string>;
}

const UNAUTHORIZED: Refusal = {
  status: 401,
  code: 'unauthorized',
  title: 'Unauthorized',
  detail: 'A valid access token is required: Sec-WebSocket-Protocol "bearer, <token>" or ?access_token=',
  headers: { 'WWW-Authenticate': 'Bearer' },
};

/** The handshake's token, verified, and the channels its scopes open. */
export async function authenticate(
  verifyAccessToken: (token: string) => Promise<AccessClaims | undefined>,
  req: IncomingMessage,
  url: URL,
): Promise<Authenticated | Refusal> {
  const token = tokenOf(req, url);
  if (!token || !TOKEN.test(token)) return UNAUTHORIZED;
  const claims = await verifyAccessToken(token);
  if (!claims) return UNAUTHORIZED;
  const admin = claims.scopes.includes('admin');
  const allowed = new Set(REALTIME_CHANNELS.filter((c) => admin || claims.scopes.includes(CHANNEL_SCOPE[c])));
  if (allowed.size === 0) {
    return {
      status: 403,
      code: 'insufficient-scope',
      title: 'Forbidden',
      detail: 'This needs the read:budget or read:transactions scope',
    };
  }
  return { userId: claims.userId, token, allowed };
}

/** `Sec-WebSocket-Protocol: bearer, <token>` first, then `?access_token=`. */
function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers['sec-websocket-protocol'];
  if (typeof header === 'string') {
    const protocols = header.split(',').map((p) => p.trim());
    const at = protocols.findIndex((p) => p.toLowerCase() === 'bearer');
    if (at >= 0) return protocols[at + 1];
  }
  return url.searchParams.get('access_token') ?? undefined;
}

/** Answers a handshake with a problem+json HTTP response instead of upgrading. */
export function reject(socket: Duplex, refusal: Refusal): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const { status, code, title, detail, headers = {} } = refusal;
  const body = JSON.stringify({ type: problemType(code), title, status, detail, code });
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/** Answered when the token could not be checked (the token store is down). */
export const AUTH_UNAVAILABLE: Refusal = {
  status: 503,
  code: 'unavailable',
  title: 'Service unavailable',
  detail: 'Authentication is unavailable',
};

/** The upgrade request's URL, or why it is refused before its token is looked at. */
export function upgradeTarget(rawUrl: string | undefined, path: string, closing: boolean): URL | Refusal {
  let url: URL;
  try {
    url = new URL(rawUrl ?? '/', 'http://localhost');
  } catch {
    return {
      status: 400,
      code: 'bad-request',
      title: 'Bad request',
      detail: 'The request target is not a URL',
    };
  }
  if (url.pathname !== path) {
    return {
      status: 404,
      code: 'not-found',
      title: 'Not found',
      detail: `WebSocket connections are served at ${path}`,
    };
  }
  if (closing) {
    return {
      status: 503,
      code: 'shutting-down',
      title: 'Service unavailable',
      detail: 'The server is shutting down',
    };
  }
  return url;
}
