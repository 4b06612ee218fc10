/**
 * A dependency the request needs (the database) cannot be reached right now: the caller should retry
 * later, so it answers 503 with Retry-After, never a 500. Adapters raise it for connection-class failures
 * only; a constraint violation or a bad query is still a bug or a domain answer.
 */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: 'database',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DependencyUnavailableError';
  }
}
