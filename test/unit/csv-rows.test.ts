import { describe, expect, it } from 'vitest';
import {
  guessDelimiter,
  normalizeCsvAmount,
  parseCsvDate,
  readCsv,
} from '../../src/application/imports/csv-rows.js';
import { parseCurrency } from '../../src/domain/shared/money.js';

describe('CSV import rows', () => {
  it('reads bank amounts', () => {
    expect(normalizeCsvAmount('-1.234,56', ',')).toBe('-1234.56');
    expect(normalizeCsvAmount('1 234,5 €', ',')).toBe('1234.5');
    expect(normalizeCsvAmount('(12.00)', '.')).toBe('-12.00');
    expect(normalizeCsvAmount('12,50-', ',')).toBe('-12.50');
    expect(normalizeCsvAmount('USD 1,000.00', '.')).toBe('1000.00');
    expect(normalizeCsvAmount('+007.5', '.')).toBe('7.5');
    for (const bad of ['', 'abc', '1,2,3', '1.2.3', '12,34', '1e5', 'NaN', '--1']) {
      expect(normalizeCsvAmount(bad, '.')).toBeUndefined();
    }
  });

  it('reads dates in each format, and refuses impossible ones', () => {
    expect(parseCsvDate('03/06/2025', 'DD/MM/YYYY')).toBe('2025-06-03');
    expect(parseCsvDate('3.6.2025', 'DD.MM.YYYY')).toBe('2025-06-03');
    expect(parseCsvDate('06/03/2025', 'MM/DD/YYYY')).toBe('2025-06-03');
    expect(parseCsvDate('2025-06-03T10:00:00Z', 'YYYY-MM-DD')).toBe('2025-06-03');
    expect(parseCsvDate('31/02/2025', 'DD/MM/YYYY')).toBeUndefined();
    expect(parseCsvDate('2025-06-03', 'DD/MM/YYYY')).toBeUndefined();
  });

  it('guesses the delimiter from the header and reports rows, never throwing for a bad one', async () => {
    expect(guessDelimiter('a;b;"c,d"\n1,2')).toBe(';');
    expect(guessDelimiter('a\tb\n')).toBe('\t');
    const rows = await readCsv(
      '\uFEFFDate;Amount;Category\n2025-06-01;1,50;Eating Out\n2025-06-02;x;food\n2025-06-03\n',
      { date: 'date', amount: 'AMOUNT', category: 'Category', decimalSeparator: ',' },
      parseCurrency('EUR'),
    );
    expect(rows).toEqual([
      {
        row: 2,
        kind: 'expense',
        expense: { day: '2025-06-01', amount: { amount: 150n, currency: 'EUR' }, category: 'eating-out' },
      },
      { row: 3, kind: 'error', message: 'amount "x" is not a number' },
      { row: 4, kind: 'error', message: 'has 1 columns; the mapped columns are missing' },
    ]);
  });
});
