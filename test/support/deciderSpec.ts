import { expect } from 'vitest';
import type { DomainError, DomainErrorCode, Result } from '../../src/domain/result.js';

/** The three functions of a pure decider whose `decide` returns events or a typed refusal. */
export interface Decider<Command, Event, State> {
  readonly decide: (command: Command, state: State) => Result<readonly Event[]>;
  readonly evolve: (state: State, event: Event) => State;
  readonly initialState: State;
}

export interface DeciderThen<Event, State> {
  /** Asserts the exact events; returns the state after folding them onto the given state. */
  then(expected: readonly Event[]): State;
  /** Asserts a refusal with this code; returns the error so a test can inspect field paths. */
  thenFails(code: DomainErrorCode, message?: RegExp): DomainError;
}

export interface DeciderSpec<Command, Event, State> {
  given(events: readonly Event[]): { when(command: Command): DeciderThen<Event, State> };
  /** For states no event of this slice can reach yet (e.g. released or shipped quantities). */
  givenState(state: State): { when(command: Command): DeciderThen<Event, State> };
}

/**
 * Given events / When command / Then events (or error), after emmett's deciderSpecification.
 * The given state is deep-frozen so a decider that mutates it fails loudly, and accepted events are
 * folded so a decision the fold cannot replay fails here rather than in production.
 */
export function deciderSpec<Command, Event, State>(
  decider: Decider<Command, Event, State>,
): DeciderSpec<Command, Event, State> {
  const givenState = (given: () => State) => ({
    when: (command: Command): DeciderThen<Event, State> => {
      const run = (): { state: State; result: Result<readonly Event[]> } => {
        const state = deepFreeze(given());
        return { state, result: decider.decide(command, state) };
      };
      return {
        then(expected) {
          const { state, result } = run();
          if (!result.ok) expect.fail(`expected events, got ${result.error.code}: ${result.error.message}`);
          expect(result.value).toStrictEqual(expected);
          return result.value.reduce(decider.evolve, state);
        },
        thenFails(code, message) {
          const { result } = run();
          if (result.ok) expect.fail(`expected ${code}, got events ${JSON.stringify(result.value)}`);
          expect(result.error.code).toBe(code);
          if (message) expect(result.error.message).toMatch(message);
          return result.error;
        },
      };
    },
  });
  return {
    given: (events) => givenState(() => events.reduce(decider.evolve, decider.initialState)),
    givenState: (state) => givenState(() => state),
  };
}

/** Freezes a plain data tree in place; used to prove the decider and the fold do not mutate state. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
