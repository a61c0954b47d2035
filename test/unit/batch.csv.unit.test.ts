import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headerIndex, readCsv, writeCsv } from '../../src/connectors/batch/index.js';

const fieldsOf = (text: string): string[][] => {
  const r = readCsv(text);
  if (!r.ok) throw new Error(r.message);
  return r.records.map((x) => [...x.fields]);
};

describe('RFC 4180 reader', () => {
  it('reads quoted commas, line breaks and doubled quotes, with CRLF, LF or CR endings and a BOM', () => {
    const text = '\uFEFFa,b,c\r\n"x, y","line1\r\nline2","say ""hi"""\r\n1,,3\n4,5,6\r7,8,9';
    expect(fieldsOf(text)).toEqual([
      ['a', 'b', 'c'], ['x, y', 'line1\r\nline2', 'say "hi"'], ['1', '', '3'], ['4', '5', '6'], ['7', '8', '9'],
    ]);
  });

  it('numbers records (a quoted line break does not start one), keeps their raw text and skips blank lines', () => {
    const r = readCsv('h1,h2\r\n"a\nb",c\r\n\r\nd,e\r\n');
    expect(r).toEqual({
      ok: true,
      records: [
        { row: 1, fields: ['h1', 'h2'], raw: 'h1,h2' },
        { row: 2, fields: ['a\nb', 'c'], raw: '"a\nb",c' },
        { row: 4, fields: ['d', 'e'], raw: 'd,e' },
      ],
    });
  });

  it('fails the whole text on an unclosed quote, and one record on a stray quote', () => {
    expect(readCsv('a,b\r\n"open,c\r\nd,e\r\n')).toEqual({ ok: false, row: 2, message: 'a quoted field is never closed' });
    const r = readCsv('a,b\r\n5" pipe,x\r\n"q"z,y\r\nok,ok\r\n');
    expect(r.ok && r.records.map((x) => x.error)).toEqual([
      undefined, 'a quote inside the unquoted field 1', 'unexpected "z" after a closing quote (field 1)', undefined,
    ]);
  });

  it('matches header names case-insensitively and trimmed, refusing a repeated name', () => {
    const h = headerIndex([' FulfillmentID ', 'sku', 'Quantity']);
    expect(h.ok && [...h.index]).toEqual([['fulfillmentid', 0], ['sku', 1], ['quantity', 2]]);
    expect(headerIndex(['sku', 'SKU'])).toEqual({ ok: false, message: "column 'SKU' appears twice in the header" });
  });
});

describe('RFC 4180 writer', () => {
  it('quotes only what needs it and ends every record with CRLF', () => {
    expect(writeCsv([['a', 'b,c', 'd"e', 'f\ng', ''], ['']])).toBe('a,"b,c","d""e","f\ng",\r\n""\r\n');
  });

  it('write → read gives back the same records, whatever they hold (property)', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', ',', '"', '\r', '\n', '\t', 'é', '\uFEFF', ';'), maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 6 }), { maxLength: 10 }), (rows) => {
        expect(fieldsOf(writeCsv(rows))).toEqual(rows);
      }),
      { numRuns: 500 },
    );
  });

  it('reads the same records with LF endings or a BOM in front (property)', () => {
    const field = fc.string({ unit: fc.constantFrom('a', '1', ' ', ',', '"', '\n', 'x'), maxLength: 6 });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }), (rows) => {
        const lf = rows.map((r) => writeCsv([r]).replace(/\r\n$/, '\n')).join('');
        expect(fieldsOf(`\uFEFF${lf}`)).toEqual(rows);
      }),
      { numRuns: 300 },
    );
  });
});
