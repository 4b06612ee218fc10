import { Router } from 'express';
import type { Daybook } from '../../../application/daybook.js';
import type { GoalView } from '../../../application/goals/goal-view.js';
import type { Currency } from '../../../domain/shared/money.js';
import { authOf, claimsOf, requireScope } from '../auth.js';
import { commandContext } from '../context.js';
import { idempotency } from '../idempotency.js';
import { parseBody, parseParams } from '../validate.js';
import { amount } from '../views.js';
import {
  contributeBody,
  createGoalBody,
  goalParams,
  reversePlanBody,
  timelineBody,
  updateGoalBody,
  withdrawBody,
} from './goals.docs.js';

export const goalJson = (g: GoalView) => ({
  id: g.id,
  name: g.name,
  status: g.status,
  currency: g.currency,
  target: amount(g.target, g.currency),
  saved: amount(g.saved, g.currency),
  contributed: amount(g.contributed, g.currency),
  withdrawn: amount(g.withdrawn, g.currency),
  remaining: amount(g.remaining, g.currency),
  progress: g.progress,
  ...(g.targetDate ? { targetDate: g.targetDate } : {}),
  milestones: g.milestones,
  createdAt: g.createdAt,
  ...(g.achievedAt ? { achievedAt: g.achievedAt } : {}),
  ...(g.abandonedAt ? { abandonedAt: g.abandonedAt } : {}),
});

const planningBasis = (r: {
  currency: Currency;
  start: string;
  capacity?: { monthly: bigint; basis: string; months: number };
}) => ({
  currency: r.currency,
  start: r.start,
  ...(r.capacity ? { capacity: { ...r.capacity, monthly: amount(r.capacity.monthly, r.currency) } } : {}),
});

const withPosition = (position: string | undefined) => (position ? { position } : {});

/** Savings goals: `/api/goals`. */
export function goalRoutes(daybook: Daybook): Router {
  const router = Router();
  plannerRoutes(router, daybook);
  goalListRoutes(router, daybook);
  goalMoneyRoutes(router, daybook);
  return router;
}

/** The goal planner: timeline and reverse plan. */
function plannerRoutes(router: Router, daybook: Daybook): void {
  const verify = daybook.verifyAccessToken;
  // The planner answers anyone; a valid token adds the user's own numbers.
  router.post('/calculate-timeline', async (req, res) => {
    const body = parseBody(timelineBody, req.body);
    const claims = await claimsOf(req, verify);
    const r = await daybook.calculateTimeline({ ...body, ...(claims ? { userId: claims.userId } : {}) });
    const money = (v: bigint) => amount(v, r.currency);
    res.json({
      ...planningBasis(r),
      monthsNeeded: r.timeline.monthsNeeded,
      targetDate: r.timeline.targetDate,
      milestones: r.timeline.milestones.map((m) => ({ ...m, amount: money(m.amount) })),
      feasibility: r.timeline.feasibility,
    });
  });

  router.post('/reverse-plan', async (req, res) => {
    const body = parseBody(reversePlanBody, req.body);
    const claims = await claimsOf(req, verify);
    const r = await daybook.reversePlan({ ...body, ...(claims ? { userId: claims.userId } : {}) });
    const money = (v: bigint) => amount(v, r.currency);
    res.json({
      ...planningBasis(r),
      targetDate: body.targetDate,
      months: r.plan.months,
      requiredMonthly: money(r.plan.requiredMonthly),
      feasibility: r.plan.feasibility,
      scenarios: r.plan.scenarios.map((s) => ({ ...s, monthly: money(s.monthly) })),
    });
  });
}

/** The user's goals: list, create, change. */
function goalListRoutes(router: Router, daybook: Daybook): void {
  const verify = daybook.verifyAccessToken;
  const idempotent = idempotency(daybook.idempotencyKeys);
  router.get('/', requireScope(verify, 'read:goals'), async (req, res) => {
    const goals = await daybook.listGoals(authOf(req).userId);
    res.json({ goals: goals.map(goalJson) });
  });

  router.post('/', requireScope(verify, 'write:goals'), idempotent, async (req, res) => {
    const body = parseBody(createGoalBody, req.body);
    const key = req.get('idempotency-key');
    const result = await daybook.createGoal(
      {
        userId: authOf(req).userId,
        name: body.name,
        target: body.target,
        ...(body.id ? { goalId: body.id } : {}),
        ...(body.targetDate ? { targetDate: body.targetDate } : {}),
        ...(key === undefined ? {} : { idempotencyKey: key }),
      },
      commandContext(req),
    );
    res.status(201).location(`/api/goals/${result.goal.id}`);
    res.json({ ...goalJson(result.goal), ...withPosition(result.position) });
  });

  router.put('/:id', requireScope(verify, 'write:goals'), async (req, res) => {
    const { id } = parseParams(goalParams, req.params);
    const body = parseBody(updateGoalBody, req.body);
    const result = await daybook.updateGoal(
      {
        userId: authOf(req).userId,
        goalId: id,
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.target === undefined ? {} : { target: body.target }),
        ...(body.targetDate === undefined ? {} : { targetDate: body.targetDate }),
        ...(body.status ? { status: body.status } : {}),
        ...(body.reason ? { reason: body.reason } : {}),
      },
      commandContext(req),
    );
    res.json({ ...goalJson(result.goal), ...withPosition(result.position) });
  });
}

/** Money into and out of a goal. */
function goalMoneyRoutes(router: Router, daybook: Daybook): void {
  const verify = daybook.verifyAccessToken;
  const idempotent = idempotency(daybook.idempotencyKeys);
  router.post('/:id/contribute', requireScope(verify, 'write:goals'), idempotent, async (req, res) => {
    const { id } = parseParams(goalParams, req.params);
    const body = parseBody(contributeBody, req.body);
    const key = req.get('idempotency-key');
    const result = await daybook.contribute(
      {
        userId: authOf(req).userId,
        goalId: id,
        amount: body.amount,
        ...(body.id ? { contributionId: body.id } : {}),
        ...(body.date ? { date: body.date } : {}),
        ...(body.category ? { category: body.category } : {}),
        ...(key === undefined ? {} : { idempotencyKey: key }),
      },
      commandContext(req),
    );
    const { contribution: c, goal } = result;
    res.status(201).json({
      goal: goalJson(goal),
      contribution: {
        id: c.id,
        transactionId: c.transactionId,
        amount: amount(c.amount, goal.currency),
        date: c.date,
        category: c.category,
        ...(c.overspentBy === undefined ? {} : { overspentBy: amount(c.overspentBy, goal.currency) }),
      },
      ...withPosition(result.position),
    });
  });

  router.post('/:id/withdraw', requireScope(verify, 'write:goals'), async (req, res) => {
    const { id } = parseParams(goalParams, req.params);
    const body = parseBody(withdrawBody, req.body);
    const result = await daybook.withdrawFromGoal(
      {
        userId: authOf(req).userId,
        goalId: id,
        amount: body.amount,
        ...(body.id ? { withdrawalId: body.id } : {}),
      },
      commandContext(req),
    );
    res.status(201).json({ ...goalJson(result.goal), ...withPosition(result.position) });
  });
}
