import type { Fact, InboundOutcome, InboundSink } from '../port.js';
import { SIGNATURE_HEADER } from '../port.js';
import type { WebhookSecret } from '../http/webhook.js';
import { signWebhook } from '../http/webhook.js';
import type { SimFaults } from './faults.js';
import { decideReportFaults, malformBody } from './faults.js';
import { randomFor } from './random.js';
import type { SimClock } from './simClock.js';

/**
 * How a simulator tells Orderly what happened: straight into an `InboundSink` (in-process), or as
 * signed webhooks (`POST {url}` with `{ messageId, facts }`), the way the real systems would.
 */
export type ReportTarget =
  | { readonly kind: 'sink'; readonly sink: InboundSink }
  | {
      readonly kind: 'webhook';
      /** The full URL, e.g. `http://localhost:4000/v1/connectors/wms-east/webhooks`. */
      readonly url: string;
      readonly secret: WebhookSecret;
      readonly fetch?: typeof fetch;
      /** The signature's timestamp; real time by default, since the receiver checks it against its own clock. */
      readonly nowSeconds?: () => number;
    };

/** One attempt to deliver one report, as the simulator saw it. */
export interface Delivery {
  readonly messageId: string;
  readonly facts: readonly Fact[];
  readonly copy: 'original' | 'duplicate' | 'malformed';
  readonly attempt: number;
  readonly at: string;
  /** `failed` is retried (until `maxAttempts`); `rejected` (a 4xx, or a rejected outcome) is not. */
  readonly outcome: 'delivered' | 'rejected' | 'failed';
  readonly status?: number;
  readonly outcomes?: readonly InboundOutcome[];
}

export interface Reporter {
  /** Queues facts for delivery as one message; returns its message id. */
  report(facts: readonly Fact[]): string;
  /** Where reports go; until a target is set, they wait. */
  setTarget(target: ReportTarget | undefined): void;
  deliveries(): readonly Delivery[];
  /** Reports waiting for a target. */
  held(): number;
}

export interface ReporterOptions {
  readonly system: string;
  readonly seed: number;
  /** Makes message ids unique across runs of the same seed (Orderly remembers message ids). */
  readonly runId: string;
  readonly clock: SimClock;
  readonly faults: () => SimFaults;
  readonly maxAttempts?: number;
  readonly retryBaseMs?: number;
}

interface Item {
  readonly messageId: string;
  readonly facts: readonly Fact[];
  readonly copy: Delivery['copy'];
  readonly attempt: number;
}

export function createReporter(options: ReporterOptions): Reporter {
  const { system, clock } = options;
  const maxAttempts = options.maxAttempts ?? 8;
  const retryBaseMs = options.retryBaseMs ?? 1000;
  let target: ReportTarget | undefined;
  let seq = 0;
  let flushes = 0;
  const held: Item[] = [];
  const log: Delivery[] = [];
  let shuffleBuffer: Item[][] | undefined;

  function enqueue(items: Item[], delayMs: number): void {
    const reorder = options.faults().reorderReports;
    if (reorder?.mode === 'shuffle') {
      // Held for a window, then delivered in a seeded order: later facts overtake earlier ones.
      if (!shuffleBuffer) {
        shuffleBuffer = [];
        const flush = ++flushes;
        clock.schedule(reorder.windowMs, `${system}: shuffled reports`, () => {
          const batch = randomFor(options.seed, system, 'shuffle', flush).shuffle(shuffleBuffer ?? []);
          shuffleBuffer = undefined;
          for (const group of batch) for (const item of group) clock.schedule(0, `${system}: report ${item.messageId}`, () => deliver(item));
        });
      }
      shuffleBuffer.push(items);
      return;
    }
    for (const item of items) clock.schedule(delayMs, `${system}: report ${item.messageId}`, () => deliver(item));
  }

  async function deliver(item: Item): Promise<void> {
    if (!target) {
      held.push(item);
      return;
    }
    if (item.copy === 'malformed' && target.kind === 'sink') return; // an in-process sink takes typed facts only
    const result = await (target.kind === 'sink' ? toSink(target.sink, item) : toWebhook(target, item));
    log.push({ messageId: item.messageId, facts: item.facts, copy: item.copy, attempt: item.attempt, at: clock.now(), ...result });
    if (result.outcome === 'failed' && item.attempt < maxAttempts && item.copy !== 'malformed') {
      const backoff = Math.min(retryBaseMs * 2 ** (item.attempt - 1), 300_000);
      clock.schedule(backoff, `${system}: retry ${item.messageId}`, () => deliver({ ...item, attempt: item.attempt + 1 }));
    }
  }

  async function toSink(sink: InboundSink, item: Item): Promise<Pick<Delivery, 'outcome' | 'outcomes'>> {
    const outcomes: InboundOutcome[] = [];
    try {
      for (const [i, fact] of item.facts.entries()) {
        outcomes.push(await sink.receive(fact, { system, messageId: item.facts.length > 1 ? `${item.messageId}#${i}` : item.messageId }));
      }
    } catch {
      return { outcome: 'failed', outcomes };
    }
    return { outcome: outcomes.some((o) => o.status === 'rejected') ? 'rejected' : 'delivered', outcomes };
  }

  async function toWebhook(t: Extract<ReportTarget, { kind: 'webhook' }>, item: Item): Promise<Pick<Delivery, 'outcome' | 'status' | 'outcomes'>> {
    const body = { messageId: item.messageId, facts: item.facts };
    const text = item.copy === 'malformed' ? malformBody(body, randomFor(options.seed, system, 'malform', item.messageId)) : JSON.stringify(body);
    const nowSeconds = t.nowSeconds ?? (() => Date.now() / 1000);
    try {
      const res = await (t.fetch ?? fetch)(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(t.secret, text, nowSeconds()) },
        body: text,
        signal: AbortSignal.timeout(10_000),
      });
      const answer = (await res.json().catch(() => undefined)) as { outcomes?: InboundOutcome[] } | undefined;
      const outcomes = Array.isArray(answer?.outcomes) ? { outcomes: answer.outcomes } : {};
      if (res.ok) return { outcome: 'delivered', status: res.status, ...outcomes };
      const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
      return { outcome: retryable ? 'failed' : 'rejected', status: res.status };
    } catch {
      return { outcome: 'failed' };
    }
  }

  return {
    report(facts) {
      const n = ++seq;
      const messageId = `${system}-${options.runId}-${n}`;
      const faults = options.faults();
      const decided = decideReportFaults(faults, randomFor(options.seed, system, 'report', n));
      const items: Item[] = [];
      if (decided.malformed) items.push({ messageId, facts, copy: 'malformed', attempt: 1 });
      items.push({ messageId, facts, copy: 'original', attempt: 1 });
      if (decided.duplicate) items.push({ messageId: faults.duplicateReportMode === 'new_id' ? `${messageId}-again` : messageId, facts, copy: 'duplicate', attempt: 1 });
      enqueue(items, decided.delayMs);
      return messageId;
    },
    setTarget(next) {
      target = next;
      if (!next) return;
      for (const item of held.splice(0)) clock.schedule(0, `${system}: report ${item.messageId}`, () => deliver(item));
    },
    deliveries: () => log,
    held: () => held.length,
  };
}
