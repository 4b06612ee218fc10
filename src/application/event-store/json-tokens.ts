/**
 * JSON tokens of jsonb's text (UTF-8 bytes) that JavaScript writes back byte for byte, shared by the
 * rewrites of whole-log scans (`compactJsonb`, `canonicalJsonBytes`): a string token is copied as it
 * is unless JSON.stringify would escape it otherwise; a number only when JavaScript prints it as written.
 */
const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
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
export function copyString(text: Uint8Array, start: number, out: Uint8Array, at: number): number {
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

/** Where the number token at `start` ends, or -1 unless JavaScript prints it back as written. */
export function numberEnd(text: Uint8Array, start: number): number {
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
