import type { InboundMessage } from '../port.js';
import type { Issues, ShopifyIssue, ShopifyIssueCode } from './read.js';
import { describeIssues } from './read.js';

/**
 * What mapping one webhook gives: canonical messages (none, with the reason, when the webhook
 * asks nothing of Orderly), or why it cannot be mapped, naming every offending field.
 */
export type ShopifyMapResult =
  | { readonly ok: true; readonly messages: readonly InboundMessage[]; readonly ignored?: string }
  | { readonly ok: false; readonly reason: string; readonly code: ShopifyIssueCode; readonly errors: readonly ShopifyIssue[] };

/** The messages when no issue was found, else the failure; `build` runs only on a clean read. */
export function conclude(issues: Issues, build: () => readonly InboundMessage[]): ShopifyMapResult {
  const first = issues.list[0];
  if (first) return { ok: false, reason: describeIssues(issues.list), code: first.code, errors: issues.list };
  return { ok: true, messages: build() };
}

export const ignored = (why: string): ShopifyMapResult => ({ ok: true, messages: [], ignored: why });
