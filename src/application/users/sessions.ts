import { fail } from '../../domain/shared/domain-error.js';
import type { Clock } from '../ports/clock.port.js';
import type { IdGenerator } from '../ports/id-generator.port.js';
import type { AccessClaims, IssuedTokens, TokenService, VerifiedToken } from '../ports/token-service.port.js';
import type { TokenStore } from '../ports/token-store.port.js';
import type { ClientInfo, SecurityLog } from '../security/security-log.js';

export interface SessionDeps {
  readonly tokens: TokenService;
  readonly tokenStore: TokenStore;
  readonly ids: IdGenerator;
  readonly clock: Clock;
  /** Where reuse detection and logout-all are recorded; nothing is recorded without it. */
  readonly security?: SecurityLog;
}

/**
 * Sessions: a login or registration starts a refresh-token family; each refresh rotates it (the presented
 * token is spent, the next one issued); presenting a spent token revokes the whole family, since either
 * the client or a thief holds a copy. Access tokens carry their family, so ending a session ends them too.
 */
export const startSession =
  (deps: SessionDeps) =>
  async (grant: AccessClaims): Promise<IssuedTokens> => {
    const family = deps.ids.uuid();
    const refreshTokenId = deps.ids.uuid();
    await deps.tokenStore.startFamily({
      family,
      userId: grant.userId,
      tokenId: refreshTokenId,
      ttlSeconds: deps.tokens.lifetimes.refreshSeconds,
    });
    return deps.tokens.sign({ userId: grant.userId, scopes: grant.scopes, family, refreshTokenId });
  };

export function sessions(deps: SessionDeps) {
  const secondsLeft = (token: VerifiedToken) =>
    Math.max(1, token.expiresAt - Math.floor(deps.clock.now().getTime() / 1000));

  /** The access token's claims when it is valid and neither it nor its session has been revoked. */
  const verifyAccess = async (token: string): Promise<VerifiedToken | undefined> => {
    const claims = await deps.tokens.decodeAccess(token);
    if (!claims) return undefined;
    return (await deps.tokenStore.isAccessRevoked(claims.tokenId, claims.family)) ? undefined : claims;
  };

  return {
    start: startSession(deps),
    verifyAccess,

    /** A new access token and the family's next refresh token, for the family's current refresh token. */
    refresh: async (
      refreshToken: string,
      client: ClientInfo = {},
    ): Promise<IssuedTokens & { userId: string }> => {
      const presented = await deps.tokens.decodeRefresh(refreshToken);
      if (!presented) return fail('invalid-refresh-token', 'The refresh token is invalid or expired');
      const nextId = deps.ids.uuid();
      const outcome = await deps.tokenStore.rotate({
        family: presented.family,
        userId: presented.userId,
        presentedId: presented.tokenId,
        nextId,
        ttlSeconds: deps.tokens.lifetimes.refreshSeconds,
      });
      if (outcome === 'reused') {
        const security = deps.security;
        await security?.bestEffort('RefreshTokenReused', () =>
          security.record({
            subject: presented.userId,
            event: {
              type: 'RefreshTokenReused',
              data: { ...security.context(client), reason: 'spent-refresh-token' },
            },
            ...(client.correlationId ? { correlationId: client.correlationId } : {}),
          }),
        );
        return fail(
          'refresh-token-reused',
          'This refresh token was already used; the session has been ended, log in again',
        );
      }
      if (outcome !== 'rotated') {
        return fail('invalid-refresh-token', 'The session has ended or expired; log in again');
      }
      const tokens = await deps.tokens.sign({
        userId: presented.userId,
        scopes: presented.scopes,
        family: presented.family,
        refreshTokenId: nextId,
      });
      return { ...tokens, userId: presented.userId };
    },

    /**
     * Ends the session of `accessToken`: the access token itself at once, and its family (every refresh
     * token and access token of that login). A refresh token of another session of the same user, when
     * given, ends that session too; one that is invalid or someone else's is ignored. False, and nothing
     * revoked, when the access token is not valid.
     */
    logout: async (accessToken: string, refreshToken?: string): Promise<boolean> => {
      const access = await verifyAccess(accessToken);
      if (!access) return false;
      await deps.tokenStore.revokeAccessToken(access.tokenId, secondsLeft(access));
      await deps.tokenStore.revokeFamily(access.family);
      if (refreshToken === undefined) return true;
      const refresh = await deps.tokens.decodeRefresh(refreshToken);
      if (refresh && refresh.userId === access.userId && refresh.family !== access.family) {
        await deps.tokenStore.revokeFamily(refresh.family);
      }
      return true;
    },

    /** Ends every session of the user, on every device (recorded as SessionsRevoked). */
    logoutAll: async (userId: string, client: ClientInfo = {}): Promise<void> => {
      await deps.tokenStore.revokeUser(userId);
      const security = deps.security;
      await security?.bestEffort('SessionsRevoked', () =>
        security.record({
          subject: userId,
          actor: userId,
          event: { type: 'SessionsRevoked', data: { ...security.context(client), reason: 'logout-all' } },
          ...(client.correlationId ? { correlationId: client.correlationId } : {}),
        }),
      );
    },
  };
}

export type Sessions = ReturnType<typeof sessions>;
