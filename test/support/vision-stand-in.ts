import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type VisionBehaviour =
  | { kind: 'text'; text: string }
  | { kind: 'status'; status: number }
  | { kind: 'hang' };

export interface VisionStandIn {
  readonly url: string;
  /** What each request to `images:annotate` gets, in turn; the last one repeats. */
  behave(...behaviours: VisionBehaviour[]): void;
  readonly requests: { path: string; apiKey: string | undefined; body: { requests?: unknown[] } }[];
  close(): Promise<void>;
}

const bodyOf = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

/**
 * A local server speaking Google Cloud Vision's REST wire format (`POST /v1/images:annotate`, JSON
 * `{ requests: [...] }` in, `{ responses: [{ fullTextAnnotation }] }` out), or failing as told.
 */
export async function startVisionStandIn(): Promise<VisionStandIn> {
  let script: VisionBehaviour[] = [{ kind: 'status', status: 503 }];
  const requests: VisionStandIn['requests'] = [];
  const hanging = new Set<() => void>();
  const server: Server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    const apiKey =
      (req.headers['x-goog-api-key'] as string | undefined) ??
      new URL(req.url ?? '/', 'http://x').searchParams.get('key') ??
      undefined;
    requests.push({ path: req.url ?? '', apiKey, body: JSON.parse(body || '{}') });
    const behaviour = (script.length > 1 ? script.shift() : script[0]) as VisionBehaviour;
    if (!req.url?.startsWith('/v1/images:annotate')) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":{"code":404,"message":"not found"}}');
      return;
    }
    if (behaviour.kind === 'hang') {
      hanging.add(() => res.destroy());
      return;
    }
    if (behaviour.kind === 'status') {
      res.writeHead(behaviour.status, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: { code: behaviour.status, message: 'The service is unavailable', status: 'UNAVAILABLE' },
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        responses: [{ fullTextAnnotation: { text: behaviour.text, pages: [{ confidence: 0.97 }] } }],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    behave: (...behaviours) => {
      script = behaviours;
    },
    requests,
    close: async () => {
      for (const end of hanging) end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
