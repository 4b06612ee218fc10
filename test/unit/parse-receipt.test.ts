import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dateOf, parseReceipt, readingConfidence } from '../../src/domain/receipt/parse-receipt.js';
import type { Currency } from '../../src/domain/shared/money.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/ocr/${name}.txt`, import.meta.url), 'utf8');
const USD = 'USD' as Currency;
const EUR = 'EUR' as Currency;

describe('parseReceipt: OCR text of receipts', () => {
  it('a cafe receipt: merchant, day-first date, total, the user currency when the code is misread, items', () => {
    const reading = parseReceipt(fixture('corner-cafe'), { currency: USD, monthFirst: true });
    expect(reading).toMatchObject({
      merchant: 'Corner Cafe',
      date: '2026-03-14',
      dateOrder: 'day-first',
      total: 1250n,
      totalFrom: 'total-line',
      currency: 'USD',
    });
    expect(reading.items).toEqual([
      { description: 'Cappuccino', amount: 450n },
      { description: 'Croissant', amount: 800n },
    ]);
  });

  it('a US supermarket: the total, not the subtotal, card or change line; 03/04 read month first', () => {
    const reading = parseReceipt(fixture('supermarket-us'), { currency: USD, monthFirst: true });
    expect(reading).toMatchObject({ merchant: 'Fresh Foods Supermarket', date: '2026-03-04', total: 1143n });
    expect(reading.dateOrder).toBe('month-first');
    expect(reading.items.map((i) => i.description)).toEqual(['MILK 2', 'BREAD', 'APPLES 1.2 LB']);
  });

  it('the same 03/04 is 3 April where dates are written day first', () => {
    expect(dateOf('03/04/2026', false)).toEqual({ date: '2026-04-03', dateOrder: 'day-first' });
    expect(dateOf('03/04/2026', true)).toEqual({ date: '2026-03-04', dateOrder: 'month-first' });
    expect(dateOf('12/25/26', false)).toEqual({ date: '2026-12-25', dateOrder: 'month-first' });
    expect(dateOf('31.02.2026', false)).toBeUndefined();
    expect(dateOf('Mar 5, 2026', false)).toEqual({ date: '2026-03-05', dateOrder: 'named' });
  });

  it('a euro receipt with decimal commas and a month name', () => {
    const reading = parseReceipt(fixture('restaurant-eur'), { currency: USD, monthFirst: true });
    expect(reading).toMatchObject({
      merchant: 'Trattoria da Luigi',
      date: '2026-03-12',
      dateOrder: 'named',
      total: 1800n,
      currency: 'EUR',
    });
  });

  it('thousands separators and a pound sign; the grand total wins over the sub-total and VAT', () => {
    const reading = parseReceipt(fixture('big-amount-gbp'), { currency: EUR, monthFirst: false });
    expect(reading).toMatchObject({
      merchant: 'Electronics World',
      date: '2026-01-07',
      total: 126899n,
      currency: 'GBP',
    });
  });

  it('without a total line the largest amount is taken, and the confidence says so', () => {
    const reading = parseReceipt(fixture('noisy-no-total'), { currency: USD, monthFirst: true });
    expect(reading).toMatchObject({
      merchant: 'Bookstore & Co',
      date: '2026-02-28',
      total: 1499n,
      totalFrom: 'largest',
    });
    const stated = parseReceipt(fixture('corner-cafe'), { currency: USD, monthFirst: true });
    expect(readingConfidence(0.9, reading)).toBeLessThan(readingConfidence(0.9, stated));
    expect(readingConfidence(0.9, stated)).toBe(0.9);
  });

  it('text with nothing in it reads as nothing, in the user currency', () => {
    expect(parseReceipt('', { currency: USD, monthFirst: true })).toEqual({ currency: 'USD', items: [] });
    expect(parseReceipt('%%%%\n....', { currency: USD, monthFirst: true }).total).toBeUndefined();
  });
});
