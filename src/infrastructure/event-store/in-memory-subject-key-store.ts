import { randomBytes } from 'node:crypto';
import {
  SubjectErasedError,
  type SubjectKey,
  type SubjectKeyStore,
} from '../../application/ports/subject-key-store.port.js';

/** For unit tests and the in-memory event store: the same behaviour as the PostgreSQL key store. */
export class InMemorySubjectKeyStore implements SubjectKeyStore {
  private readonly keys = new Map<string, SubjectKey>();

  async keyFor(subjectId: string): Promise<Uint8Array> {
    const subject = subjectId.toLowerCase();
    let key = this.keys.get(subject);
    if (!key) {
      key = { state: 'active', key: new Uint8Array(randomBytes(32)) };
      this.keys.set(subject, key);
    }
    if (key.state === 'erased') throw new SubjectErasedError(subject, key.erasedAt);
    return key.key;
  }

  async lookup(subjectIds: readonly string[]): Promise<ReadonlyMap<string, SubjectKey>> {
    const found = new Map<string, SubjectKey>();
    for (const id of subjectIds) {
      const key = this.keys.get(id.toLowerCase());
      if (key) found.set(id.toLowerCase(), key);
    }
    return found;
  }

  async erase(subjectId: string): Promise<{ erasedAt: string; alreadyErased: boolean }> {
    const subject = subjectId.toLowerCase();
    const current = this.keys.get(subject);
    if (current?.state === 'erased') return { erasedAt: current.erasedAt, alreadyErased: true };
    const erasedAt = new Date().toISOString();
    this.keys.set(subject, { state: 'erased', erasedAt });
    return { erasedAt, alreadyErased: false };
  }

  async close(): Promise<void> {}
}
