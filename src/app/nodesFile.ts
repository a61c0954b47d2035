import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { RoutingNode } from '../routing/index.js';
import { parseRoutingNode } from '../routing/index.js';

/**
 * Reads a node configuration file (YAML or JSON): `{ nodes: [ { id, type, location, … } ] }` or a
 * bare list. Every node is validated like `PUT /v1/nodes/{id}`; any error stops the start with the
 * node and field named.
 */
export function readNodesFile(path: string): RoutingNode[] {
  const doc = parseYaml(readFileSync(path, 'utf8')) as unknown;
  const list = Array.isArray(doc) ? doc : (doc as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(list)) throw new Error(`${path}: expected a list of nodes, or { nodes: [...] }`);
  return list.map((entry, i) => {
    const { id, ...body } = (entry ?? {}) as { id?: unknown };
    if (typeof id !== 'string') throw new Error(`${path}: nodes[${i}].id is required`);
    const parsed = parseRoutingNode(id, body);
    if (!parsed.ok) throw new Error(`${path}: node ${id}: ${(parsed.error.errors ?? []).map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    return parsed.value;
  });
}
