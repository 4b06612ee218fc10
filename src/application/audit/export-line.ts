import { canonicalJsonBytesAt, canonicalValueEnd } from '../event-store/json-bytes.js';
import { canonicalJsonAt } from '../event-store/json-text.js';
import type { JsonValue } from '../ports/event-store.port.js';

/** One line of an export as the import reads it: data kept as text, with its canonical form. */
export interface ExportLine {
  readonly stream: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  /** The data as the line holds it (JSON text). */
  readonly dataJson: string;
  /**
   * The data canonical (what its hash covers) as UTF-8 bytes: a view of a buffer the next call
   * rewrites, so hash it before reading another line.
   */
  readonly canonicalData: Uint8Array;
  readonly metadata: Record<string, JsonValue>;
}

/** What `exportLines` writes before the data: a stream, a revision, an id and a type. */
const HEAD =
  /^\{"stream":("(?:[^"\\]|\\.)+"),"revision":(0|[1-9]\d{0,9}),"id":"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})","type":("(?:[^"\\]|\\.)+"),"data":/;
const METADATA = ',"metadata":';

/** The line after its head, as UTF-8, and the canonical data: buffers kept for every line. */
let tail = Buffer.allocUnsafe(64 * 1024);
let canonical = Buffer.allocUnsafe(128 * 1024);

/**
 * A line exactly as `exportLines` writes it (members in its order, no spaces), read without parsing
 * the data: it is handed on as text, and its canonical form is rewritten from its UTF-8 bytes
 * (`canonicalJsonBytesAt`; `canonicalJsonAt` on the text where the line is not ASCII or the byte
 * rewrite declines). Undefined for any other line (written by hand, by another tool, or holding a value
 * neither rewrite takes): the caller parses it as JSON and checks it with the schema.
 */
export function readExportLine(text: string): ExportLine | undefined {
  const head = HEAD.exec(text);
  if (!head) return undefined;
  const dataStart = head[0].length;
  const rest = text.length - dataStart;
  if (3 * rest > tail.length) tail = Buffer.allocUnsafe(6 * rest);
  const written = tail.write(text.slice(dataStart));
  // ASCII (byte offsets are string offsets): the common case, rewritten on bytes.
  const dataEnd = written === rest ? asciiDataEnd(written) : -1;
  if (dataEnd >= 0) return readMembers(text, head, dataStart, dataStart + dataEnd, canonicalBytes);
  const data = canonicalJsonAt(text, dataStart);
  if (data === undefined || data.json[0] !== '{') return undefined;
  if (3 * data.json.length > canonical.length) canonical = Buffer.allocUnsafe(6 * data.json.length);
  canonicalBytes = canonical.subarray(0, canonical.write(data.json));
  return readMembers(text, head, dataStart, data.end, canonicalBytes);
}

let canonicalBytes: Uint8Array = canonical.subarray(0, 0);

/**
 * The data's end (in `tail`, which holds `length` bytes of ASCII) when it is an object the byte rewrite
 * takes, its canonical bytes then in `canonicalBytes`; else -1.
 */
function asciiDataEnd(length: number): number {
  if (tail[0] !== 0x7b) return -1;
  if (2 * length > canonical.length) canonical = Buffer.allocUnsafe(4 * length);
  const end = canonicalJsonBytesAt(tail.subarray(0, length), 0, canonical, 0);
  if (end < 0) return -1;
  canonicalBytes = canonical.subarray(0, end);
  return canonicalValueEnd();
}

function readMembers(
  text: string,
  head: RegExpExecArray,
  dataStart: number,
  dataEnd: number,
  canonicalData: Uint8Array,
): ExportLine | undefined {
  if (!text.startsWith(METADATA, dataEnd) || !text.endsWith('}')) return undefined;
  try {
    const metadata: unknown = JSON.parse(text.slice(dataEnd + METADATA.length, -1));
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return undefined;
    return {
      stream: JSON.parse(head[1] as string) as string,
      revision: Number(head[2]),
      id: head[3] as string,
      type: JSON.parse(head[4] as string) as string,
      dataJson: text.slice(dataStart, dataEnd),
      canonicalData,
      metadata: metadata as Record<string, JsonValue>,
    };
  } catch {
    // Not JSON after all (a raw control character in a string, say): the caller's parse words it.
    return undefined;
  }
}
