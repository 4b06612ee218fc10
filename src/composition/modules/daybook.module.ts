import { ContainerModule } from 'inversify';
import { createDaybook, type DaybookPorts } from '../../application/daybook.js';
import type { Resources } from '../resources.js';
import { TOKENS } from '../tokens.js';
import type { LanguageModelPorts } from './language-model.module.js';

/** The use cases, given every port the other modules bound. */
export const daybookModule = ({ config, receiptsAndNotifications }: Resources) =>
  new ContainerModule(({ bind }) => {
    bind(TOKENS.Daybook)
      .toDynamicValue((ctx) => {
        const logLoader = ctx.get<DaybookPorts['logLoader']>(TOKENS.LogLoader);
        return createDaybook({
          store: ctx.get(TOKENS.EventStore),
          rawStore: ctx.get(TOKENS.RawEventStore),
          subjectKeys: ctx.get(TOKENS.SubjectKeys),
          auditLog: ctx.get(TOKENS.AuditLog),
          secrets: ctx.get(TOKENS.Secrets),
          ...(logLoader ? { logLoader } : {}),
          clock: ctx.get(TOKENS.Clock),
          ids: ctx.get(TOKENS.Ids),
          credentials: ctx.get(TOKENS.Credentials),
          hasher: ctx.get(TOKENS.Hasher),
          tokens: ctx.get(TOKENS.Tokens),
          tokenStore: ctx.get(TOKENS.TokenStore),
          loginThrottle: ctx.get(TOKENS.LoginThrottle),
          healthChecks: ctx.get(TOKENS.HealthChecks),
          jobs: ctx.get(TOKENS.Jobs),
          directory: ctx.get(TOKENS.Directory),
          readModel: ctx.get(TOKENS.ReadModel),
          projections: ctx.get(TOKENS.Projections),
          parked: ctx.get(TOKENS.Parked),
          analytics: ctx.get(TOKENS.AnalyticsReadModel),
          transactions: ctx.get(TOKENS.TransactionReadModel),
          transactionMonths: ctx.get(TOKENS.TransactionMonths),
          recurringDirectory: ctx.get(TOKENS.RecurringDirectory),
          personalDataScrubbers: ctx.get(TOKENS.PersonalDataScrubbers),
          idempotency: ctx.get(TOKENS.IdempotencyStore),
          imports: ctx.get(TOKENS.ImportTaskStore),
          notifier: ctx.get(TOKENS.Notifier),
          writes: ctx.get(TOKENS.WritePositions),
          logger: ctx.get(TOKENS.Logger),
          adminEmails: config.ADMIN_EMAILS,
          readYourWritesTimeoutMs: config.READ_YOUR_WRITES_TIMEOUT_MS,
          readyMaxLag: config.READY_MAX_LAG_EVENTS,
          receiptsAndNotifications: receiptsAndNotifications.ports,
          ...ctx.get<LanguageModelPorts>(TOKENS.LanguageModel),
        });
      })
      .inSingletonScope();
  });
