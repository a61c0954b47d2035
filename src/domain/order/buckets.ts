import type { Result } from '../result.js';
import { illegal, ok } from '../result.js';

/**
 * A line's quantity is partitioned into buckets that always sum to the ordered quantity
 * (DESIGN §2.4). Quantity only ever moves between buckets, along the edges of BUCKET_MOVES.
 */
export const BUCKETS = [
  'unallocated',
  'backordered',
  'allocated',
  'released',
  'shipped',
  'delivered',
  'cancelled',
  'returned',
] as const;

export type Bucket = (typeof BUCKETS)[number];
export type Buckets = Readonly<Record<Bucket, number>>;

/** The legal bucket-to-bucket moves: data, printable and tested, not `if` chains. */
export const BUCKET_MOVES: Readonly<Record<Bucket, readonly Bucket[]>> = {
  unallocated: ['allocated', 'backordered', 'cancelled'],
  backordered: ['allocated', 'unallocated', 'cancelled'],
  allocated: ['released', 'unallocated', 'backordered', 'cancelled'],
  released: ['shipped', 'unallocated', 'backordered', 'cancelled'],
  shipped: ['delivered', 'returned'],
  delivered: ['returned'],
  // Only by accepting, as an operator, a node's shipment of units that had been cancelled: the
  // customer has them (AcceptExternalShipment). Nothing else ever takes quantity out of cancelled.
  cancelled: ['shipped'],
  returned: [],
};

/** Buckets from which a cancellation may take quantity without asking a node. */
export const CANCELLABLE_BEFORE_RELEASE: readonly Bucket[] = ['unallocated', 'backordered', 'allocated'];

export interface BucketMove {
  readonly lineId: string;
  readonly from: Bucket;
  readonly to: Bucket;
  readonly quantity: number;
}

export const emptyBuckets = (): Record<Bucket, number> => ({
  unallocated: 0,
  backordered: 0,
  allocated: 0,
  released: 0,
  shipped: 0,
  delivered: 0,
  cancelled: 0,
  returned: 0,
});

export const bucketTotal = (b: Buckets): number => BUCKETS.reduce((sum, k) => sum + b[k], 0);

export const canMove = (from: Bucket, to: Bucket): boolean => BUCKET_MOVES[from].includes(to);

/** Applies one move, refusing an illegal edge or a move of more than the bucket holds. */
export function applyMove(b: Buckets, move: BucketMove): Result<Buckets> {
  if (!Number.isInteger(move.quantity) || move.quantity <= 0) {
    return illegal(`line ${move.lineId}: a move must be a positive whole quantity`);
  }
  if (!canMove(move.from, move.to)) {
    return illegal(`line ${move.lineId}: quantity cannot move from ${move.from} to ${move.to}`);
  }
  if (b[move.from] < move.quantity) {
    return illegal(
      `line ${move.lineId}: ${move.quantity} cannot leave ${move.from}, which holds ${b[move.from]}`,
    );
  }
  return ok({ ...b, [move.from]: b[move.from] - move.quantity, [move.to]: b[move.to] + move.quantity });
}
