import OpenAI from 'openai';
import {
  type ChatModel,
  ChatModelUnavailableError,
  type ChatRequest,
} from '../../application/ports/chat-model.port.js';
import type { Logger } from '../logging/logger.js';
import { dependencyErrors } from '../system/operational-metrics.js';

export interface OpenAiSettings {
  readonly apiKey: string;
  /** An OpenAI-compatible server; the OpenAI API when absent. */
  readonly baseURL?: string;
  readonly model: string;
  /** Per attempt. */
  readonly timeoutMs: number;
  readonly maxRetries: number;
  /** After a failed call, calls fail at once for this long instead of each waiting out the deadline. */
  readonly cooldownMs: number;
}

/**
 * The `openai` client's chat.completions. The client retries timeouts, 408/409/429 and 5xx with
 * back-off; on top of that one deadline bounds the whole call (attempts plus back-off), because the
 * client honours a server's Retry-After of up to a minute and a request must never hang on it.
 */
export class OpenAiChatModel implements ChatModel {
  private readonly client: OpenAI;
  readonly model: string;
  private readonly deadlineMs: number;
  private readonly cooldownMs: number;
  /** Epoch ms until which the provider is taken to be down (after a failure). */
  private downUntil = 0;

  constructor(
    settings: OpenAiSettings,
    private readonly logger: Logger,
  ) {
    this.client = new OpenAI({
      apiKey: settings.apiKey,
      ...(settings.baseURL ? { baseURL: settings.baseURL } : {}),
      timeout: settings.timeoutMs,
      maxRetries: settings.maxRetries,
    });
    this.model = settings.model;
    this.cooldownMs = settings.cooldownMs;
    // The client's back-off is 0.5 s doubling per retry (capped at 8 s).
    const backoffMs = Array.from({ length: settings.maxRetries }, (_, i) => Math.min(500 * 2 ** i, 8000));
    this.deadlineMs = settings.timeoutMs * (settings.maxRetries + 1) + backoffMs.reduce((a, b) => a + b, 0);
  }

  async complete(request: ChatRequest): Promise<string> {
    if (Date.now() < this.downUntil) {
      throw new ChatModelUnavailableError('language model cooling down after a failure');
    }
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new Error(`no answer within ${this.deadlineMs} ms`));
      }, this.deadlineMs);
    });
    try {
      const completion = await Promise.race([
        this.client.chat.completions.create(
          {
            model: this.model,
            messages: [
              { role: 'system', content: request.system },
              { role: 'user', content: request.user },
            ],
            max_tokens: request.maxTokens,
            temperature: 0.2,
          },
          { signal: abort.signal },
        ),
        deadline,
      ]);
      const text = completion.choices[0]?.message?.content;
      if (!text) throw new Error('the answer has no message content');
      return text;
    } catch (error) {
      dependencyErrors.inc({ dependency: 'openai' });
      this.downUntil = Date.now() + this.cooldownMs;
      this.logger.warn({ err: error }, 'language model call failed; going on without it');
      throw new ChatModelUnavailableError(`language model unavailable: ${(error as Error).message}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
