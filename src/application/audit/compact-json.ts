import { copyString, numberEnd } from '../event-store/json-tokens.js';

/**
 * `JSON.stringify(JSON.parse(text))` of jsonb's output text, on its UTF-8 bytes, without building the
 * value: the export writes a million events' data, and parsing and printing each one cost more than
 * the rest of the export. jsonb's text differs from JSON.stringify's only by a space after each `,` and
 * `:` between tokens, with these exceptions, where the caller must parse and print instead:
 * - a number JavaScript prints otherwise: anything but `-?(0|[1-9]\d*)(\.\d*[1-9])?` with at most 15
 *   digits (those, and only those, are printed back digit for digit), `-0`, or below 1e-6;
 * - an object key of digits only (JavaScript puts integer-like keys first);
 * - a string with an escape JSON.stringify would write otherwise (jsonb writes the same ones: checked).
 * The text must be jsonb's (well-formed JSON, as the store gives it back): malformed text is not caught.
 * Copies the compact text into `out` at `at` (it needs at most `text.length` bytes) and answers where
 * it ends, or -1 for an exception.
 */
export function compactJsonb(text: Uint8Array, out: Uint8Array, at: number): number {
  let length = at;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as number;
    if (c === QUOTE) {
      const end = copyString(text, i, out, length);
      if (end < 0 || (text[end] === COLON && end - i > 2 && digitsOnly(text, i + 1, end - 1))) return -1;
      length += end - i;
      i = end;
    } else if (c === SPACE) {
      i += 1;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      const end = numberEnd(text, i);
      if (end < 0) return -1;
      for (; i < end; i += 1) {
        out[length] = text[i] as number;
        length += 1;
      }
    } else {
      out[length] = c;
      length += 1;
      i += 1;
    }
  }
  return length;
}

const SPACE = 0x20;
const QUOTE = 0x22;
const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

function digitsOnly(text: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) {
    const c = text[i] as number;
    if (c < ZERO || c > NINE) return false;
  }
  return true;
}
