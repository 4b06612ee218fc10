import { ContainerModule } from 'inversify';
import {
  PostgresAnalyticsReadModel,
  PostgresBudgetReadModel,
  PostgresTransactionReadModel,
  PROJECTIONS,
} from '../../../projections/index.js';
import type { Daybook } from '../../application/daybook.js';
import type { AnalyticsReadModel } from '../../application/ports/analytics-read-model.port.js';
import type { BudgetReadModel } from '../../application/ports/budget-read-model.port.js';
import type { PersonalDataScrubber } from '../../application/ports/personal-data-scrubber.port.js';
import type { RecurringDirectory } from '../../application/ports/recurring-directory.port.js';
import type { TransactionMonths } from '../../application/ports/transaction-months.port.js';
import type { TransactionReadModel } from '../../application/ports/transaction-read-model.port.js';
import { ProjectionRunner } from '../../infrastructure/projections/projection-runner.js';
import { PostgresRecurringDirectory } from '../../infrastructure/reactions/postgres-recurring-directory.js';
import { PostgresPersonalDataScrubber } from '../../infrastructure/read-models/postgres-personal-data-scrubber.js';
import { PostgresTransactionMonths } from '../../infrastructure/read-models/postgres-transaction-months.js';
import { postgresReceiptScrubber } from '../../infrastructure/receipts/postgres-receipt-scrubber.js';
import type { Resources } from '../resources.js';
import { TOKENS } from '../tokens.js';

/** The projections of `projections/`, the runner that keeps them, and the readers of their tables. */
export const readModelsModule = ({ pool, store, logger, parking }: Resources) =>
  new ContainerModule(({ bind }) => {
    bind(TOKENS.Projections)
      .toDynamicValue(
        (ctx) =>
          new ProjectionRunner(pool, store, PROJECTIONS, logger, {
            // Called only once the runner is started (worker role), after the daybook exists.
            onCommitted: (projection, events) =>
              ctx.get<Daybook>(TOKENS.Daybook).projectionCommitted(projection, events),
            parking,
          }),
      )
      .inSingletonScope();
    bind(TOKENS.Parked).toConstantValue(parking);
    bind<BudgetReadModel>(TOKENS.ReadModel).toConstantValue(new PostgresBudgetReadModel(pool));
    bind<AnalyticsReadModel>(TOKENS.AnalyticsReadModel).toConstantValue(new PostgresAnalyticsReadModel(pool));
    bind<TransactionReadModel>(TOKENS.TransactionReadModel).toConstantValue(
      new PostgresTransactionReadModel(pool),
    );
    bind<TransactionMonths>(TOKENS.TransactionMonths).toConstantValue(new PostgresTransactionMonths(pool));
    bind<RecurringDirectory>(TOKENS.RecurringDirectory).toConstantValue(new PostgresRecurringDirectory(pool));
    bind<PersonalDataScrubber[]>(TOKENS.PersonalDataScrubbers).toConstantValue([
      new PostgresPersonalDataScrubber(pool),
      postgresReceiptScrubber(pool),
    ]);
  });
