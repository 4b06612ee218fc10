import fc from 'fast-check';
import type { OpenApiDocument, Operation } from './contract.js';

/** Values that exist on the server under test: real ids, tokens, the current month. */
export interface Pools {
  readonly month: string;
  readonly days: readonly string[];
  readonly transactionIds: string[];
  readonly refreshTokens: string[];
  readonly emails: string[];
}

export type Identity = 'owner' | 'other' | 'anonymous';

/** One generated HTTP request (path already filled in, query not yet encoded). */
export interface FuzzRequest {
  readonly op: Operation;
  readonly identity: Identity;
  /** A token variant instead of the identity's real token (tampered, truncated, garbage). */
  readonly badToken?: string;
  readonly path: string;
  readonly query: readonly (readonly [string, string])[];
  readonly headers: Readonly<Record<string, string>>;
  /** Raw body text, or a FormData for multipart. */
  readonly body?:
    | string
    | { readonly csv: string; readonly mapping: string; readonly as: 'multipart' | 'csv' };
  readonly mutated: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema objects from the document
type Schema = any;

const MONEY = fc.constantFrom('12.50', '3.00', '0.99', '250.00', '1', '40');
const ALGORITHMS = fc.constantFrom('even@1', 'proportional@1', 'nearest-first@1', 'weekday-weighted@1');

/** Field names whose valid values need meaning (amounts, dates, known ids), not just the schema's shape. */
function meaningful(name: string, pools: Pools): fc.Arbitrary<unknown> | undefined {
  switch (name) {
    case 'amount':
    case 'income':
    case 'minAmount':
    case 'maxAmount':
      return MONEY;
    case 'date':
    case 'from':
    case 'to':
    case 'effectiveFrom':
      return fc.constantFrom(...pools.days);
    case 'month':
      return fc.constantFrom(pools.month, pools.month, '2025-06');
    case 'category':
    case 'defaultCategory':
      return fc.constantFrom('food', 'transport', 'fun', 'rent');
    case 'currency':
      return fc.constantFrom('USD', 'EUR');
    case 'country':
      return fc.constant('US');
    case 'timezone':
      return fc.constantFrom('Europe/Berlin', 'UTC', 'America/New_York');
    case 'email':
      return fc.oneof(fc.constantFrom(...pools.emails), fc.emailAddress());
    case 'password':
      return fc.constantFrom('correct horse battery', 'wrong password!');
    case 'refreshToken':
      return pools.refreshTokens.length ? fc.constantFrom(...pools.refreshTokens) : undefined;
    case 'id':
      return pools.transactionIds.length
        ? fc.oneof(fc.constantFrom(...pools.transactionIds), fc.uuid())
        : fc.uuid();
    case 'split':
    case 'redistribution':
    case 'algorithm':
    case 'splitAlgorithm':
      return ALGORITHMS;
    case 'idempotency-key':
      return fc.uuid();
    case 'limit':
      return fc.constantFrom('1', '10', '100');
    case 'months':
      return fc.constantFrom('1', '6', '24');
    case 'asOf':
      return fc.constant(new Date().toISOString());
    case 'includeVoided':
      return fc.constantFrom('true', 'false');
    default:
      return undefined;
  }
}

function patterned(pattern: string, min: number, max: number): fc.Arbitrary<string> {
  const regex = new RegExp(pattern, 'u');
  try {
    return fc.stringMatching(regex).filter((s) => s.length >= min && s.length <= max);
  } catch {
    return fc.string({ minLength: min, maxLength: Math.min(max, 30) }).filter((s) => regex.test(s));
  }
}

/** Values valid against a JSON Schema (draft 2020-12 as OpenAPI 3.1 has it), meaningful where named. */
export function valid(schema: Schema, name: string, pools: Pools, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.constant(null);
  if (schema.anyOf || schema.oneOf) {
    return fc.oneof(...(schema.anyOf ?? schema.oneOf).map((s: Schema) => valid(s, name, pools, depth + 1)));
  }
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.type)) {
    return fc.oneof(...schema.type.map((type: string) => valid({ ...schema, type }, name, pools, depth)));
  }
  const named = schema.type === 'string' ? meaningful(name, pools) : undefined;
  if (named) return named;
  switch (schema.type) {
    case 'string': {
      const min = schema.minLength ?? 0;
      const max = Math.min(schema.maxLength ?? 40, 40);
      if (schema.format === 'email') return fc.emailAddress();
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.pattern) return patterned(schema.pattern, min, Math.max(min, max));
      return fc.string({ minLength: min, maxLength: Math.max(min, max) });
    }
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valid(schema.items, name, pools, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)),
      });
    case 'object': {
      const properties: Record<string, Schema> = schema.properties ?? {};
      const required: string[] = schema.required ?? [];
      const record = Object.fromEntries(
        Object.entries(properties).map(([key, s]) => [key, valid(s, key, pools, depth + 1)]),
      );
      return fc.record(record, { requiredKeys: required });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Strings that break naive parsers: NUL and control characters, look-alike digits, huge, path tricks. */
export const hostileString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    'food\u0000',
    '\u0007\u001b[31m',
    '\r\nX-Injected: 1',
    '\ud800',
    '\udfff\ud800',
    '\u202e',
    '١٢٫٥٠', // Arabic-Indic digits
    '１２.５０', // full-width digits
    '２０２５-０６',
    '2025-06-31',
    '2025-02-29',
    '0000-00',
    '9999-12-31',
    '-0',
    '1e309',
    'NaN',
    '0x10',
    '12.345',
    '99999999999999999999999999999.99',
    '../../etc/passwd',
    '%00',
    '%',
    '<script>alert(1)</script>',
    "'; DROP TABLE events; --",
    '{"$gt":""}',
    '__proto__',
    'constructor',
    '"*"',
    '*',
    'W/"x"',
    '812.45',
    '-1.-1',
    'eventual',
  ),
  fc.constantFrom(100, 5_000, 70_000).map((n) => 'x'.repeat(n)),
  fc.constant('\ud83d\udca5'.repeat(3000)),
);

export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
  fc.constant({}),
);

/** `{"a":{"a":…}}` nested `depth` deep. */
const nested = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Mutations of a valid JSON body, most of them as raw text so `__proto__` and depth survive. */
function mutateBody(body: unknown): fc.Arbitrary<string> {
  const object = body !== null && typeof body === 'object' && !Array.isArray(body);
  const keys = object ? Object.keys(body as object) : [];
  const withField = (key: string, value: unknown) => JSON.stringify({ ...(body as object), [key]: value });
  return fc.oneof(
    hostileJson.map((v) => JSON.stringify(v)),
    keys.length
      ? fc.tuple(fc.constantFrom(...keys), hostileJson).map(([key, v]) => withField(key, v))
      : fc.constant('[]'),
    keys.length
      ? fc.constantFrom(...keys).map((key) => {
          const { [key]: _, ...rest } = body as Record<string, unknown>;
          return JSON.stringify(rest);
        })
      : fc.constant('{}'),
    fc
      .constantFrom('__proto__', 'constructor', 'prototype', 'unknownField', 'toString')
      .map((key) => `{"${key}":{"polluted":true},${JSON.stringify(body ?? {}).slice(1)}`),
    fc.constantFrom(
      '{"amount": [',
      '',
      'null',
      '"string"',
      '[]',
      '{"a":1,"a":2}',
      nested(5_000),
      `[${'1,'.repeat(20_000)}1]`,
      JSON.stringify({ items: Array.from({ length: 10_000 }, () => ({})) }),
      `{"transactions":[${Array.from({ length: 600 }, () => '{"amount":"1","category":"food","date":"2025-06-01"}').join(',')}]}`,
    ),
    keys.length
      ? fc
          .tuple(fc.constantFrom(...keys), fc.constantFrom(5_000, 300_000))
          .map(([key, n]) => withField(key, 'y'.repeat(n)))
      : fc.constant('{}'),
  );
}

const CONTENT_TYPES = fc.constantFrom(
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'application/json; charset=latin2',
  'text/csv',
  'multipart/form-data; boundary=x',
);

/**
 * Values that travel in the URL: `.` and `..` are left out (URL parsers resolve them before sending),
 * and so is anything over 1,000 characters (Node answers a request line over 16 KB with a bare 431
 * before the application sees it).
 */
const urlValue = hostileString.filter((s) => s !== '.' && s !== '..' && s.length <= 1_000);

const parametersOf = (op: Operation, where: string): Schema[] =>
  (op.spec.parameters ?? []).filter((p: Schema) => p.in === where);

/** Percent-encoded; a lone surrogate (no UTF-8 form) as the bytes of its CESU-8 form, invalid UTF-8. */
const encodeSegment = (value: string): string =>
  [...value].map((c) => (/[\ud800-\udfff]/.test(c) ? '%ED%A0%80' : encodeURIComponent(c))).join('');

function fill(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeSegment(values[name] ?? 'x'));
}

const CSV = 'Date,Amount,Shop\n2025-06-03,12.50,Bakery\n2025-06-04,3.20,Kiosk\n';
const MAPPING = JSON.stringify({ date: 'Date', amount: 'Amount', merchant: 'Shop', defaultCategory: 'food' });

/** One way to spoil a valid request of `op`: path, query, header, body, content type or token. */
function mutationOf(op: Operation, validBody: fc.Arbitrary<FuzzRequest['body']>) {
  const pathParams = parametersOf(op, 'path');
  const queryParams = parametersOf(op, 'query');
  const jsonSchema = op.spec.requestBody?.content?.['application/json']?.schema;
  return fc.oneof(
    // hostile path values
    pathParams.length
      ? fc
          // An empty segment is another route's URL.
          .tuple(fc.constantFrom(...pathParams.map((p) => p.name as string)), urlValue.filter(Boolean))
          .map(([name, value]) => ({ pathValue: { [name]: value } }))
      : fc.constant({}),
    // hostile, unknown and repeated query values
    fc
      .tuple(
        fc.constantFrom(...queryParams.map((p) => p.name as string), 'unknown', '__proto__', 'after'),
        urlValue,
        fc.boolean(),
      )
      .map(([name, value, repeat]) => ({ queryValue: [name, value, repeat] as const })),
    // hostile headers
    fc
      .tuple(
        fc.constantFrom(
          'if-match',
          'idempotency-key',
          'daybook-min-position',
          'daybook-consistency',
          'x-correlation-id',
        ),
        hostileString.filter((s) => s.length < 1000 && /^[\t\x20-\x7e]*$/.test(s)),
      )
      .map(([name, value]) => ({ header: [name, value] as const })),
    // a hostile body or content type
    jsonSchema
      ? validBody.chain((b) => mutateBody(JSON.parse(b as string))).map((raw) => ({ raw }))
      : fc.constant({}),
    fc
      .tuple(CONTENT_TYPES, fc.constantFrom('{}', CSV, 'a=b', ''))
      .map(([contentType, raw]) => ({ contentType, raw })),
    // a token that is not the identity's own
    fc
      .constantFrom('', 'garbage', 'a.b.c', `${'x'.repeat(40)}.${'y'.repeat(40)}.`, 'e30.e30.')
      .map((badToken) => ({ badToken })),
  );
}

/** A request for an operation: valid from its schemas, or one of them mutated into hostile input. */
export function request(op: Operation, pools: Pools): fc.Arbitrary<FuzzRequest> {
  const pathParams = parametersOf(op, 'path');
  const queryParams = parametersOf(op, 'query');
  const headerParams = parametersOf(op, 'header');
  const validPath = fc.record(
    Object.fromEntries(
      pathParams.map((p) => [p.name, valid(p.schema, p.name, pools) as fc.Arbitrary<string>]),
    ),
  );
  const validQuery = fc.record<Record<string, unknown>>(
    Object.fromEntries(queryParams.map((p) => [p.name, valid(p.schema, p.name, pools)])),
    { requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name as string) },
  );
  const validHeaders = fc.record(
    Object.fromEntries(
      headerParams
        .filter((p) => !p.name.startsWith('daybook-') && p.name !== 'if-match')
        .map((p) => [p.name, valid(p.schema, p.name, pools)]),
    ),
    { requiredKeys: [] },
  );
  const jsonSchema = op.spec.requestBody?.content?.['application/json']?.schema;
  const validBody: fc.Arbitrary<FuzzRequest['body']> = jsonSchema
    ? valid(jsonSchema, '', pools).map((b) => JSON.stringify(b))
    : op.spec.requestBody
      ? fc
          .constantFrom('multipart' as const, 'csv' as const)
          .map((as) => ({ csv: CSV, mapping: MAPPING, as }))
      : fc.constant(undefined);
  // Ending a session costs a new one (a password hash): those operations run with a real token less often.
  const ending = ['postAuthLogout', 'postAuthLogoutAll', 'deleteUsersMe'].includes(op.operationId);
  const identity = fc.oneof(
    { arbitrary: fc.constantFrom<Identity>('owner', 'owner', 'other'), weight: ending ? 1 : 3 },
    { arbitrary: fc.constant<Identity>('anonymous'), weight: ending ? 3 : 1 },
  );
  const base = fc.record({
    identity,
    path: validPath,
    query: validQuery,
    headers: validHeaders,
    body: validBody,
  });

  const validRequest = base.map(
    (r): FuzzRequest => ({
      op,
      identity: r.identity,
      path: fill(op.path, r.path as Record<string, string>),
      query: Object.entries(r.query).map(([k, v]) => [k, String(v)] as const),
      headers: stringHeaders(r.headers, r.body),
      ...(r.body === undefined ? {} : { body: r.body }),
      mutated: false,
    }),
  );

  const mutation = mutationOf(op, validBody);

  const mutatedRequest = fc.tuple(base, mutation).map(([r, m]): FuzzRequest => {
    const pathValues: Record<string, string> = {
      ...(r.path as Record<string, string>),
      ...('pathValue' in m ? (m.pathValue as Record<string, string>) : {}),
    };
    const query = Object.entries(r.query).map(([k, v]) => [k, String(v)] as [string, string]);
    if ('queryValue' in m) {
      const [name, value, repeat] = m.queryValue;
      if (repeat) query.push([name, value], [name, value]);
      else query.push([name, value]);
    }
    const body = 'raw' in m ? m.raw : r.body;
    const headers = {
      ...stringHeaders(r.headers, body),
      ...('header' in m ? { [m.header[0]]: m.header[1] } : {}),
      ...('contentType' in m ? { 'content-type': m.contentType } : {}),
    };
    return {
      op,
      identity: r.identity,
      ...('badToken' in m ? { badToken: m.badToken } : {}),
      path: fill(op.path, pathValues),
      query,
      headers,
      ...(body === undefined ? {} : { body }),
      mutated: true,
    };
  });
  return fc.oneof(validRequest, mutatedRequest);
}

function stringHeaders(headers: Record<string, unknown>, body: FuzzRequest['body']): Record<string, string> {
  return {
    ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])),
    ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}),
  };
}

/** Every operation of the document, by operationId. */
export const operationIds = (doc: OpenApiDocument): string[] =>
  Object.values<Record<string, { operationId: string }>>(doc.paths).flatMap((item) =>
    Object.values(item).map((op) => op.operationId),
  );
