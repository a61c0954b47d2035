import { describe, expect, it } from 'vitest';
import { parseX12, translateX12 } from '../../src/connectors/x12/index.js';
import { fixture } from './x12.support.js';
import { mapperOf, only, translate } from './x12.translate.support.js';

const shipStatus = { codes: { CC: 'shipped', CL: 'shipped', CP: 'partially_shipped', BP: 'partially_shipped', CU: 'cancelled', IC: 'cancelled' } } as const;

describe('945 → fulfillment.shipped', () => {
  it('3PL guide sample: W0602 is the fulfillment id, W0604 the shipment, W27 SCAC via the carriers table', () => {
    const mapper = mapperOf({
      status: shipStatus,
      carriers: { codes: { NPLT: 'northpoint' } },
      skus: { codes: { '123456789': 'SKU-WIDGET-100' } },
      units: { codes: { EA: { unit: 'EA', factor: 1 } } },
    });
    const t = only(translate('x12-945', 'x12-types_test_945_parse_1.edi', { mapper }));
    expect(t.problems).toEqual([]);
    expect(t.messages).toEqual([{
      key: '1',
      message: {
        type: 'fulfillment.shipped', fulfillmentId: 'IF102', shipmentId: 'BOL12345',
        lines: [{ sku: 'SKU-WIDGET-100', quantity: 3000 }], carrier: 'northpoint', shippedAt: '2019-06-04T00:00:00.000Z',
      },
    }]);
  });

  it('Simplot pallets: shifted W12 ids, cases converted to eaches, the same item on two lots summed', () => {
    const mapper = mapperOf({
      status: shipStatus,
      carriers: { codes: { TRUK: null } },
      skus: { codes: { '10071179016458': 'FRIES-9MM', '10071179000709': 'FRIES-CRINKLE' } },
      units: { codes: { CA: { unit: 'EA', factor: 6 } } },
    });
    const t = only(translate('x12-945', 'x12-types_render_945_simplot-st-only.edi', { mapper, utcOffset: '-06:00' }));
    expect(t.problems).toEqual([]);
    expect(t.messages[0]?.message).toEqual({
      type: 'fulfillment.shipped', fulfillmentId: '01766655', shipmentId: '1035',
      lines: [{ sku: 'FRIES-9MM', quantity: (72 + 72) * 6 }, { sku: 'FRIES-CRINKLE', quantity: 96 * 6 }],
      shippedAt: '2013-10-29T06:00:00.000Z',
    });
  });

  it('Inter-American: an empty W0602 is a missing reference, not a guess from the PO or BOL', () => {
    const mapper = mapperOf({
      status: shipStatus,
      carriers: { codes: { NA: null } },
      skus: { codes: { '339408': 'ITEM-1', '100021': 'ITEM-2', '133848': 'ITEM-3' } },
      units: { default: { unit: 'EA', factor: 1 } },
    });
    const t = only(translate('x12-945', 'inter-americanproducts.txt', { mapper }));
    expect(t.messages).toEqual([]);
    expect(t.problems).toEqual([{
      kind: 'missing_reference', field: 'W0602', unit: '1',
      message: 'W0602 depositor order number is empty: it must carry the Orderly fulfillment id (sent in the 940 W0502)',
    }]);
  });

  it('unknown SKU, unit, status and carrier codes are problems to quarantine, and the fact is withheld', () => {
    const mapper = mapperOf({ status: { codes: { CL: 'shipped' } }, skus: { codes: { '339408': 'ITEM-1' } }, units: { codes: {} } });
    const text = fixture('x12-945', 'inter-americanproducts.txt').replace('W06*N**', 'W06*N*ful_1*').replace('W12*CL*400*400****IN*100021', 'W12*XX*400*400****IN*100021');
    const t = only(translateX12(parseX12(text), { mapper }));
    expect(t.messages).toEqual([]);
    expect(t.problems.map((p) => [p.kind, p.field, p.unknown])).toEqual([
      ['unknown_code', 'W2702', { table: 'carriers', code: 'NA' }],
      ['unknown_code', 'LX 1 W1205', { table: 'units', code: '' }],
      ['unknown_code', 'LX 2 W1201', { table: 'status', code: 'XX' }],
      ['unknown_code', 'LX 3 W1208', { table: 'skus', code: '133848' }],
      ['unknown_code', 'LX 3 W1205', { table: 'units', code: '' }],
    ]);
  });

  it('lines reported as cancelled or with nothing shipped are not shipped; tracking per line becomes packages', () => {
    const mapper = mapperOf({
      status: shipStatus,
      carriers: { codes: { NA: null } },
      skus: { passthrough: true },
      units: { default: { unit: 'EA', factor: 1 } },
    });
    const text = fixture('x12-945', 'inter-americanproducts.txt')
      .replace('W06*N**', 'W06*N*ful_2*')
      .replace('W12*CL*400*400****IN*100021', 'W12*CU*400*0****IN*100021')
      .replace('W12*CL*400*400****IN*133848', 'W12*CP*400*150****IN*133848');
    const t = only(translateX12(parseX12(text), { mapper }));
    expect(t.problems).toEqual([]);
    expect(t.messages[0]?.message).toEqual({
      type: 'fulfillment.shipped', fulfillmentId: 'ful_2', shipmentId: '2144',
      lines: [{ sku: '339408', quantity: 120 }, { sku: '133848', quantity: 150 }],
      packages: [
        { trackingNumber: 'K018293-00010', lines: [{ sku: '339408', quantity: 120 }] },
        { trackingNumber: 'K082738-0041', lines: [{ sku: '133848', quantity: 150 }] },
      ],
      shippedAt: '2002-09-16T00:00:00.000Z',
    });
  });

  it('a 945 that ships nothing, or a cancelled line that claims shipped units, is reported', () => {
    const mapper = mapperOf({ status: shipStatus, skus: { passthrough: true }, units: { codes: { EA: { unit: 'EA', factor: 1 } } }, carriers: { passthrough: true } });
    const none = fixture('x12-945', 'x12-types_test_945_parse_1.edi').replace('W12*CC*3000*3000*0', 'W12*CC*3000*0*3000');
    expect(only(translateX12(parseX12(none), { mapper })).problems.map((p) => p.message)).toEqual([
      'the 945 reports nothing shipped (a warehouse-side cancellation?): not turned into a shipment',
    ]);
    const contradictory = fixture('x12-945', 'x12-types_test_945_parse_1.edi').replace('W12*CC*', 'W12*CU*');
    expect(only(translateX12(parseX12(contradictory), { mapper })).problems.map((p) => p.message)).toEqual([
      'LX 10: status CU (cancelled) but 3000 units shipped',
    ]);
  });
});

describe('846 → inventory.snapshot', () => {
  it('Sanmina SMI report: location from the ST party, 34 as on-hand, the other qualifiers ignored', () => {
    const mapper = mapperOf({
      locations: { codes: { SAN003: 'plant-e88' } },
      skus: { codes: { '46L5055': 'SKU-46L5055' } },
      quantityQualifiers: { codes: { '34': 'onHand', QH: 'ignore', QB: 'ignore', '87': 'ignore' } },
      units: { codes: { EA: { unit: 'EA', factor: 1 } } },
    });
    const t = only(translate('x12-846', 'Example1.txt', { mapper, inventoryLocationRoles: ['WH', 'ST'] }));
    expect(t.problems).toEqual([]);
    expect(t.messages).toEqual([{
      key: 'loc:SAN003',
      message: { type: 'inventory.snapshot', nodeId: 'plant-e88', asOf: '2004-08-11T00:00:00.000Z', positions: [{ sku: 'SKU-46L5055', onHand: 5250 }] },
    }]);
  });

  it('an unknown qualifier withholds the snapshot; a mapped available quantity rides beside on-hand', () => {
    const tables = {
      locations: { codes: { SAN003: 'plant-e88' } },
      skus: { passthrough: true },
      units: { codes: { EA: { unit: 'EA', factor: 1 } } },
    } as const;
    const unknown = only(translate('x12-846', 'Example1.txt', {
      mapper: mapperOf({ ...tables, quantityQualifiers: { codes: { '34': 'onHand', QH: 'ignore', '87': 'ignore' } } }),
      inventoryLocationRoles: ['ST'],
    }));
    expect(unknown.messages).toEqual([]);
    expect(unknown.problems).toEqual([{
      kind: 'unknown_code', field: 'LIN 1 QTY01', message: "unknown quantityQualifiers code 'QB'", unknown: { table: 'quantityQualifiers', code: 'QB' }, unit: 'loc:SAN003',
    }]);
    const withAvailable = only(translate('x12-846', 'Example1.txt', {
      mapper: mapperOf({ ...tables, quantityQualifiers: { codes: { '34': 'onHand', QB: 'available', QH: 'ignore', '87': 'ignore' } } }),
      inventoryLocationRoles: ['ST'],
    }));
    expect(withAvailable.messages[0]?.message).toMatchObject({ positions: [{ sku: '46L5055', onHand: 5250, available: 50 }] });
  });

  it('CDDL stock report: fractional feet, a unit merged with CTT and an on-hand lost in a REF are all reported', () => {
    const mapper = mapperOf({
      locations: { default: 'dc-asia' },
      skus: { codes: { '38490-B': 'TUBE-38490', '38499-B': 'TUBE-38499', '38496-B': 'TUBE-38496', '38502-B': 'TUBE-38502', '35933': 'TUBE-35933' } },
      quantityQualifiers: { codes: { '17': 'onHand', '63': 'ignore' } },
      units: { codes: { FT: { unit: 'EA', factor: 1 } } },
    });
    const t = only(translate('x12-846', 'Example2.txt', { mapper, itemIdQualifiers: ['BP'], utcOffset: '-05:00' }));
    expect(t.messages).toEqual([]);
    expect(t.problems.map((p) => [p.field, p.message])).toEqual([
      ['LIN 1 QTY03', '1998.61 FT is not a whole number of eaches (factor 1)'],
      ['LIN 2 QTY03', '1777.18 FT is not a whole number of eaches (factor 1)'],
      ['LIN 4 QTY03', '3621.25 FT is not a whole number of eaches (factor 1)'],
      ['LIN 5 QTY03', "unknown units code 'FTCTT'"],
      ['LIN 3 QTY01', 'LIN 3: no quantity of TUBE-38496 maps to onHand'],
    ]);
    expect(new Set(t.problems.map((p) => p.unit))).toEqual(new Set(['loc:']));
  });

  it('CDDL stock report sold by the hundredth of a foot: whole units, but the defects still withhold it', () => {
    const mapper = mapperOf({
      locations: { default: 'dc-asia' },
      skus: { passthrough: true },
      quantityQualifiers: { codes: { '17': 'onHand', '63': 'ignore' } },
      units: { codes: { FT: { unit: 'EA', factor: 100 }, FTCTT: { unit: 'EA', factor: 100 } } },
    });
    const t = only(translate('x12-846', 'Example2.txt', { mapper, itemIdQualifiers: ['BP'] }));
    expect(t.problems.map((p) => p.message)).toEqual(['LIN 3: no quantity of 38496-B maps to onHand']);
    expect(t.messages).toEqual([]);
  });

  it('per-location quantities (N1 in the LIN loop) give one snapshot per node; asOf carries BIA05', () => {
    const text = [
      'ISA*00*          *00*          *ZZ*3PL            *ZZ*ORDERLY        *240102*0304*U*00401*000000001*0*P*>~',
      'GS*IB*3PL*ORDERLY*20240102*0304*1*X*004010~',
      'ST*846*0001~', 'BIA*00*SI*R1*20240102*1530~', 'N1*WH*Main*92*W1~',
      'LIN**SK*A~', 'QTY*17*5*EA~', 'N1*WH*East*92*W2~', 'QTY*17*7*CA~', 'QTY*33*6*CA~',
      'LIN**SK*B~', 'QTY*17*0*EA~',
      'SE*12*0001~', 'GE*1*1~', 'IEA*1*000000001~',
    ].join('\n');
    const mapper = mapperOf({
      locations: { codes: { W1: 'dc-main', W2: 'dc-east' } },
      skus: { passthrough: true },
      quantityQualifiers: { codes: { '17': 'onHand', '33': 'available' } },
      units: { codes: { EA: { unit: 'EA', factor: 1 }, CA: { unit: 'EA', factor: 10 } } },
    });
    const t = only(translateX12(parseX12(text), { mapper }));
    expect(t.problems).toEqual([]);
    expect(t.messages.map((m) => m.message)).toEqual([
      { type: 'inventory.snapshot', nodeId: 'dc-main', asOf: '2024-01-02T15:30:00.000Z', positions: [{ sku: 'A', onHand: 5 }, { sku: 'B', onHand: 0 }] },
      { type: 'inventory.snapshot', nodeId: 'dc-east', asOf: '2024-01-02T15:30:00.000Z', positions: [{ sku: 'A', onHand: 70, available: 60 }] },
    ]);
  });
});
