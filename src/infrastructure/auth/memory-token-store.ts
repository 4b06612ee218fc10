import type {
  RotationOutcome,
  RotationRequest,
  TokenStore,
} from '../../application/ports/token-store.port.js';

interface Family {
  readonly userId: string;
  current: string;
  revoked: boolean;
  expiresAt: number;
}

const SWEEP_EVERY_WRITES = 512;

/**
 * Session state in this process, for a single instance without `REDIS_URL` (and for tests). Same rules
 * as the Redis adapter; every method runs without awaiting, so rotation is atomic. State is lost on
 * restart: refresh tokens issued before then answer `invalid-refresh-token`. Expired entries are
 * dropped lazily and by a sweep every few hundred writes.
 */
export class MemoryTokenStore implements TokenStore {
  private readonly families = new Map<string, Family>();
  private readonly userFamilies = new Map<string, { families: Set<string>; expiresAt: number }>();
  private readonly revokedAccess = new Map<string, number>();
  private writes = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async startFamily({
    family,
    userId,
    tokenId,
    ttlSeconds,
  }: {
    family: string;
    userId: string;
    tokenId: string;
    ttlSeconds: number;
  }): Promise<void> {
    this.wrote();
    const expiresAt = this.now() + ttlSeconds * 1000;
    this.families.set(family, { userId, current: tokenId, revoked: false, expiresAt });
    const own = this.liveUserFamilies(userId) ?? new Set<string>();
    own.add(family);
    this.userFamilies.set(userId, { families: own, expiresAt });
  }

  async rotate({
    family,
    userId,
    presentedId,
    nextId,
    ttlSeconds,
  }: RotationRequest): Promise<RotationOutcome> {
    const record = this.liveFamily(family);
    if (!record || record.userId !== userId) return 'unknown';
    if (record.revoked) return 'revoked';
    if (record.current !== presentedId) {
      record.revoked = true;
      return 'reused';
    }
    const expiresAt = this.now() + ttlSeconds * 1000;
    record.current = nextId;
    record.expiresAt = expiresAt;
    const own = this.userFamilies.get(userId);
    if (own) own.expiresAt = expiresAt;
    return 'rotated';
  }

  async revokeFamily(family: string): Promise<void> {
    this.markRevoked(family);
  }

  async revokeUser(userId: string): Promise<void> {
    for (const family of this.liveUserFamilies(userId) ?? []) this.markRevoked(family);
    this.userFamilies.delete(userId);
  }

  async revokeAccessToken(tokenId: string, ttlSeconds: number): Promise<void> {
    this.wrote();
    this.revokedAccess.set(tokenId, this.now() + Math.max(1, ttlSeconds) * 1000);
  }

  async isAccessRevoked(tokenId: string, family: string): Promise<boolean> {
    const until = this.revokedAccess.get(tokenId);
    if (until !== undefined && until > this.now()) return true;
    return this.liveFamily(family)?.revoked === true;
  }

  private markRevoked(family: string): void {
    const record = this.liveFamily(family);
    if (record) record.revoked = true;
  }

  private liveFamily(family: string): Family | undefined {
    const record = this.families.get(family);
    if (record && record.expiresAt <= this.now()) {
      this.families.delete(family);
      return undefined;
    }
    return record;
  }

  private liveUserFamilies(userId: string): Set<string> | undefined {
    const own = this.userFamilies.get(userId);
    if (own && own.expiresAt <= this.now()) {
      this.userFamilies.delete(userId);
      return undefined;
    }
    return own?.families;
  }

  private wrote(): void {
    this.writes += 1;
    if (this.writes % SWEEP_EVERY_WRITES !== 0) return;
    const now = this.now();
    for (const [key, record] of this.families) if (record.expiresAt <= now) this.families.delete(key);
    for (const [key, own] of this.userFamilies) if (own.expiresAt <= now) this.userFamilies.delete(key);
    for (const [key, until] of this.revokedAccess) if (until <= now) this.revokedAccess.delete(key);
  }
}
