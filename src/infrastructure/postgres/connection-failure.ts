import { DependencyUnavailableError } from '../../application/ports/dependency-unavailable.js';

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
// admin_shutdown, crash_shutdown, cannot_connect_now (starting up / shutting down), too_many_connections.
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
// What pg and pg-pool say when the socket is gone or never came, without a code.
const MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /is not queryable/,
  /^Client was closed/,
];

/** True when the error says the server is unreachable or going away, not that the statement was wrong. */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof DependencyUnavailableError) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || SERVER_CODES.has(code) || /^08/.test(code)))
    return true;
  if (error instanceof AggregateError) return error.errors.some(isConnectionFailure);
  return MESSAGES.some((pattern) => pattern.test(error.message));
}

/** Connection-class failures become the typed unavailable error; anything else passes unchanged. */
export function classifyDatabaseError(error: unknown): unknown {
  if (error instanceof DependencyUnavailableError || !isConnectionFailure(error)) return error;
  return new DependencyUnavailableError('database', `PostgreSQL unreachable: ${(error as Error).message}`, {
    cause: error,
  });
}
