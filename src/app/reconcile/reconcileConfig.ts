import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { MappingTables } from '../../connectors/mapping/index.js';
import { mappingTablesSchema } from '../../connectors/mapping/index.js';
import type { ReconcileKind, ReconcilePolicy } from '../../reconcile/index.js';
import { DEFAULT_FEED_AGE, RECONCILE_KINDS, createFeedAgePolicy, defaultReconcilePolicy } from '../../reconcile/index.js';

const kind = z.enum(RECONCILE_KINDS);
const target = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'a connector or system id: letters, digits, . _ : - (1–128)');

/**
 * ORDERLY_RECONCILIATION_FILE (YAML or JSON): sweeps per target and kind pulled from connectors,
 * a drop directory for snapshot files, SKU velocity classes and feed ages per target. Without the
 * file nothing is scheduled or watched (runs come by API or CLI).
 */
export const reconciliationFileSchema = z.strictObject({
  sweeps: z
    .array(z.strictObject({ target, kind, everyMinutes: z.number().positive().max(7 * 24 * 60) }))
    .max(500)
    .default([]),
  /** Files named `<target>.<kind>.<anything>` dropped here start runs (CSV, JSON lines, X12 846). */
  dropDirectory: z.string().min(1).optional(),
  dropPollMs: z.int().min(100).max(3_600_000).default(5_000),
  /** SKU → velocity class for inventory thresholds (A, B, C or the policy's own). */
  velocityClasses: z.record(z.string().min(1).max(128), z.string().min(1).max(16)).default({}),
  /** Minutes a snapshot may be old before the feed itself is a drift, per target and kind. */
  feedAgeMinutes: z.record(target, z.partialRecord(kind, z.number().positive())).default({}),
});

export type ReconciliationFile = z.output<typeof reconciliationFileSchema>;

export const NO_RECONCILIATION_FILE: ReconciliationFile = { sweeps: [], dropPollMs: 5_000, velocityClasses: {}, feedAgeMinutes: {} };

export function readReconciliationFile(file: string): ReconciliationFile {
  const parsed = reconciliationFileSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const doc = parsed.data;
  return doc.dropDirectory === undefined ? doc : { ...doc, dropDirectory: resolve(file, '..', doc.dropDirectory) };
}

/** The engine's policy with this file's feed ages. */
export function policyFor(file: ReconciliationFile): ReconcilePolicy {
  if (Object.keys(file.feedAgeMinutes).length === 0) return defaultReconcilePolicy;
  return { ...defaultReconcilePolicy, feedAge: createFeedAgePolicy({ ...DEFAULT_FEED_AGE, byTarget: file.feedAgeMinutes as Record<string, Partial<Record<ReconcileKind, number>>> }) };
}

/**
 * The mapping tables of the batch connectors in ORDERLY_CONNECTORS_FILE, by connector id: an 846
 * from that target is read with them (its location codes, units and qualifiers).
 */
export function batchMappings(connectorsFile: string | undefined): (target: string) => MappingTables | undefined {
  if (!connectorsFile) return () => undefined;
  const doc = parseYaml(readFileSync(connectorsFile, 'utf8')) as { connectors?: { type?: string; id?: string; mapping?: unknown }[] } | null;
  const mappings = new Map<string, MappingTables>();
  for (const c of doc?.connectors ?? []) {
    if (c.type !== 'batch' || typeof c.id !== 'string') continue;
    const parsed = mappingTablesSchema.safeParse(c.mapping ?? { tables: {} });
    if (parsed.success) mappings.set(c.id, parsed.data);
  }
  return (t) => mappings.get(t);
}
