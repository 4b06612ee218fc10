import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Scope } from '../../application/ports/token-service.port.js';
import type { DomainErrorCode } from '../../domain/shared/domain-error.js';
import { DOMAIN_STATUS, problemType } from './problem.js';

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

export interface EndpointDoc {
  readonly method: 'get' | 'post' | 'put' | 'delete';
  /** Express-style path with the mount prefix, e.g. `/api/budget/plan/:month`. */
  readonly path: string;
  readonly summary: string;
  readonly scope?: Scope;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly headers?: z.ZodObject;
  /** Domain rejections the endpoint can answer with; documented under their status (see DOMAIN_STATUS). */
  readonly errors?: readonly DomainErrorCode[];
  /** Success responses: status → schema (undefined: no body), or a non-JSON content type. */
  readonly responses: Readonly<
    Record<number, z.ZodType | { contentType: string; description: string } | undefined>
  >;
}

/** Collects every endpoint's request and response schemas; `document()` renders OpenAPI 3. */
export class ApiDocs {
  private readonly registry = new OpenAPIRegistry();
  readonly endpoints: EndpointDoc[] = [];

  constructor() {
    this.registry.register('Problem', problemSchema);
    this.registry.registerComponent('securitySchemes', 'bearer', {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
  }

  add(...endpoints: EndpointDoc[]): this {
    for (const e of endpoints) {
      this.endpoints.push(e);
      const problem = (description: string) => ({
        description,
        content: { 'application/problem+json': { schema: problemSchema } },
      });
      const responses: Record<string, unknown> = {};
      for (const [status, schema] of Object.entries(e.responses)) {
        if (schema === undefined) responses[status] = { description: 'Done' };
        else if ('contentType' in schema)
          responses[status] = {
            description: schema.description,
            content: { [schema.contentType]: { schema: { type: 'string' } } },
          };
        else responses[status] = { description: 'Success', content: { 'application/json': { schema } } };
      }
      responses['400'] = problem('Invalid request (the fields are listed)');
      if (e.scope) {
        responses['401'] = problem('Missing, invalid, expired or revoked access token');
        responses['403'] = problem(`The token lacks the ${e.scope} scope`);
      }
      responses['429'] = problem('Rate limit exceeded; see Retry-After');
      for (const [status, codes] of byStatus(e.errors ?? [])) {
        const types = codes.map((code) => `\`${problemType(code)}\``).join(', ');
        responses[status] = problem(status === '400' ? `Invalid request, or ${types}` : `Problem ${types}`);
      }
      this.registry.registerPath({
        method: e.method,
        path: e.path.replace(/:(\w+)/g, '{$1}'),
        summary: e.summary,
        ...(e.scope ? { security: [{ bearer: [e.scope] }] } : {}),
        request: {
          ...(e.params ? { params: e.params } : {}),
          ...(e.query ? { query: e.query } : {}),
          ...(e.headers ? { headers: e.headers } : {}),
          ...(e.body ? { body: { content: { 'application/json': { schema: e.body } } } } : {}),
        },
        responses: responses as never,
      });
    }
    return this;
  }

  document() {
    return new OpenApiGeneratorV3(this.registry.definitions).generateDocument({
      openapi: '3.0.3',
      info: {
        title: 'Daybook API',
        version: '1',
        description:
          'Event-sourced daily budgeting. Amounts are decimal strings in major units. Errors are RFC 9457 problem+json. ' +
          'Writes return a `position`; pass it as `?after=` to read your own writes.',
      },
    });
  }
}

/** Domain error codes grouped by the HTTP status they answer with. */
function byStatus(codes: readonly DomainErrorCode[]): Map<string, DomainErrorCode[]> {
  const groups = new Map<string, DomainErrorCode[]>();
  for (const code of codes) {
    const status = String(DOMAIN_STATUS[code]);
    groups.set(status, [...(groups.get(status) ?? []), code]);
  }
  return groups;
}
