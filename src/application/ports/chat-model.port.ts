/**
 * A chat-completion language model (OpenAI or a compatible server). Used for categorization's LLM tier
 * and the insights' narrative; only ever sent text that went through the PII scrubber or computed facts.
 */
export interface ChatRequest {
  readonly system: string;
  readonly user: string;
  readonly maxTokens: number;
}

export interface ChatModel {
  /** The model's name, as answers report it. */
  readonly model: string;
  /**
   * The model's answer. Bounded in time (timeouts and retries included); rejects with
   * ChatModelUnavailableError when the provider failed, timed out or answered nothing usable.
   */
  complete(request: ChatRequest): Promise<string>;
}

export class ChatModelUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChatModelUnavailableError';
  }
}

/** The per-user daily budget of language-model calls (OPENAI_DAILY_CALLS_PER_USER). */
export interface AiUsage {
  /** Counts one call for the user on `day` (YYYY-MM-DD); false, counting nothing, once `limit` is reached. */
  take(userId: string, day: string, limit: number): Promise<boolean>;
}
