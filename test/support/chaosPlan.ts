import type { CatalogueItem } from '../../src/connectors/sim/index.js';
import { createRandom } from '../../src/connectors/sim/random.js';

/**
 * The chaos test's orders (test/chaos/network.chaos.test.ts), drawn from a seed: a mix of flows —
 * shipping (from a DC, a store or the drop-ship vendor, split between them), pickups, cancels
 * before and after release, and returns — kept within the network's stock so that every order
 * has an end state it should reach, known in advance.
 */
export type Flow = 'ship' | 'dc_only' | 'dropship' | 'split' | 'pickup' | 'cancel_before_release' | 'cancel_after_release' | 'return';

export interface PlannedOrder {
  readonly n: number;
  readonly flow: Flow;
  readonly shipTo?: { readonly city: string; readonly lat: number; readonly lon: number; readonly region: string };
  readonly fulfillment: { readonly type: 'ship'; readonly shipMethod: 'standard' } | { readonly type: 'pickup'; readonly storeId: string };
  readonly lines: readonly { readonly lineId: string; readonly sku: string; readonly quantity: number; readonly unitPrice: number }[];
  /** The gateway declines authorizations of amounts ending in 13 (docs/simulators.md): such an order is held for payment. */
  readonly declined: boolean;
}

/** The end states an order of each flow may rest in when everything has been delivered that can be. */
export const EXPECTED: Readonly<Record<Flow, readonly string[]>> = {
  ship: ['delivered'],
  dc_only: ['delivered'],
  dropship: ['delivered'],
  split: ['delivered'],
  pickup: ['delivered'],
  cancel_before_release: ['cancelled'],
  // The node may have shipped before the cancel reached it: then it refuses and the order is delivered.
  cancel_after_release: ['cancelled', 'delivered'],
  // A single unit returned closes the order at once (nothing left to deliver or refund).
  return: ['partially_returned', 'closed'],
};

const CITIES = [
  { city: 'Sacramento', region: 'CA', lat: 38.58, lon: -121.49 },
  { city: 'Salt Lake City', region: 'UT', lat: 40.76, lon: -111.89 },
  { city: 'Philadelphia', region: 'PA', lat: 39.95, lon: -75.16 },
  { city: 'Boston', region: 'MA', lat: 42.36, lon: -71.06 },
  { city: 'Richmond', region: 'VA', lat: 37.54, lon: -77.44 },
  { city: 'Denver', region: 'CO', lat: 39.74, lon: -104.99 },
  { city: 'Seattle', region: 'WA', lat: 47.61, lon: -122.33 },
  { city: 'Chicago', region: 'IL', lat: 41.88, lon: -87.63 },
  { city: 'Austin', region: 'TX', lat: 30.27, lon: -97.74 },
  { city: 'Brooklyn', region: 'NY', lat: 40.68, lon: -73.98 },
  { city: 'Detroit', region: 'MI', lat: 42.33, lon: -83.05 },
];
const STORES = ['store-seattle', 'store-chicago', 'store-austin', 'store-brooklyn'];
/** Everywhere-stocked SKUs kept for pickups, so shipping never empties the shelves pickups need. */
const PICKUP_SKUS = ['MUG-CER-12OZ', 'CANDLE-SOY', 'SOCKS-3PK', 'CAP-NVY'];
const WEIGHTS: readonly (readonly [Flow, number])[] = [
  ['ship', 48], ['dc_only', 8], ['dropship', 4], ['split', 4], ['pickup', 10], ['cancel_before_release', 5], ['cancel_after_release', 12], ['return', 9],
];

/**
 * `count` orders for a network whose stock is `stock` (node → sku → on hand). Demand per SKU stays
 * within half of the supply it may be served from, so nothing is backordered whatever the routing
 * (and whichever node an outage takes out for a while).
 */
export function planOrders(count: number, seed: number, catalogue: readonly CatalogueItem[], stock: ReadonlyMap<string, Readonly<Record<string, number>>>): PlannedOrder[] {
  const rng = createRandom(seed);
  const supply = (sku: string, nodes: readonly string[]) => nodes.reduce((s, n) => s + (stock.get(n)?.[sku] ?? 0), 0);
  const left = new Map<string, number>(); // `${scope}|${sku}` → units still to be planned
  const take = (scope: string, sku: string, nodes: readonly string[], quantity: number): boolean => {
    const key = `${scope}|${sku}`;
    if (!left.has(key)) left.set(key, Math.floor(supply(sku, nodes) / 2));
    const n = left.get(key)!;
    if (n < quantity) return false;
    left.set(key, n - quantity);
    return true;
  };
  const skus = (profile: CatalogueItem['profile'], except: readonly string[] = []) => catalogue.filter((c) => c.profile === profile && !except.includes(c.sku));
  const everywhere = skus('everywhere', PICKUP_SKUS);
  const dcOnly = skus('dc_only');
  const vendor = skus('vendor');
  const DCS = ['dc-east', 'dc-west'];
  const pick = <T>(list: readonly T[]): T => list[rng.int(list.length)]!;
  const totalWeight = WEIGHTS.reduce((s, [, w]) => s + w, 0);
  const drawFlow = (): Flow => {
    let r = rng.int(totalWeight);
    for (const [flow, w] of WEIGHTS) {
      if (r < w) return flow;
      r -= w;
    }
    return 'ship';
  };

  const out: PlannedOrder[] = [];
  for (let n = 0; out.length < count; n++) {
    if (n > count * 20) throw new Error('the network has too little stock for this many orders');
    const flow = drawFlow();
    const city = pick(CITIES);
    const qty = () => 1 + rng.int(2);
    let lines: { sku: string; quantity: number }[] = [];
    let fulfillment: PlannedOrder['fulfillment'] = { type: 'ship', shipMethod: 'standard' };
    let ok = true;
    switch (flow) {
      case 'ship':
      case 'cancel_before_release':
      case 'cancel_after_release':
      case 'return': {
        const first = pick(everywhere);
        const second = rng.chance(0.3) ? pick(everywhere.filter((c) => c.sku !== first.sku)) : undefined;
        lines = [first, ...(second ? [second] : [])].map((c) => ({ sku: c.sku, quantity: qty() }));
        ok = lines.every((l) => take('net', l.sku, [...DCS], l.quantity));
        break;
      }
      case 'dc_only': {
        const c = pick(dcOnly);
        lines = [{ sku: c.sku, quantity: qty() }];
        ok = take('net', c.sku, DCS, lines[0]!.quantity);
        break;
      }
      case 'dropship': {
        const c = pick(vendor);
        lines = [{ sku: c.sku, quantity: 1 }];
        ok = take('net', c.sku, ['vendor-northwoods'], 1);
        break;
      }
      case 'split': {
        const a = pick(dcOnly);
        const b = pick(vendor);
        lines = [{ sku: a.sku, quantity: 1 }, { sku: b.sku, quantity: 1 }];
        ok = take('net', a.sku, DCS, 1) && take('net', b.sku, ['vendor-northwoods'], 1);
        break;
      }
      case 'pickup': {
        const storeId = pick(STORES);
        const sku = pick(PICKUP_SKUS);
        lines = [{ sku, quantity: 1 }];
        fulfillment = { type: 'pickup', storeId };
        ok = take(storeId, sku, [storeId], 1);
        break;
      }
    }
    if (!ok) continue;
    const priced = lines.map((l, i) => ({ lineId: String(i + 1), sku: l.sku, quantity: l.quantity, unitPrice: catalogue.find((c) => c.sku === l.sku)!.unitPrice }));
    const total = priced.reduce((s, l) => s + l.quantity * l.unitPrice, 0);
    out.push({
      n: out.length,
      flow,
      ...(fulfillment.type === 'ship' ? { shipTo: city } : {}),
      fulfillment,
      lines: priced,
      declined: total % 100 === 13,
    });
  }
  return out;
}
