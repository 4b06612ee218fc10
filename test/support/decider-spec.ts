import { expect } from 'vitest';
import type { Decider } from '../../src/domain/shared/decider.js';
import { DomainError, type DomainErrorCode } from '../../src/domain/shared/domain-error.js';

/** Given these past events, when this command, then these new events (or this rejection). */
export const deciderSpec =
  <C, E, S>(decider: Decider<C, E, S>) =>
  (given: E[]) => ({
    when: (command: C) => {
      const run = () => decider.decide(command, given.reduce(decider.evolve, decider.initialState()));
      return {
        thenEmits: (expected: E[]) => expect(run()).toEqual(expected),
        /** The command is accepted and changes nothing (a repeat, a no-op). */
        thenNothingHappens: () => expect(run()).toEqual([]),
        thenRejects: (code: DomainErrorCode, details?: Record<string, unknown>) => {
          let error: unknown;
          try {
            run();
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(DomainError);
          expect((error as DomainError).code).toBe(code);
          if (details) expect((error as DomainError).details).toMatchObject(details);
        },
      };
    },
  });
