import { checked, problem, unknownCodeProblem, type Checked, type UnknownCode } from './problems.js';
import type { MappingTables, TableName } from './tables.js';

type Tables = MappingTables['tables'];
/** The canonical value type of each table. */
export type TableValue<K extends TableName> = NonNullable<Tables[K]>['codes'][string];

export type Lookup<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly unknown: UnknownCode };

/** Lookups over one connector's tables. Pure: the tables are data and nothing else is read. */
export interface Mapper {
  /** A native code (trimmed) → its canonical value, the table's default, itself (passthrough), or unknown. */
  lookup<K extends TableName>(table: K, code: string | undefined): Lookup<TableValue<K>>;
  /** As `lookup`, with an unknown code as a problem. */
  check<K extends TableName>(table: K, code: string | undefined): Checked<TableValue<K>>;
  /** `quantity` of native `unit` in eaches, through the units table; a fraction of an each is a problem. */
  toEaches(quantity: number, unit: string | undefined): Checked<number>;
}

/** Rounding noise of binary floating point (1998.61 × 100), not a real fraction. */
const EPSILON = 1e-9;

export function wholeNumber(value: number): number | undefined {
  const rounded = Math.round(value);
  return Number.isFinite(value) && Math.abs(value - rounded) <= EPSILON * Math.max(1, Math.abs(value)) ? rounded : undefined;
}

export function createMapper(tables: MappingTables): Mapper {
  const indexes = new Map<TableName, Map<string, unknown>>();
  const indexOf = (name: TableName): Map<string, unknown> => {
    let index = indexes.get(name);
    if (!index) {
      const t = tables.tables[name];
      index = new Map(Object.entries(t?.codes ?? {}).map(([k, v]) => [t?.ignoreCase ? k.trim().toUpperCase() : k.trim(), v]));
      indexes.set(name, index);
    }
    return index;
  };

  const lookup = <K extends TableName>(name: K, raw: string | undefined): Lookup<TableValue<K>> => {
    const t = tables.tables[name];
    const code = (raw ?? '').trim();
    const key = t?.ignoreCase ? code.toUpperCase() : code;
    const index = indexOf(name);
    if (code !== '' && index.has(key)) return { ok: true, value: index.get(key) as TableValue<K> };
    if (t?.default !== undefined) return { ok: true, value: t.default as TableValue<K> };
    if (code !== '' && t && 'passthrough' in t && t.passthrough) return { ok: true, value: code as TableValue<K> };
    return { ok: false, unknown: { table: name, code } };
  };

  const check = <K extends TableName>(name: K, raw: string | undefined): Checked<TableValue<K>> => {
    const found = lookup(name, raw);
    return found.ok ? checked(found.value) : { ok: false, problem: unknownCodeProblem(found.unknown) };
  };

  return {
    lookup,
    check,
    toEaches(quantity, unit) {
      const conversion = check('units', unit);
      if (!conversion.ok) return conversion;
      const eaches = wholeNumber(quantity * conversion.value.factor);
      const shown = `${quantity} ${unit ?? '(no unit)'}`;
      if (eaches === undefined) return problem('invalid', `${shown} is not a whole number of eaches (factor ${conversion.value.factor})`);
      if (eaches < 0) return problem('invalid', `${shown} is negative`);
      return checked(eaches);
    },
  };
}
