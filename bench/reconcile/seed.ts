// Seeds the ledger for the benchmark directly in the store's tables, in large batches: the
// benchmark measures reconciliation, not intake. The schema comes from the store's own migrations.
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Store } from '../../src/store/port.js';
import { AS_OF_MS, NODES, SKUS_PER_NODE, fulfillment, onHandOf, posNode, posSku } from './world.js';

const BATCH = 10_000;
const nodeDoc = (id: string, connector?: string) => ({
  id, type: 'dc', location: { lat: 40, lon: -74, country: 'US' }, status: 'open', capabilities: ['ship'], shipMethods: ['standard'], ...(connector ? { connector } : {}),
});
const ledgerAsOf = new Date(AS_OF_MS - 600 * 60_000).toISOString();

/** Nodes through the port: dc-00… served by wms-main; inv-000… served by themselves (inventory). */
export async function seedNodes(store: Store, positions: number): Promise<void> {
  for (let n = 0; n < NODES; n++) {
    const id = `dc-${String(n).padStart(2, '0')}`;
    await store.putNode({ id, doc: nodeDoc(id, 'wms-main'), updatedAt: ledgerAsOf });
  }
  for (let n = 0; n * SKUS_PER_NODE < positions; n++) await store.putNode({ id: posNode(n * SKUS_PER_NODE), doc: nodeDoc(posNode(n * SKUS_PER_NODE)), updatedAt: ledgerAsOf });
}

export function seedSqlite(path: string, orders: number, positions: number): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const f = db.prepare('INSERT INTO fulfillments (id, order_id, node_id, status, released_at, updated_at, view) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const o = db.prepare(
    `INSERT INTO outbox (id, destination, partition_key, type, payload, idempotency_key, status, attempts, available_at, created_at, first_attempt_at, dispatched_at)
     VALUES (?, 'wms-main', ?, 'fulfillment.release', '{}', ?, ?, ?, ?, ?, ?, ?)`,
  );
  const inv = db.prepare('INSERT INTO inventory (node_id, sku, on_hand, reserved, as_of) VALUES (?, ?, ?, 0, ?)');
  for (let start = 0; start < orders; start += BATCH) {
    db.transaction(() => {
      for (let i = start; i < Math.min(orders, start + BATCH); i++) {
        const s = fulfillment(i);
        f.run(s.id, s.orderId, s.nodeId, s.status, s.releasedAt, s.updatedAt, JSON.stringify(s.view));
        const r = s.release;
        o.run(`msg_${i}`, `${s.orderId}:${s.nodeId}`, `fulfillment.release:${s.id}`, r.dispatchedAt ? 'dispatched' : 'pending', r.firstAttemptAt ? 1 : 0, s.releasedAt, s.releasedAt, r.firstAttemptAt, r.dispatchedAt);
      }
    })();
  }
  db.transaction(() => {
    for (let i = 0; i < positions; i++) inv.run(posNode(i), posSku(i), onHandOf(i), ledgerAsOf);
  })();
  db.close();
}

export async function seedPostgres(url: string, orders: number, positions: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let start = 0; start < orders; start += BATCH) {
      const cols: unknown[][] = Array.from({ length: 12 }, () => []);
      for (let i = start; i < Math.min(orders, start + BATCH); i++) {
        const s = fulfillment(i);
        const r = s.release;
        [s.id, s.orderId, s.nodeId, s.status, s.releasedAt, s.updatedAt, JSON.stringify(s.view), `msg_${i}`, r.dispatchedAt ? 'dispatched' : 'pending', r.firstAttemptAt ? 1 : 0, r.firstAttemptAt, r.dispatchedAt].forEach((v, k) => cols[k]!.push(v));
      }
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO fulfillments (id, order_id, node_id, status, released_at, updated_at, view)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[])`,
        cols.slice(0, 7),
      );
      await client.query(
        `INSERT INTO outbox (id, destination, partition_key, type, payload, idempotency_key, status, attempts, available_at, created_at, first_attempt_at, dispatched_at)
         SELECT m, 'wms-main', o || ':' || n, 'fulfillment.release', '{}'::jsonb, 'fulfillment.release:' || f, s, a, r::timestamptz, r, fa, d
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::integer[], $7::text[], $8::text[], $9::text[]) AS t(f, o, n, m, s, a, fa, d, r)`,
        [cols[0], cols[1], cols[2], cols[7], cols[8], cols[9], cols[10], cols[11], cols[4]],
      );
      await client.query('COMMIT');
    }
    for (let start = 0; start < positions; start += BATCH) {
      const n: string[] = [];
      const k: string[] = [];
      const h: number[] = [];
      for (let i = start; i < Math.min(positions, start + BATCH); i++) {
        n.push(posNode(i));
        k.push(posSku(i));
        h.push(onHandOf(i));
      }
      await client.query('INSERT INTO inventory (node_id, sku, on_hand, reserved, as_of) SELECT n, k, h, 0, $4 FROM unnest($1::text[], $2::text[], $3::integer[]) AS t(n, k, h)', [n, k, h, ledgerAsOf]);
    }
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}
