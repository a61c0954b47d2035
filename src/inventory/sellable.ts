import type { FreshnessCutoff, FreshnessPolicy } from './freshness.js';
import { freshnessCutoff, isStaleAt, staleBufferUnits } from './freshness.js';
import type { Position } from './position.js';
import type { NodeRef, SafetyStockRules } from './safetyStock.js';
import { safetyStockFor } from './safetyStock.js';

/** The part of a ruleset the inventory rules read; a routing `Ruleset` satisfies it. */
export interface InventoryRules {
  readonly inventory: FreshnessPolicy;
  readonly safetyStock: SafetyStockRules;
}

export interface SellableStock {
  /** Units that may be promised now: never negative. */
  readonly sellable: number;
  readonly safetyStock: number;
  readonly stale: boolean;
}

/**
 * sellable = max(0, onHand − reserved − safety [− stale buffer]); a stale position is not sellable
 * at all under `staleMode: exclude`. `now` is an ISO-8601 time passed in by the caller.
 */
export function sellable(position: Position, node: NodeRef, rules: InventoryRules, now: string): SellableStock {
  const nowMs = Date.parse(now);
  if (Number.isNaN(nowMs)) throw new RangeError(`now is not a date-time: ${now}`);
  return sellableAt(position, node, rules, freshnessCutoff(rules.inventory, nowMs));
}

/** `sellable` with the freshness cutoff resolved once, for callers that evaluate many positions. */
export function sellableAt(position: Position, node: NodeRef, rules: InventoryRules, cutoff: FreshnessCutoff): SellableStock {
  const safetyStock = safetyStockFor(rules.safetyStock, node, position.sku);
  const stale = isStaleAt(position.asOf, cutoff);
  const available = position.onHand - position.reserved - safetyStock;
  if (stale && rules.inventory.staleMode === 'exclude') return { sellable: 0, safetyStock, stale };
  const buffer = stale ? staleBufferUnits(rules.inventory.staleBuffer, available) : 0;
  return { sellable: wholeUnits(available - buffer), safetyStock, stale };
}

// Garbage in (NaN, fractions) must never turn into promisable stock.
const wholeUnits = (n: number): number => (Number.isFinite(n) && n > 0 ? Math.floor(n) : 0);
