import { copyString, numberEnd } from './json-tokens.js';

/**
 * `canonicalJsonText` on UTF-8 bytes (the whole-log scan's data, never decoded): the canonical JSON of
 * jsonb's text (members sorted by key, no spaces) written into `out` at `at`, answering where it ends
 * (it needs `2 * text.length` bytes there: the second half is room to reorder members); or -1 where
 * the rewrite cannot be known exact (a number JavaScript prints otherwise, a key with an escape or a
 * non-ASCII character, a string escape JSON.stringify writes otherwise, a duplicate key, malformed
 * text): the caller then parses.
 */
export function canonicalJsonBytes(text: Uint8Array, out: Uint8Array, at: number): number {
  const end = canonicalJsonBytesAt(text, 0, out, at);
  if (end < 0) return -1;
  pos = valueEnd;
  src = text;
  skipSpace();
  src = EMPTY;
  return pos === text.length ? end : -1;
}

/**
 * `canonicalJsonBytes` of the one JSON value starting at `start` (after any space) in `text`, with
 * whatever follows it left alone (a line's data, followed by its metadata): written into `out` at `at`
 * (it needs `2 * (text.length - start)` bytes there), answering where the output ends, or -1. Where the
 * value ends in `text` is then `canonicalValueEnd()`.
 */
export function canonicalJsonBytesAt(text: Uint8Array, start: number, out: Uint8Array, at: number): number {
  src = text;
  dst = out;
  pos = start;
  length = at;
  top = 0;
  spare = at + text.length - start;
  try {
    skipSpace();
    value();
    valueEnd = pos;
    return length;
  } catch (error) {
    if (error === UNUSUAL) return -1;
    throw error;
  } finally {
    src = EMPTY;
    dst = EMPTY;
  }
}

/** Where the value the last `canonicalJsonBytesAt` rewrote ends in its text. */
export const canonicalValueEnd = (): number => valueEnd;
let valueEnd = 0;

/** Thrown (without a stack) where the rewrite cannot be known exact. */
const UNUSUAL = Object.freeze({ unusual: true });
const EMPTY = new Uint8Array(0);
let src: Uint8Array = EMPTY;
let dst: Uint8Array = EMPTY;
let pos = 0;
let length = 0;
/** Where the room to reorder members starts: past the longest output (no longer than the text). */
let spare = 0;
/**
 * Members of the objects being rewritten, as written to `dst`: three numbers each (start, end of the
 * key, end), the innermost object's last: one stack for every object, not an array per object.
 */
let members = new Int32Array(3 * 64);
let top = 0;

const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

function skipSpace(): void {
  for (let c = src[pos]; c === SPACE || c === 0x0a || c === 0x0d || c === 0x09; c = src[pos]) pos += 1;
}

function put(byte: number): void {
  dst[length] = byte;
  length += 1;
}

function value(): void {
  const c = src[pos];
  if (c === OPEN_OBJECT) object();
  else if (c === OPEN_ARRAY) array();
  else if (c === QUOTE) string();
  else scalar();
}

function string(): void {
  const end = copyString(src, pos, dst, length);
  if (end < 0) throw UNUSUAL;
  length += end - pos;
  pos = end;
}

function scalar(): void {
  const end = word('true') || word('false') || word('null') || numberEnd(src, pos);
  if (end < 0) throw UNUSUAL;
  for (; pos < end; pos += 1) put(src[pos] as number);
}

/** Where `literal` ends if it is at `pos`, else 0. */
function word(literal: string): number {
  for (let i = 0; i < literal.length; i += 1) if (src[pos + i] !== literal.charCodeAt(i)) return 0;
  return pos + literal.length;
}

function array(): void {
  pos += 1;
  put(OPEN_ARRAY);
  skipSpace();
  if (src[pos] === CLOSE_ARRAY) {
    pos += 1;
    put(CLOSE_ARRAY);
    return;
  }
  for (;;) {
    value();
    skipSpace();
    const c = src[pos];
    pos += 1;
    if (c === CLOSE_ARRAY) break;
    if (c !== COMMA) throw UNUSUAL;
    put(COMMA);
    skipSpace();
  }
  put(CLOSE_ARRAY);
}

/**
 * Rewrites the members in the order they come (one pass over the text), then, unless that is already
 * sorted, moves them into key order within the output (native copies: no array per object).
 */
function object(): void {
  pos += 1;
  put(OPEN_OBJECT);
  skipSpace();
  if (src[pos] === CLOSE_OBJECT) {
    pos += 1;
    put(CLOSE_OBJECT);
    return;
  }
  const base = top;
  const start = length;
  for (;;) {
    const member = length;
    key();
    const keyEnd = length;
    skipSpace();
    if (src[pos] !== COLON) throw UNUSUAL;
    pos += 1;
    put(COLON);
    skipSpace();
    value();
    push(member, keyEnd, length);
    skipSpace();
    const c = src[pos];
    pos += 1;
    if (c === CLOSE_OBJECT) break;
    if (c !== COMMA) throw UNUSUAL;
    put(COMMA);
    skipSpace();
  }
  if (sortMembers(base)) reorder(base, start);
  put(CLOSE_OBJECT);
  top = base;
}

/** Copies the key at `pos`: printable ASCII without escapes (compared as JavaScript compares it). */
function key(): void {
  const text = src;
  const out = dst;
  if (text[pos] !== QUOTE) throw UNUSUAL;
  let at = length;
  out[at] = QUOTE;
  at += 1;
  let i = pos + 1;
  for (let c = text[i]; c !== QUOTE; c = text[i]) {
    if (c === undefined || c === BACKSLASH || c < SPACE || c > 0x7e) throw UNUSUAL;
    out[at] = c;
    at += 1;
    i += 1;
  }
  out[at] = QUOTE;
  length = at + 1;
  pos = i + 1;
}

/** Rewrites the members from `start` (separated by commas) in the sorted order of their records. */
function reorder(base: number, start: number): void {
  dst.copyWithin(spare, start, length);
  const offset = spare - start;
  length = start;
  for (let m = base; m < top; m += 3) {
    if (m > base) put(COMMA);
    const from = (members[m] as number) + offset;
    const to = (members[m + 2] as number) + offset;
    dst.copyWithin(length, from, to);
    length += to - from;
  }
}

function push(start: number, keyEnd: number, end: number): void {
  if (top + 3 > members.length) {
    const grown = new Int32Array(members.length * 2);
    grown.set(members);
    members = grown;
  }
  members[top] = start;
  members[top + 1] = keyEnd;
  members[top + 2] = end;
  top += 3;
}

/**
 * Insertion sort of the member records from `base` by key (objects have a handful); true if any moved.
 * A duplicate key is unusual.
 */
function sortMembers(base: number): boolean {
  let moved = false;
  for (let m = base + 3; m < top; m += 3) {
    const start = members[m] as number;
    const keyEnd = members[m + 1] as number;
    const end = members[m + 2] as number;
    let j = m - 3;
    for (; j >= base; j -= 3) {
      const order = compareKeys(members[j] as number, members[j + 1] as number, start, keyEnd);
      if (order === 0) throw UNUSUAL;
      if (order < 0) break;
      members[j + 3] = members[j] as number;
      members[j + 4] = members[j + 1] as number;
      members[j + 5] = members[j + 2] as number;
      moved = true;
    }
    members[j + 3] = start;
    members[j + 4] = keyEnd;
    members[j + 5] = end;
  }
  return moved;
}

/** Keys (at their quotes, in the output) compared by bytes, as JavaScript compares ASCII strings. */
function compareKeys(aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  const aLength = aEnd - aStart - 2;
  const bLength = bEnd - bStart - 2;
  for (let i = 1; i <= aLength && i <= bLength; i += 1) {
    const order = (dst[aStart + i] as number) - (dst[bStart + i] as number);
    if (order !== 0) return order;
  }
  return aLength - bLength;
}
