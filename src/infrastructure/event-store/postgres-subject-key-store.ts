import { randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import {
  SubjectErasedError,
  type SubjectKey,
  type SubjectKeyStore,
} from '../../application/ports/subject-key-store.port.js';

const CHANNEL = 'daybook_subject_keys';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface SubjectKeyStoreOptions {
  /** How long a key is trusted from the cache; erasures also reach every process at once by NOTIFY. */
  readonly cacheTtlMs?: number;
  /** Most keys kept in the cache (least recently used go first). */
  readonly maxCached?: number;
}

interface KeyRow {
  user_id: string;
  key: Buffer | null;
  erased_at: Date | null;
}

const toSubjectKey = (row: KeyRow): SubjectKey =>
  row.key
    ? { state: 'active', key: new Uint8Array(row.key) }
    : { state: 'erased', erasedAt: iso(row.erased_at) };
const iso = (at: Date | null) => (at ?? new Date(0)).toISOString();

/**
 * Data keys in table `subject_keys` (migration 009), with an in-process cache. `erase` nulls the key bytes
 * (the row stays as a tombstone with `erased_at`), drops the key from this process's cache and notifies
 * the other processes, whose caches drop it as soon as the notification arrives (or after the TTL when
 * their LISTEN connection was down).
 */
export class PostgresSubjectKeyStore implements SubjectKeyStore {
  private readonly cache = new Map<string, { value: SubjectKey; expiresAt: number }>();
  private listener: Promise<PoolClient> | undefined;
  private closed = false;
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;
  private readonly ttlMs: number;
  private readonly maxCached: number;

  constructor(
    private readonly pool: Pool,
    options: SubjectKeyStoreOptions = {},
  ) {
    this.ttlMs = options.cacheTtlMs ?? 5 * 60_000;
    this.maxCached = options.maxCached ?? 10_000;
  }

  async keyFor(subjectId: string): Promise<Uint8Array> {
    const subject = normalize(subjectId);
    const known = this.cached(subject) ?? (await this.fetch([subject])).get(subject);
    if (known) return activeKey(subject, known);
    const created = await this.pool.query<KeyRow>(
      `INSERT INTO subject_keys (user_id, key) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING
       RETURNING user_id::text, key, erased_at`,
      [subject, randomBytes(32)],
    );
    // A concurrent creator (another process) won: a new statement sees its committed row.
    const row = created.rows[0] ?? (await this.select([subject]))[0];
    if (!row) throw new Error(`subject_keys: no row for ${subject} after insert`);
    return activeKey(subject, this.remember(subject, toSubjectKey(row)));
  }

  async lookup(subjectIds: readonly string[]): Promise<ReadonlyMap<string, SubjectKey>> {
    const found = new Map<string, SubjectKey>();
    const missing: string[] = [];
    for (const subject of new Set(subjectIds.map(normalize))) {
      const hit = this.cached(subject);
      if (hit) found.set(subject, hit);
      else missing.push(subject);
    }
    if (missing.length > 0) for (const [subject, key] of await this.fetch(missing)) found.set(subject, key);
    return found;
  }

  async erase(subjectId: string): Promise<{ erasedAt: string; alreadyErased: boolean }> {
    const subject = normalize(subjectId);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // The row lock orders concurrent erasures: the second one sees the first one's tombstone.
      const { rows } = await client.query<{ erased_at: Date }>(
        `INSERT INTO subject_keys (user_id, key, erased_at) VALUES ($1, NULL, now())
         ON CONFLICT (user_id) DO UPDATE SET key = NULL, erased_at = coalesce(subject_keys.erased_at, now())
         RETURNING erased_at, (xmax <> 0 AND erased_at < now()) AS earlier`,
        [subject],
      );
      const row = rows[0] as { erased_at: Date; earlier: boolean };
      await client.query('SELECT pg_notify($1, $2)', [CHANNEL, subject]);
      await client.query('COMMIT');
      const erasedAt = iso(row.erased_at);
      this.cache.delete(subject);
      this.remember(subject, { state: 'erased', erasedAt });
      return { erasedAt, alreadyErased: row.earlier };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.cache.clear();
    const listener = this.listener;
    this.listener = undefined;
    const client = await listener?.catch(() => undefined);
    // Detach first: an error on the released connection must not reach a handler of this store.
    client?.removeAllListeners('error');
    client?.removeAllListeners('notification');
    client?.on('error', () => undefined);
    client?.release(true);
  }

  private cached(subject: string): SubjectKey | undefined {
    const entry = this.cache.get(subject);
    if (!entry) return undefined;
    if (entry.expiresAt < Date.now()) {
      this.cache.delete(subject);
      return undefined;
    }
    // Least recently used order: a hit moves to the end.
    this.cache.delete(subject);
    this.cache.set(subject, entry);
    return entry.value;
  }

  private remember(subject: string, value: SubjectKey): SubjectKey {
    // An erasure is final: a tombstone never needs to be looked up again.
    const expiresAt = value.state === 'erased' ? Number.POSITIVE_INFINITY : Date.now() + this.ttlMs;
    this.cache.delete(subject);
    this.cache.set(subject, { value, expiresAt });
    while (this.cache.size > this.maxCached) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
    return value;
  }

  /** Reads keys from the table and caches them; listens for erasures first, so none is missed after. */
  private async fetch(subjects: readonly string[]): Promise<Map<string, SubjectKey>> {
    await this.listen().catch(() => undefined);
    const found = new Map<string, SubjectKey>();
    for (const row of await this.select(subjects))
      found.set(row.user_id, this.remember(row.user_id, toSubjectKey(row)));
    return found;
  }

  private async select(subjects: readonly string[]): Promise<KeyRow[]> {
    const { rows } = await this.pool.query<KeyRow>(
      'SELECT user_id::text, key, erased_at FROM subject_keys WHERE user_id = ANY($1::uuid[])',
      [subjects],
    );
    return rows;
  }

  /**
   * One LISTEN connection per process drops erased keys from this cache as soon as they are erased.
   * Once it was opened, a lost one is re-opened with back-off (0.25 s doubling to 5 s) until the server
   * is back, and by the next lookup in any case.
   */
  private listen(): Promise<PoolClient> {
    if (this.closed) return Promise.reject(new Error('subject key store closed'));
    this.listener ??= (async () => {
      const client = await this.pool.connect().catch((error) => {
        this.listener = undefined;
        this.relisten();
        throw error;
      });
      let released = false;
      const lost = () => {
        // Erasures may be missed from here on: forget every cached key.
        if (released) return;
        released = true;
        this.listener = undefined;
        this.cache.clear();
        client.release(true);
        this.relisten();
      };
      client.on('notification', (message) => {
        if (message.channel === CHANNEL && message.payload) this.cache.delete(message.payload);
      });
      client.on('error', lost);
      try {
        await client.query(`LISTEN ${CHANNEL}`);
      } catch (error) {
        lost();
        throw error;
      }
      this.failures = 0;
      return client;
    })();
    return this.listener;
  }

  private relisten(): void {
    if (this.closed || this.retry) return;
    const delay = Math.min(250 * 2 ** this.failures, 5000);
    this.failures += 1;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.listen().catch(() => undefined);
    }, delay).unref();
  }
}

function normalize(subjectId: string): string {
  const subject = subjectId.toLowerCase();
  if (!UUID.test(subject)) throw new RangeError(`"${subjectId.slice(0, 50)}" is not a user id`);
  return subject;
}

function activeKey(subject: string, key: SubjectKey): Uint8Array {
  if (key.state === 'erased') throw new SubjectErasedError(subject, key.erasedAt);
  return key.key;
}
