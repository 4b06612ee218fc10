import { Router } from 'express';
import type { Daybook } from '../../../application/daybook.js';
import type { RecurringExpense } from '../../../domain/recurring/recurring.js';
import { nextDue } from '../../../domain/recurring/schedule.js';
import type { LocalDate } from '../../../domain/shared/local-date.js';
import type { Currency } from '../../../domain/shared/money.js';
import { authOf, requireScope } from '../auth.js';
import { commandContext } from '../context.js';
import { idempotency } from '../idempotency.js';
import { parseBody, parseParams } from '../validate.js';
import { amount } from '../views.js';
import { addRecurringBody, changeRecurringBody, recurringParams } from './recurring.docs.js';

const recurringJson = (e: RecurringExpense, currency: Currency, today: LocalDate) => {
  const next = nextDue(e.schedule, today);
  return {
    id: e.recurringId,
    name: e.name,
    amount: amount(e.amount, currency),
    category: e.category,
    frequency: e.schedule.frequency,
    startDate: e.schedule.startDate,
    ...(e.schedule.endDate ? { endDate: e.schedule.endDate } : {}),
    ...(next ? { nextDue: next } : {}),
  };
};

/** Recurring expenses: `/api/expense/recurring`. */
export function recurringRoutes(daybook: Daybook): Router {
  const router = Router();
  const verify = daybook.verifyAccessToken;

  router.get('/', requireScope(verify, 'read:transactions'), async (req, res) => {
    const list = await daybook.listRecurring(authOf(req).userId);
    res.json({
      currency: list.currency,
      recurring: list.entries.map((e) => recurringJson(e, list.currency, list.today)),
      suggestions: list.suggestions.map((s) => ({ ...s, amount: amount(s.amount, list.currency) })),
    });
  });

  router.post(
    '/',
    requireScope(verify, 'write:transactions'),
    idempotency(daybook.idempotencyKeys),
    async (req, res) => {
      const { id, ...body } = parseBody(addRecurringBody, req.body);
      const key = req.get('idempotency-key');
      const { userId } = authOf(req);
      const result = await daybook.addRecurring(
        {
          userId,
          ...body,
          ...(id ? { recurringId: id } : {}),
          ...(key === undefined ? {} : { idempotencyKey: key }),
        },
        commandContext(req),
      );
      res.status(201).json({
        ...recurringJson(result.entry, result.currency, result.today),
        recorded: result.recorded.map((r) => ({ transactionId: r.transactionId, date: r.date })),
        ...(result.position ? { position: result.position } : {}),
      });
    },
  );

  router.put('/:id', requireScope(verify, 'write:transactions'), async (req, res) => {
    const { id } = parseParams(recurringParams, req.params);
    const body = parseBody(changeRecurringBody, req.body);
    const { userId } = authOf(req);
    const result = await daybook.changeRecurring({ userId, recurringId: id, ...body }, commandContext(req));
    res.json({
      ...recurringJson(result.entry, result.currency, result.today),
      ...(result.position ? { position: result.position } : {}),
    });
  });

  router.delete('/:id', requireScope(verify, 'write:transactions'), async (req, res) => {
    const { id } = parseParams(recurringParams, req.params);
    const result = await daybook.removeRecurring(
      { userId: authOf(req).userId, recurringId: id },
      commandContext(req),
    );
    if (result.position) res.setHeader('Daybook-Position', result.position);
    res.status(204).end();
  });

  return router;
}
