import { z } from 'zod';
import { SHIP_METHODS } from '../domain/order/model.js';
import type { Result } from '../domain/result.js';
import { invalid, ok } from '../domain/result.js';
import { toFieldErrors } from './fieldErrors.js';
import type { RoutingNode } from './node.js';
import { NODE_CAPABILITIES, NODE_STATUSES, NODE_TYPES } from './node.js';

const minorUnits = z.number().finite().min(0, 'must be ≥ 0');

/** The body of `PUT /v1/nodes/{id}` (the id travels in the path). */
export const nodeBodySchema = z.strictObject({
  type: z.enum(NODE_TYPES),
  name: z.string().min(1).max(256).optional(),
  location: z.strictObject({
    lat: z.number().min(-90).max(90),
    lon: z.number().min(-180).max(180),
    region: z.string().min(1).max(64).optional(),
    country: z.string().regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 code').transform((c) => c.toUpperCase()),
  }),
  capabilities: z.array(z.enum(NODE_CAPABILITIES)).default(() => []),
  shipMethods: z.array(z.enum(SHIP_METHODS)).default(() => []),
  dailyCapacity: z.number().int('must be a whole number').min(0, 'must be ≥ 0').optional(),
  status: z.enum(NODE_STATUSES).default('open'),
  connector: z.string().min(1).max(128).optional(),
  priority: z.number().finite().optional(),
  cost: z.strictObject({ perShipment: minorUnits.optional(), perKm: minorUnits.optional(), perUnit: minorUnits.optional() }).optional(),
  channels: z.array(z.string().min(1)).optional(),
});

export type NodeBody = z.input<typeof nodeBodySchema>;

const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Validate a node document for `id`; errors point at the offending field. */
export function parseRoutingNode(id: string, body: unknown): Result<RoutingNode> {
  if (!NODE_ID.test(id)) return invalid('the node is not valid', [{ path: 'id', message: 'letters, digits, . _ : - (1–128)' }]);
  const parsed = nodeBodySchema.safeParse(body);
  if (!parsed.success) return invalid('the node is not valid', toFieldErrors(parsed.error.issues));
  return ok({ id, ...parsed.data });
}
