import { type ExpectedVersion, WrongExpectedVersionError } from '../../application/ports/event-store.port.js';

/** Throws WrongExpectedVersionError unless the stream's current revision satisfies `expected`. */
export function checkExpectedVersion(
  stream: string,
  expected: ExpectedVersion,
  current: bigint | 'no-stream',
): void {
  const ok =
    expected === 'any' ||
    (expected === 'no-stream' && current === 'no-stream') ||
    (expected === 'stream-exists' && current !== 'no-stream') ||
    (typeof expected === 'bigint' && current === expected);
  if (!ok) throw new WrongExpectedVersionError(stream, expected, current);
}
