import type pg from 'pg';
import { inTransaction } from './transaction.js';
import type { DecisionRecord, NodeRecord, PositionRow, RulesetRecord, Store } from '../port.js';

type InventoryPart = Pick<
  Store,
  | 'putNode'
  | 'listNodes'
  | 'applySnapshot'
  | 'applyAdjustment'
  | 'listPositions'
  | 'capacityUsed'
  | 'backorderedOrders'
  | 'createRuleset'
  | 'listRulesets'
  | 'setRulesetStatus'
  | 'listDecisions'
>;

/**
 * The inventory, node, ruleset and decision side of the PostgreSQL adapter, on the read pool.
 * The unit-of-work parts (reserve, release, decisions, capacity, backorders) are applied by the
 * commit function (commitFunction.ts); the writes here are the ones outside a unit of work.
 *
 * Inventory rows are also written by `orderly_commit` under its advisory lock, which snapshots and
 * adjustments do not take. They stay safe without it: each is one statement (so its own
 * transaction) that sets `on_hand`/`as_of` on the row it locks — `on_hand = $new` or
 * `on_hand = on_hand + $delta`, evaluated on the latest row version after any wait — and never
 * writes `reserved`, so neither side can lose the other's update. A snapshot locks its rows in
 * sku order ("C"), the order in which the commit function pre-locks the batch's positions, so the
 * two wait for each other but never deadlock.
 */
export function createInventoryQueries(pool: pg.Pool): InventoryPart {
  return {
    async putNode(node: NodeRecord) {
      await pool.query({
        name: 'orderly_put_node',
        text: `INSERT INTO nodes (id, doc, updated_at) VALUES ($1, $2::jsonb, $3)
               ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc, updated_at = EXCLUDED.updated_at`,
        values: [node.id, JSON.stringify(node.doc), node.updatedAt],
      });
    },
    async listNodes() {
      const { rows } = await pool.query<{ id: string; doc: unknown; updated_at: string }>({
        name: 'orderly_list_nodes',
        text: 'SELECT id, doc, updated_at FROM nodes ORDER BY id',
      });
      return rows.map((r) => ({ id: r.id, doc: r.doc, updatedAt: r.updated_at }));
    },
    async applySnapshot(nodeId, asOf, positions) {
      // A SKU listed twice gets one row (the last on-hand wins, as applied in order) and the same
      // verdict for every listing, as in the SQLite adapter.
      const listed = new Map<string, { onHand: number; times: number }>();
      for (const p of positions) listed.set(p.sku, { onHand: p.onHand, times: (listed.get(p.sku)?.times ?? 0) + 1 });
      if (listed.size === 0) return { applied: 0, ignored: 0 };
      const skus: string[] = [];
      const onHands: number[] = [];
      for (const [sku, p] of listed) {
        skus.push(sku);
        onHands.push(p.onHand);
      }
      // The held as_of and the snapshot's are compared as instants. `$2::timestamptz` in the WHERE
      // refuses an unparsable asOf before anything is written (a stored one would break every later
      // comparison for its SKUs). Rows are locked in sku order: see the note above.
      const { rows } = await pool.query<{ sku: string }>({
        name: 'orderly_apply_snapshot',
        text: `INSERT INTO inventory AS i (node_id, sku, on_hand, reserved, as_of)
               SELECT $1::text, s.sku, s.on_hand, 0, $2::text
                 FROM unnest($3::text[], $4::integer[]) AS s(sku, on_hand)
                WHERE $2::text::timestamptz IS NOT NULL
                ORDER BY s.sku COLLATE "C"
               ON CONFLICT (node_id, sku) DO UPDATE SET on_hand = EXCLUDED.on_hand, as_of = EXCLUDED.as_of
                WHERE i.as_of IS NULL OR i.as_of::timestamptz <= EXCLUDED.as_of::timestamptz
               RETURNING i.sku`,
        values: [nodeId, asOf, skus, onHands],
      });
      let applied = 0;
      for (const r of rows) applied += listed.get(r.sku)?.times ?? 0;
      return { applied, ignored: positions.length - applied };
    },
    async applyAdjustment(adj) {
      // One statement: the ledger row is the dedupe (a repeat inserts nothing, so adds nothing),
      // and on-hand moves by delta on the latest row version, creating the position if missing.
      const { rowCount } = await pool.query({
        name: 'orderly_apply_adjustment',
        text: `WITH adj AS (
                 INSERT INTO inventory_adjustments (source_id, node_id, sku, delta, reason, at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (source_id) DO NOTHING
                 RETURNING node_id, sku, delta
               )
               INSERT INTO inventory AS i (node_id, sku, on_hand, reserved, as_of)
               SELECT adj.node_id, adj.sku, adj.delta, 0, NULL FROM adj
               ON CONFLICT (node_id, sku) DO UPDATE SET on_hand = i.on_hand + EXCLUDED.on_hand`,
        values: [adj.sourceId, adj.nodeId, adj.sku, adj.delta, adj.reason, adj.at],
      });
      return rowCount === 1 ? 'applied' : 'duplicate';
    },
    async listPositions(filter) {
      const where: string[] = [];
      const values: unknown[] = [];
      if (filter.nodeId !== undefined) {
        values.push(filter.nodeId);
        where.push(`node_id = $${values.length}`);
      }
      if (filter.skus !== undefined) {
        if (filter.skus.length === 0) return [];
        values.push(filter.skus);
        where.push(`sku = ANY($${values.length}::text[])`);
      }
      // Four shapes, each a named (prepared) statement: routing reads positions for every order.
      const shape = `${filter.nodeId !== undefined ? 'n' : ''}${filter.skus !== undefined ? 's' : ''}`;
      const { rows } = await pool.query<PositionDbRow>({
        name: `orderly_list_positions_${shape || 'all'}`,
        text: `SELECT node_id, sku, on_hand, reserved, as_of FROM inventory
               ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY node_id, sku`,
        values,
      });
      return rows.map((r): PositionRow => ({ nodeId: r.node_id, sku: r.sku, onHand: r.on_hand, reserved: r.reserved, asOf: r.as_of }));
    },
    async capacityUsed(day) {
      const { rows } = await pool.query<{ node_id: string; used: number }>({
        name: 'orderly_capacity_used',
        text: 'SELECT node_id, used FROM node_capacity WHERE day = $1 ORDER BY node_id',
        values: [day],
      });
      return Object.fromEntries(rows.map((r) => [r.node_id, r.used]));
    },
    async backorderedOrders(skus, limit) {
      if (skus.length === 0) return [];
      const { rows } = await pool.query<{ order_id: string }>({
        name: 'orderly_backordered_orders',
        text: 'SELECT DISTINCT order_id FROM order_backorders WHERE sku = ANY($1::text[]) ORDER BY order_id LIMIT $2',
        values: [skus, limit],
      });
      return rows.map((r) => r.order_id);
    },
    async createRuleset(name, doc, createdAt) {
      const { rows } = await pool.query<RulesetRow>({
        name: 'orderly_create_ruleset',
        text: `INSERT INTO rulesets (name, doc, status, created_at) VALUES ($1, $2::jsonb, 'draft', $3)
               RETURNING ${RULESET_COLUMNS}`,
        values: [name, JSON.stringify(doc), createdAt],
      });
      const r = rows[0];
      if (!r) throw new Error('INSERT INTO rulesets returned no row');
      return toRuleset(r);
    },
    async listRulesets() {
      const { rows } = await pool.query<RulesetRow>({
        name: 'orderly_list_rulesets',
        text: `SELECT ${RULESET_COLUMNS} FROM rulesets ORDER BY version`,
      });
      return rows.map(toRuleset);
    },
    async setRulesetStatus(version, status, at) {
      return inTransaction(pool, async (client) => {
        // Serialises status changes (and ruleset creation, briefly; reads are not blocked): each
        // statement below then sees the previous holder as committed by the change before it.
        await client.query('LOCK TABLE rulesets IN SHARE ROW EXCLUSIVE MODE');
        const found = await client.query('SELECT 1 FROM rulesets WHERE version = $1', [version]);
        if (found.rowCount === 0) return undefined;
        if (status !== 'retired') {
          await client.query("UPDATE rulesets SET status = 'retired' WHERE status = $1 AND version <> $2", [status, version]);
        }
        const { rows } = await client.query<RulesetRow>(
          `UPDATE rulesets SET status = $1::text,
                  activated_at = CASE WHEN $1::text = 'active' THEN $2::text ELSE activated_at END
            WHERE version = $3
           RETURNING ${RULESET_COLUMNS}`,
          [status, at, version],
        );
        const r = rows[0];
        return r && toRuleset(r);
      });
    },
    async listDecisions(query) {
      const { rows } = await ('orderId' in query
        ? pool.query<DecisionRow>({
            name: 'orderly_decisions_by_order',
            text: `SELECT ${DECISION_COLUMNS} FROM routing_decisions WHERE order_id = $1 ORDER BY created_at, decision_id, kind`,
            values: [query.orderId],
          })
        : pool.query<DecisionRow>({
            name: 'orderly_decisions_by_ruleset',
            text: `SELECT ${DECISION_COLUMNS} FROM routing_decisions
                    WHERE ruleset_version = $1 AND kind = $2 AND decision_id > $3 ORDER BY decision_id LIMIT $4`,
            values: [query.rulesetVersion, query.kind, query.afterId ?? '', query.limit],
          }));
      return rows.map(
        (r): DecisionRecord => ({
          decisionId: r.decision_id, orderId: r.order_id, kind: r.kind as DecisionRecord['kind'],
          rulesetVersion: r.ruleset_version, createdAt: r.created_at, decision: r.decision,
        }),
      );
    },
  };
}

/** Runs `fn` in BEGIN … COMMIT on one pool client; a connection whose ROLLBACK failed is discarded. */

const RULESET_COLUMNS = 'version, name, doc, status, created_at, activated_at';
const DECISION_COLUMNS = 'decision_id, kind, order_id, ruleset_version, created_at, decision';

interface PositionDbRow { node_id: string; sku: string; on_hand: number; reserved: number; as_of: string | null }
interface RulesetRow { version: number; name: string; doc: unknown; status: string; created_at: string; activated_at: string | null }
interface DecisionRow { decision_id: string; kind: string; order_id: string; ruleset_version: number; created_at: string; decision: unknown }

const toRuleset = (r: RulesetRow): RulesetRecord => ({
  version: r.version, name: r.name, doc: r.doc, status: r.status as RulesetRecord['status'],
  createdAt: r.created_at, activatedAt: r.activated_at,
});
