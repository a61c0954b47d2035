/**
 * Exceptions: the problems a human must look at (DESIGN §8) — conflicting facts, dead letters,
 * SLA breaches, quarantined codes, drifts found by reconciliation. Pure: the record, the policy
 * that gives it a severity, an owner and an SLA, and the transitions of its status.
 */
export const EXCEPTION_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type ExceptionSeverity = (typeof EXCEPTION_SEVERITIES)[number];

export const EXCEPTION_SOURCES = ['conflict', 'cancellation', 'payment', 'sla', 'dead_letter', 'quarantine', 'reconciliation'] as const;
export type ExceptionSource = (typeof EXCEPTION_SOURCES)[number];

export const EXCEPTION_ACTIONS = ['retry', 'resend', 'resync', 'cancel', 'release', 'accept_external', 'escalate', 'resolve'] as const;
export type ExceptionAction = (typeof EXCEPTION_ACTIONS)[number];

export type ExceptionStatus = 'open' | 'acknowledged' | 'escalated' | 'resolved';

export interface ExceptionAudit {
  readonly action: ExceptionAction | 'raised' | 'auto_resolved' | 'seen_again';
  readonly actor: { readonly kind: 'service' | 'operator' | 'system'; readonly id: string };
  readonly at: string;
  readonly note?: string;
  /** What the action did, e.g. `redriven dlq message 42` or the error that stopped it. */
  readonly result?: string;
}

export interface ExceptionDoc {
  readonly id: string;
  readonly dedupeKey: string;
  readonly type: string;
  readonly reasonCode: string;
  readonly source: ExceptionSource;
  readonly severity: ExceptionSeverity;
  readonly owner: string;
  readonly status: ExceptionStatus;
  readonly title: string;
  readonly detail: string;
  readonly orderId?: string;
  readonly fulfillmentId?: string;
  /** The external system concerned (connector or reconciliation target). */
  readonly target?: string;
  /** What a person needs: the ledger's view and the target's side by side, the payloads, recent events. */
  readonly context: {
    readonly ledger?: unknown;
    readonly target?: unknown;
    readonly payloads?: readonly unknown[];
    readonly recentEvents?: readonly unknown[];
    readonly [extra: string]: unknown;
  };
  readonly suggestedActions: readonly ExceptionAction[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly slaDueAt: string;
  readonly resolvedAt?: string;
  readonly audit: readonly ExceptionAudit[];
}

export interface ExceptionInput {
  readonly id: string;
  readonly dedupeKey: string;
  readonly type: string;
  readonly reasonCode?: string;
  readonly source: ExceptionSource;
  readonly title: string;
  readonly detail: string;
  readonly orderId?: string;
  readonly fulfillmentId?: string;
  readonly target?: string;
  readonly context?: ExceptionDoc['context'];
  readonly suggestedActions: readonly ExceptionAction[];
  /** Inputs to the severity rule: the order's value (minor units) and the customer's tier. */
  readonly orderValue?: number;
  readonly customerTier?: string;
  readonly actor?: ExceptionAudit['actor'];
  /** Set by a source that triages its own problems (reconciliation's TriagePolicy): taken over the policy's. */
  readonly triage?: { readonly severity: ExceptionSeverity; readonly owner: string; readonly slaMinutes: number };
}

/** Who owns, how urgent, and by when: the defaults beside the interface (STYLE §4). */
export interface ExceptionPolicy {
  severity(input: ExceptionInput): ExceptionSeverity;
  owner(input: ExceptionInput): string;
  slaMinutes(severity: ExceptionSeverity): number;
}

const BASE_SEVERITY: Readonly<Record<string, ExceptionSeverity>> = {
  shipment_after_cancel: 'high',
  over_shipment: 'high',
  payment_failed: 'high',
  payment_unexpected: 'high',
  amount_mismatch: 'high',
  cancellation_unsupported: 'medium',
  dead_letter: 'medium',
  missing_in_target: 'high',
  missing_in_ledger: 'high',
  stale_feed: 'medium',
  quarantine: 'medium',
  ack_sla_breached: 'medium',
  cancellation_sla_breached: 'medium',
};

const OWNERS: Readonly<Record<ExceptionSource, string>> = {
  conflict: 'fulfillment-ops',
  cancellation: 'customer-care',
  payment: 'finance',
  sla: 'fulfillment-ops',
  dead_letter: 'integrations',
  quarantine: 'integrations',
  reconciliation: 'inventory-control',
};

const RAISE: Readonly<Record<ExceptionSeverity, ExceptionSeverity>> = { low: 'medium', medium: 'high', high: 'critical', critical: 'critical' };

/** High-value orders (≥ 1,000.00 in minor units of a 2-decimal currency) and VIP customers raise severity one step. */
export const DEFAULT_EXCEPTION_POLICY: ExceptionPolicy & { readonly highValue: number; readonly vipTiers: readonly string[] } = {
  highValue: 100_000,
  vipTiers: ['vip', 'gold', 'platinum'],
  severity(input) {
    const base = BASE_SEVERITY[input.type] ?? 'medium';
    const important = (input.orderValue ?? 0) >= this.highValue || (input.customerTier !== undefined && this.vipTiers.includes(input.customerTier));
    return important ? RAISE[base] : base;
  },
  owner(input) {
    if (input.type === 'amount_mismatch' || input.type === 'payment_failed') return 'finance';
    return OWNERS[input.source];
  },
  slaMinutes(severity) {
    return { low: 3 * 24 * 60, medium: 24 * 60, high: 4 * 60, critical: 60 }[severity];
  },
};

export function newException(input: ExceptionInput, now: string, policy: ExceptionPolicy = DEFAULT_EXCEPTION_POLICY): ExceptionDoc {
  const severity = input.triage?.severity ?? policy.severity(input);
  return {
    id: input.id,
    dedupeKey: input.dedupeKey,
    type: input.type,
    reasonCode: input.reasonCode ?? input.type,
    source: input.source,
    severity,
    owner: input.triage?.owner ?? policy.owner(input),
    status: 'open',
    title: input.title,
    detail: input.detail,
    ...(input.orderId !== undefined ? { orderId: input.orderId } : {}),
    ...(input.fulfillmentId !== undefined ? { fulfillmentId: input.fulfillmentId } : {}),
    ...(input.target !== undefined ? { target: input.target } : {}),
    context: input.context ?? {},
    suggestedActions: input.suggestedActions,
    createdAt: now,
    updatedAt: now,
    slaDueAt: new Date(Date.parse(now) + (input.triage?.slaMinutes ?? policy.slaMinutes(severity)) * 60_000).toISOString(),
    audit: [{ action: 'raised', actor: input.actor ?? { kind: 'system', id: 'orderly' }, at: now }],
  };
}

/** Escalation raises the severity a step, hands it to the escalation owner and shortens its SLA. */
export function escalate(doc: ExceptionDoc, audit: ExceptionAudit, policy: ExceptionPolicy = DEFAULT_EXCEPTION_POLICY): ExceptionDoc {
  const severity = RAISE[doc.severity];
  return {
    ...doc,
    severity,
    status: 'escalated',
    owner: `${doc.owner.replace(/-escalated$/, '')}-escalated`,
    slaDueAt: new Date(Date.parse(audit.at) + policy.slaMinutes(severity) * 60_000).toISOString(),
    updatedAt: audit.at,
    audit: [...doc.audit, audit],
  };
}

export function resolve(doc: ExceptionDoc, audit: ExceptionAudit): ExceptionDoc {
  return { ...doc, status: 'resolved', resolvedAt: audit.at, updatedAt: audit.at, audit: [...doc.audit, audit] };
}

export function note(doc: ExceptionDoc, audit: ExceptionAudit, status: ExceptionStatus = doc.status === 'open' ? 'acknowledged' : doc.status): ExceptionDoc {
  return { ...doc, status, updatedAt: audit.at, audit: [...doc.audit, audit] };
}
