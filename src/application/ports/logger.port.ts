/**
 * Where the application reports a failure it must not hide but may not fail on (a security event that
 * could not be recorded). pino's Logger fits.
 */
export interface ErrorLogger {
  error(details: object, message: string): void;
}
