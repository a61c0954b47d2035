import { z } from 'zod';
import { OUTBOUND_MESSAGE_TYPES } from '../http/messageShapes.js';
import type { OutboundMessageType } from '../port.js';
import type { SimFaultsInput } from './faults.js';
import type { SimClock } from './simClock.js';
import { createSimClock } from './simClock.js';
import type { SimCounters, SimRequest, Simulator } from './simCore.js';
import { createSimCore } from './simCore.js';

export const recorderSimulatorSchema = z.strictObject({
  id: z.string().min(1).max(128).default('erp'),
  seed: z.int().default(1),
  dedupe: z.boolean().default(true),
  /** The message types a connector to it sends; it records any type it is sent. */
  handles: z.array(z.enum(OUTBOUND_MESSAGE_TYPES as [OutboundMessageType, ...OutboundMessageType[]])).default([]),
});
export type RecorderSimulatorInput = z.input<typeof recorderSimulatorSchema> & { readonly faults?: SimFaultsInput; readonly clock?: SimClock };

export interface RecordedMessage {
  readonly type: string;
  readonly idempotencyKey: string;
  readonly message: unknown;
  readonly at: string;
}

/** A system that takes whatever it is sent and keeps it (the ERP of the simulated network): for asserting what left Orderly. */
export function createRecorderSimulator(input: RecorderSimulatorInput = {}) {
  const { faults, clock: givenClock, ...data } = input;
  const options = recorderSimulatorSchema.parse(data);
  const clock = givenClock ?? createSimClock();
  const core = createSimCore({ id: options.id, seed: options.seed, clock, dedupe: options.dedupe, ...(faults ? { faults } : {}) });
  const received: RecordedMessage[] = [];
  const simulator = {
    id: options.id,
    kind: 'recorder' as const,
    clock,
    capabilities: { deduplicates: options.dedupe, canCancel: false, partialCancel: false, statusQuery: true },
    handles: options.handles,
    receive: (request: SimRequest) =>
      core.receive(request, (r) => {
        received.push({ type: r.type, idempotencyKey: r.idempotencyKey, message: r.message, at: clock.now() });
        return { status: 200, body: {} };
      }),
    status: core.status,
    faults: core.faults,
    setFaults: core.setFaults,
    watchFaults: core.watchFaults,
    counters: (): SimCounters => core.counters(),
    /** Every message processed, in arrival order (a repeat it deduplicated is not here again). */
    received: (): readonly RecordedMessage[] => received,
    snapshot: () => ({ asOf: clock.now(), byType: Object.fromEntries(Object.entries(core.counters().byType).map(([t, c]) => [t, c.accepted])) }),
  } satisfies Simulator & Record<string, unknown>;
  return simulator;
}

export type RecorderSimulator = ReturnType<typeof createRecorderSimulator>;
