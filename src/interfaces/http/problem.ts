import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import { DependencyUnavailableError } from '../../application/ports/dependency-unavailable.js';
import {
  EventStoreUnavailableError,
  WrongExpectedVersionError,
} from '../../application/ports/event-store.port.js';
import { SubjectErasedError } from '../../application/ports/subject-key-store.port.js';
import { TokenStoreUnavailableError } from '../../application/ports/token-store.port.js';
import { DomainError, type DomainErrorCode } from '../../domain/shared/domain-error.js';

/** RFC 9457 problem details. `type` is stable per error code: clients switch on it. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly code: string;
  readonly errors?: readonly { field: string; message: string }[];
  readonly [extension: string]: unknown;
}

export class HttpProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

export const problemType = (code: string) => `/problems/${code}`;

/** The one table from a domain error code to its HTTP status (responses and the OpenAPI document). */
export const DOMAIN_STATUS = {
  'invalid-money': 400,
  'invalid-date': 400,
  'invalid-month': 400,
  'invalid-category': 400,
  'unsupported-currency': 400,
  'weak-password': 400,
  'invalid-profile': 400,
  'currency-mismatch': 422,
  'invalid-plan': 422,
  'plan-exceeds-income': 422,
  'date-outside-month': 422,
  'unknown-category': 422,
  'invalid-amount': 422,
  'invalid-expense': 422,
  'plan-below-allocated': 422,
  'too-many-categories': 422,
  'month-full': 422,
  'transaction-in-other-month': 409,
  'month-not-planned': 409,
  'transaction-id-conflict': 409,
  'transaction-voided': 409,
  'user-already-registered': 409,
  'email-taken': 409,
  'transaction-not-found': 404,
  'user-not-found': 404,
  'invalid-credentials': 401,
  'invalid-refresh-token': 401,
  'refresh-token-reused': 401,
  'too-many-attempts': 429,
  'user-erased': 410,
  'unknown-algorithm': 422,
  'insufficient-allocation': 422,
  'invalid-adjustment': 422,
  'invalid-receipt': 422,
  'receipt-not-found': 404,
  'receipt-not-ready': 409,
  'receipt-confirmed': 409,
  'invalid-rule': 422,
  'rule-not-found': 404,
  'goal-not-found': 404,
  'goal-id-conflict': 409,
  'contribution-id-conflict': 409,
  'goal-closed': 409,
  'invalid-goal': 422,
  'insufficient-savings': 422,
  'invalid-goal-plan': 422,
  'recurring-not-found': 404,
  'invalid-recurring': 422,
  'habit-not-found': 404,
  'invalid-habit': 422,
} as const satisfies Record<DomainErrorCode, number>;

/** Problems raised by the HTTP layer itself (parsing, auth, limits, dependencies), and their statuses. */
const HTTP_STATUS = {
  'validation-failed': 400,
  'malformed-json': 400,
  'bad-request': 400,
  'invalid-position': 400,
  'invalid-consistency': 400,
  'invalid-idempotency-key': 400,
  'invalid-if-match': 400,
  'invalid-upload': 400,
  unauthorized: 401,
  'insufficient-scope': 403,
  'not-found': 404,
  'task-not-found': 404,
  'version-conflict': 409,
  'idempotency-key-in-flight': 409,
  'precondition-failed': 412,
  'payload-too-large': 413,
  'file-too-large': 413,
  'unsupported-media-type': 415,
  'bulk-rejected': 422,
  'idempotency-key-reused': 422,
  'invalid-csv': 422,
  'invalid-mapping': 422,
  'empty-file': 422,
  'too-many-rows': 422,
  'rate-limited': 429,
  'internal-error': 500,
  'auth-store-unavailable': 503,
  'database-unavailable': 503,
  'store-unavailable': 503,
} as const;

/**
 * Every problem code the API answers with and its status: what the handlers raise (`problem` takes the
 * status this table gives the code, checked by the compiler) and what the OpenAPI document declares.
 */
export const PROBLEM_STATUS = { ...DOMAIN_STATUS, ...HTTP_STATUS } as const;
export type ProblemCode = keyof typeof PROBLEM_STATUS;

export const problem = <C extends ProblemCode>(
  status: (typeof PROBLEM_STATUS)[C],
  code: C,
  title: string,
  extra: Partial<Problem> = {},
): HttpProblem => new HttpProblem({ ...extra, type: problemType(code), title, status, code });

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition failed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  503: 'Service unavailable',
};

export function validationProblem(
  error: z.ZodError,
  where: 'body' | 'query' | 'path' | 'header',
): HttpProblem {
  return problem(400, 'validation-failed', 'The request is not valid', {
    detail: `Invalid ${where}`,
    errors: error.issues.slice(0, 50).map((issue) => ({
      field: [where, ...issue.path.map(String)].join('.'),
      message: issue.message,
    })),
  });
}

export function toProblem(error: unknown): Problem | undefined {
  if (error instanceof HttpProblem) return error.problem;
  if (error instanceof DomainError) {
    const status = DOMAIN_STATUS[error.code];
    return {
      // Details first: a detail named like a member of the problem must never replace it.
      ...error.details,
      type: problemType(error.code),
      title: TITLES[status] ?? 'Error',
      status,
      code: error.code,
      detail: error.message,
    };
  }
  if (error instanceof WrongExpectedVersionError) {
    return {
      type: problemType('version-conflict'),
      title: 'Conflict',
      status: 409,
      code: 'version-conflict',
      detail: 'The resource changed since you read it; read it again and retry',
    };
  }
  if (error instanceof TokenStoreUnavailableError) {
    return {
      type: problemType('auth-store-unavailable'),
      title: TITLES[503] as string,
      status: 503,
      code: 'auth-store-unavailable',
      detail: 'Sessions cannot be checked right now; retry shortly',
    };
  }
  if (error instanceof DependencyUnavailableError) {
    return {
      type: problemType(`${error.dependency}-unavailable`),
      title: TITLES[503] as string,
      status: 503,
      code: `${error.dependency}-unavailable`,
      detail: 'The database is unreachable; retry shortly',
    };
  }
  if (error instanceof SubjectErasedError) {
    return {
      type: problemType('user-erased'),
      title: 'Gone',
      status: 410,
      code: 'user-erased',
      detail: 'This user was erased',
    };
  }
  if (error instanceof EventStoreUnavailableError) {
    return {
      type: problemType('store-unavailable'),
      title: TITLES[503] as string,
      status: 503,
      code: 'store-unavailable',
      detail: 'The event store is unreachable; retry shortly',
    };
  }
  const bodyParser = error as { type?: string; status?: number; expose?: boolean };
  // Body parser errors are exposed; a path segment that is not valid percent-encoding is a URIError.
  const code = bodyParser.expose || error instanceof URIError ? requestErrorCode(bodyParser) : undefined;
  if (code && typeof bodyParser.status === 'number') {
    return {
      type: problemType(code),
      title: TITLES[bodyParser.status] ?? 'Bad request',
      status: bodyParser.status,
      code,
      detail: (error as Error).message,
    };
  }
  return undefined;
}

/**
 * The code of a client error raised while reading the request (body parser, path decoding): one per
 * status, so the document can declare them; anything else is not a client error.
 */
function requestErrorCode({ type, status }: { type?: string; status?: number }): ProblemCode | undefined {
  if (status === 400) return type === 'entity.parse.failed' ? 'malformed-json' : 'bad-request';
  if (status === 413) return 'payload-too-large';
  if (status === 415) return 'unsupported-media-type';
  return undefined;
}

export function sendProblem(res: Response, problemDetails: Problem): void {
  if (problemDetails.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  if (problemDetails.status === 503) res.setHeader('Retry-After', '5');
  res
    .status(problemDetails.status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        ...problemDetails,
        instance: res.req.originalUrl.slice(0, 200),
        // A string, as documented, whatever generated the id.
        ...(res.req.id === undefined ? {} : { requestId: String(res.req.id) }),
      }),
    );
}

/** The last middleware: expected errors become problems; anything else is a bug, logged and a 500. */
export function errorHandler(error: unknown, req: Request, res: Response, _next: NextFunction): void {
  const mapped = toProblem(error);
  if (mapped) {
    sendProblem(res, mapped);
    return;
  }
  req.log.error({ err: error }, 'unhandled error');
  sendProblem(res, {
    type: problemType('internal-error'),
    title: 'Internal server error',
    status: 500,
    code: 'internal-error',
    detail: 'An unexpected error occurred; it has been logged',
  });
}
