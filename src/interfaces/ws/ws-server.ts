import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import type { NotificationListener } from '../../application/ports/notifier.port.js';
import type { AccessClaims } from '../../application/ports/token-service.port.js';
import { type Client, receiveFrame } from './client-frames.js';
import { AUTH_UNAVAILABLE, type Authenticated, authenticate, reject, upgradeTarget } from './handshake.js';

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

const CLOSE_UNAUTHORIZED = 4401;

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

  const send = (client: Client, text: string) => sendTo(client, text, maxBuffered, log);
  const control = (client: Client, frame: Record<string, unknown>) => send(client, JSON.stringify(frame));

  const unsubscribe = useCases.subscribeNotifications((userId, message) => {
    const own = byUser.get(userId);
    if (!own) return;
    const text = JSON.stringify(message);
    for (const client of own) if (client.channels.has(message.channel)) send(client, text);
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = upgradeTarget(req.url, path, closing);
    if (!(url instanceof URL)) {
      reject(socket, url);
      return;
    }
    // A client that goes away while its token is checked must not crash the process.
    const ignore = () => socket.destroy();
    socket.on('error', ignore);
    authenticate(useCases.verifyAccessToken, req, url)
      .then((outcome) => {
        if ('status' in outcome) {
          reject(socket, outcome);
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => {
          socket.off('error', ignore);
          connected(ws, outcome);
        });
      })
      .catch((error) => {
        log.error({ err: error }, 'real-time handshake failed');
        reject(socket, AUTH_UNAVAILABLE);
      });
  };

  const connected = (ws: WebSocket, auth: Authenticated) => {
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
    ws.on('message', (data, isBinary) => receiveFrame(client, data, isBinary, control));
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

  const heartbeat = startHeartbeat(clients, useCases.verifyAccessToken, log, options.heartbeatMs ?? 30_000);

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
      await closeAll([...clients]);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * Pings every connection; one that did not answer the previous ping is closed. An access token is
 * short-lived and may be revoked: the connection lives no longer than it.
 */
function startHeartbeat(
  clients: ReadonlySet<Client>,
  verifyAccessToken: RealtimeUseCases['verifyAccessToken'],
  log: Logger,
  everyMs: number,
): NodeJS.Timeout {
  const heartbeat = setInterval(() => {
    for (const client of clients) {
      if (!client.alive) {
        log.debug({ userId: client.userId }, 'real-time client did not answer a ping; closed');
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
      verifyAccessToken(client.token).then(
        (claims) => {
          if (!claims || claims.userId !== client.userId)
            client.ws.close(CLOSE_UNAUTHORIZED, 'access token expired or revoked');
        },
        (error) => log.warn({ err: error }, 'real-time: could not re-verify a token'),
      );
    }
  }, everyMs);
  heartbeat.unref();
  return heartbeat;
}

/** Closes every connection with 1001, waiting at most a second before cutting the rest. */
async function closeAll(open: readonly Client[]): Promise<void> {
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
}

/** A message to one client; a client that lets too much pile up unread is too slow to follow: cut. */
function sendTo(client: Client, text: string, maxBuffered: number, log: Logger): void {
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
}
