import { createHash } from 'node:crypto';

/**
 * A UUID (RFC 9562 version 8, name-based with SHA-256) derived from `parts`: the same parts always
 * give the same id. Used where a retry must land on the same transaction id (an import row, an
 * expense sent with an Idempotency-Key), so recording it again changes nothing.
 */
export function derivedUuid(...parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part.length}:${part}`);
  const bytes = hash.digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
