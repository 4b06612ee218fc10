import type { BudgetMonthCommand } from '../../domain/budget-month/commands.js';
import type { BudgetMonthEvent } from '../../domain/budget-month/events.js';
import type { BudgetMonthState } from '../../domain/budget-month/state.js';
import type { CommandHandler } from '../command-handler.js';

export type BudgetMonthHandler = CommandHandler<BudgetMonthCommand, BudgetMonthEvent, BudgetMonthState>;
