import type { ExceptionDoc } from '../../domain/exception/exception.js';
import type { Fulfillment } from '../../domain/order/index.js';
import type { Connector, Fact, FulfillmentReleaseMessage, InboundSink } from '../../connectors/port.js';
import type { AmountFinding, FulfillmentExpectation, PaymentExpectation, PositionExpectation, Range, ReconcileKind } from '../../reconcile/index.js';
import { parseDedupeKey } from '../../reconcile/index.js';
import type { ActionHandler, ActionResult } from '../exceptions.js';
import type { IdGenerator } from '../ids.js';
import type { InventoryService } from '../inventoryService.js';
import { recheckKey } from './recheck.js';
import type { RunDeps } from './runModel.js';
import { kindOf } from './runModel.js';
import type { TargetRow } from './snapshotRows.js';
import { rowKey } from './snapshotRows.js';

/** What a drift exception's context holds (driftExceptions.ts). */
interface DriftContext {
  readonly kind: ReconcileKind;
  readonly nodeId?: string;
  readonly sku?: string;
  readonly orderId?: string;
  readonly fulfillmentId?: string;
  readonly run: { readonly id: string; readonly asOf: string };
  readonly ledger: unknown;
  readonly target: unknown;
  readonly findings?: readonly AmountFinding[];
}

const driftContext = (doc: ExceptionDoc): DriftContext => {
  if (doc.source !== 'reconciliation') throw new Error('this exception was not raised by reconciliation');
  return doc.context as unknown as DriftContext;
};

/**
 * The workbench's actions on drifts (issue 6 §4). Each says what it did in the exception's audit,
 * and refuses, saying why, where it does not apply: nothing is overwritten silently. Facts adopted
 * from the target go through the InboundSink like any fact from a system of record (so a
 * contradiction is a recorded conflict), stock through an adjustment with its own source id.
 */
export function driftActionHandlers(deps: {
  run: RunDeps;
  inventory: InventoryService;
  inbound: InboundSink;
  connectors: () => readonly Connector[];
  newId: IdGenerator;
  nudge: () => void;
}): Map<string, ActionHandler> {
  const { run: runDeps, inventory, inbound } = deps;
  const store = runDeps.store;

  /**
   * The release sent again as a new outbox message on the order's partition: the ledger's decision
   * (FulfillmentReleased) already stands, so no event is appended — this is delivery, audited on the
   * exception. Its key is new and deterministic per exception and attempt, so a target that
   * deduplicates on keys takes it (it lost the first) and a repeat of the same attempt is refused.
   */
  const resend: ActionHandler = async (doc) => {
    const ctx = driftContext(doc);
    if (ctx.kind !== 'orders' || !ctx.fulfillmentId) throw new Error(`a ${ctx.kind} drift has no message of ours to send again: ask the target (resync) or adopt its figures (accept_external)`);
    const [row] = await store.listFulfillmentsForReconciliation({ ids: [ctx.fulfillmentId] });
    if (!row) throw new Error(`fulfillment ${ctx.fulfillmentId} is not in the ledger`);
    const f = row.view as Fulfillment;
    if (f.stage === 'allocated') throw new Error(`${f.id} was never released: release it (action release)`);
    const live = f.lines.filter((l) => l.quantity - l.shipped > 0);
    if (f.rejected !== undefined || live.length === 0) throw new Error(`${f.id} is ${f.status} in the ledger: nothing is left for ${row.nodeId} to do`);
    if (!row.release) throw new Error(`${row.nodeId} has no connector: it reads released fulfillments from GET /v1/fulfillments, so there is nothing to send`);
    const original = await store.getOutboxMessage(row.release.messageId);
    if (!original) throw new Error(`the release message ${row.release.messageId} is gone`);
    const sent = original.payload as FulfillmentReleaseMessage;
    const payload: FulfillmentReleaseMessage = {
      ...sent,
      lines: live.map((l) => ({ lineId: l.lineId, sku: l.sku, quantity: l.quantity - l.shipped, unitPrice: sent.lines.find((x) => x.lineId === l.lineId)?.unitPrice ?? 0 })),
    };
    const attempt = doc.audit.filter((a) => (a.action === 'resend' || a.action === 'retry') && a.result?.startsWith('re-sent')).length + 1;
    const id = deps.newId('message');
    const key = `fulfillment.release:${f.id}:resend:${doc.id}:${attempt}`;
    const [outcome] = await store.commit([{ outbox: [{ id, destination: original.destination, partitionKey: original.partitionKey, type: sent.type, payload, idempotencyKey: key, createdAt: runDeps.clock.now() }] }]);
    if (!outcome?.ok) throw new Error(`the message could not be queued (${outcome ? outcome.reason : 'no outcome'})`);
    deps.nudge();
    return { resolved: false, result: `re-sent the release of ${f.id} (${payload.lines.map((l) => `${l.quantity} × ${l.sku}`).join(', ')}) to ${original.destination} as outbox message ${id}, key ${key}; the next run of ${doc.target ?? ''} resolves this once it holds it` };
  };

  /** Asks the target for its state now (its connector's snapshot) and compares the key again. */
  const resync: ActionHandler = async (doc) => {
    const ctx = driftContext(doc);
    const run = await store.getReconciliationRun(ctx.run.id);
    if (!run) throw new Error(`run ${ctx.run.id} is gone`);
    const connector = deps.connectors().find((c) => c.id === run.target);
    if (!connector?.snapshot) throw new Error(`${run.target} cannot be asked for its state (no connector with a snapshot): send its snapshot to POST /v1/reconciliations`);
    const fresh = await connector.snapshot(kindOf(run), { signal: AbortSignal.timeout(30_000) });
    const key = parseDedupeKey(doc.dedupeKey)?.key ?? '';
    const rows = fresh.rows.filter((r) => rowKey(kindOf(run), r as TargetRow) === key) as TargetRow[];
    const outcome = await recheckKey(runDeps, { ...run, asOf: fresh.asOf }, { dedupeKey: doc.dedupeKey, class: doc.type }, rows);
    const seen = `${run.target} said as of ${fresh.asOf}: ${rows.length === 0 ? 'nothing for this key' : JSON.stringify(rows)}`;
    if (outcome.status === 'cleared') return { resolved: true, result: `${seen}; the ledger agrees now` };
    if (outcome.status === 'deferral') return { resolved: false, result: `${seen}; not decided yet: ${outcome.reason}` };
    return { resolved: false, result: `${seen}; still differs: ${outcome.drift.detail}` };
  };

  const acceptStock: ActionHandler = async (doc, input) => {
    const ctx = driftContext(doc);
    if (ctx.kind !== 'inventory' || ctx.nodeId === undefined || ctx.sku === undefined) throw new Error('not an inventory drift');
    const counted = (ctx.target as { onHand?: number } | null)?.onHand ?? 0;
    const expected = (ctx.ledger as PositionExpectation | null)?.onHand ?? { min: 0, max: 0 };
    const delta = counted < expected.min ? counted - expected.min : counted > expected.max ? counted - expected.max : 0;
    if (delta === 0) throw new Error(`${counted} is within what the ledger expects (${expected.min}–${expected.max}): nothing to adopt`);
    const asOf = (ctx.ledger as PositionExpectation | null)?.asOf ?? ctx.run.asOf;
    // Dated at the count: a movement the ledger recorded after it stays counted on top.
    const r = await inventory.applyAdjustment(
      { nodeId: ctx.nodeId, sku: ctx.sku, delta, reason: 'reconciliation_accept_external', sourceId: `reconcile:${doc.id}`, at: asOf },
      { correlationId: `exception:${doc.id}`, causationId: doc.id, actor: { kind: 'operator', id: input.actor.id } },
    );
    return { resolved: true, result: `adopted ${doc.target ?? 'the target'}'s count of ${counted} ${ctx.sku} at ${ctx.nodeId} as of ${asOf}: on-hand ${delta > 0 ? '+' : ''}${delta} (adjustment reconcile:${doc.id}, ${r.status})` };
  };

  const fact = async (doc: ExceptionDoc, message: Fact, what: string, key: string): Promise<ActionResult> => {
    const outcome = await inbound.receive(message, { system: 'reconciliation', messageId: `accept:${doc.id}:${key}` });
    if (outcome.status === 'rejected' || outcome.status === 'unknown_reference') throw new Error(`${what} was not recorded: ${outcome.message}`);
    const conflict = outcome.status === 'conflict' ? `; it contradicts the ledger, recorded as a conflict (exception ${outcome.exceptionId})` : '';
    return { resolved: true, result: `recorded ${what} as ${doc.target ?? 'the target'}'s fact (${outcome.status})${conflict}` };
  };

  /** The target shipped more than the ledger knows: its shipment is recorded as the node's fact. */
  const acceptShipment: ActionHandler = async (doc) => {
    const ctx = driftContext(doc);
    if (ctx.kind !== 'orders' || !ctx.fulfillmentId) throw new Error('not a fulfillment drift');
    const expected = ctx.ledger as FulfillmentExpectation | null;
    const row = ctx.target as { lines: { lineId: string; shipped: number }[] } | null;
    const lines = (row?.lines ?? []).flatMap((l) => {
      const max = expected?.lines.find((e) => e.lineId === l.lineId)?.shipped.max ?? 0;
      return l.shipped > max ? [{ lineId: l.lineId, quantity: l.shipped - max }] : [];
    });
    if (lines.length === 0) throw new Error(`${doc.target ?? 'the target'} did not ship more than the ledger knows: nothing to adopt (resend ours, or escalate)`);
    const shipped: Fact = { type: 'fulfillment.shipped', fulfillmentId: ctx.fulfillmentId, shipmentId: `reconcile-${doc.id}`, lines, shippedAt: ctx.run.asOf };
    return fact(doc, shipped, `a shipment of ${lines.map((l) => `${l.quantity} of line ${l.lineId}`).join(', ')}`, 'shipment');
  };

  /** The gateway is ahead of the ledger: the money it reports is recorded as the gateway's facts. */
  const acceptMoney: ActionHandler = async (doc) => {
    const ctx = driftContext(doc);
    const orderId = ctx.orderId;
    const row = ctx.target as { authorized: number; captured: number; refunded: number } | null;
    const expected = (ctx.ledger as PaymentExpectation | null)?.asOfCheckpoint;
    if (ctx.kind !== 'payments' || !orderId || !row || !expected) throw new Error('not a payment drift with the gateway\'s figures');
    const ahead = (ctx.findings ?? []).filter((f) => f.source === 'target' && f.direction === 'target_ahead' && f.field !== 'currency');
    if (ahead.length === 0) throw new Error('the gateway is not ahead of the ledger here: nothing to adopt (resend, or escalate)');
    const results: string[] = [];
    for (const f of ahead) {
      const field = f.field as 'authorized' | 'captured' | 'refunded';
      const range: Range = expected[field];
      const diff = row[field] - (row[field] > range.max ? range.max : range.min);
      const reference = `reconcile:${doc.id}:${field}`;
      const message: Fact =
        field === 'captured'
          ? { type: 'payment.captured', orderId, captureId: `reconcile-${doc.id}`, amount: diff, reference }
          : field === 'refunded'
            ? { type: 'payment.refunded', orderId, refundId: `reconcile-${doc.id}`, amount: diff, reference }
            : diff > 0
              ? { type: 'payment.authorized', orderId, authorizationId: `reconcile-${doc.id}`, amount: diff }
              : { type: 'payment.voided', orderId, amount: -diff, reference };
      results.push((await fact(doc, message, `${field} ${diff > 0 ? '+' : ''}${diff}`, field)).result);
    }
    return { resolved: true, result: results.join('; ') };
  };

  const refuse = (why: string): ActionHandler => async () => {
    throw new Error(why);
  };

  const accept: ActionHandler = async (doc, input) => {
    const ctx = driftContext(doc);
    if (ctx.kind === 'inventory') return acceptStock(doc, input);
    if (ctx.kind === 'payments') return acceptMoney(doc, input);
    return acceptShipment(doc, input);
  };

  return new Map<string, ActionHandler>([
    ['resend:missing_in_target', resend],
    ['retry:missing_in_target', resend],
    ['resend:status_mismatch', resend],
    ['resend:quantity_mismatch', resend],
    ...(['missing_in_target', 'missing_in_ledger', 'status_mismatch', 'quantity_mismatch', 'duplicate_in_target', 'stale_feed', 'inventory_drift', 'amount_mismatch'] as const).map(
      (cls) => [`resync:${cls}`, resync] as [string, ActionHandler],
    ),
    ['accept_external:inventory_drift', accept],
    ['accept_external:missing_in_target', async (doc, input) => (driftContext(doc).kind === 'inventory' ? acceptStock(doc, input) : refuse('the ledger released it and the target lacks it: there is nothing of the target\'s to adopt (resend)')(doc, input))],
    ['accept_external:missing_in_ledger', async (doc, input) =>
      driftContext(doc).kind === 'inventory'
        ? acceptStock(doc, input)
        : refuse(`the ledger cannot adopt a ${driftContext(doc).kind === 'orders' ? 'fulfillment' : 'payment'} it never created: find where it came from (escalate), cancel it at ${doc.target ?? 'the target'}, then resolve with a note`)(doc, input)],
    ['accept_external:status_mismatch', accept],
    ['accept_external:quantity_mismatch', accept],
    ['accept_external:amount_mismatch', accept],
    ['accept_external:duplicate_in_target', refuse('a duplicate has no figures to adopt: have the target drop the extra copy, then resolve with a note')],
    ['accept_external:stale_feed', refuse('a stale feed has no figures to adopt: ask for a fresh snapshot (resync)')],
    // The order's own cancel would cancel what the customer still wants; a copy is the target's to drop.
    ['cancel:duplicate_in_target', refuse('Orderly cannot tell the target which copy to drop: cancel the extra copy there, then resolve with a note')],
    ['cancel:missing_in_ledger', refuse('the ledger has no order to cancel for it: cancel it at the target, then resolve with a note')],
  ]);
}
