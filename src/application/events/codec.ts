import { z } from 'zod';
import type { JsonObject, RecordedEvent } from '../ports/event-store.port.js';

/**
 * Turns a decider's typed events into stored JSON and back. Stored payloads carry a schema version per
 * event type; `upcasters` lift older payloads to the current shape before validation, so events written
 * by an older Daybook still fold. A payload that fails validation is a corrupt log, not a user error.
 */
export interface EventCodec<E extends { type: string; data: unknown }> {
  readonly types: ReadonlySet<string>;
  encode(event: E): { type: string; data: JsonObject; schemaVersion: number };
  decode(event: Pick<RecordedEvent, 'type' | 'data' | 'metadata' | 'streamName' | 'revision'>): E;
}

type Upcaster = (data: JsonObject) => JsonObject;

export interface EventSchema {
  readonly version: number;
  // biome-ignore lint/suspicious/noExplicitAny: each schema parses one event type's stored payload
  readonly schema: z.ZodType<any, any>;
  /** Keyed by the version they upgrade from: upcasters[1] turns a v1 payload into v2. */
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
}

export class CorruptEventError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CorruptEventError';
  }
}

export function createCodec<E extends { type: string; data: unknown }>(
  schemas: { readonly [T in E['type']]: EventSchema },
): EventCodec<E> {
  const table = schemas as Readonly<Record<string, EventSchema>>;
  return {
    types: new Set(Object.keys(table)),
    encode(event) {
      const entry = table[event.type];
      if (!entry) throw new Error(`No schema for event type ${event.type}`);
      return { type: event.type, data: toJson(event.data) as JsonObject, schemaVersion: entry.version };
    },
    decode(recorded) {
      const entry = table[recorded.type];
      const where = `${recorded.streamName}@${recorded.revision}`;
      if (!entry) throw new CorruptEventError(`Unknown event type ${recorded.type} at ${where}`);
      let data = recorded.data;
      let version = Number(recorded.metadata.schemaVersion ?? 1);
      if (version > entry.version) {
        throw new CorruptEventError(
          `${recorded.type} v${version} at ${where} is newer than this build (v${entry.version})`,
        );
      }
      while (version < entry.version) {
        const upcast = entry.upcasters?.[version];
        if (!upcast) throw new CorruptEventError(`No upcaster for ${recorded.type} v${version} at ${where}`);
        data = upcast(data);
        version += 1;
      }
      const parsed = entry.schema.safeParse(data);
      if (!parsed.success) {
        throw new CorruptEventError(
          `${recorded.type} at ${where} does not match its schema: ${z.prettifyError(parsed.error)}`,
        );
      }
      return { type: recorded.type, data: parsed.data } as E;
    },
  };
}

/** bigint becomes a decimal string; undefined members are dropped. */
function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toJson(v)]),
    );
  }
  return value;
}

export const minorUnits = z
  .string()
  .regex(/^-?\d{1,30}$/)
  .transform((s) => BigInt(s));
export const isoTimestamp = z.string().min(1);
