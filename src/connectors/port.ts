/**
 * The connector port (DESIGN §5): the anti-corruption layer between Orderly's canonical model and
 * each external system. The core never sees a native code; connectors translate.
 *
 * - **Outbound**: the outbox holds canonical `OutboundMessage`s; the dispatcher hands each to the
 *   connector named by its destination, which renders the native message and sends it.
 * - **Inbound**: a connector turns a native message (webhook, file, EDI transaction, API call)
 *   into canonical `InboundMessage`s and gives them to an `InboundSink` — the same code the API's
 *   fact endpoints call — deduplicated by the sender's message id.
 */
import type { FactLine, OrderFact } from '../domain/order/facts.js';
import type { Address, OrderDraft, ShipMethod } from '../domain/order/model.js';

// ------------------------------------------------------------------------------------------------
// Outbound: canonical commands to execution systems (outbox payloads)
// ------------------------------------------------------------------------------------------------

export interface OutboundLine {
  readonly lineId: string;
  readonly sku: string;
  readonly quantity: number;
  /** Minor units of the order's currency. */
  readonly unitPrice: number;
}

/** Release a fulfillment to its node: the node should pick, pack and ship (or hold for pickup). */
export interface FulfillmentReleaseMessage {
  readonly type: 'fulfillment.release';
  readonly fulfillmentId: string;
  readonly orderId: string;
  readonly nodeId: string;
  readonly order: {
    readonly externalId: string;
    readonly channel: string;
    readonly currency: string;
    readonly placedAt: string;
  };
  /** `ship` with a canonical ship method, or `pickup` (the node is the pickup store). */
  readonly delivery: { readonly type: 'ship'; readonly shipMethod: ShipMethod } | { readonly type: 'pickup'; readonly storeId: string };
  /** PII: connectors that do not need it (connector config `pii: false`) must drop it before sending. */
  readonly shipTo?: Address;
  readonly customer?: { readonly name?: string; readonly email?: string; readonly phone?: string };
  readonly lines: readonly OutboundLine[];
  readonly releasedAt: string;
}

/** Ask a node to cancel a released fulfillment, whole (no `lines`) or in part. */
export interface FulfillmentCancelMessage {
  readonly type: 'fulfillment.cancel';
  readonly fulfillmentId: string;
  readonly orderId: string;
  readonly nodeId: string;
  readonly lines?: readonly { readonly lineId: string; readonly sku: string; readonly quantity: number }[];
  readonly reason: string;
  readonly requestedAt: string;
}

/** Payment gateway operations. Amounts in minor units of `currency`. */
export interface PaymentAuthorizeMessage {
  readonly type: 'payment.authorize';
  readonly orderId: string;
  readonly amount: number;
  readonly currency: string;
}
export interface PaymentCaptureMessage {
  readonly type: 'payment.capture';
  readonly orderId: string;
  readonly authorizationId: string;
  readonly amount: number;
  readonly currency: string;
  /** What the capture pays for, e.g. the shipment id. */
  readonly reference: string;
}
export interface PaymentVoidMessage {
  readonly type: 'payment.void';
  readonly orderId: string;
  readonly authorizationId: string;
  readonly amount: number;
  readonly currency: string;
  readonly reference: string;
}
export interface PaymentRefundMessage {
  readonly type: 'payment.refund';
  readonly orderId: string;
  readonly amount: number;
  readonly currency: string;
  /** What the refund is for, e.g. a return id or a cancellation. */
  readonly reference: string;
}

export type OutboundMessage =
  | FulfillmentReleaseMessage
  | FulfillmentCancelMessage
  | PaymentAuthorizeMessage
  | PaymentCaptureMessage
  | PaymentVoidMessage
  | PaymentRefundMessage;

export type OutboundMessageType = OutboundMessage['type'];

// ------------------------------------------------------------------------------------------------
// Inbound: canonical facts from systems of record, and intents from channels
// ------------------------------------------------------------------------------------------------

export type { FactLine } from '../domain/order/facts.js';

type PaymentFact = Extract<OrderFact, { readonly type: `payment.${string}` }>;

/**
 * A fact from a system of record, in canonical form. The facts about an order are the order
 * domain's own (src/domain/order/facts.ts: fulfillment and return facts name their fulfillment or
 * return, whose id names the order; a payment fact names its order here); inventory facts are
 * about a node's stock.
 */
export type Fact =
  | Exclude<OrderFact, PaymentFact>
  | (PaymentFact & { readonly orderId: string })
  | {
      readonly type: 'inventory.snapshot';
      readonly nodeId: string;
      readonly asOf: string;
      /** `available`: what the partner reports as free to sell, when it does (X12 846 qualifier 33, say); informational. */
      readonly positions: readonly { readonly sku: string; readonly onHand: number; readonly available?: number }[];
    }
  | { readonly type: 'inventory.adjustment'; readonly nodeId: string; readonly sku: string; readonly delta: number; readonly reason: string };

/** What a sales channel asks for (Shopify webhooks, X12 850): commands, not facts. */
export type ChannelIntent =
  | {
      readonly type: 'order.place';
      readonly draft: OrderDraft;
      /** `channel`: the channel settles payment itself (e.g. Shopify); default: as configured. */
      readonly payments?: 'gateway' | 'channel';
    }
  | { readonly type: 'order.cancel'; readonly channel: string; readonly externalId: string; readonly reason: string; readonly lines?: readonly FactLine[] }
  | {
      /** A refund the channel already paid out (Shopify refunds/create): recorded, with the returned lines if any. */
      readonly type: 'order.refunded';
      readonly channel: string;
      readonly externalId: string;
      readonly refundId: string;
      readonly amount: number;
      /** The currency of `amount` when the channel says it; one other than the order's is a conflict, not a number to record. */
      readonly currency?: string;
      readonly lines: readonly (FactLine & { readonly restock: boolean })[];
    }
  | {
      /** The channel fulfilled lines itself (Shopify fulfillments/create for a channel-managed order). */
      readonly type: 'order.fulfilled_by_channel';
      readonly channel: string;
      readonly externalId: string;
      readonly shipmentId: string;
      readonly lines: readonly FactLine[];
      readonly carrier?: string;
      readonly trackingNumber?: string;
      /** When the shipment has several tracking numbers (packages); `trackingNumber` is the first. */
      readonly packages?: readonly { readonly trackingNumber?: string; readonly lines?: readonly FactLine[] }[];
      readonly shippedAt: string;
    };

export type InboundMessage = Fact | ChannelIntent;

/** Where an inbound message came from; `messageId` is the sender's id and the dedupe key. */
export interface InboundSource {
  readonly system: string;
  readonly messageId: string;
  /** W3C trace context the message continues (a target's answer to one of our messages). */
  readonly traceparent?: string;
}

export type InboundOutcome =
  /** Applied to the ledger (`orderId` when it concerns an order). */
  | { readonly status: 'applied'; readonly orderId?: string }
  /** Seen before (same system + messageId): acknowledged, nothing done again. */
  | { readonly status: 'duplicate'; readonly orderId?: string }
  /** Recorded, but it contradicts the ledger: ConflictDetected plus an exception (202 over HTTP). */
  | { readonly status: 'conflict'; readonly orderId?: string; readonly exceptionId: string; readonly message: string }
  /** It names nothing Orderly knows (unknown fulfillment, order or return): quarantined as an exception. */
  | { readonly status: 'unknown_reference'; readonly exceptionId?: string; readonly message: string }
  /** The message is malformed or an intent was refused (e.g. invalid order): nothing written. */
  | { readonly status: 'rejected'; readonly code: string; readonly message: string; readonly errors?: readonly { path: string; message: string }[] };

/** The one entry point for inbound messages: API fact endpoints and every connector call it. */
export interface InboundSink {
  receive(message: InboundMessage, source: InboundSource): Promise<InboundOutcome>;
  /**
   * A native message that could not be translated (unknown code, malformed payload): kept raw in
   * an exception for a human, never guessed.
   */
  quarantine(input: { readonly connector: string; readonly reason: string; readonly code?: string; readonly raw: string; readonly source: InboundSource }): Promise<{ readonly exceptionId: string }>;
}

// ------------------------------------------------------------------------------------------------
// The connector itself
// ------------------------------------------------------------------------------------------------

export interface ConnectorCapabilities {
  /** The target deduplicates on the message's idempotency key: resending after a timeout is safe. */
  readonly deduplicates: boolean;
  readonly canCancel: boolean;
  readonly partialCancel: boolean;
  /** The connector implements `queryStatus`. */
  readonly statusQuery: boolean;
}

/**
 * How a send failed, which decides what the dispatcher does: `transient` is retried with backoff
 * (timeouts before sending, connection refused/reset, 5xx, 429 with `retryAfterMs`); `business` is
 * never retried (validation, unknown SKU, node closed): it becomes an exception and, per policy, a
 * re-route; `ambiguous` (a timeout after the request was sent to a target that cannot deduplicate)
 * is never resent blind: the dispatcher asks `queryStatus` if it can, else raises an exception.
 */
export type ConnectorErrorKind = 'transient' | 'business' | 'ambiguous';

export class ConnectorError extends Error {
  constructor(
    readonly kind: ConnectorErrorKind,
    /** A stable, canonical code: `timeout`, `connection_reset`, `http_503`, `rate_limited`, `unknown_sku`, `node_closed`, … */
    readonly code: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ConnectorError';
  }
}

/** What came back from a successful send; `facts` are applied through the InboundSink (e.g. a payment capture's result). */
export interface SendResult {
  readonly reference?: string;
  readonly facts?: readonly Fact[];
}

/** The outbox row as a connector sees it. */
export interface Envelope<M extends OutboundMessage = OutboundMessage> {
  readonly messageId: string;
  /** Deterministic: the same intent always has the same key, so a deduplicating target drops repeats. */
  readonly idempotencyKey: string;
  readonly attempt: number;
  readonly message: M;
  readonly traceparent?: string;
}

export interface Connector {
  readonly id: string;
  readonly kind: string;
  readonly capabilities: ConnectorCapabilities;
  /** The outbound message types it handles; the dispatcher dead-letters anything else as a business error. */
  readonly handles: readonly OutboundMessageType[];
  /** Sends one message; throws ConnectorError (anything else thrown counts as `transient`). */
  send(envelope: Envelope, options: { readonly signal: AbortSignal }): Promise<SendResult>;
  /**
   * For ambiguous sends: did the target receive the message? `received` completes it (with facts
   * if the target reported its state), `not_received` makes a resend safe, `unknown` raises an exception.
   */
  queryStatus?(envelope: Envelope, options: { readonly signal: AbortSignal }): Promise<{ readonly status: 'received' | 'not_received' | 'unknown'; readonly facts?: readonly Fact[] }>;
  /**
   * The target's own view for reconciliation (issue 6): its rows of `kind` in the canonical form of
   * `POST /v1/reconciliations` and the time they are as of. For scheduled sweeps and the `resync`
   * action; a connector that cannot list its state leaves it out.
   */
  snapshot?(kind: 'orders' | 'inventory' | 'payments', options: { readonly signal: AbortSignal }): Promise<{ readonly asOf: string; readonly rows: readonly unknown[] }>;
  /** Starts inbound work (directory polling, …); stops it on close. */
  start?(sink: InboundSink): Promise<void> | void;
  close?(): Promise<void> | void;
}

/**
 * The default wire format of the HTTP/JSON connector (and what the simulators speak):
 *
 * - outbound: `POST {baseUrl}{path}` with body `{ "type", "idempotencyKey", "message": <OutboundMessage> }`,
 *   headers `Content-Type: application/json`, `Idempotency-Key: <idempotencyKey>`, `traceparent`
 *   when known. 2xx = delivered (a JSON body `{ "facts": [...] }` may carry immediate facts);
 *   408/425/429/5xx = transient (429/503 honour `Retry-After`); other 4xx = business, with the
 *   body's `code` as the error code when it has one.
 * - inbound webhook: `POST /v1/connectors/{connectorId}/webhooks` with body
 *   `{ "messageId", "facts": [<Fact>, …] }` (native codes allowed where the connector's mapping
 *   tables translate them), signed with header
 *   `X-Orderly-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`,
 *   verified in constant time before parsing; older than 5 minutes is refused.
 */
export const SIGNATURE_HEADER = 'x-orderly-signature';
export const SIGNATURE_TOLERANCE_SECONDS = 300;
