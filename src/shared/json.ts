/**
 * JSON text of an immutable object, computed once: the order view is written to the projection,
 * to the idempotency record and to the HTTP response, and serialising it thrice showed in profiles.
 * Callers must not mutate an object after passing it here.
 */
const cache = new WeakMap<object, string>();

export function stringifyOnce(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  let text = cache.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    cache.set(value, text);
  }
  return text;
}
