import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Envelope, FulfillmentReleaseMessage } from '../../src/connectors/port.js';
import {
  X12SerializeError, parseX12, parseX12Detail, render940, serializeParsed, translateX12, type Separators,
} from '../../src/connectors/x12/index.js';
import { documents, fixture, fixtureFiles } from './x12.support.js';
import { mapperOf } from './x12.translate.support.js';

/** Tables under which every real fixture yields messages (or the same problems, which must agree too). */
const mapper = mapperOf({
  status: { codes: { CC: 'shipped', CL: 'shipped', CP: 'partially_shipped' } },
  skus: { passthrough: true }, carriers: { passthrough: true }, locations: { passthrough: true },
  countries: { default: 'US' }, shipMethods: { default: 'standard' },
  units: { default: { unit: 'EA', factor: 1 } },
  quantityQualifiers: { codes: { '17': 'onHand', '34': 'onHand', '33': 'available' }, default: 'ignore' },
});
const options = { mapper, channel: 'edi', inventoryLocationRoles: ['WH', 'ST'] };

const separators: fc.Arbitrary<Separators> = fc
  .record({
    element: fc.constantFrom('*', '|', '^', '!', '~', '\u001d'),
    segment: fc.constantFrom('~', '\n', '\r\n', '~\n', '~\r\n', '}', "'", '\u001c'),
    component: fc.constantFrom('>', ':', '\\', '\u001f'),
  })
  .filter((s) => {
    const chars = [s.element, s.component, s.segment[0] === '\r' || s.segment[0] === '\n' ? '\n' : s.segment[0]];
    return new Set(chars).size === chars.length;
  });

const inbound = fixtureFiles().filter((f) => ['945', '856', '846', '850'].includes(f.type));

describe('X12 translation properties', () => {
  it('covers every real 945, 856, 846 and 850 fixture', () => {
    expect(inbound.length).toBe(17);
    for (const f of inbound) expect(translateX12(parseX12(fixture(f.folder, f.name)), options).length).toBeGreaterThan(0);
  });

  it('a real file re-delimited with other separators gives the same canonical messages and problems', () => {
    const originals = inbound.map((f) => fixture(f.folder, f.name));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: originals.length - 1 }), separators, (which, seps) => {
        const text = originals[which] ?? '';
        let redelimited: string;
        try {
          redelimited = serializeParsed(parseX12Detail(text), seps);
        } catch (e) {
          if (!(e instanceof X12SerializeError)) throw e;
          fc.pre(false); // the data itself holds one of these separators: not a valid re-delimiting
          return;
        }
        expect(translateX12(parseX12(redelimited), options)).toEqual(translateX12(parseX12(text), options));
      }),
      { numRuns: 200 },
    );
  });

  it('a release written as a 940 parses back to the same fulfillment id and lines', () => {
    const line = fc.record({
      sku: fc.stringMatching(/^[A-Z0-9][A-Z0-9._-]{0,19}$/),
      quantity: fc.integer({ min: 1, max: 1_000_000 }),
      unitPrice: fc.integer({ min: 0, max: 10_000_000 }),
    });
    const release = fc.record({
      fulfillmentId: fc.stringMatching(/^ful_[A-Za-z0-9]{1,26}$/),
      lines: fc.array(line, { minLength: 1, maxLength: 12 }),
      key: fc.string({ minLength: 1, maxLength: 40 }),
      releasedAt: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
    });
    fc.assert(
      fc.property(release, separators, (r, seps) => {
        const message: FulfillmentReleaseMessage = {
          type: 'fulfillment.release', fulfillmentId: r.fulfillmentId, orderId: 'ord_1', nodeId: 'dc-1',
          order: { externalId: 'EXT-1', channel: 'web', currency: 'USD', placedAt: '2024-01-01T00:00:00Z' },
          delivery: { type: 'ship', shipMethod: 'standard' },
          lines: r.lines.map((l, n) => ({ ...l, lineId: `L${n + 1}` })),
          releasedAt: r.releasedAt.toISOString(),
        };
        const envelope: Envelope = { messageId: 'm', idempotencyKey: r.key, attempt: 1, message };
        const text = render940(envelope, { sender: { qualifier: 'ZZ', id: 'ORDERLY' }, receiver: { qualifier: 'ZZ', id: 'WMS' }, pii: false, separators: seps });
        expect(render940({ ...envelope, attempt: 2 }, { sender: { qualifier: 'ZZ', id: 'ORDERLY' }, receiver: { qualifier: 'ZZ', id: 'WMS' }, pii: false, separators: seps })).toBe(text);
        const parsed = parseX12(text, { strict: true });
        expect(parsed.errors.filter((e) => e.severity === 'error')).toEqual([]);
        const [order] = documents(parsed, 'warehouse_shipping_order');
        expect(order?.orderId).toBe(r.fulfillmentId);
        expect(order?.statusCode).toBe('N');
        expect(order?.lines.map((l) => ({ lineId: l.references.find((x) => x.qualifier === 'LI')?.value, sku: l.itemIds.SK, quantity: l.quantity })))
          .toEqual(message.lines.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity })));
      }),
      { numRuns: 200 },
    );
  });
});
