/**
 * Data keys for crypto-shredding: one secret key per data subject (a user), created on first use. The
 * personal fields of the subject's events are encrypted with it; erasing the subject destroys the key, so
 * those fields become unreadable everywhere the log has been copied, without rewriting a single event.
 */
export type SubjectKey =
  | { readonly state: 'active'; readonly key: Uint8Array }
  | { readonly state: 'erased'; readonly erasedAt: string };

export interface SubjectKeyStore {
  /** The subject's 32-byte key, created on first use. Throws SubjectErasedError once the subject is erased. */
  keyFor(subjectId: string): Promise<Uint8Array>;
  /** The keys of these subjects as they stand now; a subject that never had a key is absent from the map. */
  lookup(subjectIds: readonly string[]): Promise<ReadonlyMap<string, SubjectKey>>;
  /**
   * Destroys the subject's key for good and leaves a tombstone (so no new key is ever made for it).
   * Idempotent: a second call answers the first erasure's time with `alreadyErased: true`.
   */
  erase(subjectId: string): Promise<{ readonly erasedAt: string; readonly alreadyErased: boolean }>;
  close(): Promise<void>;
}

/** Personal data cannot be written for a subject whose key was erased. */
export class SubjectErasedError extends Error {
  constructor(
    readonly subjectId: string,
    readonly erasedAt: string,
  ) {
    super(
      `The personal data of ${subjectId} was erased at ${erasedAt}; nothing personal can be written for it`,
    );
    this.name = 'SubjectErasedError';
  }
}

/**
 * An encrypted field cannot be read although it should be: its ciphertext does not authenticate (it was
 * altered), or the subject has no key row at all (the log was copied without its keys).
 */
export class PersonalDataUnreadableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PersonalDataUnreadableError';
  }
}
