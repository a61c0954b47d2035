import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Store } from '../../src/store/port.js';
import { createSqliteStore } from '../../src/store/sqlite/sqliteStore.js';
import { createTestDatabase, postgresTestUrl } from './postgres.js';

export interface StoreFactory {
  readonly name: 'sqlite' | 'postgres';
  /** A fresh, migrated, empty store; `dispose` closes it and removes its data. */
  create(): Promise<{ store: Store; location: string; dispose(): Promise<void> }>;
}

export const sqliteFactory: StoreFactory = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'orderly-test-'));
    const location = join(dir, 'orderly.db');
    const store = createSqliteStore(location);
    await store.migrate();
    return {
      store,
      location,
      async dispose() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export const postgresFactory: StoreFactory = {
  name: 'postgres',
  async create() {
    const { createPostgresStore } = await import('../../src/store/postgres/postgresStore.js');
    const db = await createTestDatabase(`orderly_t_${randomUUID().replaceAll('-', '').slice(0, 16)}`);
    const store = createPostgresStore(db.url);
    await store.migrate();
    return {
      store,
      location: db.url,
      async dispose() {
        await store.close();
        await db.drop();
      },
    };
  },
};

/** SQLite always; PostgreSQL when a server is configured — and in CI it must be (never a silent skip). */
export function storeFactories(): StoreFactory[] {
  return postgresTestUrl() ? [sqliteFactory, postgresFactory] : [sqliteFactory];
}
