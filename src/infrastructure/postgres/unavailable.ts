import { EventStoreUnavailableError } from '../../application/ports/event-store.port.js';

/** Socket errors that say the server is not reachable now, not that the request was wrong. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/**
 * SQLSTATEs worth waiting out: class 08 (connection exception), 57P01-57P03 (administrator shutdown,
 * crash shutdown, cannot connect now), 53300 (too many connections), class 40 (serialization failure,
 * deadlock: the same work succeeds when run again).
 */
const TRANSIENT_SQLSTATE = /^(08...|57P0[123]|53300|40...)$/;
/** pg reports a lost connection or an exhausted pool with these messages and no code. */
const TRANSIENT_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection closed/i;

/**
 * True when the failure is the database (or event store) being unavailable for a while: a follower must
 * then pause and resume from its checkpoint, never blame (and park) the event it was applying.
 */
export function isUnavailable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 5; depth += 1) {
    if (cause instanceof EventStoreUnavailableError) return true;
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || TRANSIENT_SQLSTATE.test(code))) return true;
    if (typeof message === 'string' && TRANSIENT_MESSAGE.test(message)) return true;
    if (cause instanceof AggregateError && cause.errors.some(isUnavailable)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
