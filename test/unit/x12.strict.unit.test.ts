import { describe, expect, it } from 'vitest';
import { parseX12 } from '../../src/connectors/x12/index.js';
import { fixture, fixtureFiles, transactions } from './x12.support.js';

/**
 * Every envelope defect the real fixtures carry, as strict mode reports it: [segment, message].
 * Files not listed are clean. Each entry was checked by hand against the file (see SOURCES.md).
 */
const STRICT_ERRORS: Readonly<Record<string, readonly (readonly [number, string])[]>> = {
  'x12-850/850_fat.edi': [[38, 'duplicate interchange control number ISA13 000003438']],
  'x12-850/x12.850.edi': [[15, 'IEA02 000000001 does not match ISA13 000000055']],
  'x12-850/x12.850a.edi': [[54, 'IEA02 000000001 does not match ISA13 000000055']],
  'x12-850/x12.850.issue135.edi': [
    [1, "ISA16 (component separator) is missing; assumed '>' and took '~' as the segment terminator"],
    [23, 'segment DTM has no terminator before the line break'],
    [90, 'duplicate transaction set control number ST02 0001 in group 1'],
  ],
  'x12-856/asn856.txt': [[35, 'IEA02 000000049 does not match ISA13 000003438']],
  'x12-940/MultipleInterchangesAndGroups.edi': [
    [21, 'IEA02 3438 does not match ISA13 000003438 (same number, but IEA02 must repeat all 9 digits)'],
    [42, 'IEA02 3439 does not match ISA13 000003439 (same number, but IEA02 must repeat all 9 digits)'],
  ],
  'x12-940/simplot.txt': [
    [30, 'GE02 940001777 does not match GS06 177818711'],
    [31, 'IEA02 940001777 does not match ISA13 398161180'],
  ],
  'x12-940/x12-types_test_940_3_generalmills-new.edi': [
    [18, 'segment W01 has no terminator before the line break'],
    [21, 'segment W01 has no terminator before the line break'],
    [24, 'SE01 says 20 segments but transaction set 940 43110001 has 22'],
  ],
  'x12-940/x12-types_test_940_4_generalmills-change.edi': [
    [1, "ISA16 (component separator) is missing; assumed '>' and took '~' as the segment terminator"],
  ],
  'x12-940/x12-types_test_940_5_generalmills-delete.edi': [
    [1, "ISA16 (component separator) is missing; assumed '>' and took '~' as the segment terminator"],
  ],
  'x12-945/inter-americanproducts.txt': [
    [2, 'GS has 10 elements, expected 8'],
    [20, 'GE02 31 does not match GS06 20021104'],
  ],
  'x12-945/x12-types_render_945_simplot-st-only.edi': [
    [1, 'transaction set 945 0001 has no ISA/GS envelope'],
    [29, 'SE01 says 32 segments but transaction set 945 0001 has 29'],
  ],
  'x12-945/x12-types_test_945_parse_1.edi': [[18, 'SE01 says 12 segments but transaction set 945 000006123 has 16']],
};

describe('strict mode on the real fixtures', () => {
  it('knows every broken fixture by name', () => {
    const names = new Set(fixtureFiles().map((f) => `${f.folder}/${f.name}`));
    for (const key of Object.keys(STRICT_ERRORS)) expect(names).toContain(key);
  });

  describe.each(fixtureFiles())('$folder/$name', ({ folder, name }) => {
    const text = fixture(folder, name);
    const expected = STRICT_ERRORS[`${folder}/${name}`] ?? [];

    it(expected.length === 0 ? 'has no strict errors' : `reports exactly its ${expected.length} envelope defect(s) as errors`, () => {
      const errors = parseX12(text, { strict: true }).errors.filter((e) => e.severity === 'error');
      expect(errors.map((e) => [e.segment, e.message])).toEqual(expected);
    });

    it('reports the same findings as warnings when lenient, with the same content', () => {
      const strict = parseX12(text, { strict: true });
      const lenient = parseX12(text);
      expect(lenient.interchanges).toEqual(strict.interchanges);
      expect(lenient.errors.map((e) => e.message)).toEqual(strict.errors.map((e) => e.message));
      expect(lenient.errors.filter((e) => e.severity === 'error')).toEqual([]);
      expect(transactions(lenient).length).toBeGreaterThan(0);
    });
  });
});

describe('strict mode on synthetic envelope defects', () => {
  const body = (st02: string, se01: string, se02: string): string =>
    `ST*940*${st02}~W05*N*ORD1~LX*1~W01*1*EA~SE*${se01}*${se02}~`;
  const envelope = (inner: string, ge = 'GE*1*7~', iea = 'IEA*1*000000042~'): string =>
    `ISA*00*          *00*          *ZZ*A              *ZZ*B              *240102*0304*U*00401*000000042*0*P*>~GS*OW*A*B*20240102*0304*7*X*004010~${inner}${ge}${iea}`;
  const strictErrors = (text: string): string[] =>
    parseX12(text, { strict: true }).errors.filter((e) => e.severity === 'error').map((e) => e.message);

  it('accepts a clean interchange', () => {
    expect(parseX12(envelope(body('0001', '5', '0001')), { strict: true }).errors).toEqual([]);
  });

  it('rejects SE02 ≠ ST02 and a wrong SE01', () => {
    expect(strictErrors(envelope(body('0001', '4', '0002')))).toEqual([
      'SE01 says 4 segments but transaction set 940 0001 has 5',
      'SE02 0002 does not match ST02 0001',
    ]);
  });

  it('rejects wrong GE01/GE02 and IEA01 counts', () => {
    expect(strictErrors(envelope(body('0001', '5', '0001'), 'GE*2*8~', 'IEA*3*000000042~'))).toEqual([
      'GE01 says 2 transaction sets but group 7 has 1',
      'GE02 8 does not match GS06 7',
      'IEA01 says 3 groups but interchange 000000042 has 1',
    ]);
  });

  it('rejects missing SE, GE and IEA trailers but keeps the content', () => {
    const r = parseX12(envelope('ST*940*0001~W05*N*ORD1~LX*1~W01*1*EA~', '', ''), { strict: true });
    expect(r.errors.filter((e) => e.severity === 'error').map((e) => e.message)).toEqual([
      'missing SE trailer for transaction set 940 0001',
      'missing GE trailer for group 7',
      'missing IEA trailer for interchange 000000042',
    ]);
    expect(transactions(r)[0]?.segments).toEqual([['ST', '940', '0001'], ['W05', 'N', 'ORD1'], ['LX', '1'], ['W01', '1', 'EA']]);
  });

  it('closes a transaction set without SE when the next ST arrives', () => {
    const r = parseX12(envelope(`ST*940*0001~W05*N*A~${body('0002', '5', '0002')}`, 'GE*2*7~'), { strict: true });
    expect(transactions(r).map((t) => t.controlNumber)).toEqual(['0001', '0002']);
    expect(r.errors.map((e) => e.message)).toContain('missing SE trailer for transaction set 940 0001');
  });

  it('rejects a transaction set filed under the wrong functional group', () => {
    const text = envelope(body('0001', '5', '0001')).replace('GS*OW', 'GS*PO');
    expect(strictErrors(text)).toEqual(['ST01 940 does not belong in a GS01 PO group']);
  });

  it('rejects segments outside a transaction set in both modes (they are dropped)', () => {
    const text = envelope(`${body('0001', '5', '0001')}N9*XX*STRAY~`);
    expect(parseX12(text).errors).toContainEqual({
      severity: 'error', message: 'segment N9 is outside a transaction set and was ignored', segment: 8,
    });
  });
});
