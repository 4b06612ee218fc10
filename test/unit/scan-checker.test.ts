import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ScanChecker } from '../../src/application/audit/scan-checker.js';
import { StreamChecker } from '../../src/application/audit/stream-checker.js';
import { chainEvents } from '../../src/application/event-store/hash-chain.js';
import type { ScannedEvent } from '../../src/application/ports/audit-log.port.js';

const stream = 'budget-x';
const chained = chainEvents(
  stream,
  0n,
  '',
  [0, 1, 2, 3].map((n) => ({
    id: randomUUID(),
    type: 'Noted',
    data: { n, note: `event ${n}` },
    metadata: { correlationId: randomUUID(), occurredAt: '2024-01-01T00:00:00.000Z', schemaVersion: 1 },
  })),
);
const last = chained[chained.length - 1];
const head = { stream, revision: 3n, lastHash: last?.event.metadata.hash ?? '' };
/** As the scan hands them out: data as jsonb's text (", " and ": "). */
const scanned: ScannedEvent[] = chained.map(({ event, revision }) => ({
  head,
  revision: Number(revision),
  id: event.id,
  type: event.type,
  data: Buffer.from(JSON.stringify(event.data).replaceAll(',"', ', "').replaceAll('":', '": ')),
  metadata: event.metadata,
}));

function check(order: readonly number[]) {
  const checker = new ScanChecker(new StreamChecker(head));
  for (const i of order) checker.offer(scanned[i] as ScannedEvent);
  return checker.end();
}

describe('a stream checked from a scan in $all order', () => {
  it('verifies a chain whose events come out of revision order', () => {
    expect(check([0, 1, 2, 3])).toEqual({ events: 4 });
    expect(check([0, 2, 1, 3])).toEqual({ events: 4 });
    expect(check([3, 2, 1, 0])).toEqual({ events: 4 });
  });

  it('breaks at the event after a removed one, as a scan in revision order does', () => {
    expect(check([0, 2, 3]).broken).toMatchObject({ revision: 2n, reason: 'prev-hash-mismatch' });
    expect(check([1, 2, 3]).broken).toMatchObject({ revision: 1n, reason: 'prev-hash-mismatch' });
    expect(check([0, 1, 2]).broken).toMatchObject({ revision: 3n, reason: 'head-mismatch' });
  });

  it('hashes data the byte rewrite declines as the parsed value, at every size', () => {
    // A non-ASCII key is left to JSON.parse; sizes growing by half each time outgrow the hash's buffer
    // on the way, whatever its size.
    const sizes = Array.from({ length: 20 }, (_, k) => Math.round(1000 * 1.5 ** k));
    const events = chainEvents(
      'budget-y',
      0n,
      '',
      sizes.map((size) => ({
        id: randomUUID(),
        type: 'Noted',
        data: { clé: 'x'.repeat(size), n: 1 },
        metadata: { correlationId: randomUUID(), occurredAt: '2024-01-01T00:00:00.000Z', schemaVersion: 1 },
      })),
    );
    const bigHead = {
      stream: 'budget-y',
      revision: BigInt(sizes.length - 1),
      lastHash: events[sizes.length - 1]?.event.metadata.hash ?? '',
    };
    const checker = new ScanChecker(new StreamChecker(bigHead));
    for (const { event, revision } of events)
      checker.offer({
        head: bigHead,
        revision: Number(revision),
        id: event.id,
        type: event.type,
        data: Buffer.from(JSON.stringify(event.data).replaceAll(',"', ', "').replaceAll('":', '": ')),
        metadata: event.metadata,
      });
    expect(checker.end()).toEqual({ events: sizes.length });
  });
});
