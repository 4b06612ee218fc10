import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentPush {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly message: {
    token: string;
    notification?: { title?: string; body?: string };
    data?: Record<string, string>;
  };
}

export interface FcmStandIn {
  readonly url: string;
  readonly sent: SentPush[];
  /** Tokens the stand-in answers 404 UNREGISTERED for, as FCM does for an uninstalled app. */
  readonly unregistered: Set<string>;
  close(): Promise<void>;
}

/** A local server speaking FCM HTTP v1 (`POST /v1/projects/{id}/messages:send`). */
export async function startFcmStandIn(): Promise<FcmStandIn> {
  const sent: SentPush[] = [];
  const unregistered = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      const match = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(path);
      if (req.method !== 'POST' || !match) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end('{"error":{"code":404,"status":"NOT_FOUND"}}');
        return;
      }
      const { message } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
        message: SentPush['message'];
      };
      sent.push({ path, authorization: req.headers.authorization, message });
      if (unregistered.has(message.token)) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            error: {
              code: 404,
              message: 'Requested entity was not found.',
              status: 'NOT_FOUND',
              details: [
                { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' },
              ],
            },
          }),
        );
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ name: `projects/${match[1]}/messages/${sent.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    unregistered,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
