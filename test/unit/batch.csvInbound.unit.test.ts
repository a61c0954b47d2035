import { describe, expect, it } from 'vitest';
import { translateCsv, writeCsv, type CsvTranslation } from '../../src/connectors/batch/index.js';
import { mapperOf } from './x12.translate.support.js';

const mapper = mapperOf({
  skus: { codes: { 'UPC-1': 'SKU-RED' }, passthrough: true },
  carriers: { codes: { UPS: 'ups', FEDEX: 'fedex' }, ignoreCase: true },
  units: { codes: { EA: { unit: 'EA', factor: 1 }, CA: { unit: 'EA', factor: 12 } } },
  locations: { codes: { WH1: 'dc-east' } },
});

function ok(t: CsvTranslation): Extract<CsvTranslation, { ok: true }> {
  if (!t.ok) throw new Error(t.message);
  return t;
}
const csv = (rows: string[][]): string => writeCsv(rows);

describe('shipments CSV', () => {
  it('groups the rows of one shipment into one fact, headers by name in any case, BOM and CRLF', () => {
    const text = `\uFEFF${csv([
      ['FULFILLMENTID', 'ShipmentId', 'sku', 'quantity', 'uom', 'carrier', 'trackingNumber', 'shippedAt', 'note'],
      ['ful_1', 'shp_1', 'UPC-1', '2', 'CA', 'ups', '1Z1', '2024-05-01T10:00:00-05:00', 'first, with "quotes"'],
      ['ful_1', 'shp_1', 'SKU-BLUE', '3', '', 'UPS', '1Z1', '2024-05-01T15:00:00Z', ''],
      ['ful_2', 'shp_9', 'SKU-RED', '1', '', '', '', '2024-05-02', ''],
    ])}`;
    const t = ok(translateCsv(text, { mapper }));
    expect(t.kind).toBe('shipments');
    expect(t.errors).toEqual([]);
    expect(t.messages).toEqual([
      {
        key: '2', rows: [2, 3],
        message: {
          type: 'fulfillment.shipped', fulfillmentId: 'ful_1', shipmentId: 'shp_1', carrier: 'ups', trackingNumber: '1Z1',
          lines: [{ sku: 'SKU-RED', quantity: 24 }, { sku: 'SKU-BLUE', quantity: 3 }], shippedAt: '2024-05-01T15:00:00.000Z',
        },
      },
      { key: '4', rows: [4], message: { type: 'fulfillment.shipped', fulfillmentId: 'ful_2', shipmentId: 'shp_9', lines: [{ sku: 'SKU-RED', quantity: 1 }], shippedAt: '2024-05-02T00:00:00.000Z' } },
    ]);
  });

  it('takes lineId instead of sku, and tracking numbers per row as packages', () => {
    const t = ok(translateCsv(csv([
      ['fulfillmentId', 'shipmentId', 'lineId', 'quantity', 'trackingNumber', 'shippedAt'],
      ['ful_1', 's1', '1', '1', 'T1', '2024-05-01T10:00:00Z'],
      ['ful_1', 's1', '2', '4', 'T2', '2024-05-01T10:00:00Z'],
      ['ful_1', 's1', '1', '1', 'T2', '2024-05-01T10:00:00Z'],
    ]), { mapper }));
    expect(t.messages[0]?.message).toEqual({
      type: 'fulfillment.shipped', fulfillmentId: 'ful_1', shipmentId: 's1',
      lines: [{ lineId: '1', quantity: 2 }, { lineId: '2', quantity: 4 }],
      packages: [
        { trackingNumber: 'T1', lines: [{ lineId: '1', quantity: 1 }] },
        { trackingNumber: 'T2', lines: [{ lineId: '2', quantity: 4 }, { lineId: '1', quantity: 1 }] },
      ],
      shippedAt: '2024-05-01T10:00:00.000Z',
    });
  });

  it('sends the good shipments, reports every bad row, and withholds a shipment with a bad row whole', () => {
    const t = ok(translateCsv(csv([
      ['fulfillmentId', 'shipmentId', 'sku', 'quantity', 'uom', 'carrier', 'shippedAt'],
      ['ful_1', 's1', 'SKU-A', '1', '', 'DHL', '2024-05-01T10:00:00Z'],
      ['ful_2', 's2', 'SKU-B', 'two', '', '', '2024-05-01T10:00:00Z'],
      ['ful_2', 's2', 'SKU-C', '1', '', '', '2024-05-01T10:00:00Z'],
      ['', 's3', 'SKU-D', '1', '', '', '2024-05-01T10:00:00Z'],
      ['ful_4', 's4', 'SKU-E', '1', 'PL', '', '2024-13-01'],
      ['ful_5', 's5', 'SKU-F', '0.5', '', '', '2024-05-01T10:00:00Z'],
      ['ful_6', 's6', 'SKU-G', '3', '', '', '2024-05-03T00:00:00Z'],
      ['ful_7', 's7', '', '1', '', '', '2024-05-01T10:00:00Z', 'extra'],
    ]), { mapper }));
    expect(t.messages.map((m) => m.key)).toEqual(['8']);
    expect(t.errors).toEqual([
      { row: 2, field: 'carrier', message: "unknown carriers code 'DHL'", unknown: { table: 'carriers', code: 'DHL' } },
      { row: 3, field: 'quantity', message: "'two' is not a number" },
      { row: 4, field: '', message: 'not sent: row 3 of the same shipment failed' },
      { row: 5, field: 'fulfillmentId', message: 'is required' },
      { row: 6, field: 'uom', message: "unknown units code 'PL'", unknown: { table: 'units', code: 'PL' } },
      { row: 6, field: 'shippedAt', message: "'2024-13-01' is not a real date" },
      { row: 7, field: 'quantity', message: '0.5 is not a whole number of eaches' },
      { row: 9, field: '', message: 'has 8 fields, the header has 7' },
      { row: 9, field: 'sku', message: 'a row needs a sku or a lineId' },
    ]);
    expect(t.withheld.map((w) => [w.key, w.rows])).toEqual([['2', [2]], ['3', [3, 4]], ['5', [5]], ['6', [6]], ['7', [7]], ['9', [9]]]);
  });

  it('rows of one shipment must agree on when it shipped', () => {
    const t = ok(translateCsv(csv([
      ['fulfillmentId', 'shipmentId', 'sku', 'quantity', 'shippedAt'],
      ['ful_1', 's1', 'A', '1', '2024-05-01T10:00:00Z'],
      ['ful_1', 's1', 'B', '1', '2024-05-01T11:00:00Z'],
    ]), { mapper }));
    expect(t.messages).toEqual([]);
    expect(t.errors.map((e) => [e.row, e.field, e.message])).toEqual([
      [2, '', 'not sent: row 3 of the same shipment failed'], [3, 'shippedAt', 'differs from row 2 of the same shipment'],
    ]);
  });
});

describe('inventory and acknowledgement CSV', () => {
  it('one snapshot per node and asOf; a location through the table; available beside onHand', () => {
    const t = ok(translateCsv(csv([
      ['nodeId', 'location', 'sku', 'onHand', 'available', 'asOf'],
      ['', 'WH1', 'UPC-1', '10', '8', '2024-05-01T06:00:00Z'],
      ['dc-west', '', 'SKU-RED', '0', '', '2024-05-01T06:00:00Z'],
      ['', 'WH1', 'SKU-BLUE', '4', '', '2024-05-01T06:00:00+00:00'],
    ]), { mapper }));
    expect(t.kind).toBe('inventory');
    expect(t.messages.map((m) => [m.key, m.rows, m.message])).toEqual([
      ['2', [2, 4], { type: 'inventory.snapshot', nodeId: 'dc-east', asOf: '2024-05-01T06:00:00.000Z', positions: [{ sku: 'SKU-RED', onHand: 10, available: 8 }, { sku: 'SKU-BLUE', onHand: 4 }] }],
      ['3', [3], { type: 'inventory.snapshot', nodeId: 'dc-west', asOf: '2024-05-01T06:00:00.000Z', positions: [{ sku: 'SKU-RED', onHand: 0 }] }],
    ]);
  });

  it('an unknown location, a repeated SKU or a negative count withholds its snapshot', () => {
    const t = ok(translateCsv(csv([
      ['location', 'sku', 'onHand', 'asOf'],
      ['WH9', 'A', '1', '2024-05-01'],
      ['WH1', 'A', '1', '2024-05-01'],
      ['WH1', 'UPC-1', '2', '2024-05-01'],
      ['WH1', 'SKU-RED', '3', '2024-05-01'],
      ['WH1', 'B', '-1', '2024-05-02'],
    ]), { mapper }));
    expect(t.messages).toEqual([]);
    expect(t.errors.map((e) => [e.row, e.field, e.message])).toEqual([
      [2, 'location', "unknown locations code 'WH9'"],
      [3, '', 'not sent: row 5 of the same snapshot failed'],
      [4, '', 'not sent: row 5 of the same snapshot failed'],
      [5, 'sku', 'SKU-RED is already in row 4 of the same snapshot'],
      [6, 'onHand', 'must be at least 0'],
    ]);
  });

  it('acknowledgements: one fact per row, accepted in plain words', () => {
    const t = ok(translateCsv(csv([
      ['fulfillmentId', 'Accepted', 'reason'],
      ['ful_1', 'yes', ''], ['ful_2', 'REJECTED', 'out of stock'], ['ful_3', 'maybe', ''],
    ]), { mapper }));
    expect(t.messages.map((m) => m.message)).toEqual([
      { type: 'fulfillment.acknowledged', fulfillmentId: 'ful_1', accepted: true },
      { type: 'fulfillment.acknowledged', fulfillmentId: 'ful_2', accepted: false, reason: 'out of stock' },
    ]);
    expect(t.errors).toEqual([{ row: 4, field: 'Accepted', message: "'maybe' is not true/false (yes/no, 1/0, accepted/rejected)" }]);
  });

  it('a file that cannot be read as one of the kinds fails whole, saying why', () => {
    expect(translateCsv('', { mapper })).toEqual({ ok: false, message: 'the file is empty: expected a header row' });
    expect(translateCsv('a,b\r\n1,2\r\n', { mapper })).toMatchObject({ ok: false, row: 1, message: expect.stringContaining('cannot tell the kind of file') });
    expect(translateCsv('fulfillmentId,shipmentId,quantity\r\n', { mapper })).toEqual({ ok: false, row: 1, message: 'a shipments file needs the column(s) sku or lineId, shippedAt' });
    expect(translateCsv('sku,SKU,onHand\r\n', { mapper })).toEqual({ ok: false, row: 1, message: "column 'SKU' appears twice in the header" });
    expect(translateCsv('fulfillmentId,accepted\r\n"ful_1,true\r\n', { mapper })).toEqual({ ok: false, row: 2, message: 'row 2: a quoted field is never closed' });
  });
});
