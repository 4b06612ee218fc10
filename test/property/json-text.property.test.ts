import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/application/event-store/hash-chain.js';
import { canonicalJsonBytes } from '../../src/application/event-store/json-bytes.js';
import { canonicalJsonAt, canonicalJsonText } from '../../src/application/event-store/json-text.js';
import type { JsonValue } from '../../src/application/ports/event-store.port.js';
import '../support/fast-check.js';

/** JSON text as jsonb writes it: ", " between members and items, ": " after keys, keys in jsonb order. */
function jsonbText(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  const keys = Object.keys(value).sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${JSON.stringify(k)}: ${jsonbText(value[k] as JsonValue)}`).join(', ')}}`;
}

const json = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<JsonValue>;

/** `canonicalJsonBytes` of the text's UTF-8 (written at an offset, as the hash does), or undefined. */
function canonicalOfBytes(text: string): string | undefined {
  const bytes = Buffer.from(text);
  const out = Buffer.alloc(2 * bytes.length + 3);
  const end = canonicalJsonBytes(bytes, out, 3);
  return end < 0 ? undefined : out.subarray(3, end).toString();
}
/** What the log's events hold: strings (amounts included), small integers, booleans, nulls; keys
 * without escapes. */
const key = fc.string().filter((k) => JSON.stringify(k) === `"${k}"`);
const usual: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer({ min: -1e9, max: 1e9 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 6 }),
  ),
})).value;

describe('canonical JSON from text', () => {
  it('is canonicalJson of the parsed text, or undefined (then the caller parses)', () => {
    fc.assert(
      fc.property(json, fc.boolean(), (value, spaced) => {
        const text = spaced ? jsonbText(value) : JSON.stringify(value);
        const rewritten = canonicalJsonText(text);
        if (rewritten !== undefined) expect(rewritten).toBe(canonicalJson(JSON.parse(text) as JsonValue));
        const fromBytes = canonicalOfBytes(text);
        if (fromBytes !== undefined) expect(fromBytes).toBe(canonicalJson(JSON.parse(text) as JsonValue));
      }),
      { numRuns: 500 },
    );
  });

  it('answers for every value made of strings, small integers, booleans and nulls', () => {
    fc.assert(
      fc.property(usual, fc.boolean(), (value, spaced) => {
        const text = spaced ? jsonbText(value) : JSON.stringify(value);
        expect(canonicalJsonText(text)).toBe(canonicalJson(value));
        // Keys here may hold any character: the bytes' rewrite takes printable ASCII keys only.
        const fromBytes = canonicalOfBytes(text);
        if (fromBytes !== undefined || /^[ -~]*$/.test(Object.keys(value ?? {}).join('')))
          expect(fromBytes).toBe(canonicalJson(value));
      }),
      { numRuns: 500 },
    );
  });

  it('finds where a value ends inside a longer text, and refuses malformed text', () => {
    const line = '{"data":{"b": [1, {"d": "x\\"y", "c": null}], "a": true},"metadata":{}}';
    expect(canonicalJsonAt(line, 8)).toEqual({
      json: '{"a":true,"b":[1,{"c":null,"d":"x\\"y"}]}',
      end: line.indexOf(',"metadata"'),
    });
    for (const bad of [
      '{"a" 1}',
      '{"a": 1',
      '[1 2]',
      '{"a": 1, "a": 2}',
      '{"a": 01}',
      '{"a": 1.5}',
      '"\\u0041"',
    ]) {
      expect(canonicalJsonText(bad)).toBeUndefined();
      // The bytes' rewrite takes the numbers JavaScript prints as written, 1.5 among them.
      if (bad !== '{"a": 1.5}') expect(canonicalOfBytes(bad)).toBeUndefined();
    }
  });
});
