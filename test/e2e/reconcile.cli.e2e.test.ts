import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import type { Store } from '../../src/store/port.js';
import { createSqliteStore } from '../../src/store/sqlite/sqliteStore.js';
import { createTestDatabase } from '../support/postgres.js';
import { e2eStores } from '../support/server.js';
import { cleanRow, seedOrders } from '../support/reconcileWorld.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `orderly reconcile` as a real process, against the store `orderly serve` would open from the same environment. */
for (const kind of e2eStores()) {
  describe(`orderly reconcile (${kind})`, () => {
    let dir: string;
    let env: Record<string, string>;
    let drop: (() => Promise<void>) | undefined;
    let store: Store;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'orderly-cli-recon-'));
      if (kind === 'postgres') {
        const db = await createTestDatabase(`orderly_cli_${randomUUID().replaceAll('-', '').slice(0, 16)}`);
        drop = db.drop;
        env = { DATABASE_URL: db.url, ORDERLY_DATA_DIR: dir };
        const { createPostgresStore } = await import('../../src/store/postgres/postgresStore.js');
        store = createPostgresStore(db.url);
      } else {
        env = { DATABASE_URL: '', ORDERLY_DATA_DIR: dir };
        store = createSqliteStore(join(dir, 'orderly.db'));
      }
      await store.migrate();
      await seedOrders(store, 50);
    });
    afterAll(async () => {
      await store.close();
      await drop?.();
      rmSync(dir, { recursive: true, force: true });
    });

    // The CLI reads the real clock: snapshots from a few minutes ago (the world was released days before).
    const asOf = new Date(Date.now() - 10 * 60_000).toISOString();
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['bin/orderly.js', 'reconcile', ...args], { cwd: ROOT, env: { ...process.env, ORDERLY_SIMULATORS: 'off', ...env }, encoding: 'utf8', timeout: 60_000 });
    const file = (name: string, body: unknown) => {
      const path = join(dir, name);
      writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body));
      return path;
    };

    it('runs a snapshot file and prints the summary table; the exceptions are in the store', async () => {
      const rows = Array.from({ length: 50 }, (_, i) => cleanRow(i)).filter((_, i) => i !== 7);
      rows.push(cleanRow(9));
      const snapshot = file('dc-1.json', { asOf, rows });
      const r = cli('--target', 'dc-1', '--kind', 'orders', '--snapshot', snapshot);
      expect(r.stderr).toMatch(/rec_\w+ (comparing|resolving|done) \d+%/);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`: completed — dc-1 orders as of ${asOf}`);
      expect(r.stdout).toMatch(/^duplicate_in_target\s+1$/m);
      expect(r.stdout).toMatch(/^missing_in_target\s+1$/m);
      expect(r.stdout).toMatch(/^exceptions raised\s+2$/m);
      expect((await store.listExceptions({ dedupeKeyPrefix: 'dc-1|orders|', limit: 10 })).map((e) => e.type).sort()).toEqual(['duplicate_in_target', 'missing_in_target']);
      expect(cli('--target', 'dc-1', '--kind', 'orders', '--snapshot', snapshot, '--fail-on-drift').status).toBe(3);
    });

    it('a clean CSV snapshot resolves what it no longer finds, and prints JSON when asked', () => {
      const csv = file('dc-1.csv', ['fulfillmentId,status,lineId,quantity,shipped', ...Array.from({ length: 50 }, (_, i) => `${cleanRow(i).fulfillmentId},open,1,1,0`)].join('\n'));
      const r = cli('--target', 'dc-1', '--kind', 'orders', '--snapshot', csv, '--as-of', new Date(Date.parse(asOf) + 60_000).toISOString(), '--json');
      expect(r.status, r.stderr).toBe(0);
      const run = JSON.parse(r.stdout) as { status: string; source: string; totals: { exceptionsResolved: number }; counts: unknown[] };
      expect(run).toMatchObject({ status: 'completed', source: 'cli', totals: { exceptionsResolved: 2 }, counts: [] });
    });

    it('refuses a bad snapshot naming rows and fields (exit 2), and a bad command, keeping nothing', async () => {
      const before = (await store.listReconciliationRuns({ limit: 100 })).length;
      const bad = file('bad.json', { asOf, rows: [cleanRow(0), { fulfillmentId: 'ful_x', status: 'lost', lines: [] }] });
      const r = cli('--target', 'dc-1', '--kind', 'orders', '--snapshot', bad);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('rows[1].status: one of open, shipped, cancelled');
      expect(cli('--target', 'dc-1', '--kind', 'stock', '--snapshot', bad).stderr).toMatch(/--kind must be one of orders, inventory, payments/);
      expect(cli('--target', 'nobody', '--kind', 'orders', '--snapshot', bad).status).toBe(2);
      expect(await store.listReconciliationRuns({ limit: 100 })).toHaveLength(before);
    });
  });
}
