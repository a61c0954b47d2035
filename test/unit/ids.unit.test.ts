import { describe, expect, it } from 'vitest';
import { newId, uuidv7Hex } from '../../src/app/ids.js';

describe('ids', () => {
  it('are prefixed, UUIDv7-shaped and strictly increasing, even within one millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => newId('order'));
    expect(ids.every((id) => /^ord_[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$/.test(id))).toBe(true);
    expect(ids.every((id, i) => i === 0 || ids[i - 1]! < id)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('carry the time they were made, and never go backwards when the clock does', () => {
    const a = uuidv7Hex(Date.UTC(2030, 0, 1));
    expect(parseInt(a.slice(0, 12), 16)).toBe(Date.UTC(2030, 0, 1));
    const b = uuidv7Hex(Date.UTC(2029, 0, 1)); // the clock stepped back
    expect(b > a).toBe(true);
  });
});
