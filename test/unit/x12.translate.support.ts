// Helpers for the X12 translation tests: a mapper from inline tables, and one fixture translated.
import { expect } from 'vitest';
import { createMapper, parseMappingTables, type MappingTablesInput, type Mapper } from '../../src/connectors/mapping/index.js';
import { parseX12, translateX12, type TransactionTranslation, type X12InboundOptions } from '../../src/connectors/x12/index.js';
import { fixture } from './x12.support.js';

export function mapperOf(tables: MappingTablesInput['tables']): Mapper {
  const r = parseMappingTables({ tables });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return createMapper(r.value);
}

export const translate = (folder: string, name: string, o: X12InboundOptions): TransactionTranslation[] =>
  translateX12(parseX12(fixture(folder, name)), o);

/** The one transaction of a file (the test fails when there are more or none). */
export function only(ts: TransactionTranslation[]): TransactionTranslation {
  expect(ts).toHaveLength(1);
  return ts[0] as TransactionTranslation;
}
