import { budgetMonthDecider } from '../domain/budget-month/budget-month.js';
import { userDecider } from '../domain/user/user.js';
import { dailyBudget } from './budget/daily-budget.query.js';
import { planMonth } from './budget/plan-month.js';
import { recordExpense } from './budget/record-expense.js';
import { commandHandler } from './command-handler.js';
import { budgetMonthCodec } from './events/budget-month.codec.js';
import { userCodec } from './events/user.codec.js';
import { checkHealth } from './health.js';
import type { Clock } from './ports/clock.port.js';
import type { CredentialStore } from './ports/credential-store.port.js';
import type { EventStore } from './ports/event-store.port.js';
import type { HealthCheck } from './ports/health-check.port.js';
import type { IdGenerator } from './ports/id-generator.port.js';
import type { PasswordHasher } from './ports/password-hasher.port.js';
import type { TokenService } from './ports/token-service.port.js';
import { login } from './users/login.js';
import { registerUser } from './users/register-user.js';
import { requireUser } from './users/require-user.js';

export interface DaybookPorts {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly credentials: CredentialStore;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenService;
  readonly healthChecks: readonly HealthCheck[];
}

/** Every use case, wired to the ports. The interfaces layer sees only this. */
export function createDaybook(ports: DaybookPorts) {
  const users = commandHandler(ports, userDecider, userCodec);
  const budgets = commandHandler(ports, budgetMonthDecider, budgetMonthCodec);
  const decoyHash = ports.hasher.hash('decoy password, never a real one');
  decoyHash.catch(() => undefined);
  return {
    registerUser: registerUser({ ...ports, users }),
    login: login({ ...ports, decoyHash }),
    getUser: (userId: string) => requireUser(users, userId),
    planMonth: planMonth({ ...ports, users, budgets }),
    recordExpense: recordExpense({ ...ports, users, budgets }),
    dailyBudget: dailyBudget({ users, budgets }),
    verifyAccessToken: (token: string) => ports.tokens.verifyAccess(token),
    health: () => checkHealth(ports.healthChecks),
  };
}

export type Daybook = ReturnType<typeof createDaybook>;
