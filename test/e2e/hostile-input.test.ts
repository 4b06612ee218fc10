import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { registerUser, startTestApp } from '../support/app.js';

const { api, url } = await startTestApp();

interface Operation {
  method: string;
  path: string;
  params: string[];
}

/** Hostile values: wrong types, huge and fractional numbers, long and odd strings, impossible dates. */
const hostileScalar = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-0',
    '-1',
    '0.001',
    '1e309',
    'NaN',
    'Infinity',
    '12.345',
    '99999999999999999999999999',
    '2024-02-30',
    '2023-13-01',
    '0000-00-00',
    '9999-12-31',
    '../../etc/passwd',
    '%00',
    '\u0000',
    '<script>',
    "'; DROP TABLE events; --",
    '{"$gt":""}',
    'x'.repeat(5000),
    '\ud83d\udca5'.repeat(100),
  ),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
);
const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileScalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Bodies shaped like the real ones but with hostile fields, plus raw garbage. */
const hostileBody = fc.oneof(
  hostileValue,
  fc.record(
    {
      amount: hostileScalar,
      category: hostileScalar,
      date: hostileScalar,
      merchant: hostileScalar,
      description: hostileScalar,
      categories: fc.array(
        fc.record({
          category: hostileScalar,
          amount: hostileScalar,
          kind: hostileScalar,
          dueDay: hostileScalar,
        }),
        { maxLength: 3 },
      ),
      month: hostileScalar,
      email: hostileScalar,
      password: hostileScalar,
      income: hostileScalar,
      currency: hostileScalar,
      timezone: hostileScalar,
      country: hostileScalar,
    },
    { requiredKeys: [] },
  ),
);

const tokenVariant = (good: string) =>
  fc.constantFrom(
    good,
    good,
    good,
    '',
    'garbage',
    `${good}x`,
    `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${good.split('.')[1]}.`,
    good.split('.').slice(0, 2).join('.'),
  );

describe('hostile input', () => {
  it('never answers 5xx, and every error is problem+json, on every documented route', async () => {
    const { token } = await registerUser(api);
    await api('PUT', '/api/budget/plan/2025-06', {
      token,
      body: { categories: [{ category: 'food', amount: '600.00' }] },
    });
    const doc = (await api('GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations: Operation[] = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({
        method: method.toUpperCase(),
        path,
        params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string),
      })),
    );
    expect(operations.length).toBeGreaterThan(10);
    let requests = 0;
    const failures: string[] = [];
    await fc
      .assert(
        fc.asyncProperty(
          fc.constantFrom(...operations),
          fc.array(hostileScalar.map(String), { minLength: 3, maxLength: 3 }),
          fc.dictionary(
            fc.constantFrom(
              'month',
              'after',
              'limit',
              'cursor',
              'from',
              'to',
              'minAmount',
              'months',
              'asOf',
              'userId',
            ),
            hostileScalar.map(String),
            { maxKeys: 3 },
          ),
          hostileBody,
          tokenVariant(token),
          fc.constantFrom(
            'application/json',
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/json; charset=utf-16',
          ),
          fc.boolean(),
          async (op, paramValues, query, body, bearer, contentType, rawGarbage) => {
            let path = op.path;
            op.params.forEach((name, i) => {
              path = path.replace(`{${name}}`, encodeURIComponent(String(paramValues[i] ?? 'x')));
            });
            const qs = new URLSearchParams(query as Record<string, string>).toString();
            const response = await fetch(`${url}${path}${qs ? `?${qs}` : ''}`, {
              method: op.method,
              headers: {
                'content-type': contentType,
                ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
              },
              ...(op.method === 'GET' || op.method === 'DELETE'
                ? {}
                : { body: rawGarbage ? '{"amount": [' : JSON.stringify(body) }),
            });
            requests += 1;
            const text = await response.text();
            if (response.status >= 500)
              failures.push(`${op.method} ${path} -> ${response.status} ${text.slice(0, 300)}`);
            if (
              response.status >= 400 &&
              !(response.headers.get('content-type') ?? '').includes('application/problem+json')
            ) {
              failures.push(
                `${op.method} ${path} -> ${response.status} not problem+json: ${response.headers.get('content-type')}`,
              );
            }
            return failures.length === 0;
          },
        ),
        { numRuns: Number(process.env.HOSTILE_RUNS ?? 2000) },
      )
      .catch((error) => {
        throw new Error(`${String(error).slice(0, 2000)}\nfailures:\n${failures.slice(0, 10).join('\n')}`);
      });
    expect(requests).toBeGreaterThanOrEqual(Number(process.env.HOSTILE_RUNS ?? 2000));
  }, 300_000);
});
