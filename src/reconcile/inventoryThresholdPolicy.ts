import type { Severity } from './drift.js';

/** How much on-hand difference a position tolerates before it is `inventory_drift`, by SKU velocity class. */
export interface InventoryThresholdPolicy {
  /** The class used when the ledger gives none (or for a position the ledger does not hold). */
  readonly defaultClass: string;
  /** Units tolerated for a position of `velocityClass` expected to hold `expected` units; and the severity hint of a drift. */
  threshold(input: { readonly velocityClass: string; readonly expected: number; readonly nodeId: string; readonly sku: string }): {
    readonly tolerance: number;
    readonly severity: Severity;
  };
}

/** A drift is a difference greater than max(units, percent % of expected). */
export interface VelocityThreshold {
  readonly units: number;
  readonly percent: number;
  readonly severity: Severity;
}

export interface InventoryThresholdOptions {
  readonly classes: Readonly<Record<string, VelocityThreshold>>;
  readonly defaultClass: string;
}

/**
 * Defaults (ABC by sales velocity): known movements are already netted at the checkpoint, so what
 * remains is sales the ledger has not heard of yet plus real loss. Fast movers (A) carry more such
 * noise in units but matter most, so a small unit allowance, a tight percentage and a high
 * severity; slow movers (C) should not move unseen at all, so no unit allowance and a wider
 * percentage for large quantities.
 */
export const DEFAULT_INVENTORY_THRESHOLDS: InventoryThresholdOptions = {
  classes: {
    A: { units: 2, percent: 1, severity: 'high' },
    B: { units: 1, percent: 2, severity: 'medium' },
    C: { units: 0, percent: 5, severity: 'low' },
  },
  defaultClass: 'C',
};

export function createInventoryThresholdPolicy(options: InventoryThresholdOptions = DEFAULT_INVENTORY_THRESHOLDS): InventoryThresholdPolicy {
  const fallback = options.classes[options.defaultClass];
  if (fallback === undefined) throw new RangeError(`default velocity class ${options.defaultClass} has no threshold`);
  return {
    defaultClass: options.defaultClass,
    threshold({ velocityClass, expected }) {
      const t = Object.prototype.hasOwnProperty.call(options.classes, velocityClass) ? (options.classes[velocityClass] ?? fallback) : fallback;
      return { tolerance: Math.max(t.units, (t.percent * Math.abs(expected)) / 100), severity: t.severity };
    },
  };
}

export const defaultInventoryThresholdPolicy: InventoryThresholdPolicy = createInventoryThresholdPolicy();
