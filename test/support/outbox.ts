import type { OutboxClaimQuery, OutboxMessage, Store } from '../../src/store/port.js';
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
