import { describe, expect, it } from 'vitest';
import { registerUser, startTestApp } from '../support/app.js';
import { startOpenAiStandIn } from '../support/openai-stand-in.js';

const llm = await startOpenAiStandIn();
const app = await startTestApp({
  OPENAI_BASE_URL: llm.baseURL,
  OPENAI_API_KEY: 'test-key',
  OPENAI_TIMEOUT_MS: '300',
  OPENAI_MAX_RETRIES: '1',
  OPENAI_DAILY_CALLS_PER_USER: '3',
  // Each test below sets the stand-in's behaviour; no pause after a failure between them.
  OPENAI_COOLDOWN_MS: '0',
  ADMIN_EMAILS: 'ops@example.com',
});
const { api } = app;
const today = new Date().toISOString().slice(0, 10);

const record = (token: string, body: Record<string, unknown>) =>
  api('POST', '/api/transactions', { token, body: { amount: '12.50', date: today, ...body } });

describe('categorization tiers (issue 15)', () => {
  it('asks the language model for an uncategorized expense, with no email, card number, IBAN, phone or payee in the prompt', async () => {
    const { token } = await registerUser(api, { timezone: 'UTC' });
    llm.set('answer', () => '{"category": "pets"}');
    const secrets = [
      'jane.doe@example.com',
      '4111 1111 1111 1111',
      'DE89 3704 0044 0532 0130 00',
      'GB29NWBK60161331926819',
      '+49 170 1234567',
      'Jane Doe',
    ];
    const res = await record(token, {
      merchant: 'Paws and Claws',
      description: `Order 4111 1111 1111 1111 for jane.doe@example.com, IBAN DE89 3704 0044 0532 0130 00 / GB29NWBK60161331926819, call +49 170 1234567, transfer to Jane Doe`,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ category: 'pets', categorizedBy: 'llm' });
    expect(llm.received).toHaveLength(1);
    const prompt = llm.prompts();
    expect(prompt).toContain('Paws and Claws');
    for (const secret of secrets) expect(prompt).not.toContain(secret);
    expect(prompt.replace(/\D/g, '')).not.toContain('4111111111111111');
    expect(prompt).not.toContain('370400440532013000');
  });

  it('learns a rule from a corrected category: the next such expense is categorized by it, without the model', async () => {
    const { token } = await registerUser(api, { timezone: 'UTC' });
    llm.set('answer', () => '{"category": "shopping"}');
    const first = await record(token, { merchant: 'Blue Bottle Roasters' });
    expect(first.body).toMatchObject({ category: 'shopping', categorizedBy: 'llm' });
    const corrected = await api('PUT', `/api/transactions/${first.body.id}`, {
      token,
      body: { category: 'coffee' },
    });
    expect(corrected.status).toBe(200);
    const rules = await api('GET', '/api/rules', { token });
    expect(rules.body.items).toEqual([
      expect.objectContaining({
        pattern: 'blue bottle roasters',
        field: 'merchant',
        match: 'equals',
        category: 'coffee',
        origin: 'correction',
      }),
    ]);
    llm.set('answer');
    const next = await record(token, { merchant: 'BLUE BOTTLE  Roasters', amount: '4.20' });
    expect(next.body).toMatchObject({ category: 'coffee', categorizedBy: 'rule' });
    expect(llm.received).toHaveLength(0);
    const asked = await api('POST', '/api/ai/categorize', {
      token,
      body: { merchant: 'Blue Bottle Roasters' },
    });
    expect(asked.body).toMatchObject({
      category: 'coffee',
      categorizedBy: 'rule',
      confidence: 1,
      ruleId: rules.body.items[0].id,
    });
  });

  it("the user's own rules come first, by priority; they can be changed and removed", async () => {
    const { token } = await registerUser(api, { timezone: 'UTC' });
    llm.set('answer');
    const general = await api('POST', '/api/rules', {
      token,
      body: { pattern: 'Amazon', category: 'shopping' },
    });
    expect(general.status).toBe(201);
    const specific = await api('POST', '/api/rules', {
      token,
      body: { pattern: 'prime video', field: 'description', category: 'entertainment', priority: 200 },
    });
    const video = await record(token, { merchant: 'Amazon', description: 'Prime Video monthly' });
    expect(video.body).toMatchObject({ category: 'entertainment', categorizedBy: 'rule' });
    const changed = await api('PUT', `/api/rules/${specific.body.id}`, {
      token,
      body: { category: 'streaming' },
    });
    expect(changed.body).toMatchObject({ category: 'streaming', priority: 200 });
    expect((await api('DELETE', `/api/rules/${specific.body.id}`, { token })).status).toBe(204);
    expect((await api('DELETE', `/api/rules/${specific.body.id}`, { token })).status).toBe(404);
    const book = await record(token, { merchant: 'amazon.de', description: 'Prime Video monthly' });
    expect(book.body).toMatchObject({ category: 'shopping', categorizedBy: 'rule' });
    expect(llm.received).toHaveLength(0);
    const bad = await api('POST', '/api/rules', { token, body: { pattern: '   ', category: 'food' } });
    expect(bad.status).toBe(422);
  });

  it('remembers the category last used at a merchant (merchant memory)', async () => {
    const { token } = await registerUser(api, { timezone: 'UTC' });
    const chosen = await record(token, { merchant: 'Kiosk Nord', category: 'snacks' });
    llm.set('answer');
    const next = await record(token, { merchant: 'kiosk nord' });
    expect(next.body).toMatchObject({ category: 'snacks', categorizedBy: 'merchant-memory' });
    expect(chosen.status).toBe(201);
    expect(llm.received).toHaveLength(0);
  });

  it('a model answering 500 is retried, then the keywords decide; so does one that never answers, within the bound', async () => {
    const { token } = await registerUser(api, { timezone: 'UTC' });
    llm.set('error-500');
    const failing = await record(token, { merchant: 'Corner Cafe' });
    expect(failing.status).toBe(201);
    expect(failing.body).toMatchObject({ category: 'food', categorizedBy: 'keywords' });
    expect(llm.received).toHaveLength(2);

    llm.set('hang');
    const started = Date.now();
    const hanging = await record(token, { merchant: 'Sunset Bakery' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(hanging.body).toMatchObject({ category: 'food', categorizedBy: 'keywords' });
    expect(llm.received).toHaveLength(2);

    const unknown = await record(token, { merchant: 'Zq Holdings' });
    expect(unknown.body).toMatchObject({ category: 'other', categorizedBy: 'default' });

    // An operator sees the failing model in /api/health/external.
    await registerUser(api, { email: 'ops@example.com' });
    const login = await api('POST', '/api/auth/login', {
      body: { email: 'ops@example.com', password: 'correct horse battery' },
    });
    const external = await api('GET', '/api/health/external', { token: login.body.accessToken });
    const openai = external.body.integrations.find((i: { name: string }) => i.name === 'openai');
    expect(openai).toMatchObject({ configured: true, reachable: false });
    expect(openai.lastError).toBeTruthy();
  });

  it('bulk and CSV import categorize the expenses that name no category', async () => {
    const { token } = await registerUser(api, { timezone: 'UTC' });
    llm.set('answer', (chat) =>
      chat.messages.some((m) => m.content.includes('Fresh Paws')) ? 'pets' : '{"category":"other"}',
    );
    const bulk = await api('POST', '/api/transactions/bulk', {
      token,
      body: {
        transactions: [
          { amount: '5.00', date: today, merchant: 'Fresh Paws' },
          { amount: '6.00', date: today, merchant: 'Fresh Paws' },
          { amount: '7.00', date: today, category: 'rent' },
        ],
      },
    });
    expect(bulk.status).toBe(201);
    const items = bulk.body.months[0].transactions;
    expect(items.map((t: { category: string }) => t.category)).toEqual(['pets', 'pets', 'rent']);
    expect(items[0].categorizedBy).toBe('llm');
    expect(items[2].categorizedBy).toBeUndefined();
    expect(llm.received).toHaveLength(1);

    const mapping = encodeURIComponent(JSON.stringify({ date: 'date', amount: 'amount', merchant: 'payee' }));
    const imported = await api('POST', `/api/transactions/import?mapping=${mapping}`, {
      token,
      headers: { 'content-type': 'text/csv' },
      body: `date,amount,payee\n${today},3.40,Corner Cafe\n${today},9.99,Fresh Paws\n`,
    });
    expect(imported.body).toMatchObject({ status: 'done', progress: { imported: 2, rejected: 0 } });
    const listed = await api('GET', `/api/transactions?from=${today}&to=${today}`, { token });
    const byMerchant = Object.fromEntries(
      listed.body.items
        .filter((t: { amount: string }) => ['3.40', '9.99'].includes(t.amount))
        .map((t: { merchant: string; category: string }) => [t.merchant, t.category]),
    );
    expect(byMerchant).toEqual({ 'Corner Cafe': 'food', 'Fresh Paws': 'pets' });
  });

  it('writes the insights narrative from computed facts only, within the daily limit of model calls', async () => {
    const { token } = await registerUser(api, { timezone: 'UTC' });
    await record(token, {
      category: 'fun',
      merchant: 'Secret Lounge Hamburg',
      description: 'with jane.doe@example.com',
    });
    llm.set('answer', () => 'You are on track; keep weekend spending in check.');
    const insights = await api('GET', '/api/ai/insights', { token });
    expect(insights.status).toBe(200);
    expect(insights.body.narrative).toEqual({
      status: 'on',
      text: 'You are on track; keep weekend spending in check.',
      model: 'gpt-4o-mini',
    });
    expect(llm.prompts()).toContain('12.50 USD');
    expect(llm.prompts()).not.toContain('Secret Lounge');
    expect(llm.prompts()).not.toContain('jane.doe');
    await api('GET', '/api/drift/detect', { token });
    await api('GET', '/api/ai/advice', { token });
    const capped = await api('POST', '/api/ai/predict', { token, body: {} });
    expect(capped.body.narrative).toEqual({ status: 'off', reason: 'daily-limit-reached' });
    expect(llm.received).toHaveLength(3);
  });
});
