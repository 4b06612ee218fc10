import { ContainerModule } from 'inversify';
import type { DaybookPorts } from '../../application/daybook.js';
import { OpenAiChatModel } from '../../infrastructure/ai/openai-chat-model.js';
import { PostgresAiUsage } from '../../infrastructure/ai/postgres-ai-usage.js';
import type { Resources } from '../resources.js';
import { TOKENS } from '../tokens.js';

export type LanguageModelPorts = Pick<DaybookPorts, 'chat' | 'aiUsage' | 'aiDailyLimit'>;

/** The language model when OPENAI_API_KEY or OPENAI_BASE_URL (a compatible server) is set; none otherwise. */
export const languageModelModule = ({ config, logger, pool }: Resources) =>
  new ContainerModule(({ bind }) => {
    if (!config.OPENAI_API_KEY && !config.OPENAI_BASE_URL) {
      bind<LanguageModelPorts>(TOKENS.LanguageModel).toConstantValue({});
      return;
    }
    const chat = new OpenAiChatModel(
      {
        // A local compatible server may want no key; the client insists on one.
        apiKey: config.OPENAI_API_KEY ?? 'none',
        ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
        model: config.OPENAI_MODEL,
        timeoutMs: config.OPENAI_TIMEOUT_MS,
        maxRetries: config.OPENAI_MAX_RETRIES,
        cooldownMs: config.OPENAI_COOLDOWN_MS,
      },
      logger,
    );
    bind<LanguageModelPorts>(TOKENS.LanguageModel).toConstantValue({
      chat,
      aiUsage: new PostgresAiUsage(pool),
      aiDailyLimit: config.OPENAI_DAILY_CALLS_PER_USER,
    });
  });
