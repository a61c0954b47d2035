import type { Checkpoint, Timing } from './checkpoint.js';
import { DEFAULT_TIMING, checkpoint, parseInstant } from './checkpoint.js';
import type { SnapshotHeader } from './drift.js';
import type { FeedAgePolicy } from './feedAgePolicy.js';
import { defaultFeedAgePolicy } from './feedAgePolicy.js';
import type { InventoryThresholdPolicy } from './inventoryThresholdPolicy.js';
import { defaultInventoryThresholdPolicy } from './inventoryThresholdPolicy.js';
import type { PaymentExpectationPolicy } from './paymentExpectationPolicy.js';
import { defaultPaymentExpectationPolicy } from './paymentExpectationPolicy.js';

/** Every rule a comparison reads. Each part has its default beside it; override what differs. */
export interface ReconcilePolicy {
  readonly timing: Timing;
  readonly feedAge: FeedAgePolicy;
  readonly inventory: InventoryThresholdPolicy;
  readonly payments: PaymentExpectationPolicy;
}

export const defaultReconcilePolicy: ReconcilePolicy = {
  timing: DEFAULT_TIMING,
  feedAge: defaultFeedAgePolicy,
  inventory: defaultInventoryThresholdPolicy,
  payments: defaultPaymentExpectationPolicy,
};

/** What a comparator is given besides the rows: the snapshot, the checkpoint resolved once per run, the policy. */
export interface CompareContext {
  readonly snapshot: SnapshotHeader;
  readonly checkpoint: Checkpoint;
  readonly policy: ReconcilePolicy;
}

/** Resolves the snapshot's asOf and `now` (ISO times) once for a whole run; throws on an unreadable time. */
export function compareContext(snapshot: SnapshotHeader, now: string, policy: ReconcilePolicy = defaultReconcilePolicy): CompareContext {
  return {
    snapshot,
    checkpoint: checkpoint(parseInstant(snapshot.asOf, 'snapshot asOf'), parseInstant(now, 'now'), policy.timing),
    policy,
  };
}
