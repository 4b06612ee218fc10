import { fail } from '../../domain/shared/domain-error.js';

const MIN_PASSWORD = 8;
const MAX_PASSWORD = 200;

/**
 * The one form of an email, for registration, login and every lookup. Control characters are refused
 * here too, whatever the caller checked: PostgreSQL text cannot hold a NUL, and no address has one.
 */
export function normalizeEmail(email: string): string {
  if (/[\p{Cc}\p{Cs}]/u.test(email)) {
    fail('invalid-profile', 'An email has no control characters', { field: 'email' });
  }
  return email.trim().toLowerCase();
}

export function validatePassword(password: string): void {
  if (password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) {
    fail('weak-password', `A password has ${MIN_PASSWORD} to ${MAX_PASSWORD} characters`, {
      field: 'password',
    });
  }
}
