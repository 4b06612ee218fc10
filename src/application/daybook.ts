import { budgetMonthDecider } from '../domain/budget-month/budget-month.js';
import { budgetStreamOwner } from '../domain/budget-month/stream-name.js';
import {
  localDateAt,
  monthOf,
  parseLocalDate,
  parseYearMonth,
  type YearMonth,
} from '../domain/shared/local-date.js';
import { userStream } from '../domain/user/stream-name.js';
import { userDecider } from '../domain/user/user.js';
import { dashboard, trends } from './analytics/dashboard.query.js';
import { createAuditUseCases } from './audit/audit-use-cases.js';
import { backupInstallation, restoreInstallation } from './backup/backup.js';
import { adjustAllocation } from './budget/adjust-allocation.js';
import { amendExpense, completeMoveOf, voidExpense } from './budget/amend-expense.js';
import { planOnFirstQuery } from './budget/auto-plan.js';
import { closeDay } from './budget/close-day.js';
import { dailyBudget, READ_YOUR_WRITES_TIMEOUT_MS } from './budget/daily-budget.query.js';
import { generatePlan } from './budget/generate-plan.js';
import { calendarMonth, monthlyBudget } from './budget/monthly-budget.query.js';
import { planMonth } from './budget/plan-month.js';
import { rebalance } from './budget/rebalance.js';
import { recordExpense } from './budget/record-expense.js';
import { recordExpenses } from './budget/record-expenses.js';
import { redistribute } from './budget/redistribute.js';
import { trackExpense } from './budget/track-expense.js';
import { whatIf } from './budget/what-if.query.js';
import { createCategorizationUseCases } from './categorization/categorization-use-cases.js';
import { type CommandContext, type CommandHandler, commandHandler } from './command-handler.js';
import { logHorizon } from './consistency/log-horizon.js';
import { type ReadConsistency, readYourWrites } from './consistency/read-your-writes.js';
import { trackWrites } from './consistency/track-writes.js';
import { budgetMonthCodec } from './events/budget-month.codec.js';
import { userCodec } from './events/user.codec.js';
import { checkHealth, checkReadiness, READY_MAX_LAG_EVENTS } from './health.js';
import {
  getImportTask,
  importTransactions,
  parseImportJob,
  runImportTask,
} from './imports/import-transactions.js';
import { createInsightsUseCases } from './insights/insights-use-cases.js';
import { createPlanningUseCases } from './planning/planning-use-cases.js';
import type { AnalyticsReadModel } from './ports/analytics-read-model.port.js';
import type { AuditLog } from './ports/audit-log.port.js';
import type { BudgetReadModel } from './ports/budget-read-model.port.js';
import type { AiUsage, ChatModel } from './ports/chat-model.port.js';
import type { Clock } from './ports/clock.port.js';
import type { CredentialStore } from './ports/credential-store.port.js';
import type { EventStore } from './ports/event-store.port.js';
import type { HealthCheck } from './ports/health-check.port.js';
import type { IdGenerator } from './ports/id-generator.port.js';
import type { IdempotencyStore } from './ports/idempotency-store.port.js';
import type { ImportTaskStore } from './ports/import-task-store.port.js';
import type { InstallationSecrets } from './ports/installation-secrets.port.js';
import type { JobQueue } from './ports/job-queue.port.js';
import type { LogLoader } from './ports/log-loader.port.js';
import type { ErrorLogger } from './ports/logger.port.js';
import type { LoginThrottle } from './ports/login-throttle.port.js';
import type { NotificationListener, Notifier } from './ports/notifier.port.js';
import type { ParkedEventsAdmin } from './ports/parked-events.port.js';
import type { PasswordHasher } from './ports/password-hasher.port.js';
import type { PersonalDataScrubber } from './ports/personal-data-scrubber.port.js';
import type { ProjectionAdmin } from './ports/projection-admin.port.js';
import type { RecurringDirectory } from './ports/recurring-directory.port.js';
import type { SubjectKeyStore } from './ports/subject-key-store.port.js';
import type { AccessClaims, TokenService } from './ports/token-service.port.js';
import type { TokenStore } from './ports/token-store.port.js';
import type { TransactionMonths } from './ports/transaction-months.port.js';
import type { TransactionReadModel } from './ports/transaction-read-model.port.js';
import type { UserDirectory } from './ports/user-directory.port.js';
import type { WritePositions } from './ports/write-positions.port.js';
import { closeDueDays } from './reactions/close-due-days.js';
import { parseCompleteMoveJob } from './reactions/complete-move.js';
import { parseRebalanceJob } from './reactions/rebalance-on-overspend.js';
import { notificationRelay } from './realtime/notifications.js';
import {
  createReceiptAndNotificationUseCases,
  type ReceiptNotificationPorts,
} from './receipts/receipts-and-notifications.js';
import { commitmentsOf } from './recurring/commitments.query.js';
import { type ClientInfo, securityLog } from './security/security-log.js';
import {
  exportTransactions,
  getTransaction,
  listTransactions,
} from './transactions/list-transactions.query.js';
import { recordedExport } from './transactions/recorded-export.js';
import { eraseUser } from './users/erase-user.js';
import { login } from './users/login.js';
import { recentUsers } from './users/recent-users.js';
import { registerUser } from './users/register-user.js';
import { requireUser } from './users/require-user.js';
import { sessions } from './users/sessions.js';
import { updatePreferences } from './users/update-preferences.js';
import { updateProfile } from './users/update-profile.js';

export interface DaybookPorts {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly credentials: CredentialStore;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenService;
  readonly tokenStore: TokenStore;
  readonly loginThrottle: LoginThrottle;
  readonly healthChecks: readonly HealthCheck[];
  readonly jobs: JobQueue;
  readonly directory: UserDirectory;
  readonly readModel: BudgetReadModel;
  readonly projections: ProjectionAdmin;
  readonly parked: ParkedEventsAdmin;
  readonly analytics: AnalyticsReadModel;
  readonly transactions: TransactionReadModel;
  readonly transactionMonths: TransactionMonths;
  /** Users with recurring expenses, for the job that records them when due. */
  readonly recurringDirectory: RecurringDirectory;
  readonly idempotency: IdempotencyStore;
  readonly imports: ImportTaskStore;
  readonly notifier: Notifier;
  readonly subjectKeys: SubjectKeyStore;
  readonly personalDataScrubbers: readonly PersonalDataScrubber[];
  /** The store without the crypto-shredding decorator: hash chains cover what is stored. */
  readonly rawStore: EventStore;
  readonly auditLog: AuditLog;
  /** Data keys and credentials, for backup and restore. */
  readonly secrets: InstallationSecrets;
  /** Bulk loading for import and restore (PostgreSQL); without it they append event by event. */
  readonly logLoader?: LogLoader;
  /** Accounts that get the admin scope when they log in (ADMIN_EMAILS). */
  readonly adminEmails: readonly string[];
  /** Failures the application reports without failing the request (a security event not recorded). */
  readonly logger: ErrorLogger;
  /** Each user's last write position: their reads wait for it (read-your-writes). */
  readonly writes: WritePositions;
  /** The bound on that wait; READ_YOUR_WRITES_TIMEOUT_MS unless configured. */
  readonly readYourWritesTimeoutMs?: number;
  /** Readiness fails while a read model lags the log by more events than this (READY_MAX_LAG_EVENTS). */
  readonly readyMaxLag?: number;
  /** Receipts (OCR), notifications (push) and the integrations they use. */
  readonly receiptsAndNotifications: ReceiptNotificationPorts;
  /** Categorization and insights (issue 15): the language model when configured, its per-user daily limit. */
  readonly chat?: ChatModel;
  readonly aiUsage?: AiUsage;
  readonly aiDailyLimit?: number;
}

/** An erased user's decrypted states leave the command handlers' caches with their key. */
function cachedStatesOf(
  users: Pick<CommandHandler<never, never, unknown>, 'forget'>,
  budgets: Pick<CommandHandler<never, never, unknown>, 'forget'>,
): PersonalDataScrubber {
  return {
    name: 'cached-states',
    scrub: async (userId) => ({
      rows:
        users.forget((stream) => stream === userStream(userId)) +
        budgets.forget((stream) => budgetStreamOwner(stream)?.userId === userId),
      settled: true,
    }),
  };
}

/** How often the day-close job looks for users whose local midnight has passed. */
const DAY_CLOSE_CRON = '*/15 * * * *';

/** How often recurring expenses are recorded when due (each run is idempotent: a period is recorded once). */
const RECURRING_CRON = '7 * * * *';

/** Every use case, wired to the ports. The interfaces layer sees only this. */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the wiring of every use case to its ports, one line each: a list, not logic
export function createDaybook(ports: DaybookPorts) {
  const users = trackWrites(
    recentUsers(commandHandler(ports, userDecider, userCodec), { writes: ports.writes, clock: ports.clock }),
    ports.writes,
  );
  const budgets = trackWrites(commandHandler(ports, budgetMonthDecider, budgetMonthCodec), ports.writes);
  const commitments = commitmentsOf(ports);
  const consistent = readYourWrites({
    writes: ports.writes,
    timeoutMs: ports.readYourWritesTimeoutMs ?? READ_YOUR_WRITES_TIMEOUT_MS,
  });
  const smart = createCategorizationUseCases({ ...ports, users, settle: consistent.settle });
  const { categorizer } = smart;
  const amend = smart.learningFrom(amendExpense({ ...ports, users, budgets, commitmentsOf: commitments }));
  const voidOne = voidExpense({ ...ports, users, budgets });
  const decoyHash = ports.hasher.hash('decoy password, never a real one');
  decoyHash.catch(() => undefined);
  const security = securityLog(ports);
  const session = sessions({ ...ports, security });
  const rebalanceCell = rebalance({ ...ports, budgets });
  const closeDayOf = closeDay({ ...ports, users, budgets });
  const closeDue = closeDueDays({ ...ports, closeDay: closeDayOf });
  const runImport = runImportTask({ ...ports, users, budgets, categorizer });
  const planOnQuery = planOnFirstQuery({ ...ports, users, budgets, commitmentsOf: commitments });
  const audit = createAuditUseCases({ ...ports, store: ports.rawStore });
  const horizon = logHorizon(ports.rawStore);
  const exportQuery = consistent.query([ports.transactions], exportTransactions({ ...ports, users }));
  const completeMove = completeMoveOf({ ...ports, users, budgets });
  const planning = createPlanningUseCases({ ...ports, users, budgets });
  const relay = notificationRelay({
    notifier: ports.notifier,
    clock: ports.clock,
    currencyOf: async (userId) => (await requireUser(users, userId)).currency,
  });
  const receiptsAndNotifications = createReceiptAndNotificationUseCases({
    ...ports,
    // A receipt's suggested category comes from the same tiers as every other uncategorized expense.
    receiptsAndNotifications: { ...ports.receiptsAndNotifications, categorizer },
    users,
    recordExpense: recordExpense({ ...ports, users, budgets, commitmentsOf: commitments }),
  });
  const { startReceiptAndNotificationWorkers, ...receiptAndNotificationUseCases } = receiptsAndNotifications;
  return {
    ...receiptAndNotificationUseCases,
    registerUser: registerUser({ ...ports, users }),
    login: login({ ...ports, decoyHash, security, adminEmails: new Set(ports.adminEmails) }),
    refreshSession: session.refresh,
    logout: session.logout,
    logoutAll: session.logoutAll,
    updateProfile: updateProfile({ ...ports, users }),
    eraseUser: eraseUser({
      ...ports,
      personalDataScrubbers: [
        ...ports.personalDataScrubbers,
        cachedStatesOf(users, budgets),
        smart.cachedRules,
      ],
    }),
    getUser: (userId: string) => requireUser(users, userId),
    updatePreferences: updatePreferences({ ...ports, users }),
    planMonth: planMonth({ ...ports, users, budgets }),
    recordExpense: recordExpense({ ...ports, users, budgets, commitmentsOf: commitments, categorizer }),
    dailyBudget: planningFirst(
      planOnQuery,
      consistent.query([ports.readModel], dailyBudget({ ...ports, users })),
      (i) => monthOf(parseLocalDate(i.date)),
    ),
    monthlyBudget: planningFirst(
      planOnQuery,
      consistent.query([ports.readModel], monthlyBudget({ ...ports, users })),
      (i) => parseYearMonth(i.month),
    ),
    whatIf: whatIf({ ...ports, users, budgets }),
    generatePlan: generatePlan({ users, budgets, commitmentsOf: commitments }),
    /** The user's current month, in their time zone. */
    currentMonth: async (userId: string) => {
      const user = await requireUser(users, userId);
      return monthOf(localDateAt(ports.clock.now(), user.profile.timezone));
    },
    calendarMonth: planningFirst(
      planOnQuery,
      consistent.query([ports.readModel], calendarMonth({ ...ports, users })),
      (i) => parseYearMonth(i.month),
    ),
    adjustAllocation: adjustAllocation({ ...ports, users, budgets }),
    redistribute: redistribute({ ...ports, users, budgets }),
    rebalance: rebalanceCell,
    closeDay: closeDayOf,
    closeDueDays: closeDue,
    deadLetters: () =>
      Promise.all([
        ports.jobs.deadLetters('rebalance'),
        ports.jobs.deadLetters('close-days'),
        ports.jobs.deadLetters('import'),
        ports.jobs.deadLetters('complete-move'),
        ports.jobs.deadLetters('receipt-ocr'),
        ports.jobs.deadLetters('notify'),
        ports.jobs.deadLetters('goal-contribution'),
        ports.jobs.deadLetters('recurring-expenses'),
      ]).then((l) => l.flat()),
    /** The worker role: the redistribution policy's and day close's job handlers. */
    startWorkers: async () => {
      await ports.jobs.work('rebalance', async (payload) => {
        const job = parseRebalanceJob(payload);
        await rebalanceCell(job, {
          correlationId: job.correlationId,
          causationId: job.causedBy,
          actor: 'system:redistribution',
        });
      });
      await ports.jobs.work('close-days', async () => {
        await closeDue();
      });
      await ports.jobs.schedule('close-days', DAY_CLOSE_CRON);
      await ports.jobs.work('import', async (payload) => {
        await runImport(parseImportJob(payload));
      });
      await ports.jobs.work('complete-move', async (payload) => {
        await completeMove(parseCompleteMoveJob(payload));
      });
      await startReceiptAndNotificationWorkers();
      await ports.jobs.work('goal-contribution', planning.jobHandlers['goal-contribution']);
      await ports.jobs.work('recurring-expenses', planning.jobHandlers['recurring-expenses']);
      await ports.jobs.schedule('recurring-expenses', RECURRING_CRON);
    },
    recordExpenses: recordExpenses({ ...ports, users, budgets, commitmentsOf: commitments, categorizer }),
    trackExpense: trackExpense({ ...ports, users, budgets, categorizer }),
    // Both find the expense in the transactions read model first, so they wait for it like a query
    // would; past the bound they go on, and an expense the model still lacks is not found.
    amendExpense: async (
      input: Omit<Parameters<typeof amend>[0], 'after'> & ReadConsistency,
      context: CommandContext,
    ) => {
      await consistent.settle([ports.transactions], input.userId, input);
      return amend(input, context);
    },
    voidExpense: async (
      input: Omit<Parameters<typeof voidOne>[0], 'after'> & ReadConsistency,
      context: CommandContext,
    ) => {
      await consistent.settle([ports.transactions], input.userId, input);
      return voidOne(input, context);
    },
    importTransactions: importTransactions({ ...ports, users, budgets, categorizer }),
    getImportTask: getImportTask(ports),
    idempotencyKeys: ports.idempotency,
    listTransactions: consistent.query([ports.transactions], listTransactions({ ...ports, users })),
    getTransaction: consistent.query([ports.transactions], getTransaction({ ...ports, users })),
    exportTransactions: async (
      input: Parameters<typeof exportQuery>[0] & { client?: ClientInfo },
    ): Promise<Awaited<ReturnType<typeof exportQuery>>> => {
      const exported = await exportQuery(input);
      return { ...exported, items: recordedExport(security, input.userId, input.client, exported.items) };
    },
    analyticsDashboard: consistent.query([ports.analytics], dashboard({ ...ports, users })),
    analyticsTrends: consistent.query([ports.analytics], trends({ ...ports, users })),
    projectionStatus: () => ports.projections.status(),
    rebuildProjection: (name: string) => ports.projections.rebuild(name),
    /** Events projections and reactions could not handle, set aside (`projections errors`/`retry`). */
    parkedEvents: ports.parked,
    /** The projection runner's onCommitted hook: pushes what a committed batch changed to its users. */
    projectionCommitted: relay.projectionCommitted,
    /** Real-time messages for every user, in order (the WebSocket endpoint keeps each client's own). */
    subscribeNotifications: (listener: NotificationListener) => ports.notifier.subscribe(listener),
    verifyAccessToken: (token: string): Promise<AccessClaims | undefined> => session.verifyAccess(token),
    /** Every check with its details and errors: for operators. */
    health: () => checkHealth(ports.healthChecks),
    readiness: () =>
      checkReadiness(ports.healthChecks, ports.projections, ports.readyMaxLag ?? READY_MAX_LAG_EVENTS),
    ...audit,
    ...smart,
    ...createInsightsUseCases({ ...ports, users }, consistent.query),
    // The audit trail reads the log: after the reader's own writes, like every other read.
    auditEvents: async (...args: Parameters<typeof audit.auditEvents>) => {
      await consistent.settle([horizon], args[0].readerId, {});
      return audit.auditEvents(...args);
    },
    verifyUserChains: async (...args: Parameters<typeof audit.verifyUserChains>) => {
      await consistent.settle([horizon], args[0].readerId, {});
      return audit.verifyUserChains(...args);
    },
    /** Operators (CLI): the whole installation, and its restore into an empty one (hashes cover what is stored). */
    backupInstallation: backupInstallation({ ...ports, store: ports.rawStore }),
    restoreInstallation: restoreInstallation({ ...ports, store: ports.rawStore }),
    ...planning,
  };
}

export type Daybook = ReturnType<typeof createDaybook>;

/**
 * A budget query that first gives its month the automatic plan it is due (see `planOnFirstQuery`).
 * That plan is the user's own write, so the read-your-writes query after it waits for it.
 */
function planningFirst<I extends { userId: string }, R>(
  planOnQuery: ReturnType<typeof planOnFirstQuery>,
  query: (input: I) => Promise<R>,
  monthOfInput: (input: I) => YearMonth,
) {
  return async (input: I): Promise<R> => {
    await planOnQuery(input.userId, monthOfInput(input));
    return query(input);
  };
}
