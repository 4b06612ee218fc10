import { type Request, Router } from 'express';
import type { recordExpense } from '../../../application/budget/record-expense.js';
import type { recordExpenses } from '../../../application/budget/record-expenses.js';
import type { Daybook } from '../../../application/daybook.js';
import { ImportFileError } from '../../../application/imports/csv-rows.js';
import type { importTransactions } from '../../../application/imports/import-transactions.js';
import type { IdempotencyStore } from '../../../application/ports/idempotency-store.port.js';
import type { AccessClaims } from '../../../application/ports/token-service.port.js';
import { authOf, requireScope } from '../auth.js';
import { clientOf, commandContext, markCaughtUp, readConsistency } from '../context.js';
import { idempotency } from '../idempotency.js';
import { problem } from '../problem.js';
import { parseBody, parseParams, parseQuery } from '../validate.js';
import { amount, sendRecorded } from '../views.js';
import { sendCsv } from './transactions.csv.js';
import { importRequest, receiveCsv } from './transactions.import.js';
import {
  amendBody,
  bulkBody,
  DEFAULT_PAGE_SIZE,
  etagOf,
  filterOf,
  filterQuery,
  idParams,
  listQuery,
  transactionBody,
} from './transactions.schemas.js';
import { bulkView, transactionView } from './transactions.views.js';

/** What the transaction routes need from the application (a subset of Daybook). */
export interface TransactionUseCases
  extends Pick<
    Daybook,
    'listTransactions' | 'getTransaction' | 'exportTransactions' | 'amendExpense' | 'voidExpense'
  > {
  readonly verifyAccessToken: (token: string) => Promise<AccessClaims | undefined>;
  readonly recordExpense: ReturnType<typeof recordExpense>;
  readonly recordExpenses: ReturnType<typeof recordExpenses>;
  readonly importTransactions: ReturnType<typeof importTransactions>;
  /** Idempotency-Key storage for the POSTs that create money facts. */
  readonly idempotencyKeys: IdempotencyStore;
}

export function transactionRoutes(daybook: TransactionUseCases): Router {
  const router = Router();
  readRoutes(router, daybook);
  recordRoutes(router, daybook);
  changeRoutes(router, daybook);
  return router;
}

/** The list (cursor pages), its CSV export, and one transaction with its ETag. */
function readRoutes(router: Router, daybook: TransactionUseCases): void {
  const verify = daybook.verifyAccessToken;
  router.get('/', requireScope(verify, 'read:transactions'), async (req, res) => {
    const query = parseQuery(listQuery, req.query);
    const { limit, cursor, ...filters } = query;
    const page = await daybook.listTransactions({
      userId: authOf(req).userId,
      filter: filterOf(filters),
      limit: limit ?? DEFAULT_PAGE_SIZE,
      ...(cursor === undefined ? {} : { cursor }),
      ...readConsistency(req),
    });
    markCaughtUp(res, page.caughtUp);
    res.json({
      items: page.items.map(transactionView),
      ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
    });
  });

  // Before '/:id', or "export" would be taken for a transaction id.
  router.get('/export', requireScope(verify, 'read:transactions'), async (req, res) => {
    const query = parseQuery(filterQuery, req.query);
    const exported = await daybook.exportTransactions({
      userId: authOf(req).userId,
      filter: filterOf(query),
      client: clientOf(req),
      ...readConsistency(req),
    });
    markCaughtUp(res, exported.caughtUp);
    await sendCsv(req, res, exported.items);
  });

  router.get('/:id', requireScope(verify, 'read:transactions'), async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    const { item, caughtUp } = await daybook.getTransaction({
      userId: authOf(req).userId,
      transactionId: id,
      ...readConsistency(req),
    });
    markCaughtUp(res, caughtUp);
    const view = transactionView(item);
    res.setHeader('ETag', etagOf(view));
    res.json(view);
  });
}

/** New expenses: one, many at once (bulk), or a CSV file (import). */
function recordRoutes(router: Router, daybook: TransactionUseCases): void {
  const verify = daybook.verifyAccessToken;
  const idempotent = idempotency(daybook.idempotencyKeys);
  router.post('/', requireScope(verify, 'write:transactions'), idempotent, async (req, res) => {
    const body = parseBody(transactionBody, req.body);
    const { userId } = authOf(req);
    const key = req.get('idempotency-key');
    const result = await daybook.recordExpense(
      {
        userId,
        ...(body.id ? { transactionId: body.id } : {}),
        amount: body.amount,
        ...(body.category === undefined ? {} : { category: body.category }),
        date: body.date,
        ...(body.merchant ? { merchant: body.merchant } : {}),
        ...(body.description ? { note: body.description } : {}),
        ...(key === undefined ? {} : { idempotencyKey: key }),
      },
      commandContext(req),
    );
    sendRecorded(res, result, body);
  });

  router.post('/bulk', requireScope(verify, 'write:transactions'), idempotent, async (req, res) => {
    const body = parseBody(bulkBody, req.body);
    const key = req.get('idempotency-key');
    const result = await daybook.recordExpenses(
      {
        userId: authOf(req).userId,
        expenses: body.transactions.map((t) => ({
          ...(t.id ? { transactionId: t.id } : {}),
          amount: t.amount,
          ...(t.category === undefined ? {} : { category: t.category }),
          date: t.date,
          ...(t.merchant ? { merchant: t.merchant } : {}),
          ...(t.description ? { note: t.description } : {}),
        })),
        ...(key === undefined ? {} : { idempotencyKey: key }),
      },
      commandContext(req),
    );
    const view = bulkView(result, body.transactions);
    if (view.recorded === 0) {
      throw problem(422, 'bulk-rejected', 'Unprocessable content', {
        detail: 'Every month of the request was rejected; nothing was recorded',
        months: view.months,
      });
    }
    res.status(201).json(view);
  });

  router.post('/import', requireScope(verify, 'write:transactions'), receiveCsv, async (req, res) => {
    const { content, mapping } = importRequest(req);
    let outcome: Awaited<ReturnType<TransactionUseCases['importTransactions']>>;
    try {
      outcome = await daybook.importTransactions(
        { userId: authOf(req).userId, content, mapping },
        commandContext(req),
      );
    } catch (error) {
      if (error instanceof ImportFileError) {
        throw problem(422, error.code, 'Unprocessable content', { detail: error.message, ...error.details });
      }
      throw error;
    }
    if (outcome.status === 'queued') {
      res
        .status(202)
        .location(`/api/tasks/${outcome.taskId}`)
        .json({ taskId: outcome.taskId, status: 'queued', rows: outcome.rows });
      return;
    }
    res.status(200).json({
      status: 'done',
      progress: outcome.progress,
      errors: outcome.errors,
      ...(outcome.position ? { position: outcome.position } : {}),
    });
  });
}

/** Amending and voiding an expense, each guarded by If-Match. */
function changeRoutes(router: Router, daybook: TransactionUseCases): void {
  const verify = daybook.verifyAccessToken;
  /**
   * `If-Match` (RFC 9110, strong comparison): the expense as the caller's reads now show it must have
   * that ETag, else 412. Checked against the read model after the caller's own writes, just before the
   * command; a concurrent writer in between is not caught here (the month stream's revision is shared by
   * all of the month's expenses, so it cannot serve as one expense's version).
   */
  const requireMatch = async (req: Request, transactionId: string): Promise<void> => {
    const ifMatch = req.get('if-match');
    if (ifMatch === undefined) return;
    const { item } = await daybook.getTransaction({
      userId: authOf(req).userId,
      transactionId,
      ...readConsistency(req),
    });
    const tags = ifMatch.split(',').map((tag) => tag.trim());
    if (!tags.includes('*') && !tags.includes(etagOf(transactionView(item)))) {
      throw problem(412, 'precondition-failed', 'Precondition failed', {
        detail: 'The expense changed since the ETag in If-Match: read it again',
      });
    }
  };

  router.put('/:id', requireScope(verify, 'write:transactions'), async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    const body = parseBody(amendBody, req.body);
    const consistency = readConsistency(req);
    await requireMatch(req, id);
    const result = await daybook.amendExpense(
      {
        userId: authOf(req).userId,
        transactionId: id,
        changes: {
          ...(body.amount === undefined ? {} : { amount: body.amount }),
          ...(body.category === undefined ? {} : { category: body.category }),
          ...(body.date === undefined ? {} : { date: body.date }),
          ...(body.merchant === undefined ? {} : { merchant: body.merchant }),
          ...(body.description === undefined ? {} : { note: body.description }),
        },
        ...consistency,
      },
      commandContext(req),
    );
    const { fields } = result;
    const currency = fields.amount.currency;
    if (result.position) res.setHeader('Daybook-Position', result.position);
    res.status(200).json({
      id: result.transactionId,
      amount: amount(fields.amount.amount, currency),
      currency,
      category: fields.category,
      date: fields.day,
      ...(fields.merchant === undefined ? {} : { merchant: fields.merchant }),
      ...(fields.note === undefined ? {} : { description: fields.note }),
      source: result.source,
      status: 'recorded',
      changed: result.changed,
      ...(result.moved ? { moved: result.moved } : {}),
      ...(result.overspentBy ? { overspentBy: amount(result.overspentBy.amount, currency) } : {}),
      ...(result.position ? { position: result.position } : {}),
    });
  });

  router.delete('/:id', requireScope(verify, 'write:transactions'), async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    await requireMatch(req, id);
    const result = await daybook.voidExpense(
      { userId: authOf(req).userId, transactionId: id, ...readConsistency(req) },
      commandContext(req),
    );
    // 204 has no body: the write's position travels in a header.
    if (result.position) res.setHeader('Daybook-Position', result.position);
    res.status(204).end();
  });
}
