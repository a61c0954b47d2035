import secureJson from 'secure-json-parse';
import { ProblemError } from './problem.js';

// A raw NUL, an escaped \u0000, or an escaped surrogate that is not part of a pair.
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|\\u0000|\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f][0-9a-f]{2})|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/i;

/**
 * Parses a JSON request body, refusing prototype poisoning and characters no store can keep (NUL,
 * lone surrogates), with a validation problem that says what is wrong.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw new ProblemError('validation_failed', 'The body is empty; send a JSON object', [{ path: 'body', message: 'required' }]);
  if (UNSTORABLE.test(text)) {
    throw new ProblemError('validation_failed', 'The body contains a NUL character or an unpaired UTF-16 surrogate', [{ path: 'body', message: 'invalid characters' }]);
  }
  try {
    return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (err) {
    throw new ProblemError('validation_failed', `The body is not valid JSON: ${(err as Error).message}`, [{ path: 'body', message: 'malformed JSON' }]);
  }
}
