import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TestServer } from '../support/server.js';
import { e2eStores, startTestServer } from '../support/server.js';

/**
 * Issue 6 as a black box: ledger states built through the API (placement, the node's facts) at a
 * node reached by an HTTP connector (a fake WMS here) and at API-driven nodes; snapshots uploaded
 * with one drift of each class, each found, classified, raised as an exception that can be read
 * and acted on; clean snapshots — one taken while a release is still in the outbox — raising
 * none; a later run resolving what it no longer finds, with a record.
 */
const SEATTLE = { name: 'Ada', line1: '1 Main', city: 'Seattle', region: 'WA', country: 'US', lat: 47.61, lon: -122.33 };
const PRICE = 2500;
const MIN = 60_000;

interface Received { type: string; idempotencyKey: string; message: { fulfillmentId: string; lines: { sku: string; quantity: number }[] } }

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const store of e2eStores()) {
  describe(`reconciliation runs and drift exceptions over HTTP (${store})`, () => {
    let srv: TestServer;
    let wms: Server;
    let dir: string;
    let offsetMs = 0;
    const received: Received[] = [];
    const clock = { now: () => new Date(Date.now() + offsetMs).toISOString() };
    const at = (deltaMs: number) => new Date(Date.now() + offsetMs + deltaMs).toISOString();
    const fact = (path: string, body: Record<string, unknown>) => srv.api(path, { body: { sourceMessageId: randomUUID(), ...body } });
    const ful: Record<string, { id: string; orderId: string }> = {};

    const place = async (sku: string, quantity: number) => {
      const r = await srv.api('/v1/orders', {
        body: {
          externalId: `R-${randomUUID()}`, channel: 'web', currency: 'USD', shipTo: SEATTLE, fulfillment: { type: 'ship', shipMethod: 'standard' },
          lines: [{ lineId: '1', sku, quantity, unitPrice: PRICE }], payment: { authorizationId: `auth-${randomUUID()}`, amount: quantity * PRICE },
        },
      });
      expect(r.status).toBe(201);
      return { id: r.body.fulfillments[0].id as string, orderId: r.body.id as string };
    };
    /** Uploads a snapshot and waits for its run to end. */
    const reconcile = async (body: Record<string, unknown>) => {
      const posted = await srv.api('/v1/reconciliations', { body });
      expect(posted.status, JSON.stringify(posted.body)).toBe(202);
      expect(posted.body.id).toMatch(/^rec_/);
      return until('the run to end', async () => {
        const r = await srv.api(`/v1/reconciliations/${posted.body.id}?limit=500`);
        return r.body.status === 'completed' || r.body.status === 'failed' ? r.body : undefined;
      });
    };
    const classes = (run: { drifts: { class: string }[] }) => run.drifts.map((d) => d.class).sort();

    beforeAll(async () => {
      received.length = 0;
      wms = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          const m = JSON.parse(body) as Received;
          received.push(m);
          // SKU-HOLD releases stay in the outbox: the WMS answers 503 and the dispatcher retries.
          res.writeHead(body.includes('SKU-HOLD') ? 503 : 200, { 'content-type': 'application/json' }).end('{}');
        });
      });
      await new Promise<void>((r) => wms.listen(0, '127.0.0.1', r));
      const port = (wms.address() as { port: number }).port;
      dir = mkdtempSync(join(tmpdir(), 'orderly-recon-'));
      const connectors = join(dir, 'connectors.json');
      writeFileSync(connectors, JSON.stringify({
        connectors: [{
          type: 'http', id: 'wms-main', baseUrl: `http://127.0.0.1:${port}`,
          templates: { 'fulfillment.release': { path: '/v1/messages' }, 'fulfillment.cancel': { path: '/v1/messages' } },
          capabilities: { deduplicates: true, canCancel: true, partialCancel: true },
        }],
      }));
      srv = await startTestServer(store, { ORDERLY_CONNECTORS_FILE: connectors }, { clock });
      const node = (connector?: string) => ({ type: 'dc', location: { lat: 47.6, lon: -122.3, country: 'US' }, capabilities: ['ship', 'cancel', 'partial_cancel'], shipMethods: ['standard'], status: 'open', ...(connector ? { connector } : {}) });
      for (const [id, connector] of [['dc-wms', 'wms-main'], ['dc-api', undefined], ['dc-stale', undefined]] as const) {
        expect((await srv.api(`/v1/nodes/${id}`, { method: 'PUT', body: node(connector) })).status).toBe(200);
      }
      const hourAgo = at(-60 * MIN);
      await srv.api('/v1/inventory/snapshots', { body: { nodeId: 'dc-wms', asOf: hourAgo, positions: ['SKU-W', 'SKU-HOLD'].map((sku) => ({ sku, onHand: 100 })) } });
      await srv.api('/v1/inventory/snapshots', { body: { nodeId: 'dc-api', asOf: hourAgo, positions: [{ sku: 'SKU-A', onHand: 20 }, { sku: 'SKU-B', onHand: 30 }] } });

      // Ledger states at dc-wms (target wms-main), each release delivered by the fake WMS.
      ful.acked = await place('SKU-W', 2);
      ful.shipped = await place('SKU-W', 1);
      ful.partial = await place('SKU-W', 3);
      ful.cancelled = await place('SKU-W', 1);
      for (const f of Object.values(ful)) await until(`the release of ${f.id}`, async () => received.some((m) => m.message.fulfillmentId === f.id && m.type === 'fulfillment.release'));
      expect((await fact(`/v1/fulfillments/${ful.acked!.id}/acknowledgement`, { accepted: true })).status).toBe(200);
      const shippedAt = at(-20 * MIN);
      expect((await fact(`/v1/fulfillments/${ful.shipped!.id}/shipments`, { shipmentId: 'S1', lines: [{ lineId: '1', quantity: 1 }], shippedAt })).status).toBe(200);
      expect((await fact(`/v1/fulfillments/${ful.partial!.id}/shipments`, { shipmentId: 'S1', lines: [{ lineId: '1', quantity: 1 }], shippedAt })).status).toBe(200);
      expect((await srv.api(`/v1/orders/${ful.cancelled!.orderId}/cancel`, { body: { reason: 'customer_request' } })).status).toBe(200);
      expect((await fact(`/v1/fulfillments/${ful.cancelled!.id}/cancellation-result`, { outcome: 'cancelled' })).body.order.status).toBe('cancelled');
      // A release the WMS has not taken yet: still in the outbox while the snapshots are taken.
      ful.held = await place('SKU-HOLD', 1);
      await until('a refused send of the held release', async () => received.some((m) => m.message.fulfillmentId === ful.held!.id));
      // The snapshots below are taken a quarter of an hour later: every delivered release is applied at the WMS by then.
      offsetMs = 15 * MIN;
    }, 60_000);
    afterAll(async () => {
      await srv?.close();
      await new Promise((r) => wms?.close(r));
      rmSync(dir, { recursive: true, force: true });
    });

    const cleanOrderRows = () => [
      { fulfillmentId: ful.acked!.id, status: 'open', lines: [{ lineId: '1', quantity: 2, shipped: 0 }] },
      { fulfillmentId: ful.shipped!.id, status: 'shipped', lines: [{ lineId: '1', quantity: 1, shipped: 1 }] },
      { fulfillmentId: ful.partial!.id, status: 'open', lines: [{ lineId: '1', quantity: 3, shipped: 1 }] },
      { fulfillmentId: ful.cancelled!.id, status: 'cancelled', lines: [{ lineId: '1', quantity: 0, shipped: 0 }] },
    ];
    let runWithDrifts: { id: string; drifts: { class: string; exceptionId: string; fulfillmentId?: string }[] };

    it('a clean snapshot taken while a release is still in the outbox raises nothing', async () => {
      const before = (await srv.api('/v1/exceptions?status=open&limit=500')).body.items.length as number;
      const run = await reconcile({ target: 'wms-main', kind: 'orders', asOf: at(-5_000), rows: cleanOrderRows() });
      expect(run).toMatchObject({ status: 'completed', totals: { driftCount: 0, targetRows: 4, exceptionsRaised: 0 } });
      expect(run.drifts).toEqual([]);
      expect(run.progress).toMatchObject({ phase: 'done', percent: 100, ledgerRows: 5, targetRows: 4 });
      expect((await srv.api('/v1/exceptions?status=open&limit=500')).body.items).toHaveLength(before);
    });

    it('finds one drift of each orders class, each with an exception to read', async () => {
      const [acked, shipped, partial, cancelled] = cleanOrderRows();
      const rows = [
        // acked: absent (missing_in_target)
        { ...shipped, status: 'open', lines: [{ lineId: '1', quantity: 1, shipped: 0 }] },
        { ...partial, lines: [{ lineId: '1', quantity: 3, shipped: 0 }] },
        cancelled, cancelled,
        { fulfillmentId: 'ful_ghost-1', status: 'open', lines: [{ lineId: '1', quantity: 1, shipped: 0 }] },
      ];
      expect(acked).toBeDefined();
      const run = await reconcile({ target: 'wms-main', kind: 'orders', asOf: at(-5_000), rows });
      runWithDrifts = run;
      expect(run.status).toBe('completed');
      expect(classes(run)).toEqual(['duplicate_in_target', 'missing_in_ledger', 'missing_in_target', 'quantity_mismatch', 'status_mismatch']);
      const by = (cls: string) => run.drifts.find((d: { class: string }) => d.class === cls);
      expect(by('missing_in_target')).toMatchObject({ fulfillmentId: ful.acked!.id, orderId: ful.acked!.orderId, target: null, ledger: { presence: 'required' } });
      expect(by('status_mismatch')).toMatchObject({ fulfillmentId: ful.shipped!.id, target: { status: 'open' }, ledger: { statuses: ['shipped'] }, direction: 'target_behind' });
      expect(by('quantity_mismatch')).toMatchObject({ fulfillmentId: ful.partial!.id, ledger: { lines: [{ shipped: { min: 1, max: 1 } }] } });
      expect(by('duplicate_in_target')).toMatchObject({ fulfillmentId: ful.cancelled!.id });
      expect(by('missing_in_ledger')).toMatchObject({ fulfillmentId: 'ful_ghost-1', ledger: null });
      expect(run.totals).toMatchObject({ driftCount: 5, exceptionsRaised: 5, drifts: { missing_in_target: 1, status_mismatch: 1 } });
      for (const d of run.drifts) {
        const e = await srv.api(`/v1/exceptions/${d.exceptionId}`);
        expect(e.status).toBe(200);
        expect(e.body).toMatchObject({ type: d.class, source: 'reconciliation', status: 'open', target: 'wms-main', context: { kind: 'orders', run: { id: run.id } } });
        expect(e.body.context).toHaveProperty('ledger');
        expect(e.body.context).toHaveProperty('target');
        expect(e.body.suggestedActions.length).toBeGreaterThan(0);
        expect(e.body.slaDueAt > e.body.createdAt).toBe(true);
      }
      const missing = (await srv.api(`/v1/exceptions/${by('missing_in_target').exceptionId}`)).body;
      expect(missing).toMatchObject({ orderId: ful.acked!.orderId, fulfillmentId: ful.acked!.id, owner: 'fulfillment-ops', suggestedActions: ['resend', 'escalate'] });
      expect(missing.context.ledgerRecord.history.map((h: { type: string }) => h.type)).toEqual(['released', 'acknowledged']);
      expect(missing.context.recentEvents.map((e: { type: string }) => e.type)).toContain('FulfillmentReleased');
      // The same drift found again is the same exception: deduplicated while it is open.
      const again = await reconcile({ target: 'wms-main', kind: 'orders', asOf: at(-4_000), rows });
      expect(again.drifts.map((d: { exceptionId: string }) => d.exceptionId).sort()).toEqual(run.drifts.map((d: { exceptionId: string }) => d.exceptionId).sort());
      expect(again.totals.exceptionsRaised).toBe(0);
    });

    it('acts on drift exceptions: resend, escalate, resolve with a note; refuses what does not apply, saying why', async () => {
      const by = (cls: string) => runWithDrifts.drifts.find((d) => d.class === cls)!.exceptionId;
      const resend = await srv.api(`/v1/exceptions/${by('missing_in_target')}/actions`, { body: { action: 'resend', note: 'WMS lost it in the import' } });
      expect(resend.status, JSON.stringify(resend.body)).toBe(200);
      expect(resend.body.status).toBe('acknowledged');
      expect(resend.body.audit.at(-1)).toMatchObject({ action: 'resend', note: 'WMS lost it in the import' });
      expect(resend.body.audit.at(-1).result).toMatch(/^re-sent the release/);
      await until('the resent release at the WMS', async () => received.some((m) => m.idempotencyKey === `fulfillment.release:${ful.acked!.id}:resend:${by('missing_in_target')}:1`));

      const escalated = await srv.api(`/v1/exceptions/${by('duplicate_in_target')}/actions`, { body: { action: 'escalate', note: 'twice in the pick list' } });
      expect(escalated.body).toMatchObject({ status: 'escalated', severity: 'critical' });
      const refused = await srv.api(`/v1/exceptions/${by('missing_in_ledger')}/actions`, { body: { action: 'accept_external', note: 'take it' } });
      expect(refused.status).toBe(409);
      expect(refused.body.detail).toMatch(/cannot adopt a fulfillment it never created/);
      const resync = await srv.api(`/v1/exceptions/${by('status_mismatch')}/actions`, { body: { action: 'resync' } });
      expect(resync.status).toBe(409);
      expect(resync.body.detail).toMatch(/wms-main cannot be asked for its state/);
      const cancel = await srv.api(`/v1/exceptions/${by('duplicate_in_target')}/actions`, { body: { action: 'cancel' } });
      expect(cancel.status).toBe(409);
      expect((await srv.api(`/v1/orders/${ful.cancelled!.orderId}`)).body.status).toBe('cancelled');
      const resolved = await srv.api(`/v1/exceptions/${by('missing_in_ledger')}/actions`, { body: { action: 'resolve', note: 'a test order keyed in at the WMS; deleted there' } });
      expect(resolved.body).toMatchObject({ status: 'resolved' });
      expect(resolved.body.audit.map((a: { action: string }) => a.action)).toEqual(['raised', 'accept_external', 'resolve']);
    });

    it('a later run that no longer finds a drift resolves its exception, with a record', async () => {
      const id = runWithDrifts.drifts.find((d) => d.class === 'missing_in_target')!.exceptionId;
      const run = await reconcile({ target: 'wms-main', kind: 'orders', asOf: at(-3_000), rows: cleanOrderRows() });
      expect(run).toMatchObject({ status: 'completed', totals: { driftCount: 0 } });
      expect(run.totals.exceptionsResolved).toBe(4); // missing, status, quantity, duplicate (missing_in_ledger was resolved by hand)
      const e = (await srv.api(`/v1/exceptions/${id}`)).body;
      expect(e.status).toBe('resolved');
      expect(e.audit.at(-1)).toMatchObject({ action: 'auto_resolved', actor: { kind: 'system' } });
      expect(e.audit.at(-1).result).toContain(run.id);
    });

    it('finds inventory drift; accept_external adopts the count; a clean 846 afterwards raises nothing', async () => {
      const run = await reconcile({ target: 'dc-api', kind: 'inventory', asOf: at(-2_000), rows: [{ nodeId: 'dc-api', sku: 'SKU-A', onHand: 20 }, { nodeId: 'dc-api', sku: 'SKU-B', onHand: 22 }] });
      expect(classes(run)).toEqual(["inventory_drift"]);
      expect(run.drifts[0]).toMatchObject({ nodeId: 'dc-api', sku: 'SKU-B', target: { onHand: 22 }, ledger: { onHand: { min: 30, max: 30 }, velocityClass: 'C' } });
      const e = (await srv.api(`/v1/exceptions/${run.drifts[0].exceptionId}`)).body;
      expect(e).toMatchObject({ type: 'inventory_drift', owner: 'inventory-control', suggestedActions: ['accept_external', 'resync', 'escalate'] });
      const acted = await srv.api(`/v1/exceptions/${e.id}/actions`, { body: { action: 'accept_external', note: 'cycle count confirmed 22' } });
      expect(acted.status, JSON.stringify(acted.body)).toBe(200);
      expect(acted.body.status).toBe('resolved');
      expect(acted.body.audit.at(-1).result).toMatch(/on-hand -8/);
      const inv = (await srv.api('/v1/inventory?nodeId=dc-api&sku=SKU-B')).body.items[0];
      expect(inv.onHand).toBe(22);

      const now = new Date(Date.now() + offsetMs);
      const d = now.toISOString().slice(0, 10).replaceAll('-', '');
      const t = now.toISOString().slice(11, 16).replace(':', '');
      const x12 = [
        'ISA*00*          *00*          *ZZ*DCAPI          *ZZ*ORDERLY        *240102*0304*U*00401*000000001*0*P*>~',
        `GS*IB*DCAPI*ORDERLY*${d}*${t}*1*X*004010~`, 'ST*846*0001~', `BIA*00*SI*R1*${d}*${t}~`, 'N1*WH*API*92*dc-api~',
        'LIN**SK*SKU-A~', 'QTY*17*20*EA~', 'LIN**SK*SKU-B~', 'QTY*17*22*EA~', 'SE*8*0001~', 'GE*1*1~', 'IEA*1*000000001~',
      ].join('\n');
      const posted = await srv.api('/v1/reconciliations?target=dc-api&kind=inventory', { rawBody: x12, headers: { 'content-type': 'application/edi-x12' } });
      expect(posted.status, JSON.stringify(posted.body)).toBe(202);
      const clean = await until('the 846 run', async () => {
        const r = await srv.api(`/v1/reconciliations/${posted.body.id}`);
        return r.body.status === 'completed' ? r.body : undefined;
      });
      expect(clean).toMatchObject({ kind: 'inventory', source: 'api:x12', nodeIds: ['dc-api'], totals: { targetRows: 2, driftCount: 0 } });
    });

    it('finds a stale feed', async () => {
      const run = await reconcile({ target: 'dc-stale', kind: 'orders', asOf: at(-2 * 60 * MIN), rows: [] });
      expect(classes(run)).toEqual(['stale_feed']);
      const e = (await srv.api(`/v1/exceptions/${run.drifts[0].exceptionId}`)).body;
      expect(e).toMatchObject({ type: 'stale_feed', owner: 'integrations', target: 'dc-stale' });
    });

    it('refuses bad snapshots naming the row and field, keeping nothing', async () => {
      const runs = (await srv.api('/v1/reconciliations?limit=500')).body.items.length as number;
      const bad = await srv.api('/v1/reconciliations', {
        body: { target: 'wms-main', kind: 'orders', asOf: at(0), rows: [...cleanOrderRows().slice(0, 3), { fulfillmentId: 'ful_x-1', status: 'open', lines: [{ lineId: '1', quantity: 1, shipped: -1 }] }, { status: 'gone' }] },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('validation_failed');
      expect(bad.body.errors).toEqual([
        { path: 'rows[3].lines[0].shipped', message: 'a whole number from 0 to 1000000000' },
        { path: 'rows[4].fulfillmentId', message: 'required' },
        { path: 'rows[4].status', message: 'one of open, shipped, cancelled' },
        { path: 'rows[4].lines', message: 'an array of at most 500 lines' },
      ]);
      const header = await srv.api('/v1/reconciliations', { body: { target: 'wms main', kind: 'stock', asOf: 'yesterday', rows: [] } });
      expect(header.body.errors.map((e: { path: string }) => e.path)).toEqual(['target', 'kind', 'asOf']);
      const csv = await srv.api(`/v1/reconciliations?target=dc-api&kind=inventory&asOf=${encodeURIComponent(at(0))}`, { rawBody: 'nodeId,sku,onHand\ndc-api,SKU-A,20\ndc-api,SKU-B,lots\n', headers: { 'content-type': 'text/csv' } });
      expect(csv.status).toBe(400);
      expect(csv.body.errors).toEqual([{ path: 'line 3.onHand', message: 'a whole number from 0 to 1000000000' }]);
      const unserved = await srv.api('/v1/reconciliations', { body: { target: 'nobody', kind: 'orders', asOf: at(0), rows: [] } });
      expect(unserved.body.errors[0]).toMatchObject({ path: 'target' });
      expect((await srv.api('/v1/reconciliations?limit=500')).body.items).toHaveLength(runs);
    });

    it('finds an amount mismatch to the cent; a clean payments snapshot raises none', async () => {
      // The gateway's report is from an hour ago, past the grace for facts on their way to the ledger.
      offsetMs += 2 * 60 * MIN;
      const orders = Object.values(ful).map((f) => f.orderId);
      const quantities: Record<string, number> = { [ful.acked!.orderId]: 2, [ful.shipped!.orderId]: 1, [ful.partial!.orderId]: 3, [ful.cancelled!.orderId]: 1, [ful.held!.orderId]: 1 };
      const row = (orderId: string) => ({ orderId, authorized: quantities[orderId]! * PRICE, captured: 0, refunded: 0 });
      const clean = await reconcile({ target: 'web', kind: 'payments', asOf: at(-61 * MIN), rows: orders.map(row) });
      expect(clean).toMatchObject({ status: 'completed', totals: { driftCount: 0 } });
      const run = await reconcile({ target: 'web', kind: 'payments', asOf: at(-61 * MIN), rows: orders.map((o) => (o === ful.shipped!.orderId ? { ...row(o), captured: PRICE + 1 } : row(o))) });
      expect(classes(run)).toEqual(['amount_mismatch']);
      expect(run.drifts[0]).toMatchObject({ orderId: ful.shipped!.orderId, target: { captured: 2501 } });
      expect(run.drifts[0].findings).toContainEqual(expect.objectContaining({ source: 'target', field: 'captured', direction: 'target_ahead' }));
      const e = (await srv.api(`/v1/exceptions/${run.drifts[0].exceptionId}`)).body;
      expect(e).toMatchObject({ type: 'amount_mismatch', orderId: ful.shipped!.orderId, owner: 'finance-ops' });
    });

    it('accept_external on a target that shipped what the ledger has not heard of records the node\'s shipment', async () => {
      // The WMS's listing from an hour ago (past the grace for facts on their way): it shipped the acknowledged fulfillment.
      const [acked, ...rest] = cleanOrderRows();
      const run = await reconcile({ target: 'wms-main', kind: 'orders', asOf: at(-61 * MIN), rows: [{ ...acked!, status: 'shipped', lines: [{ lineId: '1', quantity: 2, shipped: 2 }] }, ...rest] });
      // The held release was sent over an hour before and never confirmed: it must be there if it ever arrived.
      // (An orders listing older than the inbound grace is also older than the orders feed may be.)
      expect(classes(run)).toEqual(['missing_in_target', 'stale_feed', 'status_mismatch']);
      const drift = run.drifts.find((d: { class: string }) => d.class === 'status_mismatch');
      expect(drift).toMatchObject({ fulfillmentId: ful.acked!.id, direction: 'target_ahead' });
      const e = (await srv.api(`/v1/exceptions/${drift.exceptionId}`)).body;
      expect(e.suggestedActions).toEqual(['resync', 'accept_external', 'resolve']);
      const acted = await srv.api(`/v1/exceptions/${e.id}/actions`, { body: { action: 'accept_external', note: 'the carrier scan confirms it left' } });
      expect(acted.status, JSON.stringify(acted.body)).toBe(200);
      expect(acted.body.audit.at(-1).result).toMatch(/recorded a shipment of 2 of line 1 as wms-main's fact \(applied\)/);
      const order = (await srv.api(`/v1/orders/${ful.acked!.orderId}`)).body;
      expect(order).toMatchObject({ status: 'shipped', fulfillments: [{ id: ful.acked!.id, status: 'shipped' }] });
      // Adopting twice records nothing twice.
      expect((await srv.api(`/v1/exceptions/${e.id}/actions`, { body: { action: 'accept_external' } })).status).toBe(409);
    });
  });
}
