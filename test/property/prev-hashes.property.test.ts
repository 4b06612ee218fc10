import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PrevHashes } from '../../src/infrastructure/event-store/event-row.js';
import '../support/fast-check.js';

/** Events of a few streams, each with its revision and hash; `prevHash` is the previous one's hash. */
const log = fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 6 }).map((lengths) =>
  lengths.flatMap((length, stream) =>
    Array.from({ length }, (_, revision) => ({
      stream,
      revision,
      hash: `h${stream}.${revision}`,
      prevHash: revision === 0 ? '' : `h${stream}.${revision - 1}`,
    })),
  ),
);

describe('prevHash left out where a reader derives it (migration 018)', () => {
  it('is derived, in any $all order, exactly for the events whose predecessor came before them', () => {
    fc.assert(
      fc.property(
        log.chain((events) => fc.shuffledSubarray(events, { minLength: events.length })),
        (order) => {
          // The writer leaves prevHash out when the predecessor is already in $all (as the SQL checks).
          const written = new Set<string>();
          const leftOut = order.map((e) => {
            const derivable = e.revision === 0 || written.has(`h${e.stream}.${e.revision - 1}`);
            written.add(e.hash);
            return derivable;
          });
          // A bulk writer deciding in the same order, and a reader scanning it, agree with it.
          const writer = new PrevHashes();
          const reader = new PrevHashes();
          order.forEach((e, i) => {
            expect(writer.derivable(e.stream, e.revision) === e.prevHash).toBe(leftOut[i]);
            writer.seen(e.stream, e.revision, e.hash);
            if (leftOut[i]) expect(reader.derivable(e.stream, e.revision)).toBe(e.prevHash);
            reader.seen(e.stream, e.revision, e.hash);
          });
        },
      ),
    );
  });
});
