import { describe, expect, it } from 'vitest';
import { decimalToMinor, map850, map856, parseX12 } from '../../src/connectors/x12/index.js';
import { documents, fixture } from './x12.support.js';

const purchaseOrders = (name: string) => documents(parseX12(fixture('x12-850', name)), 'purchase_order');
const notices = (name: string) => documents(parseX12(fixture('x12-856', name)), 'ship_notice');
const inventory = (name: string) => documents(parseX12(fixture('x12-846', name)), 'inventory_advice');

describe('850 purchase order as a channel order', () => {
  it('maps the VICS 850: PO number, ship-to, lines with exact minor-unit prices, totals', () => {
    const [po] = purchaseOrders('850_fat.edi');
    expect(po).toMatchObject({ action: 'create', poType: 'SA', poNumber: '08292233294', poDate: '2010-11-27', currency: 'USD' });
    expect(po?.shipTo).toEqual({ name: 'XYZ RETAIL', line1: '31875 SOLON RD', city: 'SOLON', region: 'OH', postalCode: '44139' });
    expect(po?.lines.map((l) => [l.lineId, l.quantity, l.uom, l.unitPrice?.amount, l.sku, l.description])).toEqual([
      ['1', 120, 'EA', 925, 'AB3542', 'SMALL WIDGET'],
      ['2', 220, 'EA', 1379, 'RD5322', 'MEDIUM WIDGET'],
      ['3', 126, 'EA', 1099, 'XY5266', 'LARGE WIDGET'],
      ['4', 76, 'EA', 435, 'VX2332', 'NANO WIDGET'],
      ['5', 72, 'EA', 750, 'RV0524', 'BLUE WIDGET'],
      ['6', 696, 'EA', 955, 'DX1875', 'ORANGE WIDGET'],
    ]);
    // 4.35 * 100 is 434.99999999999994 in floating point; the mapper never multiplies decimals.
    expect(4.35 * 100).not.toBe(435);
    expect(po?.totals?.amount).toEqual({ amount: 1304594, currency: 'USD', decimal: '13045.94' });
    const extended = po?.lines.reduce((n, l) => n + (l.quantity ?? 0) * (l.unitPrice?.amount ?? 0), 0);
    expect(extended).toBe(po?.totals?.amount?.amount);
    expect(po?.paymentTerms).toEqual({ type: '14', discountPercent: 2, discountDays: 45, netDays: 46 });
  });

  it('maps the drop-ship consumer order with a person as ship-to', () => {
    const [po] = purchaseOrders('x12.850.edi');
    expect(po?.shipTo).toEqual({ name: 'John Doe', line1: '126 Any St', city: 'Hauppauge', region: 'NY', postalCode: '11788-1234', country: 'US' });
    expect(po?.carrier).toEqual({ routing: 'UPSG' });
    expect(po?.lines).toEqual([expect.objectContaining({ lineId: '1', quantity: 1, sku: '0054321', unitPrice: { amount: 1995, currency: 'USD', decimal: '19.95' } })]);
    expect(po?.totals).toEqual({ lineCount: 1, hashTotal: 1 });
  });

  it('numbers lines by position when PO101 is empty and reads CUR', () => {
    const [snacks] = purchaseOrders('004010_850.edi');
    expect(snacks?.lines.map((l) => [l.lineId, l.lineNumber, l.quantity, l.itemIds.CB])).toEqual([
      ['1', undefined, 16, '000111111'], ['2', undefined, 13, '000555555'], ['3', undefined, 32, '000666666'],
      ['4', undefined, 51, '000874917'], ['5', undefined, 9, '000874958'], ['6', undefined, 85, '000874990'],
      ['7', undefined, 1, '000875088'],
    ]);
    expect(snacks?.lines[0]?.pack).toEqual({ pack: 48, size: 7.89, uom: 'LB' });
    const [textile] = purchaseOrders('x12.850a.edi');
    expect(textile).toMatchObject({ poNumber: '4600000406', currency: 'USD' });
    expect(textile?.parties.map((p) => p.role)).toEqual(['ST', 'Z7', 'BT', 'BY', 'SU']);
    expect(textile?.lines.map((l) => [l.lineId, l.quantity, l.uom, l.unitPrice?.amount, l.itemIds.BP])).toEqual([
      ['000100001', 2500, 'YD', 253, 'A_QU001-BLK'], ['000200001', 2000, 'YD', 341, 'A_QF001-BLK'], ['000200002', 1000, 'YD', 341, 'A_QF001-RED'],
    ]);
  });

  it('reads both blanket POs of issue135 and the Petco PO', () => {
    const [first, second] = purchaseOrders('x12.850.issue135.edi');
    expect([first?.poNumber, first?.action, first?.lines.length, second?.poNumber, second?.lines.length]).toEqual(['740150', 'replace', 10, '740151', 11]);
    expect(first?.lines[1]?.dates).toEqual([{ qualifier: '002', date: '2019-03-09' }, { qualifier: '038', date: '2019-03-09' }]);
    const [petco] = purchaseOrders('850_3.edi');
    expect(petco?.lines[0]).toMatchObject({ quantity: 1, uom: 'KI', unitPrice: { amount: 22500 }, sku: '000000000001010700' });
    expect(petco?.shipTo).toMatchObject({ name: 'PETCO - CORPORATE', city: 'SAN DIEGO' });
  });

  it('lets the policy choose the SKU qualifier', () => {
    const segs = [['ST', '850', '1'], ['BEG', '00', 'SA', 'PO1'], ['PO1', '1', '2', 'EA', '1.5', '', 'VN', 'V1', 'BP', 'B1'], ['SE', '4', '1']];
    expect(map850(segs, { skuQualifiers: ['VN'], defaultCurrency: 'EUR' }).document.lines[0]).toMatchObject({ sku: 'V1', unitPrice: { amount: 150, currency: 'EUR' } });
    expect(map850(segs, { skuQualifiers: ['BP'], defaultCurrency: 'JPY' }).document.lines[0]).toMatchObject({ sku: 'B1', unitPrice: { amount: 2 } });
  });
});

describe('decimal prices to minor units', () => {
  it.each([
    ['4.35', 2, 435, true], ['13045.94', 2, 1304594, true], ['225', 2, 22500, true], ['0.567', 2, 57, false],
    ['.5', 2, 50, true], ['19.95', 0, 20, false], ['1.2345', 3, 1235, false], ['-2.50', 2, -250, true], ['007.10', 2, 710, true],
  ])('%s at exponent %i is %i', (text, exp, minor, exact) => {
    expect(decimalToMinor(text, exp)).toEqual({ minor, exact });
  });

  it.each(['', '.', 'abc', '1,50', '1e3', '99999999999999999'])('rejects %j', (text) => {
    expect(decimalToMinor(text, 2)).toBeUndefined();
  });
});

describe('856 ship notice', () => {
  it('flattens the cross-dock S-O-P-I tree into orders, cartons and items', () => {
    const [asn] = notices('856.Crossdock.OK.edi');
    expect(asn).toMatchObject({ purpose: '00', shipmentId: '000009', date: '2009-09-21', structure: '0001' });
    expect(asn?.shipment).toMatchObject({
      billOfLading: '000001', proNumber: '0000000008741', shippedDate: '2009-09-21', estimatedDelivery: '2009-09-25',
      carrier: { scac: 'OVNT', routing: 'OVERNITE' }, trailer: { type: 'TL', number: '1234567890' },
      packaging: [{ code: 'CTN', ladingQuantity: 5, weight: 24, weightUom: 'LB', volume: 123, volumeUom: 'CF' }],
    });
    expect(asn?.orders.map((o) => [o.hlId, o.purchaseOrder, o.invoice, o.parties[0]?.id])).toEqual([
      ['2', 'POREF00', '0000021', '002'], ['11', 'POREF01', '0000022', '003'],
    ]);
    expect(asn?.packs.map((p) => [p.hlId, p.orderHlId, p.sscc])).toEqual([
      ['3', '2', '00000715670002152360'], ['5', '2', '00000715670002152377'], ['7', '2', '00000715670002152384'],
      ['9', '2', '00000715670002152391'], ['12', '11', '00000715670002152111'],
    ]);
    expect(asn?.items.map((i) => [i.packHlId, i.purchaseOrder, i.itemIds, i.quantityShipped])).toEqual([
      ['3', 'POREF00', { UP: '0000000000642' }, 12], ['5', 'POREF00', { EN: '0000000000831' }, 12],
      ['7', 'POREF00', { UP: '0000000000283' }, 12], ['9', 'POREF00', { UP: '0000000000203' }, 12],
      ['12', 'POREF01', { UP: '0000000000642' }, 12],
    ]);
    expect(asn?.totals).toEqual({ hlCount: 13 });
  });

  it('infers parents when HL02 is empty (Example4)', () => {
    const r = parseX12(fixture('x12-856', 'Example4.txt'));
    const [asn] = documents(r, 'ship_notice');
    expect(asn?.orders).toEqual([expect.objectContaining({ hlId: '2', parentId: '1', purchaseOrder: 'PO NUMBER' })]);
    expect(asn?.items.map((i) => [i.hlId, i.parentId, i.orderHlId, i.itemIds.SK, i.quantityShipped, i.quantityOrdered])).toEqual([
      ['3', '2', '2', '100014544', 10, 10], ['4', '2', '2', '100014545', 5, 5], ['5', '2', '2', '100019109', 10, 10],
      ['6', '2', '2', '100019110', 20, 20], ['7', '2', '2', '100019111', 5, 5], ['8', '2', '2', '100019112', 3, 3],
      ['9', '2', '2', '100014546', 12, 12],
    ]);
    expect(r.errors.map((e) => e.message)).toContain('856 0414: 8 HL segment(s) have no parent in HL02; parents inferred from the level order');
  });

  it('reads the S-I ASN with the … terminator, item-level PRF and a matching hash total', () => {
    const [asn] = notices('Example3.txt');
    expect(asn?.orders).toEqual([]);
    expect(asn?.shipment.carrier).toEqual({ scac: 'AVRT', idQualifier: '2', id: 'AVRT', transportMethod: 'M', routing: 'AVERITT EXPRESS' });
    expect(asn?.shipment.measurements.map((m) => [m.qualifier, m.value])).toEqual([['G', 5063.82], ['N', 4215.078]]);
    expect(asn?.items.map((i) => [i.purchaseOrder, i.itemIds.VN, i.quantityShipped])).toEqual([
      ['5500005194', 'abc123', 1596], ['5500005194', 'ZZZ123', 1152], ['5500005194', 'XXX123', 1440],
    ]);
    expect(asn?.items.reduce((n, i) => n + (i.quantityShipped ?? 0), 0)).toBe(asn?.totals?.hashTotal);
  });

  it('collects carrier tracking from MAN*SM, REF*CN and the VICS ASN', () => {
    expect(notices('x12-types_test_856_xx_fisher.edi')[0]).toMatchObject({
      trackingNumbers: ['1Z54242X0357922222'], items: [{ purchaseOrder: 'DR3469500', itemIds: { CB: '25901' }, quantityShipped: 2 }],
    });
    const [vics] = notices('FromGregarican.txt');
    expect(vics).toMatchObject({ shipmentId: '521649209219', shipment: { carrier: { scac: 'FED2', routing: 'FEDX 2 DAY' } } });
    expect(vics?.packs[0]?.sscc).toBe('00007121610006156802');
    expect(vics?.items[0]).toMatchObject({ purchaseOrder: 'SO/VINCE1', itemIds: { UP: '883932284904' }, description: '16X12MM SMALL WHEATON' });
    const [gozer] = notices('asn856.txt');
    expect(gozer).toMatchObject({ purpose: '14', shipmentId: '829716', trackingNumbers: ['5787970539'], totals: { hlCount: 4, hashTotal: 30 } });
    expect(gozer?.items.map((i) => [i.itemIds.UP, i.quantityShipped, i.description])).toEqual([
      ['999999310145', 24, 'BLUE WIDGET'], ['999999311746', 6, 'RED WIDGET'],
    ]);
  });

  it('notes a CTT that disagrees with the tree instead of failing', () => {
    const { notes } = map856([['ST', '856', '1'], ['BSN', '00', 'X'], ['HL', '1', '', 'S'], ['HL', '2', '1', 'I'], ['LIN', '', 'UP', '1'], ['SN1', '', '3', 'EA'], ['CTT', '5', '4'], ['SE', '8', '1']]);
    expect(notes.map((n) => n.message)).toEqual(['CTT01 says 5 but the ASN has 2 HL segments', 'CTT02 hash total 4 differs from the SN102 sum 3']);
  });
});

describe('846 inventory advice', () => {
  it('maps quantities by qualifier with UIT units (Example1)', () => {
    const [inv] = inventory('Example1.txt');
    expect(inv).toMatchObject({ purpose: '00', reportType: 'CM', reportId: '10353', date: '2004-08-11', currency: 'USD' });
    expect(inv?.parties.map((p) => [p.role, p.id])).toEqual([['ST', 'SAN003'], ['SE', 'XYZ001']]);
    expect(inv?.items).toEqual([expect.objectContaining({
      lineNumber: '1', itemIds: { BP: '46L5055', EC: '5V', MF: 'XYZ Corporation', MG: '1234123232' },
      quantities: [
        { qualifier: '34', quantity: 5250, uom: 'EA' }, { qualifier: 'QH', quantity: 100, uom: 'EA' },
        { qualifier: 'QB', quantity: 50, uom: 'EA' }, { qualifier: '87', quantity: 75, uom: 'EA' },
      ],
    })]);
  });

  it('maps five stock lines with prices and a dated on-order quantity (Example2)', () => {
    const [inv] = inventory('Example2.txt');
    expect(inv?.items.map((i) => [i.itemIds.BP, i.unitPrice?.amount, i.quantities.map((q) => [q.qualifier, q.quantity, q.uom])])).toEqual([
      ['38490-B', 260, [['17', 1998.61, 'FT']]],
      ['38499-B', 300, [['17', 1777.18, 'FT']]],
      ['38496-B', 283, [['63', 1000, 'FT']]],
      ['38502-B', 326, [['17', 3621.25, 'FT']]],
      ['35933', 57, [['17', 7280, 'FTCTT']]],
    ]);
    expect(inv?.items[2]?.quantities[0]?.dates).toEqual([{ qualifier: '371', date: '2003-08-22' }]);
  });

  it('spreads SDQ quantities over locations under the preceding QTY qualifier', () => {
    const r = parseX12(
      'ISA*00*          *00*          *ZZ*A              *ZZ*B              *240102*0304*U*00401*000000001*0*P*>~' +
        'GS*IB*A*B*20240102*0304*1*X*004010~ST*846*0001~BIA*00*SI*R1*20240102~LIN**SK*ABC~QTY*33*30*EA~' +
        'SDQ*EA*92*STORE1*10*STORE2*20~SE*6*0001~GE*1*1~IEA*1*000000001~',
      { strict: true },
    );
    const [inv] = documents(r, 'inventory_advice');
    expect(inv?.items[0]?.quantities).toEqual([
      { qualifier: '33', quantity: 30, uom: 'EA' },
      { qualifier: '33', quantity: 10, uom: 'EA', location: { idQualifier: '92', id: 'STORE1' } },
      { qualifier: '33', quantity: 20, uom: 'EA', location: { idQualifier: '92', id: 'STORE2' } },
    ]);
    expect(r.errors).toEqual([]);
  });
});
