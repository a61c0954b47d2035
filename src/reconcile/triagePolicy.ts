import { minorUnits } from '../domain/money.js';
import { assertNever } from '../domain/result.js';
import type { Drift, DriftClass, ReconcileKind, Severity } from './drift.js';
import { SEVERITIES } from './drift.js';

/** What an operator (or an explicitly automated owner) may do about a drift; API.md exception actions. */
export type SuggestedAction = 'resend' | 'resync' | 'cancel' | 'accept_external' | 'escalate' | 'resolve';

export interface Owner {
  readonly kind: 'team' | 'system';
  readonly id: string;
}

/** How a drift becomes an exception: its severity, owner, SLA and suggested actions (most fitting first). */
export interface Triage {
  readonly severity: Severity;
  readonly owner: Owner;
  readonly slaMinutes: number;
  readonly actions: readonly SuggestedAction[];
}

export interface TriagePolicy {
  triage(drift: Drift): Triage;
}

export interface TriageOptions {
  /** A drift at or above this value (minor units of its currency) is raised one severity step. */
  readonly highValue: { readonly byCurrency: Readonly<Record<string, number>>; readonly otherwiseMajorUnits: number };
  /** Customer tiers whose drifts are raised one severity step. */
  readonly vipTiers: readonly string[];
  readonly ownerByKind: Readonly<Record<ReconcileKind, Owner>>;
  /** Overrides by class (e.g. stale feeds to the integrations team, or to a system that re-requests the feed). */
  readonly ownerByClass: Readonly<Partial<Record<DriftClass, Owner>>>;
  readonly slaMinutes: Readonly<Record<Severity, number>>;
}

export const DEFAULT_TRIAGE: TriageOptions = {
  highValue: { byCurrency: {}, otherwiseMajorUnits: 1_000 },
  vipTiers: ['vip', 'gold', 'platinum'],
  ownerByKind: {
    orders: { kind: 'team', id: 'fulfillment-ops' },
    inventory: { kind: 'team', id: 'inventory-control' },
    payments: { kind: 'team', id: 'finance-ops' },
  },
  ownerByClass: { stale_feed: { kind: 'team', id: 'integrations' } },
  slaMinutes: { critical: 60, high: 4 * 60, medium: 24 * 60, low: 3 * 24 * 60 },
};

/**
 * Severity: the comparator's hint, one step up for a high-value drift and one for a VIP customer
 * (at most critical). Actions follow the class and which side is behind: the side that is behind
 * is brought along (resend ours, or accept the target's with audit / resync it), a divergence goes
 * to a human first. Nothing here repairs anything: automatic repair is a separate, explicit policy.
 */
export function createTriagePolicy(options: TriageOptions = DEFAULT_TRIAGE): TriagePolicy {
  return {
    triage(drift) {
      let step = SEVERITIES.indexOf(drift.severity);
      if (isHighValue(drift, options)) step++;
      if (drift.customerTier !== undefined && options.vipTiers.includes(drift.customerTier)) step++;
      const severity = SEVERITIES[Math.min(step, SEVERITIES.length - 1)]!;
      return {
        severity,
        owner: options.ownerByClass[drift.class] ?? options.ownerByKind[drift.kind],
        slaMinutes: options.slaMinutes[severity],
        actions: actionsFor(drift),
      };
    },
  };
}

export const defaultTriagePolicy: TriagePolicy = createTriagePolicy();

function isHighValue(drift: Drift, options: TriageOptions): boolean {
  if (drift.value === undefined || drift.currency === undefined) return false;
  const own = Object.prototype.hasOwnProperty.call(options.highValue.byCurrency, drift.currency) ? options.highValue.byCurrency[drift.currency] : undefined;
  const threshold = own ?? options.highValue.otherwiseMajorUnits * 10 ** (minorUnits(drift.currency) ?? 2);
  return drift.value >= threshold;
}

/** Suggested actions, most fitting first. */
export function actionsFor(drift: Drift): readonly SuggestedAction[] {
  switch (drift.class) {
    case 'stale_feed':
      return ['resync', 'escalate', 'resolve'];
    case 'duplicate_in_target':
      return ['cancel', 'escalate'];
    case 'missing_in_target':
      // Ours never reached it (resend); for stock or money there is nothing to resend: count or ask.
      return drift.kind === 'orders' ? ['resend', 'escalate'] : drift.kind === 'inventory' ? ['resync', 'accept_external', 'escalate'] : ['escalate', 'resync'];
    case 'missing_in_ledger':
      return drift.kind === 'inventory' ? ['accept_external', 'escalate'] : drift.kind === 'orders' ? ['escalate', 'cancel'] : ['escalate'];
    case 'inventory_drift':
      return ['accept_external', 'resync', 'escalate'];
    case 'status_mismatch':
    case 'quantity_mismatch':
      if (drift.direction === 'target_ahead') return ['resync', 'accept_external', 'resolve'];
      if (drift.direction === 'target_behind') return ['resend', 'escalate'];
      return ['escalate', 'accept_external'];
    case 'amount_mismatch': {
      const findings = drift.kind === 'payments' ? (drift.findings ?? []) : [];
      const out: SuggestedAction[] = [];
      // A capture, refund or void owed by the goods is ours to (re)send; a gateway ahead of us is its truth to take.
      if (findings.some((f) => f.owed !== undefined)) out.push('resend');
      if (findings.some((f) => f.direction === 'target_ahead')) out.push('resync', 'accept_external');
      out.push('escalate');
      return out;
    }
    default:
      return assertNever(drift);
  }
}
