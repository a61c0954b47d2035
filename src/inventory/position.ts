/**
 * A stock position per (node, sku). `onHand` is what the node's system of record reported as of
 * `asOf` (null when no snapshot has been received, e.g. only adjustments); `reserved` is what
 * Orderly holds against it for routed orders.
 */
export interface Position {
  readonly nodeId: string;
  readonly sku: string;
  readonly onHand: number;
  readonly reserved: number;
  readonly asOf: string | null;
}

/**
 * Whether an incoming snapshot replaces the one held: an older `asOf` is ignored (the caller counts
 * it); an equal one is applied again, which makes a re-delivered snapshot harmless. An unreadable
 * incoming time never wins over a readable held one.
 */
export function snapshotSupersedes(heldAsOf: string | null, incomingAsOf: string): boolean {
  if (heldAsOf === null) return true;
  const held = Date.parse(heldAsOf);
  const incoming = Date.parse(incomingAsOf);
  if (Number.isNaN(incoming)) return Number.isNaN(held);
  if (Number.isNaN(held)) return true;
  return incoming >= held;
}
