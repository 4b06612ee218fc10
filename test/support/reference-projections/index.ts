import type { Projection } from '../../../src/application/ports/projection.port.js';
import { analyticsProjection } from './analytics.js';
import { dailyAllocation } from './daily-allocation.js';
import { transactionsProjection } from './transactions.js';

/**
 * The projections as they were before the set-based rebuild path (commit 155e881), kept verbatim as
 * the oracle of their semantics: the property test compares the current ones with them, row for row.
 */
export const REFERENCE_PROJECTIONS: ReadonlyMap<string, Projection> = new Map(
  [dailyAllocation, transactionsProjection, analyticsProjection].map((p) => [p.name, p]),
);
