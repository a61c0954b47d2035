import { describe, expect, it } from 'vitest';
import type { OrderEvent, OrderFact } from '../../src/domain/order/index.js';
import { deriveStatus, fold } from '../../src/domain/order/index.js';
import { deciderSpec } from '../support/deciderSpec.js';
import {
  CAN_CANCEL,
  NOW,
  authorizeReturn,
  cancelAtNodes,
  conflictDetected,
  decided,
  factDelivered,
  factReturnReceived,
  factShipped,
  ful,
  orderDecider,
  recordFact,
  releasedAtA,
  ret,
  orderOf,
  bucketsOf,
} from '../support/orderFixtures.js';

const spec = deciderSpec(orderDecider);


/** Everything shipped from node_a in shp_1 and delivered. */
const delivered = decided(
  releasedAtA(),
  recordFact(factShipped(ful(1), 'shp_1', [['l1', 3], ['l2', 2]])),
  recordFact(factDelivered(ful(1), 'shp_1')),
);

const returnAuthorized = (n: number, lines: readonly (readonly [string, number])[], reason = 'too_small', extra: { exchangeOrderId?: string } = {}): OrderEvent => ({
  type: 'ReturnAuthorized',
  data: { returnId: ret(n), lines: lines.map(([lineId, quantity]) => ({ lineId, sku: `SKU-${lineId}`, quantity })), reason, at: NOW, ...extra },
});

describe('AuthorizeReturn', () => {
  it('authorizes a return of delivered units, numbered from the order id', () => {
    const state = spec
      .given(delivered)
      .when(authorizeReturn([{ lineId: 'l1', quantity: 2 }]))
      .then([returnAuthorized(1, [['l1', 2]])]);
    expect(orderOf(state).returns).toEqual([
      { returnId: ret(1), reason: 'too_small', authorizedAt: NOW, lines: [{ lineId: 'l1', sku: 'SKU-l1', quantity: 2, received: 0 }] },
    ]);
    // Nothing moves until the goods come back.
    expect(bucketsOf(state, 'l1')).toMatchObject({ delivered: 3, returned: 0 });
    expect(deriveStatus(orderOf(state))).toBe('delivered');
  });

  it('names lines by SKU as well as by lineId, summing repeats of a line', () => {
    spec
      .given(delivered)
      .when(
        authorizeReturn([
          { sku: 'SKU-l2', quantity: 1 },
          { lineId: 'l1', quantity: 1 },
          { sku: 'SKU-l1', quantity: 1 },
        ]),
      )
      .then([returnAuthorized(1, [['l2', 1], ['l1', 2]])]);
  });

  it('carries the exchange order placed beside it', () => {
    spec
      .given(delivered)
      .when({ type: 'AuthorizeReturn', lines: [{ lineId: 'l2', quantity: 1 }], reason: 'wrong_size', exchangeOrderId: 'ord_exchange', now: NOW })
      .then([returnAuthorized(1, [['l2', 1]], 'wrong_size', { exchangeOrderId: 'ord_exchange' })]);
  });

  it('takes shipped units not yet delivered too, but never more than shipped', () => {
    const partlyShipped = decided(releasedAtA(), recordFact(factShipped(ful(1), 'shp_1', [['l1', 1]])));
    spec.given(partlyShipped).when(authorizeReturn([{ lineId: 'l1', quantity: 1 }])).then([returnAuthorized(1, [['l1', 1]])]);
    spec
      .given(partlyShipped)
      .when(authorizeReturn([{ lineId: 'l1', quantity: 2 }]))
      .thenFails('illegal_transition', /line l1: 2 to return but only 1 shipped and not already returned or being returned/);
  });

  it('counts what earlier returns await and what came back already', () => {
    const awaiting = decided(delivered, authorizeReturn([{ lineId: 'l1', quantity: 2 }]));
    spec.given(awaiting).when(authorizeReturn([{ lineId: 'l1', quantity: 2 }])).thenFails('illegal_transition', /only 1 shipped and not already returned/);
    spec.given(awaiting).when(authorizeReturn([{ lineId: 'l1', quantity: 1 }])).then([returnAuthorized(2, [['l1', 1]])]);
    // Once received, those two are returned: still only one left to return.
    const received = decided(awaiting, recordFact(factReturnReceived(ret(1), [['l1', 2, 'restock']])));
    spec.given(received).when(authorizeReturn([{ lineId: 'l1', quantity: 2 }])).thenFails('illegal_transition', /only 1 shipped/);
  });

  it('refuses unknown lines, quantities that are not whole units and an empty list as validation_failed', () => {
    const error = spec
      .given(delivered)
      .when(authorizeReturn([{ lineId: 'nope', quantity: 1 }, { sku: 'SKU-none', quantity: 1 }, { lineId: 'l1', quantity: 0 }, { lineId: 'l2', quantity: 1.5 }]))
      .thenFails('validation_failed');
    expect(error.errors?.map((e) => e.path)).toEqual(['lines[0]', 'lines[1]', 'lines[2].quantity', 'lines[3].quantity']);
    expect(spec.given(delivered).when(authorizeReturn([])).thenFails('validation_failed').errors?.map((e) => e.path)).toEqual(['lines']);
  });

  it('is refused by the lifecycle before anything shipped', () => {
    spec.given(releasedAtA()).when(authorizeReturn([{ lineId: 'l1', quantity: 1 }])).thenFails('illegal_transition', /^a released order does not accept AuthorizeReturn$/);
  });
});

describe('return.received', () => {
  const awaiting = decided(delivered, authorizeReturn([{ lineId: 'l1', quantity: 2 }]));

  it('takes the units back from delivered; restocked ones go back on hand at the receiving node, damaged ones do not', () => {
    const state = spec
      .given(awaiting)
      .when(recordFact(factReturnReceived(ret(1), [['l1', 1, 'damaged'], ['l1', 1, 'restock']], 'store_9')))
      .then([
        {
          type: 'ReturnReceived',
          data: {
            returnId: ret(1),
            nodeId: 'store_9',
            lines: [
              { lineId: 'l1', sku: 'SKU-l1', quantity: 1, disposition: 'restock' },
              { lineId: 'l1', sku: 'SKU-l1', quantity: 1, disposition: 'damaged' },
            ],
            moves: [
              { lineId: 'l1', from: 'delivered', to: 'returned', quantity: 1 },
              { lineId: 'l1', from: 'delivered', to: 'returned', quantity: 1 },
            ],
            restock: [{ nodeId: 'store_9', sku: 'SKU-l1', quantity: 1 }],
            at: NOW,
          },
        },
      ]);
    expect(bucketsOf(state, 'l1')).toMatchObject({ delivered: 1, returned: 2 });
    expect(orderOf(state).returns[0]).toMatchObject({ nodeId: 'store_9', receivedAt: NOW, lines: [{ lineId: 'l1', quantity: 2, received: 2 }] });
    expect(deriveStatus(orderOf(state))).toBe('partially_returned');
  });

  it('takes from delivered first, then from shipped units not yet delivered', () => {
    const mixed = decided(
      releasedAtA(),
      recordFact(factShipped(ful(1), 'shp_1', [['l1', 2]])),
      recordFact(factDelivered(ful(1), 'shp_1')),
      recordFact(factShipped(ful(1), 'shp_2', [['l1', 1]])),
      authorizeReturn([{ lineId: 'l1', quantity: 3 }]),
    );
    expect(bucketsOf(fold(mixed), 'l1')).toMatchObject({ delivered: 2, shipped: 1 });
    const state = spec
      .given(mixed)
      .when(recordFact(factReturnReceived(ret(1), [['l1', 3, 'restock']])))
      .then([
        {
          type: 'ReturnReceived',
          data: {
            returnId: ret(1),
            nodeId: 'node_a',
            lines: [{ lineId: 'l1', sku: 'SKU-l1', quantity: 3, disposition: 'restock' }],
            moves: [
              { lineId: 'l1', from: 'delivered', to: 'returned', quantity: 2 },
              { lineId: 'l1', from: 'shipped', to: 'returned', quantity: 1 },
            ],
            restock: [{ nodeId: 'node_a', sku: 'SKU-l1', quantity: 3 }],
            at: NOW,
          },
        },
      ]);
    expect(bucketsOf(state, 'l1')).toMatchObject({ delivered: 0, shipped: 0, returned: 3, released: 0 });
  });

  it('receives by SKU within the return', () => {
    spec
      .given(awaiting)
      .when(recordFact({ type: 'return.received', returnId: ret(1), nodeId: 'node_a', lines: [{ sku: 'SKU-l1', quantity: 2, disposition: 'restock' }] }))
      .then([expect.objectContaining({ type: 'ReturnReceived', data: expect.objectContaining({ lines: [{ lineId: 'l1', sku: 'SKU-l1', quantity: 2, disposition: 'restock' }] }) }) as OrderEvent]);
  });

  it('records more than authorized as a conflict, applying what was authorized', () => {
    const fact = factReturnReceived(ret(1), [['l1', 3, 'restock']]);
    const state = spec
      .given(awaiting)
      .when(recordFact(fact))
      .then([
        expect.objectContaining({ type: 'ReturnReceived', data: expect.objectContaining({ moves: [{ lineId: 'l1', from: 'delivered', to: 'returned', quantity: 2 }] }) }) as OrderEvent,
        conflictDetected('return_over_receipt', fact, true, ['accept_external', 'resolve', 'escalate'], undefined, `received more than return ${ret(1)} authorized: 1 × l1`),
      ]);
    expect(bucketsOf(state, 'l1')).toMatchObject({ delivered: 1, returned: 2 });
  });

  it('records a receipt of a line the return does not hold as a conflict', () => {
    const fact = factReturnReceived(ret(1), [['l1', 2, 'restock'], ['l2', 1, 'restock']]);
    spec
      .given(awaiting)
      .when(recordFact(fact))
      .then([
        expect.objectContaining({ type: 'ReturnReceived' }) as OrderEvent,
        conflictDetected('return_over_receipt', fact, true, ['accept_external', 'resolve', 'escalate'], undefined, `received more than return ${ret(1)} authorized: 1 × l2`),
      ]);
  });

  it('records a receipt for a return already complete as a conflict that applies nothing: never a double count', () => {
    const fact = factReturnReceived(ret(1), [['l1', 2, 'restock']]);
    const received = decided(awaiting, recordFact(fact));
    const state = spec
      .given(received)
      .when(recordFact(fact))
      .then([conflictDetected('return_over_receipt', fact, false, ['accept_external', 'resolve', 'escalate'])]);
    expect(bucketsOf(state, 'l1')).toMatchObject({ delivered: 1, returned: 2 });
  });

  it('refuses an unknown return as not_found, and a malformed quantity as validation_failed', () => {
    spec.given(awaiting).when(recordFact(factReturnReceived(ret(7), [['l1', 1, 'restock']]))).thenFails('not_found', new RegExp(`no return ${ret(7)}`));
    const bad: OrderFact = { type: 'return.received', returnId: ret(1), nodeId: 'node_a', lines: [{ lineId: 'l1', quantity: 0, disposition: 'restock' }] };
    expect(spec.given(awaiting).when(recordFact(bad)).thenFails('validation_failed').errors).toEqual([{ path: 'lines[0].quantity', message: 'must be a whole number ≥ 1' }]);
  });

  it('shows returned once every live unit came back', () => {
    const all = decided(delivered, authorizeReturn([{ lineId: 'l1', quantity: 3 }, { lineId: 'l2', quantity: 2 }]));
    const state = spec
      .given(all)
      .when(recordFact(factReturnReceived(ret(1), [['l1', 3, 'restock'], ['l2', 2, 'damaged']])))
      .then([expect.objectContaining({ type: 'ReturnReceived' }) as OrderEvent]);
    expect(deriveStatus(orderOf(state))).toBe('returned');
  });
});

describe('a partly returned order with units still open', () => {
  // l1: 1 shipped, delivered and returned; 2 still released at node_a. l2: 2 released.
  const partlyReturned = decided(
    releasedAtA(),
    recordFact(factShipped(ful(1), 'shp_1', [['l1', 1]])),
    recordFact(factDelivered(ful(1), 'shp_1')),
    authorizeReturn([{ lineId: 'l1', quantity: 1 }]),
    recordFact(factReturnReceived(ret(1), [['l1', 1, 'restock']])),
  );

  it('still takes a cancellation of the open units (the lifecycle does not stop at the first return)', () => {
    expect(deriveStatus(orderOf(fold(partlyReturned)))).toBe('partially_returned');
    spec
      .given(partlyReturned)
      .when(cancelAtNodes({ node_a: CAN_CANCEL }))
      .then([
        {
          type: 'CancellationRequested',
          data: {
            fulfillmentId: ful(1),
            nodeId: 'node_a',
            lines: [
              { lineId: 'l1', sku: 'SKU-l1', quantity: 2 },
              { lineId: 'l2', sku: 'SKU-l2', quantity: 2 },
            ],
            reason: 'customer_request',
            mode: 'node',
            at: NOW,
          },
        },
      ]);
  });

  it('still ships the open units and takes another return', () => {
    const more = decided(partlyReturned, recordFact(factShipped(ful(1), 'shp_2', [['l1', 2], ['l2', 2]])));
    spec.given(more).when(authorizeReturn([{ lineId: 'l1', quantity: 2 }])).then([returnAuthorized(2, [['l1', 2]])]);
  });
});
