/**
 * What a backup carries besides the event log: the per-user data keys (crypto-shredding) and the login
 * credentials (argon2 hashes). Both live outside the log; without them a restored log cannot be read and
 * nobody can sign in.
 */
export interface SubjectKeyRecord {
  readonly userId: string;
  /** The 32-byte key, base64; null once the user was erased (the tombstone is kept: erasure survives a restore). */
  readonly key: string | null;
  readonly createdAt: string;
  readonly erasedAt: string | null;
}

export interface CredentialRecord {
  readonly email: string;
  readonly userId: string;
  /** The argon2 hash, never a password. */
  readonly passwordHash: string;
  readonly createdAt: string;
}

export interface InstallationSecrets {
  /** Every key (and tombstone), read in pages so memory stays flat. */
  subjectKeys(): AsyncIterable<SubjectKeyRecord>;
  /** Every credential, read in pages. */
  credentials(): AsyncIterable<CredentialRecord>;
  /** True when there is no key and no credential at all. */
  isEmpty(): Promise<boolean>;
  /** Inserts keys as they were; a user who already has one is an error (restores go into an empty installation). */
  restoreSubjectKeys(records: readonly SubjectKeyRecord[]): Promise<void>;
  restoreCredentials(records: readonly CredentialRecord[]): Promise<void>;
}
