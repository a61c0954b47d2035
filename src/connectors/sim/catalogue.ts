import { createRandom } from './random.js';

/**
 * The simulated retailer's catalogue: ~30 SKUs with a stocking profile each. Prices in USD cents.
 * Hazmat items carry `attributes.hazmat = true` on the order line (a ruleset can exclude them from
 * stores); scarce items exist in units of one to three.
 */
export type StockProfile =
  /** At both DCs and every store. */
  | 'everywhere'
  /** Bulky: the DCs only. */
  | 'dc_only'
  /** At the DCs and in small numbers in stores, which must not ship them (see docs/simulators.md). */
  | 'hazmat'
  /** One to three units at one or two nodes. */
  | 'scarce'
  /** Only the drop-ship vendor has it. */
  | 'vendor';

export interface CatalogueItem {
  readonly sku: string;
  readonly name: string;
  readonly unitPrice: number;
  readonly profile: StockProfile;
  readonly attributes?: Readonly<Record<string, string | number | boolean>>;
}

const item = (sku: string, name: string, unitPrice: number, profile: StockProfile): CatalogueItem => ({
  sku, name, unitPrice, profile, ...(profile === 'hazmat' ? { attributes: { hazmat: true } } : {}),
});

export const CATALOGUE: readonly CatalogueItem[] = [
  item('TEE-BLK-M', 'Organic tee, black, M', 2400, 'everywhere'),
  item('TEE-WHT-M', 'Organic tee, white, M', 2400, 'everywhere'),
  item('HOODIE-GRY-L', 'Fleece hoodie, grey, L', 6500, 'everywhere'),
  item('JEANS-IND-32', 'Straight jeans, indigo, 32', 7900, 'everywhere'),
  item('SOCKS-3PK', 'Merino socks, 3 pack', 1800, 'everywhere'),
  item('CAP-NVY', 'Canvas cap, navy', 2200, 'everywhere'),
  item('MUG-CER-12OZ', 'Ceramic mug, 12 oz', 1400, 'everywhere'),
  item('CANDLE-SOY', 'Soy candle, cedar', 2800, 'everywhere'),
  item('BLANKET-KIDS', "Kids' cotton blanket", 3900, 'everywhere'),
  item('EARBUDS-BT', 'Wireless earbuds', 8900, 'everywhere'),
  item('CHARGER-USBC-65W', 'USB-C charger, 65 W', 4500, 'everywhere'),
  item('SPEAKER-BT', 'Portable speaker', 12900, 'everywhere'),
  item('LANTERN-LED', 'LED camping lantern', 3500, 'everywhere'),
  item('THROW-WOOL', 'Wool throw', 11900, 'dc_only'),
  item('LAMP-DESK-LED', 'LED desk lamp', 6900, 'dc_only'),
  item('TENT-2P', 'Two-person tent', 24900, 'dc_only'),
  item('STOVE-CAMP', 'Two-burner camp stove', 13900, 'dc_only'),
  item('POWERBANK-10K', 'Power bank, 10,000 mAh (lithium)', 3900, 'hazmat'),
  item('FUEL-ISOBUT-230', 'Isobutane fuel, 230 g', 799, 'hazmat'),
  item('BEAR-SPRAY', 'Bear deterrent spray', 4999, 'hazmat'),
  item('AEROSOL-PAINT-RED', 'Spray paint, red', 1099, 'hazmat'),
  item('BATTERY-LI-18650', 'Li-ion cell 18650', 1299, 'hazmat'),
  item('WATCH-LTD-ED', 'Field watch, limited edition', 45000, 'scarce'),
  item('SNEAKER-COLLAB-10', 'Collab sneaker, US 10', 22000, 'scarce'),
  item('CAMERA-FILM-35', 'Rangefinder camera, 35 mm', 89900, 'scarce'),
  item('SOFA-3S-OAT', 'Three-seat sofa, oatmeal', 149900, 'vendor'),
  item('TABLE-OAK-6', 'Oak dining table, six seats', 119900, 'vendor'),
  item('CHAIR-OAK', 'Oak dining chair', 24900, 'vendor'),
  item('BED-QUEEN-FRAME', 'Queen bed frame, walnut', 99900, 'vendor'),
  item('RUG-WOOL-8X10', 'Wool rug, 8 × 10 ft', 79900, 'vendor'),
];

export type NodeRole = 'dc' | 'store' | 'vendor';

/** Stock on hand per node, drawn from the seed: the same seed stocks the same shelves. */
export function stockFor(nodes: readonly { readonly id: string; readonly role: NodeRole }[], seed: number, catalogue: readonly CatalogueItem[] = CATALOGUE): Map<string, Record<string, number>> {
  const rng = createRandom(seed);
  const stock = new Map(nodes.map((n) => [n.id, {} as Record<string, number>]));
  const between = (lo: number, hi: number) => lo + rng.int(hi - lo + 1);
  for (const it of catalogue) {
    const holders = it.profile === 'scarce' ? rng.shuffle(nodes.filter((n) => n.role !== 'vendor')).slice(0, 1 + rng.int(2)) : nodes;
    for (const n of holders) {
      const shelf = stock.get(n.id) as Record<string, number>;
      const qty = quantity(it.profile, n.role, between);
      // Every node knows every SKU of its range, even at zero (a WMS answers unknown_sku for the rest).
      if (qty !== undefined) shelf[it.sku] = qty;
    }
  }
  return stock;
}

function quantity(profile: StockProfile, role: NodeRole, between: (lo: number, hi: number) => number): number | undefined {
  switch (profile) {
    case 'everywhere':
      return role === 'dc' ? between(150, 500) : role === 'store' ? between(4, 25) : undefined;
    case 'dc_only':
      return role === 'dc' ? between(40, 120) : undefined;
    case 'hazmat':
      return role === 'dc' ? between(50, 200) : role === 'store' ? between(2, 10) : undefined;
    case 'scarce':
      return role === 'vendor' ? undefined : between(1, 3);
    case 'vendor':
      return role === 'vendor' ? between(5, 40) : undefined;
  }
}
