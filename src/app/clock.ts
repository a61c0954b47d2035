/** The clock and id source are passed in, so tests can fix them and the core never reads them. */
export interface Clock {
  now(): string;
}
export const systemClock: Clock = { now: () => new Date().toISOString() };
