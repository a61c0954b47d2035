import { z } from 'zod';
import type { FulfillmentPreference, ShipMethod } from '../../domain/order/model.js';
import { ORDER_LIMITS, SHIP_METHODS } from '../../domain/order/index.js';
import type { FieldError } from '../../domain/result.js';

/**
 * The Shopify connector's mapping choices: code tables and the rules for what Shopify leaves
 * open. Every default is conservative: what the tables do not cover fails the mapping with a
 * reason (the webhook is quarantined for a human), it is never guessed.
 */
export interface ShopifyMapping {
  /** Shipping-line `code` (or `title` when no code matches) → canonical ship method; matched trimmed and case-insensitively. */
  readonly shipMethods?: Readonly<Record<string, ShipMethod>>;
  /** The ship method for a shipping line no table knows, and for an order without shipping lines. Unset: such orders fail. */
  readonly defaultShipMethod?: ShipMethod;
  /** Shipping-line `code` (or `title`) → Orderly store id: orders shipped by that line are pickups at that store. */
  readonly pickupStores?: Readonly<Record<string, string>>;
  /** Shopify SKU, or `variant:<variant_id>` for a line without SKU → Orderly SKU. */
  readonly skuAliases?: Readonly<Record<string, string>>;
  /**
   * A line item without SKU and without an alias for its variant: `refuse` (default) fails the
   * order; `variant` takes `variant:<variant_id>` as the SKU. A custom line item (no variant)
   * always fails: nothing identifies what to fulfil.
   */
  readonly missingSku?: 'refuse' | 'variant';
  /**
   * Which currency the order is kept in: `presentment` (default; what the customer was charged,
   * the currency of Shopify's transactions and so of refunds) or `shop` (the store's currency).
   */
  readonly currency?: 'presentment' | 'shop';
  /** The tier given to Shopify customers. Default `standard`. */
  readonly customerTier?: string;
}

const id = z.string().min(1).max(ORDER_LIMITS.maxIdLength);
const table = <V extends z.ZodType>(value: V) => z.record(z.string().trim().min(1).max(200), value);

export const ShopifyMappingSchema = z.strictObject({
  shipMethods: table(z.enum(SHIP_METHODS)).optional(),
  defaultShipMethod: z.enum(SHIP_METHODS).optional(),
  pickupStores: table(id).optional(),
  skuAliases: table(id).optional(),
  missingSku: z.enum(['refuse', 'variant']).optional(),
  currency: z.enum(['presentment', 'shop']).optional(),
  customerTier: z.string().min(1).max(32).optional(),
});

/** Validates a mapping read from configuration (JSON or YAML), naming every offending field. */
export function parseShopifyMapping(input: unknown): { ok: true; mapping: ShopifyMapping } | { ok: false; errors: FieldError[] } {
  const r = ShopifyMappingSchema.safeParse(input);
  if (r.success) return { ok: true, mapping: r.data };
  return { ok: false, errors: r.error.issues.map((i) => ({ path: i.path.map(String).join('.') || 'mapping', message: i.message })) };
}

/** The shipping-line tables, keyed by trimmed lower-case code. */
export interface ShippingTables {
  lookup(key: string): FulfillmentPreference | undefined;
  readonly fallback?: FulfillmentPreference;
}

export function shippingTables(mapping: ShopifyMapping): ShippingTables {
  const norm = (k: string) => k.trim().toLowerCase();
  const prefs = new Map<string, FulfillmentPreference>();
  for (const [k, shipMethod] of Object.entries(mapping.shipMethods ?? {})) prefs.set(norm(k), { type: 'ship', shipMethod });
  // A pickup entry wins over a ship entry of the same code: it is the more specific statement.
  for (const [k, storeId] of Object.entries(mapping.pickupStores ?? {})) prefs.set(norm(k), { type: 'pickup', storeId });
  return {
    lookup: (key) => prefs.get(norm(key)),
    ...(mapping.defaultShipMethod ? { fallback: { type: 'ship', shipMethod: mapping.defaultShipMethod } } : {}),
  };
}

/** The Orderly SKU for a Shopify SKU or variant key, when the alias table has one. */
export const skuAlias = (mapping: ShopifyMapping, key: string): string | undefined =>
  mapping.skuAliases && Object.hasOwn(mapping.skuAliases, key) ? mapping.skuAliases[key] : undefined;

/** The channel of every order from Shopify, and the system its messages come from. */
export const SHOPIFY_CHANNEL = 'shopify';

/**
 * The mapping used when none is configured (ORDERLY_SHOPIFY_MAPPING_FILE): Shopify's usual
 * shipping titles, `standard` for any other, and a SKU-less line fulfilled as `variant:<id>`.
 * A shop whose codes mean something else sets its own; these are stated defaults, not guesses.
 */
export const DEFAULT_SHOPIFY_MAPPING: ShopifyMapping = {
  shipMethods: { standard: 'standard', 'standard shipping': 'standard', express: 'expedited', expedited: 'expedited', overnight: 'overnight', 'same day': 'same_day' },
  defaultShipMethod: 'standard',
  missingSku: 'variant',
};
