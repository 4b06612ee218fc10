import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { apiDocs } from '../../src/interfaces/http/api-docs.js';

/** The OpenAPI document as the server serves it (generated in-process: the same code builds both). */
// biome-ignore lint/suspicious/noExplicitAny: a JSON document walked by key
export type OpenApiDocument = any;

export interface Operation {
  readonly method: string;
  /** OpenAPI path template, e.g. `/api/transactions/{id}`. */
  readonly path: string;
  readonly operationId: string;
  // biome-ignore lint/suspicious/noExplicitAny: an OpenAPI operation object
  readonly spec: any;
  readonly pattern: RegExp;
}

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, unknown>>(doc.paths)) {
    for (const method of ['get', 'post', 'put', 'delete']) {
      // biome-ignore lint/suspicious/noExplicitAny: an OpenAPI operation object
      const spec = item[method] as any;
      if (!spec) continue;
      const pattern = new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+').replaceAll('.', '\\.')}$`);
      operations.push({ method: method.toUpperCase(), path, operationId: spec.operationId, spec, pattern });
    }
  }
  return operations;
}

/**
 * Checks responses against the document with a third-party JSON Schema validator (Ajv, draft 2020-12
 * as OpenAPI 3.1 uses): the status must be declared for the operation, an error must be problem+json,
 * and a body must match the documented schema of its status and media type.
 */
export class ContractChecker {
  readonly operations: Operation[];
  private readonly ajv = new Ajv2020({ strict: false, allErrors: false, unicodeRegExp: true });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(readonly doc: OpenApiDocument) {
    addFormats.default(this.ajv);
    this.ajv.addSchema({ $id: 'openapi:components', components: doc.components });
    this.operations = operationsOf(doc);
  }

  /** The operation a request goes to, by method and concrete path (literal paths before templated ones). */
  find(method: string, path: string): Operation | undefined {
    const pathname = path.split('?')[0] as string;
    const matching = this.operations.filter(
      (op) => op.method === method.toUpperCase() && op.pattern.test(pathname),
    );
    return matching.find((op) => !op.path.includes('{')) ?? matching[0];
  }

  /** What is wrong with a response, or undefined when it is as documented. */
  check(
    op: Operation,
    response: { status: number; contentType: string | null; body: unknown },
  ): string | undefined {
    const where = `${op.method} ${op.path} → ${response.status}`;
    const declared = op.spec.responses[String(response.status)];
    if (!declared) return `${where}: status not declared (${JSON.stringify(response.body).slice(0, 300)})`;
    const mediaType = (response.contentType ?? '').split(';')[0]?.trim() ?? '';
    // Errors are problem+json, unless the document says otherwise (a health report's 503).
    if (response.status >= 400 && !declared.content?.[mediaType]) {
      return `${where}: an error answered as ${mediaType || 'no content type'}`;
    }
    if (!declared.content) {
      return mediaType && response.body !== '' ? `${where}: a body where none is declared` : undefined;
    }
    const media = declared.content[mediaType];
    if (!media) return `${where}: ${mediaType || 'no content type'} is not a declared media type`;
    if (!mediaType.endsWith('json')) return undefined;
    const key = `${op.method} ${op.path} ${response.status} ${mediaType}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(withComponentRefs(media.schema));
      this.compiled.set(key, validate);
    }
    if (validate(response.body)) return undefined;
    return `${where}: body does not match the documented schema: ${this.ajv.errorsText(validate.errors)} in ${JSON.stringify(response.body).slice(0, 300)}`;
  }
}

/** `#/components/...` refs point into the document: resolve them against the registered components. */
function withComponentRefs(schema: unknown): object {
  return JSON.parse(
    JSON.stringify(schema ?? {}).replaceAll('"#/components/', '"openapi:components#/components/'),
  );
}

let shared: ContractChecker | undefined;

/** One checker per test worker for the document the server serves. */
export function contract(): ContractChecker {
  shared ??= new ContractChecker(JSON.parse(JSON.stringify(apiDocs().document())));
  return shared;
}
