import type { AutoPlanPreference } from '../budget-month/auto-plan.js';
import type { RolloverPolicy } from '../budget-month/events.js';
import type { Decider } from '../shared/decider.js';
import { fail } from '../shared/domain-error.js';
import { isValidTimeZone } from '../shared/local-date.js';
import type { Currency } from '../shared/money.js';

export interface Profile {
  readonly email: string;
  readonly displayName?: string;
  readonly country: string;
  readonly timezone: string;
  /** Where a day's unspent flexible budget goes when the day closes; 'forward' when never set. */
  readonly rolloverPolicy?: RolloverPolicy;
  /** How a month without a plan gets one at its first write or query; 'previous' when never set. */
  readonly autoPlan?: AutoPlanPreference;
}

export type UserEvent =
  | {
      type: 'UserRegistered';
      data: { userId: string; currency: Currency; income: bigint; registeredAt: string } & Profile;
    }
  | { type: 'ProfileUpdated'; data: Partial<Omit<Profile, 'email'>> & { updatedAt: string } }
  | { type: 'IncomeChanged'; data: { income: bigint; changedAt: string } }
  /** GDPR erasure: the user's data key is destroyed; their personal fields read "[erased]" from then on. */
  | { type: 'UserErased'; data: { erasedAt: string; by: string } };

export type UserCommand =
  | {
      type: 'RegisterUser';
      data: { userId: string; currency: Currency; income: bigint; now: string } & Profile;
    }
  | { type: 'UpdateProfile'; data: Partial<Omit<Profile, 'email'>> & { now: string } }
  | { type: 'ChangeIncome'; data: { income: bigint; now: string } };

export type UserState =
  | { readonly status: 'unregistered' }
  | { readonly status: 'erased'; readonly userId: string; readonly erasedAt: string }
  | {
      readonly status: 'registered';
      readonly userId: string;
      readonly currency: Currency;
      readonly income: bigint;
      readonly profile: Profile;
      readonly registeredAt: string;
    };

export type RegisteredUser = Extract<UserState, { status: 'registered' }>;

export const initialUserState = (): UserState => ({ status: 'unregistered' });

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserRegistered': {
      const { userId, currency, income, registeredAt, ...profile } = event.data;
      return { status: 'registered', userId, currency, income, profile, registeredAt };
    }
    case 'ProfileUpdated': {
      if (state.status !== 'registered') return state;
      const { updatedAt: _, ...changes } = event.data;
      return { ...state, profile: { ...state.profile, ...changes } };
    }
    case 'IncomeChanged':
      return state.status === 'registered' ? { ...state, income: event.data.income } : state;
    case 'UserErased':
      return state.status === 'registered'
        ? { status: 'erased', userId: state.userId, erasedAt: event.data.erasedAt }
        : state;
  }
}

export function decideUser(command: UserCommand, state: UserState): UserEvent[] {
  switch (command.type) {
    case 'RegisterUser': {
      if (state.status === 'registered')
        return fail('user-already-registered', 'This user is already registered');
      const { now, ...rest } = command.data;
      validateProfile(rest);
      if (rest.income < 0n) fail('invalid-profile', 'Income cannot be negative', { field: 'income' });
      return [{ type: 'UserRegistered', data: { ...rest, registeredAt: now } }];
    }
    case 'UpdateProfile': {
      const user = requireRegistered(state);
      const { now, ...changes } = command.data;
      validateProfile(changes);
      const changed = Object.entries(changes).filter(
        ([key, value]) => value !== undefined && user.profile[key as keyof Profile] !== value,
      );
      if (changed.length === 0) return [];
      return [{ type: 'ProfileUpdated', data: { ...Object.fromEntries(changed), updatedAt: now } }];
    }
    case 'ChangeIncome': {
      const user = requireRegistered(state);
      if (command.data.income < 0n) fail('invalid-profile', 'Income cannot be negative', { field: 'income' });
      if (command.data.income === user.income) return [];
      return [{ type: 'IncomeChanged', data: { income: command.data.income, changedAt: command.data.now } }];
    }
  }
}

function validateProfile(profile: Partial<Profile>): void {
  if (profile.timezone !== undefined && !isValidTimeZone(profile.timezone)) {
    fail('invalid-profile', `"${profile.timezone}" is not an IANA time zone`, { field: 'timezone' });
  }
  if (profile.country !== undefined && !/^[A-Z]{2}$/.test(profile.country)) {
    fail('invalid-profile', 'country is an ISO 3166-1 alpha-2 code such as "US"', { field: 'country' });
  }
}

function requireRegistered(state: UserState): RegisteredUser {
  if (state.status !== 'registered') return fail('user-not-found', 'No such user');
  return state;
}

export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  decide: decideUser,
  evolve: evolveUser,
  initialState: initialUserState,
};
