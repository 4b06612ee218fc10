import pg from 'pg';
import type { Logger } from '../logging/logger.js';
import { dependencyErrors } from '../system/operational-metrics.js';
import { classifyDatabaseError } from './connection-failure.js';

type Callback = (error: Error | undefined, ...rest: unknown[]) => void;

/** Runs pg's method, turning connection-class failures into DependencyUnavailableError in both call styles. */
function classified(args: unknown[], call: (args: unknown[]) => unknown): unknown {
  const last = args[args.length - 1];
  if (typeof last === 'function') {
    const callback = last as Callback;
    const wrapped: Callback = (error, ...rest) =>
      callback(error ? (classifyDatabaseError(error) as Error) : error, ...rest);
    return call([...args.slice(0, -1), wrapped]);
  }
  const result = call(args);
  return result instanceof Promise
    ? result.catch((error) => Promise.reject(classifyDatabaseError(error)))
    : result;
}

// pg's query and connect have many overloads; both subclasses keep every one of them by passing the
// arguments through untouched.
class ClassifyingClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: forwards every overload of pg's Client#query
  override query(...args: any[]): any {
    // biome-ignore lint/suspicious/noExplicitAny: see above
    return classified(args, (a) => (super.query as (...x: any[]) => unknown)(...a));
  }
}

class ClassifyingPool extends pg.Pool {
  // biome-ignore lint/suspicious/noExplicitAny: forwards every overload of pg's Pool#connect
  override connect(...args: any[]): any {
    // biome-ignore lint/suspicious/noExplicitAny: see above
    return classified(args, (a) => (super.connect as (...x: any[]) => unknown)(...a));
  }
}

export interface PoolSettings {
  readonly connectionString: string;
  readonly max: number;
  /** Longest wait for a connection (a new one, or a free slot) before the caller gets a 503. */
  readonly connectTimeoutMs: number;
}

/**
 * The process's PostgreSQL pool. A lost or refused connection surfaces as DependencyUnavailableError
 * (503 at the edge) and never kills the process: the pool and every client it opens have an 'error'
 * listener, including clients that are checked out when the server goes away (pg emits 'error' on them
 * even while a query is failing, and an unheard 'error' event is fatal). The pool opens fresh
 * connections on demand, so it recovers by itself once the server is back.
 */
export function createPool(settings: PoolSettings, logger: Logger): pg.Pool {
  const pool = new ClassifyingPool({
    connectionString: settings.connectionString,
    max: settings.max,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    keepAlive: true,
    Client: ClassifyingClient,
  });
  // Counted by the client listener below, which hears the same failure.
  pool.on('error', (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed'));
  pool.on('connect', (client) => {
    // The owner of a checked-out client sees the failure on its query; this only keeps the event heard.
    client.on('error', (error) => {
      dependencyErrors.inc({ dependency: 'postgresql' });
      logger.debug({ err: error }, 'PostgreSQL connection lost');
    });
  });
  return pool;
}
