import path from 'node:path';
import { z } from 'zod';
import { SHIP_METHODS } from '../../domain/order/model.js';
import { invalid, ok, type Result } from '../../domain/result.js';
import { toFieldErrors } from '../../routing/fieldErrors.js';
import { mappingTablesSchema } from '../mapping/index.js';

const party = z.strictObject({
  /** ISA05/07: `01` DUNS, `08` UCC, `12` phone, `14` DUNS+suffix, `ZZ` mutually defined. */
  qualifier: z.string().regex(/^[A-Z0-9]{2}$/, 'two letters or digits, e.g. ZZ'),
  id: z.string().min(1).max(15, 'at most 15 characters (ISA06/08)'),
});

const separator = z.string().length(1);

const x12Schema = z.strictObject({
  /** Our interchange id (outbound ISA06/GS02) and the partner's (ISA08/GS03); needed to send 940s. */
  sender: party.optional(),
  receiver: party.optional(),
  separators: z.strictObject({
    element: separator,
    /** The terminator, optionally followed by a line break: `~`, `~\n`, `\n`. */
    segment: z.string().min(1).max(3),
    component: separator,
    repetition: separator.optional(),
  }).optional(),
  version: z.string().regex(/^\d{5}$/, 'an ISA12 version such as 00401').default('00401'),
  usage: z.enum(['P', 'T']).default('P'),
  /** Strict: envelope defects fail the whole file (and the 997 rejects it); lenient (default): warnings. */
  strict: z.boolean().default(false),
  /** Write a 997 to the outbox for every functional group received. */
  acknowledge: z.boolean().default(true),
  /** Canonical ship method → 940 W66 (payment method, transport method, routing, SCAC). */
  carriers: z.partialRecord(z.enum(SHIP_METHODS), z.strictObject({
    paymentMethod: z.string().min(1).max(2).optional(),
    transportMethod: z.string().min(1).max(2).optional(),
    routing: z.string().min(1).max(35).optional(),
    scac: z.string().min(2).max(4).optional(),
  })).optional(),
  /** Product-id qualifiers tried in order for a line's native item id. */
  itemIdQualifiers: z.array(z.string().regex(/^[A-Z0-9]{2}$/)).min(1).optional(),
  /** 850: the Orderly channel of the purchase orders, and the customer tier of their drafts. */
  channel: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'lower-case letters, digits, _ . - (at most 64)').optional(),
  customerTier: z.string().min(1).max(32).optional(),
  /** 856: the order-level REF qualifier holding the fulfillment id (default PRF01). */
  asnOrderRef: z.string().regex(/^[A-Z0-9]{2,3}$/).optional(),
  /** 846: header N1 roles naming the report's location, in order (default WH). */
  inventoryLocationRoles: z.array(z.string().regex(/^[A-Z0-9]{2,3}$/)).min(1).optional(),
});

const dir = z.string().min(1).optional();

export const batchConnectorConfigSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'lower-case letters, digits, _ . - (at most 64)'),
  /** What outbound messages are written as. */
  format: z.enum(['csv', 'x12']),
  /** Folders; relative ones resolve against `root`. */
  directories: z.strictObject({
    root: z.string().min(1),
    inbox: dir, outbox: dir, processing: dir, processed: dir, failed: dir, state: dir,
  }),
  pollIntervalMs: z.int().min(100).max(86_400_000).default(5_000),
  /** A file modified more recently than this is left for the next scan: the partner may still be writing it. */
  settleMs: z.int().min(0).max(3_600_000).default(1_000),
  /** A claimed file still in processing/ after this long belonged to a poller that died; it is claimed again. */
  staleClaimMs: z.int().min(1_000).default(900_000),
  /** Default age after which a sent file without acknowledgement is outstanding. */
  ackTimeoutMs: z.int().min(0).default(86_400_000),
  /** Write ship-to and customer contact into outbound files (connector config `pii`, port.ts). */
  pii: z.boolean().default(false),
  /** The partner's UTC offset for times written without one, `+HH:MM` / `-HH:MM`. */
  utcOffset: z.string().regex(/^[+-]\d{2}:\d{2}$/, '+HH:MM or -HH:MM').default('+00:00'),
  mapping: mappingTablesSchema.default({ tables: {} }),
  x12: x12Schema.default({ version: '00401', usage: 'P', strict: false, acknowledge: true }),
}).superRefine((c, ctx) => {
  if (c.format === 'x12' && (!c.x12.sender || !c.x12.receiver)) {
    ctx.addIssue({ code: 'custom', path: ['x12', c.x12.sender ? 'receiver' : 'sender'], message: 'required when format is x12' });
  }
  const dirs = Object.entries(resolveDirectories(c.directories));
  for (const [name, at] of dirs) {
    const same = dirs.find(([other, there]) => other < name && there === at);
    if (same) ctx.addIssue({ code: 'custom', path: ['directories', name], message: `is the same folder as ${same[0]} (${at})` });
  }
  if (c.mapping.connector !== undefined && c.mapping.connector !== c.id) {
    ctx.addIssue({ code: 'custom', path: ['mapping', 'connector'], message: `the mapping tables are for '${c.mapping.connector}', not '${c.id}'` });
  }
});

export type BatchConnectorConfig = z.output<typeof batchConnectorConfigSchema>;
export type BatchConnectorConfigInput = z.input<typeof batchConnectorConfigSchema>;

export function parseBatchConnectorConfig(doc: unknown): Result<BatchConnectorConfig> {
  const parsed = batchConnectorConfigSchema.safeParse(doc);
  if (!parsed.success) return invalid('the batch connector config is not valid', toFieldErrors(parsed.error.issues));
  return ok(parsed.data);
}

export interface BatchDirectories {
  readonly inbox: string;
  readonly outbox: string;
  readonly processing: string;
  readonly processed: string;
  readonly failed: string;
  readonly state: string;
}

export function resolveDirectories(c: BatchConnectorConfig['directories']): BatchDirectories {
  const at = (d: string | undefined, fallback: string): string => path.resolve(c.root, d ?? fallback);
  return {
    inbox: at(c.inbox, 'inbox'),
    outbox: at(c.outbox, 'outbox'),
    processing: at(c.processing, 'processing'),
    processed: at(c.processed, 'processed'),
    failed: at(c.failed, 'failed'),
    state: at(c.state, 'state'),
  };
}
