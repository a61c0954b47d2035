import { describe, expect, it } from 'vitest';
import { parseX12, parseX12Detail, serializeParsed, type Separators } from '../../src/connectors/x12/index.js';
import { readIsa } from '../../src/connectors/x12/separators.js';
import { documents, fixture, fixtureFiles, transactions } from './x12.support.js';

const separatorsOf = (folder: string, name: string): Separators | undefined =>
  parseX12Detail(fixture(folder, name)).interchanges[0]?.separators;

describe('separators are read from the ISA by counting elements', () => {
  it.each([
    ['x12-940', '940.OK.edi', { element: '*', segment: '\n', component: '>' }],
    ['x12-850', 'x12.850a.edi', { element: '*', segment: '~', component: '>' }],
    ['x12-856', 'Example3.txt', { element: '*', segment: '…', component: ':' }],
    ['x12-856', 'Example4.txt', { element: '*', segment: '~', component: '|' }],
    ['x12-846', 'Example1.txt', { element: '~', segment: '}', component: '>' }],
    ['x12-846', 'Example2.txt', { element: '~', segment: '*', component: '>' }],
    ['x12-940', 'x12-types_test_940_3_generalmills-new.edi', { element: '*', segment: '~', component: '\\' }],
    ['x12-945', 'x12-types_test_945_parse_1.edi', { element: '*', segment: '~', component: '>' }],
    ['x12-850', 'x12.850.issue135.edi', { element: '*', segment: '~', component: '>' }],
  ])('%s/%s', (folder, name, expected) => {
    expect(separatorsOf(folder, name)).toEqual(expected);
  });

  const isa = (isa11: string, version: string, tail: string): string =>
    `ISA*00*          *00*          *ZZ*A              *ZZ*B              *240102*0304*${isa11}*${version}*000000001*0*P*${tail}`;

  it('takes ISA11 as the repetition separator from 00402 on, never before', () => {
    const r5010 = readIsa(isa('^', '00501', ':~GS'), 0);
    const r4010 = readIsa(isa('^', '00401', ':~GS'), 0);
    const rU = readIsa(isa('U', '00501', ':~GS'), 0);
    expect(r5010.ok && r5010.header.separators).toEqual({ element: '*', segment: '~', component: ':', repetition: '^' });
    expect(r4010.ok && r4010.header.separators).toEqual({ element: '*', segment: '~', component: ':' });
    expect(rU.ok && rU.header.separators).toEqual({ element: '*', segment: '~', component: ':' });
  });

  it('turns repetition and component separators into canonical ^ and > in segments', () => {
    const text = `${isa('!', '00501', ':~')}GS*HC*A*B*20240102*0304*1*X*005010~ST*850*0001~REF*ZZ*A:B!C:D~SE*3*0001~GE*1*1~IEA*1*000000001~`;
    expect(transactions(parseX12(text, { strict: true }))[0]?.segments[1]).toEqual(['REF', 'ZZ', 'A>B^C>D']);
    // Swapped roles: '!' splits components and '>' repeats; each character is mapped once.
    const swapped = `${isa('>', '00501', '!~')}GS*HC*A*B*20240102*0304*1*X*005010~ST*850*0001~REF*ZZ*A!B>C!D~SE*3*0001~GE*1*1~IEA*1*000000001~`;
    expect(transactions(parseX12(swapped, { strict: true }))[0]?.segments[1]).toEqual(['REF', 'ZZ', 'A>B^C>D']);
  });

  it('detects a missing ISA16 when the ISA runs straight into the GS', () => {
    const r = readIsa(`${isa('U', '00401', '~GS*OW*A*B*20240102*0304*1*X*004010~')}`, 0);
    expect(r.ok && [r.header.missingIsa16, r.header.separators]).toEqual([true, { element: '*', segment: '~', component: '>' }]);
  });

  it('detects a missing ISA16 followed by a line break only (newline terminator)', () => {
    const r = readIsa(`${isa('U', '00401', '\nGS*OW*A*B*20240102*0304*1*X*004010\n')}`, 0);
    expect(r.ok && [r.header.missingIsa16, r.header.separators.segment]).toEqual([true, '\n']);
  });

  it('refuses a truncated ISA or one without an element separator', () => {
    expect(readIsa('ISA*00*          *00*\nGS*', 0)).toEqual({ ok: false, message: 'ISA is truncated: found 4 of 16 elements' });
    expect(readIsa('ISA 00', 0)).toEqual({ ok: false, message: 'ISA is not followed by an element separator' });
    expect(readIsa(isa('U', '00401', ''), 0)).toMatchObject({ ok: false });
  });
});

describe('re-delimited fixtures parse to the same segments', () => {
  const variants: readonly Separators[] = [
    { element: '|', segment: '~\n', component: '^' },
    { element: '*', segment: '\r\n', component: '\\' },
    { element: '\u001d', segment: '\u001c', component: '\u001f' },
    { element: '~', segment: '}\r\n', component: '!' },
  ];

  describe.each(fixtureFiles())('$folder/$name', ({ folder, name }) => {
    const original = parseX12Detail(fixture(folder, name));
    const contents = (d: ReturnType<typeof parseX12Detail>) => d.interchanges.map((i) => i.groups.map((g) => g.transactions));

    it.each(variants)('with element %j', (seps) => {
      let text: string;
      try {
        text = serializeParsed(original, seps);
      } catch (e) {
        // Two samples carry ':' in free text (MSG); that separator set is then refused, never corrupted.
        expect(String(e)).toMatch(/contains the component separator/);
        return;
      }
      const again = parseX12Detail(text);
      expect(contents(again)).toEqual(contents(original));
      // The terminator of '~\n' is '~'; a bare line break reads back as '\n'. Without an ISA the component is assumed.
      const terminator = seps.segment.replace(/\r?\n$/, '') || '\n';
      for (const x of again.interchanges) {
        expect(x.separators).toEqual({ element: seps.element, segment: terminator, component: x.header ? seps.component : '>' });
      }
    });
  });

  it('refuses separators that appear in the data rather than corrupting it', () => {
    const detail = parseX12Detail(fixture('x12-850', 'x12.850a.edi'));
    expect(() => serializeParsed(detail, { element: '*', segment: '~', component: ':' })).toThrow('MSG01 contains the component separator :');
    expect(() => serializeParsed(detail, { element: ' ', segment: '~', component: '>' })).toThrow(/separator " " must be/);
  });
});

describe('BOM, CRLF, indentation and whitespace', () => {
  const base = fixture('x12-940', '940.OK.edi');
  const expected = transactions(parseX12(base));

  it.each([
    ['a BOM', `\uFEFF${base}`],
    ['CRLF line breaks', base.replaceAll('\n', '\r\n')],
    ['CR-only line breaks', base.replaceAll('\n', '\r')],
    ['indentation and blank lines', base.split('\n').map((l, n) => `${' '.repeat(n % 4)}\t${l}\n\n`).join('')],
    ['leading and trailing whitespace', `\n\n  ${base}\n\n\t `],
  ])('newline-terminated 940 with %s', (_label, text) => {
    const r = parseX12(text, { strict: true });
    expect(transactions(r)).toEqual(expected);
    expect(r.errors).toEqual([]);
  });

  it('a ~-terminated file reads the same on one line, with LF, CRLF and a BOM', () => {
    const crlf = fixture('x12-856', 'FromGregarican.txt');
    const flat = crlf.replace('\uFEFF', '').replace(/\r\n\s*/g, '');
    const lf = crlf.replaceAll('\r\n', '\n');
    const expectedAsn = transactions(parseX12(crlf));
    for (const text of [flat, lf]) expect(transactions(parseX12(text, { strict: true }))).toEqual(expectedAsn);
    expect(flat.includes('\n')).toBe(false);
  });

  it('keeps significant spaces inside elements', () => {
    const [asn] = documents(parseX12(fixture('x12-856', 'Example3.txt')), 'ship_notice');
    expect(asn?.items[0]?.itemIds.BP).toBe('000 260 056 524');
    const [inv] = documents(parseX12(fixture('x12-846', 'Example1.txt')), 'inventory_advice');
    expect(inv?.parties[0]?.name).toBe('EMS PLANT E88 ');
  });
});

describe('several interchanges, junk and garbage', () => {
  it('reads interchanges with different separators from one file', () => {
    const text = [fixture('x12-846', 'Example1.txt'), fixture('x12-856', 'Example3.txt'), fixture('x12-940', '940.OK.edi')].join('\r\n');
    const r = parseX12Detail(text);
    expect(r.interchanges.map((i) => [i.controlNumber, i.separators.element, i.separators.segment])).toEqual([
      ['000001979', '~', '}'], ['000000027', '*', '…'], ['000003438', '*', '\n'],
    ]);
    expect(r.interchanges.map((i) => i.groups[0]?.transactions[0]?.type)).toEqual(['846', '856', '940']);
    expect(r.errors.filter((e) => e.severity === 'error')).toEqual([]);
  });

  it('reports trailing junk after the last IEA', () => {
    const r = parseX12(`${fixture('x12-850', '004010_850.edi')}\n-- end of transmission --\n`, { strict: true });
    expect(transactions(r)).toHaveLength(1);
    const junk = (errors: typeof r.errors) => errors.filter((e) => e.message.startsWith('ignored'));
    expect(junk(r.errors)).toEqual([{ severity: 'error', message: 'ignored 25 characters of non-X12 data after an interchange: "-- end of transmission -…"' }]);
    expect(junk(parseX12(`${fixture('x12-850', '004010_850.edi')}\u0000\u0000`).errors)).toEqual([
      { severity: 'warning', message: 'ignored 2 characters of non-X12 data after an interchange: "\\u0000\\u0000"' },
    ]);
  });

  it('skips junk before the ISA', () => {
    const r = parseX12(`From: mailer\r\nSubject: PO\r\n\r\n${fixture('x12-850', '004010_850.edi')}`);
    expect(transactions(r)).toHaveLength(1);
    expect(r.errors.map((e) => e.message)).toContain('ignored 25 characters of non-X12 data before any interchange: "From: mailer\\r\\nSubject: P…"');
  });

  it.each([
    ['empty input', ''],
    ['whitespace', ' \r\n\t '],
    ['prose', 'hello world, this is not EDI'],
    ['EDIFACT', "UNA:+.? 'UNB+UNOC:3+SENDER+RECEIVER+240102:0304+1'"],
    ['JSON', '{"interchanges": []}'],
    ['binary', '\u0000\u0001\u0002\uFFFD\uFFFD'],
    ['a bare ISA tag', 'ISA'],
    ['a truncated ISA', 'ISA*00*          *00*'],
    ['an ISA with nothing after ISA15', 'ISA*00*          *00*          *ZZ*A              *ZZ*B              *240102*0304*U*00401*000000001*0*P*'],
  ])('%s gives errors, not exceptions', (_label, text) => {
    const r = parseX12(text, { strict: true });
    expect(r.interchanges.flatMap((i) => i.groups)).toEqual([]);
    expect(r.errors.filter((e) => e.severity === 'error').length).toBeGreaterThan(0);
  });

  it('keeps what a half-written fragment holds, with errors', () => {
    const r = parseX12('ST*940*0001~W05*N*A', { strict: true });
    expect(transactions(r)[0]?.segments).toEqual([['ST', '940', '0001'], ['W05', 'N', 'A']]);
    expect(r.errors.filter((e) => e.severity === 'error').map((e) => e.message)).toEqual([
      'transaction set 940 0001 has no ISA/GS envelope',
      'missing SE trailer for transaction set 940 0001',
    ]);
  });
});

describe('terminators at the end of the data', () => {
  const text = fixture('x12-850', '004010_850.edi');

  it('only notes a last segment that lost its terminator, even before a final line break', () => {
    for (const variant of [text.replace(/~$/, ''), text.replace(/~$/, '\r\n')]) {
      const r = parseX12(variant, { strict: true });
      expect(r.errors.filter((e) => e.message.startsWith('segment IEA'))).toEqual([
        { severity: 'warning', segment: 39, message: 'segment IEA has no terminator at the end of the data' },
      ]);
      expect(r.errors.filter((e) => e.severity === 'error')).toEqual([]);
    }
  });
});
