import { describe, expect, it } from 'vitest';
import { parseX12 } from '../../src/connectors/x12/index.js';
import { fixture, fixtureFiles, transactions } from './x12.support.js';

const KIND: Readonly<Record<string, string>> = {
  '846': 'inventory_advice',
  '850': 'purchase_order',
  '856': 'ship_notice',
  '940': 'warehouse_shipping_order',
  '945': 'warehouse_shipping_advice',
};

describe('every real fixture parses leniently', () => {
  it('finds the fixtures beside the repo', () => {
    expect(fixtureFiles().length).toBeGreaterThanOrEqual(23);
  });

  describe.each(fixtureFiles())('$folder/$name', ({ folder, name, type }) => {
    const result = parseX12(fixture(folder, name));
    const txs = transactions(result);

    it(`holds at least one ${type} with a canonical document`, () => {
      expect(txs.filter((t) => t.type === type).length).toBeGreaterThanOrEqual(1);
      for (const t of txs) {
        expect(t.document?.kind).toBe(KIND[t.type]);
        expect(t.segments[0]).toEqual(['ST', t.type, t.controlNumber]);
        expect(t.segments.at(-1)).toEqual(['SE', expect.any(String), t.controlNumber]);
      }
    });

    it('has no error-severity entries and survives JSON', () => {
      expect(result.errors.filter((e) => e.severity === 'error')).toEqual([]);
      expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    });
  });
});

describe('envelope fields', () => {
  it('reads several interchanges and groups with their own control numbers', () => {
    const r = parseX12(fixture('x12-940', 'MultipleInterchangesAndGroups.edi'));
    expect(r.interchanges.map((i) => i.controlNumber)).toEqual(['000003438', '000003439']);
    expect(r.interchanges.map((i) => i.groups.map((g) => [g.functionalId, g.controlNumber, g.transactions.map((t) => t.controlNumber)]))).toEqual([
      [['OW', '3313', ['0001', '0002']], ['OW', '3314', ['0001']]],
      [['OW', '3315', ['0001', '0002']], ['OW', '3316', ['0001']]],
    ]);
    expect(r.interchanges[0]).toMatchObject({ sender: 'ABCDEFGHIJKLMNO', receiver: '123456789012345', date: '2010-11-27' });
  });

  it('trims padded ISA ids, including the non-breaking spaces of the EDI.Net sample', () => {
    const r = parseX12(fixture('x12-850', 'x12.850.edi'));
    expect(r.interchanges[0]).toMatchObject({ controlNumber: '000000055', sender: '000123456', receiver: 'PARTNERID', date: '2009-08-27' });
  });

  it('gives a bare ST…SE fragment an empty envelope with the functional id inferred', () => {
    const r = parseX12(fixture('x12-945', 'x12-types_render_945_simplot-st-only.edi'));
    expect(r.interchanges).toHaveLength(1);
    expect(r.interchanges[0]).toMatchObject({ controlNumber: '', groups: [{ controlNumber: '', functionalId: 'SW' }] });
    expect(r.interchanges[0]).not.toHaveProperty('sender');
  });

  it('keeps every segment of a transaction set as string arrays', () => {
    const [t] = transactions(parseX12(fixture('x12-940', '940.OK.edi')));
    expect(t?.segments).toHaveLength(29);
    expect(t?.segments[1]).toEqual(['W05', 'N', '538686', '', '001001', '538686']);
    expect(t?.segments[16]).toEqual(['W01', '12', 'CA', '000100000010', 'VN', '000100', 'UC', 'DEC0199', '', '', '', '', '', '19991205']);
  });

  it('drops trailing empty elements (N3*126 Any St*~)', () => {
    const [t] = transactions(parseX12(fixture('x12-850', 'x12.850.edi')));
    expect(t?.segments).toContainEqual(['N3', '126 Any St']);
  });

  it('splits a segment that lost its terminator at the line break (issue135, General Mills)', () => {
    const [first] = transactions(parseX12(fixture('x12-850', 'x12.850.issue135.edi')));
    expect(first?.segments[20]).toEqual(['DTM', '038', '20190309']);
    expect(first?.segments[21]).toEqual(['PO1', '30', '13892', 'SF', '', '', 'ST', 'F07EXPLLO1224']);
    const [gm] = transactions(parseX12(fixture('x12-940', 'x12-types_test_940_3_generalmills-new.edi')));
    expect(gm?.segments[15]).toEqual(['W01', '750', 'CA', '072534238746', 'VN', '0638746000', 'UK', '10725342387462', '55', '', '', '', '010005']);
    expect(gm?.segments[16]).toEqual(['PI', '001089']);
  });

  it('cannot see a missing terminator without a line break, but flags its symptoms (846 Example2)', () => {
    const r = parseX12(fixture('x12-846', 'Example2.txt'));
    expect(transactions(r)[0]?.segments).toContainEqual(['QTY', '17', '7280', 'FTCTT', '5']);
    expect(r.errors).toContainEqual({
      severity: 'warning', segment: 25,
      message: "846 0008505: QTY unit 'FTCTT' is not a 2-character unit code (a segment terminator may be missing)",
    });
    expect(r.errors).toContainEqual({
      severity: 'warning', segment: 15,
      message: '846 0008505: REF has 5 elements (at most 4 expected); a segment terminator may be missing',
    });
  });

  it('notes a non-fixed-width ISA without rejecting it', () => {
    const r = parseX12(fixture('x12-945', 'x12-types_test_945_parse_1.edi'), { strict: true });
    expect(r.errors).toContainEqual({ severity: 'warning', segment: 1, message: 'ISA is 76 characters long, not the fixed 106' });
  });
});
