import { Worker } from 'node:worker_threads';
import { encodeUnit } from './commit.js';
import type { UnitOfWork, UnitOutcome } from '../port.js';

/**
 * Runs group commits on a worker thread that owns the SQLite write connection. The main thread
 * posts a batch and awaits its outcomes; batches are applied in the order posted.
 */
export function createWriterThread(path: string, synchronous: 'FULL' | 'NORMAL') {
  let worker: Worker | undefined;
  let seq = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();

  const start = (): Worker => {
    const w = new Worker(new URL('./writerBoot.mjs', import.meta.url), { workerData: { path, synchronous } });
    w.on('message', (msg: { id: number; outcomes?: UnitOutcome[]; error?: { message: string; code?: string }; closed?: true }) => {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (!p) return;
      if (msg.error) p.reject(Object.assign(new Error(msg.error.message), { code: msg.error.code }));
      else p.resolve(msg.closed ? undefined : msg.outcomes);
    });
    w.on('error', (err) => {
      for (const p of pending.values()) p.reject(err);
      pending.clear();
      worker = undefined;
    });
    return w;
  };

  const send = <T>(msg: object, transfer: ArrayBuffer[] = []): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++seq;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      (worker ??= start()).postMessage({ id, ...msg }, transfer);
    });

  return {
    // Units cross with their JSON columns as text (see encodeUnit): cloning object graphs to the
    // thread costs far more than the strings.
    commit: (units: readonly UnitOfWork[]) => send<UnitOutcome[]>({ units: units.map(encodeUnit) }),
    async close() {
      if (!worker) return;
      await send({ close: true });
      await worker.terminate();
      worker = undefined;
    },
  };
}
