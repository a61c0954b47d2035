/** A policy field's problem, if it is not a safe integer ≥ min (one line, naming the field). */
export function integerProblem(where: string, value: unknown, min: number): string[] {
  return Number.isSafeInteger(value) && (value as number) >= min ? [] : [`${where} must be an integer ≥ ${min}, not ${String(value)}`];
}
