import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactJsonb } from '../../src/application/audit/compact-json.js';
import { canonicalJson } from '../../src/application/event-store/hash-chain.js';
import { canonicalJsonBytes } from '../../src/application/event-store/json-bytes.js';
import type { JsonValue } from '../../src/application/ports/event-store.port.js';
import { numRuns } from '../support/fast-check.js';
import { testDatabase } from '../support/postgres.js';

/**
 * The whole-log scans rewrite each event's data from jsonb's text instead of parsing it: the export
 * compacts it (`compactJsonb`, for JSON.stringify(JSON.parse(text))) and verification makes it
 * canonical (`canonicalJsonBytes`, for canonicalJson(JSON.parse(text))). Whatever PostgreSQL's jsonb
 * gives back, each rewrite is the same bytes, or the function says it cannot tell (-1) and the caller
 * parses.
 */
const db = await testDatabase({ migrate: false });
/** The seed, printed so that a run can be replayed (FC_SEED=<seed>). */
const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);

/** What jsonb gives back for each JSON text. */
async function viaJsonb(texts: readonly string[]): Promise<string[]> {
  const { rows } = await db.pool.query<{ t: string }>(
    'SELECT t::jsonb::text AS t FROM unnest($1::text[]) WITH ORDINALITY AS u(t, i) ORDER BY i',
    [texts],
  );
  return rows.map((row) => row.t);
}

/** The rewrite of `text` (written at an offset, as callers do), or undefined where it declines. */
function rewritten(
  rewrite: (text: Uint8Array, out: Uint8Array, at: number) => number,
  text: string,
): string | undefined {
  const bytes = Buffer.from(text);
  const out = Buffer.alloc(2 * bytes.length + 8);
  const end = rewrite(bytes, out, 4);
  return end < 0 ? undefined : out.subarray(4, end).toString();
}
const compacted = (text: string) => rewritten(compactJsonb, text);
const canonical = (text: string) => rewritten(canonicalJsonBytes, text);

/** Number tokens as a client may write them: signs, leading and trailing zeros, fractions, exponents. */
const number = fc
  .tuple(
    fc.constantFrom('', '-'),
    fc.oneof(fc.stringMatching(/^(?:0|[1-9]\d{0,22})$/), fc.constantFrom('0', '1', '9007199254740993')),
    fc.option(fc.stringMatching(/^\d{1,20}$/)),
    fc.option(fc.tuple(fc.constantFrom('e', 'E', 'e-', 'e+'), fc.integer({ min: 0, max: 30 }))),
  )
  .map(([sign, int, fraction, exponent]) =>
    [sign, int, fraction === null ? '' : `.${fraction}`, exponent === null ? '' : exponent.join('')].join(''),
  );
/** Strings with escapes, control characters, quotes, non-ASCII and spacing that looks like jsonb's. */
const string = fc
  .oneof(
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.constantFrom(', ', ': ', '"', '\\', '\u001f\u007f', '\u2028', '12', '0', '__proto__', ''),
  )
  .filter((s) => !s.includes('\u0000'))
  .map((s) => JSON.stringify(s));
/** Keys are strings too; digit-only keys are the ones JavaScript reorders. */
const key = fc.oneof(
  string,
  fc.stringMatching(/^\d{1,3}$/).map((k) => `"${k}"`),
);
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    number,
    string,
    fc.constantFrom('true', 'false', 'null'),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(' , ')}]`),
    fc
      .array(fc.tuple(key, tie('value')), { maxLength: 5 })
      .map((members) => `{${members.map(([k, v]) => `${k} :${v}`).join(',')}}`),
  ),
})).value;

describe('rewriting jsonb text', () => {
  it(`is JSON.stringify(JSON.parse(text)), or canonical, for whatever jsonb gives back, or declines (seed ${seed})`, async () => {
    console.log(`jsonb-rewrite property: seed ${seed}`);
    let declined = 0;
    let unsorted = 0;
    let total = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(jsonText, { minLength: 20, maxLength: 40 }), async (texts) => {
        for (const text of await viaJsonb(texts)) {
          total += 1;
          const compact = compacted(text);
          if (compact === undefined) declined += 1;
          else expect(compact).toBe(JSON.stringify(JSON.parse(text)));
          const sorted = canonical(text);
          if (sorted === undefined) unsorted += 1;
          else expect(sorted).toBe(canonicalJson(JSON.parse(text) as JsonValue));
        }
      }),
      { numRuns: Math.min(numRuns, 300), seed },
    );
    // The fast path must be the usual one, not a test of the fallback alone.
    console.log(
      `jsonb-rewrite property: of ${total} texts, ${declined} not compacted, ${unsorted} not sorted`,
    );
    expect(declined).toBeLessThan(total / 2);
    expect(unsorted).toBeLessThan(total / 2);
  });

  it('takes the usual data (strings, small numbers, nested) and declines what JavaScript prints otherwise', async () => {
    const usual = [
      '{"a": "x, y: z", "moves": [{"day": "2024-01-02", "amount": "-12"}], "n": -12, "f": 0.5, "t": true}',
      '{"": null, "e": "ü\\n\\"", "k": [], "o": {"b": 1, "a": [{"d": 1, "c": 2}]}, "x": 0.000001, "y": 123456789012345}',
    ];
    for (const text of await viaJsonb(usual)) {
      expect(compacted(text)).toBe(JSON.stringify(JSON.parse(text)));
      expect(canonical(text)).toBe(canonicalJson(JSON.parse(text) as JsonValue));
    }
    const unusual = ['1.50', '1e21', '0.0000001', '1234567890123456', '{"1": 1, "b": 2}', '{"b": 12.0}'];
    for (const text of await viaJsonb(unusual)) expect(compacted(text)).toBeUndefined();
    // Not from jsonb (it has no negative zero nor exponents), declined all the same.
    for (const text of ['-0', '-0.0', '01', '[1e5]', '{"a": 1.}']) expect(compacted(text)).toBeUndefined();
  });
});
