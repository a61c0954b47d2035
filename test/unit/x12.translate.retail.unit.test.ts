import { describe, expect, it } from 'vitest';
import type { OrderDraft } from '../../src/domain/order/model.js';
import { parseX12, translateX12 } from '../../src/connectors/x12/index.js';
import { fixture } from './x12.support.js';
import { mapperOf, only, translate } from './x12.translate.support.js';

const draftOf = (m: unknown): OrderDraft => {
  expect(m).toMatchObject({ type: 'order.place' });
  return (m as { draft: OrderDraft }).draft;
};

describe('850 → order.place', () => {
  it('EDI.Net drop-ship order: BEG03 is the external id, N1*ST the ship-to, TD505 via the ship-method table', () => {
    const mapper = mapperOf({
      skus: { codes: { '0054321': 'SKU-0054321' } },
      units: { codes: { EA: { unit: 'EA', factor: 1 } } },
      shipMethods: { codes: { UPSG: 'standard', UPS2: 'expedited' } },
      countries: { passthrough: true },
    });
    const t = only(translate('x12-850', 'x12.850.edi', { mapper, channel: 'edi-dropship' }));
    expect(t.problems).toEqual([]);
    expect(t.messages).toEqual([{
      key: '1',
      message: {
        type: 'order.place',
        draft: {
          externalId: '1000012', channel: 'edi-dropship', currency: 'USD', placedAt: '2009-08-27T00:00:00.000Z',
          customer: { tier: 'standard' },
          shipTo: { name: 'John Doe', line1: '126 Any St', city: 'Hauppauge', region: 'NY', postalCode: '11788-1234', country: 'US' },
          fulfillment: { type: 'ship', shipMethod: 'standard' },
          lines: [{ lineId: '1', sku: 'SKU-0054321', quantity: 1, unitPrice: 1995 }],
        },
      },
    }]);
  });

  it('snack-foods PO: lines without PO101 numbered by position, cases sold as units, country and method defaults', () => {
    const codes = Object.fromEntries(['000111111', '000555555', '000666666', '000874917', '000874958', '000874990', '000875088'].map((c) => [c, `SNACK-${c.slice(-3)}`]));
    const mapper = mapperOf({
      skus: { codes }, units: { codes: { CA: { unit: 'EA', factor: 1 } } },
      shipMethods: { default: 'standard' }, countries: { default: 'US' },
    });
    const draft = draftOf(only(translate('x12-850', '004010_850.edi', { mapper, channel: 'wholesale', customerTier: 'b2b' })).messages[0]?.message);
    expect(draft).toMatchObject({ externalId: 'A99999-01', placedAt: '1997-02-14T00:00:00.000Z', customer: { tier: 'b2b' } });
    expect(draft.shipTo).toEqual({ name: 'BUYSNACKS PORT', line1: '1000 N. SAMPLE HIGHWAY', city: 'ATHENS', region: 'GA', postalCode: '30603', country: 'US' });
    expect(draft.lines.map((l) => [l.lineId, l.sku, l.quantity, l.unitPrice])).toEqual([
      ['1', 'SNACK-111', 16, 1234], ['2', 'SNACK-555', 13, 1234], ['3', 'SNACK-666', 32, 1234], ['4', 'SNACK-917', 51, 1234],
      ['5', 'SNACK-958', 9, 1234], ['6', 'SNACK-990', 85, 1234], ['7', 'SNACK-088', 1, 1234],
    ]);
  });

  it('the same PO priced per case of 12 cannot be priced per each in whole cents: reported, not rounded', () => {
    const mapper = mapperOf({ skus: { passthrough: true }, units: { codes: { CA: { unit: 'EA', factor: 12 } } }, shipMethods: { default: 'standard' }, countries: { default: 'US' } });
    const t = only(translate('x12-850', '004010_850.edi', { mapper, channel: 'wholesale' }));
    expect(t.messages).toEqual([]);
    expect(t.problems).toHaveLength(7);
    expect(t.problems[0]).toEqual({
      kind: 'invalid', field: 'PO1 1 PO104', unit: '1',
      message: 'PO1 1: 12.34 USD per CA is not a whole number of minor units per each (factor 12)',
    });
  });

  it('1 EDI Source VICS PO in two interchanges: one intent each, vendor item ids, TD503 routing code', () => {
    const mapper = mapperOf({
      skus: { codes: { AB3542: 'W-SMALL', RD5322: 'W-MEDIUM', XY5266: 'W-LARGE', VX2332: 'W-NANO', RV0524: 'W-BLUE', DX1875: 'W-ORANGE' } },
      units: { codes: { EA: { unit: 'EA', factor: 1 } } }, shipMethods: { codes: { P3: 'standard' } }, countries: { default: 'US' },
    });
    const ts = translate('x12-850', '850_fat.edi', { mapper, channel: 'xyz-retail' });
    expect(ts.map((t) => [t.position, t.problems])).toEqual([['1.1.1', []], ['2.1.1', []]]);
    const draft = draftOf(ts[0]?.messages[0]?.message);
    expect(draft).toMatchObject({ externalId: '08292233294', placedAt: '2010-11-27T00:00:00.000Z', fulfillment: { type: 'ship', shipMethod: 'standard' } });
    expect(draft.lines.map((l) => [l.sku, l.quantity, l.unitPrice])).toEqual([
      ['W-SMALL', 120, 925], ['W-MEDIUM', 220, 1379], ['W-LARGE', 126, 1099], ['W-NANO', 76, 435], ['W-BLUE', 72, 750], ['W-ORANGE', 696, 955],
    ]);
    expect(ts[1]?.messages[0]?.message).toEqual(ts[0]?.messages[0]?.message);
  });

  it('Petco PO: the SKU qualifier wins over VN, kits sold as units; an unknown ship-method is reported', () => {
    const tables = { skus: { codes: { '000000000001010700': 'PETCO-1010700' } }, units: { codes: { KI: { unit: 'EA', factor: 1 } } }, countries: { default: 'US' } } as const;
    const draft = draftOf(only(translate('x12-850', '850_3.edi', { mapper: mapperOf({ ...tables, shipMethods: { default: 'standard' } }), channel: 'petco' })).messages[0]?.message);
    expect(draft).toMatchObject({ externalId: '----------', placedAt: '2016-04-26T00:00:00.000Z' });
    expect(draft.shipTo).toMatchObject({ name: 'PETCO - CORPORATE', city: 'SAN DIEGO', region: 'CA', postalCode: '92121', country: 'US' });
    expect(draft.lines).toEqual([{ lineId: '1', sku: 'PETCO-1010700', quantity: 1, unitPrice: 22500 }]);
    const t = only(translate('x12-850', '850_3.edi', { mapper: mapperOf({ ...tables, shipMethods: { codes: { UPSG: 'standard' } } }), channel: 'petco' }));
    expect(t.messages).toEqual([]);
    expect(t.problems).toEqual([{
      kind: 'unknown_code', field: 'TD505', unit: '1', unknown: { table: 'shipMethods', code: '' },
      message: 'no shipMethods code given, and the shipMethods table has no default',
    }]);
  });

  it('textile PO: item identity by the partner qualifier (BP), yards, and a country table', () => {
    const mapper = mapperOf({
      skus: { codes: { 'A_QU001-BLK': 'QUILT-BLK', 'A_QF001-BLK': 'FLANNEL-BLK', 'A_QF001-RED': 'FLANNEL-RED' } },
      units: { codes: { YD: { unit: 'EA', factor: 1 } } }, shipMethods: { default: 'standard' }, countries: { codes: { US: 'US' } },
    });
    const draft = draftOf(only(translate('x12-850', 'x12.850a.edi', { mapper, channel: 'textiles', itemIdQualifiers: ['BP'] })).messages[0]?.message);
    expect(draft).toMatchObject({ externalId: '4600000406', currency: 'USD', placedAt: '2014-07-24T00:00:00.000Z' });
    expect(draft.shipTo).toEqual({ name: 'Transplace Laredo', line1: 'East Point Drive, Suite 500', city: 'Laredo', region: 'TX', postalCode: '78045', country: 'US' });
    expect(draft.lines).toEqual([
      { lineId: '000100001', sku: 'QUILT-BLK', quantity: 2500, unitPrice: 253 },
      { lineId: '000200001', sku: 'FLANNEL-BLK', quantity: 2000, unitPrice: 341 },
      { lineId: '000200002', sku: 'FLANNEL-RED', quantity: 1000, unitPrice: 341 },
    ]);
  });

  it('blanket replacement POs (BEG01 05) are not taken', () => {
    const ts = translate('x12-850', 'x12.850.issue135.edi', { mapper: mapperOf({}), channel: 'b2b' });
    expect(ts.map((t) => [t.controlNumber, t.messages.length, t.problems.map((p) => [p.kind, p.field])])).toEqual([
      ['0001', 0, [['unsupported', 'BEG01']]],
      ['0001', 0, [['unsupported', 'BEG01']]],
    ]);
  });

  it('a cancellation (BEG01 01) becomes order.cancel; without a configured channel nothing is guessed', () => {
    const text = fixture('x12-850', 'x12.850.edi').replace('BEG*00*SA*1000012', 'BEG*01*SA*1000012');
    expect(only(translateX12(parseX12(text), { mapper: mapperOf({}), channel: 'web' })).messages[0]?.message).toEqual({
      type: 'order.cancel', channel: 'web', externalId: '1000012', reason: 'purchase_order_cancelled',
    });
    expect(only(translate('x12-850', 'x12.850.edi', { mapper: mapperOf({}) })).problems.map((p) => p.field)).toEqual(['channel']);
  });
});

describe('856 → fulfillment.shipped per order', () => {
  const units = { codes: { EA: { unit: 'EA', factor: 1 } } } as const;

  it('cross-dock S-O-P-I: one fact per order level, cartons as packages, PRO as tracking', () => {
    const mapper = mapperOf({ skus: { passthrough: true }, units, carriers: { codes: { OVNT: 'overnite' } } });
    const t = only(translate('x12-856', '856.Crossdock.OK.edi', { mapper }));
    expect(t.problems).toEqual([]);
    const base = { type: 'fulfillment.shipped', shipmentId: '000009', carrier: 'overnite', trackingNumber: '0000000008741', shippedAt: '2009-09-21T00:00:00.000Z' };
    const line = (sku: string) => ({ sku, quantity: 12 });
    expect(t.messages).toEqual([
      {
        key: 'HL2',
        message: {
          ...base, fulfillmentId: 'POREF00',
          lines: [line('0000000000642'), line('0000000000831'), line('0000000000283'), line('0000000000203')],
          packages: ['0000000000642', '0000000000831', '0000000000283', '0000000000203'].map((s) => ({ lines: [line(s)] })),
        },
      },
      { key: 'HL11', message: { ...base, fulfillmentId: 'POREF01', lines: [line('0000000000642')], packages: [{ lines: [line('0000000000642')] }] } },
    ]);
  });

  it('an unknown SKU withholds only its own order', () => {
    const mapper = mapperOf({ skus: { codes: { '0000000000642': 'SKU-642' } }, units, carriers: { passthrough: true } });
    const t = only(translate('x12-856', '856.Crossdock.OK.edi', { mapper }));
    expect(t.messages.map((m) => [m.key, m.message])).toEqual([['HL11', expect.objectContaining({ fulfillmentId: 'POREF01', lines: [{ sku: 'SKU-642', quantity: 12 }] })]]);
    expect(t.problems.map((p) => [p.unit, p.field, p.unknown?.code])).toEqual([
      ['HL2', 'HL 6 LIN', '0000000000831'], ['HL2', 'HL 8 LIN', '0000000000283'], ['HL2', 'HL 10 LIN', '0000000000203'],
    ]);
  });

  it('S-I notice without order levels: items grouped by their own PRF; DTM*011 time kept', () => {
    const mapper = mapperOf({ skus: { codes: { '000 260 056 524': 'BAR-524', '000 260 120 524': 'BAR-120', '000 260 121 524': 'BAR-121' } }, units, carriers: { codes: { AVRT: 'averitt' } } });
    const t = only(translate('x12-856', 'Example3.txt', { mapper, itemIdQualifiers: ['BP'] }));
    expect(t.problems).toEqual([]);
    expect(t.messages).toEqual([{
      key: 'PRF:5500005194',
      message: {
        type: 'fulfillment.shipped', fulfillmentId: '5500005194', shipmentId: '146940', carrier: 'averitt', trackingNumber: '0123456789',
        lines: [{ sku: 'BAR-524', quantity: 1596 }, { sku: 'BAR-120', quantity: 1152 }, { sku: 'BAR-121', quantity: 1440 }],
        shippedAt: '2005-04-12T20:52:00.000Z',
      },
    }]);
  });

  it('empty HL parents: items under the inferred order; a NONE carrier means no carrier', () => {
    const mapper = mapperOf({ skus: { passthrough: true }, units, carriers: { codes: { NONE: null } } });
    const t = only(translate('x12-856', 'Example4.txt', { mapper }));
    expect(t.problems).toEqual([]);
    expect(t.messages[0]?.message).toEqual({
      type: 'fulfillment.shipped', fulfillmentId: 'PO NUMBER', shipmentId: 'DELIVERYNUMBER', trackingNumber: '620940',
      lines: [
        { sku: '100014544', quantity: 10 }, { sku: '100014545', quantity: 5 }, { sku: '100019109', quantity: 10 }, { sku: '100019110', quantity: 20 },
        { sku: '100019111', quantity: 5 }, { sku: '100019112', quantity: 3 }, { sku: '100014546', quantity: 12 },
      ],
      shippedAt: '2011-09-09T00:00:00.000Z',
    });
  });

  it('VICS retail ASN and 1 EDI Source advance notice', () => {
    const vics = only(translate('x12-856', 'FromGregarican.txt', {
      mapper: mapperOf({ skus: { codes: { '883932284904': 'DY-WHEATON-16' } }, units, carriers: { codes: { FED2: 'fedex' } } }),
    }));
    expect(vics.messages[0]?.message).toEqual({
      type: 'fulfillment.shipped', fulfillmentId: 'SO/VINCE1', shipmentId: '521649209219', carrier: 'fedex', trackingNumber: '521649209219',
      lines: [{ sku: 'DY-WHEATON-16', quantity: 1 }], packages: [{ lines: [{ sku: 'DY-WHEATON-16', quantity: 1 }] }],
      shippedAt: '2012-05-10T00:00:00.000Z',
    });
    const advance = only(translate('x12-856', 'asn856.txt', {
      mapper: mapperOf({ skus: { codes: { '87787D': 'WIDGET-BLUE', '99887D': 'WIDGET-RED' } }, units, carriers: { codes: { XXXX: 'test-carrier' } } }),
    }));
    expect(advance.messages[0]?.message).toEqual({
      type: 'fulfillment.shipped', fulfillmentId: '99999817', shipmentId: '829716', carrier: 'test-carrier', trackingNumber: '5787970539',
      lines: [{ sku: 'WIDGET-BLUE', quantity: 24 }, { sku: 'WIDGET-RED', quantity: 6 }], shippedAt: '2011-12-06T00:00:00.000Z',
    });
  });

  it('small-parcel ASN: the carton tracking number (MAN*SM) is the shipment tracking', () => {
    const t = only(translate('x12-856', 'x12-types_test_856_xx_fisher.edi', { mapper: mapperOf({ skus: { codes: { '25901': 'FISHER-25901' } }, units }) }));
    expect(t.messages[0]?.message).toEqual({
      type: 'fulfillment.shipped', fulfillmentId: 'DR3469500', shipmentId: '222253', trackingNumber: '1Z54242X0357922222',
      lines: [{ sku: 'FISHER-25901', quantity: 2 }],
      packages: [{ trackingNumber: '1Z54242X0357922222', lines: [{ sku: 'FISHER-25901', quantity: 2 }] }],
      shippedAt: '2007-09-19T00:00:00.000Z',
    });
  });

  it('the fulfillment id can come from an order-level REF; an order without it is withheld', () => {
    const mapper = mapperOf({ skus: { passthrough: true }, units, carriers: { passthrough: true } });
    const t = only(translate('x12-856', 'FromGregarican.txt', { mapper, asnOrderRef: 'IV' }));
    expect(t.messages[0]?.message).toMatchObject({ fulfillmentId: 'S1429672' });
    const missing = only(translate('x12-856', 'FromGregarican.txt', { mapper, asnOrderRef: 'ZZ' }));
    expect(missing.messages).toEqual([]);
    expect(missing.problems).toEqual([{
      kind: 'missing_reference', field: 'HL 2 REF*ZZ', unit: 'HL2', message: 'order HL 2 has no REF*ZZ: it must carry the Orderly fulfillment id',
    }]);
  });

  it('a cancel notice and one without a shipped date are not shipments', () => {
    const mapper = mapperOf({ skus: { passthrough: true }, units, carriers: { passthrough: true } });
    const text = fixture('x12-856', 'x12-types_test_856_xx_fisher.edi');
    expect(only(translateX12(parseX12(text.replace('BSN*00', 'BSN*01')), { mapper })).problems.map((p) => p.field)).toEqual(['BSN01']);
    const undated = only(translateX12(parseX12(text.replace('DTM*011*20070919~', '')), { mapper }));
    expect([undated.messages, undated.problems.map((p) => p.field)]).toEqual([[], ['DTM*011']]);
  });
});
