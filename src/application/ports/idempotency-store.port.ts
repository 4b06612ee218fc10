/**
 * Idempotency keys (IETF draft "The Idempotency-Key HTTP Header Field"): per user and key, the
 * fingerprint of the first request, whether it is still being processed, and the response it got.
 * Keys expire 24 h after they were first used.
 */
export interface StoredResponse {
  readonly status: number;
  /** Lower-case header names; only the headers worth replaying (content type, location, …). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type IdempotencyRecord =
  | { readonly state: 'in-flight'; readonly fingerprint: string }
  | { readonly state: 'done'; readonly fingerprint: string; readonly response: StoredResponse };

export type ClaimResult =
  /** This request owns the key: run it, then `complete` or `release` with the token. */
  | { readonly claimed: true; readonly token: string }
  /** Another request owns or owned the key. */
  | { readonly claimed: false; readonly existing: IdempotencyRecord };

export interface IdempotencyStore {
  /**
   * Atomically claims (userId, key) for a request with this fingerprint. Exactly one of any number of
   * concurrent claims succeeds. An expired key, or one left in flight longer than the store's lease (its
   * process died), can be claimed again.
   */
  claim(userId: string, key: string, fingerprint: string): Promise<ClaimResult>;
  /** Records the first response; later claims get it back. Only the claim's owner (its token) can. */
  complete(userId: string, key: string, token: string, response: StoredResponse): Promise<void>;
  /** Forgets the claim (the request failed with a 5xx or never answered), so a retry runs again. */
  release(userId: string, key: string, token: string): Promise<void>;
}
