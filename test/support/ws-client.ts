import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';

export interface Frame {
  readonly [key: string]: unknown;
}

/** A connected test client that queues every frame it receives, so a test can wait for the next ones. */
export interface TestSocket {
  readonly ws: WebSocket;
  readonly frames: Frame[];
  /** The next frame matching `match` (default: any), removed from the queue; fails after `timeoutMs`. */
  next(match?: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  send(value: unknown): void;
  close(): Promise<void>;
}

export function connectWs(
  url: string,
  options: { protocols?: string[]; autoPong?: boolean } = {},
): Promise<TestSocket> {
  const ws = new WebSocket(url, options.protocols ?? [], { autoPong: options.autoPong ?? true });
  const frames: Frame[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as Frame);
    for (const wake of [...waiters]) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const socket: TestSocket = {
    ws,
    frames,
    closed,
    send: (value) => ws.send(typeof value === 'string' ? value : JSON.stringify(value)),
    next: (match = () => true, timeoutMs = 3000) =>
      new Promise<Frame>((resolve, reject) => {
        const look = () => {
          const at = frames.findIndex(match);
          if (at < 0) return false;
          const [frame] = frames.splice(at, 1);
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(frame as Frame);
          return true;
        };
        const wake = () => void look();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no matching frame within ${timeoutMs} ms; queued: ${JSON.stringify(frames)}`));
        }, timeoutMs);
        if (!look()) waiters.add(wake);
      }),
    close: async () => {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close();
      await closed;
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        reject(
          Object.assign(new Error(`handshake answered ${res.statusCode}`), {
            status: res.statusCode,
            contentType: res.headers['content-type'],
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        ),
      );
    });
  });
}

/** The HTTP status a refused handshake got (fails if the connection opened). */
export async function handshakeStatus(
  url: string,
  protocols?: string[],
): Promise<{ status: number; contentType?: string; body: string }> {
  try {
    const socket = await connectWs(url, protocols ? { protocols } : {});
    await socket.close();
  } catch (error) {
    const e = error as { status?: number; contentType?: string; body?: string };
    if (e.status !== undefined)
      return {
        status: e.status,
        body: e.body ?? '',
        ...(e.contentType ? { contentType: e.contentType } : {}),
      };
    throw error;
  }
  throw new Error('the handshake was accepted');
}

/** ws:// URL of a running app's /ws endpoint. */
export const wsUrl = (httpUrl: string, query = ''): string => `${httpUrl.replace(/^http/, 'ws')}/ws${query}`;
