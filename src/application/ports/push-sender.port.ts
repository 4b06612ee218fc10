export interface PushMessage {
  readonly title: string;
  readonly body: string;
  readonly data: Readonly<Record<string, string>>;
}

/**
 * Push to one device token (Firebase Cloud Messaging when configured). `invalid-token`: the provider
 * says the token is unregistered or not a token, so it should be forgotten. Throws on failures worth
 * retrying (timeouts, 5xx).
 */
export interface PushSender {
  send(token: string, message: PushMessage): Promise<'sent' | 'invalid-token'>;
}
