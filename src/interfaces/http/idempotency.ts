import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { IdempotencyStore, StoredResponse } from '../../application/ports/idempotency-store.port.js';
import { authOf } from './auth.js';
import { problem } from './problem.js';
import { requireShallow } from './validate.js';

/** 1 to 255 printable ASCII characters (space included; the header's own whitespace is trimmed). */
const KEY = /^[\x20-\x7E]{1,255}$/;

/** The response headers a replay repeats; the rest (request id, security headers) belong to each response. */
const REPLAYED_HEADERS = ['content-type', 'location', 'daybook-position', 'content-disposition'] as const;

/** JSON with object keys sorted at every depth, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are one body. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** What makes two requests "the same request": method, path and canonical body. */
export const requestFingerprint = (req: Request): string =>
  createHash('sha256')
    .update(`${req.method}\n${req.baseUrl}${req.path}\n${canonicalJson(req.body)}`)
    .digest('hex');

const bodyText = (body: unknown): string =>
  typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';

function replayableHeaders(res: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = res.getHeader(name);
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return headers;
}

function replay(res: Response, stored: StoredResponse): void {
  res.status(stored.status);
  for (const [name, value] of Object.entries(stored.headers)) res.setHeader(name, value);
  res.setHeader('Idempotent-Replayed', 'true');
  res.send(stored.body);
}

/**
 * `Idempotency-Key` (IETF draft-ietf-httpapi-idempotency-key-header) for POSTs that create money facts.
 * Mount after authentication: keys are per user. Without the header the request runs as usual.
 *
 * - The first request with a key claims it atomically and runs; its response (2xx, 3xx or 4xx) is stored
 *   before it is sent, so a retry never races it.
 * - A retry with the same key and the same method, path and body gets that response again, with
 *   `Idempotent-Replayed: true`.
 * - The same key with another body: 422 `idempotency-key-reused`.
 * - A retry while the first is still running: 409 `idempotency-key-in-flight` (`Retry-After: 1`).
 * - A first request that ends in a 5xx, or never answers, releases the key: a retry runs again. A process
 *   that dies mid-request leaves a claim that the store lets others take over after its lease.
 * - A malformed key (not 1–255 printable ASCII characters): 400 `invalid-idempotency-key`.
 */
export function idempotency(store: IdempotencyStore): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = req.get('idempotency-key');
    if (key === undefined) {
      next();
      return;
    }
    if (!KEY.test(key)) {
      throw problem(400, 'invalid-idempotency-key', 'Bad request', {
        detail: 'Idempotency-Key must be 1 to 255 printable ASCII characters',
      });
    }
    const { userId } = authOf(req);
    requireShallow(req.body);
    const fingerprint = requestFingerprint(req);
    const claim = await store.claim(userId, key, fingerprint);

    if (!claim.claimed) {
      const { existing } = claim;
      if (existing.fingerprint !== fingerprint) {
        throw problem(422, 'idempotency-key-reused', 'Unprocessable content', {
          detail: 'This Idempotency-Key was already used for a different request',
        });
      }
      if (existing.state === 'in-flight') {
        res.setHeader('Retry-After', '1');
        throw problem(409, 'idempotency-key-in-flight', 'Conflict', {
          detail: 'A request with this Idempotency-Key is still being processed; retry shortly',
        });
      }
      replay(res, existing.response);
      return;
    }

    const { token } = claim;
    const send = res.send.bind(res);
    let settled = false;
    const release = () =>
      store.release(userId, key, token).catch((error) => {
        req.log.warn({ err: error }, 'could not release an idempotency key; its lease will expire');
      });

    res.send = ((body?: unknown) => {
      // Objects come back here as a JSON string through res.json.
      if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body)) return res.json(body);
      if (settled) return send(body);
      settled = true;
      const status = res.statusCode;
      const saved =
        status >= 500
          ? release()
          : store
              .complete(userId, key, token, { status, headers: replayableHeaders(res), body: bodyText(body) })
              .catch(async (error) => {
                req.log.error({ err: error }, 'could not store the idempotent response; key released');
                await release();
              });
      void saved.finally(() => send(body));
      return res;
    }) as Response['send'];

    // A response ended without res.send (res.end) stored nothing: release. A client that hangs up early
    // does not release: the handler still runs, and its answer is stored when it comes.
    res.on('close', () => {
      if (!settled && res.writableEnded) {
        settled = true;
        void release();
      }
    });
    next();
  };
}
