import { canonicalJsonAt } from '../event-store/json-text.js';
import type { JsonValue } from '../ports/event-store.port.js';

/** One line of an export as the import reads it: data kept as text, with its canonical form. */
export interface ExportLine {
  readonly stream: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  /** The data as the line holds it (JSON text), and canonical (what its hash covers). */
  readonly dataJson: string;
  readonly canonicalData: string;
  readonly metadata: Record<string, JsonValue>;
}

/** What `exportLines` writes before the data: a stream, a revision, an id and a type. */
const HEAD =
  /^\{"stream":("(?:[^"\\]|\\.)+"),"revision":(0|[1-9]\d{0,9}),"id":"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})","type":("(?:[^"\\]|\\.)+"),"data":/;
const METADATA = ',"metadata":';

/**
 * A line exactly as `exportLines` writes it (members in its order, no spaces), read without parsing
 * the data: it is handed on as text, and its canonical form comes from `canonicalJsonAt`. Undefined for
 * any other line (written by hand, by another tool, or holding a value the rewrite does not take): the
 * caller parses it as JSON and checks it with the schema.
 */
export function readExportLine(text: string): ExportLine | undefined {
  const head = HEAD.exec(text);
  if (!head) return undefined;
  const dataStart = head[0].length;
  const data = canonicalJsonAt(text, dataStart);
  if (!data || !text.startsWith(METADATA, data.end) || !text.endsWith('}')) return undefined;
  try {
    const metadata: unknown = JSON.parse(text.slice(data.end + METADATA.length, -1));
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return undefined;
    if (!data.json.startsWith('{')) return undefined;
    return {
      stream: JSON.parse(head[1] as string) as string,
      revision: Number(head[2]),
      id: head[3] as string,
      type: JSON.parse(head[4] as string) as string,
      dataJson: text.slice(dataStart, data.end),
      canonicalData: data.json,
      metadata: metadata as Record<string, JsonValue>,
    };
  } catch {
    // Not JSON after all (a raw control character in a string, say): the caller's parse words it.
    return undefined;
  }
}
