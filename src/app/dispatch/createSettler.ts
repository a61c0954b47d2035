import type { OutboxSettleResult, OutboxSettlement, Store } from '../../store/port.js';

/**
 * Outcomes that finish together share one store transaction (one fsync on SQLite), group-commit
 * style: outcomes queued while a batch is being written go in the next one.
 */
export function createSettler(store: Pick<Store, 'settleOutbox'>, maxBatch = 64) {
  let queue: { settlement: OutboxSettlement; resolve: (r: OutboxSettleResult) => void; reject: (e: unknown) => void }[] = [];
  let running: Promise<void> | undefined;

  const run = async (): Promise<void> => {
    // Let outcomes finishing in this same turn join the first batch.
    await Promise.resolve();
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const results = await store.settleOutbox(batch.map((b) => b.settlement));
        if (results.length !== batch.length) throw new Error(`the store answered ${results.length} results for ${batch.length} outcomes`);
        batch.forEach((b, i) => b.resolve(results[i]!));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    running = undefined;
  };

  return {
    settle(settlement: OutboxSettlement): Promise<OutboxSettleResult> {
      return new Promise((resolve, reject) => {
        queue.push({ settlement, resolve, reject });
        running ??= run();
      });
    },
    async drain(): Promise<void> {
      while (running) await running;
    },
  };
}
