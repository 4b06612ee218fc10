import { ContainerModule } from 'inversify';
import type { DaybookPorts } from '../../application/daybook.js';
import type { ChatModel } from '../../application/ports/chat-model.port.js';
import { OpenAiChatModel } from '../../infrastructure/ai/openai-chat-model.js';
import { PostgresAiUsage } from '../../infrastructure/ai/postgres-ai-usage.js';
import type { Resources } from '../resources.js';
import { TOKENS } from '../tokens.js';

export type LanguageModelPorts = Pick<DaybookPorts, 'chat' | 'aiUsage' | 'aiDailyLimit'>;

/** The language model when OPENAI_API_KEY or OPENAI_BASE_URL (a compatible server) is set; none otherwise. */
export const languageModelModule = ({ config, logger, pool, receiptsAndNotifications }: Resources) =>
  new ContainerModule(({ bind }) => {
    const { integrations } = receiptsAndNotifications.ports;
    if (!config.OPENAI_API_KEY && !config.OPENAI_BASE_URL) {
      integrations.register('openai', {
        configured: false,
        detail: 'OPENAI_API_KEY unset: categorization uses rules, memory and keywords; insights, facts only',
      });
      bind<LanguageModelPorts>(TOKENS.LanguageModel).toConstantValue({});
      return;
    }
    integrations.register('openai', { configured: true, detail: config.OPENAI_MODEL });
    const model = new OpenAiChatModel(
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
    // Every call's outcome shows in /api/health/external.
    const chat: ChatModel = {
      model: model.model,
      complete: (request) => integrations.track('openai', () => model.complete(request)),
    };
    bind<LanguageModelPorts>(TOKENS.LanguageModel).toConstantValue({
      chat,
      aiUsage: new PostgresAiUsage(pool),
      aiDailyLimit: config.OPENAI_DAILY_CALLS_PER_USER,
    });
  });
