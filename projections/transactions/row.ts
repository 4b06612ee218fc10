/**
 * A `transactions` row as the writer and the reader select it: `day` as YYYY-MM-DD, `amount` as text;
 * timestamps as `T` (text for the writer, which writes them back unchanged; Date for the reader).
 */
export interface StoredTransaction<T> {
  transaction_id: string;
  day: string;
  category: string;
  amount: string;
  currency: string;
  merchant: string | null;
  note: string | null;
  source: string;
  status: 'recorded' | 'voided';
  recorded_at: T;
  updated_at: T | null;
  amended: number;
}
