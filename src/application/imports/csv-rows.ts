import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { type Category, parseCategory } from '../../domain/shared/category.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { type LocalDate, parseLocalDate } from '../../domain/shared/local-date.js';
import { type Currency, type Money, parseMoney } from '../../domain/shared/money.js';

export type DateFormat = 'YYYY-MM-DD' | 'DD/MM/YYYY' | 'MM/DD/YYYY' | 'DD.MM.YYYY';
export const DATE_FORMATS: readonly DateFormat[] = ['YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY'];
export type CsvDelimiter = ',' | ';' | '\t' | '|';
export const CSV_DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t', '|'];

/**
 * How a bank's CSV maps onto expenses: header names of the columns, and how its dates and amounts are
 * written. One mapping per bank format.
 */
export interface ImportMapping {
  readonly date: string;
  readonly amount: string;
  readonly merchant?: string;
  readonly description?: string;
  readonly category?: string;
  /** For rows whose category column is missing or empty. */
  readonly defaultCategory?: string;
  /** Default YYYY-MM-DD. `/`, `.` and `-` are accepted as separators in each; a time after the date is ignored. */
  readonly dateFormat?: DateFormat;
  /** Default `.`; the other of `.`/`,` (and spaces, `'`) may group thousands. */
  readonly decimalSeparator?: '.' | ',';
  /**
   * True for bank exports where money going out is negative: negative amounts are the expenses (their
   * absolute value is recorded) and positive ones (credits) are skipped. Default false: amounts are
   * expenses as written and must be greater than zero.
   */
  readonly negativeIsExpense?: boolean;
  /** Default: guessed from the header line (the most frequent of `,` `;` tab `|`). */
  readonly delimiter?: CsvDelimiter;
}

/** A file that cannot be imported at all (as opposed to a bad row): the client gets a 422. */
export class ImportFileError extends Error {
  constructor(
    readonly code: 'invalid-csv' | 'invalid-mapping' | 'empty-file' | 'too-many-rows',
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ImportFileError';
  }
}

export interface ParsedExpense {
  readonly day: LocalDate;
  readonly amount: Money;
  /** Absent: no category column value and no defaultCategory; the categorizer decides. */
  readonly category?: Category;
  readonly merchant?: string;
  readonly note?: string;
}

/** One data row: an expense, a row error, or a row that is not an expense. `row` counts the header as 1. */
export type CsvRow =
  | { readonly row: number; readonly kind: 'expense'; readonly expense: ParsedExpense }
  | { readonly row: number; readonly kind: 'error'; readonly message: string }
  | { readonly row: number; readonly kind: 'skipped'; readonly reason: string };

export const MAX_IMPORT_ROWS = 50_000;
const MAX_TEXT = 200;
const MAX_RECORD_BYTES = 64 * 1024;

/** The delimiter the header line uses most (outside quotes), `,` when it has none. */
export function guessDelimiter(content: string): CsvDelimiter {
  const end = content.search(/\r?\n/);
  const header = (end < 0 ? content : content.slice(0, end)).replace(/"[^"]*"/g, '');
  let best: CsvDelimiter = ',';
  let bestCount = 0;
  for (const delimiter of CSV_DELIMITERS) {
    const count = header.split(delimiter).length - 1;
    if (count > bestCount) {
      best = delimiter;
      bestCount = count;
    }
  }
  return best;
}

const DATE_SHAPES: Readonly<Record<DateFormat, { re: RegExp; order: [number, number, number] }>> = {
  // [year, month, day] group indexes
  'YYYY-MM-DD': { re: /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/, order: [1, 2, 3] },
  'DD/MM/YYYY': { re: /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/, order: [3, 2, 1] },
  'DD.MM.YYYY': { re: /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/, order: [3, 2, 1] },
  'MM/DD/YYYY': { re: /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/, order: [3, 1, 2] },
};

export function parseCsvDate(raw: string, format: DateFormat): LocalDate | undefined {
  const token = raw.trim().split(/[T\s]/)[0] ?? '';
  const shape = DATE_SHAPES[format];
  const match = shape.re.exec(token);
  if (!match) return undefined;
  const [y, m, d] = shape.order.map((i) => match[i] as string) as [string, string, string];
  try {
    return parseLocalDate(`${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`);
  } catch (error) {
    if (error instanceof DomainError) return undefined;
    throw error;
  }
}

/**
 * A bank's amount as a signed decimal string in major units: thousands separators, spaces, currency
 * symbols or codes around it, parentheses or a trailing minus for negatives are understood.
 */
export function normalizeCsvAmount(raw: string, decimalSeparator: '.' | ','): string | undefined {
  let s = raw.trim().replace(/[\s\u00a0\u202f']/g, '');
  s = s.replace(/^[A-Za-z]{3}(?=[-+(\d])/, '').replace(/(?<=[\d)-])[A-Za-z]{3}$/, '');
  s = s.replace(/[€$£¥₹₽₩₺₪]/g, '');
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1);
  }
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = negative !== s.startsWith('-');
    s = s.slice(1);
  } else if (s.endsWith('-')) {
    negative = !negative;
    s = s.slice(0, -1);
  }
  const thousands = decimalSeparator === ',' ? '.' : ',';
  const t = `\\${thousands}`;
  const dec = `\\${decimalSeparator}`;
  const shape = new RegExp(`^(?:\\d{1,3}(?:${t}\\d{3})+|\\d+)(?:${dec}\\d+)?$`);
  if (!shape.test(s)) return undefined;
  s = s.split(thousands).join('').replace(decimalSeparator, '.');
  s = s.replace(/^0+(?=\d)/, '');
  return negative ? `-${s}` : s;
}

const clip = (value: string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  const text = value
    .replace(/\p{Cc}/gu, ' ')
    .trim()
    .slice(0, MAX_TEXT);
  return text === '' ? undefined : text;
};

/** A category cell as a category: lower case, spaces and other separators turned into `-`. */
const categoryOf = (value: string): Category =>
  parseCategory(
    value
      .trim()
      .toLowerCase()
      .replace(/[\s/&.]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, ''),
  );

/** The column index of each mapped header; a mapped column missing from the header is an ImportFileError. */
function resolveColumns(header: readonly string[], mapping: ImportMapping) {
  const names = header.map((h) => h.trim());
  const find = (field: keyof ImportMapping, wanted: string | undefined): number | undefined => {
    if (wanted === undefined) return undefined;
    let index = names.indexOf(wanted.trim());
    if (index < 0) index = names.findIndex((n) => n.toLowerCase() === wanted.trim().toLowerCase());
    if (index < 0) {
      throw new ImportFileError('invalid-mapping', `mapping.${field}: no column "${wanted}" in the header`, {
        field: `mapping.${field}`,
        columns: names.slice(0, 50),
      });
    }
    return index;
  };
  return {
    date: find('date', mapping.date) as number,
    amount: find('amount', mapping.amount) as number,
    merchant: find('merchant', mapping.merchant),
    description: find('description', mapping.description),
    category: find('category', mapping.category),
  };
}

function toRow(
  row: number,
  cells: readonly string[],
  columns: ReturnType<typeof resolveColumns>,
  mapping: ImportMapping,
  currency: Currency,
): CsvRow {
  const cell = (index: number | undefined) => (index === undefined ? undefined : cells[index]);
  const rawDate = cell(columns.date);
  const rawAmount = cell(columns.amount);
  if (rawDate === undefined || rawAmount === undefined) {
    return { row, kind: 'error', message: `has ${cells.length} columns; the mapped columns are missing` };
  }
  const format = mapping.dateFormat ?? 'YYYY-MM-DD';
  const day = parseCsvDate(rawDate, format);
  if (!day) {
    return { row, kind: 'error', message: `date "${rawDate.slice(0, 40)}" is not a ${format} calendar date` };
  }
  const decimal = normalizeCsvAmount(rawAmount, mapping.decimalSeparator ?? '.');
  if (decimal === undefined) {
    return { row, kind: 'error', message: `amount "${rawAmount.slice(0, 40)}" is not a number` };
  }
  let amount: Money;
  try {
    amount = parseMoney(decimal, currency);
  } catch (error) {
    if (error instanceof DomainError) return { row, kind: 'error', message: `amount: ${error.message}` };
    throw error;
  }
  if (mapping.negativeIsExpense) {
    if (amount.amount >= 0n) return { row, kind: 'skipped', reason: 'not an expense (credit or zero)' };
    amount = { ...amount, amount: -amount.amount };
  } else if (amount.amount <= 0n) {
    return {
      row,
      kind: 'error',
      message: `amount ${decimal} is not greater than zero (for exports where expenses are negative, set negativeIsExpense)`,
    };
  }
  const rawCategory = clip(cell(columns.category));
  let category: Category | undefined;
  try {
    if (rawCategory !== undefined) category = categoryOf(rawCategory);
    else if (mapping.defaultCategory !== undefined) category = parseCategory(mapping.defaultCategory);
  } catch (error) {
    if (error instanceof DomainError) return { row, kind: 'error', message: `category: ${error.message}` };
    throw error;
  }
  const merchant = clip(cell(columns.merchant));
  const note = clip(cell(columns.description));
  return {
    row,
    kind: 'expense',
    expense: {
      day,
      amount,
      ...(category ? { category } : {}),
      ...(merchant ? { merchant } : {}),
      ...(note ? { note } : {}),
    },
  };
}

/**
 * Reads a CSV file (first record = header) with csv-parse's streaming parser and maps each data row.
 * Row problems become `error` rows; a file that cannot be read, or a mapping that names a column the
 * header lacks, throws ImportFileError.
 */
export async function readCsv(
  content: string,
  mapping: ImportMapping,
  currency: Currency,
): Promise<CsvRow[]> {
  if (content.includes('\u0000')) {
    throw new ImportFileError('invalid-csv', 'The file contains NUL bytes: it is not a text CSV file');
  }
  const parser = Readable.from([content]).pipe(
    parse({
      bom: true,
      delimiter: mapping.delimiter ?? guessDelimiter(content),
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      max_record_size: MAX_RECORD_BYTES,
    }),
  );
  const rows: CsvRow[] = [];
  let columns: ReturnType<typeof resolveColumns> | undefined;
  let record = 0;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      record += 1;
      if (!columns) {
        columns = resolveColumns(cells, mapping);
        continue;
      }
      if (rows.length >= MAX_IMPORT_ROWS) {
        parser.destroy();
        throw new ImportFileError('too-many-rows', `A file has at most ${MAX_IMPORT_ROWS} rows`, {
          maxRows: MAX_IMPORT_ROWS,
        });
      }
      rows.push(toRow(record, cells, columns, mapping, currency));
    }
  } catch (error) {
    if (error instanceof CsvError) {
      throw new ImportFileError('invalid-csv', `The file is not valid CSV: ${error.message}`, {
        csvCode: error.code,
      });
    }
    throw error;
  }
  if (!columns) throw new ImportFileError('empty-file', 'The file has no header row');
  return rows;
}
