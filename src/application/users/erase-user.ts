import { fail } from '../../domain/shared/domain-error.js';
import { userStream } from '../../domain/user/stream-name.js';
import type { CommandContext } from '../command-handler.js';
import type { Clock } from '../ports/clock.port.js';
import type { CredentialStore } from '../ports/credential-store.port.js';
import {
  type EventStore,
  type GlobalPosition,
  type RecordedEvent,
  WrongExpectedVersionError,
} from '../ports/event-store.port.js';
import type { IdGenerator } from '../ports/id-generator.port.js';
import type { PersonalDataScrubber, ScrubResult } from '../ports/personal-data-scrubber.port.js';
import type { SubjectKeyStore } from '../ports/subject-key-store.port.js';
import type { TokenStore } from '../ports/token-store.port.js';

/** The fact appended to `user-<id>` once the user's key is destroyed. Payload `{erasedAt, by}`, schema v1. */
export const USER_ERASED = 'UserErased';

export interface EraseUserDeps {
  readonly store: EventStore;
  readonly subjectKeys: Pick<SubjectKeyStore, 'erase'>;
  readonly credentials: Pick<CredentialStore, 'remove'>;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Ends every session, so no token still in the wild can write for the user. */
  readonly tokenStore?: Pick<TokenStore, 'revokeUser'>;
  /** Copies of personal data outside the log (read models, stored responses, uploads). */
  readonly personalDataScrubbers?: readonly PersonalDataScrubber[];
}

export interface EraseUserInput {
  readonly userId: string;
  /** Who asked: the user themself or an administrator (their user id, or e.g. "system:cli"). */
  readonly by: string;
}

export interface UserErasure {
  readonly userId: string;
  readonly erasedAt: string;
  /** False when an earlier call had already destroyed the key (this call finished or repeated it). */
  readonly keyDestroyed: boolean;
  /** The login row is gone: nobody can log in as the user, and the email can register a new account. */
  readonly credentialsRemoved: true;
  readonly sessionsRevoked: boolean;
  /** The UserErased event: appended by this call (`appended: true`) or by an earlier one. */
  readonly event: { readonly id: string; readonly position: GlobalPosition; readonly appended: boolean };
  readonly scrubbed: readonly ({ readonly name: string; readonly error?: string } & ScrubResult)[];
}

const MAX_ATTEMPTS = 5;

/**
 * GDPR erasure by crypto-shredding. In this order, each step idempotent so a failed call is simply
 * repeated: end the sessions, delete the credentials, destroy the user's data key (their personal
 * fields in the log read "[erased]" from then on, everywhere, while no stored byte changes), record
 * `UserErased`, then overwrite the copies the read models and other stores kept.
 */
export const eraseUser =
  (deps: EraseUserDeps) =>
  async (input: EraseUserInput, context: CommandContext): Promise<UserErasure> => {
    const stream = userStream(input.userId);
    let history = await deps.store.readStream(stream);
    if (history[0]?.type !== 'UserRegistered') return fail('user-not-found', 'No such user');

    const sessionsRevoked = deps.tokenStore !== undefined;
    await deps.tokenStore?.revokeUser(input.userId);
    await deps.credentials.remove(input.userId);
    const { erasedAt, alreadyErased } = await deps.subjectKeys.erase(input.userId);

    let event: UserErasure['event'] | undefined;
    for (let attempt = 1; !event; attempt++) {
      const earlier = history.find((e) => e.type === USER_ERASED);
      if (earlier) {
        event = { id: earlier.id, position: earlier.position, appended: false };
        break;
      }
      const id = deps.ids.uuid();
      const last = history[history.length - 1] as RecordedEvent;
      try {
        const result = await deps.store.append(
          stream,
          [
            {
              id,
              type: USER_ERASED,
              data: { erasedAt, by: input.by },
              metadata: {
                correlationId: context.correlationId,
                ...(context.causationId ? { causationId: context.causationId } : {}),
                ...(context.actor ? { actor: context.actor } : {}),
                occurredAt: deps.clock.now().toISOString(),
                schemaVersion: 1,
              },
            },
          ],
          last.revision,
        );
        event = { id, position: result.position, appended: true };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || attempt >= MAX_ATTEMPTS) throw error;
        history = await deps.store.readStream(stream);
      }
    }

    const scrubbed: UserErasure['scrubbed'][number][] = [];
    for (const scrubber of deps.personalDataScrubbers ?? []) {
      try {
        scrubbed.push({ name: scrubber.name, ...(await scrubber.scrub(input.userId, event.position)) });
      } catch (error) {
        // The key is gone already; a scrubber that failed is reported and finished by calling again.
        scrubbed.push({ name: scrubber.name, rows: 0, settled: false, error: (error as Error).message });
      }
    }

    return {
      userId: input.userId,
      erasedAt,
      keyDestroyed: !alreadyErased,
      credentialsRemoved: true,
      sessionsRevoked,
      event,
      scrubbed,
    };
  };
