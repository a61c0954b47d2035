/**
 * Mapping tables: one document per connector that turns the partner's native codes into
 * Orderly's canonical ones (DESIGN §5). Validated here, looked up by `createMapper`.
 */
import { isScalar, parseDocument, visit } from 'yaml';
import { z } from 'zod';
import { SHIP_METHODS } from '../../domain/order/model.js';
import { invalid, ok, type Result } from '../../domain/result.js';
import { toFieldErrors } from '../../routing/fieldErrors.js';

/** Canonical fulfillment / line states a native status code can mean. */
export const FULFILLMENT_STATUSES = [
  'open', 'accepted', 'rejected', 'picked', 'packed', 'ready_for_pickup',
  'shipped', 'partially_shipped', 'backordered', 'cancelled', 'delivered',
] as const;
export type FulfillmentStatus = (typeof FULFILLMENT_STATUSES)[number];

/** What an X12 846 QTY01 qualifier (or a CSV quantity column) stands for. */
export const QUANTITY_KINDS = ['onHand', 'available', 'ignore'] as const;
export type QuantityKind = (typeof QUANTITY_KINDS)[number];

/** Orderly counts every quantity in eaches; a native unit is a number of them. */
export interface UnitConversion {
  readonly unit: 'EA';
  readonly factor: number;
}

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const code = z.string().trim().min(1, 'a code must not be empty').max(64);
const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

const unitConversion = z.strictObject({
  unit: z.literal('EA', { error: 'must be EA: Orderly counts quantities in eaches' }),
  factor: z.number().finite().positive('must be > 0'),
});

/**
 * One table: `codes` (native → canonical), an optional explicit `default` for codes not listed,
 * `passthrough` (string tables only: a code not listed is used as the canonical value itself,
 * for partners that already speak Orderly's ids) and `ignoreCase`.
 */
function table<V extends z.ZodType>(value: V, options: { passthrough: boolean }) {
  const shape = {
    description: z.string().max(512).optional(),
    codes: z.record(code, value).default({}),
    default: value.optional(),
    ignoreCase: z.boolean().default(false),
    ...(options.passthrough ? { passthrough: z.boolean().default(false) } : {}),
  };
  return z.strictObject(shape).superRefine((t, ctx) => {
    const record = t as { codes: Record<string, unknown>; ignoreCase: boolean; default?: unknown; passthrough?: boolean };
    const seen = new Map<string, string>();
    for (const key of Object.keys(record.codes)) {
      const folded = record.ignoreCase ? key.trim().toUpperCase() : key.trim();
      const before = seen.get(folded);
      if (before !== undefined) ctx.addIssue({ code: 'custom', path: ['codes', key], message: `same code as '${before}'${record.ignoreCase ? ' (ignoreCase)' : ' once trimmed'}` });
      seen.set(folded, key);
    }
    if (record.passthrough && record.default !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['default'], message: 'a table cannot have both passthrough and a default' });
    }
  });
}

const statusTable = table(z.enum(FULFILLMENT_STATUSES), { passthrough: false });
const shipMethodTable = table(z.enum(SHIP_METHODS), { passthrough: false });
/** `null` marks a known code that names no carrier (e.g. `NA`, `NONE`). */
const carrierTable = table(text(64).nullable(), { passthrough: true });
const reasonTable = table(z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'lower-case letters, digits, _ . - (at most 64)'), { passthrough: true });
const skuTable = table(text(128), { passthrough: true });
const unitTable = table(unitConversion, { passthrough: false });
const countryTable = table(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US'), { passthrough: true });
const qualifierTable = table(z.enum(QUANTITY_KINDS), { passthrough: false });
const locationTable = table(z.string().regex(NODE_ID, 'an Orderly node id: letters, digits, . _ : - (1–128)'), { passthrough: true });

export const mappingTablesSchema = z.strictObject({
  /** The connector the document belongs to (checked against the connector's id when given). */
  connector: z.string().min(1).max(128).optional(),
  description: z.string().max(2048).optional(),
  tables: z.strictObject({
    status: statusTable.optional(),
    shipMethods: shipMethodTable.optional(),
    carriers: carrierTable.optional(),
    reasons: reasonTable.optional(),
    skus: skuTable.optional(),
    units: unitTable.optional(),
    countries: countryTable.optional(),
    quantityQualifiers: qualifierTable.optional(),
    locations: locationTable.optional(),
  }).default({}),
});

export type MappingTables = z.output<typeof mappingTablesSchema>;
export type MappingTablesInput = z.input<typeof mappingTablesSchema>;
export type TableName = keyof MappingTables['tables'];

export const TABLE_NAMES: readonly TableName[] = [
  'status', 'shipMethods', 'carriers', 'reasons', 'skus', 'units', 'countries', 'quantityQualifiers', 'locations',
];

/** Validates a parsed document; errors point at the offending field (`tables.units.codes.CA.factor`). */
export function parseMappingTables(doc: unknown): Result<MappingTables> {
  const parsed = mappingTablesSchema.safeParse(doc);
  if (!parsed.success) return invalid('the mapping tables are not valid', toFieldErrors(parsed.error.issues));
  return ok(parsed.data);
}

/**
 * Parses YAML or JSON text (JSON is YAML) and validates it. Keys keep their source text, so a
 * code written `01:` stays `01` instead of becoming the number 1.
 */
export function parseMappingText(source: string): Result<MappingTables> {
  const doc = parseDocument(source);
  const [error] = doc.errors;
  if (error) return invalid('the mapping document is not valid YAML or JSON', [{ path: '', message: error.message }]);
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && typeof pair.key.value !== 'string' && pair.key.source !== undefined) pair.key.value = pair.key.source;
    },
  });
  return parseMappingTables(doc.toJS() ?? {});
}
