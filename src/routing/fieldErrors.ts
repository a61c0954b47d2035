import type { z } from 'zod';
import type { FieldError } from '../domain/result.js';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['objectives', 1, 'type']` → `objectives[1].type`; awkward keys are quoted: `byNode["store-12"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const name = String(key);
      if (IDENTIFIER.test(name)) out += out === '' ? name : `.${name}`;
      else out += `[${JSON.stringify(name)}]`;
    }
  }
  return out;
}

/**
 * Zod issues as field errors that point at the offending field. An unknown key is reported at the
 * key itself, not at its parent, so a typo reads as `split.maxShipment: unknown field`.
 */
export function toFieldErrors(
  issues: readonly z.core.$ZodIssue[],
  unknownKeyMessage: (path: string) => string = () => 'unknown field',
): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = formatPath([...issue.path, key]);
        errors.push({ path, message: unknownKeyMessage(path) });
      }
    } else {
      errors.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return errors;
}
