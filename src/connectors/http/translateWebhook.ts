import type { Mapper } from '../mapping/index.js';
import type { MappingTables, TableName } from '../mapping/index.js';
import type { WebhookTranslation } from './connectorWebhookRoutes.js';

type Json = Record<string, unknown>;

/**
 * A connector's mapping tables applied to the facts its webhooks carry (DESIGN §5): native SKUs,
 * carrier codes, location ids and reason codes become Orderly's. Only the tables the connector
 * defines are applied; a code one of them does not know fails the whole message with the code
 * named — it is quarantined with its raw body by the webhook route, never guessed.
 */
export function mappingTranslator(tables: MappingTables, mapper: Mapper): (body: unknown) => WebhookTranslation {
  const has = (name: TableName) => tables.tables[name] !== undefined;
  return (body) => {
    if (typeof body !== 'object' || body === null || !Array.isArray((body as Json).facts)) return { ok: true, body };
    const unknown: string[] = [];
    const map = (name: TableName, code: unknown, path: string): unknown => {
      if (!has(name) || typeof code !== 'string') return code;
      const found = mapper.lookup(name, code);
      if (found.ok) return found.value;
      unknown.push(`${path}: ${name} code '${code}' is not in the mapping table`);
      return code;
    };
    const lines = (value: unknown, path: string): unknown =>
      Array.isArray(value) ? value.map((l: unknown, i) => (typeof l === 'object' && l !== null && 'sku' in l ? { ...l, sku: map('skus', (l as Json).sku, `${path}[${i}].sku`) } : l)) : value;
    const facts = ((body as Json).facts as unknown[]).map((f, i) => {
      if (typeof f !== 'object' || f === null) return f;
      const fact = { ...(f as Json) };
      const at = `facts[${i}]`;
      if ('lines' in fact) fact.lines = lines(fact.lines, `${at}.lines`);
      if ('positions' in fact) fact.positions = lines(fact.positions, `${at}.positions`);
      if ('sku' in fact) fact.sku = map('skus', fact.sku, `${at}.sku`);
      if ('nodeId' in fact) fact.nodeId = map('locations', fact.nodeId, `${at}.nodeId`);
      if ('reason' in fact) fact.reason = map('reasons', fact.reason, `${at}.reason`);
      if ('carrier' in fact) {
        const carrier = map('carriers', fact.carrier, `${at}.carrier`);
        if (carrier === null) delete fact.carrier; // a known code that names no carrier
        else fact.carrier = carrier;
      }
      return fact;
    });
    if (unknown.length > 0) {
      const messageId = (body as Json).messageId;
      return { ok: false, code: 'unknown_code', reason: unknown.join('; '), ...(typeof messageId === 'string' ? { messageId } : {}) };
    }
    return { ok: true, body: { ...(body as Json), facts } };
  };
}
