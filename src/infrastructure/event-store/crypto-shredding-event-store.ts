import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type {
  AppendResult,
  EventStore,
  ExpectedVersion,
  GlobalPosition,
  JsonObject,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../../application/ports/event-store.port.js';
import {
  PersonalDataUnreadableError,
  type SubjectKey,
  type SubjectKeyStore,
} from '../../application/ports/subject-key-store.port.js';
import { budgetStreamOwner } from '../../domain/budget-month/stream-name.js';
import { rulesStreamOwner } from '../../domain/categorization/stream-name.js';
import { parseRecurringStream } from '../../domain/recurring/recurring-stream.js';
import { userStreamOwner } from '../../domain/user/stream-name.js';
import { habitsStreamOwner } from '../../domain/wellbeing/habits.js';

/**
 * The personal fields of each event type: the one list of what is encrypted. Only top-level string
 * fields; everything else (amounts, days, categories, ids, time zones, currencies) stays in clear so
 * audits, projections and replays keep working on an erased user's history. An event type not listed
 * here is stored exactly as given.
 */
export const PERSONAL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  UserRegistered: ['email', 'displayName'],
  ProfileUpdated: ['displayName'],
  ExpenseRecorded: ['merchant', 'note'],
  ExpenseAmended: ['merchant', 'note'],
  ExpenseVoided: ['reason', 'movedMerchant', 'movedNote'],
  AllocationAdjusted: ['reason'],
  // A rule's pattern names the user's merchants and descriptions.
  RuleAdded: ['pattern'],
  RuleChanged: ['pattern'],
  RecurringExpenseAdded: ['name'],
  RecurringExpenseChanged: ['name'],
  HabitCreated: ['name'],
};

/** An event read by `readAllSettled`: decrypted, or as stored with the reason it cannot be read. */
export interface SettledEvent {
  readonly event: RecordedEvent;
  readonly unreadable?: PersonalDataUnreadableError;
}

/** What a personal field reads as once its subject's key is erased (still a string, so codecs validate). */
export const ERASED = '[erased]';

const ENVELOPE = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The user whose personal data a stream holds (`user-<userId>`, `budget-<userId>-<YYYY-MM>`,
 * `rules-<userId>`, `recurring-<userId>`, `habits-<userId>`, with a UUID
 * user id); undefined for streams that belong to no user.
 */
export function dataSubjectOf(stream: string): string | undefined {
  const owner =
    userStreamOwner(stream) ??
    budgetStreamOwner(stream)?.userId ??
    rulesStreamOwner(stream) ??
    parseRecurringStream(stream) ??
    habitsStreamOwner(stream);
  return owner !== undefined && UUID.test(owner) ? owner.toLowerCase() : undefined;
}

export const isEnvelope = (value: string): boolean => value.startsWith(ENVELOPE);

/** Empty or blank text says nothing about anyone: it is stored as it is. */
const hasContent = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** The personal fields of this event that carry text, when its stream belongs to a user. */
function personalFields(stream: string, type: string, data: JsonObject): string[] {
  const fields = PERSONAL_FIELDS[type];
  if (!fields || dataSubjectOf(stream) === undefined) return [];
  return fields.filter((field) => hasContent(data[field]));
}

/** Binds a ciphertext to its subject, event and field: it cannot be moved to another one unnoticed. */
const associatedData = (subject: string, eventId: string, field: string) =>
  Buffer.from(`daybook/personal-data/v1\n${subject}\n${eventId}\n${field}`, 'utf8');

/** AES-256-GCM, a fresh 96-bit IV per value: `enc:v1:<base64url(iv | tag | ciphertext)>`. */
export function sealField(key: Uint8Array, plaintext: string, aad: Uint8Array): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ENVELOPE + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
}

export function openField(key: Uint8Array, envelope: string, aad: Uint8Array): string {
  const bytes = Buffer.from(envelope.slice(ENVELOPE.length), 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('envelope too short');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(aad);
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
    'utf8',
  );
}

/**
 * Crypto-shredding around any event store. On append, the personal fields (PERSONAL_FIELDS) of events on
 * a user's streams are encrypted with that user's data key, so the wrapped store hashes and keeps only
 * ciphertext. Every read decrypts them; once the user's key is erased they read "[erased]". Erasure
 * therefore changes no stored byte: every hash chain still verifies, other users' history is untouched,
 * and the amounts, days and categories of the erased user's history still fold and audit.
 *
 * The hash chain covers the stored (encrypted) payload. Verify chains on `inner`, never on what this
 * store returns; export/import that must keep hashes also goes through `inner` (with the key table).
 */
export class CryptoShreddingEventStore implements EventStore {
  readonly name: string;

  constructor(
    readonly inner: EventStore,
    private readonly keys: SubjectKeyStore,
  ) {
    this.name = `${inner.name}+crypto-shredding`;
  }

  /** Throws SubjectErasedError when an event carries personal data for an erased user. */
  async append(
    stream: string,
    events: readonly NewEvent[],
    expected?: ExpectedVersion,
  ): Promise<AppendResult> {
    const subject = dataSubjectOf(stream);
    const sealing = events.map((event) => personalFields(stream, event.type, event.data));
    if (subject === undefined || sealing.every((fields) => fields.length === 0)) {
      return this.inner.append(stream, events, expected);
    }
    const key = await this.keys.keyFor(subject);
    const sealed = events.map((event, index): NewEvent => {
      const fields = sealing[index] as string[];
      if (fields.length === 0) return event;
      const data: JsonObject = { ...event.data };
      for (const field of fields) {
        data[field] = sealField(key, data[field] as string, associatedData(subject, event.id, field));
      }
      return { ...event, data };
    });
    return this.inner.append(stream, sealed, expected);
  }

  async readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.reveal(await this.inner.readStream(stream, options));
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.reveal(await this.inner.readAll(options));
  }

  /**
   * `$all` for followers that must not stop at one event: an event whose personal data cannot be read
   * comes back as stored (still encrypted) with the reason, instead of failing the whole batch.
   */
  async readAllSettled(options: ReadAllOptions): Promise<SettledEvent[]> {
    const events = await this.inner.readAll(options);
    try {
      return (await this.reveal(events)).map((event) => ({ event }));
    } catch {
      // Rare: find which events are unreadable, one at a time (the keys are cached by now).
      return Promise.all(
        events.map(async (event) => {
          try {
            return { event: ((await this.reveal([event])) as [RecordedEvent])[0] };
          } catch (error) {
            if (!(error instanceof PersonalDataUnreadableError)) throw error;
            return { event, unreadable: error };
          }
        }),
      );
    }
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return this.inner.subscribeToAll({
      ...options,
      onEvents: async (batch) => options.onEvents(await this.reveal(batch)),
    });
  }

  headPosition(): Promise<GlobalPosition> {
    return this.inner.headPosition();
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  /** Closes the wrapped store and the key store. */
  async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      await this.keys.close();
    }
  }

  /** Decrypts the personal fields of a batch, looking up each subject's key once. */
  private async reveal(events: readonly RecordedEvent[]): Promise<RecordedEvent[]> {
    const subjects = new Set<string>();
    for (const event of events) {
      if (personalFields(event.streamName, event.type, event.data).length > 0)
        subjects.add(dataSubjectOf(event.streamName) as string);
    }
    if (subjects.size === 0) return [...events];
    const keys = await this.keys.lookup([...subjects]);
    return events.map((event) => {
      const fields = personalFields(event.streamName, event.type, event.data);
      if (fields.length === 0) return event;
      const subject = dataSubjectOf(event.streamName) as string;
      const data: JsonObject = { ...event.data };
      for (const field of fields) data[field] = revealField(keys.get(subject), subject, event, field);
      return { ...event, data };
    });
  }
}

function revealField(key: SubjectKey | undefined, subject: string, event: RecordedEvent, field: string) {
  const value = event.data[field] as string;
  const where = `${field} of ${event.type} ${event.id} at ${event.streamName}@${event.revision}`;
  // Erased: every personal value reads the same, also one written in clear before encryption existed.
  if (key?.state === 'erased') return ERASED;
  // Written in clear before this store wrapped the log: readable until the subject is erased.
  if (!isEnvelope(value)) return value;
  if (!key) throw new PersonalDataUnreadableError(`No data key for ${subject}: cannot read the ${where}`);
  try {
    return openField(key.key, value, associatedData(subject, event.id, field));
  } catch (error) {
    throw new PersonalDataUnreadableError(`The encrypted ${where} does not authenticate: it was altered`, {
      cause: error,
    });
  }
}
