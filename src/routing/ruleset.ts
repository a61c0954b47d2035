import { z } from 'zod';
import type { FreshnessPolicy } from '../inventory/freshness.js';
import type { SafetyStockRules } from '../inventory/safetyStock.js';
import type { Result } from '../domain/result.js';
import { invalid, ok } from '../domain/result.js';
import { toFieldErrors } from './fieldErrors.js';
import type { NodeType } from './node.js';
import { NODE_TYPES } from './node.js';

export const OBJECTIVE_TYPES = ['fewest_shipments', 'distance', 'cost', 'priority', 'stock_balance'] as const;
export type ObjectiveType = (typeof OBJECTIVE_TYPES)[number];

export const SPLIT_MODES = ['ship_as_available', 'ship_complete'] as const;
export type SplitMode = (typeof SPLIT_MODES)[number];

export interface Objective {
  readonly type: ObjectiveType;
  /** Used by `weighted` scoring (default 1); ignored by `lexicographic`. */
  readonly weight?: number;
}

/**
 * `ship_as_available`: ship what can ship now, backorder the rest; a line may be filled in part.
 * `ship_complete`: a line is filled in full or backordered in full, never in part, and — unless
 * `splitLines` is true — from one node.
 */
export interface SplitPolicy {
  /** May one order be served by more than one node? */
  readonly allowed: boolean;
  readonly maxShipments: number;
  readonly mode: SplitMode;
  /** May one line's quantity come from several nodes? Default: yes under ship_as_available, no under ship_complete. */
  readonly splitLines?: boolean;
}

export interface SafetyStockPolicy extends SafetyStockRules {
  readonly byNodeType?: Readonly<Partial<Record<NodeType, number>>>;
}

/** Lines whose `attribute` equals `equals` may not be served by the nodes named (all nodes when none named). */
export interface ExclusionRule {
  readonly attribute: string;
  readonly equals: string | number | boolean;
  readonly nodeTypes?: readonly NodeType[];
  readonly nodeIds?: readonly string[];
}

export interface PickupPolicy {
  /** May stores near the named one serve a pickup order? */
  readonly allowNearby: boolean;
  readonly radiusKm: number;
  /** Hours a customer has to collect once the store marks the order ready; then it is cancelled and refunded. */
  readonly collectWithinHours: number;
}

/** A routing ruleset document. Its version is assigned by the store, not written in the document. */
export interface Ruleset {
  readonly name: string;
  readonly description?: string;
  readonly routeOn: 'placement' | 'payment_authorized';
  readonly release: { readonly auto: boolean };
  readonly split: SplitPolicy;
  readonly scoring: 'lexicographic' | 'weighted';
  readonly objectives: readonly Objective[];
  readonly inventory: FreshnessPolicy;
  readonly safetyStock: SafetyStockPolicy;
  readonly exclusions: readonly ExclusionRule[];
  readonly pickup: PickupPolicy;
  /** Minutes a node has to acknowledge a released fulfillment before it is an exception. */
  readonly ackSlaMinutes?: number;
  /** On an acknowledgement SLA breach: raise an exception only, or also withdraw the fulfillment and route it elsewhere. */
  readonly ackSlaAction: 'exception' | 'reroute';
  /** Minutes a node has to answer a cancellation request before it is an exception. */
  readonly cancelSlaMinutes: number;
}

export const MAX_SHIPMENTS_LIMIT = 10;
const units = z.number().int('must be a whole number').min(0, 'must be ≥ 0');
const attributeValue = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or boolean' });

const objectiveSchema = z.strictObject({
  type: z.enum(OBJECTIVE_TYPES),
  weight: z.number().finite().min(0, 'must be ≥ 0').optional(),
});

const staleBufferSchema = z
  .strictObject({ units: units.optional(), percent: z.number().min(0, 'must be ≥ 0').max(100, 'must be ≤ 100').optional() })
  .superRefine((b, ctx) => {
    if ((b.units === undefined) === (b.percent === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give either units or percent' });
    }
  });

const inventorySchema = z
  .strictObject({
    freshnessMinutes: z.number().int('must be a whole number').min(1, 'must be ≥ 1').default(1440),
    staleMode: z.enum(['exclude', 'buffer']).default('exclude'),
    staleBuffer: staleBufferSchema.optional(),
  })
  .superRefine((inv, ctx) => {
    if (inv.staleMode === 'buffer' && inv.staleBuffer === undefined) {
      ctx.addIssue({ code: 'custom', path: ['staleBuffer'], message: 'required when staleMode is buffer' });
    }
  });

/** The schema of a ruleset document (JSON, or YAML already parsed), with its defaults. */
export const rulesetSchema = z.strictObject({
  name: z.string().min(1, 'must not be empty').max(128),
  description: z.string().max(2000).optional(),
  routeOn: z.enum(['placement', 'payment_authorized']).default('placement'),
  release: z.strictObject({ auto: z.boolean().default(true) }).prefault({}),
  split: z
    .strictObject({
      allowed: z.boolean().default(true),
      maxShipments: z.number().int('must be a whole number').min(1, 'must be ≥ 1').max(MAX_SHIPMENTS_LIMIT).default(3),
      mode: z.enum(SPLIT_MODES).default('ship_as_available'),
      splitLines: z.boolean().optional(),
    })
    .prefault({}),
  scoring: z.enum(['lexicographic', 'weighted']).default('lexicographic'),
  objectives: z
    .array(objectiveSchema)
    .min(1, 'at least one objective')
    .superRefine((objectives, ctx) => {
      const seen = new Set<string>();
      objectives.forEach((o, i) => {
        if (seen.has(o.type)) ctx.addIssue({ code: 'custom', path: [i, 'type'], message: `duplicate objective ${o.type}` });
        seen.add(o.type);
      });
    })
    .default((): { type: ObjectiveType }[] => [{ type: 'fewest_shipments' }, { type: 'distance' }, { type: 'priority' }]),
  inventory: inventorySchema.prefault({}),
  safetyStock: z
    .strictObject({
      byNodeType: z.partialRecord(z.enum(NODE_TYPES), units).optional(),
      byNode: z.record(z.string().min(1), units).optional(),
      bySku: z.record(z.string().min(1), units).optional(),
    })
    .prefault({}),
  exclusions: z
    .array(
      z.strictObject({
        attribute: z.string().min(1, 'must not be empty'),
        equals: attributeValue.default(true),
        nodeTypes: z.array(z.enum(NODE_TYPES)).optional(),
        nodeIds: z.array(z.string().min(1)).optional(),
      }),
    )
    .default(() => []),
  pickup: z
    .strictObject({
      allowNearby: z.boolean().default(false),
      radiusKm: z.number().finite().positive('must be > 0').max(20_000).default(25),
      collectWithinHours: z.number().positive('must be > 0').max(24 * 90).default(72),
    })
    .prefault({}),
  ackSlaMinutes: z.number().int('must be a whole number').min(1, 'must be ≥ 1').optional(),
  ackSlaAction: z.enum(['exception', 'reroute']).default('exception'),
  cancelSlaMinutes: z.number().int('must be a whole number').min(1, 'must be ≥ 1').default(240),
}) satisfies z.ZodType<Ruleset>;

/** The document as written, before defaults (what `POST /v1/rulesets` accepts). */
export type RulesetDocument = z.input<typeof rulesetSchema>;

/** Validate a ruleset document; errors point at the offending field (`objectives[1].type`). */
export function parseRuleset(doc: unknown): Result<Ruleset> {
  const parsed = rulesetSchema.safeParse(doc);
  if (parsed.success) return ok(parsed.data);
  return invalid('the ruleset is not valid', toFieldErrors(parsed.error.issues, unknownField));
}

const unknownField = (path: string): string =>
  path === 'version' ? 'version numbers are assigned by the store, not the document' : 'unknown field';

/** Whether one line's quantity may be spread over several nodes under this policy. */
export const lineSplitAllowed = (split: SplitPolicy): boolean => split.splitLines ?? split.mode === 'ship_as_available';

/** The ruleset in force when none has been created: the schema's defaults. */
export const DEFAULT_RULESET: Ruleset = deepFreeze(rulesetSchema.parse({ name: 'default', description: 'built-in defaults' }));

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
