import type { LogLoader } from '../ports/log-loader.port.js';
import type { SubjectKeyStore } from '../ports/subject-key-store.port.js';
import { dailyBudgetAsOf, monthlyBudgetAsOf } from './as-of.query.js';
import { type AuditDeps, auditEvents, verifyUserChains } from './audit-events.query.js';
import { exportLines, exportLog, importLog } from './export-import.js';
import { FoldCheckpoints } from './fold-checkpoints.js';
import { securityEvents } from './security-events.query.js';
import { verifyChains } from './verify-chains.js';

/**
 * Audit and replay (issue 6): the audit trail, the security log, as-of queries, hash-chain
 * verification, export and import. Spread into the Daybook: `...createAuditUseCases(ports)`.
 */
export function createAuditUseCases(
  deps: AuditDeps & { subjectKeys: SubjectKeyStore; logLoader?: LogLoader },
) {
  const asOf = { store: deps.store, checkpoints: new FoldCheckpoints() };
  return {
    auditEvents: auditEvents(deps),
    /** Administrators: every user's security events (sign-ins, token reuse, exports, admin reads). */
    securityEvents: securityEvents(deps),
    /** Operators (CLI): every stream, or one user's. */
    verifyChains: verifyChains(deps),
    /** The HTTP route: the caller's own streams, or (admin, recorded) another user's. */
    verifyUserChains: verifyUserChains(deps),
    dailyBudgetAsOf: dailyBudgetAsOf(asOf),
    monthlyBudgetAsOf: monthlyBudgetAsOf(asOf),
    exportLog: exportLog(deps),
    exportLines: exportLines(deps),
    importLog: importLog(deps),
  };
}

export type AuditUseCases = ReturnType<typeof createAuditUseCases>;
