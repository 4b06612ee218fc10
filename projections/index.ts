import type { Projection } from '../src/application/ports/projection.port.js';
import { analyticsProjection } from './analytics/index.js';
import { dailyAllocation } from './daily-allocation/index.js';
import { transactionsProjection } from './transactions/index.js';

export { PostgresAnalyticsReadModel } from './analytics/read-model.js';
export { PostgresBudgetReadModel } from './daily-allocation/read-model.js';
export { PostgresTransactionReadModel } from './transactions/read-model.js';

/** Every read model the runner keeps. */
export const PROJECTIONS: readonly Projection[] = [
  dailyAllocation,
  transactionsProjection,
  analyticsProjection,
];
