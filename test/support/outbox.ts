import type { DeadLetterReason, OutboxClaimQuery, OutboxMessage, Store } from '../../src/store/port.js';
import { createSqliteStore } from '../../src/store/sqlite/sqliteStore.js';

/** Outbox test helpers: times as offsets from T0, messages written through the real commit path. */
export const T0 = Date.parse('2026-11-25T10:00:00.000Z');
export const at = (ms: number): string => new Date(T0 + ms).toISOString();

export function outboxMessage(id: string, partitionKey: string, options: { destination?: string; createdMs?: number; type?: string; payload?: unknown } = {}): OutboxMessage {
  return {
    id,
    destination: options.destination ?? 'wms',
    partitionKey,
    type: options.type ?? 'fulfillment.release',
    payload: options.payload ?? { id },
    idempotencyKey: `key-${id}`,
    createdAt: at(options.createdMs ?? 0),
  };
}

/** Writes the messages as one unit of work, as a command's commit does. */
export async function putOutbox(store: Store, ...messages: OutboxMessage[]): Promise<void> {
  const [outcome] = await store.commit([{ outbox: messages }]);
  if (!outcome?.ok) throw new Error(`outbox rows not written: ${JSON.stringify(outcome)}`);
}

export const claimWith = (store: Store, q: Partial<OutboxClaimQuery> = {}) =>
  store.claimOutbox({ workerId: 'w1', limit: 50, now: at(0), leaseMs: 60_000, ...q });

/** Another store instance on the same database (another process, as far as the store can tell). */
export async function openSecondStore(dialect: 'sqlite' | 'postgres', location: string): Promise<Store> {
  if (dialect === 'sqlite') return createSqliteStore(location);
  const { createPostgresStore } = await import('../../src/store/postgres/postgresStore.js');
  return createPostgresStore(location);
}

/** Parks messages as dead letters through the real claim/settle path, as the dispatcher would. */
export async function parkDeadLetters(store: Store, messages: OutboxMessage[], reasonOf: (m: OutboxMessage) => DeadLetterReason = () => 'business'): Promise<void> {
  await putOutbox(store, ...messages);
  const ids = new Set(messages.map((m) => m.id));
  const now = at(3_600_000); // an hour after the messages were written: all due
  const claimed = (await store.claimOutbox({ workerId: 'w-test', limit: 10_000, now, leaseMs: 60_000 })).filter((m) => ids.has(m.id));
  const results = await store.settleOutbox(
    claimed.map((m) => {
      const reason = reasonOf(m);
      return { kind: 'dead' as const, id: m.id, lease: m.lease, at: now, attemptedAt: now, reason, error: { kind: reason, code: `${reason}_code`, message: `${m.id} failed` } };
    }),
  );
  if (results.length !== messages.length || results.some((r) => r !== 'applied')) throw new Error(`could not park ${messages.length} dead letters: ${results.join(',')}`);
}
