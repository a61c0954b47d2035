import { describe, expect, it } from 'vitest';
import { createSimClock } from '../../src/connectors/sim/simClock.js';

describe('simulated clock', () => {
  it('manual: tasks run in time order (ties in scheduling order) only when time is advanced, each at its own time', async () => {
    const clock = createSimClock({ startAt: '2026-01-01T00:00:00Z' });
    const ran: string[] = [];
    const log = (name: string) => () => void ran.push(`${name}@${clock.elapsedMs()}`);
    clock.schedule(300, 'c', log('c'));
    clock.schedule(100, 'a', log('a'));
    clock.schedule(300, 'd', log('d'));
    clock.schedule(200, 'b', () => {
      log('b')();
      clock.schedule(50, 'b2', log('b2')); // scheduled by a task, still in the same advance
    });
    await clock.tick();
    expect(ran).toEqual([]);
    await clock.advance(250);
    expect(ran).toEqual(['a@100', 'b@200', 'b2@250']);
    expect(clock.now()).toBe('2026-01-01T00:00:00.250Z');
    await clock.advance(50);
    expect(ran).toEqual(['a@100', 'b@200', 'b2@250', 'c@300', 'd@300']);
    expect(clock.pending()).toEqual([]);
  });

  it('a task that throws is recorded and the others still run', async () => {
    const clock = createSimClock();
    let after = false;
    clock.schedule(1, 'boom', () => {
      throw new Error('boom');
    });
    clock.schedule(2, 'after', () => {
      after = true;
    });
    await clock.advance(5);
    expect(after).toBe(true);
    expect(clock.failures().map((f) => f.label)).toEqual(['boom']);
  });

  it('runUntilIdle follows chains of tasks, and stops at its limit', async () => {
    const clock = createSimClock();
    let n = 0;
    const again = () => {
      n++;
      clock.schedule(1000, 'again', again);
    };
    clock.schedule(1000, 'again', again);
    await clock.runUntilIdle(10_500);
    expect(n).toBe(10);
    expect(clock.pending()).toHaveLength(1);
    await expect(clock.advance(-1)).rejects.toThrow(/≥ 0/);
  });

  it('real mode runs due tasks on timers, and advance jumps ahead', async () => {
    const clock = createSimClock({ mode: 'real' });
    const done = new Promise<string>((resolve) => clock.schedule(0, 'soon', () => resolve('ran')));
    await expect(done).resolves.toBe('ran');
    let late = false;
    clock.schedule(3_600_000, 'in an hour', () => {
      late = true;
    });
    await clock.advance(3_600_000);
    expect(late).toBe(true);
    clock.close();
  });
});
