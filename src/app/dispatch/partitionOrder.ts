/**
 * The outbox claim rule as a pure function: what `claimOutbox` may hand out. Both store adapters
 * implement it in SQL; the contract suite checks them against this model.
 *
 * Order per partition key (e.g. `ord_…:dc-east`) is kept by handing out only the first unfinished
 * message of each partition: a later message waits while an earlier one is pending (due or not,
 * leased or not) or dead. `dispatched` and `discarded` are final and unblock the partition, and a
 * message never returns to unfinished except by redrive of a dead one (which was unfinished
 * already), so a head, once seen, stays the head until it is settled.
 */
export interface ClaimRuleRow {
  readonly seq: number;
  readonly destination: string;
  readonly partitionKey: string;
  readonly status: 'pending' | 'dispatched' | 'dead' | 'discarded';
  /** Epoch milliseconds. */
  readonly availableAt: number;
  /** Epoch milliseconds; null when not leased. */
  readonly leaseUntil: number | null;
}

export const isUnfinished = (status: ClaimRuleRow['status']): boolean => status === 'pending' || status === 'dead';

/** The seqs of the rows a claim at `now` may lease, oldest first, at most `limit`. */
export function claimableSeqs(
  rows: readonly ClaimRuleRow[],
  query: { readonly now: number; readonly limit: number; readonly destinations?: readonly string[] },
): number[] {
  const heads = new Map<string, ClaimRuleRow>();
  for (const row of [...rows].sort((a, b) => a.seq - b.seq)) {
    if (isUnfinished(row.status) && !heads.has(row.partitionKey)) heads.set(row.partitionKey, row);
  }
  return [...heads.values()]
    .filter(
      (r) =>
        r.status === 'pending' &&
        r.availableAt <= query.now &&
        (r.leaseUntil === null || r.leaseUntil <= query.now) &&
        (query.destinations === undefined || query.destinations.includes(r.destination)),
    )
    .map((r) => r.seq)
    .sort((a, b) => a - b)
    .slice(0, Math.max(0, query.limit));
}
