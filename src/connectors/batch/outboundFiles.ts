/**
 * What the batch connector writes for an outbound envelope: a deterministic file name (connector
 * id, message type, idempotency key) and content (CSV, or an X12 940 whose control numbers come
 * from the key), so a resend overwrites the identical file. Pure.
 */
import { createHash } from 'node:crypto';
import { ConnectorError, type Envelope, type OutboundMessageType } from '../port.js';
import { controlNumbers, render940 } from '../x12/index.js';
import type { BatchConnectorConfig } from './config.js';
import { cancelToCsv, releaseToCsv } from './csvOutbound.js';

export const BATCH_MESSAGE_TYPES: readonly OutboundMessageType[] = ['fulfillment.release', 'fulfillment.cancel'];

export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

const slug = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '').slice(0, 80) || 'key';

/**
 * `<connector>.<type>.<key>.<hash12>.<ext>`: readable, safe on every file system, and unique per
 * key (the hash keeps two keys that slug alike apart).
 */
export function outboundFileName(connectorId: string, type: string, idempotencyKey: string, extension: string): string {
  return `${slug(connectorId)}.${type.replace(/\./g, '-')}.${slug(idempotencyKey)}.${sha256(idempotencyKey).slice(0, 12)}.${extension}`;
}

export interface OutboundFile {
  readonly name: string;
  readonly content: string;
  /** ISA13 / GS06 / ST02 of an X12 file, to match the partner's 997. */
  readonly x12?: { readonly interchange: string; readonly group: string; readonly transaction: string };
}

export function renderOutbound(envelope: Envelope, c: BatchConnectorConfig): OutboundFile {
  const m = envelope.message;
  if (m.type !== 'fulfillment.release' && m.type !== 'fulfillment.cancel') {
    throw new ConnectorError('business', 'unsupported_message', `the batch connector ${c.id} does not handle ${m.type}`);
  }
  if (c.format === 'csv') {
    const content = m.type === 'fulfillment.release' ? releaseToCsv(m, { pii: c.pii }) : cancelToCsv(m);
    return { name: outboundFileName(c.id, m.type, envelope.idempotencyKey, 'csv'), content };
  }
  const { sender, receiver } = c.x12;
  if (!sender || !receiver) throw new ConnectorError('business', 'misconfigured', `connector ${c.id}: x12.sender and x12.receiver are required to write X12`);
  const content = render940(envelope, {
    sender, receiver, pii: c.pii, version: c.x12.version, usage: c.x12.usage,
    ...(c.x12.separators ? { separators: c.x12.separators } : {}),
    ...(c.x12.carriers ? { carriers: c.x12.carriers } : {}),
  });
  const n = controlNumbers(envelope.idempotencyKey);
  return {
    name: outboundFileName(c.id, m.type, envelope.idempotencyKey, 'edi'),
    content,
    x12: { interchange: String(n.interchange).padStart(9, '0'), group: String(n.group), transaction: n.transaction },
  };
}
