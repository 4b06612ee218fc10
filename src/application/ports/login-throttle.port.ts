export type ThrottleDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * Limits password guessing, per account and per client IP. Every attempt is counted before the password
 * is checked, so parallel guesses cannot slip past the limit; a success takes its count back.
 */
export interface LoginThrottle {
  /** Counts one attempt; refused while the account or the IP is over its limit of failures. */
  attempt(account: string, ip: string | undefined): Promise<ThrottleDecision>;
  /** The attempt succeeded: the account's failures are forgotten and it does not count against the IP. */
  succeeded(account: string, ip: string | undefined): Promise<void>;
}
