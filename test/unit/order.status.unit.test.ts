import { describe, expect, it } from 'vitest';
import type { Bucket, OrderEvent } from '../../src/domain/order/index.js';
import {
  BUCKETS,
  BUCKET_MOVES,
  CANCELLABLE_BEFORE_RELEASE,
  ORDER_STATUSES,
  applyMove,
  bucketTotal,
  canMove,
  deriveStatus,
  emptyBuckets,
  lineTotals,
} from '../../src/domain/order/index.js';
import { deepFreeze } from '../support/deciderSpec.js';
import {
  NOW,
  STATUS_EXAMPLES,
  draft,
  holdReleased,
  lineDraft,
  orderHeld,
  orderPlaced,
  orderWithBuckets,
  placedOrder,
} from '../support/orderFixtures.js';

const cancelled = (moves: readonly [lineId: string, from: Bucket, quantity: number][]): OrderEvent => ({
  type: 'OrderCancelled',
  data: {
    reason: 'r',
    scope: 'lines',
    moves: moves.map(([lineId, from, quantity]) => ({ lineId, from, to: 'cancelled', quantity })),
  },
});

const cancelledAll = cancelled([
  ['l1', 'unallocated', 3],
  ['l2', 'unallocated', 2],
]);

describe('deriveStatus from folded events', () => {
  it.each<[string, readonly OrderEvent[], string]>([
    ['a placed order', [orderPlaced()], 'created'],
    ['a held order', [orderPlaced(), orderHeld('fraud')], 'on_hold'],
    ['a released hold', [orderPlaced(), orderHeld('fraud'), holdReleased('fraud')], 'created'],
    ['one hold released of two', [orderPlaced(), orderHeld('fraud'), orderHeld('manual'), holdReleased('fraud')], 'on_hold'],
    ['a partial cancel', [orderPlaced(), cancelled([['l1', 'unallocated', 1]])], 'partially_cancelled'],
    ['a whole line cancelled', [orderPlaced(), cancelled([['l2', 'unallocated', 2]])], 'partially_cancelled'],
    ['every unit cancelled', [orderPlaced(), cancelledAll], 'cancelled'],
    ['cancelled in two steps', [orderPlaced(), cancelled([['l1', 'unallocated', 3]]), cancelled([['l2', 'unallocated', 2]])], 'cancelled'],
    ['cancelled while held', [orderPlaced(), orderHeld('fraud'), cancelledAll], 'cancelled'],
    ['partially cancelled while held', [orderPlaced(), orderHeld('fraud'), cancelled([['l1', 'unallocated', 1]])], 'on_hold'],
  ])('%s is %s', (_, events, status) => {
    expect(deriveStatus(placedOrder(events))).toBe(status);
  });
});

describe('deriveStatus from chosen buckets', () => {
  it.each(ORDER_STATUSES)('has an example order that derives %s', (status) => {
    expect(deriveStatus(STATUS_EXAMPLES[status]())).toBe(status);
  });

  it.each<[string, Parameters<typeof orderWithBuckets>, string]>([
    ['allocated with some still unallocated', [[{ allocated: 2, unallocated: 1 }]], 'created'],
    ['allocated except a cancelled unit', [[{ allocated: 2, cancelled: 1 }]], 'partially_cancelled'],
    ['released except a cancelled unit', [[{ released: 2 }, { cancelled: 1 }]], 'released'],
    ['released, held', [[{ released: 2 }], { holds: [{ type: 'fraud', placedAt: NOW }] }], 'on_hold'],
    ['shipped, held', [[{ shipped: 2 }], { holds: [{ type: 'fraud', placedAt: NOW }] }], 'shipped'],
    ['delivered on one line, released on another', [[{ delivered: 1 }, { released: 1 }]], 'partially_shipped'],
    ['shipped and delivered', [[{ shipped: 1 }, { delivered: 1 }]], 'shipped'],
    ['returned while another line is unshipped', [[{ returned: 1 }, { allocated: 1 }]], 'partially_returned'],
    ['every live unit returned', [[{ returned: 1 }, { returned: 2 }, { cancelled: 4 }]], 'returned'],
    ['closed even though cancelled', [[{ cancelled: 1 }], { closed: true }], 'closed'],
    ['backordered on one line only', [[{ allocated: 1 }, { backordered: 1 }]], 'backordered'],
  ])('%s is %s', (_, [lines, extra], status) => {
    expect(deriveStatus(orderWithBuckets(lines, extra))).toBe(status);
  });

  it('sums buckets over lines', () => {
    const order = orderWithBuckets([{ unallocated: 1, shipped: 2 }, { shipped: 3, cancelled: 4 }]);
    expect(lineTotals(order)).toEqual({ ...emptyBuckets(), unallocated: 1, shipped: 5, cancelled: 4 });
  });

  it('places a fresh draft with quantity in unallocated only', () => {
    const order = placedOrder([orderPlaced(draft({ lines: [lineDraft('a', 7)] }))]);
    expect(order.lines[0]?.buckets).toEqual({ ...emptyBuckets(), unallocated: 7 });
  });
});

describe('the bucket table', () => {
  it('has a row for every bucket and only names known buckets', () => {
    expect(Object.keys(BUCKET_MOVES).sort()).toEqual([...BUCKETS].sort());
    for (const targets of Object.values(BUCKET_MOVES)) for (const t of targets) expect(BUCKETS).toContain(t);
  });

  it('is exactly the documented lifecycle of a unit (a change here must be deliberate)', () => {
    expect(BUCKET_MOVES).toEqual({
      unallocated: ['allocated', 'backordered', 'cancelled'],
      backordered: ['allocated', 'unallocated', 'cancelled'],
      allocated: ['released', 'unallocated', 'backordered', 'cancelled'],
      released: ['shipped', 'unallocated', 'backordered', 'cancelled'],
      shipped: ['delivered', 'returned'],
      delivered: ['returned'],
      // Deliberate: an operator may adopt a node's shipment of cancelled units (AcceptExternalShipment).
      cancelled: ['shipped'],
      returned: [],
    });
  });

  it('keeps returned terminal, cancelled so but for an accepted shipment, and never moves back out of shipment', () => {
    expect(BUCKET_MOVES.cancelled).toEqual(['shipped']);
    expect(BUCKET_MOVES.returned).toEqual([]);
    for (const from of ['shipped', 'delivered'] as const) {
      for (const to of ['unallocated', 'backordered', 'allocated', 'released', 'cancelled'] as const) {
        expect(canMove(from, to)).toBe(false);
      }
    }
    for (const from of BUCKETS) expect(canMove(from, from)).toBe(false);
  });

  it('lets a cancellation before release take from exactly the buckets that may move to cancelled before release', () => {
    expect(CANCELLABLE_BEFORE_RELEASE).toEqual(['unallocated', 'backordered', 'allocated']);
    for (const b of CANCELLABLE_BEFORE_RELEASE) expect(canMove(b, 'cancelled')).toBe(true);
  });

  const pairs = BUCKETS.flatMap((from) => BUCKETS.map((to) => [from, to] as const));
  it.each(pairs)('moves %s → %s only if the table lists it', (from, to) => {
    const b = deepFreeze({ ...emptyBuckets(), [from]: 2 });
    const r = applyMove(b, { lineId: 'l1', from, to, quantity: 2 });
    const legal = BUCKET_MOVES[from].includes(to);
    expect(canMove(from, to)).toBe(legal);
    if (legal) {
      expect(r).toEqual({ ok: true, value: { ...emptyBuckets(), [to]: 2 } });
    } else {
      expect(r).toEqual({
        ok: false,
        error: { code: 'illegal_transition', message: `line l1: quantity cannot move from ${from} to ${to}` },
      });
    }
  });

  it('moves part of a bucket and conserves the total', () => {
    const b = deepFreeze({ ...emptyBuckets(), unallocated: 5, allocated: 1 });
    const r = applyMove(b, { lineId: 'l1', from: 'unallocated', to: 'allocated', quantity: 3 });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toEqual({ ...emptyBuckets(), unallocated: 2, allocated: 4 });
    expect(bucketTotal(r.value)).toBe(bucketTotal(b));
    expect(b.unallocated).toBe(5);
  });

  it('refuses to take more than the bucket holds', () => {
    const b = { ...emptyBuckets(), allocated: 2, unallocated: 9 };
    expect(applyMove(b, { lineId: 'l7', from: 'allocated', to: 'released', quantity: 3 })).toEqual({
      ok: false,
      error: { code: 'illegal_transition', message: 'line l7: 3 cannot leave allocated, which holds 2' },
    });
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses a move of %s', (quantity) => {
    const b = { ...emptyBuckets(), unallocated: 10 };
    expect(applyMove(b, { lineId: 'l1', from: 'unallocated', to: 'allocated', quantity })).toEqual({
      ok: false,
      error: { code: 'illegal_transition', message: 'line l1: a move must be a positive whole quantity' },
    });
  });
});
