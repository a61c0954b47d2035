/**
 * Units held back from sale at a position. Keys of `byNodeType` are node types (`dc`, `store`, …),
 * of `byNode` node ids, of `bySku` SKUs.
 */
export interface SafetyStockRules {
  readonly byNodeType?: Readonly<Partial<Record<string, number>>>;
  readonly byNode?: Readonly<Record<string, number>>;
  readonly bySku?: Readonly<Record<string, number>>;
}

/** The little a safety-stock or freshness rule needs to know about a node. */
export interface NodeRef {
  readonly id: string;
  readonly type: string;
}

/**
 * The most specific rule wins: SKU, then node, then node type, else 0. A SKU rule is taken as the
 * most specific because it is what a planner sets for a fast mover or a recall, and it must hold at
 * every node; a node rule covers every SKU of one site; a node-type rule is the broad default.
 */
export function safetyStockFor(rules: SafetyStockRules, node: NodeRef, sku: string): number {
  const value = own(rules.bySku, sku) ?? own(rules.byNode, node.id) ?? own(rules.byNodeType, node.type) ?? 0;
  return Math.max(0, value);
}

// Own properties only, so a SKU named `constructor` cannot pick up Object.prototype.
function own(table: Readonly<Partial<Record<string, number>>> | undefined, key: string): number | undefined {
  if (table === undefined || !Object.prototype.hasOwnProperty.call(table, key)) return undefined;
  return table[key];
}
