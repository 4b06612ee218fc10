import { describe, expect, it } from 'vitest';
import { registerUser, startTestApp } from '../support/app.js';

// No OPENAI_API_KEY / OPENAI_BASE_URL: every endpoint answers with the computed part, narrative off.
// A generous read-your-writes bound: the machine running the suite is shared and busy.
const app = await startTestApp({ READ_YOUR_WRITES_TIMEOUT_MS: '15000' });
const { api } = app;

const DAY_MS = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY_MS).toISOString().slice(0, 10);

describe('insights without a language model (issue 15)', () => {
  it('finds the anomalous day, the monthly subscription and the weekday pattern from the history', async () => {
    const { token } = await registerUser(api, { timezone: 'UTC' });
    const transactions = [
      ...Array.from({ length: 75 }, (_, i) => ({ amount: '10.00', date: daysAgo(i + 1), category: 'food' })),
      { amount: '400.00', date: daysAgo(3), category: 'fun', merchant: 'Big Night Out' },
      ...[70, 40, 10].map((n) => ({
        amount: '12.99',
        date: daysAgo(n),
        category: 'entertainment',
        merchant: 'StreamFlix',
      })),
    ];
    const bulk = await api('POST', '/api/transactions/bulk', { token, body: { transactions } });
    expect(bulk.status).toBe(201);
    expect(bulk.body.rejected).toBe(0);

    const patterns = await api('GET', '/api/behavior/patterns', { token });
    expect(patterns.status).toBe(200);
    expect(patterns.headers.get('daybook-caught-up')).toBe('true');
    expect(patterns.body.narrative).toEqual({ status: 'off', reason: 'not-configured' });
    expect(patterns.body.anomalies, JSON.stringify(patterns.body)).toEqual([
      expect.objectContaining({ day: daysAgo(3), spent: '410.00', typical: '10.00' }),
    ]);
    expect(patterns.body.recurring).toEqual([
      expect.objectContaining({
        merchant: 'StreamFlix',
        cadence: 'monthly',
        typicalAmount: '12.99',
        occurrences: 3,
        nextExpected: daysAgo(-20),
      }),
    ]);
    expect(patterns.body.weekdays.byWeekday).toHaveLength(7);

    const insights = await api('GET', '/api/ai/insights', { token });
    expect(insights.status).toBe(200);
    expect(insights.body.narrative.status).toBe('off');
    expect(insights.body.forecast.daysElapsed).toBe(Number(new Date().toISOString().slice(8, 10)));

    const advice = await api('GET', '/api/ai/advice', { token });
    expect(advice.body.advice.map((a: { kind: string }) => a.kind)).toEqual(
      expect.arrayContaining(['anomalous-day', 'recurring-charges']),
    );
    const predict = await api('POST', '/api/ai/predict', { token, body: { category: 'food' } });
    expect(predict.status).toBe(200);
    expect(predict.body.forecast.categories.every((c: { category: string }) => c.category === 'food')).toBe(
      true,
    );
    const drift = await api('GET', '/api/drift/detect?months=2', { token });
    expect(drift.status).toBe(200);
    expect(drift.body.baselineMonths).toBe(2);
    expect(drift.body.narrative.reason).toBe('not-configured');
    expect((await api('GET', '/api/drift/detect?months=40', { token })).status).toBe(400);
  });
});
