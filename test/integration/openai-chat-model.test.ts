import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ChatModelUnavailableError } from '../../src/application/ports/chat-model.port.js';
import { OpenAiChatModel } from '../../src/infrastructure/ai/openai-chat-model.js';
import { startOpenAiStandIn } from '../support/openai-stand-in.js';

const llm = await startOpenAiStandIn();
const request = { system: 'Answer briefly.', user: 'Hello', maxTokens: 5 };

describe('OpenAI chat model adapter', () => {
  it('answers through the real client, then after a failure skips the provider for the cool-down', async () => {
    const model = new OpenAiChatModel(
      { apiKey: 'k', baseURL: llm.baseURL, model: 'm', timeoutMs: 300, maxRetries: 1, cooldownMs: 60_000 },
      pino({ level: 'silent' }),
    );
    llm.set('answer', () => 'hi');
    await expect(model.complete(request)).resolves.toBe('hi');
    expect(llm.received[0]?.messages).toEqual([
      { role: 'system', content: 'Answer briefly.' },
      { role: 'user', content: 'Hello' },
    ]);
    llm.set('error-500');
    await expect(model.complete(request)).rejects.toBeInstanceOf(ChatModelUnavailableError);
    expect(llm.received).toHaveLength(2);
    llm.set('answer');
    const started = Date.now();
    await expect(model.complete(request)).rejects.toBeInstanceOf(ChatModelUnavailableError);
    expect(Date.now() - started).toBeLessThan(100);
    expect(llm.received).toHaveLength(0);
  });
});
