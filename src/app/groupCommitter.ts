import type { Store, UnitOfWork, UnitOutcome } from '../store/port.js';

export interface GroupCommitter {
  /** Resolves once the unit's batch is durably committed (or with the unit's own refusal). */
  submit(unit: UnitOfWork): Promise<UnitOutcome>;
  /** Waits for everything submitted so far. */
  drain(): Promise<void>;
  readonly stats: { batches: number; units: number; maxBatch: number };
}

export interface GroupCommitOptions {
  readonly maxBatch?: number;
  readonly onBatch?: (size: number, seconds: number) => void;
}

/**
 * Group commit (DESIGN §6): units submitted while a commit is in flight, or within the same turn
 * of the event loop, are applied together in one transaction, each in its own savepoint. One
 * durable commit then answers many callers — no caller is answered before its commit is durable.
 */
export function createGroupCommitter(store: Store, options: GroupCommitOptions = {}): GroupCommitter {
  // PostgreSQL slows every session past 64 subtransactions in one transaction; stay below it.
  const maxBatch = options.maxBatch ?? 64;
  let queue: { unit: UnitOfWork; resolve: (o: UnitOutcome) => void; reject: (e: unknown) => void }[] = [];
  let running: Promise<void> | undefined;
  const stats = { batches: 0, units: 0, maxBatch: 0 };

  const run = async (): Promise<void> => {
    // Let the requests that arrived in this turn of the event loop join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      const started = performance.now();
      try {
        const outcomes = await store.commit(batch.map((b) => b.unit));
        if (outcomes.length !== batch.length) throw new Error(`store answered ${outcomes.length} outcomes for ${batch.length} units`);
        batch.forEach((b, i) => b.resolve(outcomes[i]!));
      } catch (err) {
        if (batch.length === 1) batch[0]!.reject(err);
        // An unexpected error (not a unit refusal) failed the whole transaction: commit the units
        // one by one so only the unit that causes it fails, and the others are not punished.
        else for (const b of batch) await store.commit([b.unit]).then((o) => b.resolve(o[0]!), b.reject);
      }
      stats.batches += 1;
      stats.units += batch.length;
      stats.maxBatch = Math.max(stats.maxBatch, batch.length);
      options.onBatch?.(batch.length, (performance.now() - started) / 1000);
    }
    running = undefined;
  };

  return {
    submit(unit) {
      return new Promise<UnitOutcome>((resolve, reject) => {
        queue.push({ unit, resolve, reject });
        running ??= run();
      });
    },
    async drain() {
      while (running) await running;
    },
    stats,
  };
}
