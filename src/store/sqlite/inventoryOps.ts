import type Database from 'better-sqlite3';
import { snapshotSupersedes } from '../../inventory/position.js';
import type { DecisionRecord, NodeRecord, PositionRow, RulesetRecord, UnitOfWork, UnitOutcome } from '../port.js';

/** The inventory, node, ruleset and decision side of the SQLite adapter (prepared once, after migration). */
export function prepareInventory(db: Database.Database) {
  const q = {
    reserve: db.prepare(
      `UPDATE inventory SET reserved = reserved + @quantity
        WHERE node_id = @nodeId AND sku = @sku AND on_hand - reserved - @safetyStock >= @quantity`,
    ),
    release: db.prepare('UPDATE inventory SET reserved = max(0, reserved - @quantity) WHERE node_id = @nodeId AND sku = @sku'),
    commit: db.prepare(
      'UPDATE inventory SET reserved = max(0, reserved - @quantity), on_hand = max(0, on_hand - @quantity) WHERE node_id = @nodeId AND sku = @sku',
    ),
    consume: db.prepare('UPDATE inventory SET on_hand = max(0, on_hand - @quantity) WHERE node_id = @nodeId AND sku = @sku'),
    restock: db.prepare(
      `INSERT INTO inventory (node_id, sku, on_hand, reserved, as_of) VALUES (@nodeId, @sku, @quantity, 0, NULL)
       ON CONFLICT (node_id, sku) DO UPDATE SET on_hand = on_hand + excluded.on_hand`,
    ),
    decision: db.prepare(
      `INSERT INTO routing_decisions (decision_id, kind, order_id, ruleset_version, created_at, decision)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    capacity: db.prepare(
      `INSERT INTO node_capacity (node_id, day, used) VALUES (?, ?, ?)
       ON CONFLICT (node_id, day) DO UPDATE SET used = used + excluded.used`,
    ),
    clearBackorders: db.prepare('DELETE FROM order_backorders WHERE order_id = ?'),
    addBackorder: db.prepare('INSERT OR IGNORE INTO order_backorders (order_id, sku) VALUES (?, ?)'),
    putNode: db.prepare(
      `INSERT INTO nodes (id, doc, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`,
    ),
    listNodes: db.prepare('SELECT * FROM nodes ORDER BY id'),
    getPosition: db.prepare('SELECT as_of FROM inventory WHERE node_id = ? AND sku = ?'),
    upsertOnHand: db.prepare(
      `INSERT INTO inventory (node_id, sku, on_hand, reserved, as_of) VALUES (?, ?, ?, 0, ?)
       ON CONFLICT (node_id, sku) DO UPDATE SET on_hand = excluded.on_hand, as_of = excluded.as_of`,
    ),
    insertAdjustment: db.prepare(
      'INSERT OR IGNORE INTO inventory_adjustments (source_id, node_id, sku, delta, reason, at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    adjust: db.prepare(
      `INSERT INTO inventory (node_id, sku, on_hand, reserved, as_of) VALUES (?, ?, ?, 0, NULL)
       ON CONFLICT (node_id, sku) DO UPDATE SET on_hand = on_hand + excluded.on_hand`,
    ),
    capacityUsed: db.prepare('SELECT node_id, used FROM node_capacity WHERE day = ?'),
    createRuleset: db.prepare("INSERT INTO rulesets (name, doc, status, created_at) VALUES (?, ?, 'draft', ?)"),
    getRuleset: db.prepare('SELECT * FROM rulesets WHERE version = ?'),
    listRulesets: db.prepare('SELECT * FROM rulesets ORDER BY version'),
    retireHolder: db.prepare("UPDATE rulesets SET status = 'retired' WHERE status = ? AND version <> ?"),
    setStatus: db.prepare('UPDATE rulesets SET status = ?, activated_at = CASE WHEN ? = \'active\' THEN ? ELSE activated_at END WHERE version = ?'),
    decisionsByOrder: db.prepare('SELECT * FROM routing_decisions WHERE order_id = ? ORDER BY created_at, decision_id, kind'),
    decisionsByRuleset: db.prepare(
      'SELECT * FROM routing_decisions WHERE ruleset_version = ? AND kind = ? AND decision_id > ? ORDER BY decision_id LIMIT ?',
    ),
  };

  // Queries whose text depends on the number of SKUs are prepared once per shape (and mode).
  const shapes = new Map<string, Database.Statement>();
  const shape = (sql: string, raw = false): Database.Statement => {
    const key = raw ? `raw:${sql}` : sql;
    let st = shapes.get(key);
    if (!st) {
      st = raw ? db.prepare(sql).raw() : db.prepare(sql);
      if (shapes.size < 1024) shapes.set(key, st);
    }
    return st;
  };

  /** Applies the inventory parts of a unit inside its savepoint; a short reservation refuses the unit. */
  const applyUnit = (unit: UnitOfWork, json: (v: unknown) => string): UnitOutcome | undefined => {
    for (const r of unit.reserve ?? []) {
      if (q.reserve.run(r).changes !== 1) return { ok: false, reason: 'insufficient_stock', nodeId: r.nodeId, sku: r.sku };
    }
    for (const r of unit.release ?? []) q.release.run(r);
    for (const r of unit.commit ?? []) q.commit.run(r);
    for (const r of unit.restock ?? []) q.restock.run(r);
    for (const r of unit.consume ?? []) q.consume.run(r);
    for (const d of unit.decisions ?? []) q.decision.run(d.decisionId, d.kind, d.orderId, d.rulesetVersion, d.createdAt, json(d.decision));
    for (const c of unit.capacity ?? []) q.capacity.run(c.nodeId, c.day, c.fulfillments);
    if (unit.backorders) {
      q.clearBackorders.run(unit.backorders.orderId);
      for (const sku of unit.backorders.skus) q.addBackorder.run(unit.backorders.orderId, sku);
    }
    return undefined;
  };

  return {
    applyUnit,
    putNode(n: NodeRecord) {
      q.putNode.run(n.id, JSON.stringify(n.doc), n.updatedAt);
    },
    listNodes(): NodeRecord[] {
      return (q.listNodes.all() as { id: string; doc: string; updated_at: string }[]).map((r) => ({ id: r.id, doc: JSON.parse(r.doc), updatedAt: r.updated_at }));
    },
    applySnapshot: db.transaction((nodeId: string, asOf: string, positions: readonly { sku: string; onHand: number }[]) => {
      let applied = 0;
      let ignored = 0;
      for (const p of positions) {
        const held = (q.getPosition.get(nodeId, p.sku) as { as_of: string | null } | undefined)?.as_of;
        if (!snapshotSupersedes(held ?? null, asOf)) {
          ignored++;
          continue;
        }
        q.upsertOnHand.run(nodeId, p.sku, p.onHand, asOf);
        applied++;
      }
      return { applied, ignored };
    }),
    applyAdjustment: db.transaction((a: { nodeId: string; sku: string; delta: number; reason: string; sourceId: string; at: string }) => {
      if (q.insertAdjustment.run(a.sourceId, a.nodeId, a.sku, a.delta, a.reason, a.at).changes === 0) return 'duplicate' as const;
      q.adjust.run(a.nodeId, a.sku, a.delta);
      return 'applied' as const;
    }),
    listPositions(filter: { nodeId?: string; skus?: readonly string[] }): PositionRow[] {
      const where: string[] = [];
      const args: string[] = [];
      if (filter.nodeId !== undefined) {
        where.push('node_id = ?');
        args.push(filter.nodeId);
      }
      if (filter.skus !== undefined) {
        if (filter.skus.length === 0) return [];
        where.push(`sku IN (${filter.skus.map(() => '?').join(',')})`);
        args.push(...filter.skus);
      }
      // Raw rows and no ORDER BY in SQL: routing reads these on every order, and object rows plus
      // a temp B-tree sort cost about three times as much as sorting the few rows here.
      const sql = `SELECT node_id, sku, on_hand, reserved, as_of FROM inventory ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
      const rows = (shape(sql, true).all(...args) as [string, string, number, number, string | null][]).map(
        ([nodeId, sku, onHand, reserved, asOf]): PositionRow => ({ nodeId, sku, onHand, reserved, asOf }),
      );
      return rows.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
    },
    capacityUsed(day: string): Record<string, number> {
      return Object.fromEntries((q.capacityUsed.all(day) as { node_id: string; used: number }[]).map((r) => [r.node_id, r.used]));
    },
    backorderedOrders(skus: readonly string[], limit: number): string[] {
      if (skus.length === 0) return [];
      const sql = `SELECT DISTINCT order_id FROM order_backorders WHERE sku IN (${skus.map(() => '?').join(',')}) ORDER BY order_id LIMIT ?`;
      return (shape(sql).all(...skus, limit) as { order_id: string }[]).map((r) => r.order_id);
    },
    createRuleset(name: string, doc: unknown, createdAt: string): RulesetRecord {
      const r = q.createRuleset.run(name, JSON.stringify(doc), createdAt);
      return toRuleset(q.getRuleset.get(Number(r.lastInsertRowid)) as RulesetRow);
    },
    listRulesets(): RulesetRecord[] {
      return (q.listRulesets.all() as RulesetRow[]).map(toRuleset);
    },
    setRulesetStatus: db.transaction((version: number, status: 'active' | 'shadow' | 'retired', at: string) => {
      if (!q.getRuleset.get(version)) return undefined;
      if (status !== 'retired') q.retireHolder.run(status, version);
      q.setStatus.run(status, status, at, version);
      return toRuleset(q.getRuleset.get(version) as RulesetRow);
    }),
    listDecisions(query: { orderId: string } | { rulesetVersion: number; kind: 'live' | 'shadow'; limit: number; afterId?: string }): DecisionRecord[] {
      const rows = ('orderId' in query
        ? q.decisionsByOrder.all(query.orderId)
        : q.decisionsByRuleset.all(query.rulesetVersion, query.kind, query.afterId ?? '', query.limit)) as DecisionRow[];
      return rows.map((r) => ({
        decisionId: r.decision_id, kind: r.kind as DecisionRecord['kind'], orderId: r.order_id, rulesetVersion: r.ruleset_version,
        createdAt: r.created_at, decision: JSON.parse(r.decision),
      }));
    },
  };
}

interface RulesetRow { version: number; name: string; doc: string; status: string; created_at: string; activated_at: string | null }
interface DecisionRow { decision_id: string; kind: string; order_id: string; ruleset_version: number; created_at: string; decision: string }

const toRuleset = (r: RulesetRow): RulesetRecord => ({
  version: r.version, name: r.name, doc: JSON.parse(r.doc), status: r.status as RulesetRecord['status'], createdAt: r.created_at, activatedAt: r.activated_at,
});
