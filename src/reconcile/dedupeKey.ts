import type { DriftClass, Finding, ReconcileKind } from './drift.js';
import { DRIFT_CLASSES, RECONCILE_KINDS } from './drift.js';

export interface DriftIdentity {
  readonly target: string;
  readonly kind: ReconcileKind;
  readonly class: DriftClass;
  readonly key: string;
}

/**
 * The identity of a drift across runs: target, kind, class and key — not the amounts or
 * quantities, which move while the same disagreement stays open. Printable (each part
 * URI-encoded, so a position key's U+0000 becomes `%00`) and parseable back.
 */
export function dedupeKey(finding: Pick<Finding, 'kind' | 'class' | 'key'>, target: string): string {
  return [target, finding.kind, finding.class, finding.key].map(encodeURIComponent).join('|');
}

export function parseDedupeKey(dedupe: string): DriftIdentity | undefined {
  const parts = dedupe.split('|');
  if (parts.length !== 4) return undefined;
  try {
    const [target, kind, cls, key] = parts.map(decodeURIComponent) as [string, string, string, string];
    if (!isKind(kind) || !isClass(cls)) return undefined;
    return { target, kind, class: cls, key };
  } catch {
    return undefined; // malformed escapes: not one of ours
  }
}

const isKind = (s: string): s is ReconcileKind => (RECONCILE_KINDS as readonly string[]).includes(s);
const isClass = (s: string): s is DriftClass => (DRIFT_CLASSES as readonly string[]).includes(s);
