import { describe, expect, it } from 'vitest';
import { map940, map945, parseX12, shippingOrderAction } from '../../src/connectors/x12/index.js';
import { documents, fixture } from './x12.support.js';

const orders = (name: string) => documents(parseX12(fixture('x12-940', name)), 'warehouse_shipping_order');
const advices = (name: string) => documents(parseX12(fixture('x12-945', name)), 'warehouse_shipping_advice');

describe('940 warehouse shipping order', () => {
  it('maps the 1 EDI Source sample: order id, parties, dates, carrier, three lines, totals', () => {
    const [o] = orders('940.OK.edi');
    expect(o).toMatchObject({ statusCode: 'N', orderId: '538686', linkSequence: '001001', masterReference: '538686' });
    expect(o?.parties.map((p) => [p.role, p.name, p.id])).toEqual([
      ['ST', 'ST COMPANY', '00000001'], ['DE', 'DE COMPANY', '0000000000001'], ['WH', 'WHNAME', '0000000000140'],
    ]);
    expect(o?.parties[0]?.address).toEqual({ lines: ['ADDRESS'], city: 'CITY', region: 'CA', postalCode: '00003' });
    expect(o?.dates).toEqual([{ qualifier: '10', date: '2000-02-04' }, { qualifier: '02', date: '2000-02-07' }]);
    expect(o?.notes).toEqual([{ code: 'WHI', text: 'SHIP ON CHEP PALLETS' }]);
    expect(o?.carrier).toEqual({ paymentMethod: 'PP', transportMethod: 'M', routing: 'MTEN' });
    expect(o?.lines.map((l) => [l.lineNumber, l.quantity, l.uom, l.upcCaseCode, l.itemIds, l.lot, l.description])).toEqual([
      ['1', 12, 'CA', '000100000010', { VN: '000100', UC: 'DEC0199' }, '19991205', '11.500 STRUD BLUBRY'],
      ['2', 32, 'CA', '000000000220', { VN: '000200', UC: 'DEC0299' }, '19991207', '11.500 STRUD CINN'],
      ['3', 12, 'CA', '000000000330', { VN: '000300', UC: 'JAN0100' }, '20000107', '11.500 STRUDEL RASPBRY'],
    ]);
    expect(o?.lines[0]?.references).toEqual([{ qualifier: 'PC', value: 'DEC0199' }]);
    expect(o?.totals).toEqual({ quantity: 56, weight: 500, weightUom: 'LB', volume: 24, volumeUom: 'CF' });
    expect(o?.lines.reduce((n, l) => n + (l.quantity ?? 0), 0)).toBe(o?.totals?.quantity);
  });

  it('maps the Simplot order with W20 packing and a consignee', () => {
    const [o] = orders('simplot.txt');
    expect(o).toMatchObject({ statusCode: 'N', orderId: '01235639', purchaseOrder: '3353558' });
    expect(o?.parties.find((p) => p.role === 'CN')).toMatchObject({
      name: 'McLane Foodservice Inc', address: { city: 'Guilderland Center', region: 'NY', postalCode: '12085', country: 'US' },
    });
    expect(o?.carrier).toEqual({ paymentMethod: 'CC', transportMethod: 'H', routing: 'CUST' });
    expect(o?.lines.map((l) => [l.quantity, l.itemIds, l.packing?.weight])).toEqual([
      [972, { UK: '10071179009894' }, 36936],
      [189, { UK: '10071179017073' }, 7182],
    ]);
    expect(o?.lines[0]?.references).toEqual([{ qualifier: 'LI', value: '1000' }, { qualifier: 'PJ', value: 'PBU' }]);
    expect(o?.totals).toMatchObject({ quantity: 1161, weight: 44118 });
  });

  it('reads the General Mills new / change / cancel trio as create, change and cancel', () => {
    const [created] = orders('x12-types_test_940_3_generalmills-new.edi');
    const [changed] = orders('x12-types_test_940_4_generalmills-change.edi');
    const [cancelled] = orders('x12-types_test_940_5_generalmills-delete.edi');
    expect([created, changed, cancelled].map((o) => [o?.orderId, shippingOrderAction(o?.statusCode ?? '')])).toEqual([
      ['18061923', 'create'], ['18061930', 'change'], ['18061923', 'cancel'],
    ]);
    expect(created?.lines.map((l) => [l.quantity, l.itemIds.UK, l.freightClass, l.palletBlockTiers])).toEqual([
      [750, '10725342387462', '55', '010005'], [170, '10725342438720', '55', '017005'],
    ]);
    expect(created?.equipmentCode).toBe('TF');
    expect(created?.carrier).toEqual({ paymentMethod: 'PB', transportMethod: 'H', scac: 'CPU' });
    expect(changed?.lines).toHaveLength(1);
    expect(changed?.lines[0]).toMatchObject({ quantity: 300, itemIds: { VN: '0172183000', UK: '10046000721832' } });
    expect(cancelled?.lines).toEqual([]);
    expect(cancelled?.notes).toEqual([{ code: 'SPH', text: 'CANCELLED - DO NOT SHIP' }]);
    expect(cancelled?.totals).toEqual({ quantity: 0, weight: 0, weightUom: 'LB', volume: 0, volumeUom: 'CF' });
  });

  it('reads every 940 of a multi-interchange file', () => {
    const all = orders('MultipleInterchangesAndGroups.edi');
    expect(all).toHaveLength(6);
    expect(all.every((o) => o.orderId === '538686' && o.lines[0]?.quantity === 12)).toBe(true);
  });

  it('warns instead of failing on a 940 without W05 or lines', () => {
    const { document, notes } = map940([['ST', '940', '0001'], ['N1', 'ST', 'X'], ['SE', '3', '0001']]);
    expect(document).toMatchObject({ orderId: '', statusCode: '', lines: [] });
    expect(notes.map((n) => n.message)).toEqual(['W05 (order identification) is missing', '940 has no W01 lines']);
  });
});

describe('945 warehouse shipping advice', () => {
  it('maps the guide-style 945: ids, carrier, lot, pallet LPN, totals', () => {
    const [a] = advices('x12-types_test_945_parse_1.edi');
    expect(a).toMatchObject({
      reportingCode: 'F', orderId: 'IF102', shipDate: '2019-06-04', shipmentId: 'BOL12345', purchaseOrder: 'PO9865',
      carrier: { transportMethod: 'M', scac: 'NPLT', routing: 'NORTHPOINT TRANSPOR', paymentMethod: 'PP' },
      totals: { unitsShipped: 3000, weight: 15000, weightUom: 'LB' },
    });
    expect(a?.lines).toEqual([{
      lineNumber: '10', status: 'CC', quantityOrdered: 3000, quantityShipped: 3000, quantityDifference: 0, uom: 'EA',
      itemIds: { VN: '123456789' }, lot: 'LOT12314', description: 'WIDGETS 100 PER BOX',
      references: [], pallets: [{ id: 'LPN6569' }], marks: [], partial: false,
    }]);
  });

  it('maps the Inter-American 945 with an empty W0602 and per-line tracking', () => {
    const r = parseX12(fixture('x12-945', 'inter-americanproducts.txt'));
    const [a] = documents(r, 'warehouse_shipping_advice');
    expect(a?.orderId).toBeUndefined();
    expect(a).toMatchObject({ reportingCode: 'N', shipDate: '2002-09-16', shipmentId: '2144' });
    expect(a?.trackingNumbers).toEqual(['K018293-00010', 'K018273-00033', 'K082738-0041']);
    expect(a?.lines.map((l) => [l.status, l.quantityOrdered, l.quantityShipped, l.itemIds, l.lot, l.weight])).toEqual([
      ['CL', 120, 120, { IN: '339408' }, '19284', { value: 6600, qualifier: 'A3', uom: 'L' }],
      ['CL', 400, 400, { IN: '100021' }, '82943', { value: 20000, qualifier: 'A3', uom: 'L' }],
      ['CL', 400, 400, { IN: '133848' }, '930345', { value: 20000, qualifier: 'A3', uom: 'L' }],
    ]);
    expect(a?.totals?.unitsShipped).toBe(920);
    expect(r.errors).toContainEqual({
      severity: 'warning', segment: 4,
      message: '945 0003100001: W0602 depositor order number is empty; correlate on W0606 PO or W0604 shipment id',
    });
  });

  it('realigns the shifted Simplot W12s and collects pallets with their quantities', () => {
    const r = parseX12(fixture('x12-945', 'x12-types_render_945_simplot-st-only.edi'));
    const [a] = documents(r, 'warehouse_shipping_advice');
    expect(a).toMatchObject({ orderId: '01766655', shipDate: '2013-10-29', purchaseOrder: '9116' });
    expect(a?.lines.map((l) => [l.quantityShipped, l.uom, l.upcCaseCode, l.itemIds, l.lot, l.weight?.value])).toEqual([
      [72, 'CA', '007117901645', { UK: '10071179016458' }, '40550', 799],
      [72, 'CA', '007117901645', { UK: '10071179016458' }, '40551', 884],
      [96, 'CA', '007117900070', { UK: '10071179000709' }, '93724', 1404],
    ]);
    for (const l of a?.lines ?? []) {
      expect(l.pallets.reduce((n, p) => n + (p.quantity ?? 0), 0)).toBe(l.quantityShipped);
    }
    expect(a?.lines.reduce((n, l) => n + (l.quantityShipped ?? 0), 0)).toBe(a?.totals?.unitsShipped);
    expect(r.errors.filter((e) => e.message.includes('W1208 instead of W1207')).map((e) => e.segment)).toEqual([12, 18, 23]);
  });

  it('flags partial lines from quantities or status', () => {
    const { document } = map945([
      ['ST', '945', '1'], ['W06', 'F', 'ORD1', '20240101'],
      ['LX', '1'], ['W12', 'CC', '10', '7', '3', 'EA', '', 'SK', 'A'],
      ['LX', '2'], ['W12', 'BP', '5', '5', '', 'EA', '', 'SK', 'B'],
      ['LX', '3'], ['W12', 'CC', '5', '5', '', 'EA', '', 'SK', 'C'], ['MAN', 'CP', '1Z999'],
      ['SE', '10', '1'],
    ]);
    expect(document.lines.map((l) => [l.itemIds.SK, l.partial])).toEqual([['A', true], ['B', true], ['C', false]]);
    expect(document.trackingNumbers).toEqual(['1Z999']);
  });
});
