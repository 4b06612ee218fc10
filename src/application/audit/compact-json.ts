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
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
/** Digits JavaScript prints back as written (a double holds 15 significant decimal digits exactly). */
const MAX_DIGITS = 15;
/** Zeros after `0.` JavaScript still writes out (1e-7 is printed with an exponent). */
const MAX_LEADING_ZEROS = 5;

/**
 * Copies the string token at `start` to `out` at `at` (found and copied in one pass: this loop is most
 * of the export's own work) and answers where it ends, or -1 if JSON.stringify would write it otherwise.
 */
function copyString(text: Uint8Array, start: number, out: Uint8Array, at: number): number {
  let length = at;
  let escaped = false;
  out[length] = QUOTE;
  length += 1;
  let i = start + 1;
  for (let c = text[i]; c !== QUOTE; c = text[i]) {
    if (c === undefined) return -1;
    out[length] = c;
    length += 1;
    i += 1;
    if (c === BACKSLASH) {
      escaped = true;
      out[length] = text[i] as number;
      length += 1;
      i += 1;
    }
  }
  out[length] = QUOTE;
  i += 1;
  return !escaped || sameEscapes(text, start, i) ? i : -1;
}

/** A string token with escapes: does JSON.stringify write it back the same? (rare: take the slow way) */
function sameEscapes(text: Uint8Array, start: number, end: number): boolean {
  const token = Buffer.from(text.buffer, text.byteOffset + start, end - start).toString('utf8');
  try {
    return JSON.stringify(JSON.parse(token)) === token;
  } catch {
    return false;
  }
}

function digitsOnly(text: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) {
    const c = text[i] as number;
    if (c < ZERO || c > NINE) return false;
  }
  return true;
}

/** Where the number token at `start` ends, or -1 unless JavaScript prints it back as written. */
function numberEnd(text: Uint8Array, start: number): number {
  let i = text[start] === MINUS ? start + 1 : start;
  const first = i;
  while (i < text.length && (text[i] as number) >= ZERO && (text[i] as number) <= NINE) i += 1;
  const integerDigits = i - first;
  if (integerDigits === 0 || (integerDigits > 1 && text[first] === ZERO)) return -1;
  let digits = text[first] === ZERO ? 0 : integerDigits;
  if (text[i] === DOT) {
    const fraction = i + 1;
    i = fraction;
    while (i < text.length && (text[i] as number) >= ZERO && (text[i] as number) <= NINE) i += 1;
    if (i === fraction || text[i - 1] === ZERO) return -1;
    let zeros = 0;
    if (digits === 0) while (text[fraction + zeros] === ZERO) zeros += 1;
    if (digits === 0 && zeros > MAX_LEADING_ZEROS) return -1;
    digits += i - fraction - zeros;
  } else if (text[first] === ZERO && first > start) {
    return -1; // -0
  }
  if (digits > MAX_DIGITS) return -1;
  const next = text[i];
  return next === undefined || next === 0x2c || next === 0x5d || next === 0x7d || next === SPACE ? i : -1;
}
