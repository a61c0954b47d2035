// Shared helpers for the Shopify tests. The real fixtures live beside the repo (../shared), never in it.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ShopifyMapResult, ShopifyMapping } from '../../src/connectors/shopify/index.js';
import type { OrderDraft } from '../../src/domain/order/model.js';

export const SHOPIFY_FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/real/shopify');

export const shopifyFixtureFiles = (): string[] => readdirSync(SHOPIFY_FIXTURES).filter((n) => n.endsWith('.json')).sort();

export const fixtureText = (name: string): string => readFileSync(path.join(SHOPIFY_FIXTURES, name), 'utf8');

/**
 * A fixture as a webhook body. API responses keep their root key (`{"order": {...}}`, see
 * SOURCES.md); a webhook body is the resource itself, so the test unwraps by the key it names.
 */
export function webhookBody(name: string, rootKey?: 'order' | 'refund' | 'fulfillment'): Record<string, unknown> {
  const parsed = JSON.parse(fixtureText(name)) as Record<string, unknown>;
  if (!rootKey) return parsed;
  const inner = parsed[rootKey];
  if (typeof inner !== 'object' || inner === null) throw new Error(`${name} has no root key ${rootKey}`);
  return inner as Record<string, unknown>;
}

/** A deep copy to edit in a test without touching the fixture read by others. */
export const copy = <T>(v: T): T => structuredClone(v);

/** A small valid orders/create body (USD, one line of 2 × 12.50, paid, shipped by code STD). */
export const base = (over: Record<string, unknown> = {}) => ({
  id: 1001,
  created_at: '2024-05-01T10:00:00Z',
  currency: 'USD',
  financial_status: 'paid',
  total_price: '25.00',
  line_items: [{ id: 11, sku: 'SKU-1', variant_id: 21, quantity: 2, price: '12.50' }],
  shipping_lines: [{ code: 'STD', title: 'Standard' }],
  shipping_address: { address1: '1 Main St', city: 'Seattle', zip: '98101', country_code: 'US' },
  ...over,
});
/** A Shopify `*_set` money object. */
export const set = (shop: string, shopCode: string, presentment: string, presentmentCode: string) => ({
  shop_money: { amount: shop, currency_code: shopCode },
  presentment_money: { amount: presentment, currency_code: presentmentCode },
});
export const MAPPING: ShopifyMapping = { shipMethods: { STD: 'standard' } };

/** The draft of an order.place result, or the test fails with the mapping's reason. */
export const draftOf = (r: ShopifyMapResult): OrderDraft => {
  if (!r.ok) throw new Error(r.reason);
  const m = r.messages[0];
  if (m?.type !== 'order.place') throw new Error('no order.place');
  return m.draft;
};
/** The paths, reason and code of a failed mapping (empty when it mapped). */
export const failure = (r: ShopifyMapResult) => (r.ok ? { paths: [], reason: '' } : { paths: r.errors.map((e) => e.path), reason: r.reason, code: r.code });
