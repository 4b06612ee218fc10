import { describe, it } from 'vitest';
import type { Currency } from '../../src/domain/shared/money.js';
import { type UserCommand, type UserEvent, userDecider } from '../../src/domain/user/user.js';
import { deciderSpec } from '../support/decider-spec.js';

const spec = deciderSpec(userDecider);
const NOW = '2026-03-01T10:00:00.000Z';
const profile = { email: 'ada@example.com', country: 'GB', timezone: 'Europe/London' };
const register = (
  extra: Partial<Extract<UserCommand, { type: 'RegisterUser' }>['data']> = {},
): UserCommand => ({
  type: 'RegisterUser',
  data: { userId: 'u1', currency: 'GBP' as Currency, income: 300000n, now: NOW, ...profile, ...extra },
});
const registered: UserEvent = {
  type: 'UserRegistered',
  data: { userId: 'u1', currency: 'GBP' as Currency, income: 300000n, registeredAt: NOW, ...profile },
};

describe('User decider', () => {
  describe('registering', () => {
    it('registers a new user with their profile', () => spec([]).when(register()).thenEmits([registered]));

    it('refuses a second registration of the same user', () =>
      spec([registered]).when(register()).thenRejects('user-already-registered'));

    it('refuses a negative income, an unknown time zone and a country that is not a code', () => {
      spec([])
        .when(register({ income: -1n }))
        .thenRejects('invalid-profile', { field: 'income' });
      spec([])
        .when(register({ timezone: 'Mars/Olympus' }))
        .thenRejects('invalid-profile', { field: 'timezone' });
      spec([])
        .when(register({ country: 'gb' }))
        .thenRejects('invalid-profile', { field: 'country' });
    });
  });

  describe('changing the profile', () => {
    it('records only the fields that change', () =>
      spec([registered])
        .when({ type: 'UpdateProfile', data: { displayName: 'Ada', timezone: 'Europe/London', now: NOW } })
        .thenEmits([{ type: 'ProfileUpdated', data: { displayName: 'Ada', updatedAt: NOW } }]));

    it('changes nothing when every field already has its value', () =>
      spec([registered])
        .when({ type: 'UpdateProfile', data: { country: 'GB', now: NOW } })
        .thenNothingHappens());

    it('refuses a change for a user who is not registered, or was erased', () => {
      spec([])
        .when({ type: 'UpdateProfile', data: { country: 'FR', now: NOW } })
        .thenRejects('user-not-found');
      spec([registered, { type: 'UserErased', data: { erasedAt: NOW, by: 'u1' } }])
        .when({ type: 'UpdateProfile', data: { country: 'FR', now: NOW } })
        .thenRejects('user-not-found');
    });
  });

  describe('changing the income', () => {
    it('records a new income', () =>
      spec([registered])
        .when({ type: 'ChangeIncome', data: { income: 310000n, now: NOW } })
        .thenEmits([{ type: 'IncomeChanged', data: { income: 310000n, changedAt: NOW } }]));

    it('changes nothing for the same income, and refuses a negative one', () => {
      spec([registered])
        .when({ type: 'ChangeIncome', data: { income: 300000n, now: NOW } })
        .thenNothingHappens();
      spec([registered])
        .when({ type: 'ChangeIncome', data: { income: -5n, now: NOW } })
        .thenRejects('invalid-profile', { field: 'income' });
    });
  });
});
