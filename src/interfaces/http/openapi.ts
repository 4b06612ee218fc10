import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Scope } from '../../application/ports/token-service.port.js';
import { PROBLEM_STATUS, type ProblemCode, problemType } from './problem.js';

extendZodWithOpenApi(z);

export const problemSchema = z
  .object({
    type: z.string().openapi({ example: '/problems/validation-failed' }),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .catchall(z.unknown())
  .openapi('Problem');

/** A decimal string in major units with exactly the currency's decimals. */
export const moneyOut = z.string().openapi({ example: '12.50' });

/** A success response that is not a zod-described JSON body. */
export interface RawContent {
  readonly contentType: string;
  readonly description: string;
  /** A JSON Schema for the body (default: a string). */
  readonly schema?: Record<string, unknown>;
}

export interface EndpointDoc {
  readonly method: 'get' | 'post' | 'put' | 'delete';
  /** Express-style path with the mount prefix, e.g. `/api/budget/plan/:month`. */
  readonly path: string;
  readonly summary: string;
  /** The scope a Bearer token needs; `token`: any valid access token; absent: public. */
  readonly scope?: Scope | 'token';
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  /** A request body other than JSON: media type → JSON Schema. */
  readonly rawBody?: Readonly<Record<string, Record<string, unknown>>>;
  readonly headers?: z.ZodObject;
  /**
   * The problems this route raises itself (use case rejections, route checks). Those every route of a
   * kind raises (validation, auth, rate limit, body parsing, dependencies) are added by `commonErrors`.
   * Each is documented under the status PROBLEM_STATUS gives it: the one table the handlers answer with.
   */
  readonly errors?: readonly ProblemCode[];
  /** Success responses: status → schema (undefined: no body), or a non-JSON content type. */
  readonly responses: Readonly<Record<number, z.ZodType | RawContent | undefined>>;
  /** Response headers of the success responses (e.g. ETag). */
  readonly responseHeaders?: Readonly<Record<string, { description: string }>>;
}

const TAGS: Readonly<Record<string, string>> = {
  operations: 'Health, metrics and this document',
  auth: 'Accounts and sessions',
  users: 'Profile and preferences',
  budget: 'Plans, daily and monthly budgets, adjustments, what-if',
  calendar: "A month's days at a glance",
  plan: 'Suggested and current plans',
  transactions: 'Expenses: record, list, amend, void, import, export',
  expense: 'Quick entry',
  tasks: 'Background tasks',
  analytics: 'Spending dashboard and trends',
  audit: 'The event history, its hash chains and the security log',
  ocr: 'Receipts read by OCR into suggested expenses',
  notifications: 'Notifications, push devices and their settings',
  health: 'Outside integrations',
  rules: 'Categorization rules, written or learned from corrections',
  ai: 'Categorization on demand; insights, advice and forecasts with an optional narrative',
  behavior: 'Spending patterns',
  drift: 'Category drift against previous months',
  goals: 'Savings goals, contributions from a month, and the goal planner',
  financial: 'The financial health score',
  habits: 'Habits and check-ins',
  mood: 'Mood and how it relates to spending',
};

/** `get /api/transactions/:id` → `getTransactionsById`: stable, derived from what the route is. */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .replace(/^\/api\//, '/')
    .split('/')
    .filter(Boolean)
    .flatMap((segment) => (segment.startsWith(':') ? ['by', segment.slice(1)] : segment.split(/[-._]/)));
  return [method, ...words].map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('');
}

const tagOf = (path: string): string => /^\/api\/([a-z]+)/.exec(path)?.[1] ?? 'operations';

/** The problems a route raises by what it is: its inputs, its authentication and its dependencies. */
export function commonErrors(e: EndpointDoc): ProblemCode[] {
  const codes: ProblemCode[] = [];
  const consistency =
    (e.query && 'consistency' in e.query.shape) || (e.headers && 'daybook-consistency' in e.headers.shape);
  if (e.params || e.query || e.headers || e.body || e.rawBody) codes.push('validation-failed');
  if (e.params) codes.push('bad-request'); // a path segment that is not valid percent-encoding
  if (consistency) codes.push('invalid-position', 'invalid-consistency');
  // The JSON body parser reads the body of any request that has one, whatever the route takes.
  if (e.method !== 'get')
    codes.push('malformed-json', 'bad-request', 'payload-too-large', 'unsupported-media-type');
  if (e.headers && 'idempotency-key' in e.headers.shape) {
    codes.push('invalid-idempotency-key', 'idempotency-key-reused', 'idempotency-key-in-flight');
  }
  // A request racing the erasure of its own user finds it gone.
  if (e.scope) codes.push('unauthorized', 'user-erased', 'user-not-found');
  // Every write decides on a stream with optimistic concurrency; a conflict that outlasts the retries.
  if (e.scope && e.method !== 'get') codes.push('version-conflict');
  // Any command on a month stream meets its event limit (MAX_EVENTS_PER_MONTH) once the month is full.
  if ((e.scope === 'write:transactions' || e.scope === 'manage:budget') && e.method !== 'get')
    codes.push('month-full');
  if (e.scope && e.scope !== 'token') codes.push('insufficient-scope');
  if (e.path.startsWith('/api/')) {
    codes.push('rate-limited', 'auth-store-unavailable', 'database-unavailable', 'store-unavailable');
  }
  return codes;
}

/** Every problem an endpoint can answer with: its own and those of its kind. */
export const declaredErrors = (e: EndpointDoc): ProblemCode[] => [
  ...new Set([...commonErrors(e), ...(e.errors ?? [])]),
];

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'string' } } };

/** One response per status: a problem whose `type` and `code` are the declared ones, one example each. */
function problemResponses(codes: readonly ProblemCode[]): Record<string, unknown> {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of codes) {
    const status = PROBLEM_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: `Problem: ${group.map((code) => `\`${problemType(code)}\``).join(', ')}`,
      ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
      content: {
        'application/problem+json': {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/Problem' },
              {
                type: 'object',
                properties: {
                  type: { type: 'string', enum: group.map(problemType) },
                  code: { type: 'string', enum: group },
                  status: { type: 'integer', const: status },
                },
              },
            ],
          },
          examples: Object.fromEntries(
            group.map((code) => [
              code,
              { value: { type: problemType(code), title: code, status, code, detail: `A ${code} problem` } },
            ]),
          ),
        },
      },
    };
  }
  return responses;
}

function successResponses(e: EndpointDoc): Record<string, unknown> {
  const headers = e.responseHeaders
    ? Object.fromEntries(
        Object.entries(e.responseHeaders).map(([name, h]) => [
          name,
          { description: h.description, schema: { type: 'string' } },
        ]),
      )
    : undefined;
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(e.responses)) {
    const common = { ...(headers ? { headers } : {}) };
    if (schema === undefined) responses[status] = { description: 'Done', ...common };
    else if ('contentType' in schema)
      responses[status] = {
        description: schema.description,
        ...common,
        content: { [schema.contentType]: { schema: schema.schema ?? { type: 'string' } } },
      };
    else
      responses[status] = {
        description: Number(status) < 400 ? 'Success' : 'See the body',
        ...common,
        content: { 'application/json': { schema } },
      };
  }
  return responses;
}

/** Collects every endpoint's request and response schemas; `document()` renders OpenAPI 3.1. */
export class ApiDocs {
  private readonly registry = new OpenAPIRegistry();
  readonly endpoints: EndpointDoc[] = [];

  constructor() {
    this.registry.register('Problem', problemSchema);
    this.registry.registerComponent('securitySchemes', 'bearer', {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'An access token from /api/auth/register, /login or /refresh',
    });
  }

  add(...endpoints: EndpointDoc[]): this {
    for (const e of endpoints) {
      this.endpoints.push(e);
      const body = e.body
        ? { required: true, content: { 'application/json': { schema: e.body } } }
        : e.rawBody
          ? {
              required: true,
              content: Object.fromEntries(
                Object.entries(e.rawBody).map(([type, schema]) => [type, { schema }]),
              ),
            }
          : undefined;
      this.registry.registerPath({
        method: e.method,
        path: e.path.replace(/:(\w+)/g, '{$1}'),
        operationId: operationIdOf(e.method, e.path),
        tags: [tagOf(e.path)],
        summary: e.summary,
        // Roles name the scope the token needs (OpenAPI 3.1 allows roles for http schemes).
        security: e.scope ? [{ bearer: e.scope === 'token' ? [] : [e.scope] }] : [],
        request: {
          ...(e.params ? { params: e.params } : {}),
          ...(e.query ? { query: e.query } : {}),
          ...(e.headers ? { headers: e.headers } : {}),
          ...(body ? { body } : {}),
        },
        responses: { ...successResponses(e), ...problemResponses(declaredErrors(e)) } as never,
      });
    }
    return this;
  }

  document() {
    return new OpenApiGeneratorV31(this.registry.definitions).generateDocument({
      openapi: '3.1.0',
      info: {
        title: 'Daybook API',
        version: '1',
        description:
          'Event-sourced daily budgeting. Amounts are decimal strings in major units. Errors are RFC 9457 problem+json. ' +
          'Writes return a `position`; pass it as `?after=` to read your own writes.',
      },
      servers: [{ url: '/', description: 'This server' }],
      tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    });
  }
}
