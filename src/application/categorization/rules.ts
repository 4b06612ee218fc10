import {
  DEFAULT_PRIORITY,
  type Rule,
  type RuleCommand,
  type RuleEvent,
  type RuleFields,
  type RulesState,
} from '../../domain/categorization/rules.js';
import { rulesStream } from '../../domain/categorization/stream-name.js';
import { parseCategory } from '../../domain/shared/category.js';
import type { CommandContext, CommandHandler } from '../command-handler.js';
import type { Clock } from '../ports/clock.port.js';
import type { GlobalPosition } from '../ports/event-store.port.js';
import type { IdGenerator } from '../ports/id-generator.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';

export type RulesHandler = CommandHandler<RuleCommand, RuleEvent, RulesState>;

export interface RulesDeps {
  readonly rules: RulesHandler;
  readonly users: UserHandler;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

export type RuleInput = Omit<RuleFields, 'category' | 'priority'> & { category: string; priority?: number };

export interface RuleWritten {
  readonly rule?: Rule;
  readonly position?: GlobalPosition;
}

/** The user's rules, in the order they were written (reads the stream: always the user's own writes). */
export const listRules =
  (deps: RulesDeps) =>
  async (userId: string): Promise<Rule[]> => {
    await requireUser(deps.users, userId);
    return [...(await deps.rules.load(rulesStream(userId))).state.rules.values()];
  };

/** GET/POST/PUT/DELETE /api/rules. */
export function ruleCommands(deps: RulesDeps) {
  const run = async (userId: string, command: RuleCommand, ruleId: string, context: CommandContext) => {
    await requireUser(deps.users, userId);
    const handled = await deps.rules.handle(rulesStream(userId), command, { ...context, actor: userId });
    const rule = handled.state.rules.get(ruleId);
    return { ...(rule ? { rule } : {}), ...(handled.position ? { position: handled.position } : {}) };
  };
  const now = () => deps.clock.now().toISOString();
  return {
    addRule: (userId: string, input: RuleInput, context: CommandContext): Promise<RuleWritten> => {
      const ruleId = deps.ids.uuid();
      const data = {
        ...input,
        category: parseCategory(input.category),
        priority: input.priority ?? DEFAULT_PRIORITY,
      };
      return run(userId, { type: 'AddRule', data: { ...data, ruleId, now: now() } }, ruleId, context);
    },
    changeRule: (
      userId: string,
      ruleId: string,
      changes: Partial<RuleInput>,
      context: CommandContext,
    ): Promise<RuleWritten> => {
      const { category, ...rest } = changes;
      const data = { ...rest, ...(category === undefined ? {} : { category: parseCategory(category) }) };
      return run(userId, { type: 'ChangeRule', data: { ...data, ruleId, now: now() } }, ruleId, context);
    },
    removeRule: (userId: string, ruleId: string, context: CommandContext): Promise<RuleWritten> =>
      run(userId, { type: 'RemoveRule', data: { ruleId, now: now() } }, ruleId, context),
  };
}
