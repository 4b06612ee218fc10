import { fail } from '../../domain/shared/domain-error.js';

const MIN_PASSWORD = 8;
const MAX_PASSWORD = 200;

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export function validatePassword(password: string): void {
  if (password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) {
    fail('weak-password', `A password has ${MIN_PASSWORD} to ${MAX_PASSWORD} characters`, {
      field: 'password',
    });
  }
}
