import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createMapper, parseMappingTables, parseMappingText, readMappingFile, type MappingTables } from '../../src/connectors/mapping/index.js';

const DOC = `
connector: wms-east
tables:
  status:
    codes: { CC: shipped, CP: partially_shipped, CU: cancelled }
  shipMethods:
    codes: { UPSN: standard, FDEN: overnight }
    default: standard
  carriers:
    codes: { UPSN: ups, NA: null }
  reasons:
    codes: { "01": customer_request }
  skus:
    codes: { "012345678905": SKU-RED, V-1: SKU-BLUE }
    passthrough: true
  units:
    codes:
      EA: { unit: EA, factor: 1 }
      CA: { unit: EA, factor: 12 }
      CF: { unit: EA, factor: 100 }
  countries:
    codes: { USA: US, can: CA }
    ignoreCase: true
  quantityQualifiers:
    codes: { 17: onHand, 33: available, 63: ignore }
  locations:
    codes: { 01: dc-east }
`;

function tables(doc = DOC): MappingTables {
  const r = parseMappingText(doc);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

const errorsOf = (doc: unknown): { path: string; message: string }[] => {
  const r = parseMappingTables(doc);
  return r.ok ? [] : [...(r.error.errors ?? [])];
};

describe('mapping tables', () => {
  const m = createMapper(tables());

  it('maps listed codes, trimmed, and reports unknown ones with their table', () => {
    expect(m.lookup('status', 'CP')).toEqual({ ok: true, value: 'partially_shipped' });
    expect(m.lookup('status', ' CC ')).toEqual({ ok: true, value: 'shipped' });
    expect(m.lookup('status', 'IS')).toEqual({ ok: false, unknown: { table: 'status', code: 'IS' } });
    expect(m.lookup('status', undefined)).toEqual({ ok: false, unknown: { table: 'status', code: '' } });
    expect(m.lookup('units', 'CA')).toEqual({ ok: true, value: { unit: 'EA', factor: 12 } });
    expect(m.lookup('quantityQualifiers', '63')).toEqual({ ok: true, value: 'ignore' });
  });

  it('uses an explicit default, passthrough or null only where the table declares it', () => {
    expect(m.lookup('shipMethods', 'ZZZZ')).toEqual({ ok: true, value: 'standard' });
    expect(m.lookup('shipMethods', undefined)).toEqual({ ok: true, value: 'standard' });
    expect(m.lookup('skus', '012345678905')).toEqual({ ok: true, value: 'SKU-RED' });
    expect(m.lookup('skus', 'SKU-GREEN')).toEqual({ ok: true, value: 'SKU-GREEN' });
    expect(m.lookup('skus', '')).toEqual({ ok: false, unknown: { table: 'skus', code: '' } });
    expect(m.lookup('carriers', 'NA')).toEqual({ ok: true, value: null });
    expect(m.lookup('carriers', 'FDEG')).toEqual({ ok: false, unknown: { table: 'carriers', code: 'FDEG' } });
    // A table the document does not have knows no code at all.
    expect(createMapper(tables('tables: {}')).lookup('skus', 'X')).toEqual({ ok: false, unknown: { table: 'skus', code: 'X' } });
  });

  it('folds case only for a table with ignoreCase', () => {
    expect(m.lookup('countries', 'usa')).toEqual({ ok: true, value: 'US' });
    expect(m.lookup('countries', 'CAN')).toEqual({ ok: true, value: 'CA' });
    expect(m.lookup('status', 'cc')).toEqual({ ok: false, unknown: { table: 'status', code: 'cc' } });
  });

  it('keeps codes with leading zeros as written in YAML', () => {
    expect(m.lookup('reasons', '01')).toEqual({ ok: true, value: 'customer_request' });
    expect(m.lookup('locations', '01')).toEqual({ ok: true, value: 'dc-east' });
    expect(m.lookup('locations', '1')).toEqual({ ok: false, unknown: { table: 'locations', code: '1' } });
  });

  it('converts native units to whole eaches, refusing fractions, negatives and unknown units', () => {
    expect(m.toEaches(2, 'CA')).toEqual({ ok: true, value: 24 });
    expect(m.toEaches(1.5, 'CA')).toEqual({ ok: true, value: 18 });
    expect(m.toEaches(1998.61, 'CF')).toEqual({ ok: true, value: 199861 });
    expect(m.toEaches(0.5, 'EA')).toMatchObject({ ok: false, problem: { kind: 'invalid', message: '0.5 EA is not a whole number of eaches (factor 1)' } });
    expect(m.toEaches(-1, 'EA')).toMatchObject({ ok: false, problem: { kind: 'invalid' } });
    expect(m.toEaches(1, 'PL')).toEqual({
      ok: false, problem: { kind: 'unknown_code', message: "unknown units code 'PL'", unknown: { table: 'units', code: 'PL' } },
    });
  });

  it('names the offending field of an invalid document', () => {
    expect(errorsOf({ tables: { units: { codes: { CA: { unit: 'EA', factor: 0 } } } } })).toEqual([{ path: 'tables.units.codes.CA.factor', message: 'must be > 0' }]);
    expect(errorsOf({ tables: { units: { codes: { CA: { unit: 'CS', factor: 12 } } } } })[0]?.path).toBe('tables.units.codes.CA.unit');
    expect(errorsOf({ tables: { shipMethod: {} } })).toEqual([{ path: 'tables.shipMethod', message: 'unknown field' }]);
    expect(errorsOf({ tables: { shipMethods: { codes: { X: 'fast' } } } })[0]?.path).toBe('tables.shipMethods.codes.X');
    expect(errorsOf({ tables: { countries: { codes: { USA: 'us' } } } })[0]?.path).toBe('tables.countries.codes.USA');
    expect(errorsOf({ tables: { skus: { codes: {}, default: 'A', passthrough: true } } })).toEqual([
      { path: 'tables.skus.default', message: 'a table cannot have both passthrough and a default' },
    ]);
    expect(errorsOf({ tables: { status: { ignoreCase: true, codes: { cc: 'shipped', CC: 'shipped' } } } })).toEqual([
      { path: 'tables.status.codes.CC', message: "same code as 'cc' (ignoreCase)" },
    ]);
    expect(errorsOf({ tables: { status: { passthrough: true } } })).toEqual([{ path: 'tables.status.passthrough', message: 'unknown field' }]);
    const bad = parseMappingText('tables: [unclosed');
    expect(bad.ok).toBe(false);
  });

  it('a listed code maps to its value; an unlisted one is unknown unless passthrough (property)', () => {
    const code = fc.stringMatching(/^[A-Z0-9]{1,6}$/);
    fc.assert(
      fc.property(fc.dictionary(code, fc.stringMatching(/^SKU-[A-Z0-9]{1,6}$/)), code, fc.boolean(), (codes, probe, passthrough) => {
        const mapper = createMapper(tables(JSON.stringify({ tables: { skus: { codes, passthrough } } })));
        const found = mapper.lookup('skus', probe);
        if (Object.hasOwn(codes, probe)) expect(found).toEqual({ ok: true, value: codes[probe] });
        else if (passthrough) expect(found).toEqual({ ok: true, value: probe });
        else expect(found).toEqual({ ok: false, unknown: { table: 'skus', code: probe } });
      }),
    );
  });
});

describe('readMappingFile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'orderly-mapping-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a YAML file and refuses one written for another connector, naming the file and field', () => {
    const file = path.join(dir, 'wms.yaml');
    writeFileSync(file, DOC);
    expect(readMappingFile(file, 'wms-east').tables.units?.codes.CA).toEqual({ unit: 'EA', factor: 12 });
    expect(() => readMappingFile(file, 'wms-west')).toThrow(`${file}: connector: the document is for 'wms-east', not 'wms-west'`);
    writeFileSync(file, 'tables:\n  units:\n    codes:\n      CA: { unit: EA, factor: -1 }\n');
    expect(() => readMappingFile(file)).toThrow('tables.units.codes.CA.factor: must be > 0');
  });
});
