export interface Credential {
  readonly email: string;
  readonly userId: string;
  readonly passwordHash: string;
}

/** Login secrets, kept apart from the event log. Emails are unique (compared lower-cased). */
export interface CredentialStore {
  /** Returns false when the email is taken. */
  create(credential: Credential): Promise<boolean>;
  findByEmail(email: string): Promise<Credential | undefined>;
  remove(userId: string): Promise<void>;
}
