import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import {
  type NotificationListener,
  REALTIME_CHANNELS,
  type RealtimeChannel,
} from '../../application/ports/notifier.port.js';
import type { AccessClaims, Scope } from '../../application/ports/token-service.port.js';
import { problemType } from '../http/problem.js';

/** What the WebSocket endpoint needs from the application (Daybook provides both). */
export interface RealtimeUseCases {
  verifyAccessToken(token: string): Promise<AccessClaims | undefined>;
  subscribeNotifications(listener: NotificationListener): () => void;
}

export interface RealtimeServerOptions {
  readonly logger: Logger;
  readonly path?: string;
  /** Ping every connection this often; one that has not answered the previous ping is closed. */
  readonly heartbeatMs?: number;
  /** A client that lets this much pile up unread is disconnected (it is too slow to follow). */
  readonly maxBufferedBytes?: number;
  /** Largest frame a client may send. */
  readonly maxPayloadBytes?: number;
}

export interface RealtimeServer {
  readonly connections: number;
  /** Refuses new connections and closes the open ones (1001), waiting at most a second for them. */
  close(): Promise<void>;
}

/** The scope a token needs for each channel. */
const CHANNEL_SCOPE: Readonly<Record<RealtimeChannel, Scope>> = {
  'budget-updates': 'read:budget',
  'transaction-alerts': 'read:transactions',
  notifications: 'read:budget',
};

const TOKEN = /^[A-Za-z0-9\-_.]{1,4096}$/;
const MAX_INVALID_FRAMES = 20;
const CLOSE_UNAUTHORIZED = 4401;

const command = z.union([
  z.strictObject({ subscribe: z.array(z.string().max(64)).max(16) }),
  z.strictObject({ ping: z.unknown() }),
]);

interface Client {
  readonly ws: WebSocket;
  readonly userId: string;
  /** Kept to re-verify at each heartbeat (expiry, revocation); never logged. */
  readonly token: string;
  readonly allowed: ReadonlySet<RealtimeChannel>;
  channels: ReadonlySet<RealtimeChannel>;
  alive: boolean;
  invalidFrames: number;
}

/**
 * Real-time push at `/ws` on the HTTP server: the client authenticates with its access token during the
 * handshake (`Sec-WebSocket-Protocol: bearer, <token>` or `?access_token=`; 401 before upgrading
 * otherwise), then receives its own user's messages, in order, on the channels it subscribed to.
 */
export function attachRealtimeServer(
  server: Server,
  useCases: RealtimeUseCases,
  options: RealtimeServerOptions,
): RealtimeServer {
  const log = options.logger.child({ component: 'realtime' });
  const path = options.path ?? '/ws';
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: options.maxPayloadBytes ?? 4096,
    perMessageDeflate: false,
    // The token travels as the second "protocol"; only `bearer` is ever echoed back.
    handleProtocols: (protocols) => [...protocols].find((p) => p.toLowerCase() === 'bearer') ?? false,
  });
  const byUser = new Map<string, Set<Client>>();
  const clients = new Set<Client>();
  let closing = false;

  const send = (client: Client, text: string): void => {
    if (client.ws.readyState !== WebSocket.OPEN) return;
    if (client.ws.bufferedAmount + Buffer.byteLength(text) > maxBuffered) {
      log.warn(
        { userId: client.userId, buffered: client.ws.bufferedAmount },
        'real-time client too slow; disconnected',
      );
      client.ws.terminate();
      return;
    }
    client.ws.send(text);
  };
  const control = (client: Client, frame: Record<string, unknown>) => send(client, JSON.stringify(frame));

  const unsubscribe = useCases.subscribeNotifications((userId, message) => {
    const own = byUser.get(userId);
    if (!own) return;
    const text = JSON.stringify(message);
    for (const client of own) if (client.channels.has(message.channel)) send(client, text);
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      reject(socket, 400, 'bad-request', 'Bad request', 'The request target is not a URL');
      return;
    }
    if (url.pathname !== path) {
      reject(socket, 404, 'not-found', 'Not found', 'WebSocket connections are served at /ws');
      return;
    }
    if (closing) {
      reject(socket, 503, 'shutting-down', 'Service unavailable', 'The server is shutting down');
      return;
    }
    // A client that goes away while its token is checked must not crash the process.
    const ignore = () => socket.destroy();
    socket.on('error', ignore);
    authenticate(req, url)
      .then((outcome) => {
        if ('status' in outcome) {
          reject(socket, outcome.status, outcome.code, outcome.title, outcome.detail, outcome.headers);
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => {
          socket.off('error', ignore);
          connected(ws, outcome);
        });
      })
      .catch((error) => {
        log.error({ err: error }, 'real-time handshake failed');
        reject(socket, 503, 'unavailable', 'Service unavailable', 'Authentication is unavailable');
      });
  };

  const authenticate = async (
    req: IncomingMessage,
    url: URL,
  ): Promise<
    | { userId: string; token: string; allowed: Set<RealtimeChannel> }
    | {
        status: number;
        code: string;
        title: string;
        detail: string;
        headers?: Record<string, string>;
      }
  > => {
    const unauthorized = {
      status: 401,
      code: 'unauthorized',
      title: 'Unauthorized',
      detail: 'A valid access token is required: Sec-WebSocket-Protocol "bearer, <token>" or ?access_token=',
      headers: { 'WWW-Authenticate': 'Bearer' },
    };
    const token = tokenOf(req, url);
    if (!token || !TOKEN.test(token)) return unauthorized;
    const claims = await useCases.verifyAccessToken(token);
    if (!claims) return unauthorized;
    const admin = claims.scopes.includes('admin');
    const allowed = new Set(
      REALTIME_CHANNELS.filter((c) => admin || claims.scopes.includes(CHANNEL_SCOPE[c])),
    );
    if (allowed.size === 0) {
      return {
        status: 403,
        code: 'insufficient-scope',
        title: 'Forbidden',
        detail: 'This needs the read:budget or read:transactions scope',
      };
    }
    return { userId: claims.userId, token, allowed };
  };

  const connected = (
    ws: WebSocket,
    auth: { userId: string; token: string; allowed: Set<RealtimeChannel> },
  ) => {
    const client: Client = {
      ws,
      userId: auth.userId,
      token: auth.token,
      allowed: auth.allowed,
      channels: auth.allowed,
      alive: true,
      invalidFrames: 0,
    };
    if (closing) {
      ws.close(1001, 'server shutting down');
      return;
    }
    clients.add(client);
    let own = byUser.get(client.userId);
    if (!own) {
      own = new Set();
      byUser.set(client.userId, own);
    }
    own.add(client);
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data, isBinary) => received(client, data, isBinary));
    ws.on('error', (error) => log.debug({ err: error, userId: client.userId }, 'real-time socket error'));
    ws.on('close', () => {
      clients.delete(client);
      const set = byUser.get(client.userId);
      set?.delete(client);
      if (set?.size === 0) byUser.delete(client.userId);
      log.debug({ userId: client.userId }, 'real-time client disconnected');
    });
    log.debug({ userId: client.userId }, 'real-time client connected');
    control(client, { type: 'ready', channels: [...client.channels] });
  };

  const invalid = (client: Client, code: string, detail: string) => {
    client.invalidFrames += 1;
    control(client, { type: 'error', code, detail });
    if (client.invalidFrames >= MAX_INVALID_FRAMES) client.ws.close(1008, 'too many invalid messages');
  };

  const received = (client: Client, data: RawData, isBinary: boolean) => {
    if (isBinary) return invalid(client, 'binary-frame', 'Send commands as JSON text frames');
    let parsed: unknown;
    try {
      parsed = JSON.parse(bufferOf(data).toString('utf8'));
    } catch {
      return invalid(
        client,
        'invalid-json',
        'A command is a JSON object such as {"subscribe": ["notifications"]}',
      );
    }
    const result = command.safeParse(parsed);
    if (!result.success) {
      return invalid(
        client,
        'unknown-command',
        `Known commands: {"subscribe": [${REALTIME_CHANNELS.map((c) => `"${c}"`).join(', ')}]}, {"ping": any}`,
      );
    }
    if ('ping' in result.data) return control(client, { type: 'pong' });
    const wanted = [...new Set(result.data.subscribe)];
    const unknown = wanted.filter((c) => !(REALTIME_CHANNELS as readonly string[]).includes(c));
    if (unknown.length > 0) {
      return invalid(
        client,
        'unknown-channel',
        `Unknown channel(s) ${unknown.map((c) => JSON.stringify(c.slice(0, 64))).join(', ')}; known: ${REALTIME_CHANNELS.join(', ')}`,
      );
    }
    const channels = wanted as RealtimeChannel[];
    const forbidden = channels.filter((c) => !client.allowed.has(c));
    if (forbidden.length > 0) {
      return invalid(
        client,
        'insufficient-scope',
        `The token cannot read ${forbidden.map((c) => `${c} (needs ${CHANNEL_SCOPE[c]})`).join(', ')}`,
      );
    }
    client.channels = new Set(channels);
    control(client, { type: 'subscribed', channels });
  };

  const heartbeat = setInterval(() => {
    for (const client of clients) {
      if (!client.alive) {
        log.debug({ userId: client.userId }, 'real-time client did not answer a ping; closed');
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
      // An access token is short-lived and may be revoked: the connection lives no longer than it.
      useCases.verifyAccessToken(client.token).then(
        (claims) => {
          if (!claims || claims.userId !== client.userId)
            client.ws.close(CLOSE_UNAUTHORIZED, 'access token expired or revoked');
        },
        (error) => log.warn({ err: error }, 'real-time: could not re-verify a token'),
      );
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  server.on('upgrade', onUpgrade);

  return {
    get connections() {
      return clients.size;
    },
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(heartbeat);
      unsubscribe();
      server.off('upgrade', onUpgrade);
      const open = [...clients];
      await Promise.race([
        Promise.all(
          open.map(
            (client) =>
              new Promise<void>((resolve) => {
                if (client.ws.readyState === WebSocket.CLOSED) return resolve();
                client.ws.once('close', () => resolve());
                client.ws.close(1001, 'server shutting down');
              }),
          ),
        ),
        new Promise((resolve) => setTimeout(resolve, 1000).unref()),
      ]);
      for (const client of open) if (client.ws.readyState !== WebSocket.CLOSED) client.ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
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

function bufferOf(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** Answers a handshake with a problem+json HTTP response instead of upgrading. */
function reject(
  socket: Duplex,
  status: number,
  code: string,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
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
