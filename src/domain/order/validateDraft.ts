import { MAX_MINOR_AMOUNT, isCurrencyCode } from '../money.js';
import type { FieldError } from '../result.js';
import type { OrderDraft } from './model.js';

/** Documented limits of one order; the HTTP schema enforces the same numbers. */
export const ORDER_LIMITS = {
  maxLines: 200,
  maxQuantityPerLine: 1_000_000,
  maxIdLength: 128,
  maxTextLength: 512,
} as const;

/**
 * Business invariants of a draft, checked by the decider whatever edge the draft came through
 * (HTTP, Shopify, EDI 850). Shape is the edge's job; this is the last line of defence.
 */
export function validateDraft(d: OrderDraft): FieldError[] {
  const errors: FieldError[] = [];
  if (!isCurrencyCode(d.currency)) errors.push({ path: 'currency', message: `unknown ISO 4217 code ${d.currency}` });
  if (d.lines.length === 0) errors.push({ path: 'lines', message: 'at least one line is required' });
  if (d.lines.length > ORDER_LIMITS.maxLines) {
    errors.push({ path: 'lines', message: `at most ${ORDER_LIMITS.maxLines} lines` });
  }
  const seen = new Set<string>();
  d.lines.forEach((l, i) => {
    if (seen.has(l.lineId)) errors.push({ path: `lines[${i}].lineId`, message: `duplicate lineId ${l.lineId}` });
    seen.add(l.lineId);
    if (!Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > ORDER_LIMITS.maxQuantityPerLine) {
      errors.push({ path: `lines[${i}].quantity`, message: 'must be a whole number ≥ 1' });
    }
    if (!isMoney(l.unitPrice)) errors.push({ path: `lines[${i}].unitPrice`, message: 'must be whole minor units ≥ 0' });
  });
  const total = d.lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0);
  if (errors.length === 0 && !isMoney(total)) {
    errors.push({ path: 'lines', message: `the order total may not exceed ${MAX_MINOR_AMOUNT} minor units` });
  }
  if (d.payment && !isMoney(d.payment.amount)) {
    errors.push({ path: 'payment.amount', message: 'must be whole minor units ≥ 0' });
  }
  return errors;
}

export const isMoney = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= MAX_MINOR_AMOUNT;
