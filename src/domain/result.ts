/** The small error taxonomy of the core; the HTTP edge maps each code once to problem+json. */
export type DomainErrorCode =
  | 'validation_failed'
  | 'not_found'
  | 'illegal_transition'
  | 'version_conflict'
  | 'duplicate_order';

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export interface DomainError {
  readonly code: DomainErrorCode;
  readonly message: string;
  readonly errors?: readonly FieldError[];
}

export type Result<T, E = DomainError> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const fail = <E = DomainError>(error: E): Result<never, E> => ({ ok: false, error });

export const illegal = (message: string): Result<never> =>
  fail({ code: 'illegal_transition', message });

export const invalid = (message: string, errors: readonly FieldError[] = []): Result<never> =>
  fail({ code: 'validation_failed', message, errors });

/** Exhaustiveness guard for discriminated unions: a new member fails to compile. */
export function assertNever(x: never): never {
  throw new Error(`unexpected variant: ${JSON.stringify(x)}`);
}
