import { describe, expect, it } from 'vitest';
import { createGroupCommitter } from '../../src/app/groupCommitter.js';
import type { Store, UnitOfWork, UnitOutcome } from '../../src/store/port.js';

/** A store double that records batches and fails any batch holding a poisoned unit. */
function fakeStore(delayMs = 5) {
  const batches: string[][] = [];
  const store = {
    async commit(units: readonly UnitOfWork[]): Promise<UnitOutcome[]> {
      batches.push(units.map((u) => u.append!.streamId));
      await new Promise((r) => setTimeout(r, delayMs));
      if (units.some((u) => u.append!.streamId.startsWith('poison'))) throw new Error('constraint failed');
      return units.map(() => ({ ok: true }));
    },
  } as unknown as Store;
  return { store, batches };
}

const unit = (streamId: string): UnitOfWork => ({
  append: { streamId, streamType: 'order', expectedVersion: 0, recordedAt: 'x', events: [] },
});

describe('group committer', () => {
  it('commits units submitted together in one batch, and later ones in the next', async () => {
    const { store, batches } = fakeStore();
    const c = createGroupCommitter(store);
    const first = ['a', 'b', 'c'].map((id) => c.submit(unit(id)));
    await new Promise((r) => setTimeout(r, 1)); // while the first batch is in flight
    const second = ['d', 'e'].map((id) => c.submit(unit(id)));
    expect(await Promise.all([...first, ...second])).toEqual(Array(5).fill({ ok: true }));
    expect(batches).toEqual([['a', 'b', 'c'], ['d', 'e']]);
    expect(c.stats).toMatchObject({ batches: 2, units: 5, maxBatch: 3 });
  });

  it('caps a batch at maxBatch', async () => {
    const { store, batches } = fakeStore(1);
    const c = createGroupCommitter(store, { maxBatch: 2 });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => c.submit(unit(id))));
    expect(batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('isolates a unit that fails the whole transaction: the others still commit', async () => {
    const { store, batches } = fakeStore(1);
    const c = createGroupCommitter(store);
    const results = await Promise.allSettled(['a', 'poison-1', 'b'].map((id) => c.submit(unit(id))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(batches).toEqual([['a', 'poison-1', 'b'], ['a'], ['poison-1'], ['b']]);
  });

  it('drain waits for everything submitted', async () => {
    const { store } = fakeStore(10);
    const c = createGroupCommitter(store);
    let done = false;
    void c.submit(unit('a')).then(() => (done = true));
    await c.drain();
    expect(done).toBe(true);
  });
});
