import { decimalToMinor, minorUnits } from '../../domain/money.js';
import type { Issues, Json } from './read.js';
import { isObject, shown } from './read.js';

/**
 * Shopify money: decimal strings (`"199.00"`), some JSON numbers (`subtotal: 195.66`), and
 * `*_set` objects carrying the amount in the shop's and in the customer's (presentment) currency.
 * Amounts become integer minor units by moving the decimal point in the text, never through
 * floating-point arithmetic; digits beyond the currency's exponent are refused, not rounded.
 */
export interface MoneyBasis {
  /** The order's currency in Orderly. */
  readonly currency: string;
  /** Which side of a `*_set` object holds amounts in `currency`. */
  readonly side: 'presentment_money' | 'shop_money';
  /** Plain decimal fields (`price`, `total_price`) are shop money: usable only when the shop's currency is `currency`. */
  readonly plainFields: boolean;
}

export type Minor = { readonly ok: true; readonly minor: number } | { readonly ok: false; readonly message: string };

/** A non-negative amount (decimal string or JSON number) in exact minor units of `currency`. */
export function parseMinor(value: unknown, currency: string): Minor {
  const exponent = minorUnits(currency);
  if (exponent === undefined) return { ok: false, message: `unknown ISO 4217 currency ${currency}` };
  if (typeof value === 'number' && !Number.isFinite(value)) return { ok: false, message: 'must be a finite amount' };
  // String(195.66) is the shortest text that reads back as the same double: the sender's decimal.
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined;
  if (text === undefined) return { ok: false, message: 'must be a decimal amount such as "19.99"' };
  const units = decimalToMinor(text, exponent);
  if (!units) return { ok: false, message: `${shown(text)} is not a decimal amount` };
  if (!units.exact) return { ok: false, message: `${shown(text)} has more decimal places than ${currency} has (${exponent})` };
  if (units.minor < 0) return { ok: false, message: `${shown(text)} is negative` };
  return { ok: true, minor: units.minor };
}

/**
 * The amount of `key` in the basis currency: from `<key>_set[side]` when the payload has it
 * (its currency_code must match), else from the plain decimal field when that is in the basis
 * currency. Anything else is an issue at the field's path.
 */
export function readMoney(o: Json, key: string, path: string, basis: MoneyBasis, issues: Issues): number | undefined {
  const set = o[`${key}_set`];
  if (isObject(set)) {
    const money = set[basis.side];
    const where = `${path}_set.${basis.side}`;
    if (!isObject(money)) {
      issues.add(where, 'required');
      return undefined;
    }
    const code = money.currency_code ?? money.currency;
    if (code !== basis.currency) {
      issues.add(`${where}.currency_code`, `${typeof code === 'string' ? code : 'missing'}, not the order's currency ${basis.currency}`);
      return undefined;
    }
    return checked(parseMinor(money.amount, basis.currency), `${where}.amount`, issues);
  }
  if (!basis.plainFields) {
    issues.add(`${path}_set`, `required: the ${basis.currency} amount is only in the *_set object (${key} is in the shop's currency)`);
    return undefined;
  }
  if (o[key] === undefined || o[key] === null) {
    issues.add(path, 'required');
    return undefined;
  }
  return checked(parseMinor(o[key], basis.currency), path, issues);
}

export function checked(m: Minor, path: string, issues: Issues): number | undefined {
  if (m.ok) return m.minor;
  issues.add(path, m.message);
  return undefined;
}
