import type { Projection } from '../src/infrastructure/projections/projection.js';
import { analyticsProjection } from './analytics/index.js';
import { dailyAllocation } from './daily-allocation/index.js';
import { transactionsProjection } from './transactions/index.js';

/** Every read model the runner keeps. */
export const PROJECTIONS: readonly Projection[] = [
  dailyAllocation,
  transactionsProjection,
  analyticsProjection,
];
