/**
 * Canonical JSON (`canonicalJson`: members sorted by key, no spaces) straight from JSON text, without
 * building objects: the whole-log scans (verify, import) hash a million events, and JSON.parse followed
 * by `canonicalJson` costs more than the rest of their work together. Reads jsonb's output or the
 * compact text JSON.stringify writes, and gives `canonicalJson(JSON.parse(text))` byte for byte, or
 * undefined for anything whose rewrite it does not know to be exact (a number that is not a small
 * integer, an escape JSON.stringify would not write, a key with an escape, a duplicate key, malformed
 * text): the caller then takes the JSON.parse path, so the rare case stays correct.
 */
export function canonicalJsonText(text: string): string | undefined {
  const scan = canonicalJsonAt(text, 0);
  return scan && skipSpace(text, scan.end) === text.length ? scan.json : undefined;
}

/** `canonicalJsonText` of the JSON value starting at `start` (after any space), and where it ends. */
export function canonicalJsonAt(text: string, start: number): { json: string; end: number } | undefined {
  src = text;
  pos = start;
  try {
    pos = skipSpace(src, pos);
    const json = value();
    return { json, end: pos };
  } catch (error) {
    if (error === UNUSUAL) return undefined;
    throw error;
  } finally {
    src = '';
  }
}

/** Thrown (without a stack) where the rewrite cannot be known exact. */
const UNUSUAL = Object.freeze({ unusual: true });
let src = '';
let pos = 0;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** A safe integer JSON.stringify writes the same way (no exponent, no fraction, no leading zero). */
const PLAIN_INTEGER = /^-?(?:0|[1-9]\d{0,14})$/;

function skipSpace(text: string, at: number): number {
  let i = at;
  for (let c = text.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; ) {
    i += 1;
    c = text.charCodeAt(i);
  }
  return i;
}

function value(): string {
  const c = src.charCodeAt(pos);
  if (c === 0x7b) return object();
  if (c === 0x5b) return array();
  if (c === QUOTE) return string();
  return scalar();
}

function expect(code: number): void {
  pos = skipSpace(src, pos);
  if (src.charCodeAt(pos) !== code) throw UNUSUAL;
  pos = skipSpace(src, pos + 1);
}

/** A string token as written; one with escapes only when JSON.stringify writes it the same way. */
function string(): string {
  const start = pos;
  let end = src.indexOf('"', start + 1);
  for (;;) {
    if (end < 0) throw UNUSUAL;
    let backslashes = 0;
    while (src.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) break;
    end = src.indexOf('"', end + 1);
  }
  pos = end + 1;
  const token = src.slice(start, pos);
  if (token.includes('\\') && JSON.stringify(JSON.parse(token)) !== token) throw UNUSUAL;
  return token;
}

function scalar(): string {
  const start = pos;
  for (let c = src.charCodeAt(pos); pos < src.length; c = src.charCodeAt(pos)) {
    if (c === 0x2c || c === 0x5d || c === 0x7d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) break;
    pos += 1;
  }
  const token = src.slice(start, pos);
  if (token === 'true' || token === 'false' || token === 'null') return token;
  if (token === '-0' || !PLAIN_INTEGER.test(token)) throw UNUSUAL;
  return token;
}

function array(): string {
  pos = skipSpace(src, pos + 1);
  if (src.charCodeAt(pos) === 0x5d) {
    pos += 1;
    return '[]';
  }
  const items: string[] = [];
  for (;;) {
    items.push(value());
    pos = skipSpace(src, pos);
    if (src.charCodeAt(pos) === 0x5d) {
      pos += 1;
      return `[${items.join(',')}]`;
    }
    expect(0x2c);
  }
}

function object(): string {
  pos = skipSpace(src, pos + 1);
  if (src.charCodeAt(pos) === 0x7d) {
    pos += 1;
    return '{}';
  }
  const keys: string[] = [];
  const values: string[] = [];
  for (;;) {
    if (src.charCodeAt(pos) !== QUOTE) throw UNUSUAL;
    const key = string();
    // Keys are compared as JS compares the parsed strings: only unescaped ones here.
    if (key.includes('\\')) throw UNUSUAL;
    expect(0x3a);
    keys.push(key.slice(1, -1));
    values.push(value());
    pos = skipSpace(src, pos);
    if (src.charCodeAt(pos) === 0x7d) {
      pos += 1;
      break;
    }
    expect(0x2c);
  }
  sortMembers(keys, values);
  const parts: string[] = [];
  for (let i = 0; i < keys.length; i += 1) parts.push(`"${keys[i]}":${values[i]}`);
  return `{${parts.join(',')}}`;
}

/** Sorts members by key (insertion sort: objects here have a handful); a duplicate key is unusual. */
function sortMembers(keys: string[], values: string[]): void {
  for (let i = 1; i < keys.length; i += 1) {
    const key = keys[i] as string;
    const v = values[i] as string;
    let j = i - 1;
    for (; j >= 0 && (keys[j] as string) >= key; j -= 1) {
      if (keys[j] === key) throw UNUSUAL;
      keys[j + 1] = keys[j] as string;
      values[j + 1] = values[j] as string;
    }
    keys[j + 1] = key;
    values[j + 1] = v;
  }
}
