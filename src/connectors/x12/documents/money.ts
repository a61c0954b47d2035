import { decimalToMinor, minorUnits } from '../../../domain/money.js';

// The decimal parser lives in the domain (shared by every connector); re-exported for x12's API.
export { decimalToMinor, type MinorUnits } from '../../../domain/money.js';

/** An amount in integer minor units of `currency`, with the sender's decimal text beside it. */
export interface Money {
  readonly amount: number;
  readonly currency: string;
  readonly decimal: string;
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
