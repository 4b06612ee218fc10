import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, conformsToDocument, registerUser, startTestApp } from '../support/app.js';
import { cornerCafe, receiptImage } from '../support/receipt-images.js';
import { until } from '../support/settled.js';
import { startVisionStandIn, type VisionStandIn } from '../support/vision-stand-in.js';

type App = Awaited<ReturnType<typeof startTestApp>>;

/** POST /api/ocr/process with a multipart `image`, checked against the served document like every call. */
async function upload(app: App, token: string, image: Buffer, type = 'image/png'): Promise<ApiResponse> {
  const form = new FormData();
  form.append('image', new Blob([image], { type }), 'receipt');
  const response = await fetch(`${app.url}/api/ocr/process`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const body = await response.json();
  conformsToDocument('POST', '/api/ocr/process', response, body);
  return { status: response.status, headers: response.headers, body };
}

const finished = (app: App, token: string, id: string, timeoutMs = 60_000) =>
  until(
    () => app.api('GET', `/api/ocr/jobs/${id}`, { token }),
    (r) => r.status !== 200 || r.body.status !== 'queued',
    `receipt ${id} read`,
    timeoutMs,
  );

// OCR is CPU-bound: on a busy 2-core machine a reading can take several seconds.
describe('receipts read by the local OCR (no credentials)', { timeout: 120_000 }, () => {
  let app: App;
  beforeAll(async () => {
    app = await startTestApp({ OCR_RETRY_DELAY_MS: '50' });
  });

  it('a photo of "12.50 at Corner Cafe" becomes a suggested food expense; confirming records it once', async () => {
    const user = await registerUser(app.api);
    const posted = await upload(app, user.token, await receiptImage(cornerCafe()));
    expect(posted.status).toBe(202);
    expect(posted.headers.get('location')).toBe(`/api/ocr/jobs/${posted.body.id}`);
    expect(posted.body.status).toBe('queued');

    const read = await finished(app, user.token, posted.body.id);
    expect(read.body).toMatchObject({
      status: 'read',
      engine: 'tesseract',
      suggestion: {
        amount: '12.50',
        currency: 'USD',
        category: 'food',
        merchant: 'Corner Cafe',
        date: '2026-03-14',
      },
      reading: { merchant: 'Corner Cafe', total: '12.50', dateOrder: 'day-first' },
    });
    expect(read.body.suggestion.confidence).toBeGreaterThan(0.5);

    const told = await until(
      () => app.api('GET', '/api/notifications', { token: user.token }),
      (r) => r.body.items.length > 0,
      'receipt notification',
    );
    expect(told.body.items[0]).toMatchObject({ kind: 'receipt', data: { receiptId: posted.body.id } });
    expect(told.body.items[0].text).toContain('12.50 USD for food');

    const confirmed = await app.api('POST', `/api/ocr/${posted.body.id}/confirm`, { token: user.token });
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.transaction).toMatchObject({ amount: '12.50', category: 'food', automatic: false });
    const again = await app.api('POST', `/api/ocr/${posted.body.id}/confirm`, { token: user.token });
    expect(again.status).toBe(200);
    expect(again.body.transaction.id).toBe(confirmed.body.transaction.id);

    const list = await app.api('GET', '/api/transactions', { token: user.token });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({
      amount: '12.50',
      category: 'food',
      source: 'receipt',
      merchant: 'Corner Cafe',
    });
    const history = await app.api('GET', '/api/ocr/history', { token: user.token });
    expect(history.body.items.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([
      [posted.body.id, 'confirmed'],
    ]);
    // Confirmed: it cannot be read again, and another user does not see it.
    expect(
      (await app.api('POST', `/api/ocr/reprocess/${posted.body.id}`, { token: user.token })).status,
    ).toBe(409);
    const other = await registerUser(app.api);
    expect((await app.api('GET', `/api/ocr/jobs/${posted.body.id}`, { token: other.token })).status).toBe(
      404,
    );
  });

  it('reads other layouts: month-first for a US date, a skewed photo, a blurry one, one turned by EXIF', async () => {
    const user = await registerUser(app.api);
    const photos = await Promise.all([
      receiptImage({ ...cornerCafe('03/04/2026'), font: 'DejaVu Sans', skew: 6 }),
      receiptImage({ ...cornerCafe('2026-05-02'), blur: 1.2 }),
      receiptImage({
        lines: [
          'FRESH FOODS SUPERMARKET',
          'Mar 7, 2026',
          'Milk            3.49',
          'Bread           2.99',
          'TOTAL           6.48',
        ],
        font: 'DejaVu Serif',
        exifRotated: true,
      }),
    ]);
    const posted = [];
    for (const [i, photo] of photos.entries())
      posted.push(await upload(app, user.token, photo, i === 2 ? 'image/jpeg' : 'image/png'));
    // Recognition runs in a worker thread: the API answers meanwhile.
    for (let i = 0; i < 5; i++) {
      const asked = performance.now();
      expect((await app.api('GET', '/health/live')).status).toBe(200);
      expect(performance.now() - asked).toBeLessThan(1000);
    }
    const read = await Promise.all(posted.map((p) => finished(app, user.token, p.body.id)));
    expect(read.map((r) => r.body.suggestion)).toMatchObject([
      { amount: '12.50', date: '2026-03-04', category: 'food' },
      { amount: '12.50', date: '2026-05-02', category: 'food' },
      { amount: '6.48', date: '2026-03-07', category: 'food', merchant: 'Fresh Foods Supermarket' },
    ]);
    // Read again on request: a new run, the same answer.
    const again = await app.api('POST', `/api/ocr/reprocess/${posted[1]?.body.id}`, { token: user.token });
    expect(again).toMatchObject({ status: 202, body: { status: 'queued', run: 2 } });
    expect((await finished(app, user.token, posted[1]?.body.id)).body).toMatchObject({
      status: 'read',
      run: 2,
    });
  });

  it('refuses what is not a receipt photo with a problem, never a 500', async () => {
    const user = await registerUser(app.api);
    const text = await upload(app, user.token, Buffer.from('just some text, not an image'), 'image/png');
    expect(text).toMatchObject({ status: 415, body: { code: 'unsupported-media-type' } });
    const json = await app.api('POST', '/api/ocr/process', { token: user.token, body: { image: 'x' } });
    expect(json.status).toBe(415);
    const huge = await upload(app, user.token, Buffer.alloc(10 * 1024 * 1024 + 1, 0xff));
    expect(huge).toMatchObject({ status: 413, body: { code: 'file-too-large' } });
    const form = new FormData();
    form.append('note', 'no image here');
    const missing = await fetch(`${app.url}/api/ocr/process`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}` },
      body: form,
    });
    expect(missing.status).toBe(400);
    expect((await app.api('GET', '/api/ocr/jobs/no-such-receipt', { token: user.token })).status).toBe(404);
    expect((await app.api('POST', '/api/ocr/no-such-receipt/confirm', { token: user.token })).status).toBe(
      404,
    );
    expect((await app.api('GET', '/api/ocr/history')).status).toBe(401);
  });
});

describe('receipts read by Google Vision (a local stand-in of its REST API)', { timeout: 120_000 }, () => {
  let vision: VisionStandIn;
  let app: App;
  beforeAll(async () => {
    vision = await startVisionStandIn();
    app = await startTestApp({
      GOOGLE_VISION_API_KEY: 'test-key',
      GOOGLE_VISION_ENDPOINT: vision.url,
      OCR_TIMEOUT_MS: '400',
      OCR_MAX_ATTEMPTS: '3',
      OCR_RETRY_DELAY_MS: '50',
      OCR_AUTO_CONFIRM_CONFIDENCE: '0.9',
      ADMIN_EMAILS: 'ops@example.com',
    });
  });
  afterAll(async () => {
    await app.stop();
    await vision.close();
  });

  it('a provider that times out and then answers 5xx is retried, then the receipt fails visibly; reprocessing reads it (auto-confirmed)', async () => {
    vision.behave({ kind: 'hang' }, { kind: 'status', status: 503 }, { kind: 'status', status: 500 });
    const user = await registerUser(app.api);
    const started = Date.now();
    const posted = await upload(app, user.token, await receiptImage(cornerCafe()));
    expect(posted.status).toBe(202);
    expect(Date.now() - started).toBeLessThan(5000);
    const failed = await finished(app, user.token, posted.body.id, 20_000);
    expect(failed.body).toMatchObject({ status: 'failed', failedAttempts: 3, engine: 'google-vision' });
    expect(failed.body.lastError).toMatch(/500|unavailable|internal/i);
    expect(vision.requests).toHaveLength(3);
    expect(vision.requests[0]?.apiKey).toBe('test-key');

    await registerUser(app.api, { email: 'ops@example.com' });
    const login = await app.api('POST', '/api/auth/login', {
      body: { email: 'ops@example.com', password: 'correct horse battery' },
    });
    const ops = { token: login.body.accessToken as string };
    const external = await app.api('GET', '/api/health/external', { token: ops.token });
    expect(external.status).toBe(200);
    const byName = Object.fromEntries(external.body.integrations.map((i: { name: string }) => [i.name, i]));
    expect(byName.vision).toMatchObject({ configured: true, reachable: false });
    expect(byName.firebase).toMatchObject({ configured: false });
    expect(byName.openai).toMatchObject({ configured: false });
    expect((await app.api('GET', '/api/health/external', { token: user.token })).status).toBe(403);

    vision.behave({
      kind: 'text',
      text: 'CORNER CAFE\nDate: 14/03/2026\nCappuccino 4.50\nCroissant 8.00\nTOTAL 12.50\n',
    });
    expect(
      (await app.api('POST', `/api/ocr/reprocess/${posted.body.id}`, { token: user.token })).status,
    ).toBe(202);
    // Read with confidence 0.97, above OCR_AUTO_CONFIRM_CONFIDENCE: recorded without the user.
    const read = await until(
      () => app.api('GET', `/api/ocr/jobs/${posted.body.id}`, { token: user.token }),
      (r) => r.body.status === 'confirmed',
      'receipt confirmed automatically',
    );
    expect(read.body).toMatchObject({
      run: 2,
      suggestion: { amount: '12.50', category: 'food', merchant: 'Corner Cafe', date: '2026-03-14' },
      transaction: { amount: '12.50', category: 'food', automatic: true },
    });
    const list = await app.api('GET', '/api/transactions', { token: user.token });
    expect(list.body.items).toMatchObject([{ amount: '12.50', source: 'receipt' }]);
    const sent = vision.requests.at(-1)?.body.requests?.[0] as {
      image: { content: string };
      features: { type: unknown }[];
    };
    expect(Buffer.from(sent.image.content, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(['DOCUMENT_TEXT_DETECTION', 11]).toContain(sent.features[0]?.type);
    const healthy = await app.api('GET', '/api/health/external', { token: ops.token });
    expect(healthy.body.integrations.find((i: { name: string }) => i.name === 'vision')).toMatchObject({
      reachable: true,
    });
  });

  it('a receipt still being read cannot be confirmed (409); one that could not be read is confirmed by hand', async () => {
    vision.behave({ kind: 'hang' }, { kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    const user = await registerUser(app.api);
    const posted = await upload(app, user.token, await receiptImage(cornerCafe()));
    const early = await app.api('POST', `/api/ocr/${posted.body.id}/confirm`, { token: user.token });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ status: 409, code: 'receipt-not-ready' });
    expect(['queued', 'reading']).toContain(early.body.receiptStatus);

    const failed = await finished(app, user.token, posted.body.id, 20_000);
    expect(failed.body.status).toBe('failed');
    const nothingTyped = await app.api('POST', `/api/ocr/${posted.body.id}/confirm`, { token: user.token });
    expect(nothingTyped.body).toMatchObject({ status: 422, code: 'invalid-receipt' });
    const typed = await app.api('POST', `/api/ocr/${posted.body.id}/confirm`, {
      token: user.token,
      body: { amount: '12.50', date: '2026-03-14', category: 'food', merchant: 'Corner Cafe' },
    });
    expect(typed.status).toBe(201);
    expect(typed.body.transaction).toMatchObject({ amount: '12.50', category: 'food', automatic: false });
    const list = await app.api('GET', '/api/transactions', { token: user.token });
    expect(list.body.items).toMatchObject([{ amount: '12.50', date: '2026-03-14', source: 'receipt' }]);
  });
});
