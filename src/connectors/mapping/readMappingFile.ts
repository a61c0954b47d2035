import { readFileSync } from 'node:fs';
import { parseMappingText, type MappingTables } from './tables.js';

/**
 * Reads and validates a connector's mapping document (YAML or JSON) at start-up. Throws with the
 * file and every offending field named; `connectorId`, when given, must match the document's.
 */
export function readMappingFile(path: string, connectorId?: string): MappingTables {
  const parsed = parseMappingText(readFileSync(path, 'utf8'));
  if (!parsed.ok) {
    const fields = (parsed.error.errors ?? []).map((e) => `${e.path || '(document)'}: ${e.message}`).join('; ');
    throw new Error(`${path}: ${parsed.error.message}: ${fields}`);
  }
  const declared = parsed.value.connector;
  if (connectorId !== undefined && declared !== undefined && declared !== connectorId) {
    throw new Error(`${path}: connector: the document is for '${declared}', not '${connectorId}'`);
  }
  return parsed.value;
}
