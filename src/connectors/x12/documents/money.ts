import { MAX_MINOR_AMOUNT, minorUnits } from '../../../domain/money.js';

/** An amount in integer minor units of `currency`, with the sender's decimal text beside it. */
export interface Money {
  readonly amount: number;
  readonly currency: string;
  readonly decimal: string;
}

export interface MinorUnits {
  readonly minor: number;
  /** False when digits beyond the currency's exponent were rounded (half away from zero). */
  readonly exact: boolean;
}

/**
 * `"4.35"` → 435 at exponent 2, by moving the decimal point in the string: `4.35 * 100` is
 * 434.99999999999994 in floating point. Undefined for non-decimals and amounts beyond
 * MAX_MINOR_AMOUNT.
 */
export function decimalToMinor(text: string, exponent: number): MinorUnits | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) return undefined;
  const [, sign = '', int = '', frac = ''] = m;
  if (int === '' && frac === '') return undefined;
  const kept = frac.slice(0, exponent).padEnd(exponent, '0');
  const rest = frac.slice(exponent);
  const digits = `${int}${kept}`.replace(/^0+(?=\d)/, '');
  if (digits.length > 15) return undefined;
  const minor = Number(digits) + ((rest[0] ?? '0') >= '5' ? 1 : 0);
  if (minor > MAX_MINOR_AMOUNT) return undefined;
  return { minor: sign === '-' && minor !== 0 ? -minor : minor, exact: !/[1-9]/.test(rest) };
}

/** Converts a decimal element to Money; `why` explains an undefined result or a rounding. */
export function toMoney(decimal: string, currency: string): { money?: Money; why?: string } {
  const exponent = minorUnits(currency);
  if (exponent === undefined) return { why: `unknown currency ${currency}` };
  const units = decimalToMinor(decimal, exponent);
  if (!units) return { why: `'${decimal}' is not a decimal amount` };
  const money = { amount: units.minor, currency, decimal };
  return units.exact ? { money } : { money, why: `${decimal} has more decimals than ${currency} minor units; rounded to ${units.minor}` };
}
